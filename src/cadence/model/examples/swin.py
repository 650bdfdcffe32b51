"""``TinySwinClassifier``: a Swin Transformer small enough for 8x8 digits.

Parameter names follow MMPretrain's ``SwinTransformer``: ``backbone.patch_embed.*``,
``backbone.absolute_pos_embed``, ``backbone.stages.S.blocks.B.*`` (with
``attn.w_msa.relative_position_bias_table``), ``backbone.stages.S.downsample.{reduction,norm}``
and ``head.*``. Odd blocks use shifted windows with the usual attention mask.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ...errors import ConfigError
from ...optim.optimizer.layer_ids import swin_layer_depth
from ...registry import MODELS
from .classifier import ImageClassifier, LinearClsHead
from .transformer import FFN, PatchEmbed


def window_partition(x: torch.Tensor, window: int) -> torch.Tensor:
    """``(B, H, W, C)`` -> ``(B, windows, window*window, C)``."""
    b, h, w, c = x.shape
    x = x.view(b, h // window, window, w // window, window, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(b, (h // window) * (w // window), window * window, c)


def window_reverse(windows: torch.Tensor, window: int, h: int, w: int) -> torch.Tensor:
    """Inverse of :func:`window_partition`."""
    b, c = windows.shape[0], windows.shape[-1]
    x = windows.view(b, h // window, w // window, window, window, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(b, h, w, c)


def relative_position_index(window: int) -> torch.Tensor:
    """For each pair of positions in a window, the row of the bias table to use."""
    coords = torch.stack(
        torch.meshgrid(torch.arange(window), torch.arange(window), indexing='ij')
    ).flatten(1)
    relative = (coords[:, :, None] - coords[:, None, :]).permute(1, 2, 0) + (window - 1)
    return relative[..., 0] * (2 * window - 1) + relative[..., 1]


def shifted_window_mask(size: int, window: int, shift: int) -> torch.Tensor:
    """Additive mask ``(windows, N, N)`` keeping attention inside the regions a cyclic shift
    glued together."""
    regions = torch.zeros(1, size, size, 1)
    cuts = (slice(0, -window), slice(-window, -shift), slice(-shift, None))
    label = 0
    for rows in cuts:
        for cols in cuts:
            regions[:, rows, cols, :] = label
            label += 1
    labels = window_partition(regions, window).squeeze(0).squeeze(-1)  # (windows, N)
    different = labels[:, None, :] != labels[:, :, None]
    return torch.zeros(different.shape).masked_fill(different, -100.0)


class WindowMSA(nn.Module):
    """Multi-head self-attention inside windows with a learned relative position bias."""

    def __init__(self, embed_dims: int, num_heads: int, window: int) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.relative_position_bias_table = nn.Parameter(
            torch.zeros((2 * window - 1) ** 2, num_heads)
        )
        nn.init.trunc_normal_(self.relative_position_bias_table, std=0.02)
        self.register_buffer(
            'relative_position_index', relative_position_index(window), persistent=False
        )
        self.qkv = nn.Linear(embed_dims, embed_dims * 3)
        self.proj = nn.Linear(embed_dims, embed_dims)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        """``x``: ``(B, windows, N, C)``; ``mask``: ``(windows, N, N)`` or ``None``."""
        b, nw, n, c = x.shape
        heads = self.num_heads
        qkv = self.qkv(x).reshape(b, nw, n, 3, heads, c // heads).permute(3, 0, 1, 4, 2, 5)
        q, k, v = qkv.unbind(0)  # (B, windows, heads, N, d)
        bias = self.relative_position_bias_table[self.relative_position_index.view(-1)]
        bias = bias.view(n, n, heads).permute(2, 0, 1)  # (heads, N, N)
        if mask is not None:
            bias = bias.unsqueeze(0) + mask.unsqueeze(1)  # (windows, heads, N, N)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
        return self.proj(out.transpose(2, 3).reshape(b, nw, n, c))


class ShiftWindowMSA(nn.Module):
    """Window attention over a feature map, cyclically shifted by ``shift`` (``w_msa``)."""

    def __init__(self, embed_dims: int, num_heads: int, window: int, shift: int, size: int):
        super().__init__()
        self.window, self.shift = window, shift
        self.w_msa = WindowMSA(embed_dims, num_heads, window)
        mask = shifted_window_mask(size, window, shift) if shift else None
        self.register_buffer('attn_mask', mask, persistent=False)

    def forward(self, x: torch.Tensor, hw: tuple[int, int]) -> torch.Tensor:
        b, _, c = x.shape
        h, w = hw
        x = x.view(b, h, w, c)
        if self.shift:
            x = torch.roll(x, shifts=(-self.shift, -self.shift), dims=(1, 2))
        out = self.w_msa(window_partition(x, self.window), self.attn_mask)
        x = window_reverse(out, self.window, h, w)
        if self.shift:
            x = torch.roll(x, shifts=(self.shift, self.shift), dims=(1, 2))
        return x.reshape(b, h * w, c)


class SwinBlock(nn.Module):
    """``norm1`` -> ``attn`` -> residual, ``norm2`` -> ``ffn`` -> residual."""

    def __init__(
        self, embed_dims: int, num_heads: int, window: int, shift: int, size: int, mlp_ratio: int
    ) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(embed_dims)
        self.attn = ShiftWindowMSA(embed_dims, num_heads, window, shift, size)
        self.norm2 = nn.LayerNorm(embed_dims)
        self.ffn = FFN(embed_dims, embed_dims * mlp_ratio)

    def forward(self, x: torch.Tensor, hw: tuple[int, int]) -> torch.Tensor:
        x = x + self.attn(self.norm1(x), hw)
        return x + self.ffn(self.norm2(x))


class PatchMerging(nn.Module):
    """Halve the resolution, double the width: 2x2 neighbours -> ``norm`` -> ``reduction``."""

    def __init__(self, embed_dims: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(4 * embed_dims)
        self.reduction = nn.Linear(4 * embed_dims, 2 * embed_dims, bias=False)

    def forward(self, x: torch.Tensor, hw: tuple[int, int]) -> tuple[torch.Tensor, tuple]:
        b, _, c = x.shape
        h, w = hw
        x = x.view(b, h, w, c)
        parts = [x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]]
        x = torch.cat(parts, dim=-1).view(b, (h // 2) * (w // 2), 4 * c)
        return self.reduction(self.norm(x)), (h // 2, w // 2)


class SwinStage(nn.Module):
    """``blocks`` (alternating plain and shifted windows), then an optional ``downsample``."""

    def __init__(
        self,
        embed_dims: int,
        depth: int,
        num_heads: int,
        window: int,
        size: int,
        mlp_ratio: int,
        downsample: bool,
    ) -> None:
        super().__init__()
        window = min(window, size)
        shift = window // 2 if size > window else 0
        self.blocks = nn.ModuleList(
            SwinBlock(embed_dims, num_heads, window, shift if i % 2 else 0, size, mlp_ratio)
            for i in range(depth)
        )
        self.downsample = PatchMerging(embed_dims) if downsample else None

    def forward(self, x: torch.Tensor, hw: tuple[int, int]) -> tuple[torch.Tensor, tuple]:
        for block in self.blocks:
            x = block(x, hw)
        if self.downsample is not None:
            x, hw = self.downsample(x, hw)
        return x, hw


class TinySwin(nn.Module):
    """The Swin backbone; returns average-pooled features of the last stage."""

    def __init__(
        self,
        img_size: int,
        patch_size: int,
        in_channels: int,
        embed_dims: int,
        depths: Sequence[int],
        num_heads: Sequence[int],
        window_size: int,
        mlp_ratio: int,
    ) -> None:
        super().__init__()
        if len(depths) != len(num_heads):
            raise ConfigError(
                f'depths {tuple(depths)} and num_heads {tuple(num_heads)} must have one entry '
                f'per stage'
            )
        if img_size % patch_size:
            raise ConfigError(f'img_size {img_size} is not divisible by patch_size {patch_size}')
        size = img_size // patch_size
        self.depths = tuple(depths)
        self.patch_embed = PatchEmbed(in_channels, embed_dims, patch_size, norm=True)
        self.absolute_pos_embed = nn.Parameter(torch.zeros(1, size * size, embed_dims))
        nn.init.trunc_normal_(self.absolute_pos_embed, std=0.02)
        self.stages = nn.ModuleList()
        dims = embed_dims
        for index, (depth, heads) in enumerate(zip(depths, num_heads)):
            last = index == len(depths) - 1
            if dims % heads:
                raise ConfigError(f'stage {index}: width {dims} is not divisible by {heads} heads')
            if size > window_size and size % window_size:
                raise ConfigError(
                    f'stage {index}: a {size}x{size} feature map is not divisible into '
                    f'{window_size}x{window_size} windows'
                )
            if not last and size % 2:
                raise ConfigError(f'stage {index}: cannot halve a {size}x{size} feature map')
            self.stages.append(
                SwinStage(dims, depth, heads, window_size, size, mlp_ratio, downsample=not last)
            )
            if not last:
                dims, size = dims * 2, size // 2
        self.norm = nn.LayerNorm(dims)
        self.num_features = dims

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x, hw = self.patch_embed(x)
        x = x + self.absolute_pos_embed
        for stage in self.stages:
            x, hw = stage(x, hw)
        return self.norm(x).mean(dim=1)

    def get_layer_depth(self, param_name: str, prefix: str = '') -> tuple[int, int]:
        """``(layer id, sum(depths) + 2)`` as MMPretrain's Swin numbers its layers."""
        return swin_layer_depth(param_name, self.depths, prefix)


