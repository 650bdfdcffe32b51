"""Registry: registration, lookup through scopes and import paths, and its errors."""

from __future__ import annotations

import sys
import textwrap

import pytest

from cadence.registry import (
    OPTIMIZERS,
    ROOT_REGISTRIES,
    Registry,
    overwrite_default_scope,
)


def test_register_as_decorator_call_and_list_of_names():
    reg = Registry('thing', scope='test_a')

    @reg.register_module()
    class A:
        pass

    @reg.register_module(name=['B1', 'B2'])
    class B:
        pass

    def make_c():
        return 'c'

    reg.register_module('C', module=make_c)
    assert reg.get('A') is A
    assert reg.get('B1') is B and reg.get('B2') is B
    assert reg.get('C') is make_c
    assert 'A' in reg and 'Z' not in reg
    assert reg.get('Z') is None
    assert len(reg) == 4


def test_duplicate_name_is_an_error_unless_forced():
    reg = Registry('thing', scope='test_b')

    @reg.register_module()
    class A:
        pass

    with pytest.raises(KeyError, match="'A' is already registered in the thing registry"):

        @reg.register_module(name='A')
        class Other:
            pass

    @reg.register_module(name='A', force=True)
    class Replacement:
        pass

    assert reg.get('A') is Replacement


def test_register_rejects_bad_arguments():
    reg = Registry('thing', scope='test_c')
    with pytest.raises(TypeError, match='force must be a bool'):
        reg.register_module(force=1)
    with pytest.raises(TypeError, match='name must be None, a str or a list of str'):
        reg.register_module(name=3)
    with pytest.raises(TypeError, match='only classes and functions'):
        reg.register_module(module=3)


def test_child_sees_parent_names_but_not_the_reverse():
    parent = Registry('thing', scope='parent_scope')
    child = Registry('thing', parent=parent, scope='child_scope')

    @parent.register_module()
    class P:
        pass

    @child.register_module()
    class C:
        pass

    assert child.get('P') is P
    assert child.get('C') is C
    assert parent.get('C') is None
    assert parent.get('child_scope.C') is C
    assert child.get('parent_scope.P') is P
    assert parent.children == {'child_scope': child}
    assert child.root is parent


def test_child_scope_is_inferred_from_the_creating_package(tmp_path, monkeypatch):
    package = tmp_path / 'myproj'
    package.mkdir()
    (package / '__init__.py').write_text('')
    (package / 'registry.py').write_text(
        textwrap.dedent(
            """
            from cadence.registry import Registry, OPTIMIZERS
            MY_OPTIMIZERS = Registry('optimizer', parent=OPTIMIZERS)
            """
        )
    )
    (package / 'optim.py').write_text(
        textwrap.dedent(
            """
            import torch
            from myproj.registry import MY_OPTIMIZERS

            @MY_OPTIMIZERS.register_module()
            class MySGD(torch.optim.SGD):
                pass
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    class RootOnly:
        pass

    OPTIMIZERS.register_module(name='RootOnlyForScopeTest', module=RootOnly)
    try:
        import myproj.optim
        import myproj.registry

        assert myproj.registry.MY_OPTIMIZERS.scope == 'myproj'
        # A scoped name reaches the child through the root registry.
        assert OPTIMIZERS.get('myproj.MySGD') is myproj.optim.MySGD
        # With default_scope='myproj' a plain name resolves inside the child.
        with overwrite_default_scope('myproj'):
            target = OPTIMIZERS.registry_for_default_scope()
            assert target is myproj.registry.MY_OPTIMIZERS
            assert target.get('MySGD') is myproj.optim.MySGD
            assert target.get('RootOnlyForScopeTest') is RootOnly  # parents stay visible
    finally:
        OPTIMIZERS.children.pop('myproj', None)
        OPTIMIZERS.module_dict.pop('RootOnlyForScopeTest', None)
        for name in ['myproj', 'myproj.registry', 'myproj.optim']:
            sys.modules.pop(name, None)


def test_reference_family_scopes_resolve_to_our_registries():
    reg = Registry('thing', scope='cadence_test_root')

    @reg.register_module()
    class LARS:
        pass

    for scope in ('mmengine', 'mmpretrain', 'mmselfsup', 'mmdet'):
        assert reg.get(f'{scope}.LARS') is LARS


def test_dotted_import_paths_resolve():
    import collections

    reg = Registry('thing', scope='test_d')
    assert reg.get('collections.OrderedDict') is collections.OrderedDict
    assert reg.get('collections.no_such_name') is None
    assert reg.get('no_such_package_xyz.Thing') is None


def test_root_registries_exist_with_scope_cadence():
    expected = {
        'OPTIMIZERS',
        'OPTIM_WRAPPERS',
        'OPTIM_WRAPPER_CONSTRUCTORS',
        'PARAM_SCHEDULERS',
        'HOOKS',
        'LOOPS',
        'MODELS',
        'MODEL_WRAPPERS',
        'DATASETS',
        'DATA_SAMPLERS',
        'METRICS',
        'EVALUATOR',
        'LOG_PROCESSORS',
        'VISBACKENDS',
        'FUNCTIONS',
        'RUNNERS',
    }
    assert expected <= set(ROOT_REGISTRIES)
    assert all(reg.scope == 'cadence' for reg in ROOT_REGISTRIES.values())


def test_locations_are_imported_on_first_lookup(tmp_path, monkeypatch):
    (tmp_path / 'lazy_module_for_registry.py').write_text(
        textwrap.dedent(
            """
            from tests_lazy_registry import REG

            @REG.register_module()
            class Lazy:
                pass
            """
        )
    )
    (tmp_path / 'tests_lazy_registry.py').write_text(
        textwrap.dedent(
            """
            from cadence.registry import Registry
            REG = Registry('lazy', scope='lazy_test', locations=['lazy_module_for_registry'])
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    from tests_lazy_registry import REG

    assert 'lazy_module_for_registry' not in sys.modules
    assert REG.get('Lazy').__name__ == 'Lazy'
    assert 'lazy_module_for_registry' in sys.modules
