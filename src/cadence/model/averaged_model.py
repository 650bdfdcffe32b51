"""Averaged copies of a model: exponential moving average (EMA), annealed EMA, and SWA.

An averaged model holds a deep copy of the source model in ``module`` and pulls it towards the
source at every :meth:`~BaseAveragedModel.update_parameters` call. The update rules are the
reference's (MMEngine's ``mmengine.model.averaged_model``):

* the first update copies the source;
* later updates run when ``steps % interval == 0`` (``steps``: updates called so far);
* only floating-point tensors are averaged;
* with ``update_buffers=False`` the averaged set is the parameters and the buffers are copied
  from the source at every update.

``momentum`` is the weight of the *new* value: ``ema = (1 - momentum) * ema + momentum * src``,
the opposite of the usual "decay" (``decay = 1 - momentum``).

One update is a handful of ``torch._foreach_*`` calls over cached tensor lists: no
``state_dict()`` walk and no host synchronisation per update (``steps`` is a Python int; the
``steps`` buffer is written only when a state dict is taken).
"""

from __future__ import annotations

import copy
import weakref
from typing import Any

import torch
from torch import Tensor, nn

from ..errors import ConfigError, short_repr
from ..logging import get_logger
from ..registry import MODELS

#: Momentums already warned about (the hook validates its arguments before building the model).
_WARNED_MOMENTUMS: set[float] = set()


def annealed_momentum(momentum: float, gamma: float, steps: int) -> float:
    """``max(momentum, gamma / (gamma + steps))``: the momentum of :class:`MomentumAnnealingEMA`
    at the update with ``steps`` updates before it (large early on, ``momentum`` later)."""
    return max(momentum, gamma / (gamma + steps))


def swa_weight(steps: int, interval: int) -> float:
    """``1 / (steps // interval + 1)``: the weight of the new sample in the running mean of
    :class:`StochasticWeightAverage` (the update at ``steps`` is sample ``steps // interval + 1``).
    """
    return 1.0 / float(steps // interval + 1)


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f'{name} must be a positive int, got {short_repr(value)}')
    return value


def _defining_class(cls: type, name: str) -> type:
    for klass in cls.__mro__:
        if name in vars(klass):
            return klass
    raise AttributeError(name)  # pragma: no cover - every subclass inherits both methods


def _first_buffer(model: nn.Module) -> tuple[nn.Module, str, Tensor] | None:
    """``(owner, name, tensor)`` of the model's first buffer: a sentinel that tells, in O(1),
    whether ``model.to(...)`` (which replaces every buffer) ran since the lists were cached."""
    for module in model.modules():
        for name, buffer in module._buffers.items():
            if buffer is not None:
                return module, name, buffer
    return None


def _buffer_unchanged(sentinel: tuple[nn.Module, str, Tensor] | None) -> bool:
    return sentinel is None or sentinel[0]._buffers.get(sentinel[1]) is sentinel[2]


