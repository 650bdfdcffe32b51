"""The Runner, its loops and checkpoint I/O (``cadence.runner``)."""

from .checkpoint import CheckpointError, find_latest_checkpoint, load_checkpoint_file
from .interrupt import TrainingInterrupted
from .loops import (
    BaseLoop,
    EpochBasedTrainLoop,
    IterBasedTrainLoop,
    TestLoop,
    ValLoop,
)
from .randomness import set_random_seed
from .runner import Runner

__all__ = [
    'BaseLoop',
    'CheckpointError',
    'EpochBasedTrainLoop',
    'IterBasedTrainLoop',
    'Runner',
    'TestLoop',
    'TrainingInterrupted',
    'ValLoop',
    'find_latest_checkpoint',
    'load_checkpoint_file',
    'set_random_seed',
]
