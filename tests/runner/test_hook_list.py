"""Hook registration order, dispatch lists and the hook-order table of the reference."""

from __future__ import annotations

import logging

import pytest

from cadence.errors import ConfigError
from cadence.hooks import Hook
from cadence.registry import HOOKS
from cadence.runner.hook_list import HookList

DEFAULTS = [
    {'type': 'RuntimeInfoHook'},
    {'type': 'IterTimerHook'},
    {'type': 'DistSamplerSeedHook'},
    {'type': 'LoggerHook'},
    {'type': 'ParamSchedulerHook'},
    {'type': 'CheckpointHook', 'interval': 1},
]


class B(Hook):
    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        pass


class EMAHook(Hook):
    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        pass


class EmptyCacheHook(Hook):
    priority = 'LOWEST'

    def _after_iter(self, runner, batch_idx, data_batch=None, outputs=None, mode='train'):
        pass


def _reference_sample_hooks() -> HookList:
    hooks = HookList()
    for cfg in DEFAULTS:
        hooks.register(cfg)
    hooks.register(B(), priority=45)
    hooks.register(EMAHook())
    hooks.register(EmptyCacheHook())
    return hooks


def test_after_train_iter_section_matches_the_reference_sample():
    table = _reference_sample_hooks().order_table()
    start = table.index('after_train_iter:')
    section = table[start : table.index(' -------------------- ', start) + 22]
    expected = [
        'after_train_iter:',
        '(VERY_HIGH   ) RuntimeInfoHook',
        '(45          ) B',
        '(NORMAL      ) IterTimerHook',
        '(NORMAL      ) EMAHook',
        '(BELOW_NORMAL) LoggerHook',
        '(LOW         ) ParamSchedulerHook',
        '(VERY_LOW    ) CheckpointHook',
        '(LOWEST      ) EmptyCacheHook',
        ' -------------------- ',
    ]
    lines = section.split('\n')
    assert [
        line.rstrip() if i not in (0, len(lines) - 1) else line for i, line in enumerate(lines)
    ] == expected
    # the format is f'({priority:<12}) {class name:<35}' exactly
    assert lines[1] == f'({"VERY_HIGH":<12}) {"RuntimeInfoHook":<35}'


def test_table_lists_only_triggered_stages_in_stage_order():
    hooks = HookList()
    hooks.register(B(), priority='high')
    hooks.register(EmptyCacheHook())
    expected = '\n'.join(
        [
            'after_train_iter:',
            f'({"high":<12}) {"B":<35}',
            f'({"LOWEST":<12}) {"EmptyCacheHook":<35}',
            ' -------------------- ',
            'after_val_iter:',
            f'({"LOWEST":<12}) {"EmptyCacheHook":<35}',
            ' -------------------- ',
            'after_test_iter:',
            f'({"LOWEST":<12}) {"EmptyCacheHook":<35}',
            ' -------------------- ',
        ]
    )
    assert hooks.order_table() == expected


def test_stable_order_and_priority_sources():
    hooks = HookList()
    first, second, third = B(), B(), B()
    hooks.register(first)
    hooks.register(second, priority='NORMAL')
    hooks.register(third, priority=10)
    assert hooks.hooks == [third, first, second]
    # A registered name of its own: replacing the real EMAHook would leak into later tests.
    HOOKS.register_module(name='HookListTestEMAHook', module=EMAHook, force=True)
    try:
        from_cfg = hooks.register({'type': 'HookListTestEMAHook', 'priority': 'high'})
        assert from_cfg.priority == 'high' and hooks.hooks.index(from_cfg) == 1
        overridden = hooks.register(
            {'type': 'HookListTestEMAHook', 'priority': 'high'}, priority=95
        )
        assert overridden.priority == 95 and hooks.hooks[-1] is overridden
    finally:
        HOOKS.module_dict.pop('HookListTestEMAHook', None)


def test_dispatch_lists_skip_hooks_that_do_not_override_a_stage():
    hooks = _reference_sample_hooks()
    names = lambda stage: [type(m.__self__).__name__ for m in hooks.methods[stage]]  # noqa: E731
    assert names('before_train_epoch') == [
        'RuntimeInfoHook',
        'IterTimerHook',
        'DistSamplerSeedHook',
    ]
    assert names('after_load_checkpoint') == []
    assert 'EmptyCacheHook' in names('after_val_iter')


def test_registration_errors_and_typo_warning(caplog):
    hooks = HookList()
    with pytest.raises(ConfigError, match=r"custom_hooks\.0\.priority: unknown priority 'NORMALL'"):
        hooks.register({'type': 'IterTimerHook', 'priority': 'NORMALL'}, key_path='custom_hooks.0')
    with pytest.raises(ConfigError, match='is not a hook'):
        hooks.register(object(), key_path='custom_hooks.1')
    with pytest.raises(ConfigError, match="Did you mean 'IterTimerHook'"):
        hooks.register({'type': 'IterTimeHook'}, key_path='custom_hooks.2')

    class Typo(Hook):
        def after_train_epochs(self, runner):
            pass

    with caplog.at_level(logging.WARNING, logger='cadence'):
        hooks.register(Typo(), key_path='custom_hooks.3')
    assert "Did you mean 'after_train_epoch'" in caplog.text
