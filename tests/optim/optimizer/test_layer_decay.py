"""Layer-wise lr decay: the §3.2 worked example, Swin and ConvNeXt ids, both config styles."""

from __future__ import annotations

import logging

import pytest
from optim_example_models import TinySwin, TinyViT
from torch import nn

from cadence.errors import ConfigError
from cadence.optim import build_optim_wrapper, param_group_report
from cadence.optim.optimizer.layer_ids import (
    convnext_layer_depth,
    infer_layer_depth,
    selfsup_mixmim_layer_depth,
    selfsup_swin_layer_depth,
    selfsup_vit_layer_depth,
    swin_layer_depth,
    vit_layer_depth,
)
from reference.models import ViT

CONSTRUCTOR = 'LearningRateDecayOptimWrapperConstructor'


def build(model: nn.Module, optimizer: dict, **paramwise):
    """``build_optim_wrapper`` with the layer-decay constructor and ``paramwise_cfg=paramwise``."""
    cfg = dict(optimizer=optimizer, constructor=CONSTRUCTOR)
    if paramwise:
        cfg['paramwise_cfg'] = paramwise
    return build_optim_wrapper(model, cfg)


def settings(model: nn.Module, wrapper) -> dict[str, dict]:
    group_of = {id(p): g for g in wrapper.optimizer.param_groups for p in g['params']}
    return {name: group_of[id(p)] for name, p in model.named_parameters()}


def lr_scales(model: nn.Module, wrapper, base_lr: float) -> dict[str, float]:
    return {name: group['lr'] / base_lr for name, group in settings(model, wrapper).items()}


# The worked example of behaviour §3.2 (s14): 3 blocks, rate 0.5, num_layers 5.
WORKED_EXAMPLE = {
    'backbone.cls_token': 0.0625,
    'backbone.pos_embed': 0.0625,
    'backbone.patch_embed.projection.weight': 0.0625,
    'backbone.layers.0.attn.weight': 0.125,
    'backbone.layers.1.ffn.2.bias': 0.25,
    'backbone.layers.2.ln2.weight': 0.5,
    'backbone.ln1.weight': 1.0,
    'head.weight': 1.0,
}


class ViTWithLayerDepth(ViT):
    """Implements ``get_layer_depth`` like MMPretrain's classifiers (backbone prefix)."""

    def get_layer_depth(self, name: str) -> tuple[int, int]:
        return vit_layer_depth(name, len(self.backbone.layers), prefix='backbone.')


@pytest.mark.parametrize('model_cls', [ViT, ViTWithLayerDepth])
def test_worked_example_mmpretrain_style(model_cls):
    model = model_cls(depth=3)
    wrapper = build(model, dict(type='AdamW', lr=1.0, weight_decay=0.05), layer_decay_rate=0.5)
    scales = lr_scales(model, wrapper, 1.0)
    for name, scale in WORKED_EXAMPLE.items():
        assert scales[name] == pytest.approx(scale), name
    # One group per layer (weight decay is the same everywhere here): 5 distinct lrs.
    assert len(wrapper.optimizer.param_groups) == 5


def test_worked_example_mmselfsup_style():
    model = ViT(depth=3)
    wrapper = build_optim_wrapper(
        model,
        dict(
            optimizer=dict(type='AdamW', lr=1.0, model_type='vit', layer_decay_rate=0.5),
            constructor='mmselfsup.LearningRateDecayOptimWrapperConstructor',
        ),
    )
    scales = lr_scales(model, wrapper, 1.0)
    for name, scale in WORKED_EXAMPLE.items():
        assert scales[name] == pytest.approx(scale), name
    assert scales['backbone.mask_token'] == pytest.approx(0.0625)
    assert 'model_type' not in wrapper.optimizer.defaults


