"""Training behaviour of the Runner: non-finite losses stop the run before weights are saved,
auto_scale_lr with accumulation, AMP on CPU, randomness."""

from __future__ import annotations

import os

import pytest
import torch

from cadence.model import MLPClassifier
from cadence.runner import Runner
from support.runs import digits_cfg, train


class NaNAfter(MLPClassifier):
    """An MLP whose loss becomes NaN from its ``bad``-th training step on."""

    def __init__(self, bad):
        super().__init__(hidden_dims=(16,))
        self.bad, self.steps = bad, 0

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = super().forward(inputs, data_samples, mode)
        if mode == 'loss':
            self.steps += 1
            if self.steps > self.bad:
                out['loss'] = out['loss'] * float('nan')
        return out


def _nonfinite_error():
    from cadence.optim import NonFiniteLossError

    return NonFiniteLossError


def test_non_finite_loss_stops_at_the_logging_interval(tmp_path):
    cfg = digits_cfg(tmp_path, model=NaNAfter(bad=5))
    cfg['default_hooks']['checkpoint'] = {
        'type': 'CheckpointHook',
        'interval': 4,
        'by_epoch': False,
    }
    with pytest.raises(_nonfinite_error(), match=r'iteration 6 \(runner.iter=5\)'):
        train(cfg)
    assert sorted(n for n in os.listdir(tmp_path) if n.endswith('.pth')) == ['iter_4.pth']


def test_non_finite_loss_is_caught_before_a_checkpoint_save(tmp_path):
    cfg = digits_cfg(tmp_path, model=NaNAfter(bad=4))
    cfg['default_hooks'] = {
        'logger': {'type': 'LoggerHook', 'interval': 1000},
        'checkpoint': {'type': 'CheckpointHook', 'interval': 1},
    }
    with pytest.raises(_nonfinite_error(), match='runner.iter=4'):
        train(cfg)
    assert not [n for n in os.listdir(tmp_path) if n.endswith('.pth')]


def test_non_finite_loss_is_caught_at_the_end_of_training(tmp_path):
    cfg = digits_cfg(
        tmp_path, model=NaNAfter(bad=17), train_cfg={'by_epoch': True, 'max_epochs': 3}
    )
    cfg['default_hooks'] = {'logger': {'type': 'LoggerHook', 'interval': 1000}, 'checkpoint': None}
    with pytest.raises(_nonfinite_error(), match='runner.iter=17'):
        train(cfg)


def test_auto_scale_lr_counts_accumulation_and_scales_the_base_lr(tmp_path):
    cfg = digits_cfg(
        tmp_path,
        optim_wrapper={
            'optimizer': {'type': 'SGD', 'lr': 0.1, 'momentum': 0.9, 'weight_decay': 1e-4},
            'paramwise_cfg': {'norm_decay_mult': 0.0},
            'accumulative_counts': 2,
        },
        auto_scale_lr={'enable': True, 'base_batch_size': 64},
        train_cfg={'by_epoch': True, 'max_epochs': 1},
    )
    runner = Runner.from_cfg(cfg)
    seen = {}

    from cadence.hooks import Hook

    class Record(Hook):
        def before_train_iter(self, runner, batch_idx, data_batch=None):
            seen.setdefault('lr', runner.optim_wrapper.get_lr())

    runner.register_hook(Record())
    runner.train()
    # total batch 1 rank x 16 x 2 accumulation = 32 for a base of 64: every lr halves
    assert seen['lr']['lr'] == [pytest.approx(0.05)] * len(seen['lr']['lr'])
    assert seen['lr']['base_lr'] == [pytest.approx(0.05)]
    assert len(seen['lr']['lr']) > 1  # the norm rule made several groups


def test_amp_on_cpu_trains_in_bfloat16(tmp_path):
    from cadence.optim import AmpOptimWrapper

    cfg = digits_cfg(
        tmp_path,
        optim_wrapper={
            'type': 'AmpOptimWrapper',
            'loss_scale': 'dynamic',
            'optimizer': {'type': 'SGD', 'lr': 0.1, 'momentum': 0.9},
        },
    )
    runner = train(cfg)
    assert isinstance(runner.optim_wrapper, AmpOptimWrapper)
    assert runner.optim_wrapper.cast_dtype is torch.bfloat16
    assert torch.isfinite(runner.message_hub.get_scalar('train/loss').mean(5) * torch.ones(1)).all()


def test_same_seed_same_run_and_deterministic_mode(tmp_path):
    first = train(digits_cfg(tmp_path / 'a', randomness={'seed': 3, 'deterministic': True}))
    second = train(digits_cfg(tmp_path / 'b', randomness={'seed': 3}))
    for key, value in first.model.state_dict().items():
        assert torch.equal(value, second.model.state_dict()[key])
    torch.use_deterministic_algorithms(False)
    third = train(digits_cfg(tmp_path / 'c', randomness={'seed': 4}))
    assert not torch.equal(
        third.model.state_dict()['head.fc.weight'], first.model.state_dict()['head.fc.weight']
    )
