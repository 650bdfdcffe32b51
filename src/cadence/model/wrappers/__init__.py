"""Model wrappers: recognising and unwrapping them, the distributed wrapper, and SyncBatchNorm
conversion."""

from .distributed import MMDistributedDataParallel, parameters_outside_graph
from .sync_batchnorm import (
    BatchNormXd,
    convert_sync_batchnorm,
    has_sync_batchnorm,
    revert_sync_batchnorm,
)
from .utils import get_model, is_model_wrapper

__all__ = [
    'BatchNormXd',
    'MMDistributedDataParallel',
    'convert_sync_batchnorm',
    'get_model',
    'has_sync_batchnorm',
    'is_model_wrapper',
    'parameters_outside_graph',
    'revert_sync_batchnorm',
]
