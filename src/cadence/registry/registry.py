"""``Registry``: a name -> class table with scoped children, the heart of config-driven building."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from .default_scope import (
    ROOT_SCOPE,
    get_default_scope,
    infer_scope,
    is_root_alias,
    try_import_scope_registry,
)


class Registry:
    """Maps names to classes or functions so configs can say ``type='SGD'``.

    Args:
        name: What the registry holds, used in messages (``'optimizer'``).
        build_func: How :meth:`build` turns a config into an object; a callable or a
            ``'module:attribute'`` string resolved on first use. Children inherit their parent's.
        parent: The registry this one extends. A child sees every name of its ancestors.
        scope: The scope of this registry; inferred from the calling package when omitted.
        locations: Modules imported on first lookup so that their ``register_module`` calls run.
    """

    def __init__(
        self,
        name: str,
        build_func: Callable[..., Any] | str | None = None,
        parent: Registry | None = None,
        scope: str | None = None,
        locations: Sequence[str] = (),
    ) -> None:
        self._name = name
        self._module_dict: dict[str, Any] = {}
        self._children: dict[str, Registry] = {}
        self._locations = list(locations)
        self._locations_imported = False
        self._scope = scope if scope is not None else infer_scope()
        self._build_func = build_func
        self.parent = parent
        if parent is not None:
            if self._scope in parent._children:
                raise KeyError(
                    f'registry {parent.name!r} already has a child with scope {self._scope!r}'
                )
            parent._children[self._scope] = self

    # -- introspection -------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._name

    @property
    def scope(self) -> str:
        return self._scope

    @property
    def children(self) -> dict[str, Registry]:
        return self._children

    @property
    def root(self) -> Registry:
        registry = self
        while registry.parent is not None:
            registry = registry.parent
        return registry

    @property
    def module_dict(self) -> dict[str, Any]:
        self.import_locations()
        return self._module_dict

    def keys(self) -> list[str]:
        """Every name visible from this registry (own names first, then inherited ones)."""
        self.import_locations()
        names = list(self._module_dict)
        if self.parent is not None:
            names += [n for n in self.parent if n not in self._module_dict]
        return names

    def __len__(self) -> int:
        return len(self.module_dict)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __repr__(self) -> str:
        names = ', '.join(sorted(self.module_dict))
        return f'Registry(name={self._name!r}, scope={self._scope!r}, items=[{names}])'

    # -- registration --------------------------------------------------------------------------

    def register_module(
        self,
        name: str | Sequence[str] | None = None,
        force: bool = False,
        module: Any = None,
    ) -> Any:
        """Register ``module`` under ``name`` (its ``__name__`` by default).

        Works as ``@REG.register_module()``, ``@REG.register_module('Alias')``,
        ``@REG.register_module(['A', 'B'])`` or ``REG.register_module(module=cls)``. A name that
        is taken raises ``KeyError`` unless ``force=True``.
        """
        if not isinstance(force, bool):
            raise TypeError(f'force must be a bool, got {type(force).__name__}')
        if (
            name is not None
            and not isinstance(name, str)
            and not (isinstance(name, Sequence) and all(isinstance(n, str) for n in name))
        ):
            raise TypeError(f'name must be None, a str or a list of str, got {type(name).__name__}')
        if module is not None:
            self._register(module, name, force)
            return module

        def decorator(obj: Any) -> Any:
            self._register(obj, name, force)
            return obj

        return decorator

    def _register(self, module: Any, name: str | Sequence[str] | None, force: bool) -> None:
        if not callable(module):
            raise TypeError(f'only classes and functions can be registered, got {module!r}')
        names: Iterable[str]
        if name is None:
            names = [module.__name__]
        elif isinstance(name, str):
            names = [name]
        else:
            names = name
        for key in names:
            existing = self._module_dict.get(key)
            if existing is not None and existing is not module and not force:
                where = getattr(existing, '__module__', '?')
                raise KeyError(
                    f'{key!r} is already registered in the {self._name} registry '
                    f'(by {where}); pass force=True to replace it'
                )
            self._module_dict[key] = module

    # -- lookup --------------------------------------------------------------------------------

    def import_locations(self) -> None:
        """Import the modules that register into this registry (once)."""
        if self._locations_imported:
            return
        self._locations_imported = True
        for location in self._locations:
            try:
                importlib.import_module(location)
            except ModuleNotFoundError as exc:
                # A location that is not part of this installation is skipped; a module that
                # exists but fails to import is a real error.
                if exc.name != location:
                    raise

    def _get_own_or_inherited(self, name: str) -> Any:
        registry: Registry | None = self
        while registry is not None:
            registry.import_locations()
            obj = registry._module_dict.get(name)
            if obj is not None:
                return obj
            registry = registry.parent
        return None

    def find_scope(self, scope: str) -> Registry | None:
        """The registry with ``scope`` in this registry's tree (searched from the root)."""

        def search(registry: Registry) -> Registry | None:
            if registry._scope == scope:
                return registry
            for child in registry._children.values():
                found = search(child)
                if found is not None:
                    return found
            return None

        found = search(self.root)
        if found is None and not is_root_alias(scope) and try_import_scope_registry(scope):
            found = search(self.root)
        return found

    def get(self, key: str) -> Any:
        """The class or function registered as ``key``, or ``None``.

        ``key`` may be a plain name, a scoped name (``'mmpretrain.LARS'``; scopes of the
        reference family resolve to ours) or a dotted import path (``'torch.optim.SGD'``).
        """
        if not isinstance(key, str):
            raise TypeError(f'a registry key must be a str, got {type(key).__name__}')
        scope, _, name = key.partition('.')
        if not name:
            return self._get_own_or_inherited(key)
        if scope == self._scope:
            obj = self._get_own_or_inherited(name)
            if obj is not None:
                return obj
        else:
            target = self.find_scope(scope)
            if target is not None:
                obj = target.get(name)
                if obj is not None:
                    return obj
            elif is_root_alias(scope):
                obj = self._get_own_or_inherited(name)
                if obj is not None:
                    return obj
        return _import_object(key)

    def registry_for_default_scope(self) -> Registry:
        """The registry that plain names should be looked up in, given the default scope."""
        scope = get_default_scope()
        if scope is None or scope == self._scope or is_root_alias(scope):
            return self
        found = self.find_scope(scope)
        return found if found is not None else self

    # -- building ------------------------------------------------------------------------------

    def _resolve_build_func(self) -> Callable[..., Any]:
        registry: Registry | None = self
        while registry is not None:
            func = registry._build_func
            if isinstance(func, str):
                module_name, _, attr = func.partition(':')
                func = getattr(importlib.import_module(module_name), attr)
                registry._build_func = func
            if func is not None:
                return func
            registry = registry.parent
        from .build import build_from_cfg

        return build_from_cfg

    def build(self, cfg: Any, *args: Any, **kwargs: Any) -> Any:
        """Build an object from ``cfg`` (a dict with a ``type`` key) with this registry."""
        return self._resolve_build_func()(cfg, *args, **kwargs, registry=self)


class ImportFailure(RuntimeError):
    """A dotted ``type`` path named a module that exists but failed to import."""


def _import_object(path: str) -> Any:
    """Resolve ``'pkg.module.Name'`` (or a nested attribute) by importing; ``None`` if absent."""
    parts = path.split('.')
    for split in range(len(parts) - 1, 0, -1):
        module_name = '.'.join(parts[:split])
        try:
            obj: Any = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            # Only "this very module does not exist" means try a shorter prefix.
            if exc.name is not None and module_name.startswith(exc.name):
                continue
            raise ImportFailure(f'importing {module_name!r} for {path!r} failed: {exc}') from exc
        except Exception as exc:
            raise ImportFailure(f'importing {module_name!r} for {path!r} failed: {exc}') from exc
        for attr in parts[split:]:
            obj = getattr(obj, attr, None)
            if obj is None:
                return None
        return obj
    return None


__all__ = ['ROOT_SCOPE', 'ImportFailure', 'Registry']