def test_swin_layer_ids():
    depths = (2, 2, 6, 2)  # num_layers 14
    expected = {
        'backbone.patch_embed.projection.weight': 0,
        'backbone.stages.0.blocks.0.norm1.weight': 1,
        'backbone.stages.0.blocks.1.ffn.layers.1.bias': 2,
        'backbone.stages.0.downsample.reduction.weight': 2,
        'backbone.stages.1.blocks.0.attn.w_msa.qkv.weight': 3,
        'backbone.stages.2.blocks.5.norm2.bias': 2 + 2 + 5 + 1,
        'backbone.stages.2.downsample.norm.weight': 10,
        'backbone.stages.3.blocks.1.norm1.weight': 12,
        'backbone.norm3.weight': 13,
        'backbone.absolute_pos_embed': 13,  # MMPretrain gives it the last id (§9.19)
        'head.fc.weight': 13,
    }
    for name, layer in expected.items():
        assert swin_layer_depth(name, depths) == (layer, 14), name
        selfsup = selfsup_swin_layer_depth(name, depths)
        assert selfsup == (layer, 14), name
    assert selfsup_swin_layer_depth('backbone.mask_token', depths) == (0, 14)


@pytest.mark.parametrize('depths, max_id', [((3, 3, 9, 3), 6), ((3, 3, 27, 3), 12)])
def test_convnext_layer_ids(depths, max_id):
    num_layers = max_id + 2
    expected = {
        'backbone.downsample_layers.0.0.weight': 0,
        'backbone.downsample_layers.1.1.weight': 2,
        'backbone.downsample_layers.2.1.weight': 3,
        'backbone.downsample_layers.3.1.weight': max_id,
        'backbone.stages.0.2.depthwise_conv.weight': 1,
        'backbone.stages.1.0.pointwise_conv1.weight': 2,
        'backbone.stages.2.0.gamma': 3,
        'backbone.stages.2.5.gamma': 4,
        'backbone.stages.2.8.norm.weight': 5,
        'backbone.stages.3.2.gamma': max_id,
        'backbone.norm3.weight': max_id + 1,
        'head.fc.weight': max_id + 1,
    }
    for name, layer in expected.items():
        assert convnext_layer_depth(name, depths) == (layer, num_layers), name


def test_vit_and_mixmim_selfsup_ids():
    assert selfsup_vit_layer_depth('backbone.layers.3.ffn.weight', 12) == (4, 14)
    assert selfsup_vit_layer_depth('backbone.ln1.weight', 12) == (13, 14)
    depths = (2, 2, 8, 2)  # num_layers 15
    assert selfsup_mixmim_layer_depth('backbone.patch_embed.proj.weight', depths) == (-1, 15)
    assert selfsup_mixmim_layer_depth('backbone.layers.1.blocks.1.norm1.weight', depths) == (3, 15)
    assert selfsup_mixmim_layer_depth('backbone.layers.1.downsample.norm.weight', depths) == (3, 15)
    assert selfsup_mixmim_layer_depth('head.fc.weight', depths) == (13, 15)


def test_inferred_ids_for_a_swin_like_model_put_position_embeddings_in_layer_0():
    names = [name for name, _ in TinySwin(depths=(2, 2)).named_parameters()]
    depth, found = infer_layer_depth(names)
    assert 'depths [2, 2]' in found
    assert depth('backbone.absolute_pos_embed') == (0, 6)
    assert depth('backbone.patch_embed.norm.weight') == (0, 6)
    assert depth('backbone.stages.0.blocks.1.norm1.weight') == (2, 6)
    assert depth('backbone.stages.0.downsample.reduction.weight') == (2, 6)
    assert depth('backbone.stages.1.blocks.0.norm2.weight') == (3, 6)
    assert depth('backbone.norm1.weight') == (5, 6)
    assert depth('head.fc.bias') == (5, 6)


def test_inferred_ids_for_a_convnext_like_model():
    names = [
        'backbone.downsample_layers.0.0.weight',
        'backbone.downsample_layers.1.1.weight',
        *[f'backbone.stages.{s}.{b}.gamma' for s, n in enumerate((3, 3, 9, 3)) for b in range(n)],
        'head.fc.weight',
    ]
    depth, found = infer_layer_depth(names)
    assert 'depths [3, 3, 9, 3]' in found
    assert depth('backbone.stages.2.7.gamma') == (5, 8)
    assert depth('head.fc.weight') == (7, 8)


