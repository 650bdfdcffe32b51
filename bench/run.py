"""Cadence's benchmark suite: every figure of docs/performance.md in one run.

    python bench/run.py [--json PATH] [--quick] [--skip NAME ...]

Measures, on this machine, with one torch thread:

* ``overhead``: per-iteration time of a hand-written PyTorch loop and of ``Runner.train()``
  (default hooks, a log line every 50 iterations, a checkpoint at the end) on the tiny task
  (batch-32 MLP 32-64-10) and the medium one (batch-128 MLP 512-2048-2048-10), alternating the
  two in rounds: microseconds added and the ratio (``overhead.py``);
* ``long``: the Runner's per-iteration time early in a 100,000-iteration run and at its end
  (cost must not grow with the length of a run);
* ``syncs``: host synchronisations in the iterations between logging intervals
  (``sync_check.py``);
* ``imports``: ``import cadence`` and everything a training run imports, on top of torch
  (``import_time.py``);
* ``startup``: process start to first training iteration (``startup.py``);
* ``construction``: ``build_optim_wrapper`` with a ``paramwise_cfg`` on 2,000 and 10,000
  tensors, and the groups it makes (``optim_construction.py``);
* ``scheduler``: one iteration's scheduler step, and the 1,000,000-iteration preview
  (``scheduler_cost.py``);
* ``checkpoint``: save and load of the medium model against ``torch.save``/``torch.load``
  (``checkpoint_io.py``);
* ``instructions``: instructions per iteration of both sides of the tiny task, counted by
  Valgrind (``instructions.py``; skipped without ``valgrind``): a figure machine noise moves
  far less (about 1% per side).

A full run takes about 13 minutes on a 2-core machine (``--skip instructions`` saves 4).

It prints a table and writes every figure, with the machine's description, to a JSON file
(default ``bench/results/run-<time>.json``). ``--quick`` uses fewer rounds and repeats (for a
smoke test; the figures are noisier).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import torch  # noqa: E402

STEPS = (
    'overhead',
    'long',
    'syncs',
    'imports',
    'startup',
    'construction',
    'scheduler',
    'checkpoint',
    'instructions',
)


def describe_machine() -> dict[str, Any]:
    """CPU model, cores, memory, versions and threads (what the figures depend on)."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open('/proc/cpuinfo', encoding='utf-8') as handle:
        for line in handle:
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    memory_gb = None
    with contextlib.suppress(OSError, ValueError), open('/proc/meminfo', encoding='utf-8') as f:
        memory_gb = round(int(f.readline().split()[1]) / 2**20, 1)
    return {
        'cpu': cpu,
        'cores': os.cpu_count(),
        'memory_gb': memory_gb,
        'os': f'{platform.system()} {platform.release()}',
        'python': platform.python_version(),
        'torch': torch.__version__,
        'torch_threads': torch.get_num_threads(),
        'cuda': torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }


# -- the steps -------------------------------------------------------------------------------


def run_overhead(quick: bool) -> dict[str, Any]:
    import overhead

    return {
        name: overhead.measure(name, rounds=3 if quick else rounds).as_dict()
        for name, rounds in (('tiny', 21), ('medium', 7))
    }