class BaseAveragedModel(nn.Module):
    """A deep copy of ``model`` (in ``module``) averaged towards it by ``update_parameters``.

    Subclasses define the rule in :meth:`avg_func` (one tensor, the reference's signature), and
    may define :meth:`foreach_avg_func` (lists of tensors) for speed; a subclass that overrides
    only ``avg_func`` gets its own per-tensor rule.

    Args:
        model: The model to average (its weights are copied; it is not modified).
        interval: Average every this many updates (the first update always copies).
        device: Keep the averaged copy on this device (``None``: where the model is).
        update_buffers: Average the floating-point buffers too (BatchNorm statistics);
            otherwise buffers are copied from the source at every update.
    """

    def __init__(
        self,
        model: nn.Module,
        interval: int = 1,
        device: torch.device | str | None = None,
        update_buffers: bool = False,
    ) -> None:
        super().__init__()
        if not isinstance(model, nn.Module):
            raise ConfigError(f'model must be an nn.Module, got {type(model).__name__}')
        self.interval = _positive_int(interval, 'interval')
        self.update_buffers = bool(update_buffers)
        self.module = copy.deepcopy(model).requires_grad_(False)
        for param in self.module.parameters():
            param.grad = None  # the copy never trains; do not keep the source's gradients
        self.device = torch.device(device) if device is not None else None
        if self.device is not None:
            self.module = self.module.to(self.device)
        self.register_buffer('steps', torch.tensor(0, dtype=torch.long, device=device))
        self._steps = 0
        self._targets: list[tuple[str, Tensor]] | None = None
        self._source: tuple[weakref.ReferenceType, Any, dict[str, list[Tensor]]] | None = None
        mro = type(self).__mro__
        per_tensor = mro.index(_defining_class(type(self), 'avg_func'))
        foreach = mro.index(_defining_class(type(self), 'foreach_avg_func'))
        self._use_foreach = foreach <= per_tensor

    # -- the rule ----------------------------------------------------------------------------

    def avg_func(self, averaged_param: Tensor, source_param: Tensor, steps: Any) -> None:
        """Update ``averaged_param`` in place from ``source_param`` (``steps``: updates before
        this one)."""
        raise NotImplementedError(f'{type(self).__name__} must define avg_func')

    def foreach_avg_func(
        self, averaged_params: list[Tensor], source_params: list[Tensor], steps: int
    ) -> None:
        """:meth:`avg_func` over lists of tensors (override with ``torch._foreach_*`` ops)."""
        for averaged, source in zip(averaged_params, source_params):
            self.avg_func(averaged, source, steps)

    # -- counters ----------------------------------------------------------------------------

    @property
    def num_updates(self) -> int:
        """``update_parameters`` calls so far (the ``steps`` buffer, without a device read)."""
        return self._steps

    def _save_to_state_dict(self, destination, prefix, keep_vars) -> None:
        self.steps.fill_(self._steps)
        super()._save_to_state_dict(destination, prefix, keep_vars)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs) -> None:
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
        if prefix + 'steps' in state_dict:
            self._steps = int(self.steps)  # one read when a checkpoint is loaded

    def _apply(self, fn, *args, **kwargs):
        # .to() / .cuda() replace buffers: the cached tensor lists must be rebuilt.
        self._targets = None
        self._source = None
        return super()._apply(fn, *args, **kwargs)

    # -- updating ----------------------------------------------------------------------------

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.module(*args, **kwargs)

    def _averaged_tensors(self) -> list[tuple[str, Tensor]]:
        if self._targets is None:
            named = (
                self.module.state_dict(keep_vars=True)
                if self.update_buffers
                else dict(self.module.named_parameters())
            )
            self._targets = list(named.items())
        return self._targets

    def _source_lists(self, model: nn.Module) -> dict[str, list[Tensor]]:
        """The tensors of ``model`` paired with ours, cached for the same source model (and
        rebuilt when its buffers were replaced, as ``model.to(...)`` does)."""
        cached = self._source
        if cached is not None and cached[0]() is model and _buffer_unchanged(cached[1]):
            return cached[2]
        if self.update_buffers:
            named = model.state_dict(keep_vars=True)
        else:
            named = dict(model.named_parameters())
        lists: dict[str, list[Tensor]] = {
            'avg_float': [],
            'src_float': [],
            'avg_all': [],
            'src_all': [],
            'avg_buffers': list(self.module.buffers()),
            'src_buffers': list(model.buffers()),
        }
        for key, averaged in self._averaged_tensors():
            if key not in named:
                raise ConfigError(
                    f'the source model has no {key!r}: update_parameters must get the model '
                    f'this {type(self).__name__} was built from'
                )
            # The Parameter objects themselves (not detached views), so a later
            # ``param.data = ...`` on either model is still seen.
            source = named[key]
            lists['avg_all'].append(averaged)
            lists['src_all'].append(source)
            if averaged.dtype.is_floating_point:
                lists['avg_float'].append(averaged)
                lists['src_float'].append(source)
        if len(lists['avg_buffers']) != len(lists['src_buffers']):
            raise ConfigError(
                f'the source model has {len(lists["src_buffers"])} buffers, the averaged copy '
                f'{len(lists["avg_buffers"])}: update_parameters must get the model this '
                f'{type(self).__name__} was built from'
            )
        self._source = (weakref.ref(model), _first_buffer(model), lists)
        return lists

    def _on_device(self, tensors: list[Tensor]) -> list[Tensor]:
        if self.device is None:
            return tensors
        return [t.to(self.device) for t in tensors]

    @torch.no_grad()
    def update_parameters(self, model: nn.Module) -> None:
        """Pull the averaged copy towards ``model``: copy on the first call, average every
        ``interval`` calls after that, and copy the buffers unless they are averaged."""
        lists = self._source_lists(model)
        steps = self._steps
        if steps == 0:
            torch._foreach_copy_(lists['avg_all'], self._on_device(lists['src_all']))
        elif steps % self.interval == 0 and lists['avg_float']:
            sources = self._on_device(lists['src_float'])
            if self._use_foreach:
                self.foreach_avg_func(lists['avg_float'], sources, steps)
            else:
                self.steps.fill_(steps)  # a custom per-tensor rule may read the buffer
                for averaged, source in zip(lists['avg_float'], sources):
                    self.avg_func(averaged, source, self.steps)
        if not self.update_buffers and lists['avg_buffers']:
            torch._foreach_copy_(lists['avg_buffers'], self._on_device(lists['src_buffers']))
        self._steps = steps + 1

    @torch.no_grad()
    def copy_from(self, model: nn.Module) -> None:
        """Make the averaged copy equal to ``model`` (parameters and buffers) without counting
        an update (what happens before the averaging starts)."""
        lists = self._source_lists(model)
        torch._foreach_copy_(lists['avg_all'], self._on_device(lists['src_all']))
        if lists['avg_buffers']:
            torch._foreach_copy_(lists['avg_buffers'], self._on_device(lists['src_buffers']))


