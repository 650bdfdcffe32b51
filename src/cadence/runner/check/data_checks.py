"""Data and loops: dataset sizes, batch sizes, iterations per epoch on each of ``world_size``
processes, total iterations, optimizer updates and the global batch; ``auto_scale_lr``.

Dataloaders and loops are built exactly as the Runner builds them (the datasets are read, no
batch is loaded); the loops get no Runner, as their constructors only store it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

from ...dataset import DefaultSampler, build_dataloader, index_sampler
from ...registry import LOOPS
from ..config_check import TRIPLETS, train_loop_cfg
from ..loops import EpochBasedTrainLoop
from ..optim_setup import accumulative_counts, scale_lr
from .context import CheckContext, optimizer_wrappers
from .findings import capture_warnings
from .report import DataSummary, LoaderInfo


def batches_per_process(loader: Any, world_size: int) -> int:
    """Batches one process takes in a pass over ``loader`` when ``world_size`` processes
    share it (``len(loader)`` in this single process)."""
    sampler = index_sampler(loader)
    if world_size == 1 or not isinstance(sampler, DefaultSampler) or loader.batch_size is None:
        return len(loader)
    samples = math.ceil(len(sampler.dataset) / world_size)  # rank 0's share, as DefaultSampler
    if loader.drop_last:
        return samples // loader.batch_size
    return math.ceil(samples / loader.batch_size)


def _loader_info(stage: str, loader: Any, world_size: int) -> LoaderInfo:
    sampler = index_sampler(loader)
    name = type(sampler).__name__
    if getattr(sampler, 'shuffle', False):
        name += ' (shuffle)'
    dataset = loader.dataset
    return LoaderInfo(
        stage=stage,
        dataset=type(dataset).__name__,
        samples=len(dataset) if hasattr(dataset, '__len__') else None,
        batch_size=loader.batch_size,
        sampler=name,
        drop_last=bool(loader.drop_last),
        batches=batches_per_process(loader, world_size),
    )


def _note_round_up(stage: str, loader: Any, world_size: int, data: DataSummary) -> None:
    sampler = index_sampler(loader)
    size = len(loader.dataset)
    if world_size > 1 and isinstance(sampler, DefaultSampler) and size % world_size:
        extra = math.ceil(size / world_size) * world_size - size
        if sampler.round_up:
            data.notes.append(
                f'{stage}: DefaultSampler repeats {extra} sample(s) so that each '
                f'of the {world_size} processes gets as many'
            )
        else:
            data.notes.append(
                f'{stage}: without round_up, the last {extra} process(es) get one sample fewer'
            )


def check_data(ctx: CheckContext) -> None:
    """Build each dataloader and loop; count samples, batches, iterations and updates."""
    values, findings = ctx.values, ctx.findings
    seed = (values.get('randomness') or {}).get('seed') or 0
    data = ctx.report.data = DataSummary(world_size=ctx.world_size)
    for stage, (loader_key, loop_key, third_key) in TRIPLETS.items():
        loader_cfg = values.get(loader_key)
        if loader_cfg is None or findings.has_error_under(loader_key):
            continue
        with findings.catching():
            loader = build_dataloader(loader_cfg, seed=seed, key_path=loader_key)
            ctx.loaders[stage] = loader
            data.loaders.append(_loader_info(stage, loader, ctx.world_size))
            _note_round_up(stage, loader, ctx.world_size, data)
            if stage == 'train':
                _epoch_length(ctx, loader)
        loop_cfg = values.get(loop_key)
        if stage not in ctx.loaders or loop_cfg is None or findings.has_error_under(loop_key):
            continue
        with findings.catching():
            if stage == 'train':
                _train_loop(ctx, loop_cfg, ctx.loaders[stage])
            else:
                cfg = {'type': 'ValLoop' if stage == 'val' else 'TestLoop', **loop_cfg}
                args = {'runner': None, 'dataloader': ctx.loaders[stage]}
                args['evaluator'] = values.get(third_key)
                LOOPS.build(cfg, default_args=args, key_path=loop_key)
    if ctx.training.max_epochs is None and ctx.training.max_iters is None:
        _training_from_config(ctx)
    _count_updates(ctx, data)


def _train_loop(ctx: CheckContext, loop_cfg: Mapping[str, Any], loader: Any) -> None:
    loop = LOOPS.build(
        train_loop_cfg(loop_cfg),
        default_args={'runner': None, 'dataloader': loader},
        key_path='train_cfg',
    )
    training = ctx.training
    training.by_epoch = isinstance(loop, EpochBasedTrainLoop)
    training.batch_size = loop.batch_size
    if training.by_epoch:
        training.max_epochs = loop.max_epochs
        training.max_iters = training.iterations
    else:
        training.max_iters = loop.max_iters
    if ctx.values.get('val_cfg') is not None and ctx.values.get('val_dataloader') is not None:
        unit = 'epoch' if training.by_epoch else 'iteration'
        ctx.report.data.val_every = (
            f'every {loop.val_interval} {unit}(s), from {unit} {loop.val_begin} on, and at the end'
        )


def _epoch_length(ctx: CheckContext, loader: Any) -> None:
    """Iterations per epoch on each process, and the batch size, from the train loader."""
    length = batches_per_process(loader, ctx.world_size)
    ctx.training.batch_size = getattr(loader.batch_sampler, 'batch_size', None) or (
        loader.batch_size or 1
    )
    if length == 0:
        ctx.findings.error(
            f'yields no batches: {len(loader.dataset)} samples, batch_size {loader.batch_size}, '
            f'drop_last={loader.drop_last}, {ctx.world_size} process(es)',
            'train_dataloader',
        )
        return
    ctx.training.epoch_length = length


def _training_from_config(ctx: CheckContext) -> None:
    """Training length straight from ``train_cfg`` when the loop could not be built."""
    train_cfg = ctx.values.get('train_cfg')
    if not isinstance(train_cfg, Mapping):
        return
    try:
        cfg = train_loop_cfg(train_cfg)
    except Exception:
        return
    ctx.training.by_epoch = cfg['type'] in ('EpochBasedTrainLoop', EpochBasedTrainLoop)
    training = ctx.training
    if training.by_epoch and isinstance(cfg.get('max_epochs'), int) and cfg['max_epochs'] > 0:
        training.max_epochs = cfg['max_epochs']
        training.max_iters = training.iterations
    if not training.by_epoch and isinstance(cfg.get('max_iters'), int) and cfg['max_iters'] > 0:
        training.max_iters = cfg['max_iters']


def _count_updates(ctx: CheckContext, data: DataSummary) -> None:
    training = ctx.training
    data.by_epoch = training.by_epoch
    data.max_epochs = training.max_epochs
    data.epoch_length = training.epoch_length
    data.iterations = training.iterations
    optim_cfg = ctx.values.get('optim_wrapper')
    if ctx.optim_wrapper is None or training.batch_size is None:
        return
    for name, wrapper in optimizer_wrappers(ctx.optim_wrapper).items():
        counts = accumulative_counts(wrapper)
        if ctx.stand_in is not None and isinstance(optim_cfg, Mapping):
            configured = optim_cfg.get('accumulative_counts', 1)
            counts = configured if isinstance(configured, int) and configured > 0 else 1
        data.accumulation[name] = counts
        data.global_batch[name] = training.batch_size * ctx.world_size * counts
        if data.iterations is not None:
            # An update after every `counts` iterations, and after the last one.
            data.updates[name] = math.ceil(data.iterations / counts)
    if ctx.stand_in is None and ctx.model is not None and data.iterations:
        path = 'optim_wrapper.accumulative_counts'
        with capture_warnings(ctx.findings, ctx.cfg, path), ctx.findings.catching():
            ctx.optim_wrapper.initialize_count_status(ctx.model, 0, data.iterations)
    _auto_scale_lr(ctx, data)


def _auto_scale_lr(ctx: CheckContext, data: DataSummary) -> None:
    """Scale the lrs as the Runner would (before the schedulers are built), and say so."""
    cfg = ctx.values.get('auto_scale_lr')
    if not isinstance(cfg, Mapping) or ctx.findings.has_error_under('auto_scale_lr'):
        return
    base = cfg.get('base_batch_size')
    totals = set(data.global_batch.values())
    total = ', '.join(str(t) for t in sorted(totals))
    if not cfg.get('enable', False):
        if isinstance(base, int) and totals and totals != {base}:
            data.notes.append(
                f'auto_scale_lr is off: the lr is used as configured for a batch of {base}, '
                f'this run updates on {total} samples (--auto-scale-lr scales it)'
            )
        return
    silent = logging.Logger('cadence.check', level=logging.CRITICAL + 1)  # said below instead
    batch = ctx.training.batch_size * ctx.world_size
    scale_lr(ctx.optim_wrapper, cfg, batch, silent)
    ctx.lr_scaled = True
    ratios = ', '.join(f'{t / base:g}' for t in sorted(totals))
    ctx.report.param_notes.append(
        f'auto_scale_lr: every lr is multiplied by {ratios} (global batch {total} / '
        f'base_batch_size {base}); the values above are before scaling'
    )
