"""The digits dataset: shipped with scikit-learn, split 80/20 stratified and deterministic."""

from __future__ import annotations

from collections import Counter

import pytest
import torch

from cadence.errors import ConfigError
from cadence.registry import DATASETS

pytest.importorskip('sklearn')


@pytest.fixture(scope='module')
def splits():
    from cadence.dataset import DigitsDataset

    return DigitsDataset('train'), DigitsDataset('val')


def test_split_sizes_and_stratification(splits):
    train, val = splits
    assert (len(train), len(val)) == (1437, 360)
    from sklearn.datasets import load_digits

    total = Counter(load_digits().target.tolist())
    val_counts = Counter(val[i]['data_samples'] for i in range(len(val)))
    for label, count in total.items():
        assert abs(val_counts[label] - 0.2 * count) <= 1


def test_samples_are_images_in_unit_range(splits):
    sample = splits[0][0]
    assert sample['inputs'].shape == (1, 8, 8) and sample['inputs'].dtype == torch.float32
    assert float(sample['inputs'].min()) >= 0.0 and float(sample['inputs'].max()) <= 1.0
    assert isinstance(sample['data_samples'], int)
    assert splits[0].metainfo == {'classes': tuple(str(i) for i in range(10))}


def test_split_is_deterministic_and_disjoint(splits):
    from cadence.dataset import DigitsDataset

    again = DigitsDataset('train')
    assert torch.equal(again._images, splits[0]._images)
    train_rows = {tuple(x.flatten().tolist()) for x in splits[0]._images}
    val_rows = [tuple(x.flatten().tolist()) for x in splits[1]._images]
    # digits contains a few duplicate images; nearly all val images are unseen in train
    assert sum(row in train_rows for row in val_rows) < 5


def test_indices_and_errors():
    data = DATASETS.build({'type': 'DigitsDataset', 'split': 'val', 'indices': 10})
    assert len(data) == 10
    data = DATASETS.build({'type': 'DigitsDataset', 'split': 'val', 'indices': [3, 1]})
    assert len(data) == 2
    with pytest.raises(ConfigError, match=r'val_dataloader\.dataset: DigitsDataset: split must'):
        DATASETS.build(
            {'type': 'DigitsDataset', 'split': 'test'}, key_path='val_dataloader.dataset'
        )
    with pytest.raises(ConfigError, match='out of range'):
        DATASETS.build({'type': 'DigitsDataset', 'split': 'val', 'indices': [999]})


def test_the_file_matches_scikit_learns_loader_and_is_read_without_importing_it():
    import subprocess
    import sys

    from sklearn.datasets import load_digits

    from cadence.dataset.digits import load_digits_arrays

    images, labels = load_digits_arrays()
    reference = load_digits()
    assert images.tolist() == reference.images.astype(int).tolist()
    assert labels.tolist() == reference.target.tolist()
    code = (
        'import sys; from cadence.dataset import DigitsDataset; DigitsDataset("train"); '
        'print("sklearn" in sys.modules, "scipy" in sys.modules)'
    )
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ['False', 'False']


def test_stratified_split_shares_the_val_quota_by_class_size():
    from cadence.dataset.digits import stratified_split

    labels = torch.tensor([0] * 50 + [1] * 30 + [2] * 17)  # 97 samples, 20% -> 20 for val
    train, val = stratified_split(labels, 0.2, seed=3)
    assert len(val) == 20 and len(train) == 77
    assert sorted(train.tolist() + val.tolist()) == list(range(97))
    per_class = Counter(labels[val].tolist())
    # exact shares 10.3, 6.2, 3.5 -> floors 10, 6, 3 and the one left goes to the largest
    # remainder (class 2)
    assert per_class == {0: 10, 1: 6, 2: 4}
    again_train, again_val = stratified_split(labels, 0.2, seed=3)
    assert torch.equal(again_val, val) and torch.equal(again_train, train)
    assert not torch.equal(stratified_split(labels, 0.2, seed=4)[1], val)
