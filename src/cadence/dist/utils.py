"""Rank / world-size queries and object collectives (all single-process safe)."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from typing import Any, TypeVar

import torch
import torch.distributed as torch_dist

F = TypeVar('F', bound=Callable[..., Any])


def is_distributed() -> bool:
    """Whether a default process group is initialised."""
    return torch_dist.is_available() and torch_dist.is_initialized()


def get_rank() -> int:
    """This process's rank (0 without a process group)."""
    return torch_dist.get_rank() if is_distributed() else 0


def get_world_size() -> int:
    """The number of processes (1 without a process group)."""
    return torch_dist.get_world_size() if is_distributed() else 1


def get_dist_info() -> tuple[int, int]:
    """``(rank, world_size)``."""
    return get_rank(), get_world_size()


def is_main_process() -> bool:
    """True on rank 0: the process that writes checkpoints and logs."""
    return get_rank() == 0


def master_only(func: F) -> F:
    """Run ``func`` on rank 0 only (other ranks get ``None``)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if is_main_process():
            return func(*args, **kwargs)
        return None

    return wrapper  # type: ignore[return-value]


def barrier() -> None:
    """Wait for every rank (no-op in a single process)."""
    if is_distributed():
        torch_dist.barrier()


def broadcast_object(obj: Any, src: int = 0) -> Any:
    """``obj`` from rank ``src`` on every rank (small picklable objects only)."""
    if not is_distributed():
        return obj
    holder = [obj]
    torch_dist.broadcast_object_list(holder, src=src)
    return holder[0]


def all_gather_object(obj: Any) -> list[Any]:
    """``[obj of rank 0, obj of rank 1, ...]`` on every rank."""
    if not is_distributed():
        return [obj]
    gathered: list[Any] = [None] * get_world_size()
    torch_dist.all_gather_object(gathered, obj)
    return gathered


class _PackedTensor:
    """A CPU tensor travelling as a NumPy array: pickling one costs microseconds where a
    tensor costs about a hundred (per-sample metric results hold thousands of small ones)."""

    __slots__ = ('array',)

    def __init__(self, array: Any) -> None:
        self.array = array

    def __reduce__(self) -> tuple:
        return (_PackedTensor, (self.array,))


def _pack(obj: Any) -> Any:
    if isinstance(obj, torch.Tensor):
        tensor = obj.detach().cpu()
        try:
            return _PackedTensor(tensor.numpy())
        except (TypeError, RuntimeError):  # dtypes NumPy lacks (bfloat16, ...) stay tensors
            return tensor
    if type(obj) is dict:
        return {key: _pack(value) for key, value in obj.items()}
    if type(obj) in (list, tuple):
        return type(obj)(_pack(value) for value in obj)
    return obj


def _unpack(obj: Any) -> Any:
    if isinstance(obj, _PackedTensor):
        return torch.from_numpy(obj.array)
    if type(obj) is dict:
        return {key: _unpack(value) for key, value in obj.items()}
    if type(obj) in (list, tuple):
        return type(obj)(_unpack(value) for value in obj)
    return obj


def collect_results(results: list[Any], size: int) -> list[Any]:
    """Per-sample results of every rank in dataset order, without the padding samplers add.

    Ranks process interleaved indices (``rank, rank + world, ...``), so the gathered lists are
    zipped back together and cut to ``size`` (the dataset length). Tensors inside plain
    dicts, lists and tuples arrive as CPU tensors.
    """
    if get_world_size() == 1:
        return list(results[:size])
    parts = [_unpack(part) for part in all_gather_object(_pack(list(results)))]
    ordered: list[Any] = []
    for i in range(max(len(p) for p in parts)):
        ordered.extend(part[i] for part in parts if i < len(part))
    return ordered[:size]


def sync_random_seed() -> int:
    """A random seed drawn on rank 0 and shared with every rank."""
    return broadcast_object(random.randint(0, 2**31 - 1))
