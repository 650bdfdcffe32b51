"""Models: ``BaseModel``, data preprocessors, averaged (EMA) models, wrapper helpers and the
example classifiers."""

from .averaged_model import (
    BaseAveragedModel,
    ExponentialMovingAverage,
    MomentumAnnealingEMA,
    StochasticWeightAverage,
)
from .base_model import BaseModel, LossError
from .data_preprocessor import BaseDataPreprocessor, ClsDataPreprocessor
from .examples import (
    ImageClassifier,
    LinearClsHead,
    MLPClassifier,
    TinySwinClassifier,
    TinyViTClassifier,
)
from .wrappers import get_model, is_model_wrapper

__all__ = [
    'BaseAveragedModel',
    'BaseDataPreprocessor',
    'BaseModel',
    'ClsDataPreprocessor',
    'ExponentialMovingAverage',
    'ImageClassifier',
    'LinearClsHead',
    'LossError',
    'MLPClassifier',
    'MomentumAnnealingEMA',
    'StochasticWeightAverage',
    'TinySwinClassifier',
    'TinyViTClassifier',
    'get_model',
    'is_model_wrapper',
]
