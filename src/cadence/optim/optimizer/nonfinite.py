"""What happens when a loss or gradient is NaN or infinite.

Policies (the optimizer wrapper's ``nonfinite`` argument):

- ``'error'`` (default): training stops with a :class:`NonFiniteLossError` naming the first bad
  iteration, every loss term and its value there, and the lr. The check runs at *logging time*
  (:func:`check_logged_losses`, called by the Runner every logging interval, before every
  checkpoint and at the end), reading the losses already stored in the message hub, so it adds
  no host synchronisation to the iterations in between.
- ``'skip'``: at every update step the wrapper checks that the gradients are finite (one host
  synchronisation per update step); if not, the update is skipped, the gradients are zeroed and
  ``train/skipped_steps`` counts it.
- ``'ignore'``: neither (the reference's behaviour: NaN flows into the weights).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import torch

from ...errors import CadenceError, ConfigError, suggestion_text

NONFINITE_POLICIES = ('error', 'skip', 'ignore')

#: MessageHub runtime-info key where optimizer wrappers publish their policy, so that
#: :func:`check_logged_losses` knows whether non-finite losses are expected (``'skip'``).
POLICY_INFO_KEY = 'nonfinite_policy'

#: The scalar that counts skipped optimizer steps (by the skip policy or by the AMP loss scaler).
SKIPPED_STEPS_KEY = 'train/skipped_steps'


class NonFiniteLossError(CadenceError, FloatingPointError):
    """A loss became NaN or infinite; training stops instead of corrupting the weights.

    Attributes:
        iteration: The first bad iteration (0-based, as ``runner.iter``).
        losses: Every loss term logged at that iteration and its value.
        lr: The learning rate(s) at the time of the check.
    """

    def __init__(self, iteration: int, losses: dict[str, float], lr: Any) -> None:
        self.iteration = iteration
        self.losses = losses
        self.lr = lr
        terms = ', '.join(f'{name}={value!r}' for name, value in losses.items())
        super().__init__(
            f'non-finite loss at iteration {iteration + 1} (runner.iter={iteration}): {terms}; '
            f'lr: {format_lr(lr)}. Training stopped before the weights were saved with NaN. '
            'Usual causes: a learning rate too high for this batch size (add a warmup or '
            'clip_grad), float16 overflow (use bfloat16), or a bad sample. To skip such steps '
            "instead and count them, set optim_wrapper.nonfinite='skip'."
        )


def validate_policy(policy: Any) -> str:
    """``policy`` if it is one of :data:`NONFINITE_POLICIES`, else a ``ConfigError``."""
    if policy not in NONFINITE_POLICIES:
        raise ConfigError(
            f'nonfinite={policy!r} is not a policy; use one of '
            f'{", ".join(repr(p) for p in NONFINITE_POLICIES)}.'
            f'{suggestion_text(str(policy), NONFINITE_POLICIES)}'
        )
    return policy


def strictest_policy(policies: Iterable[str]) -> str:
    """The policy that reacts most: ``'error'`` over ``'skip'`` over ``'ignore'``."""
    chosen = 'ignore'
    for policy in policies:
        if NONFINITE_POLICIES.index(policy) < NONFINITE_POLICIES.index(chosen):
            chosen = policy
    return chosen


def format_lr(lr: Any) -> str:
    """A short text for an lr given as a number, a list, or ``get_lr()``'s dict."""
    if isinstance(lr, Mapping):
        return ', '.join(f'{key}={format_lr(value)}' for key, value in lr.items())
    if isinstance(lr, (list, tuple)):
        values = [format_lr(v) for v in lr]
        return values[0] if len(set(values)) == 1 else '[' + ', '.join(values) + ']'
    if isinstance(lr, torch.Tensor):
        lr = lr.item()
    if isinstance(lr, float):
        return f'{lr:.6g}'
    return str(lr)


def _loss_keys(message_hub: Any) -> list[str]:
    return [k for k in message_hub.log_scalars if k.startswith('train/') and 'loss' in k]


def check_logged_losses(
    message_hub: Any,
    first_iter: int,
    last_iter: int,
    lr: Any = None,
    policy: str | None = None,
) -> None:
    """Raise :class:`NonFiniteLossError` if a ``train/*loss*`` scalar of iterations
    ``first_iter..last_iter`` (0-based, inclusive) is NaN or infinite.

    Call it with the iterations logged since the previous call (the Runner does so every
    logging interval, before saving a checkpoint and at the end of training). It reads the
    values from the message hub's history buffers; tensors are converted there in one batched
    transfer, the only host synchronisation involved. ``policy`` defaults to the one the
    optimizer wrapper published in the hub; under ``'skip'`` and ``'ignore'`` nothing is raised.
    """
    if policy is None:
        policy = message_hub.get_info(POLICY_INFO_KEY, 'error')
    if policy != 'error' or last_iter < first_iter:
        return
    count = last_iter - first_iter + 1
    recent: dict[str, list[float]] = {}
    for key in _loss_keys(message_hub):
        recent[key] = message_hub.get_scalar(key).last(count)
    first_bad = None
    for values in recent.values():
        offset = last_iter - len(values) + 1
        for index, value in enumerate(values):
            if not math.isfinite(value):
                if first_bad is None or offset + index < first_bad:
                    first_bad = offset + index
                break
    if first_bad is None:
        return
    losses = {}
    for key, values in recent.items():
        index = first_bad - (last_iter - len(values) + 1)
        if 0 <= index < len(values):
            losses[key.partition('/')[2]] = values[index]
    raise NonFiniteLossError(first_bad, losses, lr)


def total_grad_norm(params: list[torch.Tensor]) -> torch.Tensor | None:
    """The 2-norm of all gradients of ``params`` as a tensor (no synchronisation)."""
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return None
    return torch.nn.utils.get_total_norm(grads, norm_type=2.0)
