"""The model (on the ``meta`` device: no memory, no weights) and its optimizer wrapper.

When the optimizer wrapper cannot be built, a *stand-in* takes its place — the configured
optimizer with one dummy parameter, else an SGD or Adam with the configured numbers — so the
scheduler checks still run against the values they would schedule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from ...errors import ConfigError
from ...optim import OptimWrapper, param_group_report
from ...registry import MODELS, OPTIM_WRAPPERS, OPTIMIZERS
from ...registry.build import check_arguments, resolve_type
from ..optim_setup import build_optim_wrapper
from .context import CheckContext

#: Keys of ``optim_wrapper`` that are not arguments of the wrapper class.
_NOT_WRAPPER_ARGS = ('optimizer', 'constructor', 'paramwise_cfg', 'type', '_scope_')
#: Optimizer-config keys that belong to a constructor, not to the optimizer.
_CONSTRUCTOR_KEYS = ('type', '_scope_', 'model_type', 'layer_decay_rate')
STEP_METHODS = ('train_step', 'val_step', 'test_step')


def build_model_on_meta(model_cfg: Mapping[str, Any], data_preprocessor: Any) -> tuple[Any, str]:
    """The model built on the meta device, else (when its constructor needs real tensors) on
    the CPU; returns ``(model, note)``."""
    cfg = dict(model_cfg)
    if data_preprocessor is not None:
        cfg.setdefault('data_preprocessor', data_preprocessor)
    try:
        with torch.device('meta'):
            return MODELS.build(cfg, key_path='model'), ''
    except ConfigError:
        raise
    except Exception as exc:
        model = MODELS.build(cfg, key_path='model')
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return (
            model,
            f'the model was built on the CPU: it cannot be built on the meta device ({reason})',
        )


def check_model(ctx: CheckContext) -> None:
    """Build the model as the Runner would, but without memory or weights."""
    model = ctx.values.get('model')
    if model is None:
        return
    if isinstance(model, Mapping):
        model, note = build_model_on_meta(model, ctx.values.get('data_preprocessor'))
        if note:
            ctx.report.param_notes.append(note)
    if not isinstance(model, nn.Module) or not all(
        callable(getattr(model, step, None)) for step in STEP_METHODS
    ):
        raise ConfigError(
            f'{type(model).__name__} is not a trainable model: it must be an nn.Module with '
            'train_step / val_step / test_step (subclass cadence.model.BaseModel)',
            'model',
        )
    ctx.model = model


def check_optimizer(ctx: CheckContext) -> None:
    """Build the optimizer wrapper for the model and report its parameter groups; otherwise
    check the wrapper's own arguments and set up a stand-in for the scheduler checks."""
    optim_cfg = ctx.values.get('optim_wrapper')
    if optim_cfg is None:
        return
    if ctx.model is not None:
        try:
            ctx.optim_wrapper = build_optim_wrapper(ctx.model, optim_cfg)
        except Exception as exc:
            ctx.findings.exception(exc)
        else:
            ctx.report.param_groups = param_group_report(ctx.optim_wrapper, ctx.model)
            return
    if not isinstance(optim_cfg, Mapping) or not isinstance(optim_cfg.get('optimizer'), Mapping):
        return
    with ctx.findings.catching():
        _check_wrapper_arguments(optim_cfg)
    ctx.optim_wrapper, ctx.stand_in = stand_in_wrapper(optim_cfg['optimizer'])


def _check_wrapper_arguments(optim_cfg: Mapping[str, Any]) -> None:
    """The wrapper type exists and takes the given arguments (checked apart from the
    optimizer, so a bad optimizer does not hide a misspelled wrapper argument)."""
    name = optim_cfg.get('type', 'OptimWrapper')
    cls = resolve_type(name, OPTIM_WRAPPERS, 'optim_wrapper', optim_cfg)
    args = {k: v for k, v in optim_cfg.items() if k not in _NOT_WRAPPER_ARGS}
    check_arguments(cls, {**args, 'optimizer': None}, 'optim_wrapper', str(name))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def stand_in_wrapper(optimizer_cfg: Mapping[str, Any]) -> tuple[OptimWrapper, str]:
    """An ``OptimWrapper`` over one dummy parameter with the configured values, and why."""
    param = torch.zeros(1, requires_grad=True)
    args = {k: v for k, v in optimizer_cfg.items() if k not in _CONSTRUCTOR_KEYS}
    try:
        cls = resolve_type(optimizer_cfg.get('type'), OPTIMIZERS, 'optim_wrapper.optimizer')
        optimizer = cls([param], **args)
        why = "the optimizer's configured values (the model or the wrapper could not be built)"
    except Exception:
        numbers = {k: v for k, v in args.items() if k in ('lr', 'weight_decay') and _number(v)}
        numbers.setdefault('lr', 0.01)
        betas = args.get('betas')
        if isinstance(betas, (list, tuple)) and len(betas) == 2 and all(map(_number, betas)):
            optimizer = torch.optim.Adam([param], betas=tuple(betas), **numbers)
        else:
            momentum = args.get('momentum', 0.0)
            optimizer = torch.optim.SGD(
                [param], momentum=momentum if _number(momentum) else 0.0, **numbers
            )
        why = (
            f'a {type(optimizer).__name__} with the configured lr and weight decay (the '
            'optimizer could not be built)'
        )
    return OptimWrapper(optimizer), why
