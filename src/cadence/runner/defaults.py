"""The Runner's defaults: the default hooks and the config keys ``Runner.from_cfg`` reads."""

from __future__ import annotations

from typing import Any

import torch

DEFAULT_HOOKS: dict[str, dict[str, Any]] = {
    'runtime_info': {'type': 'RuntimeInfoHook'},
    'timer': {'type': 'IterTimerHook'},
    'sampler_seed': {'type': 'DistSamplerSeedHook'},
    'logger': {'type': 'LoggerHook'},
    'param_scheduler': {'type': 'ParamSchedulerHook'},
    'checkpoint': {'type': 'CheckpointHook', 'interval': 1},
}

#: The keys ``Runner.from_cfg`` reads, with their defaults.
CFG_KEYS: dict[str, Any] = {
    'train_dataloader': None,
    'val_dataloader': None,
    'test_dataloader': None,
    'train_cfg': None,
    'val_cfg': None,
    'test_cfg': None,
    'auto_scale_lr': None,
    'optim_wrapper': None,
    'param_scheduler': None,
    'val_evaluator': None,
    'test_evaluator': None,
    'default_hooks': None,
    'custom_hooks': None,
    'data_preprocessor': None,
    'load_from': None,
    'resume': False,
    'launcher': 'none',
    'env_cfg': {'dist_cfg': {'backend': 'nccl'}},
    'log_processor': None,
    'log_level': 'INFO',
    'visualizer': None,
    'default_scope': 'cadence',
    'randomness': {'seed': None},
    'experiment_name': None,
}


def get_device() -> torch.device:
    """The device models run on: CUDA when available, else the CPU."""
    return torch.device('cuda' if torch.cuda.is_available() else 'cpu')
