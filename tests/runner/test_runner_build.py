"""Runner construction: config checks with key paths, hooks from configs, work_dir layout."""

from __future__ import annotations

import json
import os

import pytest

from cadence.config import Config
from cadence.errors import ConfigError
from cadence.runner import Runner
from support.runs import digits_cfg, train


@pytest.mark.parametrize(
    ('change', 'message'),
    [
        (
            {'optim_wrapper': None},
            r'optim_wrapper: train_dataloader, train_cfg are set but optim_wrapper is not',
        ),
        (
            {'val_evaluator': None},
            r'val_evaluator: .*val needs val_dataloader, val_cfg, val_evaluator',
        ),
        (
            {'train_cfg': {'by_epoch': True, 'max_epoch': 3}},
            r"train_cfg: .*'max_epoch'. Did you mean 'max_epochs'",
        ),
        (
            {'train_cfg': {'type': 'EpochBasedTrainLoop', 'by_epoch': True}},
            'either type=... or by_epoch',
        ),
        ({'train_cfg': {'max_epochs': 3}}, 'needs by_epoch=True'),
        ({'val_cfg': {'fp61': True}}, r"val_cfg: ValLoop got an unexpected argument 'fp61'"),
        (
            {
                'param_scheduler': {'type': 'StepLR', 'step_size': 1},
                'optim_wrapper': None,
                'train_dataloader': None,
                'train_cfg': None,
            },
            'param_scheduler: needs optim_wrapper',
        ),
        (
            {'default_hooks': {'logger': {'type': 'LogerHook'}}},
            r"default_hooks\.logger\.type.*Did you mean 'LoggerHook'",
        ),
        (
            {'custom_hooks': [{'type': 'CheckpointHook', 'intervall': 2}]},
            r"custom_hooks\.0.*Did you mean 'interval'",
        ),
        ({'custom_hooks': {'type': 'IterTimerHook'}}, 'custom_hooks: must be a list'),
        ({'randomness': {'sead': 1}}, r"randomness\.sead.*Did you mean 'seed'"),
        ({'env_cfg': {'cudnn_benchmarks': True}}, r'env_cfg\.cudnn_benchmarks.*Did you mean'),
        (
            {'auto_scale_lr': {'enable': True}},
            r'auto_scale_lr\.base_batch_size: must be a positive int',
        ),
        ({'log_level': 'LOUD'}, 'log_level: must be one of'),
        ({'launcher': 'slurm'}, 'launcher: unknown launcher'),
    ],
)
def test_config_mistakes_name_their_key_path(tmp_path, change, message):
    cfg = digits_cfg(tmp_path)
    cfg.update(change)
    with pytest.raises(ConfigError, match=message):
        Runner.from_cfg(cfg)


def test_dataloader_mistakes_are_found_before_building(tmp_path):
    cfg = digits_cfg(tmp_path)
    cfg['train_dataloader']['dataset']['splt'] = 'train'
    with pytest.raises(ConfigError, match=r"train_dataloader\.dataset: .*Did you mean 'split'"):
        Runner.from_cfg(cfg)
    cfg = digits_cfg(tmp_path)
    cfg['val_dataloader']['sampler'] = {'type': 'DefaultSampler', 'shufle': False}
    with pytest.raises(ConfigError, match=r"val_dataloader\.sampler: .*Did you mean 'shuffle'"):
        Runner.from_cfg(cfg)


def test_from_cfg_needs_model_and_work_dir(tmp_path):
    cfg = digits_cfg(tmp_path)
    del cfg['work_dir']
    with pytest.raises(ConfigError, match='work_dir.*--work-dir'):
        Runner.from_cfg(cfg)


