"""How long ``import cadence`` takes on top of ``import torch`` (target: under 0.3 s).

Each measurement is a fresh interpreter that imports torch first, then times the import of the
named modules. Prints the median of several runs; ``--json`` writes the figures.

    python bench/import_time.py [--repeats 7] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

SNIPPET = """
import time
t0 = time.perf_counter()
import torch
t1 = time.perf_counter()
{imports}
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""

#: What to import, by label. Sub-packages that do not exist yet are skipped.
TARGETS = {
    'import cadence': ['cadence'],
    'cadence.config + cadence.registry': ['cadence.config', 'cadence.registry'],
    'everything a training run imports': [
        'cadence.config',
        'cadence.registry',
        'cadence.optim',
        'cadence.hooks',
        'cadence.runner',
        'cadence.cli.main',
    ],
}


def python_env() -> dict[str, str]:
    """The environment for the measured interpreters: this one's, but allowed to write and use
    byte-code caches (``.pyc``), as an installed package does. (Some sandboxes set
    ``PYTHONDONTWRITEBYTECODE``, which makes every import compile its source again.)"""
    env = dict(os.environ)
    env.pop('PYTHONDONTWRITEBYTECODE', None)
    return env


def measure(modules: list[str], repeats: int) -> tuple[float, float]:
    """Median (torch import time, extra time for ``modules``) in seconds over ``repeats`` runs,
    after one unmeasured run that fills the byte-code caches."""
    imports = '\n'.join(f'import {m}' for m in modules)
    torch_times, extra_times = [], []
    for index in range(repeats + 1):
        out = subprocess.run(
            [sys.executable, '-c', SNIPPET.format(imports=imports)],
            capture_output=True,
            text=True,
            check=True,
            env=python_env(),
        ).stdout.split()
        if index == 0:
            continue
        torch_times.append(float(out[0]))
        extra_times.append(float(out[1]))
    return statistics.median(torch_times), statistics.median(extra_times)


def available(modules: list[str]) -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in modules)


def run(repeats: int = 7) -> dict[str, float]:
    results: dict[str, float] = {}
    for label, modules in TARGETS.items():
        if not available(modules):
            continue
        torch_s, extra_s = measure(modules, repeats)
        results['import torch'] = torch_s
        results[label] = extra_s
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=7)
    parser.add_argument('--json', help='write the figures to this file')
    args = parser.parse_args()
    results = run(args.repeats)
    for label, seconds in results.items():
        extra = '' if label == 'import torch' else '  (on top of torch)'
        print(f'{label:<40} {seconds * 1000:8.1f} ms{extra}')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2)


if __name__ == '__main__':
    main()
