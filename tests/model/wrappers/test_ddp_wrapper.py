"""``MMDistributedDataParallel`` in a real one-rank process group: its steps match the
model's own, and its checks (2-process behaviour: tests/runner/test_distributed.py)."""

from __future__ import annotations

import copy
import logging

import pytest
import torch
from torch import nn

from cadence.errors import ConfigError
from cadence.model import MLPClassifier, MMDistributedDataParallel
from cadence.optim import OptimWrapper
from support.dist_scenarios import single_rank_group


@pytest.fixture
def group(monkeypatch):
    with single_rank_group(monkeypatch):
        yield


def batch(seed: int = 0) -> dict:
    generator = torch.Generator().manual_seed(seed)
    return {
        'inputs': torch.rand(8, 64, generator=generator),
        'data_samples': torch.randint(0, 10, (8,), generator=generator),
    }


def sgd(model: nn.Module) -> OptimWrapper:
    return OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9))


def test_train_step_through_the_wrapper_equals_the_models_own(group):
    torch.manual_seed(0)
    model = MLPClassifier(hidden_dims=(16,))
    reference = copy.deepcopy(model)
    wrapped = MMDistributedDataParallel(model, broadcast_buffers=False)
    assert wrapped.broadcast_buffers is False
    optim, reference_optim = sgd(wrapped), sgd(reference)
    for step in range(3):
        logged = wrapped.train_step(batch(step), optim)
        expected = reference.train_step(batch(step), reference_optim)
        assert logged.keys() == expected.keys()
        torch.testing.assert_close(logged['loss'], expected['loss'])
    for (name, value), other in zip(model.state_dict().items(), reference.state_dict().values()):
        torch.testing.assert_close(value, other, msg=name)
    model.eval()
    reference.eval()
    for step in ('val_step', 'test_step'):
        predictions = getattr(wrapped, step)(batch(9))
        expected = getattr(reference, step)(batch(9))
        assert len(predictions) == 8
        torch.testing.assert_close(predictions[0]['pred_score'], expected[0]['pred_score'])


class HalfUsed(MLPClassifier):
    """A classifier with an extra layer the loss never uses."""

    def __init__(self) -> None:
        super().__init__(hidden_dims=(8,))
        self.unused = nn.Linear(2, 2)


def test_detect_anomalous_params_names_parameters_outside_the_graph(group, caplog):
    wrapped = MMDistributedDataParallel(
        HalfUsed(), detect_anomalous_params=True, find_unused_parameters=True
    )
    with caplog.at_level(logging.ERROR, logger='cadence'):
        wrapped.train_step(batch(), sgd(wrapped))
    message = caplog.text
    assert 'unused.weight' in message and 'unused.bias' in message
    assert 'head.fc.weight' not in message and 'find_unused_parameters=True' in message


def test_a_model_without_the_base_model_methods_is_refused(group):
    with pytest.raises(ConfigError, match='has no data_preprocessor, parse_losses') as info:
        MMDistributedDataParallel(nn.Linear(2, 2))
    assert info.value.key_path == 'model_wrapper_cfg'
