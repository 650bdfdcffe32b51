"""``cadence train CONFIG``: train as the reference's ``tools/train.py`` does.

Command-line flags are applied to the config in the reference's order — ``--no-validate``,
``--launcher``, ``--work-dir``, ``--amp``, ``--resume``, ``--auto-scale-lr``, dataloader
defaults — and ``--cfg-options`` last, so it wins. Each change is recorded in the config's
provenance (``cadence config explain`` style), and the dumped config shows the result.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from typing import Any

from ..config import Config, parse_options
from ..errors import ConfigError
from .options import add_config_arguments

AMP_TYPE = 'AmpOptimWrapper'
LAUNCHERS = ('none', 'pytorch')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_arguments(parser)
    parser.add_argument(
        '--work-dir',
        help='where checkpoints and logs go '
        "(default: the config's work_dir, else ./work_dirs/<config name>)",
    )
    parser.add_argument(
        '--resume',
        nargs='?',
        const='auto',
        default=None,
        metavar='CHECKPOINT',
        help='resume from CHECKPOINT, or (without a path) from the latest good checkpoint in '
        'the work dir',
    )
    parser.add_argument(
        '--amp', action='store_true', help='mixed precision (AmpOptimWrapper; bfloat16 on CPU)'
    )
    parser.add_argument('--no-validate', action='store_true', help='skip validation')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the lr by total batch size / auto_scale_lr.base_batch_size',
    )
    parser.add_argument('--no-pin-memory', action='store_true', help='do not pin dataloader memory')
    parser.add_argument(
        '--no-persistent-workers',
        action='store_true',
        help='do not keep dataloader workers between epochs',
    )
    parser.add_argument('--launcher', choices=LAUNCHERS, default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0, help=argparse.SUPPRESS)


def _is_plain_wrapper(type_name: Any) -> bool:
    return type_name is None or (
        isinstance(type_name, str) and type_name.rpartition('.')[2] == 'OptimWrapper'
    )


def _is_amp(type_name: Any) -> bool:
    return isinstance(type_name, str) and type_name.rpartition('.')[2] == AMP_TYPE


def amp_updates(optim_wrapper: Any) -> dict[str, Any]:
    """The config changes ``--amp`` makes: ``type='AmpOptimWrapper'`` and a default
    ``loss_scale='dynamic'``, per sub-wrapper for a several-optimizer config."""
    if not isinstance(optim_wrapper, Mapping):
        raise ConfigError('--amp needs an optim_wrapper dict in the config', 'optim_wrapper')
    if 'optimizer' in optim_wrapper:
        targets = {'optim_wrapper': optim_wrapper}
    else:
        targets = {
            f'optim_wrapper.{name}': sub
            for name, sub in optim_wrapper.items()
            if isinstance(sub, Mapping) and 'optimizer' in sub
        }
        if not targets:
            raise ConfigError(
                '--amp: cannot find an optimizer here (optim_wrapper.optimizer, or one per '
                'optimizer for several optimizers)',
                'optim_wrapper',
            )
    updates: dict[str, Any] = {}
    for path, sub in targets.items():
        current = sub.get('type')
        if _is_amp(current):
            continue
        if not _is_plain_wrapper(current):
            raise ConfigError(
                f'--amp would replace the custom wrapper type {current!r}; set '
                f"type='{AMP_TYPE}' (or an AMP-capable type) in the config instead",
                f'{path}.type',
            )
        updates[f'{path}.type'] = AMP_TYPE
        if 'loss_scale' not in sub:
            updates[f'{path}.loss_scale'] = 'dynamic'
    return updates


def dataloader_updates(cfg: Config, args: argparse.Namespace) -> dict[str, Any]:
    updates: dict[str, Any] = {}
    for stage in ('train', 'val', 'test'):
        loader = cfg.get(f'{stage}_dataloader')
        if not isinstance(loader, Mapping):
            continue
        if 'collate_fn' not in loader:
            updates[f'{stage}_dataloader.collate_fn'] = {'type': 'default_collate'}
        if getattr(args, 'no_pin_memory', False):
            updates[f'{stage}_dataloader.pin_memory'] = False
        if getattr(args, 'no_persistent_workers', False):
            updates[f'{stage}_dataloader.persistent_workers'] = False
    return updates


def default_work_dir(config_path: str) -> str:
    stem = os.path.splitext(os.path.basename(config_path))[0]
    return os.path.join('.', 'work_dirs', stem)


def apply_work_dir(cfg: Config, args: argparse.Namespace) -> None:
    """``--work-dir``, else the config's ``work_dir``, else ``./work_dirs/<config name>``."""
    if args.work_dir:
        cfg.merge_from_dict({'work_dir': args.work_dir}, source='--work-dir')
    elif cfg.get('work_dir') is None:
        cfg.merge_from_dict(
            {'work_dir': default_work_dir(args.config)}, source='default work dir (config name)'
        )


def merge_train_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the command line to ``cfg`` (in place) in the reference's order."""
    if args.no_validate:
        cfg.merge_from_dict(
            {'val_cfg': None, 'val_dataloader': None, 'val_evaluator': None},
            source='--no-validate',
        )
    cfg.merge_from_dict({'launcher': args.launcher}, source='--launcher')
    apply_work_dir(cfg, args)
    if args.amp:
        updates = amp_updates(cfg.get('optim_wrapper'))
        if updates:
            cfg.merge_from_dict(updates, source='--amp')
    if args.resume == 'auto':
        cfg.merge_from_dict({'resume': True, 'load_from': None}, source='--resume')
    elif args.resume is not None:
        cfg.merge_from_dict({'resume': True, 'load_from': args.resume}, source='--resume')
    if args.auto_scale_lr:
        if not isinstance(cfg.get('auto_scale_lr'), Mapping) or not cfg.auto_scale_lr.get(
            'base_batch_size'
        ):
            raise ConfigError(
                '--auto-scale-lr needs auto_scale_lr=dict(base_batch_size=N) in the config '
                '(the total batch size the lr was tuned for)',
                'auto_scale_lr.base_batch_size',
            )
        cfg.merge_from_dict({'auto_scale_lr.enable': True}, source='--auto-scale-lr')
    updates = dataloader_updates(cfg, args)
    if updates:
        cfg.merge_from_dict(updates, source='cadence train dataloader defaults')
    if args.cfg_options:
        cfg.merge_from_dict(parse_options(args.cfg_options))
    return cfg


def build_runner(cfg: Config) -> Any:
    """``Runner.from_cfg``, or the class ``runner_type`` names."""
    from ..registry import RUNNERS
    from ..runner import Runner

    runner_type = cfg.get('runner_type')
    if runner_type is None:
        return Runner.from_cfg(cfg)
    from ..registry.build import resolve_type

    return resolve_type(runner_type, RUNNERS, 'runner_type', cfg).from_cfg(cfg)


def run(args: argparse.Namespace) -> int:
    from ..runner import TrainingInterrupted

    cfg = merge_train_args(Config.fromfile(args.config), args)
    runner = build_runner(cfg)
    try:
        runner.train()
    except TrainingInterrupted as exc:
        if exc.checkpoint is not None:  # rank 0 (the one that saved)
            print(f'{exc}. Continue with: cadence train {args.config} --resume')
        return 128 + exc.signum
    return 0
