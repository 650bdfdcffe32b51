"""Recognising and unwrapping model wrappers (``DistributedDataParallel`` and friends)."""

from __future__ import annotations

from torch import nn

from ...registry import MODEL_WRAPPERS


def is_model_wrapper(model: nn.Module) -> bool:
    """Whether ``model`` wraps another module in ``.module`` (DDP, DataParallel, registered
    wrappers)."""
    from torch.nn.parallel import DataParallel, DistributedDataParallel

    if isinstance(model, (DataParallel, DistributedDataParallel)):
        return True
    wrappers = tuple(cls for cls in MODEL_WRAPPERS.module_dict.values() if isinstance(cls, type))
    return bool(wrappers) and isinstance(model, wrappers)


def get_model(model: nn.Module) -> nn.Module:
    """The module inside any number of wrappers (what hooks should change attributes on)."""
    while is_model_wrapper(model):
        model = model.module
    return model
