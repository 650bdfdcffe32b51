"""The benchmark scripts run and produce their figures (no timing is asserted: speed is
measured by ``bench/run.py``, never by tests)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / 'bench'


@pytest.fixture(scope='module')
def bench_modules():
    sys.path.insert(0, str(BENCH))
    try:
        import checkpoint_io
        import overhead
        import run
        import sync_check

        yield run, overhead, sync_check, checkpoint_io
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.slow
def test_the_measurements_run_and_fill_the_table(bench_modules):
    run, overhead, sync_check, checkpoint_io = bench_modules
    results = {
        'overhead': {'tiny': overhead.measure('tiny', rounds=1, iterations=40).as_dict()},
        'syncs': sync_check.check(60),
        'checkpoint': checkpoint_io.measure(1),
    }
    tiny = results['overhead']['tiny']
    assert tiny['rounds'] == 1 and all(math.isfinite(tiny[k]) for k in ('hand_us', 'runner_us'))
    assert results['syncs']['syncs_in_quiet_iterations'] == 0
    assert results['checkpoint']['parameters'] == 512 * 2048 + 2048 + 2048 * 2048 + 2048 + 20490
    rows = run.table_rows(results)
    names = [row[0] for row in rows]
    assert any('tiny task: Runner.train()' in n for n in names)
    assert any('host syncs' in n for n in names)
    assert any('checkpoint load' in n for n in names)
    machine = run.describe_machine()
    assert machine['cores'] and machine['torch']
