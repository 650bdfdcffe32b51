"""``torchrun --nproc_per_node 2 -m cadence train CONFIG --launcher pytorch`` end to end on
the default job, shortened to 3 epochs on 256 samples: two CPU processes on gloo (the config asks for gloo)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_JOB = ROOT / 'configs' / 'digits' / 'mlp_warmup_cosine.py'


@pytest.mark.dist
@pytest.mark.slow
def test_torchrun_two_processes_train_the_default_job(tmp_path):
    work_dir = tmp_path / 'work'
    command = [
        sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2',
        '-m', 'cadence', 'train', str(DEFAULT_JOB), '--launcher', 'pytorch',
        '--work-dir', str(work_dir), '--auto-scale-lr',
        '--cfg-options', 'train_cfg.max_epochs=3', 'param_scheduler.1.end=3',
        'train_dataloader.dataset.indices=256', 'val_dataloader.dataset.indices=99',
    ]  # fmt: skip
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONPATH': str(ROOT / 'src')}
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    # 256 samples, 32 per rank and iteration: 4 iterations per epoch; only rank 0 prints
    assert out.count('Epoch(train) [1][4/4]') == 1 and out.count('Epoch(train) [3][4/4]') == 1
    assert out.count('Epoch(val) [3][') == 1
    assert 'distributed: 2 processes, backend gloo, this is rank 0' in out
    assert '2 x 32 x 1 (ranks x batch x accumulation) = 64, base_batch_size 32' in out
    checkpoint = torch.load(work_dir / 'epoch_3.pth', weights_only=True)
    assert checkpoint['meta']['world_size'] == 2
    assert checkpoint['train_state']['loop']['iter'] == 12
    assert len(checkpoint['train_state']['ranks']) == 2
    logs = list(work_dir.glob('*/*.log'))
    assert len(logs) == 1 and 'Epoch(val) [3]' in logs[0].read_text()
