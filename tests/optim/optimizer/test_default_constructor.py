"""DefaultOptimWrapperConstructor: the paramwise rules, merged groups, frozen parameters, errors.

Expected values are derived by hand from the rules in behaviour §3.1, the seed documents and
DESIGN deviations 5 and 6.
"""

from __future__ import annotations

import logging

import pytest
import torch
from torch import nn

from cadence.errors import ConfigError
from cadence.optim import DefaultOptimWrapperConstructor, build_optim_wrapper

SGD = dict(type='SGD', lr=0.1, weight_decay=1e-2)


def settings(model: nn.Module, wrapper) -> dict[str, tuple[float, float]]:
    group_of = {id(p): g for g in wrapper.optimizer.param_groups for p in g['params']}
    return {
        name: (group_of[id(p)]['lr'], group_of[id(p)]['weight_decay'])
        for name, p in model.named_parameters()
    }


def build(model: nn.Module, optimizer=SGD, **paramwise):
    return build_optim_wrapper(model, dict(optimizer=optimizer, paramwise_cfg=paramwise))


class Mixed(nn.Module):
    """A top-level parameter, a stem conv on 1 channel, a depthwise conv, norms and a head."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones(3))
        self.stem = nn.Conv2d(1, 4, 3)
        self.dw = nn.Conv2d(4, 4, 3, groups=4)
        self.bn = nn.BatchNorm2d(4)
        self.ln = nn.LayerNorm(4)
        self.head = nn.Linear(4, 2)


def test_custom_key_overrides_every_other_rule_and_longest_key_wins():
    model = Mixed()
    got = settings(
        model,
        build(
            model,
            norm_decay_mult=0.0,
            bias_lr_mult=2.0,
            custom_keys={'head': dict(lr_mult=0.5), 'head.bias': dict(decay_mult=0.0), 'b': {}},
        ),
    )
    assert got['head.weight'] == (0.05, 1e-2)
    assert got['head.bias'] == (0.1, 0.0)  # longest key: no lr_mult there, bias_lr_mult skipped
    assert got['bn.weight'] == (0.1, 1e-2)  # 'b' matches: norm_decay_mult is skipped
    assert got['ln.weight'] == (0.1, 0.0)


def test_keys_of_equal_length_are_tried_alphabetically():
    model = nn.Sequential(nn.Linear(2, 2))
    got = settings(
        model, build(model, custom_keys={'ias': dict(lr_mult=3), 'bia': dict(lr_mult=2)})
    )
    assert got['0.bias'][0] == pytest.approx(0.2)


def test_top_level_parameters_match_with_a_leading_dot():
    model = Mixed()
    got = settings(model, build(model, custom_keys={'.scale': dict(lr_mult=0)}))
    assert got['scale'][0] == 0.0


def test_type_rules_with_deviation_5():
    model = Mixed()
    got = settings(
        model,
        build(
            model,
            bias_lr_mult=2.0,
            bias_decay_mult=0.5,
            dwconv_decay_mult=0.0,
            flat_decay_mult=3.0,
        ),
    )
    assert got['stem.weight'] == (0.1, 1e-2)  # Conv2d(in_channels=1) is not depthwise
    assert got['stem.bias'] == (0.2, 5e-3)
    assert got['dw.weight'] == (0.1, 0.0)
    assert got['dw.bias'] == (0.2, 5e-3)  # a depthwise bias gets bias_decay_mult (reference)
    assert got['bn.weight'] == (0.1, 3e-2)  # 1-D: flat_decay_mult
    assert got['bn.bias'] == (0.1, 3e-2)  # norm bias: never bias_lr_mult nor bias_decay_mult
    assert got['scale'] == (0.1, 3e-2)
    assert got['head.bias'] == (0.2, 5e-3)


def test_norm_decay_mult_wins_over_the_other_decay_rules():
    model = Mixed()
    got = settings(model, build(model, norm_decay_mult=0.0, bias_decay_mult=0.5, flat_decay_mult=2))
    assert got['bn.bias'] == (0.1, 0.0)
    assert got['ln.weight'] == (0.1, 0.0)


class ModulatedDeformConv2d(nn.Module):
    """Looks like mmcv's DCN to the rules (recognised by class name)."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(4, 4, 3, 3))
        self.conv_offset = nn.Conv2d(4, 27, 3)


