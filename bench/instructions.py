"""Instructions per training iteration, counted by Valgrind: the hand-written loop and
``Runner.train()`` on the tiny task.

Wall-clock figures on a shared or virtual machine move by 10-20% from one minute to the next;
instruction counts move by about 1%. Each side runs twice under ``valgrind --tool=cachegrind
--cache-sim=no`` (which counts every instruction the process executes), for 100 and for 300
iterations; the difference divided by 200 is the cost of one iteration, with start-up,
construction and the end of training cancelled out. The Runner keeps its default hooks, a log
line every 50 iterations and a checkpoint at the end (so one 50th of a logging iteration is
included in each iteration). BLAS and OpenMP thread pools are limited to one thread, so no
idle worker thread's spinning is counted.

Needs ``valgrind``; skipped without it. Takes a few minutes (Valgrind runs the interpreter
about 50 times slower).

    python bench/instructions.py
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
SHORT, LONG = 100, 300

PROGRAM = """
import sys
sys.path.insert(0, {bench!r})
import torch
torch.set_num_threads(1)
import tasks
side, iterations = sys.argv[1], int(sys.argv[2])
task = tasks.Task('tiny', (32, 64, 10), batch_size=32, samples=32 * iterations)
if side == 'hand':
    torch.manual_seed(0)
    tasks.hand_written_loop(task, tasks.mlp(task.widths), tasks.hand_loader(task), 1)
else:
    with tasks.quiet_runner(task, 1) as runner:
        runner.train()
"""


def _count(script: str, side: str, iterations: int, directory: str) -> int:
    """Instructions executed by the whole process."""
    out = os.path.join(directory, f'cachegrind.{side}.{iterations}')
    env = dict(
        os.environ,
        OPENBLAS_NUM_THREADS='1',
        OMP_NUM_THREADS='1',
        MKL_NUM_THREADS='1',
        PYTHONHASHSEED='0',  # the same dict and set layouts in every run
    )
    env.pop('PYTHONDONTWRITEBYTECODE', None)
    command = [
        'valgrind',
        '--tool=cachegrind',
        '--cache-sim=no',
        f'--cachegrind-out-file={out}',
        sys.executable,
        script,
        side,
        str(iterations),
    ]
    if shutil.which('setarch'):
        # no address randomisation: dicts and sets keyed by id() iterate in the same order in
        # every run, so the counts repeat
        command = ['setarch', platform.machine(), '-R', *command]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    match = re.search(r'I\s+refs:\s+([\d,]+)', result.stderr)
    if match is None:
        raise RuntimeError(f'no instruction count in valgrind output:\n{result.stderr[-2000:]}')
    return int(match.group(1).replace(',', ''))


def measure() -> dict[str, Any]:
    """Instructions per iteration of both sides (``{'skipped': reason}`` without valgrind)."""
    if shutil.which('valgrind') is None:
        return {'skipped': 'valgrind is not installed'}
    with tempfile.TemporaryDirectory() as directory:
        script = os.path.join(directory, 'program.py')
        Path(script).write_text(PROGRAM.format(bench=str(BENCH)), encoding='utf-8')
        for side in ('hand', 'runner'):  # fill the byte-code caches before counting
            _count(script, side, 2, directory)
        runs = [(side, n) for side in ('hand', 'runner') for n in (SHORT, LONG)]
        with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
            counts = dict(zip(runs, pool.map(lambda r: _count(script, *r, directory), runs)))
    per_iteration = {
        side: (counts[(side, LONG)] - counts[(side, SHORT)]) / (LONG - SHORT)
        for side in ('hand', 'runner')
    }
    return {
        'hand_per_iteration': per_iteration['hand'],
        'runner_per_iteration': per_iteration['runner'],
        'added_per_iteration': per_iteration['runner'] - per_iteration['hand'],
        'ratio': per_iteration['runner'] / per_iteration['hand'],
    }


def main() -> None:
    result = measure()
    if 'skipped' in result:
        print(f'skipped: {result["skipped"]}')
        return
    print(
        f'hand-written loop {result["hand_per_iteration"]:,.0f} instructions/iteration, '
        f'Runner {result["runner_per_iteration"]:,.0f} (+{result["added_per_iteration"]:,.0f}, '
        f'{result["ratio"]:.3f}x)'
    )


if __name__ == '__main__':
    main()
