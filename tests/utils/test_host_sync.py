"""Host synchronisations per training iteration: none outside the logging iterations."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from cadence.model import BaseModel
from cadence.registry import MODELS
from cadence.runner import Runner
from cadence.utils import HostSyncCounter, SyncsPerIteration
from support.runs import digits_cfg

pytest.importorskip('sklearn')


def _cfg(work_dir, **overrides):
    cfg = digits_cfg(
        work_dir,
        train_dataloader={
            'batch_size': 16,
            'sampler': {'type': 'DefaultSampler', 'shuffle': True},
            'dataset': {'type': 'DigitsDataset', 'split': 'train', 'indices': 192},
            'collate_fn': {'type': 'default_collate'},
        },
        optim_wrapper={
            'optimizer': {'type': 'SGD', 'lr': 0.1, 'momentum': 0.9, 'weight_decay': 1e-4},
            'clip_grad': {'max_norm': 5.0},
        },
        param_scheduler=[
            {'type': 'LinearLR', 'start_factor': 0.1, 'by_epoch': False, 'begin': 0, 'end': 8},
            {'type': 'CosineAnnealingLR', 'by_epoch': True, 'begin': 0, 'end': 2},
        ],
        default_hooks={
            'logger': {'type': 'LoggerHook', 'interval': 4},
            'checkpoint': {'type': 'CheckpointHook', 'interval': 1},
        },
        train_cfg={'by_epoch': True, 'max_epochs': 2},
    )
    cfg.update(overrides)
    return cfg


def _train(cfg) -> dict[str, int]:
    runner = Runner.from_cfg(cfg)
    counter = HostSyncCounter()
    recorder = SyncsPerIteration(counter, cuda_debug_mode='error')
    runner.register_hook(recorder)
    with counter:
        runner.train()
    return recorder.summary()


def test_iterations_between_logging_intervals_do_not_synchronise(tmp_path):
    summary = _train(_cfg(tmp_path))
    # 12 batches per epoch, a line every 4: iterations 4, 8, 12 of each epoch log
    assert summary['quiet_iterations'] == 2 * 9 and summary['logging_iterations'] == 5
    assert summary['syncs_in_quiet_iterations'] == 0
    assert summary['syncs_in_logging_iterations'] > 0  # the logged values are read there


@MODELS.register_module(force=True)
class _ReadsItsLoss(BaseModel):
    """A model that calls .item() in forward: the check must see it."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(64, 10)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        logits = self.linear(inputs.flatten(1))
        if mode == 'loss':
            loss = nn.functional.cross_entropy(logits, torch.as_tensor(data_samples))
            if loss.item() > 1e9:  # a host read every iteration
                raise AssertionError
            return {'loss': loss}
        return logits


def test_a_model_that_reads_a_value_every_iteration_is_caught(tmp_path):
    cfg = _cfg(tmp_path, model={'type': '_ReadsItsLoss'})
    cfg.update(val_dataloader=None, val_cfg=None, val_evaluator=None)
    summary = _train(cfg)
    assert summary['syncs_in_quiet_iterations'] == summary['quiet_iterations']
