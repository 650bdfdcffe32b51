"""``cadence schedule`` on every seed example config: a valid PNG and the turning-point table."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from cadence.cli.main import main

ROOT = Path(__file__).parents[2]
SEED_CONFIGS = sorted((ROOT / 'configs' / 'seeds' / 'schedules').glob('*.py'))


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == b'\x89PNG\r\n\x1a\n' and data[12:16] == b'IHDR'
    width, height = struct.unpack('>II', data[16:24])
    assert width > 100 and height > 100


def test_every_seed_snippet_has_a_config():
    assert len(SEED_CONFIGS) >= 13


@pytest.mark.parametrize('config', SEED_CONFIGS, ids=lambda p: p.stem)
def test_seed_config_writes_png_and_prints_turning_points(config, tmp_path, capsys):
    out = tmp_path / 'curve.png'
    assert main(['schedule', str(config), '--epoch-length', '45', '--out', str(out)]) == 0
    assert_png(out)
    text = capsys.readouterr().out
    assert 'turning points' in text
    assert 'start' in text and 'final value' in text
    assert f'wrote {out}' in text


def test_terminal_rendering_when_no_file_is_asked_for(capsys):
    config = ROOT / 'configs' / 'seeds' / 'schedules' / 'warmup_iter_then_multistep.py'
    assert main(['schedule', str(config), '--epoch-length', '10', '--width', '60']) == 0
    text = capsys.readouterr().out
    assert 'epoch-based, 12 epochs x 10 iterations = 120 iterations' in text
    assert 'MultiStepLR milestone 8' in text
    plot = [line for line in text.splitlines() if '|' in line and '*' in line]
    assert plot and all(len(line) <= 60 for line in plot)
    assert 'iter 0' in text and 'epoch 0' in text


def test_all_params_csv_and_cfg_options(tmp_path, capsys):
    config = ROOT / 'configs' / 'seeds' / 'schedules' / 'lr_and_momentum.py'
    csv = tmp_path / 'v.csv'
    code = main(['schedule', str(config), '--param', 'all', '--csv', str(csv),
                 '--cfg-options', 'train_cfg.max_iters=300'])  # fmt: skip
    assert code == 0
    lines = csv.read_text().splitlines()
    # an epoch column follows the iteration when the digits dataset is registered (Runner branch)
    assert lines[0] in ('iteration,lr,momentum,weight_decay',
                        'iteration,epoch,lr,momentum,weight_decay')  # fmt: skip
    assert len(lines) == 301
    text = capsys.readouterr().out
    assert 'Momentum (momentum): turning points' in text and 'iteration-based, 300' in text


def test_dataset_size_gives_the_epoch_length(capsys):
    config = ROOT / 'configs' / 'seeds' / 'schedules' / 'multistep_epoch.py'
    assert main(['schedule', str(config), '--dataset-size', '1437', '--width', '50']) == 0
    text = capsys.readouterr().out
    assert '12 epochs x 44 iterations' in text and 'runs 45 iterations per epoch' in text


def test_errors_are_one_clear_line(tmp_path, capsys):
    config = ROOT / 'configs' / 'seeds' / 'schedules' / 'multistep_epoch.py'
    unknown = ['--cfg-options', 'train_dataloader.dataset.type=NoSuchDataset']
    assert main(['schedule', str(config), *unknown]) == 1
    err = capsys.readouterr().err
    assert err.startswith('error: cannot tell how many iterations an epoch has')
    assert '--epoch-length N' in err
    missing = tmp_path / 'nowhere' / 'x.png'
    assert main(['schedule', str(config), '--epoch-length', '5', '--out', str(missing)]) == 1
    assert 'the directory' in capsys.readouterr().err


def test_help_lists_the_command(capsys):
    assert main(['--help']) == 0
    assert 'schedule' in capsys.readouterr().out
