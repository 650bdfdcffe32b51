"""``check_config``: every error at once with key path and file:line; checks that keep going
when an earlier one failed; counts, groups and hook order equal to what the Runner builds."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils.data import DistributedSampler

from cadence.config import Config
from cadence.dataset import DigitsDataset
from cadence.hooks import Hook
from cadence.model import MLPClassifier
from cadence.optim import build_optim_wrapper, param_group_report
from cadence.registry import HOOKS, MODELS
from cadence.runner import Runner
from cadence.runner.check import check_config

ROOT = Path(__file__).parents[3]
DIGITS = ROOT / 'configs' / 'digits' / 'mlp_warmup_cosine.py'
TRAIN_SAMPLES = len(DigitsDataset(split='train'))


def write_config(tmp_path: Path, body: str, base: Path = DIGITS) -> Path:
    """A config file inheriting ``base``, with ``work_dir`` in ``tmp_path``."""
    path = tmp_path / 'config.py'
    path.write_text(f"_base_ = ['{base}']\nwork_dir = '{tmp_path / 'work'}'\n{body}")
    return path


def line_of(path: Path, text: str) -> int:
    """The 1-based line of ``path`` that contains ``text``."""
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


def by_path(report) -> dict:
    return {f.key_path: f for f in report.findings}


def test_three_independent_mistakes_are_three_errors_with_file_and_line(tmp_path):
    config = write_config(
        tmp_path,
        "optim_wrapper = dict(optimizer=dict(type='SDG', lr=0.1))\n"
        "custom_hooks = [dict(type='CheckpointHook', intervall=2)]\n"
        'param_scheduler = [\n'
        "    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=50, end=10),\n"
        ']\n',
    )
    report = check_config(config)
    errors = {f.key_path: f for f in report.errors}
    assert set(errors) == {'optim_wrapper.optimizer.type', 'custom_hooks.0', 'param_scheduler.0'}
    assert "'SDG'" in errors['optim_wrapper.optimizer.type'].message
    assert "Did you mean 'SGD'" in errors['optim_wrapper.optimizer.type'].message
    assert "'intervall'. Did you mean 'interval'" in errors['custom_hooks.0'].message
    assert 'begin=50, end=10' in errors['param_scheduler.0'].message
    name = config.name
    assert errors['optim_wrapper.optimizer.type'].location.endswith(
        f'{name}:{line_of(config, "SDG")}'
    )
    assert errors['custom_hooks.0'].location.endswith(f'{name}:{line_of(config, "intervall")}')
    assert errors['param_scheduler.0'].location.endswith(f'{name}:{line_of(config, "begin=50")}')
    assert report.exit_status() == 1


def test_a_model_that_cannot_be_built_does_not_stop_the_scheduler_checks(tmp_path):
    config = write_config(
        tmp_path,
        "model = dict(type='MLPClasifier', in_features=64)\n"
        'param_scheduler = [\n'
        "    dict(type='LinearLR', start_factor=0.01, by_epoch=False, end=90),\n"
        "    dict(type='CosineAnnealingLR', by_epoch=True, begin=2, eta_mn=0),\n"
        "    dict(type='MultiStepLR', by_epoch=True, milestones=[10], gamma=0.5),\n"
        ']\n',
    )
    report = check_config(config)
    errors = {f.key_path for f in report.errors}
    assert errors == {'model.type', 'param_scheduler.1'}
    assert "Did you mean 'eta_min'" in by_path(report)['param_scheduler.1'].message
    # the two good schedulers were built on the optimizer's configured values
    assert [w.key_path for w in report.windows] == ['param_scheduler.0', 'param_scheduler.2']
    assert any('stand-in' in note for note in report.schedule_notes)
    assert report.param_groups is None  # no model, no per-parameter report


def test_an_unknown_optimizer_still_checks_the_wrapper_and_the_schedules(tmp_path):
    config = write_config(
        tmp_path,
        "optim_wrapper = dict(optimizer=dict(type='Adamm', lr=1e-3, betas=(0.8, 0.9)),"
        ' accumulative_count=2)\n'
        "param_scheduler = [dict(type='LinearMomentum', start_factor=0.5, by_epoch=False,"
        ' end=10)]\n',
    )
    report = check_config(config)
    errors = {f.key_path: f.message for f in report.errors}
    assert set(errors) == {'optim_wrapper.optimizer.type', 'optim_wrapper'}
    assert "Did you mean 'accumulative_counts'" in errors['optim_wrapper']
    # the stand-in is an Adam with the configured betas, so the momentum schedule builds
    assert [w.scheduler for w in report.windows] == ['LinearMomentum']


def test_the_seed_configs_data_counts_match_the_runner(tmp_path):
    cfg = Config.fromfile(str(DIGITS))
    cfg.merge_from_dict({'work_dir': str(tmp_path / 'work'), 'log_level': 'WARNING'})
    report = check_config(cfg)
    runner = Runner.from_cfg(cfg)
    data = report.data
    assert data.epoch_length == len(runner.train_dataloader) == math.ceil(TRAIN_SAMPLES / 32)
    assert data.iterations == runner.train_loop.max_iters == 30 * data.epoch_length
    assert data.updates == {'': data.iterations}
    assert data.global_batch == {'': 32}
    train = data.loaders[0]
    assert (train.stage, train.samples, train.batch_size) == ('train', TRAIN_SAMPLES, 32)
    assert report.hook_order == runner.hook_order()


@pytest.mark.parametrize(('world_size', 'drop_last'), [(4, False), (3, True), (7, False)])
def test_counts_for_several_processes_follow_the_distributed_split(world_size, drop_last):
    options = {'train_dataloader.drop_last': drop_last, 'optim_wrapper.accumulative_counts': 3}
    cfg = Config.fromfile(str(DIGITS))
    cfg.merge_from_dict({'work_dir': 'unused', **options})
    report = check_config(cfg, world_size=world_size)
    dataset = DigitsDataset(split='train')
    # torch's own sampler splits the same way as DefaultSampler(round_up=True)
    per_rank = len(DistributedSampler(dataset, num_replicas=world_size, rank=0))
    batches = per_rank // 32 if drop_last else math.ceil(per_rank / 32)
    data = report.data
    assert data.epoch_length == batches
    assert data.iterations == 30 * batches
    assert data.updates == {'': math.ceil(30 * batches / 3)}
    assert data.global_batch == {'': 32 * world_size * 3}
    repeated = per_rank * world_size - len(dataset)
    assert any(f'repeats {repeated} sample' in note for note in data.notes) == bool(repeated)


def test_auto_scale_lr_is_applied_for_the_world_size(tmp_path):
    config = write_config(tmp_path, 'auto_scale_lr = dict(enable=True, base_batch_size=16)\n')
    report = check_config(config, world_size=2)
    assert any('multiplied by 4 ' in note for note in report.param_notes)  # 32 x 2 / 16
    assert 'the turning points show lrs before auto_scale_lr' in report.schedule_notes


def test_param_group_report_equals_the_one_of_a_really_built_wrapper(tmp_path):
    config = ROOT / 'configs' / 'seeds' / 'optim' / 'paramwise_norm_decay.py'
    cfg = Config.fromfile(str(config))
    report = check_config(cfg)
    model = MODELS.build(cfg.model)
    expected = param_group_report(build_optim_wrapper(model, cfg.optim_wrapper), model)
    assert report.param_groups.to_dict() == expected.to_dict()


def test_the_turning_points_follow_the_cosine_formula():
    cfg = Config.fromfile(str(DIGITS))
    cfg.merge_from_dict({'work_dir': 'unused'})
    report = check_config(cfg)
    [points] = report.turning_points
    length = report.data.epoch_length
    last, value = points.rows[-1][0], points.rows[-1][2][0]
    total = 30 * length
    start, eta_min = 2 * length, 1e-4
    expected = (
        eta_min + (0.1 - eta_min) * (1 + math.cos(math.pi * (last - start) / (total - start))) / 2
    )
    assert last == total - 1 and value == pytest.approx(expected, rel=1e-12)
    assert [w.end_iter for w in report.windows] == [2 * length, total]


def test_nothing_is_written_and_no_checkpoint_is_read(tmp_path):
    work = tmp_path / 'work'
    config = write_config(tmp_path, "load_from = 'missing.pth'\n")
    report = check_config(config)
    assert not work.exists()
    assert by_path(report)['load_from'].message.startswith("cannot load weights from 'missing.pth'")
    work.mkdir()
    (work / 'epoch_3.pth').write_bytes(b'not a checkpoint')  # loading it would fail
    config = write_config(tmp_path, 'resume = True\n')
    report = check_config(config)
    assert report.errors == []
    assert any('epoch_3.pth' in note for note in report.notes)
    assert sorted(p.name for p in work.iterdir()) == ['epoch_3.pth']


@HOOKS.register_module()
class CheckTestHook(Hook):
    def __init__(self, every: int = 1) -> None:
        self.every = every

    def after_train_iteration(self, runner) -> None:  # misspelled stage
        pass

    def after_train_epoch(self, runner) -> None:
        pass


def test_warnings_the_runner_would_log_are_reported_with_their_key_path(tmp_path):
    config = write_config(
        tmp_path,
        "custom_hooks = [dict(type='CheckTestHook', priority=45)]\n"
        'param_schedulers = []\n'
        'optim_wrapper = dict(paramwise_cfg=dict(custom_keys={"nothing": dict(lr_mult=0.1)}))\n',
    )
    report = check_config(config)
    assert report.errors == []
    warnings = by_path(report)
    assert "Did you mean 'after_train_iter'" in warnings['custom_hooks.0'].message
    assert "Did you mean 'param_scheduler'" in warnings['param_schedulers'].message
    assert "'nothing' matched no parameter" in (
        warnings['optim_wrapper.paramwise_cfg.custom_keys'].message
    )
    assert report.exit_status() == 0 and report.exit_status(strict=True) == 1
    rows = [(r.priority, r.hook) for r in report.hook_rows if r.stage == 'after_train_epoch']
    assert rows[:2] == [('45', 'CheckTestHook'), ('LOW', 'ParamSchedulerHook')]


def test_a_failed_custom_import_is_an_error_and_the_rest_is_checked(tmp_path):
    config = write_config(
        tmp_path,
        "custom_imports = dict(imports=['no_such_module_here'])\n"
        'train_cfg = dict(by_epoch=True, max_epoch=3)\n',
    )
    report = check_config(config)
    errors = by_path(report)
    assert 'no_such_module_here' in errors['custom_imports.imports.0'].message
    assert "Did you mean 'max_epochs'" in errors['train_cfg'].message
    assert report.hook_rows and report.data.loaders


@MODELS.register_module()
class NeedsRealTensors(MLPClassifier):
    """Reads a tensor value while it is built, which the meta device cannot do."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scale = float(torch.linspace(0, 1, 3)[1].item())


def test_a_model_that_needs_real_tensors_is_built_on_the_cpu(tmp_path):
    config = write_config(tmp_path, "model = dict(type='NeedsRealTensors')\n")
    report = check_config(config)
    assert report.errors == []
    assert any('built on the CPU' in note for note in report.param_notes)
    assert report.param_groups.params[0].name == 'backbone.layer0.fc.weight'


def test_a_module_that_is_not_a_model_is_an_error(tmp_path):
    MODELS.register_module(name='PlainLinearForCheck', module=nn.Linear, force=True)
    config = write_config(
        tmp_path,
        "model = dict(_delete_=True, type='PlainLinearForCheck', in_features=2, out_features=2)\n",
    )
    report = check_config(config)
    assert 'is not a trainable model' in by_path(report)['model'].message
    assert report.windows  # schedules are checked against the optimizer's values
