"""The live progress display, rendered to strings of a fixed width; and plain output when
standard output is not a terminal."""

from __future__ import annotations

import io
import logging
import re
import sys
from types import SimpleNamespace

import pytest
from rich.console import Console

from cadence.hooks import logger_hook
from cadence.logging import MessageHub
from cadence.logging.progress import ProgressDisplay, stdout_is_terminal
from cadence.logging.run_log import StdoutHandler
from support.runs import digits_cfg, iter_cfg, train

ESCAPE = re.compile(r'\x1b|\r')
CSI = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]')


def _screen(text: str) -> list[str]:
    """Roughly what a terminal shows for ``text``: escape sequences dropped, each line what
    follows its last carriage return."""
    return [line.rpartition('\r')[2] for line in CSI.sub('', text).split('\n')]


def _runner(**kw):
    hub = MessageHub.create_instance('test-progress')
    hub.update_info('eta', 41.7)
    base = dict(
        message_hub=hub,
        iter=55,
        max_iters=225,
        epoch=1,
        max_epochs=5,
        train_by_epoch=True,
        training=True,
    )
    base.update(kw)
    return SimpleNamespace(**base)


def _render(display, width=100):
    console = Console(file=io.StringIO(), width=width, force_terminal=True, color_system=None)
    console.print(display)
    return console.file.getvalue()


def test_training_display_at_a_fixed_width():
    display = ProgressDisplay(_runner())
    display.update_train({'loss': 0.34121, 'lr': 0.096194, 'time': 0.5, 'lr/head': 1.0})
    display.update_val({'accuracy/top1': 96.1111, 'time': 0.02, 'data_time': 0.01})
    lines = _render(display).splitlines()
    assert len(lines) == 2 and all(len(line) <= 100 for line in lines)
    # 55 of 225 iterations: epoch 2 of 5 (45 per epoch), 10 batches into it
    assert lines[0].startswith('train  epoch 2/5 [10/45]  ━')
    assert lines[0].endswith('  55/225   24%  eta 0:00:41')
    assert lines[1] == '       loss 0.3412  lr 9.6194e-02  val accuracy/top1 96.1111'
    bar = lines[0][len('train  epoch 2/5 [10/45]  ') : -len('  55/225   24%  eta 0:00:41')]
    filled = bar.count('━') + 0.5 * bar.count('╸')
    assert filled / len(bar) == pytest.approx(55 / 225, abs=1 / len(bar))


def test_iteration_based_display_and_the_narrowest_width():
    display = ProgressDisplay(_runner(iter=400, max_iters=1000, train_by_epoch=False))
    (line,) = _render(display, width=100).splitlines()  # no values logged yet: one line
    assert line.startswith('train  iter 400/1000  ━') and line.endswith('40%  eta 0:00:41')
    narrow = _render(display, width=40).splitlines()  # text and bar on lines of their own
    assert narrow[0].rstrip() == 'train  iter 400/1000  400/1000   40%'
    assert narrow[1].strip() == 'eta 0:00:41' and set(narrow[2]) <= set('━╸╺')
    assert all(len(text) <= 40 for text in narrow)


def test_validation_inside_training_and_alone():
    display = ProgressDisplay(_runner())
    display.eval_position = ('val', 3, 12)
    lines = _render(display).splitlines()
    assert lines[0].startswith('train  epoch 2/5')
    assert lines[-1].startswith('val    ━') and lines[-1].endswith('  3/12')
    alone = ProgressDisplay(_runner(training=False))  # runner.test(): no train line
    alone.eval_position = ('test', 12, 12)
    (line,) = _render(alone).splitlines()
    assert line.startswith('test   ━') and line.endswith('12/12') and '╺' not in line


def test_live_display_draws_in_place_and_prints_logs_above(monkeypatch):
    output = io.StringIO()
    console = Console(file=output, width=80, force_terminal=True, color_system=None)
    runner = _runner()
    display = ProgressDisplay(runner, console=console, refresh_interval=0.0)
    logger = logging.getLogger('cadence.test_progress')
    handler = StdoutHandler()  # the console handler a run attaches
    logger.addHandler(handler)
    logger.propagate = False  # only this handler
    long_line = 'Epoch(train) [2][10/45]  ' + '  '.join(f'loss_{i}: 0.{i}000' for i in range(9))
    stdout = sys.stdout
    display.start()
    try:
        assert sys.stdout is not stdout  # routed through rich while live
        logger.warning(long_line)  # longer than the console: printed whole, not re-wrapped
        print('a print from a hook')
        runner.iter = 100
        display.tick()
    finally:
        display.stop()
        logger.removeHandler(handler)
    assert sys.stdout is stdout
    text = output.getvalue()
    assert '\x1b[' in text  # cursor movements: this is a terminal
    assert len(long_line) > 80 and long_line + '\n' in text
    screen = [line for line in _screen(text) if line.strip()]
    assert screen.index(long_line) < screen.index('a print from a hook')
    assert screen[-1].endswith('100/225   44%  eta 0:00:41')
    display.stop()  # idempotent


