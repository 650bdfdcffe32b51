"""Multi-process training scenarios, run by every rank of a real process group (gloo, CPU).

:func:`spawn` starts ``world_size`` processes once; each sets the environment ``torchrun`` would
(``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR``, ``MASTER_PORT``) and runs the named
scenarios in order, each building Runners with ``launcher='pytorch'``. What a scenario returns
is saved per rank as ``<out>/<scenario>.rank<r>.pt`` (or the traceback of its failure) for the
tests to check against single-process runs and hand-derived values.
"""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
import signal
import socket
import sys
import traceback
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import torch
import torch.multiprocessing as mp
from torch import nn

from cadence.evaluator.metric import BaseMetric
from cadence.hooks import Hook
from cadence.model import ImageClassifier, LinearClsHead
from cadence.registry import HOOKS, METRICS, MODELS
from cadence.runner import Runner, TrainingInterrupted

from .runs import digits_cfg

TRAIN_SAMPLES = 96  # 6 global batches of 16
VAL_SAMPLES = 63  # odd: DefaultSampler(round_up=True) pads rank 1 with one repeated sample


@MODELS.register_module()
class DistTestClassifier(ImageClassifier):
    """64 -> 16 -> tanh -> 10: no BatchNorm and no dropout, so nothing depends on how the
    global batch is split between ranks."""

    def __init__(self, data_preprocessor: Any = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor)
        self.backbone = nn.Sequential(nn.Flatten(), nn.Linear(64, 16), nn.Tanh())
        self.head = LinearClsHead(16, 10)


@MODELS.register_module()
class DistTestBNClassifier(ImageClassifier):
    """Linear -> BatchNorm -> ReLU -> dropout -> linear, and an ``init_weights`` that draws
    random numbers (so ranks seeded differently would start apart without a broadcast)."""

    def __init__(self, data_preprocessor: Any = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor)
        self.backbone = nn.Sequential(
            nn.Flatten(), nn.Linear(64, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.3)
        )
        self.head = LinearClsHead(16, 10)

    def init_weights(self) -> None:
        nn.init.normal_(self.head.fc.weight, std=0.1)


@METRICS.register_module()
class SampleRecorder(BaseMetric):
    """Records every evaluated sample's pixels; keeps what rank 0 computed on."""

    default_prefix = 'recorder'
    computed_on: ClassVar[list[list[torch.Tensor]]] = []

    def process(self, data_batch: Any, data_samples: Any) -> None:
        self.results.extend(data_batch['inputs'].unbind(0))

    def compute_metrics(self, results: list[Any]) -> dict[str, float]:
        SampleRecorder.computed_on.append(list(results))
        return {'count': float(len(results))}


@HOOKS.register_module()
class AllReduceCounter(Hook):
    """Replaces DDP's gradient all-reduce by an equivalent one that records the iteration."""

    reduced_at: ClassVar[list[int]] = []

    def before_train(self, runner) -> None:
        import torch.distributed as dist

        world = dist.get_world_size()

        def average(state, bucket):  # (DDP checks the annotations of a comm hook)
            AllReduceCounter.reduced_at.append(runner.iter)
            tensor = bucket.buffer().div_(world)
            future = dist.all_reduce(tensor, async_op=True).get_future()
            return future.then(lambda f: f.value()[0])

        runner.model.register_comm_hook(None, average)


@HOOKS.register_module()
class BufferRecorder(Hook):
    """Copies the model's buffers after each training epoch (place it around SyncBuffersHook
    with priorities)."""

    records: ClassVar[dict[str, list[dict[str, torch.Tensor]]]] = {}

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def after_train_epoch(self, runner) -> None:
        buffers = {k: v.detach().clone() for k, v in runner.model.module.named_buffers()}
        BufferRecorder.records.setdefault(self.tag, []).append(buffers)


@HOOKS.register_module()
class SignalOnRank(Hook):
    """Acts as if ``rank`` received SIGTERM after iteration ``at`` (0-based)."""

    def __init__(self, rank: int, at: int) -> None:
        self.rank, self.at = rank, at

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if runner.rank == self.rank and runner.iter == self.at:
            runner.interrupt.signum = signal.SIGTERM


def base_cfg(work_dir: str, per_rank_batch: int, **overrides: Any) -> dict[str, Any]:
    """The digits run of ``support.runs`` sized for these scenarios: 96 training samples,
    validation on 63, a fixed seed and no log output below warnings."""
    cfg = digits_cfg(work_dir)
    cfg['model'] = {'type': 'DistTestClassifier'}
    cfg['train_dataloader']['batch_size'] = per_rank_batch
    cfg['train_dataloader']['dataset']['indices'] = TRAIN_SAMPLES
    cfg['val_dataloader']['dataset']['indices'] = VAL_SAMPLES
    cfg['val_dataloader']['batch_size'] = 8
    cfg['val_evaluator'] = [{'type': 'Accuracy'}, {'type': 'SampleRecorder'}]
    cfg['train_cfg'] = {'by_epoch': True, 'max_epochs': 2}
    cfg['param_scheduler'] = {'type': 'LinearLR', 'start_factor': 0.25, 'by_epoch': False, 'end': 4}
    # a rank that fails makes the others' collectives time out instead of hanging the tests
    cfg['env_cfg'] = {'dist_cfg': {'backend': 'gloo', 'timeout': 120}}
    cfg['launcher'] = 'pytorch'
    cfg.update(copy.deepcopy(overrides))
    return cfg


