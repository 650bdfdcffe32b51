"""BaseModel: steps, modes, parse_losses; data preprocessors."""

from __future__ import annotations

import contextlib

import pytest
import torch
from torch import nn

from cadence.errors import ConfigError
from cadence.model import BaseDataPreprocessor, BaseModel, ClsDataPreprocessor, LossError


class Linear(BaseModel):
    def __init__(self, losses=None):
        super().__init__()
        self.fc = nn.Linear(2, 1)
        self.losses = losses

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.fc(inputs)
        if mode == 'loss':
            return self.losses(out) if self.losses else {'loss': (out**2).mean()}
        if mode == 'predict':
            return list(out.unbind(0))
        return out


class RecordingWrapper:
    def __init__(self):
        self.calls = []

    def optim_context(self, model):
        self.calls.append('context')
        return contextlib.nullcontext()

    def update_params(self, loss):
        self.calls.append(('update', loss))


def test_train_step_preprocesses_computes_and_updates():
    model = Linear()
    wrapper = RecordingWrapper()
    data = {'inputs': torch.ones(3, 2)}
    log_vars = model.train_step(data, wrapper)
    expected = (model.fc(torch.ones(3, 2)) ** 2).mean()
    assert wrapper.calls[0] == 'context'
    assert torch.allclose(wrapper.calls[1][1], expected)
    assert list(log_vars) == ['loss'] and not log_vars['loss'].requires_grad


def test_list_batches_are_positional_and_other_types_rejected():
    model = Linear()
    assert len(model.val_step([torch.ones(4, 2)])) == 4
    with pytest.raises(TypeError, match='dict or a list'):
        model.val_step(torch.ones(4, 2))


def test_parse_losses_follows_the_reference_rule():
    model = Linear()
    a, b = torch.tensor([1.0, 3.0]), torch.tensor(4.0)
    loss, log_vars = model.parse_losses(
        {'loss_cls': a, 'loss_aux': [b, torch.tensor([2.0, 4.0])], 'acc': torch.tensor(0.5)}
    )
    assert float(loss) == 2.0 + 4.0 + 3.0  # mean(a) + (b + mean([2, 4])); 'acc' not summed
    assert list(log_vars) == ['loss', 'loss_cls', 'loss_aux', 'acc']
    assert float(log_vars['acc']) == 0.5
    assert float(log_vars['loss']) == float(loss) and not log_vars['loss'].requires_grad


def test_an_item_named_loss_logs_its_own_value_first_as_in_the_reference():
    # The reference builds OrderedDict([('loss', total), ..., ('loss', item)]): the item's value
    # wins and keeps the first position.
    model = Linear()
    loss, log_vars = model.parse_losses({'acc': torch.tensor(0.5), 'loss': torch.tensor(1.0),
                                         'loss_aux': torch.tensor([2.0, 4.0])})  # fmt: skip
    assert float(loss) == 4.0
    assert list(log_vars) == ['loss', 'acc', 'loss_aux']
    assert float(log_vars['loss']) == 1.0 and float(log_vars['loss_aux']) == 3.0


def test_parse_losses_errors_are_clear():
    model = Linear()
    with pytest.raises(LossError, match=r"no loss term: keys \['acc'\]"):
        model.parse_losses({'acc': torch.tensor(1.0)})
    with pytest.raises(LossError, match="'loss' = float"):
        model.parse_losses({'loss': 1.0})
    with pytest.raises(LossError, match='must return a dict'):
        model.parse_losses(torch.tensor(1.0))


def test_data_preprocessor_from_config_and_errors():
    model = BaseModel(data_preprocessor={'type': 'ClsDataPreprocessor'})
    assert isinstance(model.data_preprocessor, ClsDataPreprocessor)
    with pytest.raises(ConfigError, match='model.data_preprocessor'):
        BaseModel(data_preprocessor='nope')
    with pytest.raises(ConfigError, match='init_cfg'):
        BaseModel(init_cfg={'type': 'Pretrained'})


def test_base_preprocessor_moves_nested_data_and_tracks_device():
    pre = BaseDataPreprocessor()
    data = {'a': [torch.zeros(1), (torch.ones(1), 'x')], 'b': 3}
    out = pre(data)
    assert out['a'][1][1] == 'x' and out['b'] == 3
    assert out['a'][0] is data['a'][0]  # already on the device: no copy
    model = Linear()
    model.to(torch.float64)
    assert model.data_preprocessor.device == torch.device('cpu')
    model.to('cpu')
    assert model.data_preprocessor.device == torch.device('cpu')


def test_cls_preprocessor_stacks_and_normalises():
    pre = ClsDataPreprocessor(mean=[0.5], std=[0.25])
    batch = pre({'inputs': [torch.ones(1, 2, 2), torch.zeros(1, 2, 2)], 'data_samples': [3, 4]})
    assert batch['inputs'].shape == (2, 1, 2, 2)
    assert batch['inputs'][0, 0, 0, 0] == 2.0 and batch['inputs'][1, 0, 0, 0] == -2.0
    assert batch['data_samples'].tolist() == [3, 4]
    with pytest.raises(ConfigError, match='mean and std'):
        ClsDataPreprocessor(mean=[0.5])
