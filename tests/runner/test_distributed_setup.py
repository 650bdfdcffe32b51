"""The Runner's distributed setup in one process: launcher and dist_cfg errors, SyncBN in a
single process, and model wrapping in a real one-rank process group (what several processes
do together: test_distributed.py)."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from cadence.config import Config
from cadence.errors import ConfigError
from cadence.model import MLPClassifier, MMDistributedDataParallel
from cadence.registry import MODEL_WRAPPERS, MODELS
from cadence.runner import Runner
from support.dist_scenarios import single_rank_group
from support.runs import digits_cfg


@MODELS.register_module()
class SyncBNClassifier(MLPClassifier):
    """An MLP written for multi-GPU training: its BatchNorm is a SyncBatchNorm."""

    def __init__(self) -> None:
        super().__init__(hidden_dims=(8,))
        self.backbone.layer0.bn = nn.SyncBatchNorm(8)


@MODEL_WRAPPERS.register_module()
class PlainDDP(DistributedDataParallel):
    """torch's DDP without the step methods the loops call."""


def runner_from(tmp_path, **overrides) -> Runner:
    return Runner.from_cfg(Config(digits_cfg(tmp_path, **overrides)))


def test_pytorch_launcher_outside_torchrun(tmp_path, monkeypatch):
    monkeypatch.delenv('MASTER_PORT', raising=False)
    with pytest.raises(ConfigError, match='torchrun') as info:
        runner_from(tmp_path, launcher='pytorch')
    assert info.value.key_path == 'launcher'


def test_dist_cfg_is_checked_before_anything_starts(tmp_path):
    with pytest.raises(ConfigError, match="Did you mean 'backend'") as info:
        runner_from(tmp_path, env_cfg={'dist_cfg': {'backnd': 'gloo'}})
    assert info.value.key_path == 'env_cfg.dist_cfg.backnd'


def test_config_checks_list_launcher_and_dist_cfg_mistakes(tmp_path):
    from cadence.runner.config_check import iter_config_errors

    values = {
        'launcher': 'pytorh',
        'env_cfg': {'dist_cfg': {'backend': 'ncll'}},
        'randomness': None,
    }
    errors = {error.key_path: str(error) for error in iter_config_errors(values)}
    assert "Did you mean 'pytorch'" in errors['launcher']
    assert "Did you mean 'nccl'" in errors['env_cfg.dist_cfg.backend']


def test_one_process_trains_sync_bn_models_with_plain_batchnorm(tmp_path):
    runner = runner_from(tmp_path, model={'type': 'SyncBNClassifier'})
    assert not any(isinstance(m, nn.SyncBatchNorm) for m in runner.model.modules())
    assert not runner.distributed and runner.world_size == 1
    runner.train()  # SyncBatchNorm needs a process group; the reverted layer does not


def test_pytorch_launcher_wraps_the_model(tmp_path, monkeypatch):
    with single_rank_group(monkeypatch):
        runner = runner_from(tmp_path, launcher='pytorch')
        assert runner.distributed and isinstance(runner.model, MMDistributedDataParallel)
        assert runner.model.broadcast_buffers is False  # as the reference wraps it
        assert runner.model.find_unused_parameters is False
        runner.train()
        checkpoint = torch.load(tmp_path / 'epoch_3.pth', weights_only=True)
        assert checkpoint['meta']['world_size'] == 1
        assert 'ranks' not in checkpoint['train_state']  # one rank: nothing differs


def test_model_wrapper_settings(tmp_path, monkeypatch):
    with single_rank_group(monkeypatch):
        cfg = digits_cfg(tmp_path, launcher='pytorch')
        cfg['find_unused_parameters'] = True
        assert Runner.from_cfg(Config(cfg)).model.find_unused_parameters is True

        cfg = digits_cfg(tmp_path, launcher='pytorch')
        cfg['model_wrapper_cfg'] = {
            'type': 'MMDistributedDataParallel',
            'gradient_as_bucket_view': True,
        }
        cfg['find_unused_parameters'] = True
        model = Runner.from_cfg(Config(cfg)).model
        assert model.gradient_as_bucket_view and model.find_unused_parameters

        cfg['model_wrapper_cfg'] = {'type': 'MMDistributedDataParalel'}
        with pytest.raises(ConfigError, match="Did you mean 'MMDistributedDataParallel'"):
            Runner.from_cfg(Config(cfg))

        cfg['model_wrapper_cfg'] = {'type': 'PlainDDP'}
        with pytest.raises(ConfigError, match='PlainDDP has no train_step') as info:
            Runner.from_cfg(Config(cfg))
        assert info.value.key_path == 'model_wrapper_cfg.type'

        cfg['model_wrapper_cfg'] = None
        cfg['sync_bn'] = 'torch'
        with pytest.raises(ConfigError, match='GPUs only') as info:
            Runner.from_cfg(Config(cfg))
        assert info.value.key_path == 'sync_bn'
