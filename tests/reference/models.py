"""Test models whose parameter names and shapes equal those the golden data was produced with.

``convnet``, ``vit`` and ``tied`` are used by ``golden/paramwise.json``; :class:`TwoLayerNet` by
``golden/accumulation.json`` (see ``/work/shared/golden/README.md``). Only names, shapes and
module types matter to the parameter-wise rules, so ``forward`` is trivial where unused.
"""

from __future__ import annotations

import torch
from torch import nn


class ConvNet(nn.Module):
    """Conv + BN stem, a depthwise conv with bias, GroupNorm, Conv1d + InstanceNorm, a head."""

    def __init__(self) -> None:
        super().__init__()
        self.backbone = nn.Module()
        self.backbone.layer0 = nn.Sequential(
            nn.Conv2d(3, 8, kernel_size=3, bias=False), nn.BatchNorm2d(8)
        )
        self.backbone.layer1 = nn.Sequential(
            nn.Conv2d(8, 8, kernel_size=3, groups=8, bias=True),
            nn.BatchNorm2d(8),
            nn.Conv2d(8, 16, kernel_size=1),
            nn.GroupNorm(4, 16),
        )
        self.backbone.layer2 = nn.Sequential(
            nn.Conv1d(16, 16, kernel_size=1), nn.InstanceNorm1d(16, affine=True)
        )
        self.neck = nn.Linear(16, 16)
        self.head = nn.Sequential(nn.LayerNorm(16), nn.Linear(16, 10))


class TransformerBlock(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.ln2 = nn.LayerNorm(dim)
        self.ffn = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))


class ViT(nn.Module):
    """MAE-style ViT names: tokens, patch_embed.projection, layers.N, final ln1, head."""

    def __init__(self, depth: int = 3, dim: int = 8) -> None:
        super().__init__()
        self.backbone = nn.Module()
        self.backbone.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.backbone.mask_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.backbone.pos_embed = nn.Parameter(torch.zeros(1, 5, dim))
        self.backbone.patch_embed = nn.Module()
        self.backbone.patch_embed.projection = nn.Conv2d(3, dim, kernel_size=2, stride=2)
        self.backbone.layers = nn.ModuleList(TransformerBlock(dim) for _ in range(depth))
        self.backbone.ln1 = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, 10)


class Tied(nn.Module):
    """The same Linear registered as ``encoder`` and ``decoder``."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Linear(4, 4)
        self.decoder = self.encoder
        self.out = nn.Linear(4, 2)


class TwoLayerNet(nn.Module):
    """``out = fc2(tanh(fc1(x)))`` — the accumulation cases' model (``hidden=3``), also used
    with other widths by the accumulation tests (``squeeze``: outputs of shape ``[N]``)."""

    def __init__(self, hidden: int = 3, squeeze: bool = False) -> None:
        super().__init__()
        self.fc1 = nn.Linear(4, hidden)
        self.fc2 = nn.Linear(hidden, 1)
        self.squeeze = squeeze

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.fc2(torch.tanh(self.fc1(x)))
        return out.squeeze(-1) if self.squeeze else out

    @staticmethod
    def loss(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return ((out.squeeze(-1) - target) ** 2).mean()


MODELS = {'convnet': ConvNet, 'vit': ViT, 'tied': Tied}
