"""Tensor collectives: validation, and what they do with one rank (several ranks: the
2-process tests, e.g. SyncBuffersHook in tests/runner/test_distributed.py)."""

from __future__ import annotations

import contextlib

import pytest
import torch

from cadence import dist
from cadence.dist import collectives
from cadence.errors import ConfigError
from support.dist_scenarios import single_rank_group


def test_unknown_reduce_operation():
    with pytest.raises(ConfigError, match="unknown reduce operation 'avg'"):
        dist.all_reduce(torch.ones(1), 'avg')
    with pytest.raises(ConfigError, match="Did you mean 'mean'"):
        dist.all_reduce_params([torch.ones(1)], op='meen')


@pytest.mark.parametrize('grouped', [False, True], ids=['no group', 'one-rank group'])
def test_one_rank_leaves_tensors_unchanged(monkeypatch, grouped):
    with single_rank_group(monkeypatch) if grouped else contextlib.nullcontext():
        tensors = [torch.tensor([1.0, 3.0]), torch.tensor(4)]
        dist.all_reduce_params(tensors, op='mean')
        assert torch.equal(tensors[0], torch.tensor([1.0, 3.0])) and tensors[1].item() == 4
        assert torch.equal(dist.all_reduce(torch.tensor([2.0]), 'mean'), torch.tensor([2.0]))
        assert torch.equal(dist.broadcast(torch.tensor([5])), torch.tensor([5]))


def test_mean_divides_floats_and_floor_divides_integer_counters():
    floats, counts = torch.tensor([3.0, 5.0]), torch.tensor([6, 7])
    collectives._divide(floats, 2)
    collectives._divide(counts, 2)
    assert torch.equal(floats, torch.tensor([1.5, 2.5]))
    assert torch.equal(counts, torch.tensor([3, 3])) and counts.dtype == torch.int64
