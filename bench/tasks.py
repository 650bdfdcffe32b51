"""The benchmark's training tasks, shared by the hand-written loop and the Runner.

Two tasks (issue 7): *tiny*, a batch-32 MLP 32→64→10, and *medium*, a batch-128 MLP
512→2048→2048→10; both classify random in-memory tensors with SGD (momentum 0.9), a LinearLR
warm-up and a MultiStepLR decay, stepped every iteration.

Both sides read their batches from DataLoaders with the same settings: the same dataset object
type, :class:`cadence.dataset.DefaultSampler` (shuffled, seed 0, ``set_epoch`` per epoch),
Cadence's ``default_collate``, no workers, no pinned memory (what the Runner builds on a CPU
machine). The collate function is wrapped by :class:`BatchClock`, which reads the clock at
given batch numbers: both sides pay the same for it at the same point of every iteration, and
the Runner gets no extra hook.

Importing this module registers ``BenchClassifier``, ``RandomClassificationData``,
``clocked_collate`` and ``FirstIterationClock`` with Cadence's registries, so configs (and
``cadence train`` with ``custom_imports=dict(imports=['tasks'])`` and ``bench/`` on the
``PYTHONPATH``) can name them.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

from cadence.dataset import DefaultSampler, default_collate
from cadence.hooks import Hook
from cadence.model import BaseModel
from cadence.registry import DATASETS, FUNCTIONS, HOOKS, MODELS


@dataclass(frozen=True)
class Task:
    """One benchmark task."""

    name: str
    widths: tuple[int, ...]  # input, hidden..., classes
    batch_size: int
    samples: int  # dataset size; an epoch is samples // batch_size iterations
    warmup_iters: int = 100
    milestones: tuple[int, ...] = (30_000, 60_000)
    lr: float = 0.05


TINY = Task('tiny', (32, 64, 10), batch_size=32, samples=32 * 500)
MEDIUM = Task('medium', (512, 2048, 2048, 10), batch_size=128, samples=128 * 50)
TASKS = {task.name: task for task in (TINY, MEDIUM)}


# -- data ----------------------------------------------------------------------------------------


@DATASETS.register_module()
class RandomClassificationData(Dataset):
    """``samples`` random feature vectors and labels, held in memory (``(x, y)`` tuples)."""

    def __init__(self, samples: int, features: int, classes: int, seed: int = 0) -> None:
        generator = torch.Generator().manual_seed(seed)
        self.inputs = torch.randn(samples, features, generator=generator)
        self.labels = torch.randint(0, classes, (samples,), generator=generator)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.inputs[index], self.labels[index]


class BatchClock:
    """Reads ``time.perf_counter()`` and ``time.thread_time()`` when the batches numbered in
    :meth:`arm` are collated.

    One per process (a module global), so that the Runner's copy of a config still finds it.
    """

    def __init__(self) -> None:
        self.marks: tuple[int, ...] = ()
        self.times: dict[int, float] = {}
        self.cpu_times: dict[int, float] = {}
        self.count = 0

    def arm(self, marks: Sequence[int]) -> None:
        """Start counting batches from 0 and record the times of batches ``marks``."""
        self.marks = tuple(marks)
        self.times = {}
        self.cpu_times = {}
        self.count = 0

    def tick(self) -> None:
        count = self.count
        if count in self.marks:
            self.times[count] = time.perf_counter()
            self.cpu_times[count] = time.thread_time()
        self.count = count + 1

    def seconds_between(self, first: int, last: int) -> float:
        """Wall-clock seconds between the two marks."""
        return self.times[last] - self.times[first]

    def cpu_seconds_between(self, first: int, last: int) -> float:
        """CPU seconds this thread ran between the two marks (time the machine gave to other
        processes or virtual machines is not counted)."""
        return self.cpu_times[last] - self.cpu_times[first]


CLOCK = BatchClock()


@FUNCTIONS.register_module()
def clocked_collate(data_batch: Sequence[Any]) -> Any:
    """Cadence's ``default_collate``, reading :data:`CLOCK` first."""
    CLOCK.tick()
    return default_collate(data_batch)


def torch_clocked_collate(data_batch: Sequence[Any]) -> Any:
    """``torch.utils.data.default_collate``, reading :data:`CLOCK` first (for the variant of
    the hand-written loop that uses torch's own data path)."""
    CLOCK.tick()
    return torch.utils.data.default_collate(data_batch)


# -- model ---------------------------------------------------------------------------------------


def mlp(widths: Sequence[int]) -> nn.Sequential:
    """``Linear -> ReLU -> ... -> Linear`` through ``widths``."""
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(widths)):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


@MODELS.register_module()
class BenchClassifier(BaseModel):
    """:func:`mlp` with cross-entropy loss, as a Cadence model (``net`` is the same module
    the hand-written loop trains)."""

    def __init__(self, widths: Sequence[int], seed: int = 0, data_preprocessor: Any = None):
        super().__init__(data_preprocessor=data_preprocessor)
        torch.manual_seed(seed)
        self.net = mlp(widths)

    def forward(self, inputs: torch.Tensor, data_samples: Any = None, mode: str = 'tensor'):
        logits = self.net(inputs)
        if mode == 'loss':
            return {'loss': F.cross_entropy(logits, data_samples)}
        if mode == 'predict':
            return list(logits.argmax(dim=1).unbind(0))
        return logits


