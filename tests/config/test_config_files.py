"""Loading config files: formats, _base_ inheritance, _delete_, references, predefined variables."""

from __future__ import annotations

import os

import pytest

from cadence.config import Config, ConfigDict


def test_multi_level_python_inheritance(config_dir):
    cfg = Config.fromfile(config_dir / 'child.py')
    # child.py -> mid.py -> (models/mlp.py, schedules/sgd_step.py, runtime.yaml)
    assert cfg.optim_wrapper.type == 'OptimWrapper'
    assert cfg.optim_wrapper.optimizer.momentum == 0.9  # merged from the base
    assert cfg.optim_wrapper.optimizer.weight_decay == 0.05  # overridden by the child
    assert cfg.train_cfg == dict(by_epoch=True, max_epochs=12, val_interval=1)  # mid overrides
    assert cfg.default_hooks.logger == dict(type='LoggerHook', interval=50)
    assert cfg.default_hooks.checkpoint.interval == 1
    assert cfg.randomness.seed == 0


def test_python_reference_to_base_values_in_expressions(config_dir):
    cfg = Config.fromfile(config_dir / 'child.py')
    assert cfg.lr == pytest.approx(0.01)
    assert cfg.optim_wrapper.optimizer.lr == pytest.approx(0.01)
    assert cfg.max_epochs == 12


def test_delete_replaces_instead_of_merging(config_dir):
    cfg = Config.fromfile(config_dir / 'child.py')
    assert cfg.model == dict(type='TinyNet', depth=2)
    assert '_delete_' not in cfg.model


def test_lists_replace_wholesale(config_dir):
    cfg = Config.fromfile(config_dir / 'child.py')
    assert [s['type'] for s in cfg.param_scheduler] == ['LinearLR', 'MultiStepLR']


def test_predefined_variables(config_dir):
    cfg = Config.fromfile(config_dir / 'child.py')
    assert cfg.work_dir == 'child'
    # {{fileDirname}} is the directory of the file that uses it (a base here).
    assert cfg.log_dir == str(config_dir / '_base_' / 'logs').replace('\\', '/')


def test_yaml_config_with_python_base_and_whole_value_references(config_dir):
    cfg = Config.fromfile(config_dir / 'child.yaml')
    assert cfg.optim_wrapper.optimizer.lr == 0.01
    assert cfg.optim_wrapper.optimizer.type == 'SGD'
    assert cfg.base_lr == 0.1
    assert cfg.milestones == [30, 60, 90]


def test_json_config(config_dir):
    cfg = Config.fromfile(config_dir / 'child.json')
    assert cfg.train_cfg.max_epochs == 3
    assert cfg.hooks_copy.logger.interval == 50


def test_env_variables(tmp_path, monkeypatch):
    path = tmp_path / 'env.py'
    path.write_text("data_root = '{{$CADENCE_TEST_ROOT:/default/root}}'\n")
    assert Config.fromfile(path).data_root == '/default/root'
    monkeypatch.setenv('CADENCE_TEST_ROOT', '/from/env')
    assert Config.fromfile(path).data_root == '/from/env'


def test_attribute_and_item_access_and_nested_configdicts(config_dir):
    cfg = Config.fromfile(config_dir / 'child.py')
    assert cfg['optim_wrapper']['optimizer'] is cfg.optim_wrapper.optimizer
    assert isinstance(cfg.optim_wrapper, ConfigDict)
    assert isinstance(cfg.param_scheduler[0], ConfigDict)
    cfg.train_cfg.max_epochs = 5
    assert cfg['train_cfg']['max_epochs'] == 5
    cfg.new_key = dict(a=1)
    assert cfg.new_key.a == 1
    with pytest.raises(AttributeError, match="optim_wrapper has no key 'optimzer'. Did you mean"):
        cfg.optim_wrapper.optimzer  # noqa: B018
    assert 'model' in cfg and 'nope' not in cfg
    assert set(cfg.to_dict()) == set(cfg.keys())


def test_functions_modules_and_classes_are_not_config_keys(tmp_path):
    path = tmp_path / 'code.py'
    path.write_text(
        'import math\nfrom collections import OrderedDict\n\n'
        'def helper(x):\n    return x * 2\n\n'
        'value = helper(math.floor(2.5))\n__private = 1\n'
    )
    cfg = Config.fromfile(path)
    assert cfg.to_dict() == {'value': 4}


def test_config_from_dict_and_equality():
    cfg = Config(dict(a=dict(b=1), c=[1, 2]))
    assert cfg.a.b == 1
    assert cfg == {'a': {'b': 1}, 'c': [1, 2]}
    assert cfg.copy() == cfg
    with pytest.raises(TypeError, match='cfg_dict must be a dict'):
        Config([1, 2])


@pytest.mark.parametrize('suffix', ['.py', '.json', '.yaml'])
def test_dump_loads_back_equal(config_dir, tmp_path, suffix):
    cfg = Config.fromfile(config_dir / 'child.py')
    out = tmp_path / f'dumped{suffix}'
    text = cfg.dump(out)
    assert out.read_text() == text
    again = Config.fromfile(out)
    assert again == cfg


def test_pretty_text_is_python_that_loads_back(config_dir, tmp_path):
    cfg = Config.fromfile(config_dir / 'child.py')
    cfg.tuple_value = (1, 2)
    cfg.odd_keys = {'a-b': 1, 3: 'x'}
    cfg.cls = os.path.join  # callables are written as their import path
    text = cfg.pretty_text
    assert 'optimizer=dict(' in text
    path = tmp_path / 'pretty.py'
    path.write_text(text)
    again = Config.fromfile(path)
    assert again.tuple_value == (1, 2)
    assert again.odd_keys == {'a-b': 1, 3: 'x'}
    assert again.cls.endswith('.join')
    assert again.optim_wrapper == cfg.optim_wrapper


def test_fromstring():
    cfg = Config.fromstring('a = dict(b=[1, 2])\n', '.py')
    assert cfg.a.b == [1, 2]
    cfg = Config.fromstring('a: {b: 3}\n', 'yaml')
    assert cfg.a.b == 3


def test_custom_imports_run_at_load(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'my_cadence_plugin.py').write_text('LOADED = True\n')
    path = tmp_path / 'cfg.py'
    path.write_text(
        "custom_imports = dict(imports=['my_cadence_plugin'], allow_failed_imports=False)\n"
    )
    Config.fromfile(path)
    import sys

    assert sys.modules['my_cadence_plugin'].LOADED
    sys.modules.pop('my_cadence_plugin')
