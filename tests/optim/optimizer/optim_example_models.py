"""Stand-ins for the example configs' models (``configs/_base_/models/``), with the parameter
names those configs' comments promise: MMPretrain ViT and Swin naming, and an MLP.

Only names, shapes and module types matter to the optimizer constructors; ``forward`` maps a
batch of 8x8 digits (``[N, 64]``) to 10 logits so a training step can run.
"""

from __future__ import annotations

import torch
from torch import nn


class MLP(nn.Module):
    """``MLPClassifier(in_features=64, hidden_dims=(256, 128), num_classes=10)``."""

    def __init__(self) -> None:
        super().__init__()
        self.backbone = nn.Module()
        self.backbone.layers = nn.ModuleList([nn.Linear(64, 256), nn.Linear(256, 128)])
        self.head = nn.Module()
        self.head.fc = nn.Linear(128, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.backbone.layers:
            x = torch.relu(layer(x))
        return self.head.fc(x)


class Mlp(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU()), nn.Linear(2 * dim, dim)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


class ViTLayer(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = nn.Module()
        self.attn.qkv = nn.Linear(dim, 3 * dim)
        self.attn.proj = nn.Linear(dim, dim)
        self.ln2 = nn.LayerNorm(dim)
        self.ffn = Mlp(dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k, v = self.attn.qkv(self.ln1(x)).chunk(3, dim=-1)
        weights = torch.softmax(q @ k.transpose(-1, -2) / q.shape[-1] ** 0.5, dim=-1)
        x = x + self.attn.proj(weights @ v)
        return x + self.ffn(self.ln2(x))


class TinyViT(nn.Module):
    """``TinyViTClassifier(img_size=8, patch_size=2, embed_dims=32, num_layers=4)``."""

    def __init__(self, num_layers: int = 4, dim: int = 32) -> None:
        super().__init__()
        self.backbone = nn.Module()
        b = self.backbone
        b.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        b.pos_embed = nn.Parameter(torch.zeros(1, 17, dim))
        b.patch_embed = nn.Module()
        b.patch_embed.projection = nn.Conv2d(1, dim, kernel_size=2, stride=2)
        b.layers = nn.ModuleList(ViTLayer(dim) for _ in range(num_layers))
        b.ln1 = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b = self.backbone
        tokens = b.patch_embed.projection(x.reshape(-1, 1, 8, 8)).flatten(2).transpose(1, 2)
        tokens = torch.cat([b.cls_token.expand(len(x), -1, -1), tokens], dim=1) + b.pos_embed
        for layer in b.layers:
            tokens = layer(tokens)
        return self.head(b.ln1(tokens[:, 0]))


class SwinBlock(nn.Module):
    def __init__(self, dim: int, window: int = 2) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = nn.Module()
        self.attn.w_msa = nn.Module()
        self.attn.w_msa.relative_position_bias_table = nn.Parameter(
            torch.zeros((2 * window - 1) ** 2, 2)
        )
        self.attn.w_msa.qkv = nn.Linear(dim, 3 * dim)
        self.attn.w_msa.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.ffn = Mlp(dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k, v = self.attn.w_msa.qkv(self.norm1(x)).chunk(3, dim=-1)
        bias = self.attn.w_msa.relative_position_bias_table.mean()
        weights = torch.softmax(q @ k.transpose(-1, -2) + bias, dim=-1)
        x = x + self.attn.w_msa.proj(weights @ v)
        return x + self.ffn(self.norm2(x))


class SwinStage(nn.Module):
    def __init__(self, dim: int, depth: int, downsample: bool) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(SwinBlock(dim) for _ in range(depth))
        if downsample:
            self.downsample = nn.Module()
            self.downsample.norm = nn.LayerNorm(4 * dim)
            self.downsample.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)


class TinySwin(nn.Module):
    """``TinySwinClassifier(img_size=8, patch_size=2, embed_dims=32, depths=(2, 2))``.

    No ``backbone.depths`` attribute, so ``model_type='swin'`` must read the depths from the
    parameter names.
    """

    def __init__(self, depths: tuple[int, ...] = (2, 2), dim: int = 32) -> None:
        super().__init__()
        self.backbone = nn.Module()
        b = self.backbone
        b.patch_embed = nn.Module()
        b.patch_embed.projection = nn.Conv2d(1, dim, kernel_size=2, stride=2)
        b.patch_embed.norm = nn.LayerNorm(dim)
        b.absolute_pos_embed = nn.Parameter(torch.zeros(1, 16, dim))
        b.stages = nn.ModuleList(
            SwinStage(dim * 2**i, depth, downsample=i < len(depths) - 1)
            for i, depth in enumerate(depths)
        )
        b.norm1 = nn.LayerNorm(dim * 2 ** (len(depths) - 1))
        self.head = nn.Module()
        self.head.fc = nn.Linear(dim * 2 ** (len(depths) - 1), 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b = self.backbone
        x = b.patch_embed.projection(x.reshape(-1, 1, 8, 8)).flatten(2).transpose(1, 2)
        x = b.patch_embed.norm(x) + b.absolute_pos_embed
        side = 4
        for stage in b.stages:
            for block in stage.blocks:
                x = block(x)
            if hasattr(stage, 'downsample'):
                n, _, c = x.shape
                grid = x.reshape(n, side // 2, 2, side // 2, 2, c).permute(0, 1, 3, 2, 4, 5)
                side //= 2
                x = grid.reshape(n, side * side, 4 * c)
                x = stage.downsample.reduction(stage.downsample.norm(x))
        return self.head.fc(b.norm1(x).mean(dim=1))


#: The test model for each model type the example configs name.
EXAMPLE_MODELS = {
    'MLPClassifier': MLP,
    'TinyViTClassifier': TinyViT,
    'TinySwinClassifier': TinySwin,
}
