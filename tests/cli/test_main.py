"""The `cadence` entry point and `cadence config print|explain`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cadence.cli.main import main
from cadence.config import Config
from cadence.version import __version__


def test_version_and_help(capsys):
    assert main(['--version']) == 0
    assert capsys.readouterr().out.strip() == f'cadence {__version__}'
    assert main(['--help']) == 0
    out = capsys.readouterr().out
    assert 'usage: cadence' in out and 'config' in out


def test_no_arguments_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert 'usage: cadence' in capsys.readouterr().out


def test_unknown_command_suggests(capsys):
    assert main(['confg']) == 2
    assert "unknown command 'confg'. Did you mean 'config'?" in capsys.readouterr().err


def test_config_print_applies_cfg_options(config_dir, capsys, tmp_path):
    assert (
        main(
            [
                'config',
                'print',
                str(config_dir / 'child.py'),
                '--cfg-options',
                'optim_wrapper.optimizer.lr=0.25',
                'work_dir=a b',
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    path = tmp_path / 'printed.py'
    path.write_text(out)
    printed = Config.fromfile(path)
    assert printed.optim_wrapper.optimizer.lr == 0.25
    assert printed.work_dir == 'a b'


@pytest.mark.parametrize('fmt', ['json', 'yaml'])
def test_config_print_other_formats(config_dir, capsys, tmp_path, fmt):
    assert main(['config', 'print', str(config_dir / 'child.py'), '--format', fmt]) == 0
    path = tmp_path / f'printed.{fmt}'
    path.write_text(capsys.readouterr().out)
    assert Config.fromfile(path).optim_wrapper.optimizer.type == 'SGD'


def test_config_explain_one_key_and_all(config_dir, capsys):
    assert (
        main(
            [
                'config',
                'explain',
                str(config_dir / 'child.py'),
                'optim_wrapper.optimizer.lr',
                '--cfg-options',
                'optim_wrapper.optimizer.lr=0.3',
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.strip() == (
        'optim_wrapper.optimizer.lr = 0.3 (tests/fixtures/configs/_base_/schedules/sgd_step.py:4, '
        'overridden by tests/fixtures/configs/child.py:4, overridden by --cfg-options)'
    )
    assert main(['config', 'explain', str(config_dir / 'child.py')]) == 0
    out = capsys.readouterr().out
    assert 'train_cfg.max_epochs = 12' in out and 'model.type' in out


def test_config_errors_are_one_line_messages_not_tracebacks(config_dir, capsys):
    assert main(['config', 'print', str(config_dir / 'errors' / 'syntax_error.py')]) == 1
    err = capsys.readouterr().err
    assert err.startswith('error: ') and 'syntax_error.py:2' in err
    assert 'Traceback' not in err
    assert main(['config', 'explain', str(config_dir / 'child.py'), 'optim_wrapper.lrr']) == 1
    assert "optim_wrapper has no key 'lrr'" in capsys.readouterr().err


def test_console_script_and_python_m_are_the_same_program():
    for command in (['cadence', '--version'], [sys.executable, '-m', 'cadence', '--version']):
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        assert result.stdout.strip() == f'cadence {__version__}'
