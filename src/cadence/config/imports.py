"""Importing the user modules a config lists in ``custom_imports``."""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from typing import Any

from ..errors import ConfigError


def import_custom_modules(
    imports: str | list[str], allow_failed_imports: bool = False
) -> list[Any]:
    """Import each module so its ``@REGISTRY.register_module()`` calls run.

    The working directory is put on ``sys.path`` first, as ``python tools/train.py`` would, so a
    ``my_hooks.py`` next to where the command runs is found by ``cadence train`` too.
    """
    if isinstance(imports, str):
        imports = [imports]
    if not isinstance(imports, (list, tuple)) or not all(isinstance(i, str) for i in imports):
        raise ConfigError(
            f'must be a module name or a list of module names, got {imports!r}',
            'custom_imports.imports',
        )
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    modules = []
    for index, name in enumerate(imports):
        try:
            modules.append(importlib.import_module(name))
        except Exception as exc:
            message = f'cannot import {name!r}: {type(exc).__name__}: {exc}'
            if not allow_failed_imports:
                raise ConfigError(
                    message + ' (set allow_failed_imports=True to continue without it)',
                    f'custom_imports.imports.{index}',
                ) from exc
            warnings.warn(f'custom_imports: {message}; continuing without it', stacklevel=2)
            modules.append(None)
    return modules
