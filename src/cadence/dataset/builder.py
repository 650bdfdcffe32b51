"""Building a ``DataLoader`` from a config dict (``train_dataloader=dict(...)``).

The loader gets its own random generator, re-seeded for every epoch from ``(seed, rank,
epoch)``: DataLoader iterators draw worker seeds from it instead of from the global torch
generator, so starting an epoch (or resuming in the middle of one) never shifts the random
stream the model's dropout and friends use. That is what makes resume bit-identical.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import torch
from torch.utils.data import DataLoader

from ..dist import get_rank
from ..errors import ConfigError, suggestion_text
from ..registry import DATA_SAMPLERS, DATASETS, FUNCTIONS

_RANK_STRIDE = 100_003
_OWN_KEYS = ('dataset', 'sampler', 'batch_sampler', 'collate_fn')
_RESERVED = ('generator',)


def _loader_arguments() -> list[str]:
    names = list(inspect.signature(DataLoader).parameters)
    return [n for n in names if n not in ('self', *_RESERVED)]


def _check_keys(cfg: Mapping[str, Any], key_path: str) -> None:
    accepted = _loader_arguments()
    for key in cfg:
        if key not in accepted:
            raise ConfigError(
                f'unknown dataloader argument {key!r}.{suggestion_text(key, accepted)} '
                f'Accepted: {", ".join(accepted)}',
                f'{key_path}.{key}',
            )
    if 'dataset' not in cfg:
        raise ConfigError(
            "missing 'dataset', e.g. dataset=dict(type='DigitsDataset', split='train')", key_path
        )
    if 'sampler' not in cfg and 'batch_sampler' not in cfg:
        raise ConfigError(
            "missing 'sampler', e.g. sampler=dict(type='DefaultSampler', shuffle=True)", key_path
        )
    if 'shuffle' in cfg:
        raise ConfigError(
            "'shuffle' belongs to the sampler: sampler=dict(type='DefaultSampler', "
            f'shuffle={cfg["shuffle"]!r})',
            f'{key_path}.shuffle',
        )


def _build(registry, cfg: Any, key_path: str, default_args: dict[str, Any]) -> Any:
    if isinstance(cfg, Mapping):
        return registry.build(cfg, default_args=default_args, key_path=key_path)
    return cfg


def _accepts(cfg: Mapping[str, Any], argument: str, key_path: str) -> bool:
    """Whether the class ``cfg['type']`` names takes ``argument``."""
    from ..registry.build import accepted_arguments, resolve_type

    if 'type' not in cfg:
        return True  # the build reports the missing type
    spec = accepted_arguments(resolve_type(cfg['type'], DATA_SAMPLERS, key_path, cfg))
    return spec is None or argument in spec[0] or spec[2]


def build_collate_fn(cfg: Any, key_path: str) -> Any:
    """A collate function from ``dict(type='default_collate')``, a name, or a callable."""
    if callable(cfg):
        return cfg
    if isinstance(cfg, str):
        cfg = {'type': cfg}
    if not isinstance(cfg, Mapping) or 'type' not in cfg:
        raise ConfigError(
            f"collate_fn must be dict(type='default_collate'|'pseudo_collate'|...) or a "
            f'function, got {cfg!r}',
            key_path,
        )
    from ..registry.build import resolve_type

    func = resolve_type(cfg['type'], FUNCTIONS, key_path, cfg)
    extra = {k: v for k, v in cfg.items() if k != 'type'}
    if extra:
        import functools

        return functools.partial(func, **extra)
    return func


def build_dataloader(
    cfg: Mapping[str, Any] | DataLoader,
    *,
    seed: int,
    key_path: str,
    default_collate: str = 'pseudo_collate',
) -> DataLoader:
    """Build a ``DataLoader`` (or return one unchanged).

    ``cfg`` holds DataLoader arguments plus ``dataset`` (a config or a dataset), ``sampler``
    (built with ``dataset`` and ``seed`` as defaults), optional ``batch_sampler`` and
    ``collate_fn``. ``pin_memory`` defaults to True only when CUDA is available and
    ``persistent_workers`` to True only when there are workers.
    """
    if isinstance(cfg, DataLoader):
        return cfg
    if not isinstance(cfg, Mapping):
        raise ConfigError(f'must be a dict of dataloader arguments, got {cfg!r}', key_path)
    _check_keys(cfg, key_path)
    args = {k: v for k, v in cfg.items() if k not in _OWN_KEYS}
    dataset = _build(DATASETS, cfg['dataset'], f'{key_path}.dataset', {})
    sampler = None
    if 'sampler' in cfg:
        sampler_cfg = cfg['sampler']
        defaults: dict[str, Any] = {'dataset': dataset}
        if isinstance(sampler_cfg, Mapping) and _accepts(
            sampler_cfg, 'seed', f'{key_path}.sampler'
        ):
            defaults['seed'] = seed
        sampler = _build(DATA_SAMPLERS, sampler_cfg, f'{key_path}.sampler', defaults)
    if cfg.get('batch_sampler') is not None:
        batch_size = args.pop('batch_size', 1)
        args['batch_sampler'] = _build(
            DATA_SAMPLERS,
            cfg['batch_sampler'],
            f'{key_path}.batch_sampler',
            {'sampler': sampler, 'batch_size': batch_size},
        )
        sampler = None
    collate_fn = build_collate_fn(
        cfg.get('collate_fn', {'type': default_collate}), f'{key_path}.collate_fn'
    )
    num_workers = args.get('num_workers', 0)
    args.setdefault('pin_memory', torch.cuda.is_available())
    if args['pin_memory'] and not torch.cuda.is_available():
        args['pin_memory'] = False
    args.setdefault('persistent_workers', num_workers > 0)
    if args['persistent_workers'] and num_workers == 0:
        args['persistent_workers'] = False
    generator = torch.Generator()
    loader_seed = seed + get_rank() * _RANK_STRIDE
    generator.manual_seed(loader_seed)
    try:
        loader = DataLoader(
            dataset, sampler=sampler, collate_fn=collate_fn, generator=generator, **args
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f'cannot build the DataLoader: {exc}', key_path) from exc
    loader._cadence_seed = loader_seed  # type: ignore[attr-defined]
    return loader


def index_sampler(dataloader: Any) -> Any:
    """The sampler that yields dataset indices (the one inside the batch sampler)."""
    inner = getattr(getattr(dataloader, 'batch_sampler', None), 'sampler', None)
    return inner if inner is not None else getattr(dataloader, 'sampler', None)


def start_epoch(dataloader: Any, epoch: int) -> None:
    """Re-seed the loader's own generator for ``epoch`` (worker seeds derive from it)."""
    seed = getattr(dataloader, '_cadence_seed', None)
    if seed is not None:
        dataloader.generator.manual_seed(seed + epoch)
