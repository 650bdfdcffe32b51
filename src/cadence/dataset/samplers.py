"""Samplers that split a dataset across ranks and resume by *index*.

Both samplers derive their order from ``(seed, epoch)`` alone, so a resumed run reproduces it
exactly, and :meth:`skip_samples` starts the next pass after the samples already trained on
without loading them (the reference replays or re-loads them instead).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sized
from typing import Any

import torch
from torch.utils.data import Sampler

from ..dist import get_dist_info, sync_random_seed
from ..errors import ConfigError
from ..registry import DATA_SAMPLERS


class _ResumableSampler(Sampler[int]):
    """Shared state handling: seed, epoch and a one-shot number of samples to skip."""

    def __init__(self, dataset: Sized, shuffle: bool, seed: int | None) -> None:
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ConfigError(f'seed must be an int or None, got {seed!r}')
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.epoch = 0
        self._skip = 0

    def set_epoch(self, epoch: int) -> None:
        """Use the order of ``epoch`` for the next pass."""
        self.epoch = epoch

    def skip_samples(self, count: int) -> None:
        """Start the next pass after the first ``count`` indices of this rank (then forget)."""
        if count < 0:
            raise ValueError(f'cannot skip a negative number of samples ({count})')
        self._skip = count

    def state_dict(self) -> dict[str, Any]:
        """``seed`` and ``epoch``: with the loop's data position, everything a resume needs."""
        return {'seed': self.seed, 'epoch': self.epoch, 'shuffle': self.shuffle}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.seed = int(state['seed'])
        self.epoch = int(state['epoch'])

    def _take_skip(self) -> int:
        skip, self._skip = self._skip, 0
        return skip


@DATA_SAMPLERS.register_module()
class DefaultSampler(_ResumableSampler):
    """Each rank gets every ``world_size``-th index of a per-epoch order.

    Args:
        dataset: The dataset to sample from.
        shuffle: Shuffle with a generator seeded by ``seed + epoch``.
        seed: The shuffling seed; ``None`` draws one and shares it across ranks (the Runner
            passes its ``randomness.seed``).
        round_up: Repeat indices so every rank gets the same number of samples; otherwise the
            last ranks may get one sample fewer and nothing is repeated.
    """

    def __init__(
        self, dataset: Sized, shuffle: bool = True, seed: int | None = None, round_up: bool = True
    ) -> None:
        super().__init__(dataset, shuffle, seed)
        self.round_up = round_up
        size = len(dataset)
        if round_up:
            self.num_samples = math.ceil(size / self.world_size)
            self.total_size = self.num_samples * self.world_size
        else:
            self.num_samples = math.ceil((size - self.rank) / self.world_size)
            self.total_size = size

    def _epoch_indices(self) -> list[int]:
        size = len(self.dataset)
        if self.shuffle:
            generator = torch.Generator()
            generator.manual_seed(self.seed + self.epoch)
            indices = torch.randperm(size, generator=generator).tolist()
        else:
            indices = list(range(size))
        if self.round_up and self.total_size > size:
            indices = (indices * (self.total_size // size + 1))[: self.total_size]
        return indices[self.rank : self.total_size : self.world_size]

    def __iter__(self) -> Iterator[int]:
        skip = self._take_skip()
        return iter(self._epoch_indices()[skip:])

    def __len__(self) -> int:
        return self.num_samples


@DATA_SAMPLERS.register_module()
class InfiniteSampler(_ResumableSampler):
    """An endless stream of indices for iteration-based training: one permutation after
    another from a single generator seeded with ``seed``; each rank takes every
    ``world_size``-th index. ``set_epoch`` has no effect (as in the reference).

    Args:
        dataset: The dataset to sample from.
        shuffle: Shuffle each pass over the data.
        seed: The shuffling seed; ``None`` draws one and shares it across ranks.
    """

    def __init__(self, dataset: Sized, shuffle: bool = True, seed: int | None = None) -> None:
        super().__init__(dataset, shuffle, seed)
        self.size = len(dataset)

    def _global_stream(self, start: int) -> Iterator[int]:
        """Indices of the global stream from position ``start`` on."""
        size = self.size
        passes, offset = divmod(start, size)
        if not self.shuffle:
            yield from range(offset, size)
            while True:
                yield from range(size)
        generator = torch.Generator()
        generator.manual_seed(self.seed)
        for _ in range(passes):  # advance the generator past the permutations already used
            torch.randperm(size, generator=generator)
        yield from torch.randperm(size, generator=generator).tolist()[offset:]
        while True:
            yield from torch.randperm(size, generator=generator).tolist()

    def __iter__(self) -> Iterator[int]:
        skip = self._take_skip()
        start = self.rank + skip * self.world_size
        return itertools.islice(self._global_stream(start), 0, None, self.world_size)

    def __len__(self) -> int:
        return self.size
