"""``cadence check``: every example config checks clean; errors give exit status 1; rich
tables on a terminal, plain text otherwise; nothing is written to the work dir."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from cadence.cli.main import main

ROOT = Path(__file__).parents[2]
CONFIGS = sorted(
    path
    for path in (ROOT / 'configs').rglob('*.py')
    if '_base_' not in path.parts and re.search(r'^_base_\s*=', path.read_text(), re.MULTILINE)
)
#: The warnings the example configs deliberately give (none of them is an error).
EXPECTED_WARNINGS = {
    'seeds/optim/accumulation.py': {'optim_wrapper.accumulative_counts'},  # BatchNorm
    'seeds/optim/selfsup_accumulation.py': {'optim_wrapper.accumulative_counts'},
    'seeds/optim/mae_custom_keys.py': {'optim_wrapper.paramwise_cfg.custom_keys'},  # mask_token
    'seeds/schedules/lr_and_momentum.py': {'param_scheduler.0', 'param_scheduler.1'},
    'seeds/schedules/param_scheduler_lr.py': {'param_scheduler.0'},
    'seeds/schedules/param_scheduler_weight_decay.py': {'param_scheduler.0'},
    'seeds/schedules/warmup_iter_then_cosine_iter.py': {'param_scheduler.1'},
}
BAD = (
    "optim_wrapper = dict(optimizer=dict(type='SDG', lr=0.1))\n"
    "default_hooks = dict(logger=dict(type='LoggerHook', intervl=5))\n"
    "param_scheduler = [dict(type='LinearLR', by_epoch=False, begin=50, end=10)]\n"
)


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def bad_config(tmp_path: Path) -> Path:
    path = tmp_path / 'bad.py'
    path.write_text(f"_base_ = ['{ROOT / 'configs/digits/mlp_warmup_cosine.py'}']\n{BAD}")
    return path


def test_every_example_config_is_found():
    assert len(CONFIGS) >= 30
    assert {p.parent.name for p in CONFIGS} >= {'digits', 'optim', 'schedules', 'hooks'}


@pytest.mark.parametrize('config', CONFIGS, ids=lambda p: str(p.relative_to(ROOT / 'configs')))
def test_example_configs_check_clean(config, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)  # custom_imports name modules under configs/
    work = tmp_path / 'work'
    assert main(['check', str(config), '--work-dir', str(work)]) == 0
    out = capsys.readouterr().out
    assert not work.exists()
    assert '\x1b' not in out and '┃' not in out  # plain text when not on a terminal
    summary = out.rstrip().splitlines()[-1]
    assert ': 0 errors, ' in summary and summary.endswith('ready to run')
    findings = out.split('== Errors and warnings ==')[1].splitlines()
    warned = {line.split(': ')[1] for line in findings if line.startswith('warning: ')}
    assert warned == EXPECTED_WARNINGS.get(str(config.relative_to(ROOT / 'configs')), set())
    assert '== Hook order ==' in out and '== Parameter groups ==' in out


def test_errors_give_status_1_and_one_line_each(tmp_path, capsys):
    assert main(['check', str(bad_config(tmp_path)), '--quiet']) == 1
    lines = capsys.readouterr().out.splitlines()
    errors = [line for line in lines if line.startswith('error: ')]
    assert [e.split(': ')[1] for e in errors] == [
        'default_hooks.logger',
        'optim_wrapper.optimizer.type',
        'param_scheduler.0',
    ]
    assert all(re.search(r'bad\.py:\d+\)$', e) or 'bad.py:' in e for e in errors)
    assert lines[-1].endswith('bad.py: 3 errors, 0 warnings: do not run it')


def test_strict_fails_on_warnings(capsys):
    config = ROOT / 'configs' / 'seeds' / 'schedules' / 'param_scheduler_lr.py'
    assert main(['check', str(config), '-q']) == 0
    assert main(['check', str(config), '-q', '--strict']) == 1
    out = capsys.readouterr().out
    assert 'lr is not scheduled after iteration 999: it stays at 0.1 for the last 100' in out


def test_train_options_and_world_size_apply(capsys):
    config = ROOT / 'configs' / 'seeds' / 'optim' / 'sgd.py'
    args = ['--world-size', '2', '--amp', '--cfg-options', 'train_dataloader.batch_size=16']
    assert main(['check', str(config), *args]) == 0
    out = capsys.readouterr().out
    assert 'world size 2;' in out and 'global batch 32 (batch 16 x 2 process(es)' in out
    assert 'AmpOptimWrapper' not in out or 'error' not in out
    assert main(['check', str(config), '--world-size', '0']) == 1
    assert 'error: --world-size: must be at least 1' in capsys.readouterr().err


def test_rich_tables_on_a_terminal(tmp_path, monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr('sys.stdout', terminal)
    monkeypatch.setenv('COLUMNS', '100')
    monkeypatch.setenv('TERM', 'xterm-256color')
    monkeypatch.delenv('NO_COLOR', raising=False)
    assert main(['check', str(bad_config(tmp_path))]) == 1
    out = terminal.getvalue()
    plain = re.sub(r'\x1b\[[0-9;]*m', '', out)
    assert '┏' in plain and 'Errors and warnings' in plain and 'Schedule windows' in plain
    assert all(len(line) <= 100 for line in plain.splitlines())
    assert '\x1b[' in out  # styled
    assert 'optim_wrapper.optimizer.type' in plain
    monkeypatch.setattr('sys.stdout', terminal := FakeTerminal())
    assert main(['check', str(bad_config(tmp_path)), '--plain', '-q']) == 1
    assert '┏' not in terminal.getvalue() and '\x1b' not in terminal.getvalue()
