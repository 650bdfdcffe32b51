"""Example models for the digits data (registered in ``MODELS``)."""

from .classifier import ImageClassifier, LinearClsHead
from .mlp import MLPClassifier
from .swin import TinySwinClassifier
from .vit import TinyViTClassifier

__all__ = [
    'ImageClassifier',
    'LinearClsHead',
    'MLPClassifier',
    'TinySwinClassifier',
    'TinyViTClassifier',
]
