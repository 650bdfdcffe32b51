"""What the example classifiers share: a backbone, a linear head, and the three forward modes."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ..base_model import MODES, BaseModel


class LinearClsHead(nn.Module):
    """``fc``: features -> class logits (MMPretrain's ``head.fc`` naming)."""

    def __init__(self, in_channels: int, num_classes: int) -> None:
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        return self.fc(feats)


class ImageClassifier(BaseModel):
    """``backbone`` -> ``head`` with cross-entropy loss.

    ``predict`` returns one dict per sample: ``pred_score`` (softmax), ``pred_label`` and, when
    labels are given, ``gt_label`` — what :class:`~cadence.evaluator.Accuracy` reads.
    """

    backbone: nn.Module
    head: nn.Module

    def __init__(self, data_preprocessor: Any = None, init_cfg: Any = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = {'type': 'ClsDataPreprocessor'}
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)

    def extract_feat(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.backbone(inputs)

    def forward(self, inputs: torch.Tensor, data_samples: Any = None, mode: str = 'tensor') -> Any:
        logits = self.head(self.extract_feat(inputs))
        if mode == 'tensor':
            return logits
        if mode == 'loss':
            if data_samples is None:
                raise ValueError("mode='loss' needs data_samples (the labels)")
            return {'loss': F.cross_entropy(logits, data_samples)}
        if mode == 'predict':
            scores = logits.softmax(dim=-1).detach()
            labels = scores.argmax(dim=-1)
            if data_samples is None:
                return [
                    {'pred_score': s, 'pred_label': p}
                    for s, p in zip(scores.unbind(0), labels.unbind(0))
                ]
            return [
                {'pred_score': s, 'pred_label': p, 'gt_label': g}
                for s, p, g in zip(scores.unbind(0), labels.unbind(0), data_samples.unbind(0))
            ]
        raise ValueError(f'unknown forward mode {mode!r}; use one of {", ".join(MODES)}')

    def get_layer_depth(self, param_name: str) -> tuple[int, int]:
        """``(layer id, number of layers)`` of a parameter, for layer-wise lr decay."""
        get_depth = getattr(self.backbone, 'get_layer_depth', None)
        if get_depth is None:
            raise NotImplementedError(f'{type(self.backbone).__name__} has no layer depths')
        return get_depth(param_name, 'backbone.')
