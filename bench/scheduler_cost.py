"""Cost of parameter scheduling: one iteration's step, and the schedule preview.

Measures, on this machine:

* the cost of ``step_after_train_iter`` for a warm-up + cosine pair (``LinearLR`` over the first
  1,000 iterations, then ``CosineAnnealingLR``) on a 2-group optimizer, during the warm-up and
  during the cosine; plain ``torch.optim.SGD``, and behind an optimizer wrapper whose
  ``param_groups`` add the reference's base-lr pseudo-group (``cadence.optim.OptimWrapper`` when
  it exists, a stand-in otherwise). Target: under 5 us per iteration.
* the time of :func:`cadence.optim.scheduler.schedule_values` (what ``cadence schedule`` runs)
  for 1,000,000 iterations of the same schedule. Target: under 1 s.

Each figure is the median of several repeats. Run: ``python bench/scheduler_cost.py [--json]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import torch

from cadence.optim.scheduler import build_param_schedulers, schedule_values, step_after_train_iter

WARMUP = 1000
SCHEDULE = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=WARMUP),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=WARMUP, eta_min=1e-5),
]


class PseudoGroupWrapper:
    """Stand-in for the OptimWrapper's ``param_groups`` (real groups + base-lr pseudo-group)."""

    def __init__(self, optimizer: torch.optim.Optimizer) -> None:
        self.optimizer = optimizer
        self.base_param_settings = {'params': torch.tensor([0.0]), **optimizer.defaults}

    @property
    def param_groups(self) -> list[dict]:
        return [*self.optimizer.param_groups, self.base_param_settings]

    @property
    def defaults(self) -> dict:
        return self.optimizer.defaults


def two_group_sgd() -> torch.optim.Optimizer:
    backbone, head = torch.nn.Linear(8, 8), torch.nn.Linear(8, 2)
    return torch.optim.SGD(
        [{'params': backbone.parameters()}, {'params': head.parameters(), 'lr': 1.0}],
        lr=0.1,
        momentum=0.9,
        weight_decay=1e-4,
    )


def wrapped(optimizer: torch.optim.Optimizer):
    try:
        from cadence.optim import OptimWrapper  # type: ignore[attr-defined]
    except ImportError:
        return PseudoGroupWrapper(optimizer), 'stand-in wrapper'
    return OptimWrapper(optimizer), 'OptimWrapper'


def step_cost(make, iterations: int, skip: int, repeats: int) -> float:
    """Median microseconds per ``step_after_train_iter`` over ``iterations`` after ``skip``."""
    results = []
    for _ in range(repeats):
        schedulers = build_param_schedulers(
            make(), SCHEDULE, max_iters=10_000_000, train_by_epoch=False
        )
        for _ in range(skip):
            step_after_train_iter(schedulers)
        start = time.perf_counter_ns()
        for _ in range(iterations):
            step_after_train_iter(schedulers)
        results.append((time.perf_counter_ns() - start) / iterations / 1000)
    return statistics.median(results)


def preview_time(iterations: int, params: tuple[str, ...], repeats: int) -> float:
    cfg = dict(
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4)),
        param_scheduler=SCHEDULE,
        train_cfg=dict(by_epoch=False, max_iters=iterations),
    )
    schedule_values(cfg, params=params)  # warm imports and caches
    results = []
    for _ in range(repeats):
        start = time.perf_counter()
        schedule_values(cfg, params=params)
        results.append(time.perf_counter() - start)
    return statistics.median(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--json', action='store_true', help='print the results as JSON')
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args()

    wrapper_name = wrapped(two_group_sgd())[1]
    repeats = args.repeats
    measurements = [
        ('step: warm-up phase, SGD 2 groups', 'us', 5,
         lambda: step_cost(two_group_sgd, WARMUP - 1, 0, repeats)),
        ('step: cosine phase, SGD 2 groups', 'us', 5,
         lambda: step_cost(two_group_sgd, 100_000, WARMUP, repeats)),
        (f'step: cosine phase, {wrapper_name} (2 + 1 groups)', 'us', 5,
         lambda: step_cost(lambda: wrapped(two_group_sgd())[0], 100_000, WARMUP, repeats)),
        ('preview: 1,000,000 iterations, lr', 's', 1,
         lambda: preview_time(1_000_000, ('lr',), repeats)),
        ('preview: 1,000,000 iterations, lr+momentum+wd', 's', 1,
         lambda: preview_time(1_000_000, ('lr', 'momentum', 'weight_decay'), repeats)),
    ]  # fmt: skip
    rows = [(what, measure(), unit, target) for what, unit, target, measure in measurements]
    machine = f'{platform.processor() or platform.machine()}, {torch.get_num_threads()} threads'
    if args.json:
        print(json.dumps({
            'machine': machine, 'python': platform.python_version(), 'torch': torch.__version__,
            'results': [{'what': w, 'value': v, 'unit': u, 'target': t} for w, v, u, t in rows],
        }, indent=2))  # fmt: skip
        return
    versions = f'python {platform.python_version()}, torch {torch.__version__}'
    print(f'scheduler cost on {machine}, {versions}')
    width = max(len(w) for w, *_ in rows)
    print(f'{"measurement":<{width}}  {"median":>10}  {"target":>8}')
    for what, value, unit, target in rows:
        verdict = 'ok' if value < target else 'OVER'
        print(f'{what:<{width}}  {value:>8.3f} {unit:<2}  < {target} {unit:<2} {verdict}')


if __name__ == '__main__':
    main()
