"""``cadence train`` / ``cadence test``: flags applied in the reference's order, recorded in the
config's provenance; an end-to-end run of a shortened default job."""

from __future__ import annotations

import argparse
import json
import os

import pytest

from cadence.cli.main import build_parser, main
from cadence.cli.train import amp_updates, merge_train_args
from cadence.config import Config
from cadence.errors import ConfigError

DEFAULT_JOB = 'configs/digits/mlp_warmup_cosine.py'
SHORT = [
    'train_cfg.max_epochs=3',
    'param_scheduler.1.end=3',
    'train_dataloader.dataset.indices=256',
    'log_level=WARNING',
]


def _args(*argv: str) -> argparse.Namespace:
    return build_parser('train').parse_args([DEFAULT_JOB, *argv])


def _merged(*argv: str) -> Config:
    args = _args(*argv)
    return merge_train_args(Config.fromfile(args.config), args)


def test_defaults_fill_in_work_dir_and_collate():
    cfg = _merged()
    assert cfg.work_dir == os.path.join('.', 'work_dirs', 'mlp_warmup_cosine')
    assert cfg.train_dataloader.collate_fn == {'type': 'default_collate'}
    assert cfg.launcher == 'none' and cfg.resume is False
    assert 'default work dir' in cfg.explain('work_dir')


def test_flags_in_the_reference_order_with_cfg_options_last():
    cfg = _merged(
        '--work-dir',
        'wd',
        '--amp',
        '--resume',
        '--no-validate',
        '--auto-scale-lr',
        '--no-pin-memory',
        '--cfg-options',
        'optim_wrapper.loss_scale=512',
        'work_dir=other',
    )
    assert cfg.val_cfg is None and cfg.val_dataloader is None and cfg.val_evaluator is None
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 512  # --cfg-options wins over --amp's default
    assert cfg.resume is True and cfg.load_from is None
    assert cfg.auto_scale_lr.enable is True
    assert cfg.train_dataloader.pin_memory is False
    assert cfg.work_dir == 'other'
    assert '--amp' in cfg.explain('optim_wrapper.type')
    assert '--no-validate' in cfg.explain('val_cfg')
    assert '--resume' in cfg.explain('resume')
    assert '--cfg-options' in cfg.explain('work_dir')
    assert _merged('--resume', 'x.pth').load_from == 'x.pth'


def test_amp_keeps_existing_types_and_handles_several_optimizers():
    assert amp_updates({'type': 'AmpOptimWrapper', 'optimizer': {}}) == {}
    assert amp_updates({'optimizer': {}, 'loss_scale': 'dynamic'}) == {
        'optim_wrapper.type': 'AmpOptimWrapper'
    }
    several = {
        'constructor': 'MultiOptimWrapperConstructor',
        'generator': {'optimizer': {'type': 'Adam'}},
        'discriminator': {'type': 'OptimWrapper', 'optimizer': {'type': 'Adam'}},
    }
    assert amp_updates(several) == {
        'optim_wrapper.generator.type': 'AmpOptimWrapper',
        'optim_wrapper.generator.loss_scale': 'dynamic',
        'optim_wrapper.discriminator.type': 'AmpOptimWrapper',
        'optim_wrapper.discriminator.loss_scale': 'dynamic',
    }
    with pytest.raises(ConfigError, match=r'optim_wrapper\.type: --amp would replace'):
        amp_updates({'type': 'MyWrapper', 'optimizer': {}})


def test_auto_scale_lr_needs_a_base_batch_size(tmp_path):
    config = tmp_path / 'c.py'
    config.write_text(f"_base_ = '{os.path.abspath(DEFAULT_JOB)}'\nauto_scale_lr = None\n")
    args = build_parser('train').parse_args([str(config), '--auto-scale-lr'])
    with pytest.raises(ConfigError, match='auto_scale_lr.base_batch_size'):
        merge_train_args(Config.fromfile(str(config)), args)


def test_shortened_default_job_end_to_end(tmp_path, capsys):
    work_dir = tmp_path / 'job'
    code = main(['train', DEFAULT_JOB, '--work-dir', str(work_dir), '--cfg-options', *SHORT])
    assert code == 0
    files = set(os.listdir(work_dir))
    assert {
        'epoch_1.pth',
        'epoch_2.pth',
        'epoch_3.pth',
        'last_checkpoint',
        'mlp_warmup_cosine.py',
    } <= files
    best = [f for f in files if f.startswith('best_accuracy_top1_epoch_')]
    assert len(best) == 1
    dumped = Config.fromfile(str(work_dir / 'mlp_warmup_cosine.py'))
    assert dumped.train_cfg.max_epochs == 3 and dumped.work_dir == str(work_dir)
    (log_dir,) = [d for d in os.listdir(work_dir) if os.path.isdir(work_dir / d)]
    text = (work_dir / log_dir / 'vis_data' / 'scalars.json').read_text()
    lines = [json.loads(x) for x in text.splitlines()]
    accuracies = [line['accuracy/top1'] for line in lines if 'accuracy/top1' in line]
    assert len(accuracies) == 3 and accuracies[-1] > 80.0
    capsys.readouterr()
    code = main(
        [
            'test',
            DEFAULT_JOB,
            str(work_dir / best[0]),
            '--work-dir',
            str(tmp_path / 't'),
            '--cfg-options',
            'log_level=WARNING',
        ]
    )
    assert code == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics['accuracy/top1'] == max(accuracies)


def test_errors_are_reported_without_a_traceback(tmp_path, capsys):
    code = main(
        [
            'train',
            DEFAULT_JOB,
            '--work-dir',
            str(tmp_path),
            '--cfg-options',
            'train_cfg.max_epoch=3',
        ]
    )
    assert code == 1
    assert "error: train_cfg: EpochBasedTrainLoop got an unexpected argument 'max_epoch'" in (
        capsys.readouterr().err
    )
