"""build_optim_wrapper: the forms of ``constructor``, and what it leaves alone."""

from __future__ import annotations

import copy
from typing import ClassVar

import pytest
import torch
from torch import nn

from cadence.config import Config
from cadence.errors import ConfigError
from cadence.optim import (
    DefaultOptimWrapperConstructor,
    LearningRateDecayOptimWrapperConstructor,
    OptimWrapper,
    build_optim_wrapper,
)
from cadence.registry import OPTIM_WRAPPER_CONSTRUCTORS


class RecordingConstructor(DefaultOptimWrapperConstructor):
    seen: ClassVar[list] = []

    def __init__(self, optim_wrapper_cfg, paramwise_cfg=None, tag='none'):
        super().__init__(optim_wrapper_cfg, paramwise_cfg)
        RecordingConstructor.seen.append((tag, dict(self.paramwise_cfg)))


OPTIM_WRAPPER_CONSTRUCTORS.register_module(module=RecordingConstructor, force=True)

BASE = dict(optimizer=dict(type='SGD', lr=0.1))


@pytest.mark.parametrize(
    'constructor',
    [
        'LearningRateDecayOptimWrapperConstructor',
        'mmpretrain.LearningRateDecayOptimWrapperConstructor',
        'mmselfsup.LearningRateDecayOptimWrapperConstructor',
        LearningRateDecayOptimWrapperConstructor,
        dict(type='LearningRateDecayOptimWrapperConstructor'),
    ],
)
def test_constructor_forms(constructor):
    model = nn.Sequential()
    model.layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)])
    wrapper = build_optim_wrapper(
        model, dict(BASE, constructor=constructor, paramwise_cfg=dict(layer_decay_rate=0.5))
    )
    assert wrapper.param_rules.constructor == 'LearningRateDecayOptimWrapperConstructor'
    assert len(wrapper.optimizer.param_groups) == 2


def test_a_constructor_dict_passes_extra_arguments_and_paramwise_cfg():
    RecordingConstructor.seen.clear()
    build_optim_wrapper(
        nn.Linear(2, 2),
        dict(
            BASE,
            constructor=dict(type='RecordingConstructor', tag='from-dict'),
            paramwise_cfg=dict(bias_lr_mult=2.0),
        ),
    )
    assert RecordingConstructor.seen == [('from-dict', {'bias_lr_mult': 2.0})]


def test_the_config_is_not_modified():
    cfg = dict(BASE, paramwise_cfg=dict(bias_lr_mult=2.0), clip_grad=dict(type='norm', max_norm=1))
    before = copy.deepcopy(cfg)
    build_optim_wrapper(nn.Linear(2, 2), cfg)
    assert cfg == before


def test_a_built_wrapper_is_returned_as_is():
    wrapper = OptimWrapper(torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1))
    assert build_optim_wrapper(nn.Linear(2, 2), wrapper) is wrapper


def test_constructor_mistakes():
    model = nn.Linear(2, 2)
    with pytest.raises(ConfigError, match="needs a 'type'"):
        build_optim_wrapper(model, dict(BASE, constructor=dict(tag=1)))
    with pytest.raises(ConfigError) as info:
        build_optim_wrapper(model, dict(BASE, constructor='DefaultOptimWraperConstructor'))
    assert 'optim_wrapper.constructor' in str(info.value)
    assert "Did you mean 'DefaultOptimWrapperConstructor'" in str(info.value)
    with pytest.raises(ConfigError, match='must be a dict'):
        build_optim_wrapper(model, [BASE])


def test_errors_from_a_loaded_config_name_the_key_path(tmp_path):
    path = tmp_path / 'cfg.py'
    path.write_text(
        'optim_wrapper = dict(\n'
        "    optimizer=dict(type='SGD', lr=0.1, weight_decay=1e-4),\n"
        "    paramwise_cfg=dict(custom_keys={'head': dict(decay_mult='zero')}),\n"
        ')\n'
    )
    cfg = Config.fromfile(path)
    with pytest.raises(ConfigError) as info:
        build_optim_wrapper(nn.Linear(2, 2), cfg.optim_wrapper)
    assert info.value.key_path == 'optim_wrapper.paramwise_cfg.custom_keys.head.decay_mult'
    assert "must be a number >= 0, got 'zero'" in str(info.value)


def test_builds_for_a_model_on_the_meta_device():
    """The schedule preview builds the model without memory (``torch.device('meta')``)."""
    with torch.device('meta'):
        model = nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4), nn.Linear(4, 2))
    wrapper = build_optim_wrapper(
        model,
        dict(
            type='AmpOptimWrapper',
            optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
            paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0),
            clip_grad=dict(max_norm=1.0),
        ),
    )
    assert [g['weight_decay'] for g in wrapper.optimizer.param_groups] == [0.05, 0.0]
    assert wrapper.get_lr() == {'base_lr': [1e-3], 'lr': [1e-3, 1e-3]}
