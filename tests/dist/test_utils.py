"""Distributed helpers in a single process, and result collection across ranks."""

from __future__ import annotations

import pickle

import torch

from cadence import dist
from cadence.dist import utils


def test_single_process_answers():
    assert dist.get_dist_info() == (0, 1)
    assert dist.is_main_process() and not dist.is_distributed()
    assert dist.broadcast_object({'a': 1}) == {'a': 1}
    assert dist.all_gather_object(3) == [3]
    dist.barrier()
    assert dist.master_only(lambda: 5)() == 5
    assert isinstance(dist.sync_random_seed(), int)


def test_collect_results_in_one_process_cuts_to_the_dataset_size():
    assert dist.collect_results(['a', 'b', 'c'], 2) == ['a', 'b']


def _two_ranks(monkeypatch, parts):
    """Pretend to be rank 0 of 2 whose all_gather returns ``parts`` as the wire would (packed
    by each rank, pickled and unpickled)."""
    monkeypatch.setattr(utils, 'get_world_size', lambda: 2)
    wire = [pickle.loads(pickle.dumps(utils._pack(part))) for part in parts]
    monkeypatch.setattr(utils, 'all_gather_object', lambda obj: wire)


def test_collect_results_interleaves_ranks_and_drops_padding(monkeypatch):
    # 5 samples over 2 ranks with round_up: rank 0 got 0, 2, 4; rank 1 got 1, 3, 0 (padding)
    _two_ranks(monkeypatch, [['s0', 's2', 's4'], ['s1', 's3', 's0']])
    assert dist.collect_results(['s0', 's2', 's4'], 5) == ['s0', 's1', 's2', 's3', 's4']
    # without round_up the first rank may have one more
    _two_ranks(monkeypatch, [['s0', 's2', 's4'], ['s1', 's3']])
    assert dist.collect_results([], 5) == ['s0', 's1', 's2', 's3', 's4']


def test_collect_results_carries_tensors_as_arrays_and_restores_them(monkeypatch):
    rank0 = [{'score': torch.tensor([0.25, 0.75]), 'label': torch.tensor(1), 'name': 'a'}]
    rank1 = [{'score': torch.tensor([0.5, 0.5]), 'pair': (torch.tensor([1, 2]), 3)}]
    packed = utils._pack(rank0)
    assert isinstance(packed[0]['score'], utils._PackedTensor)  # not pickled as a tensor
    _two_ranks(monkeypatch, [rank0, rank1])
    first, second = dist.collect_results(rank0, 2)
    assert torch.equal(first['score'], rank0[0]['score']) and first['name'] == 'a'
    assert first['label'].dtype == torch.int64 and first['label'].item() == 1
    assert isinstance(second['pair'], tuple) and torch.equal(second['pair'][0], torch.tensor([1, 2]))
    # dtypes NumPy has no type for travel as tensors
    assert isinstance(utils._pack(torch.ones(2, dtype=torch.bfloat16)), torch.Tensor)