def test_a_new_display_takes_over_from_one_left_live():
    """A run that ends on an exception never stops its display; the next one does."""
    console = Console(file=io.StringIO(), width=80, force_terminal=True)
    crashed = ProgressDisplay(_runner(), console=console)
    crashed.start()
    stdout_during = sys.stdout
    following = ProgressDisplay(_runner(), console=console)
    following.start()
    assert not crashed.live and following.live
    following.stop()
    assert sys.stdout is not stdout_during  # the redirection is undone


def test_stdout_is_a_terminal_only_when_it_really_is(monkeypatch):
    class FakeTTY(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, 'stdout', io.StringIO())
    monkeypatch.setenv('FORCE_COLOR', '1')  # colour forcing does not make a file a terminal
    assert not stdout_is_terminal()
    monkeypatch.setattr(sys, 'stdout', FakeTTY())
    monkeypatch.setenv('TERM', 'xterm-256color')
    assert stdout_is_terminal()
    monkeypatch.setenv('TERM', 'dumb')
    assert not stdout_is_terminal()


def test_redirected_training_output_is_plain_lines(tmp_path, capsys):
    """Not a terminal (pytest captures stdout): log lines only, no control characters."""
    train(digits_cfg(tmp_path, log_level='INFO'))
    out = capsys.readouterr().out
    assert 'Epoch(train) [1][2/6]  lr: 1.0000e-01' in out
    assert 'Epoch(val) [3][2/2]  accuracy/top1: ' in out
    assert not ESCAPE.search(out)


def _fake_terminal(monkeypatch, width=90):
    """Make LoggerHook believe stdout is a terminal, drawing on a string console."""
    output = io.StringIO()
    displays = []

    def make(runner):
        console = Console(file=output, width=width, force_terminal=True, color_system=None)
        display = ProgressDisplay(runner, console=console, refresh_interval=0.0)
        display.start()
        displays.append(display)
        return display

    monkeypatch.setattr(logger_hook, '_progress_display', make)
    return output, displays


def test_logger_hook_drives_the_display_through_training(tmp_path, monkeypatch):
    output, displays = _fake_terminal(monkeypatch)
    runner = train(digits_cfg(tmp_path))
    assert len(displays) == 1  # one display for training and its validations
    display = displays[0]
    assert not display.live
    screen = [line for line in _screen(output.getvalue()) if line.strip()]
    final = screen[-2:]
    assert final[0].startswith('train  epoch 3/3 [6/6]  ━') and '18/18  100%' in final[0]
    loss = runner.message_hub.get_scalar('train/loss').mean(10)  # the last line's mean
    top1 = runner.message_hub.get_scalar('val/accuracy/top1').current()
    assert final[1] == f'       loss {loss:.4f}  lr 1.0000e-01  val accuracy/top1 {top1:.4f}'
    assert '\nval    ━' in CSI.sub('', output.getvalue())  # drawn while validating


def test_logger_hook_display_for_testing_alone_and_opt_out(tmp_path, monkeypatch):
    from cadence.runner import Runner

    output, displays = _fake_terminal(monkeypatch)
    cfg = iter_cfg(
        tmp_path,
        test_dataloader=digits_cfg(tmp_path)['val_dataloader'],
        test_cfg={},
        test_evaluator={'type': 'Accuracy'},
    )
    Runner.from_cfg(cfg).test()
    assert len(displays) == 1 and not displays[0].live
    final = [line for line in _screen(output.getvalue()) if line.strip()]
    bar = 90 - len('test ') - 2 - 2 - len('2/2')  # width 90: label, padding, bar, count
    assert final == ['test   ' + '━' * bar + '  2/2']  # the finished bar stays
    cfg['default_hooks']['logger']['progress'] = False
    Runner.from_cfg(cfg).test()
    assert len(displays) == 1  # progress=False: no display even on a terminal