def final_state(runner: Runner) -> dict[str, torch.Tensor]:
    model = getattr(runner.model, 'module', runner.model)
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


# -- scenarios (each returns plain data for the tests) ---------------------------------------


def equal_weights(out: str, launcher: str = 'pytorch', per_rank_batch: int = 8) -> dict:
    """Two epochs with validation; rank 1 asks for another work dir (rank 0's wins)."""
    rank = int(os.environ.get('RANK', 0))
    work_dir = os.path.join(out, 'equal' if rank == 0 else 'equal_rank1_request')
    writes = audit_writes(out) if rank == 1 else None
    SampleRecorder.computed_on.clear()
    cfg = base_cfg(work_dir, per_rank_batch, launcher=launcher, log_level='INFO')
    runner = Runner.from_cfg(cfg)
    runner.train()
    return {
        'state': final_state(runner),
        'metrics': runner.val(),
        'evaluated': [torch.stack(samples) for samples in SampleRecorder.computed_on],
        'work_dir': runner.work_dir,
        'timestamp': runner.timestamp,
        'seed': runner.seed,
        'log_level': runner.logger.level,
        'writes': list(writes) if writes is not None else None,
    }


def accumulation(out: str, launcher: str = 'pytorch', per_rank_batch: int = 8) -> dict:
    """Seven iterations with accumulative_counts=2: updates after iterations 1, 3, 5 and the
    last one, 6."""
    AllReduceCounter.reduced_at.clear()
    cfg = base_cfg(
        os.path.join(out, 'accumulation'),
        per_rank_batch,
        launcher=launcher,
        train_cfg={'by_epoch': False, 'max_iters': 7, 'val_interval': 100},
        log_processor={'by_epoch': False},
        optim_wrapper={
            'optimizer': {'type': 'SGD', 'lr': 0.1, 'momentum': 0.9},
            'accumulative_counts': 2,
        },
        custom_hooks=[{'type': 'AllReduceCounter'}] if launcher == 'pytorch' else [],
    )
    runner = Runner.from_cfg(cfg)
    runner.train()
    return {'state': final_state(runner), 'reduced_at': sorted(set(AllReduceCounter.reduced_at))}


def sync_buffers(out: str) -> dict:
    """BatchNorm statistics before and after SyncBuffersHook at the end of an epoch."""
    BufferRecorder.records.clear()
    cfg = base_cfg(
        os.path.join(out, 'sync_buffers'),
        8,
        model={'type': 'MLPClassifier', 'hidden_dims': (16,), 'dropout': 0.0},
        train_cfg={'by_epoch': True, 'max_epochs': 1},
        val_cfg=None,
        val_dataloader=None,
        val_evaluator=None,
        custom_hooks=[
            {'type': 'BufferRecorder', 'tag': 'before', 'priority': 'ABOVE_NORMAL'},
            {'type': 'SyncBuffersHook'},
            {'type': 'BufferRecorder', 'tag': 'after', 'priority': 'BELOW_NORMAL'},
        ],
    )
    Runner.from_cfg(cfg).train()
    return {tag: records[0] for tag, records in BufferRecorder.records.items()}


def _resume_cfg(work_dir: str, **overrides: Any) -> dict[str, Any]:
    """Iteration-based, BatchNorm, dropout and a different seed per rank, a checkpoint every
    4 iterations (6 iterations per pass over the data)."""
    settings: dict[str, Any] = {
        'model': {'type': 'DistTestBNClassifier'},
        'randomness': {'seed': 3, 'diff_rank_seed': True},
        'train_cfg': {'by_epoch': False, 'max_iters': 12, 'val_interval': 100},
        'log_processor': {'by_epoch': False},
        'default_hooks': {
            'logger': {'type': 'LoggerHook', 'interval': 5},
            'checkpoint': {'type': 'CheckpointHook', 'interval': 4, 'by_epoch': False},
        },
    }
    settings.update(overrides)
    return base_cfg(work_dir, 8, **settings)