def test_dcn_offset_lr_mult_and_dcn_exclusions():
    model = nn.Module()
    model.dcn = ModulatedDeformConv2d()
    got = settings(
        model, build(model, dcn_offset_lr_mult=0.1, bias_lr_mult=2.0, flat_decay_mult=0.0)
    )
    assert got['dcn.conv_offset.weight'] == (pytest.approx(0.01), 1e-2)
    assert got['dcn.conv_offset.bias'] == (pytest.approx(0.01), 1e-2)  # no bias or flat rule
    assert got['dcn.weight'] == (0.1, 1e-2)


def test_identical_settings_share_a_group_in_first_appearance_order():
    model = Mixed()
    wrapper = build(model, norm_decay_mult=0.0)
    groups = wrapper.optimizer.param_groups
    assert [(g['lr'], g['weight_decay']) for g in groups] == [(0.1, 1e-2), (0.1, 0.0)]
    assert [p for p in groups[0]['params']] == [
        model.scale,
        model.stem.weight,
        model.stem.bias,
        model.dw.weight,
        model.dw.bias,
        model.head.weight,
        model.head.bias,
    ]


def test_custom_key_extras_are_copied_but_multipliers_are_not():
    model = Mixed()
    wrapper = build(
        model,
        optimizer=dict(type='SGD', lr=0.1, weight_decay=1e-2, momentum=0.9),
        custom_keys={'bn': dict(decay_mult=0, momentum=0.5), 'ln': dict(decay_mult=0)},
    )
    groups = wrapper.optimizer.param_groups
    bn = next(g for g in groups if any(p is model.bn.weight for p in g['params']))
    ln = next(g for g in groups if any(p is model.ln.weight for p in g['params']))
    assert bn['momentum'] == 0.5 and 'decay_mult' not in bn
    assert ln['momentum'] == 0.9 and ln is not bn
    assert len(groups) == 3


def test_frozen_parameters_stay_in_the_optimizer_with_their_groups_settings():
    model = Mixed()
    model.stem.requires_grad_(False)
    model.bn.requires_grad_(False)
    for paramwise in (dict(), dict(norm_decay_mult=0.0)):
        wrapper = build_optim_wrapper(model, dict(optimizer=SGD, paramwise_cfg=paramwise))
        got = settings(model, wrapper)  # raises KeyError if a parameter were missing
        assert got['bn.weight'][1] == (0.0 if paramwise else 1e-2)
        assert got['stem.weight'] == got['head.weight']
    # Unfreezing later just works: the optimizer already holds them.
    model.bn.requires_grad_(True)
    wrapper.update_params(model.bn(torch.randn(2, 4, 3, 3)).sum())
    assert model.bn.weight.grad is None  # zeroed after the step ...
    assert not torch.equal(model.bn.bias, torch.zeros(4))  # ... which moved the parameter


class Shared(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(2, 2))
        self.decoder = nn.Module()
        self.decoder.proj = self.encoder[0]


def test_a_shared_module_without_bypass_duplicate_is_a_clear_error():
    with pytest.raises(ConfigError) as info:
        build(Shared(), bias_lr_mult=2.0)
    message = str(info.value)
    assert "'decoder.proj.weight' is the same tensor as 'encoder.0.weight'" in message
    assert 'bypass_duplicate=True' in message


def test_bypass_duplicate_keeps_the_first_name(caplog):
    model = Shared()
    with caplog.at_level(logging.WARNING, logger='cadence'):
        wrapper = build(model, bias_lr_mult=2.0, bypass_duplicate=True)
    assert 'decoder.proj.weight is the same tensor as encoder.0.weight' in caplog.text
    assert sum(len(g['params']) for g in wrapper.optimizer.param_groups) == 2
    assert wrapper.param_rules.skipped == ['decoder.proj.weight', 'decoder.proj.bias']


