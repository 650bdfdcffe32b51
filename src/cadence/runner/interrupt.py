"""Stopping cleanly on SIGTERM or Ctrl-C: finish the current iteration, save, exit.

The signal handler only records the request; the training loop checks it after every
iteration (one attribute read) and saves a checkpoint there. A second signal restores the
previous handler and re-delivers the signal, so pressing Ctrl-C twice still aborts at once.

In a multi-process run every rank must stop after the same iteration (or the others would wait
forever in the next all-reduce), and a signal may reach one rank only or the ranks at different
iterations. So there the ranks agree every :data:`AGREE_EVERY` iterations, with one tiny
all-reduce of the request: training stops at the first agreement after any rank got a signal.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

import torch

from ..dist import all_reduce, cpu_group, get_world_size
from ..errors import CadenceError
from ..logging import get_logger

SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: Iterations between two agreements of the ranks of a multi-process run on stopping.
AGREE_EVERY = 10


class TrainingInterrupted(CadenceError):
    """Training stopped on a signal after saving a checkpoint (``checkpoint``)."""

    def __init__(self, signum: int, checkpoint: str | None) -> None:
        self.signum = signum
        self.checkpoint = checkpoint
        name = signal.Signals(signum).name
        saved = f'saved {checkpoint}' if checkpoint else 'no checkpoint was saved'
        super().__init__(f'training stopped by {name}; {saved}')


class InterruptRequest:
    """Set by the signal handler; read by the loops (:meth:`should_stop`)."""

    __slots__ = ('_agreed_at', 'signum', 'world_size')

    def __init__(self, world_size: int | None = None) -> None:
        self.signum: int | None = None
        self.world_size = get_world_size() if world_size is None else world_size
        self._agreed_at = -1

    @property
    def requested(self) -> bool:
        """Whether this process received a signal."""
        return self.signum is not None

    def should_stop(self, completed_iters: int) -> bool:
        """Whether to stop now, after ``completed_iters`` iterations.

        One process: as soon as a signal arrived. Several: at the next multiple of
        :data:`AGREE_EVERY` iterations after any rank got one (all ranks must call this after
        the same iterations; a repeated call for the same iteration does not agree again).
        """
        if self.world_size == 1:
            return self.signum is not None
        if completed_iters % AGREE_EVERY or completed_iters == self._agreed_at:
            return False
        self._agreed_at = completed_iters
        flag = torch.tensor([self.signum or 0], dtype=torch.int64)
        all_reduce(flag, 'max', group=cpu_group())
        signum = int(flag.item())
        if signum and self.signum is None:
            self.signum = signum
        return bool(signum)


@contextlib.contextmanager
def catch_interrupts(request: InterruptRequest) -> Iterator[None]:
    """Route SIGINT/SIGTERM to ``request`` while the block runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in SIGNALS}

    def handler(signum, frame):
        if request.signum is not None:
            for sig, old in previous.items():
                signal.signal(sig, old)
            signal.raise_signal(signum)
            return
        request.signum = signum
        get_logger().warning(
            f'received {signal.Signals(signum).name}: saving a checkpoint after the current '
            f'iteration, then stopping (send it again to stop at once)'
        )

    for sig in SIGNALS:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
