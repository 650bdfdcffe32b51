"""The example classifiers: MMPretrain parameter names, layer depths, forward modes."""

from __future__ import annotations

import pytest
import torch

from cadence.config import Config
from cadence.errors import ConfigError
from cadence.registry import MODELS

BASE = 'configs/_base_/models/'


def _build(name, **overrides):
    cfg = Config.fromfile(BASE + name).model.to_dict()
    cfg.update(overrides)
    return MODELS.build(cfg)


def test_mlp_names_and_modes():
    model = _build('digits_mlp.py')
    names = [n for n, _ in model.named_parameters()]
    assert names == [
        'backbone.layer0.fc.weight',
        'backbone.layer0.fc.bias',
        'backbone.layer0.bn.weight',
        'backbone.layer0.bn.bias',
        'backbone.layer1.fc.weight',
        'backbone.layer1.fc.bias',
        'backbone.layer1.bn.weight',
        'backbone.layer1.bn.bias',
        'head.fc.weight',
        'head.fc.bias',
    ]
    x, y = torch.rand(4, 1, 8, 8), torch.tensor([0, 1, 2, 3])
    assert model(x, mode='tensor').shape == (4, 10)
    assert set(model(x, y, mode='loss')) == {'loss'}
    predictions = model(x, y, mode='predict')
    assert len(predictions) == 4 and set(predictions[0]) == {'pred_score', 'pred_label', 'gt_label'}
    assert torch.allclose(predictions[0]['pred_score'].sum(), torch.tensor(1.0))
    with pytest.raises(ValueError, match='unknown forward mode'):
        model(x, y, mode='nope')


def test_vit_names_and_layer_depth_follow_mmpretrain():
    model = _build('digits_tiny_vit.py', num_layers=3)
    names = {n for n, _ in model.named_parameters()}
    for expected in (
        'backbone.cls_token',
        'backbone.pos_embed',
        'backbone.patch_embed.projection.weight',
        'backbone.layers.2.attn.qkv.weight',
        'backbone.layers.0.ffn.layers.0.0.weight',
        'backbone.ln1.weight',
        'head.fc.weight',
    ):
        assert expected in names
    # the worked example of the reference (s14): 3 blocks -> 5 layers; rate 0.5 scales
    depth = model.get_layer_depth
    assert depth('backbone.cls_token') == (0, 5)
    assert depth('backbone.patch_embed.projection.bias') == (0, 5)
    assert depth('backbone.layers.0.ln1.weight') == (1, 5)
    assert depth('backbone.layers.2.attn.proj.bias') == (3, 5)
    assert depth('backbone.ln1.weight') == (4, 5)
    assert depth('head.fc.weight') == (4, 5)
    scales = {
        n: 0.5 ** (5 - depth(n)[0] - 1)
        for n in ('backbone.pos_embed', 'backbone.layers.1.ln2.bias', 'head.fc.bias')
    }
    assert scales == {
        'backbone.pos_embed': 0.0625,
        'backbone.layers.1.ln2.bias': 0.25,
        'head.fc.bias': 1.0,
    }


def test_swin_names_and_layer_depth_follow_mmpretrain():
    model = _build('digits_tiny_swin.py')
    names = {n for n, _ in model.named_parameters()}
    for expected in (
        'backbone.absolute_pos_embed',
        'backbone.patch_embed.projection.weight',
        'backbone.patch_embed.norm.weight',
        'backbone.stages.0.blocks.1.attn.w_msa.relative_position_bias_table',
        'backbone.stages.0.downsample.reduction.weight',
        'backbone.stages.0.downsample.norm.weight',
        'head.fc.weight',
    ):
        assert expected in names
    depth = model.get_layer_depth  # depths (2, 2): 6 layers
    assert depth('backbone.patch_embed.norm.bias') == (0, 6)
    assert depth('backbone.stages.0.blocks.0.norm1.weight') == (1, 6)
    assert depth('backbone.stages.0.blocks.1.norm1.weight') == (2, 6)
    assert depth('backbone.stages.0.downsample.reduction.weight') == (2, 6)
    assert depth('backbone.stages.1.blocks.0.attn.w_msa.qkv.weight') == (3, 6)
    assert depth('backbone.stages.1.blocks.1.ffn.layers.1.bias') == (4, 6)
    assert depth('backbone.absolute_pos_embed') == (5, 6)
    assert depth('head.fc.bias') == (5, 6)


def test_swin_shifted_windows_mask_attention_across_regions():
    from cadence.model.examples.swin import shifted_window_mask

    mask = shifted_window_mask(size=4, window=2, shift=1)
    assert mask.shape == (4, 4, 4)
    assert torch.count_nonzero(mask[0]) == 0  # the top-left window holds one region
    # the last window mixes four regions: each token may attend only to itself
    assert torch.equal(mask[3] == 0, torch.eye(4, dtype=torch.bool))
    model = _build('digits_tiny_swin.py')
    blocks = model.backbone.stages[0].blocks
    assert blocks[0].attn.shift == 0 and blocks[1].attn.shift == 1
    assert model.backbone.stages[1].blocks[1].attn.shift == 0  # 2x2 map: one window, no shift


@pytest.mark.parametrize('name', ['digits_mlp.py', 'digits_tiny_vit.py', 'digits_tiny_swin.py'])
def test_models_learn_a_small_batch(name):
    torch.manual_seed(0)
    model = _build(name)
    x, y = torch.rand(16, 1, 8, 8), torch.arange(16) % 10
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    first = None
    for _ in range(60):
        loss = model(x, y, mode='loss')['loss']
        first = loss.item() if first is None else first
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.5 * first


def test_bad_shapes_are_config_errors():
    with pytest.raises(ConfigError, match='not divisible by num_heads'):
        _build('digits_tiny_vit.py', embed_dims=30)
    with pytest.raises(ConfigError, match='one entry per stage'):
        _build('digits_tiny_swin.py', depths=(2,))
