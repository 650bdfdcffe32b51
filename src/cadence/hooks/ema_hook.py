"""``EMAHook``: keep an averaged copy of the model (EMA, annealed EMA, SWA), evaluate with it,
and save it in checkpoints.

What it does, in the reference's terms (``docs/hooks.md`` has the details and the deviations):

* ``before_run``: deep-copies the model into an averaged model (``ema_type``, built through
  ``MODELS`` with the remaining keyword arguments).
* ``after_train_iter``: once started (``begin_iter`` / ``begin_epoch``), update the average —
  on the iterations where the optimizer stepped (``update_on='optimizer_step'``, the default)
  or on every iteration like the reference (``update_on='iteration'``). Before it starts the
  average simply follows the model, which costs nothing here: the first update copies.
* validation and test run on the averaged weights (swapped in before the epoch, swapped back
  after) once there is an average; ``evaluate_on_origin`` evaluates the raw weights too.
* checkpoints: ``state_dict`` holds the averaged weights (ready to deploy) and
  ``ema_state_dict`` the raw ones; resuming swaps them back, ``load_from`` starts the average
  from the loaded weights.
"""

from __future__ import annotations

import itertools
from typing import Any

import torch
from torch import nn

from ..errors import ConfigError, short_repr
from ..registry import HOOKS, MODELS
from .hook import Hook

UPDATE_ON = ('optimizer_step', 'iteration')


def optimizer_stepped(optim_wrapper: Any) -> bool:
    """Whether the iteration that just ran ended with an optimizer step (the end of an
    accumulation window); wrappers that cannot tell count every iteration."""
    should_update = getattr(optim_wrapper, 'should_update', None)
    if callable(should_update):
        return bool(should_update())
    values = getattr(optim_wrapper, 'values', None)  # OptimWrapperDict: any of its optimizers
    if callable(values):
        return any(optimizer_stepped(wrapper) for wrapper in values())
    return True


def _non_negative_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f'{name} must be a non-negative int, got {short_repr(value)}')
    return value


def _check_averaged_model_args(ema_type: Any, kwargs: dict[str, Any]) -> None:
    """Reject unknown or invalid averaged-model arguments now rather than at ``before_run``."""
    from ..model.averaged_model import BaseAveragedModel
    from ..registry.build import check_arguments, resolve_type

    try:
        cls = resolve_type(ema_type, MODELS, 'ema_type')
    except ConfigError as exc:
        raise ConfigError(f'ema_type: {exc.message}') from None
    name = getattr(cls, '__name__', str(ema_type))
    check_arguments(cls, {'model': None, **kwargs}, None, name)  # type: ignore[arg-type]
    if isinstance(cls, type) and issubclass(cls, BaseAveragedModel):
        try:  # the built-in classes validate their values on construction; an empty model is free
            cls(model=nn.Module(), **kwargs)
        except ConfigError as exc:
            raise ConfigError(f'{name}: {exc.message}') from None


