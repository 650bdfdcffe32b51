"""The report as plain text and as rich tables rendered to a string with a fixed width: the
same facts in both, no control characters in the plain form."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from cadence.config import Config
from cadence.runner.check import check_config, render_rich, render_text

ROOT = Path(__file__).parents[3]
ANSI = re.compile(r'\x1b\[[0-9;]*m')


@pytest.fixture(scope='module')
def report():
    cfg = Config.fromfile(str(ROOT / 'configs' / 'seeds' / 'schedules' / 'lr_and_momentum.py'))
    cfg.merge_from_dict(
        {
            'work_dir': 'unused',
            'custom_hooks': [{'type': 'LoggerHook', 'interval': 5, 'intervall': 1}],
            'param_scheduler.0.end': 2000,
        },
        source='test',
    )
    return check_config(cfg)


def rich_text(report, width: int, **options) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=True, color_system='standard')
    render_rich(report, console, **options)
    return buffer.getvalue()


def test_the_report_has_an_error_and_warnings(report):
    assert [f.key_path for f in report.errors] == ['custom_hooks.0']
    assert {f.key_path for f in report.warnings} == {'param_scheduler.0', 'param_scheduler.1'}


def test_plain_text_sections_and_no_control_characters(report):
    text = render_text(report)
    for title in ('Data and iterations', 'Parameter groups', 'Schedule windows', 'Hook order',
                  'Errors and warnings'):  # fmt: skip
        assert f'== {title} ==' in text
    assert not re.search(r'[\x00-\x08\x0b-\x1f\x7f]', text)
    assert '┃' not in text
    assert 'param_scheduler.0  LinearLR        lr        iteration' in text
    assert 'Learning Rate (lr): turning points' in text
    assert 'error: custom_hooks.0: LoggerHook got an unexpected argument' in text
    assert '(test)' in text  # where the bad value was set: the merge's source
    assert text.splitlines()[-1].endswith(': 1 error, 2 warnings: do not run it')


def test_quiet_text_is_the_findings_and_the_summary(report):
    lines = render_text(report, quiet=True).splitlines()
    assert [line.split(':')[0] for line in lines[:-1]] == ['error', 'warning', 'warning']
    assert lines[-1] == render_text(report).splitlines()[-1]


@pytest.mark.parametrize('width', [80, 120])
def test_rich_tables_fit_the_width_and_show_the_same_facts(report, width):
    out = rich_text(report, width)
    plain = ANSI.sub('', out)
    assert '\x1b[' in out
    assert all(len(line) <= width for line in plain.splitlines())
    # data, parameters, windows, lr and momentum turning points, hooks, findings
    assert plain.count('┏') == 7
    for fact in ('custom_hooks.0', 'param_scheduler.1', 'LinearMomentum', 'DigitsDataset',
                 'ParamSchedulerHook', 'world size 1; iteration-based: 1200 iterations'):  # fmt: skip
        assert fact in plain
    assert ' '.join(plain.split()).endswith('1 error, 2 warnings: do not run it')


def test_rich_quiet_prints_only_findings(report):
    plain = ANSI.sub('', rich_text(report, 100, quiet=True))
    assert 'Errors and warnings' in plain and 'Hook order' not in plain
    assert plain.count('┏') == 1
