"""Process-group setup: launcher and dist_cfg checks, backend choice, a real one-rank group."""

from __future__ import annotations

import pytest
import torch
import torch.distributed as torch_dist

from cadence import dist
from cadence.dist import setup
from cadence.errors import ConfigError
from support.dist_scenarios import single_rank_group


def test_launcher_none_does_nothing_and_unknown_launchers_are_named():
    dist.init_dist('none')
    assert not dist.is_distributed()
    with pytest.raises(ConfigError, match="unknown launcher 'pytroch'. Did you mean 'pytorch'"):
        dist.init_dist('pytroch')
    with pytest.raises(ConfigError, match='slurm and mpi jobs can start torchrun'):
        dist.init_dist('slurm')


def test_pytorch_launcher_outside_torchrun_says_how_to_start(monkeypatch):
    for name in setup.TORCHRUN_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('RANK', '0')
    with pytest.raises(ConfigError, match='torchrun') as info:
        dist.init_dist('pytorch')
    message = str(info.value)
    assert info.value.key_path == 'launcher'
    assert 'not set here: WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT' in message
    assert '--launcher pytorch' in message
    assert not dist.is_distributed()


def test_backend_choice():
    cuda = torch.cuda.is_available()
    assert dist.resolve_backend(None) == ('nccl' if cuda else 'gloo')
    assert dist.resolve_backend('gloo') == 'gloo'
    # reference configs ask for nccl; without CUDA it cannot work, gloo can
    assert dist.resolve_backend('nccl') == ('nccl' if cuda else 'gloo')
    with pytest.raises(ConfigError, match="unknown backend 'glo'. Did you mean 'gloo'") as info:
        dist.resolve_backend('glo')
    assert info.value.key_path == 'env_cfg.dist_cfg.backend'


@pytest.mark.parametrize(
    ('cfg', 'key_path', 'message'),
    [
        ({'backend': 'gloo', 'timout': 5}, 'env_cfg.dist_cfg.timout', "Did you mean 'timeout'"),
        ({'backend': 7}, 'env_cfg.dist_cfg.backend', 'must be a backend name'),
        ({'init_backend': 'deepspeed'}, 'env_cfg.dist_cfg.init_backend', "only 'torch'"),
        ({'timeout': -1}, 'env_cfg.dist_cfg.timeout', 'positive number of seconds'),
    ],
)
def test_dist_cfg_mistakes(cfg, key_path, message):
    with pytest.raises(ConfigError, match=message) as info:
        setup.check_dist_cfg(cfg)
    assert info.value.key_path == key_path


def test_init_dist_sets_up_a_process_group_from_the_environment(monkeypatch):
    with single_rank_group(monkeypatch):
        assert dist.is_distributed() and dist.get_dist_info() == (0, 1)
        assert dist.get_backend() == 'gloo'
        assert dist.cpu_group() is None  # gloo already carries CPU tensors
        dist.init_dist('pytorch', backend='gloo')  # an existing group is kept
        assert torch_dist.get_world_size() == 1
    assert not dist.is_distributed() and dist.get_backend() is None
