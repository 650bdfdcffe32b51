"""``clip_grad``: validation of the config and the clipping itself.

``clip_grad=dict(max_norm=35, norm_type=2)`` (``type='norm'``, the default) rescales the
gradients so their total norm is at most ``max_norm`` (``torch.nn.utils.clip_grad_norm_``);
``clip_grad=dict(type='value', clip_value=0.5)`` clamps every gradient element
(``clip_grad_value_``). Both return the total gradient norm *before* clipping as a tensor, which
the optimizer wrapper logs as ``grad_norm`` without a host synchronisation (the reference logs
nothing for ``type='value'``; DESIGN deviation 8). The config dict is never modified.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch
from torch.nn.utils import clip_grad_norm_, clip_grad_value_, get_total_norm

from ...errors import ConfigError, short_repr, suggestion_text
from .config_paths import key_path_of

#: The arguments each clipping type accepts (after ``type``), and which of them are required.
CLIP_ARGUMENTS = {
    'norm': (('max_norm', 'norm_type', 'error_if_nonfinite', 'foreach'), ('max_norm',)),
    'value': (('clip_value', 'foreach'), ('clip_value',)),
}

EXAMPLE = 'clip_grad=dict(max_norm=35, norm_type=2)'


class GradClipper:
    """Clips gradients as one ``clip_grad`` config says; returns the pre-clipping total norm."""

    def __init__(self, kind: str, kwargs: dict[str, Any]) -> None:
        self.kind = kind
        self.kwargs = kwargs

    def __call__(self, params: list[torch.Tensor]) -> torch.Tensor:
        if self.kind == 'norm':
            return clip_grad_norm_(params, **self.kwargs)
        norm = get_total_norm(
            [p.grad for p in params], norm_type=2.0, foreach=self.kwargs.get('foreach')
        )
        clip_grad_value_(params, **self.kwargs)
        return norm

    def __repr__(self) -> str:
        args = ', '.join(f'{k}={v!r}' for k, v in self.kwargs.items())
        return f'GradClipper(type={self.kind!r}, {args})'


def _positive_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and value > 0


def parse_clip_grad(clip_grad: Mapping[str, Any] | None) -> GradClipper | None:
    """A :class:`GradClipper` for a ``clip_grad`` config, or ``None`` when clipping is off."""
    if clip_grad is None:
        return None
    where = key_path_of(clip_grad)
    if not isinstance(clip_grad, Mapping):
        raise ConfigError(
            f'clip_grad must be None or a dict such as {EXAMPLE}, got {short_repr(clip_grad)}',
            where,
        )
    label = where or 'clip_grad'
    if not clip_grad:
        raise ConfigError(
            f'{label}={{}} is empty: give the clipping arguments, for example {EXAMPLE} or '
            "dict(type='value', clip_value=0.5), or set clip_grad=None to turn clipping off",
            where,
        )
    kwargs = dict(clip_grad)
    kind = kwargs.pop('type', 'norm')
    if kind not in CLIP_ARGUMENTS:
        raise ConfigError(
            f"{label}.type={kind!r} is not a clipping type; use 'norm' (clip_grad_norm_) or "
            f"'value' (clip_grad_value_).{suggestion_text(str(kind), CLIP_ARGUMENTS)}",
            where,
        )
    accepted, required = CLIP_ARGUMENTS[kind]
    for key in kwargs:
        if key not in accepted:
            raise ConfigError(
                f'{label}.{key} is not an argument of {kind!r} clipping.'
                f'{suggestion_text(key, accepted)} Accepted: {", ".join(accepted)}',
                where,
            )
    missing = [key for key in required if key not in kwargs]
    if missing:
        raise ConfigError(
            f'{label} with type={kind!r} needs {", ".join(missing)}, for example '
            + (EXAMPLE if kind == 'norm' else "dict(type='value', clip_value=0.5)"),
            where,
        )
    threshold = 'max_norm' if kind == 'norm' else 'clip_value'
    if not _positive_number(kwargs[threshold]):
        raise ConfigError(
            f'{label}.{threshold} must be a number > 0, got {short_repr(kwargs[threshold])}',
            where,
        )
    norm_type = kwargs.get('norm_type', 2.0)
    if not (_positive_number(norm_type) or norm_type in ('inf', math.inf)):
        raise ConfigError(
            f"{label}.norm_type must be a number > 0 or 'inf', got {short_repr(norm_type)}",
            where,
        )
    return GradClipper(kind, kwargs)
