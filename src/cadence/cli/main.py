"""The ``cadence`` command: a thin dispatcher to one module per sub-command.

Sub-command modules are imported only when used, so ``cadence config print`` starts in a blink
and ``cadence --help`` does not import torch.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from ..errors import CadenceError, suggestion_text
from ..version import __version__

#: name -> (module, one-line description); each module has ``add_arguments`` and ``run``.
COMMANDS: dict[str, tuple[str, str]] = {
    'config': (
        'cadence.cli.config_cmd',
        'print a merged config, or explain where a value came from',
    ),
    'train': ('cadence.cli.train', 'train a model from a config (checkpoints, logs, resume)'),
    'test': ('cadence.cli.test', "evaluate a checkpoint on the config's test set"),
    'schedule': (
        'cadence.cli.schedule',
        'plot every scheduled value (lr, momentum, ...) of a config',
    ),
    'check': ('cadence.cli.check', 'build everything without training; list every config error'),
    'plot': ('cadence.cli.plot', "plot a run's training curves (loss, lr, val metrics)"),
}


def _top_level_help() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [
        'usage: cadence [--version] [--help] <command> [<args>]',
        '',
        'Cadence: a config-driven PyTorch training engine.',
        '',
        'commands:',
    ]
    lines += [f'  {name:<{width}}  {description}' for name, (_, description) in COMMANDS.items()]
    lines += ['', "Run 'cadence <command> --help' for a command's options."]
    return '\n'.join(lines)


def build_parser(command: str) -> argparse.ArgumentParser:
    """The argument parser of one sub-command."""
    module_name, description = COMMANDS[command]
    module = importlib.import_module(module_name)
    parser = argparse.ArgumentParser(prog=f'cadence {command}', description=description)
    module.add_arguments(parser)
    parser.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cadence`` console script; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ('-h', '--help', 'help'):
        print(_top_level_help())
        return 0 if args else 2
    if args[0] in ('-V', '--version'):
        print(f'cadence {__version__}')
        return 0
    command = args[0]
    if command not in COMMANDS:
        print(
            f'cadence: unknown command {command!r}.{suggestion_text(command, COMMANDS)}\n\n'
            + _top_level_help(),
            file=sys.stderr,
        )
        return 2
    parser = build_parser(command)
    namespace = parser.parse_args(args[1:])
    try:
        return int(namespace._run(namespace) or 0)
    except CadenceError as exc:
        if os.environ.get('CADENCE_DEBUG'):
            raise
        print(f'error: {exc}', file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print('interrupted', file=sys.stderr)
        return 130


if __name__ == '__main__':
    raise SystemExit(main())
