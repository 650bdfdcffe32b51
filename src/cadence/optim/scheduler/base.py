"""The mechanics every parameter scheduler shares: its window, its counters, how it reads and
writes param groups, and what it saves in a checkpoint.

A scheduler acts on steps ``begin <= step < end`` of its clock (epochs or iterations). The
constructor performs step 0, so a scheduler with ``begin=0`` applies its first value at once, as
in the reference. Its local step is ``t = step - begin``.

The built-in families derive from :class:`~.curve_scheduler.CurveScheduler` (closed forms).
Subclasses of :class:`ParamScheduler` that implement the reference's ``_get_value()`` (chained
form) work too, stepped one step at a time.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from fractions import Fraction
from typing import Any, ClassVar

from ...errors import ConfigError, short_repr
from ...logging import get_logger
from .curves import INF
from .validation import check_bool, check_epoch_length, check_param_name, check_window

logger = get_logger('cadence.optim.scheduler')

#: Keys of :meth:`ParamScheduler.state_dict` that are progress (loaded on resume).
PROGRESS_KEYS = ('last_step', '_global_step')


def param_groups_of(optimizer: Any) -> list[dict]:
    """``optimizer.param_groups``, or a ``ConfigError`` naming what was passed instead."""
    groups = getattr(optimizer, 'param_groups', None)
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise ConfigError(
            'optimizer must be a torch.optim.Optimizer or an optimizer wrapper with '
            f'param_groups, got {type(optimizer).__name__}'
        )
    return groups


def real_group_count(optimizer: Any) -> int:
    """Groups of the wrapped optimizer, without an optimizer wrapper's base-value pseudo-group."""
    inner = getattr(optimizer, 'optimizer', None)
    if inner is not None and isinstance(getattr(inner, 'param_groups', None), list):
        return len(inner.param_groups)
    return len(optimizer.param_groups)


