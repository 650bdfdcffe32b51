"""Every config-file error names the file, the line or key path, and what would be valid."""

from __future__ import annotations

import pytest

from cadence.config import Config
from cadence.errors import ConfigError


def test_syntax_error_names_file_and_line(config_dir):
    with pytest.raises(ConfigError) as info:
        Config.fromfile(config_dir / 'errors' / 'syntax_error.py')
    message = str(info.value)
    assert 'errors/syntax_error.py:2: syntax error' in message
    assert "optimizer=dict(type='SGD', lr=0.1" in message


def test_base_cycle_is_shown_as_a_chain(config_dir):
    with pytest.raises(ConfigError) as info:
        Config.fromfile(config_dir / 'errors' / 'cycle_a.py')
    message = str(info.value)
    assert message.startswith('circular _base_ inheritance: ')
    assert message.count('cycle_a.py') == 2 and 'cycle_b.py' in message
    assert message.index('cycle_a.py') < message.index('cycle_b.py')


def test_missing_base_names_the_path_looked_for(config_dir):
    with pytest.raises(ConfigError) as info:
        Config.fromfile(config_dir / 'errors' / 'missing_base.py')
    message = str(info.value)
    assert "base config '../_base_/schedules/no_such_schedule.py' not found" in message
    expected = config_dir / '_base_' / 'schedules' / 'no_such_schedule.py'
    assert f'(looked for {expected})' in message
    assert 'missing_base.py:1' in message


def test_duplicate_keys_across_sibling_bases(config_dir):
    with pytest.raises(
        ConfigError, match="duplicate key 'lr' in sibling base configs .*dup_a.py and .*dup_b.py"
    ):
        Config.fromfile(config_dir / 'errors' / 'dup_child.py')


def test_dict_over_non_dict_base_suggests_delete(config_dir):
    with pytest.raises(ConfigError) as info:
        Config.fromfile(config_dir / 'errors' / 'dict_over_scalar.py')
    message = str(info.value)
    assert message.startswith('train_cfg.max_epochs: ')
    assert 'the base value is int 12 (from ' in message and 'mid.py:3' in message
    assert 'add _delete_=True' in message


def test_dict_over_none_base_replaces_it(tmp_path):
    (tmp_path / 'base.py').write_text('optim_wrapper = dict(clip_grad=None)\n')
    (tmp_path / 'child.py').write_text(
        "_base_ = 'base.py'\noptim_wrapper = dict(clip_grad=dict(max_norm=35))\n"
    )
    assert Config.fromfile(tmp_path / 'child.py').optim_wrapper.clip_grad.max_norm == 35


def test_base_reference_inside_expression(config_dir):
    with pytest.raises(ConfigError) as info:
        Config.fromfile(config_dir / 'errors' / 'base_ref_expression.py')
    message = str(info.value)
    assert 'base_ref_expression.py:2' in message
    assert 'can only be used as a whole value' in message
    assert '_base_.lr * 0.01' in message


def test_base_reference_to_missing_key(tmp_path):
    (tmp_path / 'base.yaml').write_text('lr: 0.1\n')
    (tmp_path / 'child.yaml').write_text("_base_: base.yaml\nx: '{{_base_.lrr}}'\n")
    with pytest.raises(
        ConfigError,
        match=r"\{\{_base_.lrr\}\} refers to a key the base configs do not have. Did you mean 'lr'\?",
    ):
        Config.fromfile(tmp_path / 'child.yaml')


def test_runtime_error_in_python_config(config_dir):
    with pytest.raises(
        ConfigError, match='runtime_error.py:2: error while executing the config: NameError'
    ):
        Config.fromfile(config_dir / 'errors' / 'runtime_error.py')


def test_missing_file_and_unsupported_format(tmp_path):
    with pytest.raises(ConfigError, match='config file not found: .*nope.py'):
        Config.fromfile(tmp_path / 'nope.py')
    (tmp_path / 'cfg.toml').write_text('a = 1\n')
    with pytest.raises(ConfigError, match="unsupported config format '.toml'"):
        Config.fromfile(tmp_path / 'cfg.toml')


def test_invalid_json_and_yaml_name_the_line(tmp_path):
    (tmp_path / 'bad.json').write_text('{\n  "a": 1,\n  "b": \n}\n')
    with pytest.raises(ConfigError, match=r'bad.json:4: invalid JSON'):
        Config.fromfile(tmp_path / 'bad.json')
    (tmp_path / 'bad.yaml').write_text('a: 1\nb: [1, 2\n')
    with pytest.raises(ConfigError, match=r'bad.yaml:\d+: invalid YAML'):
        Config.fromfile(tmp_path / 'bad.yaml')
    (tmp_path / 'list.yaml').write_text('- 1\n- 2\n')
    with pytest.raises(ConfigError, match='must hold a mapping at the top level'):
        Config.fromfile(tmp_path / 'list.yaml')


def test_bad_base_declaration(tmp_path):
    (tmp_path / 'a.py').write_text('_base_ = 3\n')
    with pytest.raises(ConfigError, match='a.py:1: _base_ must be a path or a list of paths'):
        Config.fromfile(tmp_path / 'a.py')
    (tmp_path / 'b.py').write_text("_base_ = 'mmpretrain::_base_/default_runtime.py'\n")
    with pytest.raises(ConfigError, match='package-relative base .* is not supported'):
        Config.fromfile(tmp_path / 'b.py')


def test_missing_env_variable_without_default(tmp_path, monkeypatch):
    monkeypatch.delenv('CADENCE_SURELY_UNSET', raising=False)
    (tmp_path / 'a.py').write_text("root = '{{$CADENCE_SURELY_UNSET}}'\n")
    with pytest.raises(
        ConfigError, match="a.py:1: environment variable 'CADENCE_SURELY_UNSET' is not set"
    ):
        Config.fromfile(tmp_path / 'a.py')


def test_custom_imports_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'a.py').write_text("custom_imports = dict(imports=['no_such_module_abc'])\n")
    with pytest.raises(
        ConfigError, match="custom_imports.imports.0: cannot import 'no_such_module_abc'"
    ):
        Config.fromfile(tmp_path / 'a.py')
    (tmp_path / 'b.py').write_text(
        "custom_imports = dict(imports=['no_such_module_abc'], allow_failed_imports=True)\n"
    )
    with pytest.warns(UserWarning, match='continuing without it'):
        Config.fromfile(tmp_path / 'b.py')
    (tmp_path / 'c.py').write_text("custom_imports = dict(imprts=['x'])\n")
    with pytest.raises(ConfigError, match='custom_imports: must be dict'):
        Config.fromfile(tmp_path / 'c.py')
