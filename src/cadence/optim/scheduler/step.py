"""Step decay schedulers: ``Step*`` (every ``step_size`` steps) and ``MultiStep*`` (milestones)."""

from __future__ import annotations

from typing import Any

from ...errors import ConfigError
from ...registry import PARAM_SCHEDULERS
from .curve_scheduler import CurveScheduler
from .curves import INF, Curve, MultiStepCurve, StepCurve
from .validation import check_milestones, check_real, check_whole, is_whole
from .variants import MomentumSchedulerMixin, with_param_name


@PARAM_SCHEDULERS.register_module()
class StepParamScheduler(CurveScheduler):
    """Multiply the value by ``gamma`` every ``step_size`` steps (counted from ``begin``).

    Args:
        step_size: Steps between decays, a positive whole number.
        gamma: Multiplicative factor, > 0.
        begin, end, last_step, by_epoch, verbose: See :class:`~.base.ParamScheduler`.
    """

    hparam_names = ('step_size', 'gamma')

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        step_size: int,
        gamma: float = 0.1,
        begin: int = 0,
        end: int = INF,
        last_step: int = -1,
        by_epoch: bool = True,
        verbose: bool = False,
    ) -> None:
        self.step_size = check_whole('step_size', step_size, low=1)
        self.gamma = check_real('gamma', gamma, low=0, low_open=True)
        super().__init__(optimizer, param_name, begin, end, last_step, by_epoch, verbose)

    def _build_curve(self) -> Curve:
        return StepCurve(self.step_size, self.gamma)

    @classmethod
    def _scale_to_iters(cls, args: dict[str, Any], epoch_length: int) -> dict[str, Any]:
        if 'step_size' in args:
            args['step_size'] = args['step_size'] * epoch_length
        return args


@PARAM_SCHEDULERS.register_module()
@with_param_name('lr')
class StepLR(StepParamScheduler):
    """:class:`StepParamScheduler` on the learning rate."""


@PARAM_SCHEDULERS.register_module()
@with_param_name('momentum')
class StepMomentum(MomentumSchedulerMixin, StepParamScheduler):
    """:class:`StepParamScheduler` on momentum (``betas[0]`` for Adam-family optimizers)."""


@PARAM_SCHEDULERS.register_module()
class MultiStepParamScheduler(CurveScheduler):
    """Multiply the value by ``gamma`` at each milestone.

    Milestones are counted from ``begin`` (as in the reference); a milestone listed twice
    multiplies twice.

    Args:
        milestones: Whole step numbers.
        gamma: Multiplicative factor, > 0.
        begin, end, last_step, by_epoch, verbose: See :class:`~.base.ParamScheduler`.
    """

    hparam_names = ('milestones', 'gamma')

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        milestones: list[int],
        gamma: float = 0.1,
        last_step: int = -1,
        begin: int = 0,
        end: int = INF,
        by_epoch: bool = True,
        verbose: bool = False,
    ) -> None:
        self.milestones = list(check_milestones(milestones))
        self.gamma = check_real('gamma', gamma, low=0, low_open=True)
        super().__init__(optimizer, param_name, begin, end, last_step, by_epoch, verbose)

    def _build_curve(self) -> Curve:
        return MultiStepCurve(tuple(self.milestones), self.gamma)

    @classmethod
    def _scale_to_iters(cls, args: dict[str, Any], epoch_length: int) -> dict[str, Any]:
        if 'milestones' in args:
            scaled = []
            for milestone in check_milestones_in_epochs(args['milestones']):
                iteration = milestone * epoch_length
                if not is_whole(iteration):
                    raise ConfigError(
                        f'milestone {milestone} epochs x {epoch_length} iterations per epoch = '
                        f'{iteration} is not a whole iteration'
                    )
                scaled.append(int(iteration))
            args['milestones'] = scaled
        return args


def check_milestones_in_epochs(milestones: Any) -> list[float]:
    """Milestones before conversion: numbers of epochs (fractions allowed if they convert)."""
    if isinstance(milestones, (str, bytes)) or not isinstance(milestones, (list, tuple)):
        raise ConfigError(f'milestones must be a list of epochs, got {milestones!r}')
    return [check_real('milestones', m, low=0) for m in milestones]


@PARAM_SCHEDULERS.register_module()
@with_param_name('lr')
class MultiStepLR(MultiStepParamScheduler):
    """:class:`MultiStepParamScheduler` on the learning rate."""


@PARAM_SCHEDULERS.register_module()
@with_param_name('momentum')
class MultiStepMomentum(MomentumSchedulerMixin, MultiStepParamScheduler):
    """:class:`MultiStepParamScheduler` on momentum (``betas[0]`` for Adam-family optimizers)."""
