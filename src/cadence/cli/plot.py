"""``cadence plot WORK_DIR``: training curves from a run's scalar log.

Finds the latest run's ``vis_data/scalars.json`` under the work dir (or takes a run folder or
the file itself), draws the chosen keys — train values against the iteration, validation
metrics against their step (epoch or iteration) — into an image with ``--out``, in the terminal
otherwise.
"""

from __future__ import annotations

import argparse
import os
import shutil

from ..errors import ConfigError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        'work_dir',
        metavar='WORK_DIR',
        help='a work dir (its latest run), a run folder, or a vis_data/scalars.json file',
    )
    parser.add_argument(
        '--keys',
        metavar='K1,K2',
        help='comma-separated keys; a key also draws its sub-keys (lr: lr and lr/<group>, '
        'accuracy: accuracy/top1, ...). Default: losses, lr and every validation metric',
    )
    parser.add_argument(
        '--out', metavar='FILE.png', help='write an image (.png, .svg, .pdf) instead of text'
    )
    parser.add_argument('--title', help='title of the image (default: the run folder)')
    parser.add_argument('--dpi', type=int, default=100, help='resolution of the image (100)')
    parser.add_argument(
        '--width', type=int, help='width of the terminal plot (default: the terminal width)'
    )
    parser.add_argument('--height', type=int, default=12, help='height of each terminal plot')


def _keys(text: str | None) -> list[str] | None:
    if text is None:
        return None
    keys = [key.strip() for key in text.split(',') if key.strip()]
    if not keys:
        raise ConfigError(f'no key in {text!r}; give e.g. --keys loss,lr', '--keys')
    return keys


def run(args: argparse.Namespace) -> int:
    from ..visualization import (
        find_scalar_log,
        load_training_log,
        plot_panels,
        render_panel,
        select_panels,
    )

    if args.out:
        folder = os.path.dirname(os.path.abspath(args.out))
        if not os.path.isdir(folder):
            raise ConfigError(f'cannot write {args.out}: {folder} does not exist', '--out')
    path = find_scalar_log(args.work_dir)
    log = load_training_log(path)
    panels = select_panels(log, _keys(args.keys))
    run_name = os.path.basename(os.path.dirname(os.path.dirname(os.path.abspath(path))))
    print(f'{path}: {log.available()}')
    if log.bad_lines:
        print(f'note: skipped {log.bad_lines} line(s) that are not complete JSON objects')
    if args.out:
        plot_panels(panels, args.out, title=args.title or run_name, dpi=args.dpi)
        print(f'wrote {args.out}')
        return 0
    width = args.width or shutil.get_terminal_size((100, 24)).columns
    for panel in panels:
        print()
        print(render_panel(panel, width=width, height=args.height))
    return 0
