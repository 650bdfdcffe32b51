"""Seeding, and capturing / restoring every random generator for exact resume.

The captured state is plain data (ints, lists, tensors), so checkpoints holding it load with
``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from ..dist import get_rank, sync_random_seed
from ..errors import ConfigError
from .config_check import check_keys

RANDOMNESS_KEYS = ('seed', 'deterministic', 'diff_rank_seed')


def check_randomness(cfg: Any) -> dict[str, Any]:
    """``randomness=dict(seed=None, deterministic=False, diff_rank_seed=False)``, checked."""
    if cfg is None:
        return {}
    if not isinstance(cfg, Mapping):
        raise ConfigError(f'must be dict(seed=..., deterministic=...), got {cfg!r}', 'randomness')
    check_keys(cfg, RANDOMNESS_KEYS, 'randomness')
    seed = cfg.get('seed')
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ConfigError(f'must be a non-negative int or None, got {seed!r}', 'randomness.seed')
    return dict(cfg)


def set_random_seed(
    seed: int | None = None, deterministic: bool = False, diff_rank_seed: bool = False
) -> int:
    """Seed Python, NumPy and torch (all devices); returns the seed used.

    ``None`` draws a seed on rank 0 and shares it; ``diff_rank_seed`` adds the rank;
    ``deterministic`` makes cuDNN deterministic and turns on
    ``torch.use_deterministic_algorithms``.
    """
    if seed is None:
        seed = sync_random_seed()
    if diff_rank_seed:
        seed += get_rank()
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if deterministic:
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
        torch.use_deterministic_algorithms(True)
    return seed


def seed_ranks(
    seed: int | None = None, deterministic: bool = False, diff_rank_seed: bool = False
) -> tuple[int, int]:
    """Seed this process as :func:`set_random_seed` does; returns ``(seed shared by every rank,
    this process's seed)``. They differ only with ``diff_rank_seed`` (by the rank)."""
    shared = sync_random_seed() if seed is None else seed
    return shared, set_random_seed(shared, deterministic, diff_rank_seed)


def capture_rng_state() -> dict[str, Any]:
    """The state of every generator the training step may draw from."""
    version, internal, gauss = random.getstate()
    numpy_state = np.random.get_state(legacy=False)
    state: dict[str, Any] = {
        'python': [version, list(internal), gauss],
        'numpy': {
            'key': torch.from_numpy(numpy_state['state']['key'].astype(np.int64)),
            'pos': int(numpy_state['state']['pos']),
            'has_gauss': int(numpy_state['has_gauss']),
            'gauss': float(numpy_state['gauss']),
        },
        'torch': torch.get_rng_state(),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: Mapping[str, Any]) -> None:
    """Undo :func:`capture_rng_state`."""
    version, internal, gauss = state['python']
    random.setstate((version, tuple(internal), gauss))
    numpy_state = state['numpy']
    np.random.set_state(
        {
            'bit_generator': 'MT19937',
            'state': {
                'key': numpy_state['key'].numpy().astype(np.uint32),
                'pos': numpy_state['pos'],
            },
            'has_gauss': numpy_state['has_gauss'],
            'gauss': numpy_state['gauss'],
        }
    )
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        states = state['cuda']
        if len(states) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all(states)
        else:
            torch.cuda.set_rng_state(states[0])
