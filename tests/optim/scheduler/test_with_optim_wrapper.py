"""Schedulers on the real ``OptimWrapper`` (reference §2.1): the base-lr pseudo-group follows the
schedule, per-group arguments extend to it, and resume goes through the wrapper's state dict."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch

from cadence.optim import build_optim_wrapper
from cadence.optim.scheduler import (
    OneCycleLR,
    ReduceOnPlateauLR,
    build_param_schedulers,
    restore_schedulers,
    schedule_values,
    step_after_train_epoch,
    step_after_train_iter,
)
from cadence.registry import MODELS

PARAMWISE = {'custom_keys': {'head': {'lr_mult': 10.0, 'decay_mult': 0.5}}}
SCHEDULE = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, end=15),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=3, eta_min_ratio=0.01,
         convert_to_iter_based=True),
]  # fmt: skip


def model() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.ModuleDict({'backbone': torch.nn.Linear(2, 2), 'head': torch.nn.Linear(2, 1)})


def wrapper(optimizer=None):
    cfg = {'optimizer': optimizer or dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4),
           'paramwise_cfg': PARAMWISE}  # fmt: skip
    return build_optim_wrapper(model(), cfg)


def run(wrapped, schedulers, start, stop, epoch_length=5):
    rows = []
    for iteration in range(start, stop):
        rows.append(wrapped.get_lr()['base_lr'] + wrapped.get_lr()['lr'])
        step_after_train_iter(schedulers)
        if (iteration + 1) % epoch_length == 0:
            step_after_train_epoch(schedulers)
    return rows


def test_base_lr_pseudo_group_follows_the_schedule():
    wrapped = wrapper()
    assert wrapped.base_param_settings is not None
    schedulers = build_param_schedulers(wrapped, SCHEDULE, epoch_length=5, max_epochs=12,
                                        max_iters=60)  # fmt: skip
    rows = np.array(run(wrapped, schedulers, 0, 60))
    base, backbone, head = rows[:, 0], rows[:, 1], rows[:, 2]
    np.testing.assert_allclose(backbone, base, rtol=1e-12)
    np.testing.assert_allclose(head, 10 * base, rtol=1e-12)
    assert base[0] == pytest.approx(0.001) and base[14] == pytest.approx(0.1)


def test_resume_through_the_wrapper_state_dict_is_bit_identical():
    wrapped = wrapper()
    schedulers = build_param_schedulers(wrapped, SCHEDULE, epoch_length=5, max_epochs=12,
                                        max_iters=60)  # fmt: skip
    expected = run(wrapped, schedulers, 0, 60)

    wrapped = wrapper()
    schedulers = build_param_schedulers(wrapped, SCHEDULE, epoch_length=5, max_epochs=12,
                                        max_iters=60)  # fmt: skip
    first = run(wrapped, schedulers, 0, 23)
    buffer = io.BytesIO()
    torch.save({'optimizer': wrapped.state_dict(),
                'param_schedulers': [s.state_dict() for s in schedulers]}, buffer)  # fmt: skip
    buffer.seek(0)
    saved = torch.load(buffer, weights_only=True)

    wrapped = wrapper()
    schedulers = build_param_schedulers(wrapped, SCHEDULE, epoch_length=5, max_epochs=12,
                                        max_iters=60)  # fmt: skip
    wrapped.load_state_dict(saved['optimizer'])  # replaces the pseudo-group dict
    restore_schedulers(schedulers, saved['param_schedulers'])
    assert first + run(wrapped, schedulers, 23, 60) == expected


def test_per_group_arguments_extend_to_the_pseudo_group():
    wrapped = wrapper()
    plateau = ReduceOnPlateauLR(wrapped, monitor='m', patience=0, factor=0.5, min_value=[0.06, 0.2])
    assert plateau.min_values == [0.06, 0.2, 0.2]
    plateau.step({'m': 1.0})
    plateau.step({'m': 1.0})
    # the base lr 0.1 is below its minimum 0.2: a reduction never raises a value
    assert wrapped.get_lr() == {'base_lr': [0.1], 'lr': [0.06, 0.5]}

    cycle = OneCycleLR(wrapper(), eta_max=[1.0, 10.0], total_steps=10)
    assert cycle._bases == [1.0, 10.0, 10.0]


def test_momentum_of_adam_through_the_wrapper():
    wrapped = wrapper(dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.05))
    build_param_schedulers(wrapped, dict(type='LinearMomentum', start_factor=0.5, end=3),
                           max_epochs=3)  # fmt: skip
    assert wrapped.get_momentum() == {'momentum': [0.45, 0.45]}
    assert wrapped.base_param_settings['betas'] == (0.45, 0.999)


class PreviewNet(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.backbone = torch.nn.Linear(4, 4)
        self.head = torch.nn.Linear(4, 2)


def test_preview_builds_the_real_groups_on_the_meta_device():
    MODELS.register_module(module=PreviewNet, force=True)
    try:
        preview = schedule_values(dict(
            model=dict(type='PreviewNet'),
            optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9), paramwise_cfg=PARAMWISE),
            param_scheduler=SCHEDULE,
            train_cfg=dict(by_epoch=True, max_epochs=12),
        ), epoch_length=5)  # fmt: skip
    finally:
        MODELS._module_dict.pop('PreviewNet', None)
    assert preview.group_labels == ['group 0 (backbone.weight +1)', 'group 1 (head.weight +1)']
    curves = preview.distinct_groups('lr')
    assert [label for label, _ in curves] == ['lr [group 0 (backbone.weight +1)]',
                                              'lr [group 1 (head.weight +1)]']  # fmt: skip
    np.testing.assert_allclose(preview.values['lr'][:, 1], 10 * preview.values['lr'][:, 0],
                               rtol=1e-12)  # fmt: skip
