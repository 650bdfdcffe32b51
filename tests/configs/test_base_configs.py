"""The ``configs/_base_`` schedules and runtime combine with the digits model and data."""

from __future__ import annotations

from pathlib import Path

import pytest

from cadence.config import Config
from cadence.runner import Runner

SCHEDULES = sorted(Path('configs/_base_/schedules').glob('*.py'))


@pytest.mark.parametrize('schedule', SCHEDULES, ids=lambda p: p.stem)
def test_base_schedule_trains_on_digits(tmp_path, schedule):
    config = tmp_path / 'composed.py'
    root = Path('configs/_base_').resolve()
    config.write_text(
        '_base_ = [\n'
        f"    '{root}/models/digits_mlp.py',\n"
        f"    '{root}/datasets/digits.py',\n"
        f"    '{root}/default_runtime.py',\n"
        f"    '{schedule.resolve()}',\n"
        ']\n'
    )
    cfg = Config.fromfile(str(config))
    cfg.merge_from_dict(
        {
            'work_dir': str(tmp_path / 'work'),
            'log_level': 'WARNING',
            'train_cfg.max_epochs': 2,
            'train_dataloader.dataset.indices': 64,
            'val_dataloader.dataset.indices': 64,
        }
    )
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.epoch == 2
    assert runner.optim_wrapper.get_lr()['lr'][0] == cfg.optim_wrapper.optimizer.lr
