"""Arguments several sub-commands share, and loading the config they name."""

from __future__ import annotations

import argparse

from ..config import Config, parse_options


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """``CONFIG`` and ``--cfg-options k=v ...``."""
    parser.add_argument('config', help='path of the config file (.py, .json or .yaml)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=[],
        metavar='KEY=VALUE',
        help='override config values: dotted keys, list indices (param_scheduler.0.end=10); '
        'values are int, float, bool, None, lists a,b or [a,b], tuples (a,b), dict(k=v) or '
        'strings (spaces are kept)',
    )


def load_config(args: argparse.Namespace) -> Config:
    """The config named on the command line with ``--cfg-options`` applied."""
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(parse_options(args.cfg_options))
    return cfg
