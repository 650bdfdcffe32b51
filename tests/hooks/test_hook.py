"""Hook base class: stages, mode-generic helpers, predicates."""

from __future__ import annotations

from types import SimpleNamespace

from cadence.hooks import STAGES, Hook, triggered_stages
from cadence.hooks.hook import misspelled_stages


def test_stage_list_is_the_reference_order():
    assert STAGES[:3] == ('before_run', 'after_load_checkpoint', 'before_train')
    assert STAGES[-1] == 'after_run' and len(STAGES) == 22


def test_triggered_stages_follow_overrides_and_helpers():
    class Plain(Hook):
        pass

    class IterOnly(Hook):
        def before_train_iter(self, runner, batch_idx, data_batch=None):
            pass

    class AfterIter(Hook):
        def _after_iter(self, runner, batch_idx, data_batch=None, outputs=None, mode='train'):
            pass

    assert triggered_stages(Plain()) == []
    assert triggered_stages(IterOnly()) == ['before_train_iter']
    assert triggered_stages(AfterIter()) == [
        'after_train_iter',
        'after_val_iter',
        'after_test_iter',
    ]


def test_stage_methods_forward_to_helpers_with_mode():
    calls = []

    class Recorder(Hook):
        def _before_epoch(self, runner, mode='train'):
            calls.append(('epoch', mode))

        def _after_iter(self, runner, batch_idx, data_batch=None, outputs=None, mode='train'):
            calls.append(('iter', mode, batch_idx, outputs))

    hook = Recorder()
    hook.before_val_epoch(None)
    hook.after_test_iter(None, 3, outputs='o')
    assert calls == [('epoch', 'val'), ('iter', 'test', 3, 'o')]


def test_predicates():
    hook = Hook()
    runner = SimpleNamespace(epoch=3, iter=9, max_epochs=4, max_iters=10)
    assert hook.every_n_epochs(runner, 2) and not hook.every_n_epochs(runner, 3)
    assert hook.every_n_epochs(runner, 2, start=2)  # (3 + 1 - 2) % 2 == 0
    assert not hook.every_n_epochs(runner, 2, start=5)  # before the start
    assert not hook.every_n_epochs(runner, -1)
    assert hook.every_n_train_iters(runner, 5) and hook.every_n_train_iters(runner, 10)
    assert hook.every_n_inner_iters(4, 5) and not hook.every_n_inner_iters(3, 5)
    assert hook.end_of_epoch([1, 2, 3], 2) and not hook.end_of_epoch([1, 2, 3], 1)
    assert hook.is_last_train_epoch(runner) and hook.is_last_train_iter(runner)


def test_misspelled_stage_names_are_found():
    class Typo(Hook):
        def before_train_iteration(self, runner):
            pass

    [(name, guesses)] = misspelled_stages(Typo())
    assert name == 'before_train_iteration' and guesses[0] == 'before_train_iter'
