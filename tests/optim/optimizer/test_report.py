"""The parameter-group report: data for ``cadence check`` and its text rendering."""

from __future__ import annotations

import json

import torch
from torch import nn

from cadence.optim import (
    OptimWrapper,
    OptimWrapperDict,
    build_optim_wrapper,
    format_param_group_report,
    param_group_report,
)
from reference.models import ConvNet


def convnet_wrapper(model):
    return build_optim_wrapper(
        model,
        dict(
            optimizer=dict(type='SGD', lr=0.01, weight_decay=1e-4),
            paramwise_cfg=dict(
                norm_decay_mult=0.0,
                custom_keys={'head': dict(lr_mult=0.1), 'nothing.matches': dict(lr_mult=0)},
            ),
        ),
    )


def test_report_lists_every_parameter_with_its_group_values_and_rules():
    model = ConvNet()
    model.backbone.layer0.requires_grad_(False)
    report = param_group_report(convnet_wrapper(model))
    assert report.constructor == 'DefaultOptimWrapperConstructor'
    assert report.optimizer == 'SGD'
    assert [p.name for p in report.params] == [n for n, _ in model.named_parameters()]
    by_name = {p.name: p for p in report.params}
    norm = by_name['backbone.layer1.1.weight']
    assert (norm.lr, norm.weight_decay, norm.wd_rule) == (0.01, 0.0, 'norm_decay_mult=0.0')
    head = by_name['head.1.weight']
    assert head.lr == 0.001 and head.lr_rule == "custom_keys['head'].lr_mult=0.1"
    assert head.wd_rule.startswith("custom_keys['head'] without decay_mult")
    conv = by_name['backbone.layer0.0.weight']
    assert conv.trainable is False and conv.shape == (8, 3, 3, 3)
    assert report.unmatched_custom_keys == ('nothing.matches',)
    assert sum(g.num_tensors for g in report.groups) == len(report.params)
    assert sum(g.numel for g in report.groups) == sum(p.numel() for p in model.parameters())
    json.dumps(report.to_dict())  # plain data


def test_text_rendering():
    model = ConvNet()
    model.backbone.layer0.requires_grad_(False)
    text = format_param_group_report(param_group_report(convnet_wrapper(model)))
    assert text.startswith('SGD built by DefaultOptimWrapperConstructor: 3 parameter groups')
    assert 'group 1: lr=0.01  weight_decay=0' in text
    assert 'backbone.layer1.1.weight' in text and 'weight_decay: norm_decay_mult=0.0' in text
    assert '(frozen)' in text
    assert "warning: custom key 'nothing.matches' matched no parameter" in text


def test_configured_values_are_shown_not_a_schedulers_current_value():
    model = ConvNet()
    wrapper = convnet_wrapper(model)
    for group in wrapper.optimizer.param_groups:
        group['initial_lr'] = group['lr']
        group['lr'] *= 0.001  # a warmup's first value
    entry = param_group_report(wrapper).params[0]
    assert entry.lr == 0.01


def test_report_for_a_hand_built_wrapper_and_for_several_optimizers():
    gen, disc = nn.Linear(2, 2), nn.Linear(2, 1)
    wrappers = OptimWrapperDict(
        gen=OptimWrapper(torch.optim.Adam(gen.parameters(), lr=1e-3)),
        disc=build_optim_wrapper(disc, dict(optimizer=dict(type='SGD', lr=0.1))),
    )
    model = nn.ModuleDict(dict(gen=gen, disc=disc))
    reports = param_group_report(wrappers, model)
    assert set(reports) == {'gen', 'disc'}
    assert [p.name for p in reports['gen'].params] == ['gen.weight', 'gen.bias']
    assert reports['gen'].params[0].lr_rule.startswith('unknown')
    assert reports['disc'].params[0].lr_rule == 'optimizer.lr'
    assert format_param_group_report(reports).startswith('[gen]\nAdam built by unknown')
