"""``DigitsDataset``: scikit-learn's handwritten digits, shipped with scikit-learn (no download).

1,797 grey 8x8 images of the digits 0-9. The split is 80/20, stratified by class and fixed by
``split_seed``, so every run (and every rank) sees the same train and val sets.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch.utils.data import Dataset

from ..errors import ConfigError
from ..registry import DATASETS

SPLITS = ('train', 'val')


@functools.lru_cache(maxsize=8)
def _load_split(split: str, val_ratio: float, split_seed: int) -> tuple[Any, Any]:
    """The split's ``(images, labels)`` arrays (cached: callers copy them into tensors)."""
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ConfigError(
            'DigitsDataset needs scikit-learn: pip install -e ".[examples]" '
            '(or pip install scikit-learn)'
        ) from exc
    data = load_digits()
    train_x, val_x, train_y, val_y = train_test_split(
        data.images,
        data.target,
        test_size=val_ratio,
        stratify=data.target,
        random_state=split_seed,
    )
    return (train_x, train_y) if split == 'train' else (val_x, val_y)


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
        images = torch.as_tensor(images, dtype=torch.float32).unsqueeze(1) / 16.0
        labels = torch.as_tensor(labels, dtype=torch.int64)
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