def test_without_paramwise_cfg_one_group_holds_every_parameter():
    model = Mixed()
    model.stem.requires_grad_(False)
    wrapper = build_optim_wrapper(model, dict(optimizer=SGD))
    assert len(wrapper.optimizer.param_groups) == 1
    assert len(wrapper.optimizer.param_groups[0]['params']) == len(list(model.parameters()))


def test_weight_decay_defaults_to_the_optimizers_own():
    """AdamW's default weight decay is 0.01; multipliers apply to it (the reference raises)."""
    model = Mixed()
    got = settings(model, build(model, optimizer=dict(type='AdamW', lr=1e-3), norm_decay_mult=0))
    assert got['bn.weight'] == (1e-3, 0.0)
    assert got['head.weight'] == (1e-3, 0.01)
    assert (
        'AdamW default weight_decay=0.01'
        in build(
            model, optimizer=dict(type='AdamW', lr=1e-3), norm_decay_mult=0
        ).param_rules.wd_rules
    )


def test_unmatched_custom_keys_warn_and_are_reported(caplog):
    model = Mixed()
    with caplog.at_level(logging.WARNING, logger='cadence'):
        wrapper = build(model, custom_keys={'backbone.layer0': dict(lr_mult=0), 'head': {}})
    assert "'backbone.layer0' matched no parameter" in caplog.text
    assert wrapper.param_rules.unmatched_keys == ['backbone.layer0']


def test_an_extra_the_optimizer_does_not_read_warns(caplog):
    with caplog.at_level(logging.WARNING, logger='cadence'):
        build(Mixed(), custom_keys={'head': dict(betas=(0.5, 0.9))})
    assert "custom_keys['head'].betas is not a setting of SGD" in caplog.text


@pytest.mark.parametrize(
    'paramwise, where, message',
    [
        (dict(norm_decay_mult='0'), 'paramwise_cfg.norm_decay_mult', 'number >= 0'),
        (dict(bias_lr_mult=-1), 'paramwise_cfg.bias_lr_mult', 'number >= 0'),
        (dict(norm_decay_mul=0), 'paramwise_cfg.norm_decay_mul', "Did you mean 'norm_decay_mult'"),
        (dict(bypass_duplicate='yes'), 'paramwise_cfg.bypass_duplicate', 'True or False'),
        (dict(custom_keys=['head']), 'paramwise_cfg.custom_keys', 'must be a dict'),
        (dict(custom_keys={'head': 0.1}), 'custom_keys.head', 'must be a dict'),
        (
            dict(custom_keys={'head': dict(lr_mul=0.1)}),
            'custom_keys.head',
            "Did you mean 'lr_mult'",
        ),
        (dict(custom_keys={'head': dict(decay_mult=-1)}), 'head.decay_mult', 'number >= 0'),
    ],
)
def test_invalid_paramwise_options(paramwise, where, message):
    with pytest.raises(ConfigError) as info:
        build(Mixed(), **paramwise)
    assert f'optim_wrapper.{where}' in str(info.value) or where in str(info.value)
    assert message in str(info.value)


def test_flat_decay_mult_alone_without_weight_decay_is_ignored_like_the_reference(caplog):
    """The reference ignores it (other multipliers make it raise): same numbers here."""
    model = Mixed()
    with caplog.at_level(logging.WARNING, logger='cadence'):
        got = settings(
            model, build(model, optimizer=dict(type='AdamW', lr=1e-3), flat_decay_mult=0)
        )
    assert 'flat_decay_mult is ignored' in caplog.text
    assert got['bn.weight'] == got['head.weight'] == (1e-3, 0.01)
    # With another decay multiplier (where the reference raises) the default is multiplied.
    got = settings(
        model,
        build(model, optimizer=dict(type='AdamW', lr=1e-3), flat_decay_mult=0, bias_decay_mult=1),
    )
    assert got['bn.weight'] == (1e-3, 0.0)


