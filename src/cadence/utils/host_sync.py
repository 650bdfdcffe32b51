"""Finding host synchronisations: reads of tensor values by the host (``.item()``, ``float(t)``,
``bool(t)``, ``if t:``), which make the host wait for the device.

:class:`HostSyncCounter` counts them on any device, CPU included (they all go through
``aten._local_scalar_dense``). :class:`SyncsPerIteration` is a hook that attributes them to
training iterations, separating the iterations that log (or end an epoch), where reading the
logged values is expected, from the others, which should have none; on CUDA it can also turn
``torch.cuda.set_sync_debug_mode`` on for the others, so any synchronising call (including
those that do not read a value, such as a blocking copy) is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from ..hooks import Hook


class HostSyncCounter(TorchDispatchMode):
    """``with HostSyncCounter() as counter: ...``, then ``counter.count``: the number of times
    the host read a tensor's value through ``aten._local_scalar_dense`` (``.item()``,
    ``float(t)``, ``bool(t)``, ``if t:``). ``tolist()`` and ``numpy()`` of a CPU tensor read its
    memory without a dispatched operation and are not counted; on an accelerator their copy to
    the host is an operation that ``torch.cuda.set_sync_debug_mode`` reports."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if func is torch.ops.aten._local_scalar_dense.default:
            self.count += 1
        return func(*args, **(kwargs or {}))


@dataclass
class SyncCycle:
    """One iteration, from the start of its ``before_train_iter`` to the start of the next."""

    iteration: int
    logs: bool  # it writes a log line or ends an epoch
    syncs: int = 0


@dataclass
class _Record:
    cycles: list[SyncCycle] = field(default_factory=list)


class SyncsPerIteration(Hook):
    """Attributes host synchronisations to training iterations.

    Register it on a Runner (``runner.register_hook(SyncsPerIteration(counter))``) and train
    inside ``with counter:``. Each cycle runs from the start of an iteration to the start of
    the next (so it includes loading the next batch). ``cuda_debug_mode`` (``'warn'`` or
    ``'error'``) is passed to ``torch.cuda.set_sync_debug_mode`` during the cycles that do not
    log, when CUDA is available.
    """

    priority = 'HIGHEST'

    def __init__(self, counter: HostSyncCounter, cuda_debug_mode: str | None = None) -> None:
        self.counter = counter
        self.cuda_debug_mode = cuda_debug_mode if torch.cuda.is_available() else None
        self.record = _Record()
        self._interval = 0
        self._epoch_length = 0
        self._start = 0

    def before_train(self, runner) -> None:
        from ..hooks import LoggerHook

        loggers = [hook for hook in runner.hooks if isinstance(hook, LoggerHook)]
        self._interval = loggers[0].interval if loggers else 0
        self._epoch_length = len(runner.train_dataloader) if runner.train_by_epoch else 0

    def _logs(self, batch_idx: int) -> bool:
        done = batch_idx + 1
        if self._interval and done % self._interval == 0:
            return True
        return bool(self._epoch_length) and done == self._epoch_length

    def _close_cycle(self) -> None:
        if self.record.cycles:
            self.record.cycles[-1].syncs = self.counter.count - self._start

    def before_train_iter(self, runner, batch_idx: int, data_batch: Any = None) -> None:
        self._close_cycle()
        self._start = self.counter.count
        logs = self._logs(batch_idx)
        self.record.cycles.append(SyncCycle(runner.iter, logs))
        if self.cuda_debug_mode is not None:
            torch.cuda.set_sync_debug_mode(0 if logs else self.cuda_debug_mode)

    def after_train(self, runner) -> None:
        self._close_cycle()
        if self.cuda_debug_mode is not None:
            torch.cuda.set_sync_debug_mode(0)

    def summary(self) -> dict[str, int]:
        """Iteration and synchronisation counts, for the iterations that log and the others
        (the last iteration is left out: its cycle includes the end of training)."""
        cycles = self.record.cycles[:-1]
        quiet = [c for c in cycles if not c.logs]
        logging = [c for c in cycles if c.logs]
        return {
            'quiet_iterations': len(quiet),
            'syncs_in_quiet_iterations': sum(c.syncs for c in quiet),
            'logging_iterations': len(logging),
            'syncs_in_logging_iterations': sum(c.syncs for c in logging),
        }
