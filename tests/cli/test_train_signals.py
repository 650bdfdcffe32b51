"""Killing ``cadence train``: SIGKILL in the middle of a checkpoint save leaves the previous
checkpoint usable; SIGTERM saves after the current iteration and exits cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import torch

DEFAULT_JOB = 'configs/digits/mlp_warmup_cosine.py'


def _command(work_dir, epochs, *extra):
    return [
        sys.executable,
        '-m',
        'cadence',
        'train',
        DEFAULT_JOB,
        '--work-dir',
        str(work_dir),
        *extra,
        '--cfg-options',
        f'train_cfg.max_epochs={epochs}',
        f'param_scheduler.1.end={epochs}',
        'train_dataloader.dataset.indices=128',
        'default_hooks.checkpoint.save_best=None',
    ]


def _wait_for(condition, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError('timed out')
        time.sleep(0.02)


def _pointer(work_dir):
    path = work_dir / 'last_checkpoint'
    return path.read_text() if path.exists() else ''


@pytest.mark.slow
def test_sigkill_during_a_save_then_resume_from_the_previous_checkpoint(tmp_path):
    work_dir = tmp_path / 'wd'
    env = dict(os.environ, CADENCE_TEST_SAVE_DELAY='1.5')
    process = subprocess.Popen(
        _command(work_dir, 4), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_for(lambda: _pointer(work_dir).endswith('epoch_1.pth'))
        _wait_for(lambda: any(n.startswith('.epoch_2.pth.') for n in os.listdir(work_dir)))
        process.send_signal(signal.SIGKILL)  # the bytes are written, the rename has not happened
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert not (work_dir / 'epoch_2.pth').exists()
    assert _pointer(work_dir) == str(work_dir / 'epoch_1.pth')

    result = subprocess.run(
        _command(work_dir, 4, '--resume'), capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert f'resumed from {work_dir / "epoch_1.pth"} at epoch 1' in result.stdout
    assert 'removed unfinished checkpoint writes' in result.stdout
    final = torch.load(work_dir / 'epoch_4.pth', weights_only=True)
    assert final['meta']['epoch'] == 4 and final['train_state']['loop']['iter'] == 16
    assert not [n for n in os.listdir(work_dir) if n.endswith('.tmp')]


@pytest.mark.slow
def test_sigterm_saves_after_the_current_iteration_and_exits_cleanly(tmp_path):
    work_dir = tmp_path / 'wd'
    process = subprocess.Popen(
        _command(work_dir, 500), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_for(lambda: (work_dir / 'epoch_2.pth').exists())
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 128 + signal.SIGTERM, err[-2000:]
    assert 'Traceback' not in err
    assert 'training stopped by SIGTERM; saved' in out
    saved = _pointer(work_dir)
    assert saved in out and os.path.isfile(saved)
    checkpoint = torch.load(saved, weights_only=True)
    loop = checkpoint['train_state']['loop']
    assert loop['iter'] >= 8 and 'optimizer' in checkpoint
