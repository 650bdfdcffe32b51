"""Stopping cleanly on SIGTERM or Ctrl-C: finish the current iteration, save, exit.

The signal handler only records the request; the training loop checks it after every
iteration (one attribute read) and saves a checkpoint there. A second signal restores the
previous handler and re-delivers the signal, so pressing Ctrl-C twice still aborts at once.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

from ..errors import CadenceError
from ..logging import get_logger

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class TrainingInterrupted(CadenceError):
    """Training stopped on a signal after saving a checkpoint (``checkpoint``)."""

    def __init__(self, signum: int, checkpoint: str | None) -> None:
        self.signum = signum
        self.checkpoint = checkpoint
        name = signal.Signals(signum).name
        saved = f'saved {checkpoint}' if checkpoint else 'no checkpoint was saved'
        super().__init__(f'training stopped by {name}; {saved}')


class InterruptRequest:
    """Set by the signal handler; read by the loops."""

    __slots__ = ('signum',)

    def __init__(self) -> None:
        self.signum: int | None = None

    @property
    def requested(self) -> bool:
        return self.signum is not None


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
