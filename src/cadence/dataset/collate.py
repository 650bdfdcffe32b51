"""Collate functions (registered in ``FUNCTIONS``): how a list of samples becomes a batch."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch

from ..errors import CadenceError
from ..registry import FUNCTIONS


def _is_namedtuple(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(value, '_fields')


@FUNCTIONS.register_module()
def pseudo_collate(data_batch: Sequence[Any]) -> Any:
    """Transpose a list of samples into the same structure of lists, without stacking.

    ``[dict(a=1, b=x), dict(a=2, b=y)]`` becomes ``dict(a=[1, 2], b=[x, y])``. This is the
    Runner's default (as in the reference): models or data preprocessors stack what they need.
    """
    return _collate_fields(data_batch, pseudo_collate)


@FUNCTIONS.register_module()
def default_collate(data_batch: Sequence[Any]) -> Any:
    """Stack tensors, arrays and numbers into batch tensors, recursing into dicts and sequences.

    Strings and objects that cannot be stacked (data samples of any kind) stay lists.
    """
    first = data_batch[0]
    if isinstance(first, torch.Tensor):
        return torch.stack(list(data_batch))
    if isinstance(first, np.ndarray):
        return torch.stack([torch.as_tensor(a) for a in data_batch])
    if isinstance(first, (bool, int, float, np.number)):
        return torch.tensor(data_batch)
    return _collate_fields(data_batch, default_collate)


def _collate_fields(data_batch: Sequence[Any], collate: Callable[[Sequence[Any]], Any]) -> Any:
    """What both collate functions do with containers: a batch of dicts becomes a dict, of
    (named) tuples or lists a tuple or list, each field collated by ``collate``; strings and
    other objects stay a list."""
    first = data_batch[0]
    if isinstance(first, (str, bytes)):
        return list(data_batch)
    if isinstance(first, Mapping):
        return type(first)({key: collate([d[key] for d in data_batch]) for key in first})
    if _is_namedtuple(first):
        return type(first)(*(collate(list(s)) for s in zip(*data_batch)))
    if isinstance(first, Sequence):
        _check_equal_lengths(data_batch)
        transposed = [collate(list(s)) for s in zip(*data_batch)]
        return transposed if isinstance(first, tuple) else type(first)(transposed)
    return list(data_batch)


def _check_equal_lengths(data_batch: Sequence[Sequence[Any]]) -> None:
    lengths = {len(item) for item in data_batch}
    if len(lengths) > 1:
        raise CadenceError(
            f'cannot collate samples that are sequences of different lengths {sorted(lengths)}; '
            f'make the dataset return equal-length samples or use a custom collate_fn'
        )
