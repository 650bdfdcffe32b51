"""Which modules the parameter-wise rules treat specially: norm layers, depthwise and deformable
convolutions."""

from __future__ import annotations

from collections.abc import Iterator

from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.modules.instancenorm import _InstanceNorm

#: The norm layers ``norm_decay_mult`` applies to (the reference's set: BatchNorm 1d/2d/3d,
#: SyncBatchNorm, InstanceNorm 1d/2d/3d, GroupNorm, LayerNorm).
NORM_TYPES: tuple[type[nn.Module], ...] = (_BatchNorm, _InstanceNorm, nn.GroupNorm, nn.LayerNorm)

#: mmcv's deformable convolutions, recognised by class name (mmcv is not a dependency).
DCN_CLASS_NAMES = frozenset({'DeformConv2d', 'ModulatedDeformConv2d'})

_dcn_cache: dict[type, bool] = {}


def is_norm(module: nn.Module) -> bool:
    return isinstance(module, NORM_TYPES)


def is_depthwise_conv(module: nn.Module) -> bool:
    """A ``Conv2d`` with ``groups == in_channels > 1`` (DESIGN deviation 5: the reference also
    counts every ``Conv2d`` with ``in_channels=1``, such as a stem on grey images)."""
    return isinstance(module, nn.Conv2d) and module.groups == module.in_channels > 1


def is_dcn(module: nn.Module) -> bool:
    """Whether ``module`` is (a subclass of) mmcv's ``DeformConv2d`` / ``ModulatedDeformConv2d``."""
    cls = type(module)
    known = _dcn_cache.get(cls)
    if known is None:
        known = _dcn_cache[cls] = any(c.__name__ in DCN_CLASS_NAMES for c in cls.__mro__)
    return known


def walk_modules(
    module: nn.Module, prefix: str = '', in_dcn: bool = False
) -> Iterator[tuple[nn.Module, str, bool]]:
    """``(module, path, whether its parent is a DCN)`` for ``module`` and every descendant.

    The reference's order: a module before its children, children in registration order,
    depth first; a module registered twice under the same parent is visited once (as
    ``named_children()`` does). An explicit stack keeps the cost per module low.
    """
    stack = [(module, prefix, in_dcn)]
    while stack:
        current, path, current_in_dcn = stack.pop()
        yield current, path, current_in_dcn
        children = []
        child_in_dcn = is_dcn(current)
        siblings: set[int] = set()
        for name, child in current._modules.items():
            if child is None or id(child) in siblings:
                continue
            siblings.add(id(child))
            children.append((child, f'{path}.{name}' if path else name, child_in_dcn))
        stack.extend(reversed(children))
