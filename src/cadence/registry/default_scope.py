"""The default scope: which downstream package's registries plain type names resolve in.

The Runner sets it from the config's ``default_scope``. Names written for the reference engine's
family (``mmengine``, ``mmpretrain``, ``mmselfsup`` ...) are aliases of our own root scope when no
registry of that scope exists here (DESIGN deviation 10).
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
from collections.abc import Iterator

ROOT_SCOPE = 'cadence'

#: Scopes of the reference engine's family. Configs written for them resolve to our registries.
REFERENCE_SCOPES = frozenset(
    {
        'mmengine',
        'mmpretrain',
        'mmcls',
        'mmselfsup',
        'mmdet',
        'mmdet3d',
        'mmseg',
        'mmyolo',
        'mmocr',
        'mmpose',
        'mmaction',
        'mmaction2',
        'mmrotate',
        'mmagic',
        'mmedit',
        'mmtrack',
        'mmrazor',
        'mmfewshot',
        'mmflow',
        'mmgen',
        'mmhuman3d',
        'mmcv',
        'mmeval',
    }
)

_current_scope: str | None = None


def get_default_scope() -> str | None:
    """The scope set by the Runner (or :func:`overwrite_default_scope`), or ``None``."""
    return _current_scope


def set_default_scope(scope: str | None) -> None:
    """Set the default scope for the rest of the process."""
    global _current_scope
    _current_scope = scope


@contextlib.contextmanager
def overwrite_default_scope(scope: str | None) -> Iterator[None]:
    """Temporarily use ``scope`` as the default scope (``None`` leaves it unchanged)."""
    global _current_scope
    if scope is None:
        yield
        return
    previous = _current_scope
    _current_scope = scope
    try:
        yield
    finally:
        _current_scope = previous


def is_root_alias(scope: str) -> bool:
    """True for our own scope and for the reference family's scopes."""
    return scope == ROOT_SCOPE or scope in REFERENCE_SCOPES


def infer_scope(skip: int = 2) -> str:
    """The top-level package name of the module that is creating a registry."""
    frame = inspect.currentframe()
    try:
        for _ in range(skip):
            if frame is None:
                break
            frame = frame.f_back
        while frame is not None:
            module = frame.f_globals.get('__name__', '')
            if module not in ('cadence.registry.registry', 'cadence.registry.default_scope'):
                break
            frame = frame.f_back
        module = frame.f_globals.get('__name__', '') if frame is not None else ''
    finally:
        del frame
    top = module.split('.')[0]
    return ROOT_SCOPE if top in ('', '__main__', 'cadence') else top


def try_import_scope_registry(scope: str) -> bool:
    """Import ``{scope}.registry`` so a downstream package's child registries exist.

    Returns whether the import succeeded. This is a best-effort probe: a package that is absent
    or fails to import is reported later, when its name is tried as an import path.
    """
    try:
        importlib.import_module(f'{scope}.registry')
    except Exception:
        return False
    return True
