"""Cadence: a config-driven PyTorch training engine.

Importing the package is cheap: sub-packages (``cadence.optim``, ``cadence.runner``, ...) load on
first use, so ``cadence config print`` and friends start without paying for what they do not use.
"""

import importlib
from typing import Any

from .version import __version__

_SUBPACKAGES = (
    'cli',
    'config',
    'dataset',
    'dist',
    'evaluator',
    'hooks',
    'logging',
    'model',
    'optim',
    'registry',
    'runner',
    'visualization',
)

__all__ = ['__version__', *_SUBPACKAGES]


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        return importlib.import_module(f'{__name__}.{name}')
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