@HOOKS.register_module()
class EMAHook(Hook):
    """Maintain an averaged model during training and evaluate with it.

    Args:
        ema_type: The averaged model in ``MODELS``: ``'ExponentialMovingAverage'``,
            ``'MomentumAnnealingEMA'``, ``'StochasticWeightAverage'`` or your own.
        strict_load: Refuse a checkpoint whose averaged weights do not match the model.
        begin_iter: Start averaging with this iteration (1-based count; 0 and 1 both mean
            from the first).
        begin_epoch: Start averaging with this epoch (1-based count); not with ``begin_iter``.
        evaluate_on_ema: Validate and test with the averaged weights.
        evaluate_on_origin: Also evaluate the raw weights; their metrics get an ``_origin``
            suffix (``accuracy/top1_origin``).
        update_on: ``'optimizer_step'``: update after the iterations where the optimizer
            stepped (the same as every iteration without gradient accumulation);
            ``'iteration'``: every iteration, as the reference does.
        **kwargs: Arguments of the averaged model: ``momentum``, ``interval``,
            ``update_buffers``, ``device``, ``gamma`` (``MomentumAnnealingEMA``).
    """

    priority = 'NORMAL'

    def __init__(
        self,
        ema_type: str = 'ExponentialMovingAverage',
        strict_load: bool = False,
        begin_iter: int = 0,
        begin_epoch: int = 0,
        evaluate_on_ema: bool = True,
        evaluate_on_origin: bool = False,
        update_on: str = 'optimizer_step',
        **kwargs: Any,
    ) -> None:
        _non_negative_int(begin_iter, 'begin_iter')
        _non_negative_int(begin_epoch, 'begin_epoch')
        if begin_iter and begin_epoch:
            raise ConfigError(
                f'set begin_iter ({begin_iter}) or begin_epoch ({begin_epoch}), not both'
            )
        if update_on not in UPDATE_ON:
            raise ConfigError(
                f'update_on must be one of {", ".join(map(repr, UPDATE_ON))}, '
                f'got {short_repr(update_on)}'
            )
        _check_averaged_model_args(ema_type, kwargs)
        self.ema_cfg = {'type': ema_type, **kwargs}
        self.strict_load = strict_load
        self.begin_iter = begin_iter
        self.begin_epoch = begin_epoch
        self.enabled_by_epoch = begin_epoch > 0
        if not evaluate_on_ema and not evaluate_on_origin:
            from ..logging import get_logger

            get_logger().warning(
                'EMAHook: evaluate_on_ema=False and evaluate_on_origin=False; evaluating the '
                'original weights (to skip validation, change train_cfg.val_interval)'
            )
            evaluate_on_origin = True
        self.evaluate_on_ema = evaluate_on_ema
        self.evaluate_on_origin = evaluate_on_origin
        self.update_on = update_on
        self.src_model: nn.Module | None = None
        self.ema_model: Any = None
        self._swapped = False
        self._announced: set[str] = set()

    # -- setup -------------------------------------------------------------------------------

    def before_run(self, runner) -> None:
        from ..model import get_model

        model = get_model(runner.model)
        if self.ema_model is not None and self.src_model is model:
            return  # a second run (test after train) keeps the average
        self.src_model = model
        self.ema_model = MODELS.build(
            self.ema_cfg, default_args={'model': model}, key_path='EMAHook'
        )

    def before_train(self, runner) -> None:
        if self.enabled_by_epoch:
            if not runner.train_by_epoch and self.begin_epoch > 1:
                raise ConfigError(
                    f'EMAHook: begin_epoch={self.begin_epoch}, but training is counted in '
                    f'iterations (one epoch); use begin_iter'
                )
            if self.begin_epoch > runner.max_epochs:
                raise ConfigError(
                    f'EMAHook: begin_epoch={self.begin_epoch} is after the last epoch '
                    f'({runner.max_epochs}): the average would never start'
                )
        elif self.begin_iter > runner.max_iters:
            raise ConfigError(
                f'EMAHook: begin_iter={self.begin_iter} is after the last iteration '
                f'({runner.max_iters}): the average would never start'
            )
        ema = self.ema_model
        momentum = getattr(ema, 'momentum', None)
        what = type(ema).__name__
        if momentum is not None:
            what += f' (momentum {momentum:g}, i.e. decay {1 - momentum:g})'
        start = (
            f'epoch {max(self.begin_epoch, 1)}'
            if self.enabled_by_epoch
            else f'iteration {max(self.begin_iter, 1)}'
        )
        unit = 'optimizer step' if self.update_on == 'optimizer_step' else 'iteration'
        interval = getattr(ema, 'interval', 1)
        every = f'every {unit}' if interval == 1 else f'every {interval} {unit}s'
        runner.logger.info(f'EMA: {what}, updated {every} from {start}')

    # -- updating ----------------------------------------------------------------------------

    def _started(self, runner) -> bool:
        if self.enabled_by_epoch:
            return runner.epoch + 1 >= self.begin_epoch
        return runner.iter + 1 >= self.begin_iter

    def after_train_iter(
        self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None
    ) -> None:
        if self.update_on == 'optimizer_step' and not optimizer_stepped(runner.optim_wrapper):
            return
        if self._started(runner):
            self.ema_model.update_parameters(self.src_model)

    # -- evaluation --------------------------------------------------------------------------

    def _pairs(self) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        ema, src = self.ema_model.module, self.src_model
        if self.ema_model.update_buffers:
            return (
                list(itertools.chain(ema.parameters(), ema.buffers())),
                list(itertools.chain(src.parameters(), src.buffers())),
            )
        return list(ema.parameters()), list(src.parameters())

    @torch.no_grad()
    def _swap_parameters(self) -> None:
        averaged, source = self._pairs()
        saved = [t.clone() for t in averaged]
        torch._foreach_copy_(averaged, source)
        torch._foreach_copy_(source, saved)
        self._swapped = not self._swapped

    def _swap_in(self, runner, mode: str) -> None:
        if self.evaluate_on_ema and self.ema_model.num_updates > 0:
            self._swap_parameters()
            if mode not in self._announced:
                self._announced.add(mode)
                runner.logger.info(f'EMAHook: {mode} with the averaged (EMA) weights')

    def _swap_out(self, runner, mode: str, metrics: dict | None) -> None:
        evaluated_ema = self._swapped
        if self._swapped:
            self._swap_parameters()
        if self.evaluate_on_origin:
            self._add_origin_metrics(runner, mode, metrics, rerun=evaluated_ema)

    def _add_origin_metrics(self, runner, mode: str, metrics: dict | None, rerun: bool) -> None:
        """``<metric>_origin``: the raw weights' metrics (evaluated again when the main run
        used the averaged weights; otherwise the main metrics already are the raw ones)."""
        if rerun:
            loop = runner.val_loop if mode == 'val' else runner.test_loop
            runner.model.eval()
            for batch_idx, data_batch in enumerate(loop.dataloader):
                loop.run_iter(batch_idx, data_batch)
            origin = loop.evaluator.evaluate(len(loop.dataloader.dataset))
        else:
            origin = dict(metrics or {})
        for name, value in origin.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                runner.message_hub.update_scalar(f'{mode}/{name}_origin', value)
            if metrics is not None:
                metrics[f'{name}_origin'] = value

    def before_val_epoch(self, runner) -> None:
        self._swap_in(runner, 'validating')

    def after_val_epoch(self, runner, metrics: dict | None = None) -> None:
        self._swap_out(runner, 'val', metrics)

    def before_test_epoch(self, runner) -> None:
        self._swap_in(runner, 'testing')

    def after_test_epoch(self, runner, metrics: dict | None = None) -> None:
        self._swap_out(runner, 'test', metrics)

    # -- checkpoints -------------------------------------------------------------------------

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Add ``ema_state_dict`` and swap it with ``state_dict``: the checkpoint's weights are
        the averaged ones, ``ema_state_dict`` keeps the raw ones (``module.`` keys)."""
        if self.ema_model.num_updates == 0:
            self.ema_model.copy_from(self.src_model)  # not started: the average is the model
        ema_state = {
            key: value.detach().cpu() for key, value in self.ema_model.state_dict().items()
        }
        checkpoint['ema_state_dict'] = ema_state
        if not self._swapped:  # (while swapped for evaluation the model holds the average)
            _swap_state_dicts(checkpoint)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Resume: swap back and restore the average (with its step count). ``load_from``:
        start the average from the loaded weights. Evaluating a checkpoint that has an average
        (``cadence test``): restore it like a resume, so both weights are available."""
        from ..runner.checkpoint import load_model_state, revise_keys

        if self.ema_model is None:
            self.before_run(runner)
        training = runner.built_train_loop is not None
        resuming = training and bool(getattr(runner, '_resume', False))
        if 'ema_state_dict' in checkpoint and (resuming or not training):
            _swap_state_dicts(checkpoint)
            load_model_state(self.ema_model, checkpoint['ema_state_dict'], self.strict_load)
            return
        if resuming:
            runner.logger.warning(
                'EMAHook: the checkpoint has no ema_state_dict; the average restarts from the '
                'resumed weights'
            )
        state = revise_keys(checkpoint.get('state_dict', checkpoint), [(r'^module\.', '')])
        load_model_state(self.ema_model.module, state, self.strict_load)


def _swap_state_dicts(checkpoint: dict) -> None:
    """Exchange ``ema_state_dict['module.<k>']`` and ``state_dict['<k>']`` for every ``k``."""
    model_state, ema_state = checkpoint['state_dict'], checkpoint['ema_state_dict']
    for key in list(ema_state):
        if key.startswith('module.') and key[7:] in model_state:
            ema_state[key], model_state[key[7:]] = model_state[key[7:]], ema_state[key]
