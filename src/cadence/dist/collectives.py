"""Tensor collectives: reduce or broadcast tensors in place across ranks (no-ops without a
process group), with ``'mean'`` as an operation and integer tensors handled exactly."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch
import torch.distributed as torch_dist

from ..errors import ConfigError, suggestion_text
from .utils import get_world_size, is_distributed

REDUCE_OPS = ('sum', 'mean', 'max', 'min', 'product')


def _reduce_op(op: str) -> torch_dist.ReduceOp:
    if op not in REDUCE_OPS:
        raise ConfigError(
            f'unknown reduce operation {op!r}.{suggestion_text(op, REDUCE_OPS)} '
            f'Use one of {", ".join(REDUCE_OPS)}'
        )
    name = 'SUM' if op == 'mean' else op.upper()
    return getattr(torch_dist.ReduceOp, name)


def _divide(tensor: torch.Tensor, world_size: int) -> None:
    if tensor.is_floating_point() or tensor.is_complex():
        tensor.div_(world_size)
    else:  # integer counters (BatchNorm's num_batches_tracked): equal on every rank in practice
        tensor.floor_divide_(world_size)


def all_reduce(tensor: torch.Tensor, op: str = 'sum', group: Any = None) -> torch.Tensor:
    """Reduce ``tensor`` over all ranks (of ``group``, default: all), in place; returns it."""
    reduce_op = _reduce_op(op)
    world_size = get_world_size()
    if world_size == 1:
        return tensor
    torch_dist.all_reduce(tensor, op=reduce_op, group=group)
    if op == 'mean':
        _divide(tensor, world_size)
    return tensor


def all_reduce_params(
    params: Iterable[torch.Tensor], coalesce: bool = True, op: str = 'sum'
) -> None:
    """Reduce every tensor of ``params`` (parameters or buffers) over all ranks, in place.

    With ``coalesce`` tensors of the same dtype and device travel in one flat tensor, so a
    model's buffers cost one collective per dtype instead of one per tensor.
    """
    reduce_op = _reduce_op(op)
    world_size = get_world_size()
    tensors = [p.data if isinstance(p, torch.nn.Parameter) else p for p in params]
    if world_size == 1 or not tensors:
        return
    if not coalesce:
        for tensor in tensors:
            all_reduce(tensor, op)
        return
    groups: dict[tuple[torch.dtype, torch.device], list[torch.Tensor]] = {}
    for tensor in tensors:
        groups.setdefault((tensor.dtype, tensor.device), []).append(tensor)
    for group in groups.values():
        flat = torch.cat([t.reshape(-1) for t in group])
        torch_dist.all_reduce(flat, op=reduce_op)
        if op == 'mean':
            _divide(flat, world_size)
        offset = 0
        for tensor in group:
            count = tensor.numel()
            tensor.copy_(flat[offset : offset + count].view_as(tensor))
            offset += count


def broadcast(tensor: torch.Tensor, src: int = 0) -> torch.Tensor:
    """``tensor`` of rank ``src`` on every rank (in place)."""
    if is_distributed() and get_world_size() > 1:
        torch_dist.broadcast(tensor, src=src)
    return tensor
