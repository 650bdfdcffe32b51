"""Cost of logging per training iteration: the hooks on ordinary iterations, and one logging
iteration.

Measures, on this machine, with a real Runner (the digits MLP, SGD with momentum, default
hooks, iteration-based) after one short training run:

* ``LoggerHook.after_train_iter`` on an iteration that does not log (what every iteration pays;
  target: well under 1 us, nothing that grows with the run);
* the whole logging stack per iteration (``RuntimeInfoHook``, ``IterTimerHook`` and
  ``LoggerHook`` as the Runner calls them, logging every 10 iterations, amortised), and the
  same hooks when no line is ever logged (the difference is what the log lines cost);
* one logging iteration: the non-finite loss check, ``LogProcessor.get_log_after_iter`` and the
  scalar backends' write (paid every ``interval`` iterations; the text line itself goes to the
  disabled logger, so terminal speed is not measured).

Each figure is the fastest of several repeats (the median is printed too). Run:
``python bench/logging_overhead.py [--json]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'tests'))

from cadence.hooks import IterTimerHook, LoggerHook, RuntimeInfoHook
from cadence.runner import Runner
from support.runs import iter_cfg


def _best_us(fn, calls: int, repeats: int = 15) -> tuple[float, float]:
    """The fastest of ``repeats`` runs, per call: the machine's cost without the noise of
    other processes (the median is printed too)."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(calls)
        samples.append((time.perf_counter() - start) / calls * 1e6)
    return min(samples), statistics.median(samples)


def _runner(work_dir: str) -> Runner:
    # iteration-based, so that only the interval decides when a line is logged
    cfg = iter_cfg(work_dir)
    cfg['default_hooks']['logger'] = {'type': 'LoggerHook', 'interval': 1000}
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner


def measure() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as work_dir:
        runner = _runner(work_dir)
        hooks = {type(h): h for h in runner.hooks}
        logger, info, timer = hooks[LoggerHook], hooks[RuntimeInfoHook], hooks[IterTimerHook]
        loss = {'loss': torch.tensor(0.5)}

        def logger_quiet(n: int) -> None:
            for _ in range(n):
                logger.after_train_iter(runner, 2, None, loss)  # iteration 3: no line

        def default_hooks_cycle(n: int, interval: int = 10) -> None:
            # what the logging stack costs per iteration, a logging interval of 10 amortised:
            # RuntimeInfoHook, IterTimerHook and LoggerHook as the Runner calls them
            logger.interval = interval
            for i in range(n):
                batch_idx = i % 10
                info.before_train_iter(runner, batch_idx, None)
                timer.before_train_iter(runner, batch_idx, None)
                info.after_train_iter(runner, batch_idx, None, loss)
                timer.after_train_iter(runner, batch_idx, None, loss)
                logger.after_train_iter(runner, batch_idx, None, loss)
            logger.interval = 1000

        def logging_iteration(n: int) -> None:
            for _ in range(n):
                runner.check_losses()
                tag, _ = runner.log_processor.get_log_after_iter(runner, 2, 'train')
                runner.visualizer.add_scalars(tag, step=3)

        runner.logger.disabled = True  # time the work, not the terminal
        figures = {
            'logger_hook_quiet_iter_us': _best_us(logger_quiet, 100_000),
            'logging_stack_per_iter_us': _best_us(default_hooks_cycle, 5_000),
            'same_without_log_lines_us': _best_us(
                lambda n: default_hooks_cycle(n, interval=10**9), 5_000
            ),
            'logging_iteration_us': _best_us(logging_iteration, 500),
        }
        runner.logger.disabled = False
        runner.visualizer.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--json', action='store_true', help='print the figures as JSON')
    args = parser.parse_args()
    torch.set_num_threads(1)
    figures = measure()
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f'{platform.processor() or platform.machine()}, torch {torch.__version__}')
    for name, (best, median) in figures.items():
        print(f'{name:<28} {best:10.2f} us (median {median:.2f})')


if __name__ == '__main__':
    main()
