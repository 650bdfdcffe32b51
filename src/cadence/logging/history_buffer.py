"""``HistoryBuffer``: the recent values of one logged scalar, at constant cost per update.

Values may be 0-dim tensors: they are stored as is and turned into floats only when read (at
logging time), in one batched transfer, so logging adds no host synchronisation per iteration.
The window is bounded and all-time statistics are running totals, so the cost of an update never
grows with the length of a run (unlike the reference, which keeps every value ever logged).
"""

from __future__ import annotations

import math
from collections import deque
from itertools import islice
from typing import Any

DEFAULT_MAX_LENGTH = 10_000


def to_floats(values: list[Any]) -> list[float]:
    """Floats for a list mixing numbers and tensors. Tensors are read in one batch per device
    and dtype (one ``stack`` and one ``tolist``: a single device-to-host transfer on an
    accelerator, and far fewer calls than one ``.item()`` per value on the CPU)."""
    result: list[Any] = list(values)
    groups: dict[Any, list[int]] = {}
    for i, value in enumerate(values):
        if type(value) is not float and hasattr(value, 'detach'):
            groups.setdefault((value.device, value.dtype), []).append(i)
    if groups:
        import torch

        with torch.no_grad():
            for positions in groups.values():
                tensors = [values[i] for i in positions]
                tensors = [t if t.dim() == 0 else t.reshape(()) for t in tensors]
                for i, number in zip(positions, torch.stack(tensors).tolist()):
                    result[i] = number
    return [float(v) for v in result]


def _last(items: deque, count: int) -> list[Any]:
    """The last ``count`` items of a deque, oldest first, in O(count)."""
    if count >= len(items):
        return list(items)
    tail = list(islice(reversed(items), count))
    tail.reverse()
    return tail


class HistoryBuffer:
    """Recent ``(value, count)`` pairs and running totals for one scalar.

    ``update(value, count)`` follows the reference: ``value`` is a sum over ``count`` samples, so
    ``mean(window) = sum(values[-window:]) / sum(counts[-window:])``.
    """

    __slots__ = ('_counts', '_max', '_min', '_pending', '_total', '_total_count', '_values')

    def __init__(self, max_length: int = DEFAULT_MAX_LENGTH) -> None:
        self._values: deque[Any] = deque(maxlen=max_length)
        self._counts: deque[float] = deque(maxlen=max_length)
        self._pending = 0  # values appended since totals were last folded
        self._total = 0.0
        self._total_count = 0.0
        self._min = math.inf
        self._max = -math.inf

    def update(self, value: Any, count: float = 1) -> None:
        """Record ``value`` (a number or a 0-dim tensor) observed over ``count`` samples."""
        if self._pending == self._values.maxlen:
            self._fold()
        self._values.append(value)
        self._counts.append(count)
        self._pending += 1

    def _fold(self) -> None:
        """Convert the values appended since the last fold to floats (one batched transfer) and
        add them to the running totals; costs O(new values), not O(window)."""
        pending = self._pending
        if not pending:
            return
        values = self._values
        tail = _last(values, pending)
        floats = to_floats(tail)
        if any(type(v) is not float for v in tail):  # replace tensors (and ints) in place
            for _ in range(pending):
                values.pop()
            values.extend(floats)
        counts = _last(self._counts, pending)
        self._total += sum(floats)
        self._total_count += sum(counts)
        per_sample = [v / c if c else v for v, c in zip(floats, counts)]
        self._min = min(self._min, min(per_sample))
        self._max = max(self._max, max(per_sample))
        self._pending = 0

    # -- statistics ----------------------------------------------------------------------------

    def current(self) -> float:
        """The latest value."""
        if not self._values:
            raise ValueError('the buffer is empty')
        self._fold()
        return self._values[-1]

    def mean(self, window_size: int | None = None) -> float:
        """Mean over the last ``window_size`` updates, or over the whole run when ``None``."""
        self._fold()
        if window_size is None:
            return self._total / self._total_count if self._total_count else math.nan
        values = _last(self._values, window_size)
        counts = _last(self._counts, window_size)
        total_count = sum(counts)
        return sum(values) / total_count if total_count else math.nan

    def max(self, window_size: int | None = None) -> float:
        self._fold()
        if window_size is None:
            return self._max
        return max(_last(self._values, window_size))

    def min(self, window_size: int | None = None) -> float:
        self._fold()
        if window_size is None:
            return self._min
        return min(_last(self._values, window_size))

    def statistics(self, method: str, *args: Any) -> float:
        """Call a statistic by name (``'mean'``, ``'current'``, ``'max'``, ``'min'``)."""
        if method not in ('mean', 'current', 'max', 'min'):
            raise KeyError(f'unknown statistic {method!r}; use mean, current, max or min')
        return getattr(self, method)(*args)

    def last(self, count: int) -> list[float]:
        """The last ``count`` values in the window (fewer if it holds fewer), oldest first; costs
        O(count), whatever the window's length."""
        self._fold()
        return _last(self._values, count) if count > 0 else []

    @property
    def data(self) -> tuple[list[float], list[float]]:
        """``(values, counts)`` currently in the window."""
        self._fold()
        return list(self._values), list(self._counts)

    def __len__(self) -> int:
        return len(self._values)

    # -- persistence ---------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Plain floats and lists (loadable with ``torch.load(weights_only=True)``)."""
        self._fold()
        return {
            'values': list(self._values),
            'counts': [float(c) for c in self._counts],
            'total': self._total,
            'total_count': self._total_count,
            'min': self._min,
            'max': self._max,
            'max_length': self._values.maxlen,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        max_length = state.get('max_length') or self._values.maxlen
        self._values = deque(state['values'], maxlen=max_length)
        self._counts = deque(state['counts'], maxlen=max_length)
        self._total = state['total']
        self._total_count = state['total_count']
        self._min = state['min']
        self._max = state['max']
        self._pending = 0

    @classmethod
    def from_state_dict(cls, state: dict[str, Any]) -> HistoryBuffer:
        buffer = cls(state.get('max_length') or DEFAULT_MAX_LENGTH)
        buffer.load_state_dict(state)
        return buffer
