"""``schedule_values``: the preview's numbers, from a config alone."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from cadence.errors import ConfigError
from cadence.optim.scheduler import schedule_values
from cadence.optim.scheduler.preview import ScheduleValues
from cadence.optim.scheduler.training import TrainingLength
from cadence.registry import MODELS

GOLDEN = Path(__file__).parents[2] / 'reference' / 'golden' / 'schedules'


def config(param_scheduler, train_cfg, optimizer=None, **extra):
    optimizer = optimizer or dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4)
    return dict(optim_wrapper=dict(optimizer=optimizer), param_scheduler=param_scheduler,
                train_cfg=train_cfg, **extra)  # fmt: skip


@pytest.mark.parametrize('name', ['seed_warmup_iter_then_multistep', 'seed_lr_and_momentum',
                                  'adam_momentum_cosine', 'seed_param_weight_decay'])  # fmt: skip
def test_preview_matches_the_reference_numbers(name):
    data = json.loads((GOLDEN / f'{name}.json').read_text())
    case = data['case']
    by_epoch = case['max_iters'] is None
    train_cfg = (dict(by_epoch=True, max_epochs=case['max_epochs']) if by_epoch
                 else dict(by_epoch=False, max_iters=case['max_iters']))  # fmt: skip
    preview = schedule_values(
        config(case['param_scheduler'], train_cfg, case['optimizer']),
        epoch_length=case['epoch_length'],
    )
    for key in ('lr', 'momentum', 'weight_decay'):
        expected = [row[key]['head.weight'] for row in data['values']]
        np.testing.assert_allclose(preview.values[key][:, 0], expected, rtol=1e-9, atol=0)


def test_turning_points_of_warmup_then_multistep():
    preview = schedule_values(
        config([dict(type='LinearLR', start_factor=0.001, by_epoch=False, end=50),
                dict(type='MultiStepLR', milestones=[8, 11], gamma=0.1)],
               dict(by_epoch=True, max_epochs=12)),
        epoch_length=10,
    )  # fmt: skip
    points = [(p.iteration, p.label) for p in preview.turning_points('lr')]
    assert points == [
        (0, 'start'), (49, 'LinearLR ends'), (80, 'MultiStepLR milestone 8'),
        (110, 'MultiStepLR milestone 11'), (119, 'final value'),
    ]  # fmt: skip
    assert preview.turning_points('lr')[1].values == pytest.approx((0.1,))
    assert preview.epochs()[80] == 8.0
    assert preview.iterations == 120


def test_iteration_based_config_needs_no_epoch_length():
    preview = schedule_values(
        config(dict(type='CosineAnnealingLR', by_epoch=False, T_max=100), dict(by_epoch=False, max_iters=300))
    )  # fmt: skip
    assert preview.epoch_length is None and preview.epochs() is None
    labels = [p.label for p in preview.turning_points('lr')]
    assert 'CosineAnnealingLR trough (rises again)' in labels
    assert preview.values['lr'][100, 0] == 0.0


def test_epoch_length_from_dataset_size_is_floored_like_the_reference():
    cfg = config(dict(type='MultiStepLR', milestones=[1]), dict(by_epoch=True, max_epochs=2),
                 train_dataloader=dict(batch_size=32))  # fmt: skip
    preview = schedule_values(cfg, dataset_size=1437)
    assert preview.epoch_length == 44
    assert any('runs 45 iterations per epoch' in n for n in preview.notes)
    assert schedule_values(cfg, dataset_size=1437, world_size=2).epoch_length == 22


def test_missing_epoch_length_says_what_to_pass():
    cfg = config(dict(type='MultiStepLR', milestones=[1]), dict(by_epoch=True, max_epochs=2),
                 train_dataloader=dict(batch_size=32, dataset=dict(type='NoSuchDataset')))  # fmt: skip
    with pytest.raises(ConfigError) as info:
        schedule_values(cfg)
    assert "the dataset type 'NoSuchDataset' cannot be counted: it is not registered" in str(
        info.value
    )
    assert '--epoch-length N' in str(info.value) and '--dataset-size N' in str(info.value)


def test_train_cfg_errors():
    with pytest.raises(ConfigError, match='the config has no train_cfg'):
        schedule_values(dict(optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1))))
    with pytest.raises(ConfigError, match='iteration-based training needs max_iters'):
        schedule_values(config(None, dict(type='IterBasedTrainLoop')))
    with pytest.raises(ConfigError, match='neither registered nor in torch.optim'):
        schedule_values(config(None, dict(by_epoch=False, max_iters=3), dict(type='SGDD', lr=0.1)))


def test_adam_momentum_is_beta1_and_missing_keys_are_left_out():
    adam = schedule_values(config(dict(type='CosineAnnealingMomentum', by_epoch=False, eta_min=0.8),
                                  dict(by_epoch=False, max_iters=10), dict(type='Adam', lr=1e-3)))  # fmt: skip
    assert adam.values['momentum'][0, 0] == 0.9 and adam.values['momentum'][9, 0] < 0.9
    adagrad = schedule_values(config(None, dict(by_epoch=False, max_iters=10),
                                     dict(type='Adagrad', lr=1e-3)))  # fmt: skip
    assert 'momentum' not in adagrad.values and 'lr' in adagrad.values


def test_plateau_is_shown_without_reductions():
    preview = schedule_values(config(dict(type='ReduceOnPlateauLR', patience=0),
                                     dict(by_epoch=True, max_epochs=3)), epoch_length=2)  # fmt: skip
    assert np.all(preview.values['lr'] == 0.1)
    assert any('no reductions' in n for n in preview.notes)


def test_distinct_groups_merge_identical_curves():
    values = {'lr': np.array([[1.0, 2.0, 1.0], [0.5, 1.0, 0.5]])}
    preview = ScheduleValues(values, ['a', 'b', 'c'], TrainingLength(False, None, 2, None, 2))
    assert preview.distinct_groups('lr') == [('lr [a, c]', 0), ('lr [b]', 1)]


def test_csv_holds_exact_values(tmp_path):
    preview = schedule_values(config(dict(type='CosineAnnealingLR', by_epoch=False, eta_min=1e-5),
                                     dict(by_epoch=False, max_iters=50)))  # fmt: skip
    path = tmp_path / 'v.csv'
    preview.to_csv(path, ['lr', 'momentum'])
    header = path.read_text().splitlines()[0]
    assert header == 'iteration,lr,momentum'
    table = np.loadtxt(path, delimiter=',', skiprows=1)
    assert np.array_equal(table[:, 1], preview.values['lr'][:, 0])


class MetaTwoLayer(torch.nn.Module):
    """A model for the meta-device path (registered only inside one test)."""

    def __init__(self, width: int = 4) -> None:
        super().__init__()
        self.backbone = torch.nn.Linear(width, width)
        self.head = torch.nn.Linear(width, 2)


def test_model_on_meta_device_gives_the_real_groups(monkeypatch):
    built = {}

    def fake_build_optim_wrapper(model, cfg):
        built['device'] = next(model.parameters()).device.type
        lr = cfg['optimizer']['lr']
        return torch.optim.SGD([{'params': model.backbone.parameters()},
                                {'params': model.head.parameters(), 'lr': lr * 10}], lr=lr)  # fmt: skip

    import cadence.optim as optim

    monkeypatch.setattr(optim, 'build_optim_wrapper', fake_build_optim_wrapper, raising=False)
    MODELS.register_module(module=MetaTwoLayer, force=True)
    try:
        preview = schedule_values(config(dict(type='LinearLR', start_factor=0.5, by_epoch=False, end=3),
                                         dict(by_epoch=False, max_iters=5), model=dict(type='MetaTwoLayer')))  # fmt: skip
    finally:
        MODELS._module_dict.pop('MetaTwoLayer', None)
    assert built['device'] == 'meta'
    assert preview.group_labels == ['group 0 (backbone.weight +1)', 'group 1 (head.weight +1)']
    assert preview.values['lr'][0].tolist() == pytest.approx([0.05, 0.5])
    assert not any('one param group' in n for n in preview.notes)
    assert math.isclose(preview.values['lr'][4, 1], 1.0)


@pytest.mark.parametrize('path', sorted(GOLDEN.glob('*.json')), ids=lambda p: p.stem)
def test_preview_is_bit_identical_to_stepping(path):
    """schedule_values == the Runner's step-by-step driving of the same schedulers."""
    from scheduler_helpers import drive

    from cadence.optim.scheduler import build_param_schedulers
    from cadence.optim.scheduler.training import optimizer_for_preview

    case = json.loads(path.read_text())['case']
    by_epoch = case['max_iters'] is None
    train_cfg = (dict(by_epoch=True, max_epochs=case['max_epochs']) if by_epoch
                 else dict(by_epoch=False, max_iters=case['max_iters']))  # fmt: skip
    cfg = config(case['param_scheduler'], train_cfg, case['optimizer'])
    preview = schedule_values(cfg, epoch_length=case['epoch_length'])
    optimizer = optimizer_for_preview(cfg)[0]
    length = case['epoch_length']
    iterations = preview.iterations
    schedulers = build_param_schedulers(
        optimizer, case['param_scheduler'], epoch_length=length, max_epochs=case['max_epochs'],
        max_iters=iterations, train_by_epoch=by_epoch,
    )  # fmt: skip
    stepped = drive(schedulers, optimizer, iterations, length if by_epoch else None,
                    ('lr', 'momentum', 'weight_decay'), by_epoch)  # fmt: skip
    for key, rows in stepped.items():
        assert np.array_equal(preview.values[key], np.array(rows)), key


def test_a_registry_that_fails_to_import_degrades_to_a_clear_message(monkeypatch):
    from cadence.registry import DATASETS, MODELS

    def broken(name):
        raise ModuleNotFoundError("No module named 'cadence.dist'")

    import cadence.optim as optim

    monkeypatch.setattr(DATASETS, 'get', broken)
    monkeypatch.setattr(MODELS, 'get', broken)
    monkeypatch.setattr(optim, 'build_optim_wrapper', lambda model, cfg: None, raising=False)
    cfg = config(dict(type='MultiStepLR', milestones=[1]), dict(by_epoch=True, max_epochs=2),
                 model=dict(type='MLPClassifier'),
                 train_dataloader=dict(batch_size=32, dataset=dict(type='DigitsDataset')))  # fmt: skip
    with pytest.raises(ConfigError, match=r'looking it up failed \(ModuleNotFoundError'):
        schedule_values(cfg)
    preview = schedule_values(cfg, epoch_length=4)
    assert any("the model type 'MLPClassifier' cannot be built" in n for n in preview.notes)