def run_long(quick: bool) -> dict[str, Any]:
    """The Runner's per-iteration time over 10,000-iteration windows at the start, in the
    middle and at the end of a 100,000-iteration run of the tiny task (the first window starts
    after 1,000 iterations; the history buffers fill during it)."""
    import tasks

    task = tasks.TINY
    total = 20_000 if quick else 100_000
    window = total // 10
    per_epoch = task.samples // task.batch_size
    starts = {'early': 1000, 'middle': total // 2 - window // 2, 'late': total - window - 1}
    marks = sorted({m for start in starts.values() for m in (start, start + window)})
    with tasks.quiet_runner(task, total // per_epoch) as runner:
        tasks.CLOCK.arm(marks)
        runner.train()
    result: dict[str, Any] = {'iterations': total, 'window': window}
    for name, start in starts.items():
        result[f'{name}_start'] = start
        result[f'{name}_us'] = tasks.CLOCK.seconds_between(start, start + window) / window * 1e6
    result['late_over_early'] = result['late_us'] / result['early_us']
    return result


def run_syncs(quick: bool) -> dict[str, Any]:
    import sync_check

    return sync_check.check(500)


def run_imports(quick: bool) -> dict[str, Any]:
    import import_time

    return import_time.run(3 if quick else 7)


def run_startup(quick: bool) -> dict[str, Any]:
    import startup

    return startup.measure(2 if quick else 5)


def run_construction(quick: bool) -> dict[str, Any]:
    import optim_construction
    from cadence.optim import build_optim_wrapper

    build_optim_wrapper(optim_construction.resnet_like(50), optim_construction.OPTIM_WRAPPER)
    repeats = 5 if quick else 21
    return {
        str(size): optim_construction.measure(size, repeats, baseline=size <= 2000)
        for size in (2000, 10000)
    }


def run_scheduler(quick: bool) -> dict[str, Any]:
    import scheduler_cost as sc

    repeats = 3 if quick else 5
    return {
        'step_warmup_us': sc.step_cost(sc.two_group_sgd, sc.WARMUP - 1, 0, repeats),
        'step_cosine_us': sc.step_cost(sc.two_group_sgd, 100_000, sc.WARMUP, repeats),
        'step_cosine_optim_wrapper_us': sc.step_cost(
            lambda: sc.wrapped(sc.two_group_sgd())[0], 100_000, sc.WARMUP, repeats
        ),
        'preview_1m_lr_s': sc.preview_time(1_000_000, ('lr',), repeats),
        'preview_1m_lr_momentum_wd_s': sc.preview_time(
            1_000_000, ('lr', 'momentum', 'weight_decay'), repeats
        ),
    }


def run_instructions(quick: bool) -> dict[str, Any]:
    import instructions

    return instructions.measure()


def run_checkpoint(quick: bool) -> dict[str, Any]:
    import checkpoint_io

    return checkpoint_io.measure(3 if quick else 7)


RUNNERS = {name: globals()[f'run_{name}'] for name in STEPS}


# -- the table -------------------------------------------------------------------------------


def table_rows(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(measurement, figure, target)`` rows for the figures present in ``results``."""
    rows: list[tuple[str, str, str]] = []
    over = results.get('overhead', {})
    for name, label in (('tiny', 'tiny task'), ('medium', 'medium task')):
        if name in over:
            o = over[name]
            target = '< 15 us, <= 1.10x' if name == 'tiny' else ''
            hand, runner = f'{o["hand_us"]:.1f} us', f'{o["runner_us"]:.1f} us'
            rows.append((f'per iteration, {label}: hand-written loop', hand, ''))
            rows.append((f'per iteration, {label}: Runner.train()', runner, ''))
            rows.append(
                (
                    f'  added by the Runner: median of {o["rounds"]} paired rounds',
                    f'{o["added_us"]:+.1f} us ({o["ratio"]:.3f}x)',
                    target,
                )
            )
            rows.append(
                (
                    '  added by the Runner: fastest round against fastest round',
                    f'{o["fastest_added_us"]:+.1f} us ({o["fastest_ratio"]:.3f}x)',
                    target,
                )
            )
    ins = results.get('instructions')
    if ins and 'skipped' not in ins:
        rows.append(
            (
                'instructions per iteration, tiny task: hand-written loop / Runner',
                f'{ins["hand_per_iteration"]:,.0f} / {ins["runner_per_iteration"]:,.0f} '
                f'(+{ins["added_per_iteration"]:,.0f}, {ins["ratio"]:.3f}x)',
                '<= 1.10x',
            )
        )
    elif ins:
        rows.append(('instructions per iteration', f'skipped: {ins["skipped"]}', ''))
    if 'long' in results:
        lg = results['long']
        rows.append(
            (
                f'Runner per iteration over a {lg["iterations"]:,}-iteration run: '
                f'{lg["window"]:,}-iteration windows at the start / middle / end',
                f'{lg["early_us"]:.1f} / {lg["middle_us"]:.1f} / {lg["late_us"]:.1f} us',
                'flat',
            )
        )
    if 'syncs' in results:
        sy = results['syncs']
        rows.append(
            (
                f'host syncs in the {sy["quiet_iterations"]} iterations between log lines',
                str(sy['syncs_in_quiet_iterations']),
                '0',
            )
        )
        rows.append(('  CUDA sync debug mode', sy['cuda_sync_debug_mode'], ''))
    if 'imports' in results:
        im = results['imports']
        rows.append(('import torch', f'{im["import torch"] * 1e3:.0f} ms', ''))
        rows.append(
            ('import cadence, on top of torch', f'{im["import cadence"] * 1e3:.1f} ms', '< 300 ms')
        )
        everything = im.get('everything a training run imports')
        if everything is not None:
            rows.append(
                (
                    'everything a training run imports, on top of torch',
                    f'{everything * 1e3:.0f} ms',
                    '< 300 ms',
                )
            )
    for name, seconds in results.get('startup', {}).items():
        rows.append((f'process start to first iteration: {name}', f'{seconds:.2f} s', ''))
    for c in results.get('construction', {}).values():
        baseline = c.get('torch_one_group_per_tensor_ms')
        extra = f'; torch, 1 group/tensor: {baseline:.1f} ms' if baseline else ''
        rows.append(
            (
                f'optimizer construction, paramwise_cfg, {c["tensors"]:,} tensors',
                f'{c["median_ms"]:.1f} ms, {c["groups"]} groups{extra}',
                '< 50 ms',
            )
        )
    if 'scheduler' in results:
        s = results['scheduler']
        rows.append(
            (
                'scheduler step, warm-up + cosine, 2 groups',
                f'{s["step_warmup_us"]:.2f} / {s["step_cosine_us"]:.2f} us (warm-up / cosine)',
                '< 5 us',
            )
        )
        rows.append(
            (
                '  behind OptimWrapper (+ base-lr pseudo-group)',
                f'{s["step_cosine_optim_wrapper_us"]:.2f} us',
                '< 5 us',
            )
        )
        rows.append(
            (
                'schedule preview, 1,000,000 iterations (lr / lr+momentum+wd)',
                f'{s["preview_1m_lr_s"]:.2f} / {s["preview_1m_lr_momentum_wd_s"]:.2f} s',
                '< 1 s',
            )
        )
    if 'checkpoint' in results:
        ck = results['checkpoint']
        rows.append(
            (
                f'checkpoint save, medium model ({ck["cadence_file_mb"]:.0f} MB): Cadence',
                f'{ck["cadence_save"] * 1e3:.0f} ms (atomic, fsync)',
                '',
            )
        )
        rows.append(
            (
                '  torch.save / torch.save + fsync',
                f'{ck["torch_save"] * 1e3:.0f} / {ck["torch_save_fsync"] * 1e3:.0f} ms',
                '',
            )
        )
        rows.append(
            (
                'checkpoint load, medium model: Cadence resume',
                f'{ck["cadence_load"] * 1e3:.0f} ms',
                '',
            )
        )
        rows.append(
            (
                '  torch.load + load_state_dict (model, optimizer)',
                f'{ck["torch_load"] * 1e3:.0f} ms',
                '',
            )
        )
    return rows


def print_table(machine: dict[str, Any], rows: list[tuple[str, str, str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title='Cadence benchmarks', title_justify='left')
    table.add_column('measurement')
    table.add_column('figure', justify='right')
    table.add_column('target')
    for row in rows:
        table.add_row(*row)
    console = Console(width=max(120, Console().width))
    console.print(
        f'{machine["cpu"]}, {machine["cores"]} cores, {machine["memory_gb"]} GB, '
        f'{machine["os"]}; Python {machine["python"]}, torch {machine["torch"]}, '
        f'{machine["torch_threads"]} torch thread(s)'
        + (f', CUDA: {machine["cuda"]}' if machine['cuda'] else ', no CUDA')
    )
    console.print(table)


def run_step(name: str, quick: bool) -> Any:
    """One step in a fresh interpreter, so that what earlier steps left in memory (runners,
    message hubs, many live objects for the garbage collector to walk) cannot slow it."""
    with tempfile.TemporaryDirectory() as directory:
        out = os.path.join(directory, 'step.json')
        command = [sys.executable, __file__, '--step', name, '--json', out]
        subprocess.run(command + (['--quick'] if quick else []), check=True)
        with open(out, encoding='utf-8') as handle:
            return json.load(handle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--json', help='where to write the figures (default bench/results/)')
    parser.add_argument('--quick', action='store_true', help='fewer rounds (noisier figures)')
    parser.add_argument('--skip', nargs='+', choices=STEPS, default=[], help='steps to leave out')
    parser.add_argument('--step', choices=STEPS, help='run only this step, in this process')
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.step:
        result = RUNNERS[args.step](args.quick)
        Path(args.json).write_text(json.dumps(result), encoding='utf-8')
        return
    machine = describe_machine()
    results: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    for name in STEPS:
        if name in args.skip:
            continue
        print(f'measuring {name} ...', file=sys.stderr, flush=True)
        start = time.perf_counter()
        results[name] = run_step(name, args.quick)
        seconds[name] = time.perf_counter() - start
    print_table(machine, table_rows(results))
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    path = Path(args.json) if args.json else BENCH / 'results' / f'run-{stamp}.json'
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {'machine': machine, 'quick': args.quick, 'seconds': seconds, 'results': results}
    path.write_text(json.dumps(payload, indent=2), encoding='utf-8')
    print(f'figures written to {path}')


if __name__ == '__main__':
    main()
