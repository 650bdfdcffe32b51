"""Datasets, samplers, collate functions and building dataloaders from configs."""

from .builder import build_collate_fn, build_dataloader, index_sampler, start_epoch
from .collate import default_collate, pseudo_collate
from .digits import DigitsDataset
from .samplers import DefaultSampler, InfiniteSampler

__all__ = [
    'DefaultSampler',
    'DigitsDataset',
    'InfiniteSampler',
    'build_collate_fn',
    'build_dataloader',
    'default_collate',
    'index_sampler',
    'pseudo_collate',
    'start_epoch',
]
