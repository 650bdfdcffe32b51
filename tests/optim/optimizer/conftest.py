"""Fixtures shared by the optimizer tests."""

from __future__ import annotations

import uuid

import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from cadence.logging import MessageHub


class HostSyncCounter(TorchDispatchMode):
    """Counts device-to-host reads of tensor values (``.item()``, ``bool(t)``, ``float(t)``:
    all go through ``aten._local_scalar_dense``)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if func is torch.ops.aten._local_scalar_dense.default:
            self.count += 1
        return func(*args, **(kwargs or {}))


@pytest.fixture
def count_host_syncs():
    """``with count_host_syncs() as counter: ...`` then ``counter.count``."""
    return HostSyncCounter


@pytest.fixture
def message_hub():
    """A fresh current MessageHub, so scalars from other tests do not leak in."""
    hub = MessageHub.get_instance(f'optim-test-{uuid.uuid4().hex}')
    yield hub
    MessageHub._current = None
