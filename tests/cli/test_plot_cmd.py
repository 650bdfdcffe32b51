"""``cadence plot WORK_DIR``: curves of a real run, in the terminal and as a PNG."""

from __future__ import annotations

import struct

import pytest

from cadence.cli.main import main
from support.runs import digits_cfg, train


@pytest.fixture(scope='module')
def work_dir(tmp_path_factory):
    """A finished 3-epoch digits run with a 10x head lr (two lr groups)."""
    path = tmp_path_factory.mktemp('plot')
    cfg = digits_cfg(path)
    cfg['optim_wrapper']['paramwise_cfg'] = {'custom_keys': {'head': {'lr_mult': 10.0}}}
    train(cfg)
    return path


def _png_size(path):
    data = path.read_bytes()
    assert data[:8] == b'\x89PNG\r\n\x1a\n'
    return struct.unpack('>II', data[16:24])


def test_terminal_curves_of_the_latest_run(work_dir, capsys):
    assert main(['plot', str(work_dir), '--width', '70', '--height', '6']) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith(
        'scalars.json: train: base_lr, lr, data_time, loss, time, lr/head.fc, momentum; '
        'val: accuracy/top1, time, data_time'
    )
    titles = [line for line in out.splitlines() if line.startswith(('train ', 'val '))]
    assert titles == ['train lr', 'train loss', 'val accuracy/top1']
    assert all(len(line) <= 70 for line in out.splitlines()[1:])
    assert 'epoch 1' in out and 'iter 2' in out  # validation by epoch, training by iteration


def test_png_of_chosen_keys(work_dir, tmp_path, capsys):
    out = tmp_path / 'curves.png'
    assert main(['plot', str(work_dir), '--keys', 'loss,lr,accuracy', '--out', str(out)]) == 0
    assert f'wrote {out}' in capsys.readouterr().out
    width, height = _png_size(out)
    assert width == 900 and height == int((2.6 * 3 + 0.6) * 100)


def test_a_missing_key_is_an_error_listing_the_keys(work_dir, capsys):
    assert main(['plot', str(work_dir), '--keys', 'loss,acuracy']) == 1
    err = capsys.readouterr().err
    assert "error: --keys: no curve 'acuracy' (did you mean 'accuracy/top1'?)" in err
    assert 'Available keys: train: base_lr, lr, data_time, loss' in err


def test_bad_paths(tmp_path, capsys):
    assert main(['plot', str(tmp_path / 'nowhere')]) == 1
    assert 'does not exist' in capsys.readouterr().err
    assert main(['plot', str(tmp_path)]) == 1
    assert 'no <run>/vis_data/scalars.json under' in capsys.readouterr().err
    assert main(['plot', str(tmp_path), '--out', str(tmp_path / 'no' / 'x.png')]) == 1
    assert 'does not exist' in capsys.readouterr().err
