"""What every schedule shape has in common: ``value = eta + (anchor - eta) * shape(t)``.

A *curve* is the pure, stateless description of one scheduler family over its local steps
``t = 0, 1, ...`` (``t`` counts from the scheduler's ``begin``). It knows nothing about optimizers.
For every parameter group the value at step ``t`` is

    eta + (anchor - eta) * shape(t)

where ``shape(t)`` is the same for every group and ``(anchor, eta)`` come from
:meth:`Curve.anchor_eta` for the *segment* ``t`` lies in. Most families have a single segment
whose anchor is the value in force when the scheduler starts (``start``), so they scale whatever
came before them, as the reference's chained schedulers do. Cosine annealing with a short
``T_max``, cosine restarts and one-cycle have several segments, anchored at the base value.

Keeping the shape group-independent and the per-group arithmetic to one multiply and two adds
lets the stateful schedulers (scalars, one step at a time) and the schedule preview (numpy
arrays, a million steps at once) compute bit-identical numbers.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

import numpy as np

#: The reference's "forever" (``end`` when not given).
INF = int(1e9)


class Carry(enum.Enum):
    """How a segment starts when someone else changed the value since the last step."""

    #: The segment is anchored at the value in force when it starts (``start``).
    START = 'start'
    #: The segment starts from its own anchor; an outside change is ignored.
    ABSOLUTE = 'absolute'
    #: The segment starts from its own anchor plus the outside change (cosine's half-period
    #: restart, which the reference writes as ``value + (base - eta) * (1 - cos(pi / T_max)) / 2``).
    ADDITIVE = 'additive'


class Curve:
    """Base of the schedule shapes. Subclasses set :attr:`length` and implement :meth:`shape`."""

    #: Number of local steps that have a value; from ``t = length`` on the value is held.
    length: float = INF
    #: Whether a change made by someone else (another scheduler on the same value, the user)
    #: is carried along, as the reference's chained ("recursive") formulas do.
    chained: bool = True

    def shape(self, t: int) -> float:
        """The group-independent factor at local step ``t``."""
        raise NotImplementedError

    def segment(self, t: int) -> int:
        """Index of the segment local step ``t`` lies in (0 for single-segment curves)."""
        return 0

    def carry(self, segment: int) -> Carry:
        """How ``segment`` starts (see :class:`Carry`)."""
        return Carry.START

    def anchor_eta(self, segment: int, start: float, base: float) -> tuple[float, float]:
        """``(anchor, eta)`` of one group in ``segment``.

        ``start`` is the group's value when the scheduler started, ``base`` its base value (the
        optimizer's configured value, the reference's ``initial_*`` key).
        """
        return start, 0.0

    def has_segments(self, steps: float) -> bool:
        """Whether the first ``steps`` local steps span more than one segment."""
        return type(self).segment is not Curve.segment

    def segment_key(self, segment: int) -> int:
        """Segments with the same key share default anchors (cosine's later half-periods)."""
        return segment

    # -- vectorised forms used by the schedule preview; they must agree bit for bit ------------

    def shapes(self, ts: np.ndarray) -> np.ndarray:
        """:meth:`shape` for every step in ``ts``, computed by the very same scalar code."""
        return _map_float(self.shape, ts)

    def segments(self, ts: np.ndarray) -> np.ndarray:
        """:meth:`segment` for every step in ``ts``."""
        if type(self).segment is Curve.segment:
            return np.zeros(len(ts), dtype=np.int64)
        return np.fromiter(map(self.segment, ts.tolist()), dtype=np.int64, count=len(ts))

    def segment_keys(self, segments: np.ndarray) -> np.ndarray:
        """:meth:`segment_key` for every segment in ``segments``."""
        if type(self).segment_key is Curve.segment_key:
            return segments
        return np.fromiter(map(self.segment_key, segments.tolist()), np.int64, len(segments))

    # -- convenience ---------------------------------------------------------------------------

    def value(self, t: int, start: float, base: float | None = None) -> float:
        """The value at local step ``t`` of a scheduler acting alone (closed form)."""
        base = start if base is None else base
        anchor, eta = self.anchor_eta(self.segment(t), start, base)
        return eta + (anchor - eta) * self.shape(t)


def _map_float(func: Callable[[int], float], ts: np.ndarray) -> np.ndarray:
    return np.fromiter(map(func, ts.tolist()), dtype=np.float64, count=len(ts))


def window_length(begin: int, end: int) -> int:
    """``end - begin - 1``: the last local step of a window, the reference's ``total_iters``."""
    return end - begin - 1
