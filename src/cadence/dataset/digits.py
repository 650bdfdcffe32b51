"""``DigitsDataset``: scikit-learn's handwritten digits, shipped with scikit-learn (no download).

1,797 grey 8x8 images of the digits 0-9. The split is 80/20, stratified by class and fixed by
``split_seed``, so every run (and every rank) sees the same train and val sets. The CSV file is
read directly from scikit-learn's installed package, without importing scikit-learn, and split
with torch alone, so the split never depends on a scikit-learn version.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import torch
from torch.utils.data import Dataset

from ..errors import ConfigError
from ..registry import DATASETS

SPLITS = ('train', 'val')


DIGITS_FILE = ('datasets', 'data', 'digits.csv.gz')


def digits_file() -> Path:
    """The digits CSV that scikit-learn ships, found without importing scikit-learn (importing
    it and SciPy costs about a second at every start)."""
    spec = importlib.util.find_spec('sklearn')
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        path = Path(location).joinpath(*DIGITS_FILE)
        if path.is_file():
            return path
    raise ConfigError(
        'DigitsDataset reads the digits data that scikit-learn ships; install it with '
        'pip install -e ".[examples]" (or pip install scikit-learn)'
        + (f' (no {"/".join(DIGITS_FILE)} under {locations[0]})' if locations else '')
    )


@functools.lru_cache(maxsize=1)
def load_digits_arrays() -> tuple[torch.Tensor, torch.Tensor]:
    """All 1,797 images (``uint8 [N, 8, 8]``, values 0-16) and labels (``int64 [N]``)."""
    with gzip.open(digits_file(), 'rt', encoding='ascii') as handle:
        rows = [[int(float(v)) for v in line.split(',')] for line in handle if line.strip()]
    table = torch.tensor(rows, dtype=torch.int64)
    return table[:, :-1].to(torch.uint8).view(-1, 8, 8), table[:, -1].contiguous()


def stratified_split(
    labels: torch.Tensor, val_ratio: float, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(train indices, val indices)``: ``ceil(val_ratio * N)`` samples for val, shared among
    the classes in proportion to their sizes (largest remainders first), each split in the
    order of one seeded permutation. Pure torch, so it never changes with a library version."""
    total = len(labels)
    n_val = math.ceil(val_ratio * total)
    classes, counts = torch.unique(labels, return_counts=True)
    exact = [int(c) * n_val / total for c in counts]
    quota = [math.floor(e) for e in exact]
    by_remainder = sorted(range(len(quota)), key=lambda i: (quota[i] - exact[i], i))
    for i in by_remainder[: n_val - sum(quota)]:
        quota[i] += 1
    wanted = dict(zip(classes.tolist(), quota))
    order = torch.randperm(total, generator=torch.Generator().manual_seed(seed))
    train, val = [], []
    for index, label in zip(order.tolist(), labels[order].tolist()):
        if wanted[label]:
            wanted[label] -= 1
            val.append(index)
        else:
            train.append(index)
    return torch.tensor(train, dtype=torch.int64), torch.tensor(val, dtype=torch.int64)


@functools.lru_cache(maxsize=8)
def _load_split(split: str, val_ratio: float, split_seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The split's ``(images, labels)`` (cached: callers copy them)."""
    images, labels = load_digits_arrays()
    train, val = stratified_split(labels, val_ratio, split_seed)
    keep = train if split == 'train' else val
    return images[keep], labels[keep]


@DATASETS.register_module()
class DigitsDataset(Dataset):
    """The digits images as ``dict(inputs=Tensor[1, 8, 8] in [0, 1], data_samples=label)``.

    Args:
        split: ``'train'`` (80%) or ``'val'`` (20%).
        val_ratio: The share of samples in the val split.
        split_seed: Seed of the stratified split (the same for every run by default).
        indices: Keep only these samples: an int keeps the first ``indices`` samples, a list
            keeps those positions (handy to shorten a run from the command line).
    """

    METAINFO: ClassVar[dict[str, Any]] = {'classes': tuple(str(i) for i in range(10))}

    def __init__(
        self,
        split: str = 'train',
        val_ratio: float = 0.2,
        split_seed: int = 0,
        indices: int | Sequence[int] | None = None,
    ) -> None:
        if split not in SPLITS:
            raise ConfigError(f'split must be one of {SPLITS}, got {split!r}')
        if not 0.0 < val_ratio < 1.0:
            raise ConfigError(f'val_ratio must be between 0 and 1 (exclusive), got {val_ratio!r}')
        images, labels = _load_split(split, val_ratio, split_seed)
        images = images.to(torch.float32).unsqueeze(1) / 16.0
        labels = labels.clone()
        if indices is not None:
            keep = self._resolve_indices(indices, len(labels))
            images, labels = images[keep], labels[keep]
        self.split = split
        self._images = images.contiguous()
        self._labels = labels.tolist()

    @staticmethod
    def _resolve_indices(indices: int | Sequence[int], size: int) -> Any:
        if isinstance(indices, bool) or not isinstance(indices, (int, Sequence)):
            raise ConfigError(f'indices must be an int or a list of ints, got {indices!r}')
        if isinstance(indices, int):
            if not 0 < indices <= size:
                raise ConfigError(f'indices={indices} must be between 1 and the split size {size}')
            return torch.arange(indices)
        bad = [i for i in indices if not isinstance(i, int) or not -size <= i < size]
        if bad:
            raise ConfigError(f'indices {bad[:5]} are out of range for a split of {size} samples')
        return torch.as_tensor(list(indices), dtype=torch.int64)

    @property
    def metainfo(self) -> dict[str, Any]:
        """``{'classes': ('0', ..., '9')}``."""
        return dict(self.METAINFO)

    def __len__(self) -> int:
        return len(self._labels)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return {'inputs': self._images[index], 'data_samples': self._labels[index]}

    def __repr__(self) -> str:
        return f'DigitsDataset(split={self.split!r}, samples={len(self)})'
