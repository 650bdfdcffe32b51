"""``TinyViTClassifier``: a Vision Transformer small enough for 8x8 digits.

Parameter names follow MMPretrain's ``VisionTransformer``: ``backbone.cls_token``,
``backbone.pos_embed``, ``backbone.patch_embed.projection``, ``backbone.layers.N.*``,
``backbone.ln1`` and ``head.*``; ``get_layer_depth`` gives the layer ids of the layer-wise lr
decay constructor (``cls_token``/``pos_embed``/``patch_embed`` 0, ``layers.i`` i+1, the rest
last).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ...errors import ConfigError
from ...optim.optimizer.layer_ids import vit_layer_depth
from ...registry import MODELS
from .classifier import ImageClassifier, LinearClsHead
from .transformer import FFN, MultiheadAttention, PatchEmbed


class TransformerEncoderLayer(nn.Module):
    """Pre-norm block: ``ln1`` -> ``attn`` -> residual, ``ln2`` -> ``ffn`` -> residual."""

    def __init__(self, embed_dims: int, num_heads: int, ffn_dims: int) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(embed_dims)
        self.attn = MultiheadAttention(embed_dims, num_heads)
        self.ln2 = nn.LayerNorm(embed_dims)
        self.ffn = FFN(embed_dims, ffn_dims)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x))
        return x + self.ffn(self.ln2(x))


class TinyViT(nn.Module):
    """The ViT backbone; returns the final class-token features."""

    def __init__(
        self,
        img_size: int,
        patch_size: int,
        in_channels: int,
        embed_dims: int,
        num_layers: int,
        num_heads: int,
        mlp_ratio: int,
    ) -> None:
        super().__init__()
        if img_size % patch_size:
            raise ConfigError(f'img_size {img_size} is not divisible by patch_size {patch_size}')
        num_patches = (img_size // patch_size) ** 2
        self.patch_embed = PatchEmbed(in_channels, embed_dims, patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dims))
        self.pos_embed = nn.Parameter(torch.zeros(1, num_patches + 1, embed_dims))
        self.layers = nn.ModuleList(
            TransformerEncoderLayer(embed_dims, num_heads, embed_dims * mlp_ratio)
            for _ in range(num_layers)
        )
        self.ln1 = nn.LayerNorm(embed_dims)
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        nn.init.trunc_normal_(self.cls_token, std=0.02)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x, _ = self.patch_embed(x)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        for layer in self.layers:
            x = layer(x)
        return self.ln1(x)[:, 0]

    def get_layer_depth(self, param_name: str, prefix: str = '') -> tuple[int, int]:
        """``(layer id, len(layers) + 2)`` as MMPretrain's ViT numbers its layers."""
        return vit_layer_depth(param_name, len(self.layers), prefix)


@MODELS.register_module()
class TinyViTClassifier(ImageClassifier):
    """A tiny ViT classifier.

    Args:
        img_size: Input height and width (8 for digits).
        patch_size: Patch height and width.
        in_channels: Input channels (1 for digits).
        embed_dims: Token width.
        num_layers: Number of transformer layers.
        num_heads: Attention heads per layer.
        mlp_ratio: FFN hidden width / ``embed_dims``.
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
        num_layers: int = 4,
        num_heads: int = 4,
        mlp_ratio: int = 2,
        num_classes: int = 10,
        data_preprocessor: Any = None,
        init_cfg: Any = None,
    ) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if embed_dims % num_heads:
            raise ConfigError(f'embed_dims {embed_dims} is not divisible by num_heads {num_heads}')
        self.backbone = TinyViT(
            img_size, patch_size, in_channels, embed_dims, num_layers, num_heads, mlp_ratio
        )
        self.head = LinearClsHead(embed_dims, num_classes)
