"""Transformer building blocks with MMPretrain's parameter names (``attn.qkv``, ``attn.proj``,
``ffn.layers.0.0``, ``ffn.layers.1``), so configs keyed on those names apply unchanged."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class MultiheadAttention(nn.Module):
    """Self-attention: ``qkv`` projection, scaled dot-product attention, ``proj``."""

    def __init__(self, embed_dims: int, num_heads: int) -> None:
        super().__init__()
        if embed_dims % num_heads:
            raise ValueError(f'embed_dims {embed_dims} is not divisible by num_heads {num_heads}')
        self.num_heads = num_heads
        self.qkv = nn.Linear(embed_dims, embed_dims * 3)
        self.proj = nn.Linear(embed_dims, embed_dims)

    def forward(self, x: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
        batch, tokens, dims = x.shape
        qkv = self.qkv(x).reshape(batch, tokens, 3, self.num_heads, dims // self.num_heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
        return self.proj(out.transpose(1, 2).reshape(batch, tokens, dims))


class FFN(nn.Module):
    """``layers.0.0`` (expand) -> GELU -> ``layers.1`` (project back)."""

    def __init__(self, embed_dims: int, hidden_dims: int) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Sequential(nn.Linear(embed_dims, hidden_dims), nn.GELU()),
            nn.Linear(hidden_dims, embed_dims),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


class PatchEmbed(nn.Module):
    """``projection``: a strided convolution turning an image into patch tokens, optionally
    followed by a LayerNorm ``norm`` (Swin)."""

    def __init__(
        self, in_channels: int, embed_dims: int, patch_size: int, norm: bool = False
    ) -> None:
        super().__init__()
        self.projection = nn.Conv2d(in_channels, embed_dims, patch_size, stride=patch_size)
        self.norm = nn.LayerNorm(embed_dims) if norm else None

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, tuple[int, int]]:
        x = self.projection(x)
        size = (x.shape[2], x.shape[3])
        x = x.flatten(2).transpose(1, 2)
        if self.norm is not None:
            x = self.norm(x)
        return x, size
