"""``cadence schedule``: see every scheduled value of a config before training.

Computes the values for every iteration from the config alone (no weights, no data loading),
prints the turning points (warm-up end, milestones, window boundaries, final value), and draws
the curves: into a PNG with ``--out``, into a CSV with ``--csv``, in the terminal otherwise.
"""

from __future__ import annotations

import argparse
import os
import shutil

from ..errors import ConfigError
from .options import add_config_arguments, load_config

PARAMS = ('lr', 'momentum', 'weight_decay')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_arguments(parser)
    parser.add_argument(
        '--param',
        choices=(*PARAMS, 'all'),
        default='lr',
        help='which value to show (lr); all: every one the optimizer has',
    )
    length = parser.add_mutually_exclusive_group()
    length.add_argument(
        '--epoch-length', type=int, metavar='N', help='iterations per epoch (len(train_dataloader))'
    )
    length.add_argument(
        '--dataset-size',
        type=int,
        metavar='N',
        help='training samples; an epoch is N // (batch_size * ngpus) iterations',
    )
    parser.add_argument(
        '--ngpus', type=int, default=1, metavar='N', help='processes sharing each epoch (1)'
    )
    parser.add_argument('--out', metavar='FILE.png', help='write the curves as a PNG')
    parser.add_argument('--csv', metavar='FILE.csv', help='write every value of every iteration')
    parser.add_argument('--title', help='title of the PNG (default: config name and value)')
    parser.add_argument('--dpi', type=int, default=100, help='resolution of the PNG (100)')
    parser.add_argument(
        '--width', type=int, help='width of the terminal plot (default: the terminal width)'
    )
    parser.add_argument('--height', type=int, default=16, help='height of the terminal plot (16)')


def _check_writable(path: str | None, option: str) -> None:
    if path is None:
        return
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ConfigError(f'cannot write {path}: the directory {folder} does not exist', option)


def run(args: argparse.Namespace) -> int:
    from ..optim.scheduler import schedule_values
    from ..visualization import PARAM_TITLES, plot_schedule, render_curve, render_turning_points

    _check_writable(args.out, '--out')
    _check_writable(args.csv, '--csv')
    if args.ngpus < 1:
        raise ConfigError(f'--ngpus must be at least 1, got {args.ngpus}', '--ngpus')
    cfg = load_config(args)
    wanted = PARAMS if args.param == 'all' else (args.param,)
    preview = schedule_values(
        cfg,
        params=wanted,
        epoch_length=args.epoch_length,
        dataset_size=args.dataset_size,
        world_size=args.ngpus,
    )
    params = [p for p in wanted if p in preview.values]
    if not params:
        raise ConfigError(
            f'the optimizer has no {args.param}; try --param all', 'optim_wrapper.optimizer'
        )
    print(_summary(args.config, preview))
    for note in preview.notes:
        print(f'note: {note}')
    for param in params:
        curves = preview.distinct_groups(param)
        rows = [
            (p.iteration, p.label, [p.values[c] for _, c in curves])
            for p in preview.turning_points(param)
        ]
        print()
        print(render_turning_points(param, rows, [label for label, _ in curves],
                                    preview.epoch_length))  # fmt: skip
    name = os.path.splitext(os.path.basename(args.config))[0]
    if args.out:
        title = args.title or f'{name} ' + ' / '.join(PARAM_TITLES.get(p, p) for p in params)
        plot_schedule(preview, params, args.out, title=title, dpi=args.dpi)
        print(f'\nwrote {args.out}')
    if args.csv:
        preview.to_csv(args.csv, params)
        print(f'wrote {args.csv}')
    if not args.out and not args.csv:
        width = args.width or shutil.get_terminal_size((100, 24)).columns
        for param in params:
            series = [(label, preview.values[param][:, c]) for label, c in
                      preview.distinct_groups(param)]  # fmt: skip
            print()
            print(render_curve(series, width=width, height=args.height,
                               epoch_length=preview.epoch_length,
                               title=f'{name}: {PARAM_TITLES.get(param, param)}'))  # fmt: skip
    return 0


def _summary(path: str, preview) -> str:
    training = preview.training
    if training.by_epoch:
        length = (
            f'epoch-based, {training.max_epochs} epochs x {training.epoch_length} iterations = '
            f'{training.iterations} iterations'
        )
    else:
        per_epoch = f' ({training.epoch_length} per epoch)' if training.epoch_length else ''
        length = f'iteration-based, {training.iterations} iterations{per_epoch}'
    return f'{path}: {length}'
