"""The lr and momentum of every distinct parameter group: which groups, their names, values."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from cadence.logging.param_group_values import GroupValues, common_name, group_series
from cadence.optim import OptimWrapper, OptimWrapperDict, build_optim_wrapper
from cadence.optim.scheduler import build_param_schedulers, step_after_train_iter


class BackboneHead(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4))
        self.head = nn.Linear(4, 2)


def _keys(wrapper, model=None):
    return [s.key for s in group_series(wrapper, model)]


def test_custom_key_groups_are_named_after_their_parameters():
    model = BackboneHead()
    wrapper = build_optim_wrapper(
        model,
        {
            'optimizer': {'type': 'SGD', 'lr': 0.1, 'momentum': 0.9, 'weight_decay': 1e-4},
            'paramwise_cfg': {'custom_keys': {'head': {'lr_mult': 10.0}}, 'norm_decay_mult': 0},
        },
    )
    # three groups: backbone weights, backbone norm (same lr, other weight decay), head
    assert len(wrapper.optimizer.param_groups) == 3
    assert _keys(wrapper, model) == ['lr/head', 'momentum']  # lr: the first group's
    values = GroupValues(wrapper, model).read()
    assert values == {'lr/head': pytest.approx(1.0), 'momentum': 0.9}


def test_names_come_from_the_constructor_without_the_model():
    model = BackboneHead()
    wrapper = build_optim_wrapper(
        model,
        {
            'optimizer': {'type': 'SGD', 'lr': 0.1},
            'paramwise_cfg': {'custom_keys': {'head': {'lr_mult': 0.5}}},
        },
    )
    assert _keys(wrapper) == ['lr/head', 'momentum']


def test_bias_groups_are_named_by_the_common_last_component():
    model = BackboneHead()
    wrapper = build_optim_wrapper(
        model,
        {'optimizer': {'type': 'SGD', 'lr': 0.1}, 'paramwise_cfg': {'bias_lr_mult': 2.0}},
    )
    assert _keys(wrapper, model) == ['lr/bias', 'momentum']


def test_layer_decay_logs_one_lr_per_layer():
    from cadence.registry import MODELS

    model = MODELS.build({'type': 'TinyViTClassifier'})
    wrapper = build_optim_wrapper(
        model,
        {
            'optimizer': {'type': 'AdamW', 'lr': 1e-3, 'weight_decay': 0.05},
            'constructor': 'LearningRateDecayOptimWrapperConstructor',
            'paramwise_cfg': {'layer_decay_rate': 0.5},
        },
    )
    values = GroupValues(wrapper, model).read()
    layer_lrs = {k: v for k, v in values.items() if k.startswith('lr/backbone.layers.')}
    depth = len(layer_lrs) + 1  # the embeddings have the plain key 'lr'
    for index in range(len(layer_lrs)):
        # hand truth: lr x rate ** (num_layers - layer_id - 1), layer_id = index + 1
        expected = 1e-3 * 0.5 ** (depth + 1 - (index + 1) - 1)
        assert layer_lrs[f'lr/backbone.layers.{index}'] == pytest.approx(expected)
    assert values['momentum'] == 0.9  # AdamW: betas[0]


def test_groups_are_told_apart_by_configured_values_not_current_ones():
    """Schedules may take groups to the same value (cosine to a common eta_min): a series
    must not disappear or merge when they meet."""
    model = BackboneHead()
    wrapper = build_optim_wrapper(
        model,
        {
            'optimizer': {'type': 'SGD', 'lr': 0.1},
            'paramwise_cfg': {'custom_keys': {'head': {'lr_mult': 10.0}}},
        },
    )
    schedulers = build_param_schedulers(
        wrapper, {'type': 'LinearLR', 'start_factor': 0.0, 'by_epoch': False, 'end': 4},
        max_iters=4, train_by_epoch=False,
    )  # fmt: skip
    groups = wrapper.optimizer.param_groups
    assert groups[0]['lr'] == groups[1]['lr'] == 0.0  # a warm-up from 0: all groups equal
    values = GroupValues(wrapper, model)
    assert [s.key for s in values.series] == ['lr/head', 'momentum']
    step_after_train_iter(schedulers)
    # LinearLR reaches its end factor after end - 1 = 3 steps: head lr = 1.0 x 1/3
    assert values.read()['lr/head'] == pytest.approx(groups[1]['lr']) == pytest.approx(1 / 3)


def test_momentum_per_group_and_optimizers_without_momentum():
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    sgd = torch.optim.SGD(
        [{'params': a.parameters()}, {'params': b.parameters(), 'momentum': 0.5}],
        lr=0.1,
        momentum=0.9,
    )
    wrapper = OptimWrapper(sgd)
    model = nn.ModuleDict({'a': a, 'b': b})
    assert _keys(wrapper, model) == ['momentum', 'momentum/b']
    assert GroupValues(wrapper, model).read() == {'momentum': 0.9, 'momentum/b': 0.5}
    adagrad = OptimWrapper(torch.optim.Adagrad(a.parameters(), lr=0.1))
    assert _keys(adagrad) == []  # no momentum to speak of: no key, not a made-up 0


def test_several_optimizers_carry_their_names():
    gen, disc = nn.Linear(2, 2), nn.Linear(2, 2)
    wrappers = OptimWrapperDict(
        gen=OptimWrapper(torch.optim.Adam(gen.parameters(), lr=1e-3, betas=(0.5, 0.999))),
        disc=OptimWrapper(
            torch.optim.SGD([{'params': [disc.weight]}, {'params': [disc.bias], 'lr': 0.2}], lr=0.1)
        ),
    )
    model = nn.ModuleDict({'gen': gen, 'disc': disc})
    values = GroupValues(wrappers, model).read()
    assert values == {'gen.momentum': 0.5, 'disc.lr/disc.bias': 0.2, 'disc.momentum': 0.0}


def test_colliding_names_fall_back_to_the_group_index():
    layer = nn.Linear(2, 2)
    other = nn.Linear(2, 2)
    sgd = torch.optim.SGD(
        [
            {'params': [layer.weight]},
            {'params': [layer.bias, other.weight], 'lr': 0.2},  # no common name
            {'params': [other.bias], 'lr': 0.3},
        ],
        lr=0.1,
    )
    model = nn.ModuleDict({'layer': layer, 'other': other})
    assert _keys(OptimWrapper(sgd), model) == ['lr/group1', 'lr/other.bias', 'momentum']


@pytest.mark.parametrize(
    ('names', 'expected'),
    [
        (['backbone.layers.3.attn.weight', 'backbone.layers.3.ln.bias'], 'backbone.layers.3'),
        (['head.fc.weight'], 'head.fc.weight'),
        (['a.bias', 'b.c.bias'], 'bias'),
        (['a.weight', 'b.bias'], None),
        ([], None),
    ],
)
def test_common_name(names, expected):
    assert common_name(names) == expected


def test_a_tensor_lr_is_read_as_a_float():
    layer = nn.Linear(2, 2)
    wrapper = OptimWrapper(
        torch.optim.SGD(
            [{'params': [layer.weight]}, {'params': [layer.bias], 'lr': torch.tensor(0.5)}],
            lr=0.1,
        )
    )
    values = GroupValues(wrapper, layer).read()
    assert values['lr/bias'] == 0.5 and isinstance(values['lr/bias'], float)