@MODELS.register_module()
class TinySwinClassifier(ImageClassifier):
    """A tiny Swin Transformer classifier.

    Args:
        img_size: Input height and width (8 for digits).
        patch_size: Patch height and width.
        in_channels: Input channels (1 for digits).
        embed_dims: Token width of the first stage (doubled at each downsample).
        depths: Blocks per stage.
        num_heads: Attention heads per stage.
        window_size: Attention window (clamped to the feature map size).
        mlp_ratio: FFN hidden width / token width.
        num_classes: Number of classes.
        data_preprocessor: See :class:`~cadence.model.BaseModel`.
        init_cfg: See :class:`~cadence.model.BaseModel`.
    """

    def __init__(
        self,
        img_size: int = 8,
        patch_size: int = 2,
        in_channels: int = 1,
        embed_dims: int = 32,
        depths: Sequence[int] = (2, 2),
        num_heads: Sequence[int] = (2, 4),
        window_size: int = 2,
        mlp_ratio: int = 2,
        num_classes: int = 10,
        data_preprocessor: Any = None,
        init_cfg: Any = None,
    ) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = TinySwin(
            img_size, patch_size, in_channels, embed_dims, depths, num_heads, window_size, mlp_ratio
        )
        self.head = LinearClsHead(self.backbone.num_features, num_classes)
