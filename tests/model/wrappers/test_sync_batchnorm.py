"""BatchNorm <-> SyncBatchNorm conversion."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from cadence.errors import ConfigError
from cadence.model import MLPClassifier, convert_sync_batchnorm, revert_sync_batchnorm
from cadence.model.wrappers import BatchNormXd, has_sync_batchnorm


def trained_bn_model() -> nn.Module:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(16, 3))
    model.append(nn.BatchNorm1d(3))
    model.train()
    for _ in range(3):
        model(torch.randn(5, 3, 4, 4))
    return model


def test_revert_gives_batchnorm_with_the_same_state_and_outputs():
    model = trained_bn_model()
    inputs = torch.randn(6, 3, 4, 4)
    model.eval()
    expected = model(inputs)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    synced = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    assert has_sync_batchnorm(synced)
    reverted = revert_sync_batchnorm(synced)
    assert not has_sync_batchnorm(reverted)
    assert isinstance(reverted[1], BatchNormXd) and isinstance(reverted[4], BatchNormXd)
    assert reverted.state_dict().keys() == state.keys()
    for key, value in reverted.state_dict().items():
        assert torch.equal(value, state[key]), key
    assert not reverted[1].training
    torch.testing.assert_close(reverted(inputs), expected)
    with pytest.raises(ValueError, match='at least 2D'):
        reverted[4](torch.randn(3))


def test_sync_bn_needs_a_gpu_and_the_torch_implementation():
    with pytest.raises(ConfigError, match='GPUs only') as info:
        convert_sync_batchnorm(MLPClassifier(hidden_dims=(4,)))
    assert info.value.key_path == 'sync_bn' and 'SyncBuffersHook' in str(info.value)
    with pytest.raises(ConfigError, match="only 'torch'"):
        convert_sync_batchnorm(MLPClassifier(hidden_dims=(4,)), 'mmcv')
