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
from .wrappers import (
    MMDistributedDataParallel,
    convert_sync_batchnorm,
    get_model,
    is_model_wrapper,
    revert_sync_batchnorm,
)

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
    'MMDistributedDataParallel',
    'MomentumAnnealingEMA',
    'StochasticWeightAverage',
    'TinySwinClassifier',
    'TinyViTClassifier',
    'convert_sync_batchnorm',
    'get_model',
    'is_model_wrapper',
    'revert_sync_batchnorm',
]