@MODELS.register_module()
class ExponentialMovingAverage(BaseAveragedModel):
    """``averaged = (1 - momentum) * averaged + momentum * source`` (``torch.lerp``).

    Args:
        model: See :class:`BaseAveragedModel`.
        momentum: Weight of the *new* value, in (0, 1); ``0.0002`` is a decay of ``0.9998``.
        interval: See :class:`BaseAveragedModel`.
        device: See :class:`BaseAveragedModel`.
        update_buffers: See :class:`BaseAveragedModel`.
    """

    def __init__(
        self,
        model: nn.Module,
        momentum: float = 0.0002,
        interval: int = 1,
        device: torch.device | str | None = None,
        update_buffers: bool = False,
    ) -> None:
        if isinstance(momentum, bool) or not isinstance(momentum, (int, float)):
            raise ConfigError(f'momentum must be a number in (0, 1), got {short_repr(momentum)}')
        if not 0.0 < momentum < 1.0:
            raise ConfigError(
                f'momentum must be in (0, 1), got {momentum!r}; it is the weight of the new '
                f'value (decay 0.9998 is momentum 0.0002)'
            )
        super().__init__(model, interval, device, update_buffers)
        if momentum > 0.5 and momentum not in _WARNED_MOMENTUMS:
            _WARNED_MOMENTUMS.add(momentum)
            get_logger().warning(
                f'EMA momentum={momentum} is the weight of the *new* value, so the average '
                f'barely smooths; did you mean momentum={1 - momentum:.6g} (decay {momentum})?'
            )
        self.momentum = float(momentum)

    def avg_func(self, averaged_param: Tensor, source_param: Tensor, steps: Any) -> None:
        averaged_param.lerp_(source_param, self.momentum)

    def foreach_avg_func(
        self, averaged_params: list[Tensor], source_params: list[Tensor], steps: int
    ) -> None:
        torch._foreach_lerp_(averaged_params, source_params, self.momentum)


@MODELS.register_module()
class MomentumAnnealingEMA(ExponentialMovingAverage):
    """EMA whose momentum starts high and anneals: ``max(momentum, gamma / (gamma + steps))``.

    Args:
        model: See :class:`BaseAveragedModel`.
        momentum: The final (smallest) momentum, in (0, 1).
        gamma: Annealing speed (> 0); larger keeps the momentum high for longer.
        interval: See :class:`BaseAveragedModel`.
        device: See :class:`BaseAveragedModel`.
        update_buffers: See :class:`BaseAveragedModel`.
    """

    def __init__(
        self,
        model: nn.Module,
        momentum: float = 0.0002,
        gamma: int = 100,
        interval: int = 1,
        device: torch.device | str | None = None,
        update_buffers: bool = False,
    ) -> None:
        if isinstance(gamma, bool) or not isinstance(gamma, (int, float)) or not gamma > 0:
            raise ConfigError(f'gamma must be a positive number, got {short_repr(gamma)}')
        super().__init__(model, momentum, interval, device, update_buffers)
        self.gamma = gamma

    def avg_func(self, averaged_param: Tensor, source_param: Tensor, steps: Any) -> None:
        weight = annealed_momentum(self.momentum, self.gamma, int(steps))
        averaged_param.lerp_(source_param, weight)

    def foreach_avg_func(
        self, averaged_params: list[Tensor], source_params: list[Tensor], steps: int
    ) -> None:
        weight = annealed_momentum(self.momentum, self.gamma, steps)
        torch._foreach_lerp_(averaged_params, source_params, weight)


@MODELS.register_module()
class StochasticWeightAverage(BaseAveragedModel):
    """The running mean of the sampled weights (SWA): ``avg += (src - avg) / n`` for the n-th
    sample (samples are taken every ``interval`` updates, the first one included)."""

    def avg_func(self, averaged_param: Tensor, source_param: Tensor, steps: Any) -> None:
        averaged_param.add_(
            source_param - averaged_param, alpha=swa_weight(int(steps), self.interval)
        )

    def foreach_avg_func(
        self, averaged_params: list[Tensor], source_params: list[Tensor], steps: int
    ) -> None:
        differences = torch._foreach_sub(source_params, averaged_params)
        torch._foreach_add_(averaged_params, differences, alpha=swa_weight(steps, self.interval))
