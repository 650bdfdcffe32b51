"""Fixtures shared by the optimizer tests."""

from __future__ import annotations

import uuid

import pytest

from cadence.logging import MessageHub
from cadence.utils import HostSyncCounter


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