@pytest.mark.parametrize(
    'paramwise, where',
    [
        (dict(custom_keys={'head': dict(decay_mult=0.0)}), 'custom_keys.head.decay_mult'),
        (dict(bias_decay_mult=0.0), 'paramwise_cfg.bias_decay_mult'),
        (dict(norm_decay_mult=0.0, flat_decay_mult=0.0), 'paramwise_cfg.norm_decay_mult'),
    ],
)
def test_decay_multipliers_when_the_optimizer_has_no_weight_decay(paramwise, where):
    with pytest.raises(ConfigError) as info:
        build(Mixed(), optimizer=dict(type='Rprop', lr=0.01), **paramwise)
    message = str(info.value)
    assert where in message
    assert 'Rprop has no weight_decay argument' in message


def test_optimizer_config_mistakes():
    model = Mixed()
    with pytest.raises(ConfigError, match='has no "optimizer"'):
        build_optim_wrapper(model, dict(type='OptimWrapper'))
    with pytest.raises(ConfigError, match='has no "type"'):
        build_optim_wrapper(model, dict(optimizer=dict(lr=0.1)))
    with pytest.raises(ConfigError, match='must not set "params"'):
        build_optim_wrapper(model, dict(optimizer=dict(type='SGD', lr=0.1, params=[])))
    with pytest.raises(ConfigError, match='LearningRateDecayOptimWrapperConstructor'):
        build_optim_wrapper(model, dict(optimizer=dict(type='SGD', lr=0.1, model_type='vit')))
    with pytest.raises(ConfigError, match='no parameters to optimize'):
        build_optim_wrapper(nn.ReLU(), dict(optimizer=dict(type='SGD', lr=0.1)))


def test_user_subclasses_may_read_options_of_their_own():
    class MyConstructor(DefaultOptimWrapperConstructor):
        def __init__(self, optim_wrapper_cfg, paramwise_cfg=None):
            super().__init__(optim_wrapper_cfg, paramwise_cfg)
            self.my_option = self.paramwise_cfg.get('my_option')

    constructor = MyConstructor(dict(optimizer=SGD), dict(my_option=3))
    assert constructor.my_option == 3
    assert constructor(Mixed()).optimizer.defaults['lr'] == 0.1


def test_a_model_wrapper_is_unwrapped():
    class Wrapped(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.module = Mixed()

    model = Wrapped()
    wrapper = build(model, norm_decay_mult=0.0)
    assert wrapper.param_rules.names[0] == 'scale'


def test_add_params_keeps_the_references_api():
    model = Mixed()
    constructor = DefaultOptimWrapperConstructor(dict(optimizer=SGD), dict(norm_decay_mult=0.0))
    params: list[dict] = []
    constructor.add_params(params, model)
    assert len(params) == len(list(model.parameters()))
    assert params[0] == {'params': [model.scale], 'lr': 0.1, 'weight_decay': 1e-2}
    bn = next(g for g in params if g['params'][0] is model.bn.weight)
    assert bn['weight_decay'] == 0.0


def test_a_subclass_with_its_own_add_params_gets_its_groups_merged():
    class FreezeHeadLr(DefaultOptimWrapperConstructor):
        def add_params(self, params, module, prefix='', is_dcn_module=None):
            super().add_params(params, module.head, 'head')
            params[-1]['lr'] = 0.0  # head.bias
            params[-2]['lr'] = 0.0  # head.weight
            for name in ('scale',):
                params.append({'params': [getattr(module, name)], 'lr': 0.1, 'weight_decay': 1e-2})

    model = Mixed()
    wrapper = FreezeHeadLr(dict(optimizer=SGD), dict(bias_lr_mult=2.0))(model)
    groups = wrapper.optimizer.param_groups
    assert [(g['lr'], len(g['params'])) for g in groups] == [(0.0, 2), (0.1, 1)]
