"""``OptimWrapper``: one optimizer plus gradient accumulation, clipping and the non-finite policy.

The Runner's model calls, per iteration::

    with optim_wrapper.optim_context(model):   # DDP no_sync() inside accumulation windows
        loss = model(...)
    optim_wrapper.update_params(loss)           # scale, backward, and step + zero_grad at the
                                                # end of each window

Nothing here synchronises with the device in the default path: counters are Python ints and
the gradient norm is published to the message hub as a tensor.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from ...errors import ConfigError, short_repr
from ...logging import MessageHub, get_logger
from ...registry import OPTIM_WRAPPERS
from . import accumulation
from .clipping import parse_clip_grad
from .nonfinite import POLICY_INFO_KEY, SKIPPED_STEPS_KEY, total_grad_norm, validate_policy

_NULL_CONTEXT = contextlib.nullcontext()

#: Keys the wrapper adds to the optimizer's state dict (removed again before loading it).
BASE_PARAM_SETTINGS_KEY = 'base_param_settings'
SKIPPED_STEPS_STATE_KEY = 'skipped_steps'


def _check_counts(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f'{name} must be an integer >= {minimum}, got {short_repr(value)}')
    return value


def has_batch_norm(model: nn.Module) -> bool:
    """Whether ``model`` contains a batch-norm layer (accumulation changes its statistics)."""
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())


@OPTIM_WRAPPERS.register_module()
class OptimWrapper:
    """Wraps a ``torch.optim.Optimizer`` for the training loop.

    Args:
        optimizer: The optimizer to drive.
        accumulative_counts: Backward passes per optimizer step (gradient accumulation).
            Each window's loss is divided by the window's length; the last window of the run
            may be shorter (see :meth:`initialize_count_status`).
        clip_grad: ``None`` or the clipping config, e.g. ``dict(max_norm=35, norm_type=2)`` or
            ``dict(type='value', clip_value=0.5)``. The pre-clipping total norm is published as
            ``train/grad_norm`` on update steps. The dict is not modified.
        nonfinite: What to do about NaN/inf: ``'error'`` (stop at the next logging-time check,
            the default), ``'skip'`` (skip update steps whose gradients are not finite, and
            count them as ``train/skipped_steps``) or ``'ignore'``.
    """

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        accumulative_counts: int = 1,
        clip_grad: dict | None = None,
        nonfinite: str = 'error',
    ) -> None:
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise ConfigError(
                f'optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}'
            )
        self.optimizer = optimizer
        self._accumulative_counts = _check_counts(accumulative_counts, 'accumulative_counts', 1)
        self._clipper = parse_clip_grad(clip_grad)
        self.clip_grad_kwargs = dict(clip_grad) if clip_grad is not None else {}
        self.nonfinite = validate_policy(nonfinite)
        self.message_hub = MessageHub.get_current_instance()
        self.message_hub.update_info(POLICY_INFO_KEY, self.nonfinite, resumed=False)
        self._inner_count = 0
        self._max_counts = -1
        self._remainder_counts = -1
        self._skipped_steps = 0
        self.base_param_settings = self._make_base_param_settings()
        #: How each parameter got its settings, when a constructor built this wrapper
        #: (see :func:`cadence.optim.param_group_report`).
        self.param_rules: Any = None

    def _make_base_param_settings(self) -> dict[str, Any] | None:
        """The reference's pseudo-group that tracks the base lr, or ``None``.

        It exists when the groups do not all use the optimizer's own lr: more than one group,
        or a single group whose lr differs from ``optimizer.defaults['lr']``. Schedulers
        schedule it like a real group, so the logged ``base_lr`` always follows the schedule of
        the configured ``optimizer.lr``. (The reference creates it for "more than one group";
        Cadence merges groups with identical settings, so the group count alone no longer says
        whether parameter-wise rules are in effect.)
        """
        defaults = self.optimizer.defaults
        groups = self.optimizer.param_groups
        if 'lr' not in defaults or not groups:
            return None
        if len(groups) == 1 and groups[0].get('lr') is defaults['lr']:
            return None
        if len(groups) == 1:
            try:
                if float(groups[0]['lr']) == float(defaults['lr']):
                    return None
            except (TypeError, ValueError):
                pass
        return {'params': torch.tensor([0.0]), **defaults}

    # -- accumulation --------------------------------------------------------------------------

    @property
    def inner_count(self) -> int:
        """Backward passes done so far in the whole run."""
        return self._inner_count

    @property
    def max_counts(self) -> int:
        """Iterations in the whole run, or ``-1`` when :meth:`initialize_count_status` was not
        called."""
        return self._max_counts

    @property
    def accumulative_counts(self) -> int:
        return self._accumulative_counts

    def initialize_count_status(self, model: nn.Module, init_counts: int, max_counts: int) -> None:
        """Tell the wrapper where the run starts and how long it is (the Runner calls this once
        per ``train()`` with ``loop.iter`` and ``loop.max_iters``), so the last, shorter window
        is scaled by its real length."""
        self._inner_count = _check_counts(init_counts, 'init_counts', 0)
        self._max_counts = _check_counts(max_counts, 'max_counts', 0)
        self._remainder_counts = self._max_counts % self._accumulative_counts
        logger = get_logger()
        resumed_window = any(p.grad is not None for p in model.parameters())
        if init_counts % self._accumulative_counts != 0 and not resumed_window:
            logger.warning(
                'Resumed at iteration %d, which is not a multiple of accumulative_counts=%d: '
                'the first accumulation window after resuming is shorter than the others.',
                init_counts,
                self._accumulative_counts,
            )
        if self._accumulative_counts > 1 and has_batch_norm(model):
            logger.warning(
                'The model has BatchNorm layers and accumulative_counts=%d: batch statistics '
                'are computed per iteration, so accumulation is not equivalent to a batch %d '
                'times larger.',
                self._accumulative_counts,
                self._accumulative_counts,
            )

    def scale_loss(self, loss: torch.Tensor) -> torch.Tensor:
        """``loss`` divided by the length of the accumulation window it belongs to."""
        if self._accumulative_counts == 1:  # every window is one iteration long
            return loss
        factor = accumulation.loss_factor(
            self._inner_count, self._max_counts, self._accumulative_counts
        )
        return loss if factor == 1 else loss / factor

    def should_update(self) -> bool:
        """Whether the backward pass just done ends an accumulation window."""
        if self._accumulative_counts == 1:
            return True
        return accumulation.should_update(
            self._inner_count, self._max_counts, self._accumulative_counts
        )

    def should_sync(self) -> bool:
        """Whether the next backward pass ends a window (gradients must be all-reduced)."""
        if self._accumulative_counts == 1:
            return True
        return accumulation.should_sync(
            self._inner_count, self._max_counts, self._accumulative_counts
        )

    def optim_context(self, model: nn.Module) -> contextlib.AbstractContextManager:
        """Run the forward pass in this context: DDP's ``no_sync()`` inside a window."""
        if not self.should_sync() and hasattr(model, 'no_sync'):
            return model.no_sync()
        return _NULL_CONTEXT

    # -- the update ----------------------------------------------------------------------------

    def update_params(
        self,
        loss: torch.Tensor,
        step_kwargs: dict | None = None,
        zero_kwargs: dict | None = None,
    ) -> None:
        """Scale the loss, back-propagate, and at the end of a window step and zero the grads."""
        self.backward(self.scale_loss(loss))
        if self.should_update():
            self.step(**(step_kwargs or {}))
            self.zero_grad(**(zero_kwargs or {}))

    def backward(self, loss: torch.Tensor, **kwargs: Any) -> None:
        """``loss.backward(**kwargs)`` and count the pass."""
        loss.backward(**kwargs)
        self._inner_count += 1

    def step(self, **kwargs: Any) -> None:
        """Clip (if configured), apply the non-finite policy, then ``optimizer.step``."""
        norm = self._clip_grad() if self._clipper is not None else None
        if self.nonfinite == 'skip' and not self._gradients_finite(norm):
            self._skip_step()
            return
        self.optimizer.step(**kwargs)

    def zero_grad(self, **kwargs: Any) -> None:
        self.optimizer.zero_grad(**kwargs)

    def _params_with_grad(self) -> list[torch.Tensor]:
        return [
            p
            for group in self.optimizer.param_groups
            for p in group['params']
            if p.grad is not None and p.requires_grad
        ]

    def _clip_grad(self) -> torch.Tensor | None:
        params = self._params_with_grad()
        if not params:
            return None
        norm = self._clipper(params)
        self.message_hub.update_scalar('train/grad_norm', norm.detach())
        return norm

    def _gradients_finite(self, norm: torch.Tensor | None) -> bool:
        """One host synchronisation: whether every gradient is finite (skip policy only)."""
        if norm is None:
            norm = total_grad_norm(self._params_with_grad())
        finite = norm is None or bool(torch.isfinite(norm))
        self.message_hub.update_scalar(SKIPPED_STEPS_KEY, self._skipped_steps + (not finite))
        return finite

    def _skip_step(self) -> None:
        self._skipped_steps += 1
        self.optimizer.zero_grad(set_to_none=True)
        get_logger().warning(
            'Skipped an optimizer step at iteration %d: the gradients are not finite '
            "(nonfinite='skip'; %d steps skipped so far).",
            self._inner_count,
            self._skipped_steps,
        )

    @property
    def skipped_steps(self) -> int:
        """Optimizer steps skipped so far (non-finite gradients)."""
        return self._skipped_steps

    # -- hyper-parameters ----------------------------------------------------------------------

    @property
    def param_groups(self) -> list[dict[str, Any]]:
        """The optimizer's groups, plus the base-lr pseudo-group when there is one."""
        if self.base_param_settings is None:
            return self.optimizer.param_groups
        return [*self.optimizer.param_groups, self.base_param_settings]

    @property
    def defaults(self) -> dict[str, Any]:
        return self.optimizer.defaults

    def get_lr(self) -> dict[str, list[float]]:
        """``{'base_lr': [...], 'lr': [per group]}`` (``base_lr`` with the pseudo-group only).

        An optimizer whose groups have no ``lr`` (a custom one may call its step size anything)
        gives an empty dict rather than failing the iteration that logs it.
        """
        result = {}
        if self.base_param_settings is not None:
            result['base_lr'] = [self.base_param_settings['lr']]
        lrs = [group['lr'] for group in self.optimizer.param_groups if 'lr' in group]
        if lrs:
            result['lr'] = lrs
        return result

    def get_momentum(self) -> dict[str, list[float]]:
        """``{'momentum': [per group]}``: ``momentum``, else ``betas[0]``, else 0."""
        momentum = []
        for group in self.optimizer.param_groups:
            if 'momentum' in group:
                momentum.append(group['momentum'])
            elif 'betas' in group:
                momentum.append(group['betas'][0])
            else:
                momentum.append(0)
        return {'momentum': momentum}

    # -- checkpoints ---------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state dict plus the pseudo-group and the skipped-step count."""
        state = self.optimizer.state_dict()
        if self.base_param_settings is not None:
            state[BASE_PARAM_SETTINGS_KEY] = self.base_param_settings
        if self._skipped_steps:
            state[SKIPPED_STEPS_STATE_KEY] = int(self._skipped_steps)
        return state

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        state = dict(state_dict)
        base = state.pop(BASE_PARAM_SETTINGS_KEY, None)
        if base is not None and self.base_param_settings is not None:
            self.base_param_settings = base
        self._skipped_steps = int(state.pop(SKIPPED_STEPS_STATE_KEY, 0))
        self._load_optimizer_state(state)

    def _load_optimizer_state(self, state: dict[str, Any]) -> None:
        saved = len(state.get('param_groups', ()))
        current = len(self.optimizer.param_groups)
        if saved != current:
            raise ValueError(
                f'the checkpoint has an optimizer with {saved} parameter groups, this one has '
                f'{current}. Cadence merges parameters with identical settings into one group, '
                'so a checkpoint written by the reference engine (one group per parameter) or '
                'with a different paramwise_cfg has a different layout; load only the weights '
                '(load_from) or keep the paramwise_cfg the checkpoint was written with.'
            )
        self.optimizer.load_state_dict(state)

    def __repr__(self) -> str:
        return (
            f'Type: {type(self).__name__}\n'
            f'_accumulative_counts: {self._accumulative_counts}\n'
            f'optimizer: \n{self.optimizer!r}\n'
        )