class ParamScheduler:
    """Base class of parameter schedulers (the reference's ``_ParamScheduler``).

    Args:
        optimizer: A ``torch.optim.Optimizer`` or anything with ``param_groups`` (an
            ``OptimWrapper``).
        param_name: The param-group key to schedule (``'lr'``, ``'weight_decay'``, ...).
        begin: First step the scheduler acts on.
        end: The scheduler stops before this step; the value then stays.
        last_step: Local step already reached when resuming without a state dict; ``-1`` for a
            fresh scheduler. The window still counts from ``begin`` (the reference restarts it).
        by_epoch: Step after every epoch (True) or every iteration (False).
        verbose: Log every value written.
    """

    #: ReduceOnPlateau schedulers step on validation results.
    need_val_args: ClassVar[bool] = False
    #: Names of the constructor arguments saved (for information) in the state dict.
    hparam_names: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        begin: int = 0,
        end: int = INF,
        last_step: int = -1,
        by_epoch: bool = True,
        verbose: bool = False,
    ) -> None:
        self._attach(optimizer, param_name, begin, end, last_step, by_epoch, verbose)
        self.step()

    # -- construction --------------------------------------------------------------------------

    def _attach(
        self,
        optimizer: Any,
        param_name: str,
        begin: Any,
        end: Any,
        last_step: Any,
        by_epoch: Any,
        verbose: Any,
    ) -> None:
        """Validate, record base values and set the counters; everything but the first step."""
        groups = param_groups_of(optimizer)
        self.optimizer = optimizer
        self.begin, self.end = check_window(begin, end)
        self.by_epoch = check_bool('by_epoch', by_epoch)
        self.verbose = check_bool('verbose', verbose)
        if isinstance(last_step, bool) or not isinstance(last_step, int) or last_step < -1:
            raise ConfigError(f'last_step must be an int >= -1, got {short_repr(last_step)}')
        self._betas = self._drives_betas(optimizer, param_name)
        if not self._betas:
            check_param_name(groups, param_name, optimizer)
        self.param_name = param_name
        initial = f'initial_{param_name}'
        if last_step == -1:
            for group in groups:
                group.setdefault(initial, self._read(group))
        else:
            for index, group in enumerate(groups):
                if initial not in group:
                    raise ConfigError(
                        f'last_step={last_step} resumes a schedule, but param group {index} has '
                        f'no {initial!r} (the value before any scheduler); build the scheduler '
                        f'with last_step=-1, or load a state dict instead'
                    )
        self.base_values = [group[initial] for group in groups]
        self.last_step = last_step
        self._global_step = -1 if last_step == -1 else self.begin + last_step
        self._resumed_without_state = last_step != -1
        self._stop = self.end
        self._setup()

    def _setup(self) -> None:
        """Hook for subclasses: runs after validation and before the first step."""

    def _drives_betas(self, optimizer: Any, param_name: str) -> bool:
        """Whether the scheduled value is ``betas[0]`` (momentum of Adam-family optimizers)."""
        return False

    # -- reading and writing param groups ------------------------------------------------------

    def _read(self, group: dict) -> float:
        return group['betas'][0] if self._betas else group[self.param_name]

    def _current(self, groups: list[dict]) -> list[float]:
        if self._betas:
            return [g['betas'][0] for g in groups]
        key = self.param_name
        return [g[key] for g in groups]

    def _write(self, groups: list[dict], values: list[float]) -> None:
        if self._betas:
            for group, value in zip(groups, values):
                group['betas'] = (value, group['betas'][1])
        else:
            key = self.param_name
            for group, value in zip(groups, values):
                group[key] = value
        if self.verbose:
            for index, value in enumerate(values):
                logger.info('Adjusting parameter value of group %d to %.4e.', index, value)

    # -- stepping ------------------------------------------------------------------------------

    def step(self) -> None:
        """Advance one step of this scheduler's clock and write the new values."""
        step = self._global_step + 1
        self._global_step = step
        if self.begin <= step < self._stop:
            local = self.last_step + 1
            self.last_step = local
            self._advance(local)

    def _advance(self, t: int) -> None:
        """Write the values of local step ``t`` (chained form, for ``_get_value`` subclasses)."""
        groups = self.optimizer.param_groups
        self._write(groups, list(self._get_value()))

    def _get_value(self) -> list[float]:
        """The reference's chained form, for custom subclasses: values from current values."""
        raise NotImplementedError(
            f'{type(self).__name__} must implement _get_value() (or be a CurveScheduler)'
        )

    def get_last_value(self) -> list[float]:
        """The current value of every param group."""
        return self._current(self.optimizer.param_groups)

    def value_at(self, step: int) -> list[float]:
        """The values at ``step`` of this scheduler's clock if it acted alone (no stepping)."""
        raise NotImplementedError(f'{type(self).__name__} has no closed form')

    # -- checkpoints ---------------------------------------------------------------------------

    def hparams(self) -> dict[str, Any]:
        """The constructor arguments that define the schedule (for reports and repr)."""
        out = {name: _plain(getattr(self, name)) for name in self.hparam_names}
        out.update(begin=self.begin, end=self.end, by_epoch=self.by_epoch)
        return out

    def state_dict(self) -> dict[str, Any]:
        """Progress only: where the scheduler is on its clock.

        ``type``, ``param_name`` and ``hparams`` are saved for information (differences with the
        config are reported on resume); they are never loaded: the config's values win.
        """
        return {
            'type': type(self).__name__,
            'param_name': self.param_name,
            'last_step': self.last_step,
            '_global_step': self._global_step,
            'hparams': self.hparams(),
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Load progress and re-derive this scheduler's values from its own configuration.

        For a list of schedulers driving the same values use
        :func:`cadence.optim.scheduler.restore_schedulers`, which replays them together.
        """
        from .resume import describe_changes

        self._load_progress(state_dict)
        for line in describe_changes(self, state_dict):
            logger.warning(line)
        self._rederive_alone()

    def _load_progress(self, state_dict: Mapping[str, Any]) -> None:
        for key in PROGRESS_KEYS:
            value = state_dict.get(key) if isinstance(state_dict, Mapping) else None
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(
                    f'a {type(self).__name__} state dict needs an int {key!r}, got '
                    f'{short_repr(value)}'
                )
        self.last_step = state_dict['last_step']
        self._global_step = state_dict['_global_step']

    def _rederive_alone(self) -> None:
        """Write the values this scheduler alone gives at its current step (subclasses)."""

    def _restart(self) -> None:
        """Forget all progress, as if freshly built before its first step."""
        self.last_step = -1
        self._global_step = -1
        self._resumed_without_state = False
        self._setup()

    # -- epoch to iteration conversion --------------------------------------------------------

    @classmethod
    def build_iter_from_epoch(cls, *args: Any, epoch_length: int | None = None, **kwargs: Any):
        """Build an iteration-based scheduler from arguments written in epochs.

        ``begin``/``end`` (fractional epochs allowed) and the class's step-count arguments are
        multiplied by ``epoch_length``; the result steps every iteration (``by_epoch=False``).
        """
        length = check_epoch_length(epoch_length)
        bound = inspect.signature(cls).bind_partial(*args, **kwargs).arguments
        if not bound.get('by_epoch', True):
            raise ConfigError(
                'convert_to_iter_based / build_iter_from_epoch expects a config written in '
                'epochs (by_epoch=True); with by_epoch=False the numbers are already '
                'iterations: drop convert_to_iter_based'
            )
        bound['by_epoch'] = False
        bound['begin'] = _epochs_to_iters('begin', bound.get('begin', 0), length)
        if 'end' in bound and bound['end'] != INF:
            bound['end'] = _epochs_to_iters('end', bound['end'], length)
        bound = cls._scale_to_iters(dict(bound), length)
        return cls(**bound)

    @classmethod
    def _scale_to_iters(cls, args: dict[str, Any], epoch_length: int) -> dict[str, Any]:
        """Class-specific arguments counted in steps, multiplied by the epoch length."""
        return args

    def __repr__(self) -> str:
        fields = ', '.join(f'{k}={v!r}' for k, v in self.hparams().items())
        return f'{type(self).__name__}(param_name={self.param_name!r}, {fields})'


def _epochs_to_iters(name: str, value: Any, epoch_length: int) -> int:
    """``int(value * epoch_length)`` as the reference does, exactly for fractions."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        raise ConfigError(f'{name} must be a number of epochs, got {short_repr(value)}')
    return int(value * epoch_length)


def _plain(value: Any) -> Any:
    """Checkpoint-safe plain Python (tuples become lists)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
