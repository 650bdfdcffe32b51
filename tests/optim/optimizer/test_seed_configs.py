"""Every config in ``configs/seeds/optim/`` loads, and its ``optim_wrapper`` builds and trains.

The models are stand-ins with the parameter names the example models promise
(``optim_example_models.py``); the real ones come with the Runner.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from optim_example_models import EXAMPLE_MODELS

from cadence.config import Config
from cadence.optim import AmpOptimWrapper, build_optim_wrapper

REPO = Path(__file__).resolve().parents[3]
SEED_DIR = REPO / 'configs' / 'seeds' / 'optim'
#: Modules the configs import through custom_imports (not configs themselves).
HELPER_MODULES = {'my_optimizer.py', 'my_optim_constructor.py'}
CONFIGS = sorted(p.name for p in SEED_DIR.glob('*.py') if p.name not in HELPER_MODULES)


@pytest.fixture
def at_repo_root(monkeypatch):
    """custom_imports names modules relative to where ``cadence`` runs: the repository root."""
    monkeypatch.chdir(REPO)


def groups_by_name(model, wrapper):
    group_of = {id(p): g for g in wrapper.optimizer.param_groups for p in g['params']}
    return {name: group_of[id(p)] for name, p in model.named_parameters()}


def test_every_seed_snippet_has_a_config():
    """One config per optim_wrapper snippet of the seed pages (the same snippet in English and
    Chinese shares one)."""
    assert set(CONFIGS) == {
        f'{name}.py'
        for name in (
            # MMPretrain 'Customize Training Schedule' (English and Chinese)
            'sgd',
            'adam',
            'adam_default_wrapper',
            'amp',
            'paramwise_norm_decay',
            'paramwise_custom_keys',
            'clip_grad',
            'accumulation',
            'accumulation_equivalent',
            'custom_optimizer',
            'custom_constructor',
            # MMSelfSup 'Training Engine' (Chinese)
            'mae_custom_keys',
            'lars',
            'selfsup_clip_grad',
            'selfsup_accumulation',
            'selfsup_accumulation_equivalent',
            'selfsup_amp',
            'layer_decay_swin',
        )
    }


@pytest.mark.parametrize('name', CONFIGS)
def test_seed_config_builds_and_trains(name, at_repo_root):
    cfg = Config.fromfile(SEED_DIR / name)
    assert cfg.train_cfg.max_epochs == 5
    torch.manual_seed(0)
    model = EXAMPLE_MODELS[cfg.model.type]()
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    wrapper.initialize_count_status(model, 0, 8)
    before = [p.detach().clone() for p in model.parameters()]
    inputs, targets = torch.rand(4, 64), torch.tensor([0, 1, 2, 3])
    for _ in range(8):
        with wrapper.optim_context(model):
            logits = model(inputs)
        loss = torch.nn.functional.cross_entropy(logits.float(), targets)
        wrapper.update_params(loss)
    changed = [not torch.equal(b, p) for b, p in zip(before, model.parameters())]
    assert any(changed), 'no parameter moved'


def test_amp_seed_runs_bfloat16_on_cpu(at_repo_root):
    cfg = Config.fromfile(SEED_DIR / 'amp.py')
    wrapper = build_optim_wrapper(EXAMPLE_MODELS['MLPClassifier'](), cfg.optim_wrapper)
    assert isinstance(wrapper, AmpOptimWrapper)
    assert wrapper.cast_dtype is torch.bfloat16
    assert wrapper.loss_scaler is None


def test_mae_seed_zeroes_decay_of_norms_biases_and_tokens(at_repo_root):
    cfg = Config.fromfile(SEED_DIR / 'mae_custom_keys.py')
    model = EXAMPLE_MODELS['TinyViTClassifier']()
    groups = groups_by_name(model, build_optim_wrapper(model, cfg.optim_wrapper))
    assert cfg.optim_wrapper.optimizer.lr == pytest.approx(1.5e-4 * 4096 / 256)
    for name, group in groups.items():
        no_decay = any(k in name for k in ('ln', 'bias', 'pos_embed', 'cls_token'))
        assert group['weight_decay'] == (0.0 if no_decay else 0.05), name


def test_layer_decay_swin_seed(at_repo_root):
    cfg = Config.fromfile(SEED_DIR / 'layer_decay_swin.py')
    model = EXAMPLE_MODELS['TinySwinClassifier']()
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    groups = groups_by_name(model, wrapper)
    # depths (2, 2): 6 layers; MMSelfSup's Swin ids; AdamW's default weight decay 0.01.
    lr = lambda layer: 5e-3 * 0.9 ** (6 - layer - 1)  # noqa: E731
    assert groups['backbone.patch_embed.projection.weight']['lr'] == pytest.approx(lr(0))
    assert groups['backbone.stages.0.blocks.1.attn.w_msa.qkv.weight']['lr'] == pytest.approx(lr(2))
    assert groups['backbone.stages.0.downsample.reduction.weight']['lr'] == pytest.approx(lr(2))
    assert groups['backbone.stages.1.blocks.0.ffn.layers.1.weight']['lr'] == pytest.approx(lr(3))
    assert groups['head.fc.weight']['lr'] == pytest.approx(lr(5))
    assert groups['backbone.absolute_pos_embed']['lr'] == pytest.approx(lr(5))
    assert groups['head.fc.weight']['weight_decay'] == pytest.approx(0.01)
    for name in (
        'head.fc.bias',
        'backbone.stages.0.blocks.0.norm1.weight',
        'backbone.absolute_pos_embed',
        'backbone.stages.1.blocks.1.attn.w_msa.relative_position_bias_table',
    ):
        assert groups[name]['weight_decay'] == 0.0, name


def test_custom_constructor_seed_uses_its_own_rules(at_repo_root):
    cfg = Config.fromfile(SEED_DIR / 'custom_constructor.py')
    model = torch.nn.Sequential(torch.nn.Linear(64, 8), torch.nn.BatchNorm1d(8))
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    groups = groups_by_name(model, wrapper)
    assert groups['0.weight']['weight_decay'] == 1e-4
    assert groups['1.weight']['weight_decay'] == 0.0


def test_custom_optimizer_seed_is_the_real_optimizer(at_repo_root):
    cfg = Config.fromfile(SEED_DIR / 'custom_optimizer.py')
    model = torch.nn.Linear(2, 1, bias=False)
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    assert type(wrapper.optimizer).__name__ == 'MyOptimizer'
    with torch.no_grad():
        model.weight.fill_(1.0)
    for _ in range(2):
        wrapper.update_params(model(torch.ones(1, 2)).sum())
    # v1 = g + c p = 1 + 1e-4; p1 = 1 - 0.01 v1; v2 = 0.9 v1 + 1 + 1e-4 p1; p2 = p1 - 0.01 v2.
    v1 = 1 + 1e-4
    p1 = 1 - 0.01 * v1
    v2 = 0.9 * v1 + 1 + 1e-4 * p1
    assert model.weight[0, 0].item() == pytest.approx(p1 - 0.01 * v2, rel=1e-6)
