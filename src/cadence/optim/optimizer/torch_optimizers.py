"""Registration of optimizers in ``OPTIMIZERS``: torch's own, and those of optional packages.

Every concrete ``torch.optim.Optimizer`` subclass is registered under its class name, so a config
can say ``type='AdamW'``. Unlike the reference, the abstract base ``Optimizer`` is not registered
(building it can only fail). torch's ``Adafactor`` is registered both as ``Adafactor`` and as
``TorchAdafactor`` (the reference's name for it).

Optimizers of optional packages (``lion_pytorch``, ``dadaptation``, ``bitsandbytes``, ...) are
registered only when the package is installed, and *lazily*: importing ``cadence.optim`` only
checks that the package exists; the package itself is imported the first time a config uses one
of its optimizers, so an unused ``transformers`` install costs nothing.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from typing import Any

import torch

from ...registry import OPTIMIZERS


def torch_optimizer_classes() -> dict[str, type]:
    """Every concrete ``Optimizer`` subclass that ``torch.optim`` exports, by class name."""
    found: dict[str, type] = {}
    for attr in dir(torch.optim):
        if attr.startswith('__'):
            continue
        obj = getattr(torch.optim, attr)
        if (
            inspect.isclass(obj)
            and issubclass(obj, torch.optim.Optimizer)
            and obj is not torch.optim.Optimizer
            and not inspect.isabstract(obj)
        ):
            found[obj.__name__] = obj
    return found


class OptionalOptimizer:
    """Stands in the registry for an optimizer of an optional package until it is first used.

    Calling it imports the package and builds the real optimizer; its ``__signature__`` is the
    real class's, so the registry still checks config arguments (with did-you-mean) before
    building.
    """

    def __init__(self, module: str, attr: str, name: str) -> None:
        self.module = module
        self.attr = attr
        self.__name__ = name
        self.__qualname__ = name
        self._target: Any = None

    def load(self) -> Any:
        """The real optimizer class (imports its package on first use)."""
        if self._target is None:
            try:
                module = importlib.import_module(self.module)
            except Exception as exc:
                raise ImportError(
                    f'optimizer {self.__name__!r} comes from the package {self.module!r}, which '
                    f'is installed but failed to import: {type(exc).__name__}: {exc}'
                ) from exc
            target = getattr(module, self.attr, None)
            if target is None:
                raise ImportError(
                    f'optimizer {self.__name__!r}: {self.module!r} has no attribute '
                    f'{self.attr!r} in the installed version'
                )
            self._target = target
        return self._target

    @property
    def __signature__(self) -> inspect.Signature:
        return inspect.signature(self.load())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.load()(*args, **kwargs)

    def __repr__(self) -> str:
        return f'<optional optimizer {self.module}.{self.attr}>'


#: (package to probe, module holding the classes, class names). Registered only when the
#: package is installed; a name already taken gets ``prefix`` (the reference's bitsandbytes rule).
OPTIONAL_OPTIMIZERS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ('dadaptation', 'dadaptation', ('DAdaptAdaGrad', 'DAdaptAdam', 'DAdaptSGD'), ''),
    ('lion_pytorch', 'lion_pytorch', ('Lion',), ''),
    ('Sophia', 'Sophia', ('SophiaG',), ''),
    (
        'bitsandbytes',
        'bitsandbytes.optim',
        (
            'Adagrad',
            'Adagrad8bit',
            'Adam',
            'Adam8bit',
            'AdamW',
            'AdamW8bit',
            'LAMB',
            'LAMB8bit',
            'LARS',
            'LARS8bit',
            'Lion',
            'Lion8bit',
            'PagedAdam',
            'PagedAdam8bit',
            'PagedAdamW',
            'PagedAdamW8bit',
            'PagedLion',
            'PagedLion8bit',
            'RMSprop',
            'RMSprop8bit',
            'SGD',
            'SGD8bit',
        ),
        'bnb_',
    ),
)


def _installed(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


def register_torch_optimizers() -> list[str]:
    """Register torch's optimizers; returns the names registered."""
    names = []
    for name, cls in sorted(torch_optimizer_classes().items()):
        OPTIMIZERS.register_module(name=name, module=cls, force=True)
        names.append(name)
    if 'Adafactor' in names:
        OPTIMIZERS.register_module(name='TorchAdafactor', module=torch.optim.Adafactor, force=True)
        names.append('TorchAdafactor')
    return names


def register_optional_optimizers() -> list[str]:
    """Register (lazily) the optimizers of the optional packages that are installed."""
    names = []
    for package, module, classes, prefix in OPTIONAL_OPTIMIZERS:
        if not _installed(package):
            continue
        for cls_name in classes:
            name = cls_name
            if name in OPTIMIZERS.module_dict:
                if not prefix:
                    continue
                name = prefix + cls_name
            OPTIMIZERS.register_module(name=name, module=OptionalOptimizer(module, cls_name, name))
            names.append(name)
    if _installed('transformers'):
        # The reference registers transformers' Adafactor as 'Adafactor' (torch's stays available
        # as 'TorchAdafactor'); follow it so configs written for it get the same optimizer.
        lazy = OptionalOptimizer('transformers', 'Adafactor', 'Adafactor')
        OPTIMIZERS.register_module(name='Adafactor', module=lazy, force=True)
        names.append('Adafactor')
    return names


TORCH_OPTIMIZERS = register_torch_optimizers()
OPTIONAL_OPTIMIZER_NAMES = register_optional_optimizers()
