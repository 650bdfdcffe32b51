"""--cfg-options parsing and merging, and cfg.explain() provenance."""

from __future__ import annotations

import pytest

from cadence.config import Config, parse_options, parse_value
from cadence.errors import ConfigError


@pytest.mark.parametrize(
    ('text', 'expected'),
    [
        ('1', 1),
        ('-3', -3),
        ('0.5', 0.5),
        ('1e-3', 1e-3),
        ('true', True),
        ('FALSE', False),
        ('None', None),
        ('hello world', 'hello world'),  # spaces are kept, unlike the reference
        ("'quoted'", 'quoted'),
        ('a,b', ['a', 'b']),
        ('[1,2,3]', [1, 2, 3]),
        ('[a, [1, 2]]', ['a', [1, 2]]),
        ('(1,2)', (1, 2)),
        ('(a,)', ('a',)),
        ('[]', []),
        ('dict(max_norm=35, norm_type=2)', {'max_norm': 35, 'norm_type': 2}),
        ("{'type': 'SGD', 'lr': 0.1}", {'type': 'SGD', 'lr': 0.1}),
        ('dict(type=SGD, nesterov=true)', {'type': 'SGD', 'nesterov': True}),
        ("['a b', 'c']", ['a b', 'c']),
    ],
)
def test_parse_value(text, expected):
    value = parse_value(text)
    assert value == expected
    assert type(value) is type(expected)


def test_parse_options_errors():
    with pytest.raises(ConfigError, match='expects key=value pairs'):
        parse_options(['no_equals_sign'])
    with pytest.raises(ConfigError, match='cannot read .* as a dict'):
        parse_value('dict(a=1')


def test_merge_from_dict_dotted_keys_and_list_indices(config_dir):
    cfg = Config.fromfile(config_dir / 'child.py')
    cfg.merge_from_dict(
        parse_options(
            [
                'optim_wrapper.optimizer.lr=0.3',
                'param_scheduler.0.end=10',
                'param_scheduler.1.milestones=[4,6]',
                'train_cfg.max_epochs=2',
                'work_dir=my dir',
                'new.nested.key=1',
            ]
        )
    )
    assert cfg.optim_wrapper.optimizer.lr == 0.3
    assert cfg.optim_wrapper.optimizer.momentum == 0.9
    assert cfg.param_scheduler[0].end == 10
    assert cfg.param_scheduler[0].type == 'LinearLR'
    assert cfg.param_scheduler[1].milestones == [4, 6]
    assert cfg.work_dir == 'my dir'
    assert cfg.new.nested.key == 1


def test_merge_from_dict_dict_values(config_dir):
    cfg = Config.fromfile(config_dir / 'child.py')
    cfg.merge_from_dict({'optim_wrapper.clip_grad': {'max_norm': 35}})
    assert cfg.optim_wrapper.clip_grad == {'max_norm': 35}
    cfg.merge_from_dict({'optim_wrapper.optimizer': {'lr': 0.5}})
    assert cfg.optim_wrapper.optimizer.type == 'SGD'  # dict values merge like config files
    assert cfg.optim_wrapper.optimizer.lr == 0.5
    cfg.merge_from_dict({'optim_wrapper.optimizer': {'_delete_': True, 'type': 'Adam'}})
    assert cfg.optim_wrapper.optimizer == {'type': 'Adam'}


def test_merge_from_dict_errors(config_dir):
    cfg = Config.fromfile(config_dir / 'child.py')
    with pytest.raises(ConfigError, match='index 5 is out of range for a list of 2 items'):
        cfg.merge_from_dict({'param_scheduler.5.end': 1})
    with pytest.raises(ConfigError, match="must be an index .* not 'end'"):
        cfg.merge_from_dict({'param_scheduler.end': 1})
    with pytest.raises(ConfigError) as info:
        cfg.merge_from_dict({'train_cfg.max_epochs.value': 1})
    assert 'train_cfg.max_epochs is int 12, not a dict or list' in str(info.value)
    cfg.optim_wrapper.clip_grad = None
    with pytest.raises(ConfigError) as info:
        cfg.merge_from_dict({'optim_wrapper.clip_grad.max_norm': 5})
    message = str(info.value)
    assert 'optim_wrapper.clip_grad is None, not a dict' in message
    assert 'optim_wrapper.clip_grad="dict(max_norm=...)"' in message


def test_explain_names_file_line_and_overrides(config_dir):
    cfg = Config.fromfile(config_dir / 'child.py')
    cfg.merge_from_dict({'optim_wrapper.optimizer.lr': 0.3})
    text = cfg.explain('optim_wrapper.optimizer.lr')
    assert text == (
        'optim_wrapper.optimizer.lr = 0.3 (tests/fixtures/configs/_base_/schedules/sgd_step.py:4, '
        'overridden by tests/fixtures/configs/child.py:4, overridden by --cfg-options)'
    )
    assert cfg.explain('optim_wrapper.optimizer.momentum') == (
        'optim_wrapper.optimizer.momentum = 0.9 '
        '(tests/fixtures/configs/_base_/schedules/sgd_step.py:4)'
    )
    assert cfg.explain('train_cfg.max_epochs').endswith(
        '(tests/fixtures/configs/_base_/schedules/sgd_step.py:7, overridden by '
        'tests/fixtures/configs/mid.py:3)'
    )
    # YAML bases carry line numbers too.
    assert 'runtime.yaml:5, overridden by tests/fixtures/configs/mid.py:4' in cfg.explain(
        'default_hooks.logger.interval'
    )
    assert cfg.explain('param_scheduler.1.milestones').endswith('child.py:8)')


def test_explain_after_code_assignment_and_delete(config_dir):
    cfg = Config.fromfile(config_dir / 'child.py')
    cfg.optim_wrapper.type = 'AmpOptimWrapper'
    assert cfg.explain('optim_wrapper.type').endswith('overridden by Python code)')
    assert cfg.explain('model.depth') == 'model.depth = 2 (tests/fixtures/configs/child.py:5)'
    cfg.merge_from_dict({'optim_wrapper.type': 'OptimWrapper'}, source='--amp')
    assert cfg.explain('optim_wrapper.type').endswith('overridden by --amp)')


def test_explain_unknown_key_suggests(config_dir):
    cfg = Config.fromfile(config_dir / 'child.py')
    with pytest.raises(
        ConfigError, match="optim_wrapper has no key 'optimiser'. Did you mean 'optimizer'"
    ):
        cfg.explain('optim_wrapper.optimiser.lr')


def test_explain_all_lists_every_leaf(config_dir):
    lines = Config.fromfile(config_dir / 'child.py').explain_all()
    assert any(line.startswith('optim_wrapper.optimizer.type = ') for line in lines)
    assert any(line.startswith('param_scheduler.1.milestones = [8, 11]') for line in lines)
