"""``cadence check CONFIG``: build everything a run needs, without training, and report.

Takes the same command line as ``cadence train`` (so a launch script can run ``check`` with the
very arguments it will train with) plus ``--world-size``, ``--strict``, ``--quiet`` and
``--plain``. Prints the data and iteration counts, the parameter-group report, the schedule
windows, the hook order and every config error at once; exits 1 when there are errors (or, with
``--strict``, warnings), so it can guard a launch. Nothing is written to the work dir.
"""

from __future__ import annotations

import argparse
import sys

from ..config import Config
from ..errors import ConfigError
from . import train


def add_arguments(parser: argparse.ArgumentParser) -> None:
    train.add_arguments(parser)
    parser.add_argument(
        '--world-size',
        type=int,
        default=1,
        metavar='N',
        help='processes the run will use: iterations per epoch and the global batch are '
        'computed for N (1)',
    )
    parser.add_argument('--strict', action='store_true', help='exit with status 1 on warnings too')
    parser.add_argument(
        '--quiet', '-q', action='store_true', help='print only the errors, warnings and summary'
    )
    parser.add_argument(
        '--plain',
        action='store_true',
        help='plain text even on a terminal (the default when the output is not a terminal)',
    )


def run(args: argparse.Namespace) -> int:
    from ..runner.check import check_config, render_rich, render_text

    if args.world_size < 1:
        raise ConfigError(f'must be at least 1, got {args.world_size}', '--world-size')
    # custom_imports are imported by the first check, which reports a failure with the others
    cfg = Config.fromfile(args.config, import_custom_modules=False)
    cfg = train.merge_train_args(cfg, args)
    report = check_config(cfg, world_size=args.world_size)
    if sys.stdout.isatty() and not args.plain:
        from rich.console import Console

        render_rich(report, Console(), quiet=args.quiet)
    else:
        print(render_text(report, quiet=args.quiet))
    return report.exit_status(strict=args.strict)
