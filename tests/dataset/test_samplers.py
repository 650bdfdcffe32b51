"""Samplers: order from (seed, epoch), rank splitting, resuming by index."""

from __future__ import annotations

import itertools

import pytest
import torch

from cadence.dataset import DefaultSampler, InfiniteSampler
from cadence.dataset import samplers as samplers_module
from cadence.errors import ConfigError


def _as_rank(monkeypatch, rank, world):
    monkeypatch.setattr(samplers_module, 'get_dist_info', lambda: (rank, world))


def _perm(size, seed):
    generator = torch.Generator()
    generator.manual_seed(seed)
    return torch.randperm(size, generator=generator).tolist()


def test_default_sampler_shuffles_with_seed_plus_epoch():
    sampler = DefaultSampler(list(range(10)), shuffle=True, seed=7)
    assert list(sampler) == _perm(10, 7)
    sampler.set_epoch(3)
    assert list(sampler) == _perm(10, 10)
    assert list(sampler) == list(sampler)  # the order depends on (seed, epoch) only


def test_default_sampler_without_shuffle_is_sequential():
    assert list(DefaultSampler(list(range(5)), shuffle=False, seed=0)) == [0, 1, 2, 3, 4]


def test_default_sampler_splits_across_ranks_with_round_up(monkeypatch):
    order = _perm(10, 3)
    padded = (order * 2)[:12]
    for rank in range(4):
        _as_rank(monkeypatch, rank, 4)
        sampler = DefaultSampler(list(range(10)), shuffle=True, seed=3)
        assert len(sampler) == 3
        assert list(sampler) == padded[rank:12:4]


def test_default_sampler_without_round_up_repeats_nothing(monkeypatch):
    seen = []
    for rank in range(4):
        _as_rank(monkeypatch, rank, 4)
        sampler = DefaultSampler(list(range(10)), shuffle=False, seed=0, round_up=False)
        items = list(sampler)
        assert len(items) == len(sampler)
        seen += items
    assert sorted(seen) == list(range(10))


def test_default_sampler_skip_is_one_shot():
    sampler = DefaultSampler(list(range(10)), shuffle=True, seed=1)
    full = list(sampler)
    sampler.skip_samples(4)
    assert list(sampler) == full[4:]
    assert list(sampler) == full
    sampler.skip_samples(10)
    assert list(sampler) == []


def test_sampler_state_round_trip():
    sampler = DefaultSampler(list(range(10)), shuffle=True, seed=5)
    sampler.set_epoch(2)
    other = DefaultSampler(list(range(10)), shuffle=True, seed=99)
    other.load_state_dict(sampler.state_dict())
    assert list(other) == list(sampler)


def test_seed_none_is_drawn_and_bad_seed_rejected():
    assert isinstance(DefaultSampler(list(range(3)), seed=None).seed, int)
    with pytest.raises(ConfigError, match='seed'):
        DefaultSampler(list(range(3)), seed='1')


def _stream(seed, size, count):
    out = []
    generator = torch.Generator()
    generator.manual_seed(seed)
    while len(out) < count:
        out += torch.randperm(size, generator=generator).tolist()
    return out[:count]


def test_infinite_sampler_streams_permutations_and_skips(monkeypatch):
    sampler = InfiniteSampler(list(range(5)), shuffle=True, seed=4)
    assert list(itertools.islice(sampler, 23)) == _stream(4, 5, 23)
    sampler.skip_samples(12)
    assert list(itertools.islice(sampler, 6)) == _stream(4, 5, 18)[12:]
    _as_rank(monkeypatch, 1, 3)
    ranked = InfiniteSampler(list(range(5)), shuffle=True, seed=4)
    ranked.skip_samples(2)
    assert list(itertools.islice(ranked, 4)) == _stream(4, 5, 40)[1::3][2:6]


def test_infinite_sampler_without_shuffle():
    sampler = InfiniteSampler(list(range(3)), shuffle=False, seed=0)
    sampler.skip_samples(4)
    assert list(itertools.islice(sampler, 5)) == [1, 2, 0, 1, 2]
