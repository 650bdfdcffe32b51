"""Calling a module's ``forward`` without ``nn.Module.__call__``'s generic dispatch.

``module(*args, **kwargs)`` goes through two Python frames that repack the arguments before
they reach ``forward``; with keyword arguments that costs a few microseconds, paid twice per
training iteration (the data preprocessor and the model). :func:`call_module` calls ``forward``
directly when ``__call__`` would do nothing else, and ``module(...)`` otherwise, so hooks,
``module.compile()`` and JIT tracing behave exactly as before.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.nn.modules import module as _torch_module


def _plain(module: nn.Module) -> bool:
    """Whether ``module(...)`` would only call ``module.forward(...)``."""
    return not (
        module._compiled_call_impl is not None
        or module._forward_pre_hooks
        or module._forward_hooks
        or module._backward_pre_hooks
        or module._backward_hooks
        or _torch_module._global_forward_pre_hooks
        or _torch_module._global_forward_hooks
        or _torch_module._global_backward_pre_hooks
        or _torch_module._global_backward_hooks
        or torch._C._get_tracing_state()
    )


def call_module(module: nn.Module, *args: Any, **kwargs: Any) -> Any:
    """``module(*args, **kwargs)``, calling ``forward`` directly when nothing else would run."""
    if _plain(module):
        return module.forward(*args, **kwargs)
    return module(*args, **kwargs)
