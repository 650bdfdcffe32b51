"""Models: ``BaseModel``, data preprocessors, wrapper helpers and the example classifiers."""

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
    'BaseDataPreprocessor',
    'BaseModel',
    'ClsDataPreprocessor',
    'ImageClassifier',
    'LinearClsHead',
    'LossError',
    'MLPClassifier',
    'MMDistributedDataParallel',
    'TinySwinClassifier',
    'TinyViTClassifier',
    'convert_sync_batchnorm',
    'get_model',
    'is_model_wrapper',
    'revert_sync_batchnorm',
]