def test_default_hooks_are_replaced_or_removed_and_custom_hooks_added(tmp_path):
    cfg = digits_cfg(
        tmp_path,
        default_hooks={'timer': None, 'logger': {'type': 'LoggerHook', 'interval': 3}},
        custom_hooks=[{'type': 'IterTimerHook', 'priority': 'lowest'}],
    )
    runner = Runner.from_cfg(cfg)
    names = [type(h).__name__ for h in runner.hooks]
    assert names == [
        'RuntimeInfoHook',
        'DistSamplerSeedHook',
        'LoggerHook',
        'ParamSchedulerHook',
        'CheckpointHook',
        'IterTimerHook',
    ]
    assert runner.hooks[2].interval == 3
    assert runner.hooks[-1].priority == 'lowest'


def test_hook_order_is_logged_before_training(tmp_path, caplog):
    import logging

    cfg = digits_cfg(tmp_path, log_level='INFO')
    with caplog.at_level(logging.INFO, logger='cadence'):
        runner = Runner.from_cfg(cfg)
    assert 'Hooks will be executed in the following order:\nbefore_run:' in caplog.text
    assert runner.hook_order() in caplog.text


def test_work_dir_layout(tmp_path):
    config_file = tmp_path / 'my_config.py'
    config_file.write_text('train_cfg = dict(by_epoch=True, max_epochs=2)\n')
    cfg = Config.fromfile(str(config_file))
    overrides = {'train_cfg': {'by_epoch': True, 'max_epochs': 2}, 'log_level': 'INFO'}
    for key, value in digits_cfg(tmp_path / 'wd', **overrides).items():
        cfg[key] = value
    runner = train(cfg)
    work_dir = tmp_path / 'wd'
    ts = runner.timestamp
    assert (work_dir / 'my_config.py').is_file()
    assert Config.fromfile(str(work_dir / 'my_config.py')).train_cfg.max_epochs == 2
    assert (work_dir / ts / f'{ts}.log').is_file()
    assert (work_dir / ts / 'vis_data' / 'config.py').is_file()
    assert set(os.listdir(work_dir / ts / 'vis_data')) == {
        'config.py',
        f'{ts}.json',
        'scalars.json',
    }
    assert runner.experiment_name == f'my_config_{ts}'
    assert {'epoch_1.pth', 'epoch_2.pth', 'last_checkpoint'} <= set(os.listdir(work_dir))
    assert (work_dir / 'last_checkpoint').read_text() == str(work_dir / 'epoch_2.pth')
    lines = [json.loads(line) for line in (work_dir / ts / 'vis_data' / 'scalars.json').open()]
    train_lines = [line for line in lines if 'loss' in line]
    val_lines = [line for line in lines if 'accuracy/top1' in line]
    # 6 iterations per epoch, logging every 2: steps 2, 4, 6, 8, 10, 12
    assert [line['step'] for line in train_lines] == [2, 4, 6, 8, 10, 12]
    assert train_lines[0]['epoch'] == 1 and train_lines[0]['iter'] == 2
    assert {'lr', 'loss', 'time', 'data_time'} <= set(train_lines[0])
    assert [line['step'] for line in val_lines] == [1, 2]
    copy = (work_dir / ts / 'vis_data' / f'{ts}.json').read_text()
    assert copy == (work_dir / ts / 'vis_data' / 'scalars.json').read_text()
    log_text = (work_dir / ts / f'{ts}.log').read_text()
    assert 'Epoch(train) [1][2/6]  lr: 1.0000e-01  eta: ' in log_text
    assert 'Epoch(val) [2][2/2]  accuracy/top1: ' in log_text


def test_val_and_test_without_training(tmp_path):
    cfg = digits_cfg(
        tmp_path,
        test_dataloader=digits_cfg(tmp_path)['val_dataloader'],
        test_cfg={},
        test_evaluator={'type': 'Accuracy', 'topk': (1, 5)},
    )
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    assert set(metrics) == {'accuracy/top1', 'accuracy/top5'}
    assert runner.built_train_loop is None  # testing does not build training data
    assert 0.0 <= runner.val()['accuracy/top1'] <= 100.0
    with pytest.raises(ConfigError, match='cannot train'):
        Runner.from_cfg(
            digits_cfg(tmp_path, train_dataloader=None, train_cfg=None, optim_wrapper=None)
        ).train()