def test_inferred_ids_for_blocks_named_blocks():
    names = ['patch_embed.proj.weight', 'cls_token', 'blocks.0.mlp.fc1.weight',
             'blocks.11.mlp.fc1.weight', 'norm.weight', 'head.weight']  # fmt: skip
    depth, found = infer_layer_depth(names)
    assert "'blocks.N', 12 blocks" in found
    assert depth('cls_token') == (0, 14)
    assert depth('blocks.11.mlp.fc1.weight') == (12, 14)
    assert depth('norm.weight') == (13, 14)


def test_a_model_without_blocks_or_get_layer_depth_is_a_clear_error():
    with pytest.raises(ConfigError, match='get_layer_depth'):
        build(nn.Sequential(nn.Linear(2, 2)), dict(type='SGD', lr=0.1))


def test_weight_decay_rules_under_layer_decay():
    model = TinyViT(num_layers=2)
    wrapper = build(
        model,
        dict(type='AdamW', lr=1e-3, weight_decay=0.05),
        layer_decay_rate=0.65,
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={'.cls_token': dict(decay_mult=0.0), '.pos_embed': dict(decay_mult=0.0)},
    )
    got = settings(model, wrapper)
    assert got['backbone.layers.0.ln1.weight']['weight_decay'] == 0.0
    assert got['backbone.layers.0.attn.qkv.bias']['weight_decay'] == 0.0
    assert got['backbone.cls_token']['weight_decay'] == 0.0
    assert got['backbone.layers.1.attn.qkv.weight']['weight_decay'] == 0.05
    assert got['backbone.layers.1.attn.qkv.weight']['lr'] == pytest.approx(1e-3 * 0.65)
    assert got['backbone.layers.1.attn.qkv.weight']['lr_scale'] == pytest.approx(0.65)
    assert got['head.weight']['lr'] == pytest.approx(1e-3)


def test_no_weight_decay_does_not_crash():
    """MMPretrain raises KeyError('weight_decay') here (behaviour §9.19)."""
    model = ViT(depth=2)
    wrapper = build(model, dict(type='Adagrad', lr=0.1), layer_decay_rate=0.5)
    assert {g['weight_decay'] for g in wrapper.optimizer.param_groups} == {0}
    model_sgd = ViT(depth=2)
    plain = build(model_sgd, dict(type='LBFGS', lr=1.0), layer_decay_rate=1.0)
    assert len(plain.optimizer.param_groups) == 1  # rate 1: every layer merges


def test_layer_decay_mistakes(caplog):
    model = ViT(depth=2)

    with pytest.raises(ConfigError, match='keep one'):
        build(model, dict(type='AdamW', lr=1e-3, layer_decay_rate=0.5), layer_decay_rate=0.5)
    with pytest.raises(ConfigError, match="Did you mean 'swin'"):
        build(model, dict(type='AdamW', lr=1e-3, model_type='swim'))
    with pytest.raises(ConfigError, match='number > 0'):
        build(model, dict(type='AdamW', lr=1e-3), layer_decay_rate=0)
    with pytest.raises(ConfigError, match="Did you mean 'layer_decay_rate'"):
        build(model, dict(type='AdamW', lr=1e-3), layer_decay=0.5)
    with caplog.at_level(logging.WARNING, logger='cadence'):
        build(
            model,
            dict(type='AdamW', lr=1e-3),
            bias_lr_mult=2.0,
            custom_keys={'head': dict(lr_mult=2)},
        )
    assert 'bias_lr_mult, custom_keys[...].lr_mult ignored by layer-wise lr decay' in caplog.text


def test_report_names_the_layer_rule():
    model = ViT(depth=3)
    wrapper = build(model, dict(type='SGD', lr=1.0), layer_decay_rate=0.5)
    report = param_group_report(wrapper)
    entry = next(p for p in report.params if p.name == 'backbone.layers.0.attn.weight')
    assert entry.lr_rule == 'layer 1 of 5: optimizer.lr × 0.5 ** 3'
    assert any("ViT-like blocks 'backbone.layers.N', 3 blocks" in note for note in report.notes)


def test_frozen_parameters_keep_their_layer_lr():
    model = ViT(depth=3)
    model.backbone.patch_embed.requires_grad_(False)
    wrapper = build(model, dict(type='SGD', lr=1.0), layer_decay_rate=0.5)
    assert lr_scales(model, wrapper, 1.0)['backbone.patch_embed.projection.weight'] == 0.0625
