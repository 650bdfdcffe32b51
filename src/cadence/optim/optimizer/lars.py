"""LARS: layer-wise adaptive rate scaling (You et al. 2017), as in MMPretrain / MMSelfSup.

For each parameter ``p`` with gradient ``g``, ``wn = ||p||`` and ``gn = ||g||``::

    local_lr = eta * wn / (gn + weight_decay * wn + eps)   if wn > 0 and gn > 0, else 1
    d        = (g + weight_decay * p) * local_lr * lr
    buf      = d (first step), then momentum * buf + (1 - dampening) * d
    d        = d + momentum * buf (nesterov) or buf
    p       -= d

A parameter group with ``lars_exclude=True`` uses ``local_lr = 1`` (plain SGD with the same
weight-decay folding); set it with ``paramwise_cfg.custom_keys``, e.g.
``custom_keys={'bn': dict(decay_mult=0, lars_exclude=True)}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch.optim import Optimizer

from ...errors import ConfigError
from ...registry import OPTIMIZERS


def _check_non_negative(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f'LARS: {name} must be a number >= 0, got {value!r}')


@OPTIMIZERS.register_module()
class LARS(Optimizer):
    """SGD with a per-parameter trust ratio (layer-wise adaptive rate scaling).

    Args:
        params: Parameters or parameter groups to optimize.
        lr: Base learning rate.
        momentum: Momentum factor. Defaults to 0.
        weight_decay: Weight decay (L2), folded into the update before scaling. Defaults to 0.
        dampening: Dampening for momentum. Defaults to 0.
        eta: Trust coefficient of the local learning rate. Defaults to 0.001.
        nesterov: Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
        eps: Added to the denominator of the trust ratio; an attribute of the optimizer, not of
            a group, as in the reference. Defaults to 1e-8.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float,
        momentum: float = 0,
        weight_decay: float = 0,
        dampening: float = 0,
        eta: float = 0.001,
        nesterov: bool = False,
        eps: float = 1e-8,
    ) -> None:
        for name, value in (
            ('lr', lr),
            ('momentum', momentum),
            ('weight_decay', weight_decay),
            ('dampening', dampening),
            ('eta', eta),
            ('eps', eps),
        ):
            _check_non_negative(name, value)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ConfigError(
                f'LARS: nesterov=True needs momentum > 0 and dampening == 0, got '
                f'momentum={momentum!r}, dampening={dampening!r}'
            )
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            eta=eta,
        )
        self.eps = eps
        super().__init__(params, defaults)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault('nesterov', False)

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient (no host synchronisation)."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr = group['lr']
            weight_decay = group['weight_decay']
            momentum = group['momentum']
            dampening = group['dampening']
            eta = group['eta']
            exclude = group.get('lars_exclude', False)
            for p in group['params']:
                if p.grad is None:
                    continue
                grad = p.grad
                if grad.is_sparse:
                    raise RuntimeError('LARS does not support sparse gradients')
                update = grad.add(p, alpha=weight_decay)
                if exclude:
                    update.mul_(lr)
                else:
                    weight_norm = torch.linalg.vector_norm(p)
                    grad_norm = torch.linalg.vector_norm(grad)
                    trust = eta * weight_norm / (grad_norm + weight_decay * weight_norm + self.eps)
                    local_lr = torch.where(
                        (weight_norm > 0) & (grad_norm > 0), trust, torch.ones_like(trust)
                    )
                    update.mul_(local_lr * lr)
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get('momentum_buffer')
                    if buf is None:
                        buf = state['momentum_buffer'] = update.clone()
                    else:
                        buf.mul_(momentum).add_(update, alpha=1 - dampening)
                    update = update.add(buf, alpha=momentum) if group['nesterov'] else buf
                p.sub_(update)
        return loss
