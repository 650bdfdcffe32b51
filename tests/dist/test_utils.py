"""Distributed helpers in a single process, and result collection across ranks."""

from __future__ import annotations

import pytest

from cadence import dist
from cadence.dist import utils
from cadence.errors import ConfigError


def test_single_process_answers():
    assert dist.get_dist_info() == (0, 1)
    assert dist.is_main_process() and not dist.is_distributed()
    assert dist.broadcast_object({'a': 1}) == {'a': 1}
    assert dist.all_gather_object(3) == [3]
    dist.barrier()
    assert dist.master_only(lambda: 5)() == 5
    assert isinstance(dist.sync_random_seed(), int)


def test_collect_results_interleaves_ranks_and_drops_padding(monkeypatch):
    # 5 samples over 2 ranks with round_up: rank 0 got 0, 2, 4; rank 1 got 1, 3, 0 (padding)
    monkeypatch.setattr(utils, 'all_gather_object', lambda obj: [['s0', 's2', 's4'], ['s1', 's3', 's0']])
    assert dist.collect_results(['s0', 's2', 's4'], 5) == ['s0', 's1', 's2', 's3', 's4']
    # without round_up the first rank may have one more
    monkeypatch.setattr(utils, 'all_gather_object', lambda obj: [['s0', 's2', 's4'], ['s1', 's3']])
    assert dist.collect_results([], 5) == ['s0', 's1', 's2', 's3', 's4']


def test_launchers():
    dist.init_dist('none')
    with pytest.raises(ConfigError, match='not supported'):
        dist.init_dist('pytorch')
    with pytest.raises(ConfigError, match='unknown launcher'):
        dist.init_dist('slurm')
