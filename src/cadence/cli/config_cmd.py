"""``cadence config print|explain``: see the merged config and where each value came from."""

from __future__ import annotations

import argparse
import sys

from .options import add_config_arguments, load_config


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest='action', required=True, metavar='{print,explain}')
    printer = actions.add_parser('print', help='print the merged config')
    add_config_arguments(printer)
    printer.add_argument(
        '--format', choices=('py', 'json', 'yaml'), default='py', help='output format (py)'
    )
    explainer = actions.add_parser(
        'explain', help='say which file and line set a value, and what overrode it'
    )
    add_config_arguments(explainer)
    explainer.add_argument(
        'key', nargs='?', help='dotted key path, e.g. optim_wrapper.optimizer.lr (all if omitted)'
    )


def run(args: argparse.Namespace) -> int:
    cfg = load_config(args)
    if args.action == 'print':
        text = cfg.dump(file_format='.' + args.format)
        if sys.stdout.isatty():
            from rich.console import Console
            from rich.syntax import Syntax

            lexer = {'py': 'python', 'json': 'json', 'yaml': 'yaml'}[args.format]
            Console().print(Syntax(text, lexer, word_wrap=True))
        else:
            sys.stdout.write(text)
        return 0
    lines = [cfg.explain(args.key)] if args.key else cfg.explain_all()
    print('\n'.join(lines))
    return 0
