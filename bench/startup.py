"""Time from process start to the first training iteration.

Three programs, each started as a new process from a fresh interpreter, timed from just
before the process is created to the moment its first training iteration starts (the program
writes ``time.time()`` to a file; the process is then stopped):

* a hand-written PyTorch script training the tiny task (imports torch, builds the data, the
  model, SGD and the two schedulers);
* ``cadence train`` on the same task (its config is written to a temporary file; the task's
  classes come from ``bench/tasks.py`` through ``custom_imports``);
* ``cadence train configs/digits/mlp_warmup_cosine.py``, the README's default example.

Byte-code caches are allowed and filled by one unmeasured round (see ``import_time.py``).

    python bench/startup.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from import_time import python_env

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

HAND_SCRIPT = """
import sys, time
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

generator = torch.Generator().manual_seed(0)
inputs = torch.randn(16000, 32, generator=generator)
labels = torch.randint(0, 10, (16000,), generator=generator)
loader = DataLoader(TensorDataset(inputs, labels), batch_size=32, shuffle=True)
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=100)
decay = torch.optim.lr_scheduler.MultiStepLR(optimizer, [30000, 60000])
for x, y in loader:
    with open(sys.argv[1], 'w') as f:
        f.write(repr(time.time()))
    loss = F.cross_entropy(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    warmup.step()
    decay.step()
"""

#: Added to a config so that it reports its first iteration (``tasks.FirstIterationClock``).
CLOCK_SETTINGS = """
custom_imports = dict(imports=['tasks'], allow_failed_imports=False)
custom_hooks = [dict(type='FirstIterationClock')]
"""


def _time_to_first_iteration(command: list[str], marker: str, env: dict[str, str]) -> float:
    if os.path.exists(marker):
        os.remove(marker)
    start = time.time()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT
    )
    try:
        while not os.path.exists(marker) or not os.path.getsize(marker):
            if process.poll() is not None:
                raise RuntimeError(
                    f'{" ".join(command)} exited with {process.returncode} before its first '
                    f'iteration:\n{process.stderr.read().decode()[-2000:]}'
                )
            time.sleep(0.002)
        with open(marker, encoding='utf-8') as handle:
            first = float(handle.read())
    finally:
        process.kill()
        process.wait()
    return first - start


def _tiny_config(directory: str) -> str:
    sys.path.insert(0, str(BENCH))
    import tasks
    from cadence.config import Config

    cfg = tasks.runner_cfg(tasks.TINY, os.path.join(directory, 'work_dir'), max_epochs=1)
    cfg['custom_imports'] = {'imports': ['tasks'], 'allow_failed_imports': False}
    cfg['custom_hooks'] = [{'type': 'FirstIterationClock'}]
    path = os.path.join(directory, 'tiny.py')
    Config(cfg).dump(path)
    return path


def _example_config(directory: str) -> str:
    base = ROOT / 'configs' / 'digits' / 'mlp_warmup_cosine.py'
    path = os.path.join(directory, 'example.py')
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(f'_base_ = [{str(base)!r}]\n{CLOCK_SETTINGS}')
        handle.write(f'work_dir = {os.path.join(directory, "example_work_dir")!r}\n')
    return path


def measure(repeats: int = 5) -> dict[str, float]:
    """Median seconds from process start to the first iteration, per program."""
    with tempfile.TemporaryDirectory() as directory:
        marker = os.path.join(directory, 'first_iteration')
        env = dict(python_env(), CADENCE_BENCH_FIRST_ITER=marker)
        env['PYTHONPATH'] = os.pathsep.join(
            [str(BENCH), *filter(None, [os.environ.get('PYTHONPATH')])]
        )
        hand = os.path.join(directory, 'hand.py')
        with open(hand, 'w', encoding='utf-8') as handle:
            handle.write(HAND_SCRIPT)
        programs = {
            'hand-written script, tiny task': [sys.executable, hand, marker],
            'cadence train, tiny task': [
                sys.executable, '-m', 'cadence', 'train', _tiny_config(directory)
            ],
            'cadence train, default example (digits)': [
                sys.executable, '-m', 'cadence', 'train', _example_config(directory)
            ],
        }  # fmt: skip
        times: dict[str, list[float]] = {name: [] for name in programs}
        for index in range(repeats + 1):  # alternate the programs; the first round fills
            for name, command in programs.items():  # the byte-code caches
                seconds = _time_to_first_iteration(command, marker, env)
                if index:
                    times[name].append(seconds)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args()
    for name, seconds in measure(args.repeats).items():
        print(f'{name:<45} {seconds:6.2f} s')


if __name__ == '__main__':
    main()
