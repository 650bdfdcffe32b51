"""Which optimizers the OPTIMIZERS registry knows, and how a config names them."""

from __future__ import annotations

import importlib.util
import inspect
import sys
import textwrap

import pytest
import torch

from cadence.errors import ConfigError
from cadence.optim import LARS, build_optim_wrapper
from cadence.optim.optimizer import torch_optimizers
from cadence.registry import OPTIMIZERS, Registry


def concrete_torch_optimizers() -> set[str]:
    return {
        name
        for name in dir(torch.optim)
        if inspect.isclass(getattr(torch.optim, name))
        and issubclass(getattr(torch.optim, name), torch.optim.Optimizer)
        and getattr(torch.optim, name) is not torch.optim.Optimizer
    }


def test_every_concrete_torch_optimizer_is_registered_under_its_class_name():
    names = concrete_torch_optimizers()
    assert {'SGD', 'AdamW', 'Muon', 'Adafactor', 'LBFGS', 'SparseAdam'} <= names
    for name in names:
        assert OPTIMIZERS.get(name) is getattr(torch.optim, name)


def test_the_abstract_base_is_not_registered():
    assert 'Optimizer' not in OPTIMIZERS.module_dict


def test_torch_adafactor_is_also_registered_as_torch_adafactor():
    assert OPTIMIZERS.get('TorchAdafactor') is torch.optim.Adafactor
    if importlib.util.find_spec('transformers') is None:
        assert OPTIMIZERS.get('Adafactor') is torch.optim.Adafactor
    else:  # the reference's choice when transformers is installed
        assert OPTIMIZERS.get('Adafactor').module == 'transformers'


def test_scoped_names_of_the_reference_family_resolve_to_ours():
    assert OPTIMIZERS.get('mmpretrain.LARS') is LARS
    assert OPTIMIZERS.get('mmselfsup.LARS') is LARS
    assert OPTIMIZERS.get('mmengine.SGD') is torch.optim.SGD
    model = torch.nn.Linear(2, 2)
    wrapper = build_optim_wrapper(model, dict(optimizer=dict(type='mmpretrain.LARS', lr=0.1)))
    assert isinstance(wrapper.optimizer, LARS)


def test_a_user_optimizer_registered_by_decorator_is_usable_by_name():
    @OPTIMIZERS.register_module(force=True)
    class ScaledSGDForTest(torch.optim.SGD):
        pass

    wrapper = build_optim_wrapper(
        torch.nn.Linear(2, 2), dict(optimizer=dict(type='ScaledSGDForTest', lr=0.5))
    )
    assert type(wrapper.optimizer) is ScaledSGDForTest


def test_misspelled_optimizer_type_names_key_path_and_suggests():
    with pytest.raises(ConfigError) as info:
        build_optim_wrapper(torch.nn.Linear(2, 2), dict(optimizer=dict(type='AdamWW', lr=0.1)))
    message = str(info.value)
    assert 'optim_wrapper.optimizer.type' in message
    assert "'AdamWW'" in message
    assert "Did you mean 'AdamW'" in message


def test_an_argument_the_optimizer_does_not_take_is_named_with_a_suggestion():
    with pytest.raises(ConfigError) as info:
        build_optim_wrapper(
            torch.nn.Linear(2, 2), dict(optimizer=dict(type='SGD', lr=0.1, momentun=0.9))
        )
    message = str(info.value)
    assert 'optim_wrapper.optimizer' in message
    assert "'momentun'" in message
    assert "Did you mean 'momentum'" in message


@pytest.fixture
def fake_packages(tmp_path, monkeypatch):
    """Installs ``lion_pytorch`` and ``bitsandbytes`` look-alikes on ``sys.path``."""
    (tmp_path / 'lion_pytorch').mkdir()
    (tmp_path / 'lion_pytorch' / '__init__.py').write_text(
        textwrap.dedent(
            """
            import torch

            class Lion(torch.optim.SGD):
                def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
                    super().__init__(params, lr=lr, weight_decay=weight_decay)
                    self.betas = betas
            """
        )
    )
    (tmp_path / 'bitsandbytes').mkdir()
    (tmp_path / 'bitsandbytes' / '__init__.py').write_text('')
    (tmp_path / 'bitsandbytes' / 'optim.py').write_text(
        'import torch\n\nclass Adam(torch.optim.Adam):\n    pass\n\n'
        'class Adam8bit(torch.optim.Adam):\n    pass\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ('lion_pytorch', 'bitsandbytes', 'bitsandbytes.optim'):
        monkeypatch.delitem(sys.modules, name, raising=False)
    registry = Registry('optimizer', scope='optional_optimizer_test')
    monkeypatch.setattr(torch_optimizers, 'OPTIMIZERS', registry)
    torch_optimizers.register_torch_optimizers()
    return registry


def test_optional_packages_register_lazily(fake_packages):
    registry = fake_packages
    names = torch_optimizers.register_optional_optimizers()
    assert 'Lion' in names
    assert 'bnb_Adam' in names  # 'Adam' is torch's: the reference's bnb_ prefix
    assert 'Adam8bit' in names
    assert 'lion_pytorch' not in sys.modules, 'registration must not import the package'
    lion = registry.build(dict(type='Lion', lr=0.1), default_args={'params': [torch.ones(2)]})
    assert type(lion).__name__ == 'Lion'
    assert 'lion_pytorch' in sys.modules
    assert registry.get('bnb_Adam').load().__module__ == 'bitsandbytes.optim'


def test_optional_optimizer_arguments_are_still_checked(fake_packages):
    torch_optimizers.register_optional_optimizers()
    with pytest.raises(ConfigError, match="Did you mean 'betas'"):
        fake_packages.build(dict(type='Lion', bettas=(0.9, 0.9)), default_args={'params': []})


def test_absent_optional_packages_are_not_registered(monkeypatch):
    registry = Registry('optimizer', scope='optional_absent_test')
    monkeypatch.setattr(torch_optimizers, 'OPTIMIZERS', registry)
    monkeypatch.setattr(torch_optimizers, '_installed', lambda package: False)
    assert torch_optimizers.register_optional_optimizers() == []
