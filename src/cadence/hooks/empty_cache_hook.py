"""``EmptyCacheHook``: hand the accelerator's cached, unused memory back to the driver.

PyTorch's caching allocator keeps freed GPU memory for reuse; releasing it between epochs helps
when another process shares the GPU or memory fragments. Without an accelerator the hook does
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from ..registry import HOOKS
from .hook import Hook


def accelerator_empty_cache() -> Callable[[], None] | None:
    """The ``empty_cache`` of the available accelerator (CUDA, then MPS), or ``None``."""
    if torch.cuda.is_available():
        return torch.cuda.empty_cache
    mps = getattr(torch.backends, 'mps', None)
    if mps is not None and mps.is_available():
        return torch.mps.empty_cache
    return None


@HOOKS.register_module()
class EmptyCacheHook(Hook):
    """Call ``torch.cuda.empty_cache()`` (or the MPS equivalent) at the chosen moments, in
    training, validation and testing alike.

    Args:
        before_epoch: Before each epoch.
        after_epoch: After each epoch.
        after_iter: After each iteration (slows training down; for debugging memory).
    """

    priority = 'NORMAL'

    def __init__(
        self, before_epoch: bool = False, after_epoch: bool = True, after_iter: bool = False
    ) -> None:
        self._do_before_epoch = bool(before_epoch)
        self._do_after_epoch = bool(after_epoch)
        self._do_after_iter = bool(after_iter)
        self._empty_cache: Callable[[], None] | None = None
        self._resolved = False

    def _release(self) -> None:
        if not self._resolved:  # decided once: no device query per call
            self._empty_cache = accelerator_empty_cache()
            self._resolved = True
        if self._empty_cache is not None:
            self._empty_cache()

    def _before_epoch(self, runner, mode: str = 'train') -> None:
        if self._do_before_epoch:
            self._release()

    def _after_epoch(self, runner, mode: str = 'train') -> None:
        if self._do_after_epoch:
            self._release()

    def _after_iter(
        self,
        runner,
        batch_idx: int,
        data_batch: Any = None,
        outputs: Any = None,
        mode: str = 'train',
    ) -> None:
        if self._do_after_iter:
            self._release()
