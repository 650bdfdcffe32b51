"""Distributed training for real: two processes on the gloo backend (CPU).

All scenarios of :mod:`support.dist_scenarios` run in one pair of processes (starting them is
what costs time); each test checks one scenario against single-process runs in this process or
against hand-derived values.
"""

from __future__ import annotations

import os
import signal

import pytest
import torch

from cadence.errors import ConfigError
from cadence.runner import Runner
from support import dist_scenarios as sc

pytestmark = [pytest.mark.dist, pytest.mark.slow]


@pytest.fixture(scope='module')
def out(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp('two_processes'))
    sc.spawn(path, list(sc.SCENARIOS))
    return path


def both(out: str, name: str) -> tuple[dict, dict]:
    return sc.load(out, name, 0), sc.load(out, name, 1)


def assert_states_close(actual: dict, expected: dict, **tolerance) -> None:
    assert actual.keys() == expected.keys()
    for key in expected:
        torch.testing.assert_close(actual[key], expected[key], **tolerance, msg=key)


def assert_states_equal(actual: dict, expected: dict) -> None:
    assert actual.keys() == expected.keys()
    for key in expected:
        assert torch.equal(actual[key], expected[key]), key


def test_two_processes_end_with_the_weights_of_one_process_on_the_global_batch(out, tmp_path):
    rank0, rank1 = both(out, 'equal_weights')
    assert_states_equal(rank1['state'], rank0['state'])  # DDP keeps the replicas identical
    single = sc.equal_weights(str(tmp_path), launcher='none', per_rank_batch=16)
    assert_states_close(rank0['state'], single['state'], rtol=1e-5, atol=1e-6)
    assert rank0['metrics'] == rank1['metrics'] == single['metrics']


def test_validation_computes_on_every_sample_exactly_once(out):
    rank0, rank1 = both(out, 'equal_weights')
    from cadence.dataset import DigitsDataset

    dataset = DigitsDataset(split='val', indices=sc.VAL_SAMPLES)
    expected = sorted(tuple(dataset[i]['inputs'].flatten().tolist()) for i in range(len(dataset)))
    # after epoch 1, after epoch 2, runner.val(): rank 0 computes on the gathered results
    assert len(rank0['evaluated']) == 3 and rank1['evaluated'] == []
    for samples in rank0['evaluated']:
        assert sorted(tuple(s.flatten().tolist()) for s in samples) == expected
    assert rank0['metrics']['recorder/count'] == sc.VAL_SAMPLES


def test_only_rank_0_writes_and_it_decides_the_work_dir_and_timestamp(out):
    rank0, rank1 = both(out, 'equal_weights')
    assert rank1['work_dir'] == rank0['work_dir'] == os.path.join(out, 'equal')
    assert rank1['timestamp'] == rank0['timestamp']
    assert rank1['seed'] == rank0['seed'] == 0  # the same seed everywhere by default
    assert rank1['writes'] == []  # no file opened for writing, created, renamed or removed
    assert not os.path.exists(os.path.join(out, 'equal_rank1_request'))
    names = sorted(os.listdir(rank0['work_dir']))
    assert {'epoch_1.pth', 'epoch_2.pth', 'last_checkpoint'} <= set(names)
    log = os.path.join(rank0['work_dir'], rank0['timestamp'], f'{rank0["timestamp"]}.log')
    with open(log, encoding='utf-8') as handle:
        assert 'distributed: 2 processes, backend gloo' in handle.read()
    checkpoint = torch.load(os.path.join(rank0['work_dir'], 'epoch_2.pth'), weights_only=True)
    assert checkpoint['meta']['world_size'] == 2
    assert len(checkpoint['train_state']['ranks']) == 2
    assert not any(key.startswith('module.') for key in checkpoint['state_dict'])
    assert rank1['log_level'] == 40  # ERROR: other ranks print errors only


def test_accumulation_all_reduces_only_on_update_steps(out, tmp_path):
    rank0, rank1 = both(out, 'accumulation')
    # accumulative_counts=2 over 7 iterations: updates after 1, 3, 5 and the last one, 6
    assert rank0['reduced_at'] == rank1['reduced_at'] == [1, 3, 5, 6]
    single = sc.accumulation(str(tmp_path), launcher='none', per_rank_batch=16)
    assert_states_close(rank0['state'], single['state'], rtol=1e-5, atol=1e-6)


def test_sync_buffers_hook_averages_batchnorm_statistics(out):
    rank0, rank1 = both(out, 'sync_buffers')
    name = 'backbone.layer0.bn.running_mean'
    assert not torch.equal(rank0['before'][name], rank1['before'][name])  # ranks saw other data
    for key, before0 in rank0['before'].items():
        before1 = rank1['before'][key]
        if before0.is_floating_point():
            expected = (before0 + before1) / 2
        else:  # num_batches_tracked: the same count on both ranks
            assert torch.equal(before0, before1)
            expected = before0
        torch.testing.assert_close(rank0['after'][key], expected, msg=key)
        assert torch.equal(rank1['after'][key], rank0['after'][key]), key


def test_two_process_resume_continues_exactly_on_every_rank(out):
    for result in both(out, 'resume'):
        # dropout with a different seed per rank: only per-rank generator states resume exactly
        assert_states_equal(result['resumed'], result['full'])
        assert torch.equal(result['resumed_rng'], result['full_rng'])
        assert_states_equal(result['auto'], result['full'])
        assert result['auto_started_at'] == ['iter_12.pth', 'iter_8.pth']
    rank0, rank1 = both(out, 'resume')
    assert (rank0['seed'], rank1['seed']) == (3, 4)  # diff_rank_seed adds the rank
    assert not torch.equal(rank0['full_rng'], rank1['full_rng'])
    # ...yet the weights are the same: init_weights' random draws are replaced by rank 0's
    # before training, and DDP keeps them in step; BatchNorm statistics stay per rank
    for key, value in rank0['full'].items():
        same = torch.equal(value, rank1['full'][key])
        assert same if 'running' not in key else not same, key


def test_resuming_on_another_number_of_processes_is_refused(out, tmp_path):
    both(out, 'resume')
    cfg = sc._resume_cfg(
        str(tmp_path),
        launcher='none',
        load_from=os.path.join(out, 'resume_full', 'iter_4.pth'),
        resume=True,
    )
    runner = Runner.from_cfg(cfg)
    with pytest.raises(ConfigError, match=r'saved by a run on 2 process.* this run has 1') as info:
        runner.train()
    assert info.value.key_path == 'resume' and 'load_from' in str(info.value)


def test_a_signal_on_one_rank_stops_every_rank_after_the_same_iteration(out):
    rank0, rank1 = both(out, 'interrupt')
    # rank 1 got SIGTERM after iteration 3; the ranks agree every 10 iterations
    assert rank0['stopped_at'] == rank1['stopped_at'] == 10
    assert rank0['signum'] == rank1['signum'] == signal.SIGTERM
    assert rank0['checkpoint'] == os.path.join(out, 'interrupt', 'iter_10.pth')
    assert rank1['checkpoint'] is None
    with open(os.path.join(out, 'interrupt', 'last_checkpoint'), encoding='utf-8') as handle:
        assert handle.read().strip() == rank0['checkpoint']
