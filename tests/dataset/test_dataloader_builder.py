"""Building dataloaders from config dicts."""

from __future__ import annotations

import pytest
import torch
from torch.utils.data import Dataset

from cadence.dataset import DefaultSampler, build_dataloader, default_collate, start_epoch
from cadence.errors import ConfigError
from cadence.registry import DATA_SAMPLERS, DATASETS


@DATASETS.register_module(force=True)
class RangeDataset(Dataset):
    """Samples ``{'inputs': tensor([i.0]), 'data_samples': i}``; counts loads."""

    def __init__(self, size: int = 10) -> None:
        self.size = size
        self.loaded: list[int] = []

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int):
        self.loaded.append(index)
        return {'inputs': torch.tensor([float(index)]), 'data_samples': index}


def _cfg(**overrides):
    cfg = {
        'batch_size': 4,
        'dataset': {'type': 'RangeDataset', 'size': 10},
        'sampler': {'type': 'DefaultSampler', 'shuffle': False},
    }
    cfg.update(overrides)
    return cfg


def test_builds_dataset_sampler_and_collate():
    loader = build_dataloader(
        _cfg(collate_fn={'type': 'default_collate'}), seed=3, key_path='train_dataloader'
    )
    assert isinstance(loader.sampler, DefaultSampler) and loader.sampler.seed == 3
    assert loader.collate_fn is default_collate
    batches = list(loader)
    assert [b['data_samples'].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert loader.pin_memory is torch.cuda.is_available()
    assert loader.persistent_workers is False


def test_default_collate_is_pseudo_collate():
    batch = next(iter(build_dataloader(_cfg(), seed=0, key_path='val_dataloader')))
    assert batch['data_samples'] == [0, 1, 2, 3]


def test_errors_name_the_key_path():
    with pytest.raises(
        ConfigError, match=r"train_dataloader\.batch_szie.*Did you mean 'batch_size'"
    ):
        build_dataloader(_cfg(batch_szie=2), seed=0, key_path='train_dataloader')
    with pytest.raises(ConfigError, match=r'train_dataloader\.shuffle.*belongs to the sampler'):
        build_dataloader(_cfg(shuffle=True), seed=0, key_path='train_dataloader')
    cfg = _cfg()
    del cfg['sampler']
    with pytest.raises(ConfigError, match="train_dataloader: missing 'sampler'"):
        build_dataloader(cfg, seed=0, key_path='train_dataloader')
    with pytest.raises(ConfigError, match=r'train_dataloader\.sampler.*DefaultSamplr'):
        build_dataloader(
            _cfg(sampler={'type': 'DefaultSamplr'}), seed=0, key_path='train_dataloader'
        )


def test_iterating_never_touches_the_global_generator():
    loader = build_dataloader(_cfg(), seed=0, key_path='train_dataloader')
    state = torch.get_rng_state()
    for _ in loader:
        pass
    start_epoch(loader, 1)
    for _ in loader:
        pass
    assert torch.equal(state, torch.get_rng_state())


def test_samplers_without_a_seed_argument_work():
    @DATA_SAMPLERS.register_module(force=True)
    class ReverseSampler(torch.utils.data.Sampler):
        def __init__(self, dataset):
            self.size = len(dataset)

        def __iter__(self):
            return iter(range(self.size - 1, -1, -1))

        def __len__(self):
            return self.size

    loader = build_dataloader(_cfg(sampler={'type': 'ReverseSampler'}), seed=0, key_path='x')
    assert next(iter(loader))['data_samples'] == [9, 8, 7, 6]