def resume(out: str) -> dict:
    """An uninterrupted run, a run resumed from its mid-pass checkpoint iter_4.pth, and an
    automatic resume (rank 0 finds the latest checkpoint of a work dir)."""
    import torch.distributed as dist

    full_dir = os.path.join(out, 'resume_full')
    full = Runner.from_cfg(_resume_cfg(full_dir))
    full.train()
    result = {'full': final_state(full), 'full_rng': torch.get_rng_state(), 'seed': full.seed}

    resumed = Runner.from_cfg(
        _resume_cfg(
            os.path.join(out, 'resume_from_4'),
            load_from=os.path.join(full_dir, 'iter_4.pth'),
            resume=True,
        )
    )
    resumed.train()
    result['resumed'] = final_state(resumed)
    result['resumed_rng'] = torch.get_rng_state()

    auto_dir = os.path.join(out, 'resume_auto')
    if dist.get_rank() == 0:
        os.makedirs(auto_dir)
        shutil.copy(os.path.join(full_dir, 'iter_8.pth'), auto_dir)
    dist.barrier()
    auto = Runner.from_cfg(_resume_cfg(auto_dir, resume=True))
    auto.train()
    result['auto'] = final_state(auto)
    dist.barrier()  # rank 0 writes the files; the others list them only once it is done
    result['auto_started_at'] = sorted(
        name for name in os.listdir(auto_dir) if name.startswith('iter_')
    )
    return result


def interrupt(out: str) -> dict:
    """Rank 1 alone gets SIGTERM after iteration 3: both ranks stop after iteration 10."""
    cfg = _resume_cfg(
        os.path.join(out, 'interrupt'),
        train_cfg={'by_epoch': False, 'max_iters': 30, 'val_interval': 100},
        custom_hooks=[{'type': 'SignalOnRank', 'rank': 1, 'at': 3}],
    )
    runner = Runner.from_cfg(cfg)
    try:
        runner.train()
    except TrainingInterrupted as exc:
        return {'stopped_at': runner.iter, 'checkpoint': exc.checkpoint, 'signum': exc.signum}
    return {'stopped_at': None}


SCENARIOS: dict[str, Callable[[str], dict]] = {
    'equal_weights': equal_weights,
    'accumulation': accumulation,
    'sync_buffers': sync_buffers,
    'resume': resume,
    'interrupt': interrupt,
}


# -- what rank 1 writes ----------------------------------------------------------------------

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_WRITE_EVENTS = ('os.mkdir', 'os.rename', 'os.remove', 'os.rmdir', 'shutil.copyfile')


def audit_writes(root: str) -> list[tuple[str, str]]:
    """Start recording every file-system change under ``root`` in this process (an audit hook:
    opening for writing, creating directories, renaming, removing)."""
    events: list[tuple[str, str]] = []
    root = os.path.abspath(root)

    def under_root(path: Any) -> bool:
        return isinstance(path, (str, bytes, os.PathLike)) and os.path.abspath(
            os.fsdecode(path)
        ).startswith(root)

    def hook(event: str, args: tuple) -> None:
        if event == 'open' and under_root(args[0]):
            mode, flags = args[1], args[2]
            writing = (mode is not None and any(c in str(mode) for c in 'wax+')) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if writing:
                events.append((event, os.fsdecode(args[0])))
        elif event in _WRITE_EVENTS and args and under_root(args[0]):
            events.append((event, os.fsdecode(args[0])))

    sys.addaudithook(hook)
    return events


# -- process management ----------------------------------------------------------------------


@contextlib.contextmanager
def single_rank_group(monkeypatch) -> Iterator[None]:
    """A real one-process gloo group in this process, set up by ``init_dist`` from the
    environment torchrun would give a single worker (and destroyed afterwards)."""
    import torch.distributed as dist

    from cadence.dist import init_dist

    for name, value in (('RANK', '0'), ('WORLD_SIZE', '1'), ('LOCAL_RANK', '0')):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv('MASTER_ADDR', '127.0.0.1')
    monkeypatch.setenv('MASTER_PORT', str(free_port()))
    init_dist('pytorch', backend='gloo', timeout=60)
    try:
        yield
    finally:
        dist.destroy_process_group()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _worker(rank: int, world_size: int, port: int, out: str, names: list[str]) -> None:
    os.environ.update(
        RANK=str(rank),
        WORLD_SIZE=str(world_size),
        LOCAL_RANK=str(rank),
        MASTER_ADDR='127.0.0.1',
        MASTER_PORT=str(port),
    )
    torch.set_num_threads(1)
    for name in names:
        try:
            result: Any = SCENARIOS[name](out)
        except Exception:
            result = {'error': traceback.format_exc()}
        torch.save(result, os.path.join(out, f'{name}.rank{rank}.pt'))
    import torch.distributed as dist

    if dist.is_initialized():
        dist.destroy_process_group()


def spawn(out: str, names: list[str], world_size: int = 2) -> None:
    """Run ``names`` in ``world_size`` fresh processes (one process group for all of them)."""
    mp.spawn(_worker, args=(world_size, free_port(), out, names), nprocs=world_size, join=True)


def load(out: str, name: str, rank: int) -> dict:
    """A scenario's result on ``rank``; a failure there fails the test with its traceback."""
    path = os.path.join(out, f'{name}.rank{rank}.pt')
    result = torch.load(path, weights_only=False)
    if isinstance(result, dict) and 'error' in result:
        raise AssertionError(f'{name} failed on rank {rank}:\n{result["error"]}')
    return result
