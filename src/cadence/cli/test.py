"""``cadence test CONFIG CHECKPOINT``: evaluate a checkpoint on the config's test set."""

from __future__ import annotations

import argparse
import json

from ..config import Config, parse_options
from .options import add_config_arguments
from .train import LAUNCHERS, apply_work_dir, build_runner, dataloader_updates


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_arguments(parser)
    parser.add_argument('checkpoint', help='the checkpoint whose weights to test')
    parser.add_argument('--work-dir', help='where logs go (default: ./work_dirs/<config name>)')
    parser.add_argument('--launcher', choices=LAUNCHERS, default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict({'launcher': args.launcher}, source='--launcher')
    apply_work_dir(cfg, args)
    cfg.merge_from_dict({'load_from': args.checkpoint, 'resume': False}, source='CHECKPOINT')
    updates = dataloader_updates(cfg, args)
    if updates:
        cfg.merge_from_dict(updates, source='cadence test dataloader defaults')
    if args.cfg_options:
        cfg.merge_from_dict(parse_options(args.cfg_options))
    metrics = build_runner(cfg).test()
    from ..dist import is_main_process

    if is_main_process():  # every process has the metrics; print them once
        print(json.dumps(metrics, indent=2, sort_keys=True))
    return 0