@HOOKS.register_module()
class FirstIterationClock(Hook):
    """Writes the wall-clock time (``time.time()``) at which the first training iteration
    starts to the file named by ``$CADENCE_BENCH_FIRST_ITER`` (for the start-up measurement)."""

    priority = 'LOWEST'

    def __init__(self) -> None:
        self._written = False

    def before_train_iter(self, runner, batch_idx: int, data_batch: Any = None) -> None:
        if not self._written:
            self._written = True
            with open(os.environ['CADENCE_BENCH_FIRST_ITER'], 'w', encoding='utf-8') as f:
                f.write(repr(time.time()))


# -- the two sides -------------------------------------------------------------------------------


def dataset_cfg(task: Task) -> dict[str, Any]:
    return {
        'type': 'RandomClassificationData',
        'samples': task.samples,
        'features': task.widths[0],
        'classes': task.widths[-1],
    }


def schedule_cfg(task: Task) -> list[dict[str, Any]]:
    """LinearLR over the first ``warmup_iters`` iterations, MultiStepLR (x0.1) at
    ``milestones``; both stepped every iteration, as the hand loop's torch schedulers."""
    return [
        {
            'type': 'LinearLR',
            'start_factor': 0.1,
            'by_epoch': False,
            'begin': 0,
            'end': task.warmup_iters,
        },
        {'type': 'MultiStepLR', 'milestones': list(task.milestones), 'by_epoch': False},
    ]


def runner_cfg(task: Task, work_dir: str, max_epochs: int) -> dict[str, Any]:
    """The Runner's config: default hooks, a log line every 50 iterations, one checkpoint at
    the end, no validation."""
    return {
        'model': {'type': 'BenchClassifier', 'widths': list(task.widths)},
        'work_dir': work_dir,
        'train_dataloader': {
            'batch_size': task.batch_size,
            'num_workers': 0,
            'sampler': {'type': 'DefaultSampler', 'shuffle': True, 'seed': 0},
            'dataset': dataset_cfg(task),
            'collate_fn': {'type': 'clocked_collate'},
        },
        'train_cfg': {'by_epoch': True, 'max_epochs': max_epochs},
        'optim_wrapper': {'optimizer': {'type': 'SGD', 'lr': task.lr, 'momentum': 0.9}},
        'param_scheduler': schedule_cfg(task),
        'default_hooks': {
            'logger': {'type': 'LoggerHook', 'interval': 50},
            'checkpoint': {'type': 'CheckpointHook', 'interval': -1, 'save_last': True},
        },
        'randomness': {'seed': 0},
    }


@contextlib.contextmanager
def quiet_runner(
    task: Task, max_epochs: int, adjust: Callable[[dict[str, Any]], None] | None = None
) -> Iterator[Any]:
    """A Runner for :func:`runner_cfg` in a temporary work directory, its console output
    captured (its log file is still written); ``adjust`` may change the config first. The log
    file is closed before the directory goes."""
    from cadence.logging.run_log import detach_run_handlers
    from cadence.runner import Runner

    with tempfile.TemporaryDirectory() as work_dir, contextlib.redirect_stdout(io.StringIO()):
        cfg = runner_cfg(task, os.path.join(work_dir, 'work_dir'), max_epochs)
        if adjust is not None:
            adjust(cfg)
        try:
            yield Runner.from_cfg(cfg)
        finally:
            detach_run_handlers()


def hand_loader(task: Task, torch_data_path: bool = False) -> DataLoader:
    """The hand-written loop's DataLoader: the Runner's settings, or (``torch_data_path``)
    torch's own ``RandomSampler`` and ``default_collate``."""
    dataset = RandomClassificationData(task.samples, task.widths[0], task.widths[-1])
    if torch_data_path:
        generator = torch.Generator().manual_seed(0)
        sampler: Any = torch.utils.data.RandomSampler(dataset, generator=generator)
        collate = torch_clocked_collate
    else:
        sampler = DefaultSampler(dataset, shuffle=True, seed=0)
        collate = clocked_collate
    return DataLoader(
        dataset,
        batch_size=task.batch_size,
        sampler=sampler,
        collate_fn=collate,
        num_workers=0,
        pin_memory=False,
    )


def hand_written_loop(
    task: Task,
    model: nn.Module,
    loader: DataLoader,
    max_epochs: int,
    checkpoint: str | None = None,
) -> None:
    """What a user writes without an engine: SGD with momentum, torch's LinearLR and
    MultiStepLR stepped every iteration, ``zero_grad`` / ``backward`` / ``step``, one
    checkpoint at the end."""
    optimizer = torch.optim.SGD(model.parameters(), lr=task.lr, momentum=0.9)
    warmup = torch.optim.lr_scheduler.LinearLR(
        optimizer, start_factor=0.1, total_iters=task.warmup_iters
    )
    decay = torch.optim.lr_scheduler.MultiStepLR(optimizer, list(task.milestones), gamma=0.1)
    model.train()
    for epoch in range(max_epochs):
        if hasattr(loader.sampler, 'set_epoch'):
            loader.sampler.set_epoch(epoch)
        for inputs, labels in loader:
            loss = F.cross_entropy(model(inputs), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            warmup.step()
            decay.step()
    if checkpoint is not None:
        torch.save({'model': model.state_dict(), 'optimizer': optimizer.state_dict()}, checkpoint)
