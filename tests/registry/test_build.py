"""build_from_cfg: how types resolve and what every build error says."""

from __future__ import annotations

import pytest

from cadence.config import Config
from cadence.errors import BuildError, ConfigError
from cadence.registry import Registry, UnknownTypeError, build_from_cfg


@pytest.fixture
def reg():
    registry = Registry('widget', scope='build_test')

    @registry.register_module()
    class Widget:
        def __init__(self, size, colour='red', *, weight=1.0):
            if size < 0:
                raise ValueError(f'size must be >= 0, got {size}')
            self.size, self.colour, self.weight = size, colour, weight

    @registry.register_module()
    class Flexible:
        def __init__(self, **kwargs):
            self.kwargs = kwargs

    @registry.register_module()
    def make_pair(a, b=2):
        return (a, b)

    return registry


def test_builds_by_name_class_and_function(reg):
    widget = reg.build(dict(type='Widget', size=3))
    assert (widget.size, widget.colour) == (3, 'red')
    assert build_from_cfg(dict(type=reg.get('Widget'), size=1), reg).size == 1
    assert reg.build(dict(type='make_pair', a=1)) == (1, 2)
    assert reg.build(dict(type='Flexible', anything=1)).kwargs == {'anything': 1}


def test_default_args_fill_in_but_cfg_wins(reg):
    widget = reg.build(dict(type='Widget', size=3), default_args=dict(size=9, colour='blue'))
    assert (widget.size, widget.colour) == (3, 'blue')
    widget = reg.build(dict(size=4), default_args=dict(type='Widget'))
    assert widget.size == 4


def test_cfg_is_not_mutated(reg):
    cfg = dict(type='Widget', size=3)
    reg.build(cfg)
    assert cfg == dict(type='Widget', size=3)


def test_dotted_import_path_type():
    reg = Registry('thing', scope='build_test_path')
    obj = reg.build(dict(type='collections.OrderedDict'))
    assert type(obj).__name__ == 'OrderedDict'


def test_unknown_type_names_registry_and_suggests(reg):
    with pytest.raises(UnknownTypeError) as info:
        reg.build(dict(type='Widgte', size=1), key_path='model.head')
    message = str(info.value)
    assert message.startswith('model.head.type:')
    assert "'Widgte' is not in the widget registry (scope 'build_test')" in message
    assert "Did you mean 'Widget'?" in message
    assert 'Registered: Flexible, Widget, make_pair' in message
    assert isinstance(info.value, KeyError)


def test_unexpected_argument_names_class_argument_and_accepted(reg):
    with pytest.raises(ConfigError) as info:
        reg.build(dict(type='Widget', size=1, colur='blue'), key_path='model')
    message = str(info.value)
    assert message == (
        "model: Widget got an unexpected argument 'colur'. Did you mean 'colour'? "
        'Accepted arguments: size, colour, weight'
    )


def test_missing_required_argument(reg):
    with pytest.raises(ConfigError, match="model: Widget is missing required argument 'size'"):
        reg.build(dict(type='Widget'), key_path='model')


def test_constructor_error_keeps_type_and_message_and_adds_key_path(reg):
    with pytest.raises(ValueError) as info:
        reg.build(dict(type='Widget', size=-1), key_path='optim_wrapper.optimizer')
    err = info.value
    assert isinstance(err, BuildError)
    assert str(err) == 'optim_wrapper.optimizer (Widget): ValueError: size must be >= 0, got -1'
    assert err.key_path == 'optim_wrapper.optimizer'
    assert isinstance(err.__cause__, ValueError)


def test_key_path_is_inferred_from_a_loaded_config(reg, tmp_path):
    path = tmp_path / 'cfg.py'
    path.write_text("model = dict(\n    head=dict(type='Wigdet', size=1))\n")
    cfg = Config.fromfile(path)
    with pytest.raises(UnknownTypeError) as info:
        reg.build(cfg.model.head)
    message = str(info.value)
    assert message.startswith('model.head.type:')
    assert 'cfg.py:2' in message  # where the bad type was written


def test_missing_type_and_non_dict_cfg(reg):
    with pytest.raises(ConfigError, match='model: missing "type"'):
        reg.build(dict(size=1), key_path='model')
    with pytest.raises(ConfigError, match='model: expected a dict with a "type" key, got int'):
        reg.build(3, key_path='model')
    with pytest.raises(ConfigError, match='model.type: type must be a registered name'):
        reg.build(dict(type=3), key_path='model')


def test_delete_marker_never_reaches_a_constructor(reg):
    with pytest.raises(ConfigError, match="'_delete_' reached the constructor"):
        reg.build(dict(type='Flexible', _delete_=True), key_path='model')


def test_scope_key_switches_default_scope(reg):
    child = Registry('widget', parent=reg, scope='build_child')

    @child.register_module()
    class Widget:
        def __init__(self, size):
            self.size = size

    built = reg.build(dict(type='Widget', size=2, _scope_='build_child'))
    assert isinstance(built, Widget)


def test_broken_import_path_reports_the_import_error(tmp_path, monkeypatch):
    (tmp_path / 'broken_mod_for_build.py').write_text('import does_not_exist_anywhere\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    reg = Registry('thing', scope='build_test_broken')
    with pytest.raises(ConfigError, match="importing 'broken_mod_for_build' .* failed"):
        reg.build(dict(type='broken_mod_for_build.Thing'), key_path='custom_hooks.0')
