"""``MLPClassifier``: a multi-layer perceptron over flattened images (the default job's model).

Parameter names: ``backbone.layer{i}.{fc,bn}.*`` and ``head.fc.*``, so paramwise rules written
for ResNet-style names (``backbone.layer0``, ``head``, norm layers, biases) apply to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from ...errors import ConfigError
from ...registry import MODELS
from .classifier import ImageClassifier, LinearClsHead


class MLPBlock(nn.Module):
    """``fc`` -> ``bn`` (BatchNorm1d) -> ReLU -> dropout."""

    def __init__(self, in_features: int, out_features: int, dropout: float) -> None:
        super().__init__()
        self.fc = nn.Linear(in_features, out_features)
        self.bn = nn.BatchNorm1d(out_features)
        self.act = nn.ReLU(inplace=True)
        self.drop = nn.Dropout(dropout) if dropout > 0 else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.drop(self.act(self.bn(self.fc(x))))


class MLPBackbone(nn.Module):
    """``layer0``, ``layer1``, ...: one :class:`MLPBlock` per hidden width."""

    def __init__(self, in_features: int, hidden_dims: Sequence[int], dropout: float) -> None:
        super().__init__()
        widths = [in_features, *hidden_dims]
        for i in range(len(hidden_dims)):
            self.add_module(f'layer{i}', MLPBlock(widths[i], widths[i + 1], dropout))
        self.num_layers = len(hidden_dims)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.flatten(1)
        for i in range(self.num_layers):
            x = getattr(self, f'layer{i}')(x)
        return x


@MODELS.register_module()
class MLPClassifier(ImageClassifier):
    """An MLP classifier.

    Args:
        in_features: Inputs are flattened to this many features (64 for 8x8 digits).
        hidden_dims: Width of each hidden layer.
        num_classes: Number of classes.
        dropout: Dropout probability after each hidden layer.
        data_preprocessor: See :class:`~cadence.model.BaseModel`.
        init_cfg: See :class:`~cadence.model.BaseModel`.
    """

    def __init__(
        self,
        in_features: int = 64,
        hidden_dims: Sequence[int] = (256, 128),
        num_classes: int = 10,
        dropout: float = 0.0,
        data_preprocessor: Any = None,
        init_cfg: Any = None,
    ) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if not hidden_dims:
            raise ConfigError('hidden_dims must list at least one hidden width')
        if not 0.0 <= dropout < 1.0:
            raise ConfigError(f'dropout must be in [0, 1), got {dropout!r}')
        self.backbone = MLPBackbone(in_features, hidden_dims, dropout)
        self.head = LinearClsHead(hidden_dims[-1], num_classes)
