"""Checks of a Runner's configuration that run before anything heavy is built.

Each check yields ``ConfigError`` s naming the key path; the Runner raises the first one, and
a checking command can list them all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..errors import ConfigError, suggestion_text
from ..registry import DATA_SAMPLERS, DATASETS, HOOKS, LOOPS
from ..registry.build import UnknownTypeError, accepted_arguments, check_arguments, resolve_type

TRIPLETS = {
    'train': ('train_dataloader', 'train_cfg', 'optim_wrapper'),
    'val': ('val_dataloader', 'val_cfg', 'val_evaluator'),
    'test': ('test_dataloader', 'test_cfg', 'test_evaluator'),
}
AUTO_SCALE_LR_KEYS = ('enable', 'base_batch_size')


def unknown_key_errors(
    cfg: Mapping[str, Any], accepted: Sequence[str], key_path: str
) -> Iterator[ConfigError]:
    """An error for each key of ``cfg`` not in ``accepted`` (with a did-you-mean)."""
    for key in cfg:
        if key not in accepted:
            yield ConfigError(
                f'unknown key {key!r}.{suggestion_text(key, accepted)} '
                f'Accepted: {", ".join(accepted)}',
                f'{key_path}.{key}',
            )


def check_keys(cfg: Mapping[str, Any], accepted: Sequence[str], key_path: str) -> None:
    """Raise the first of :func:`unknown_key_errors`."""
    for error in unknown_key_errors(cfg, accepted, key_path):
        raise error


def check_triplets(values: Mapping[str, Any]) -> Iterator[ConfigError]:
    """Each of train / val / test needs its three settings all set or all ``None``."""
    for stage, names in TRIPLETS.items():
        present = [n for n in names if values.get(n) is not None]
        if present and len(present) < len(names):
            missing = [n for n in names if n not in present]
            yield ConfigError(
                f'{", ".join(present)} {"is" if len(present) == 1 else "are"} set but '
                f'{" and ".join(missing)} {"is" if len(missing) == 1 else "are"} not: '
                f'{stage} needs {", ".join(names)} all set (or all None)',
                missing[0],
            )


def train_loop_cfg(train_cfg: Mapping[str, Any]) -> dict[str, Any]:
    """``train_cfg`` with ``by_epoch`` turned into the loop ``type``."""
    if not isinstance(train_cfg, Mapping):
        raise ConfigError(
            f'must be a dict such as dict(by_epoch=True, max_epochs=10), got {train_cfg!r}',
            'train_cfg',
        )
    cfg = dict(train_cfg)
    if 'type' in cfg and 'by_epoch' in cfg:
        raise ConfigError(
            'give either type=... or by_epoch=..., not both (by_epoch=True means '
            "type='EpochBasedTrainLoop', by_epoch=False type='IterBasedTrainLoop')",
            'train_cfg',
        )
    if 'type' not in cfg:
        if 'by_epoch' not in cfg:
            raise ConfigError(
                'needs by_epoch=True (with max_epochs) or by_epoch=False (with max_iters), '
                "or a loop type such as type='EpochBasedTrainLoop'",
                'train_cfg',
            )
        cfg['type'] = 'EpochBasedTrainLoop' if cfg.pop('by_epoch') else 'IterBasedTrainLoop'
    return cfg


def _check_build_args(
    cfg: Mapping[str, Any], registry, key_path: str, provided: Sequence[str] = ()
) -> Iterator[ConfigError]:
    """Resolve ``cfg['type']`` and check the keys against its signature."""
    if not isinstance(cfg, Mapping):
        return
    if 'type' not in cfg:
        yield ConfigError(
            f'missing "type" (what to build from the {registry.name} registry)', key_path
        )
        return
    try:
        cls = resolve_type(cfg['type'], registry, key_path, cfg)
    except (ConfigError, UnknownTypeError) as exc:
        yield exc
        return
    args = {k: v for k, v in cfg.items() if k not in ('type', '_scope_', 'priority')}
    spec = accepted_arguments(cls)
    for name in provided:
        if spec is None or name in spec[0] or spec[2]:
            args.setdefault(name, None)
    try:
        check_arguments(
            cls,
            args,
            key_path,
            cfg['type']
            if isinstance(cfg['type'], str)
            else getattr(cfg['type'], '__name__', 'type'),
        )
    except ConfigError as exc:
        yield exc


def check_loop_cfg(stage: str, cfg: Any) -> Iterator[ConfigError]:
    """``train_cfg`` / ``val_cfg`` / ``test_cfg`` name a loop and give it valid arguments."""
    key_path = f'{stage}_cfg'
    if stage == 'train':
        try:
            cfg = train_loop_cfg(cfg)
        except ConfigError as exc:
            yield exc
            return
        provided: tuple[str, ...] = ('runner', 'dataloader')
    else:
        if not isinstance(cfg, Mapping):
            yield ConfigError(f'must be a dict (dict() for the defaults), got {cfg!r}', key_path)
            return
        cfg = {'type': 'ValLoop' if stage == 'val' else 'TestLoop', **cfg}
        provided = ('runner', 'dataloader', 'evaluator')
    yield from _check_build_args(cfg, LOOPS, key_path, provided)


def check_dataloader_cfg(cfg: Any, key_path: str) -> Iterator[ConfigError]:
    """A dataloader dict: its dataset and sampler types exist and get valid arguments."""
    if not isinstance(cfg, Mapping):
        return
    dataset = cfg.get('dataset')
    if dataset is None:
        yield ConfigError(
            "missing 'dataset', e.g. dataset=dict(type='DigitsDataset', split='train')", key_path
        )
    else:
        yield from _check_build_args(dataset, DATASETS, f'{key_path}.dataset')
    sampler = cfg.get('sampler')
    if sampler is None and cfg.get('batch_sampler') is None:
        yield ConfigError(
            "missing 'sampler', e.g. sampler=dict(type='DefaultSampler', shuffle=True)", key_path
        )
    elif sampler is not None:
        yield from _check_build_args(sampler, DATA_SAMPLERS, f'{key_path}.sampler', ('dataset',))


def check_hooks_cfg(default_hooks: Any, custom_hooks: Any) -> Iterator[ConfigError]:
    """``default_hooks`` is a dict of hook configs (or ``None`` to remove one);
    ``custom_hooks`` a list of hook configs."""
    from ..hooks.hook import Hook

    if default_hooks is not None and not isinstance(default_hooks, Mapping):
        yield ConfigError(
            f"must be a dict such as dict(logger=dict(type='LoggerHook', interval=10)), got "
            f'{default_hooks!r}',
            'default_hooks',
        )
        default_hooks = None
    for name, hook in (default_hooks or {}).items():
        if hook is None or isinstance(hook, Hook):
            continue
        if not isinstance(hook, Mapping):
            yield ConfigError(
                f'must be a hook config dict, a hook or None, got {hook!r}', f'default_hooks.{name}'
            )
            continue
        yield from _check_build_args(hook, HOOKS, f'default_hooks.{name}')
    if custom_hooks is None:
        return
    if not isinstance(custom_hooks, Sequence) or isinstance(custom_hooks, (str, Mapping)):
        yield ConfigError(
            f"must be a list such as [dict(type='MyHook', priority='NORMAL')], got "
            f'{custom_hooks!r}',
            'custom_hooks',
        )
        return
    for index, hook in enumerate(custom_hooks):
        if isinstance(hook, Mapping):
            yield from _check_build_args(hook, HOOKS, f'custom_hooks.{index}')
        elif not isinstance(hook, Hook):
            yield ConfigError(
                f'must be a hook config dict or a hook, got {hook!r}', f'custom_hooks.{index}'
            )


def check_auto_scale_lr(cfg: Any) -> Iterator[ConfigError]:
    """``auto_scale_lr=dict(enable=False, base_batch_size=N)``."""
    if cfg is None:
        return
    if not isinstance(cfg, Mapping):
        yield ConfigError(
            f'must be dict(enable=..., base_batch_size=...), got {cfg!r}', 'auto_scale_lr'
        )
        return
    yield from unknown_key_errors(cfg, AUTO_SCALE_LR_KEYS, 'auto_scale_lr')
    if cfg.get('enable'):
        base = cfg.get('base_batch_size')
        if isinstance(base, bool) or not isinstance(base, int) or base < 1:
            yield ConfigError(
                f'must be a positive int (the total batch size the lr was tuned for) when '
                f'enable=True, got {base!r}',
                'auto_scale_lr.base_batch_size',
            )


def check_distributed_cfg(values: Mapping[str, Any]) -> Iterator[ConfigError]:
    """``launcher`` and ``env_cfg.dist_cfg`` (setting them up would raise the same)."""
    from ..dist.setup import check_dist_cfg, check_launcher

    env_cfg = values.get('env_cfg')
    dist_cfg = env_cfg.get('dist_cfg') if isinstance(env_cfg, Mapping) else None
    checks = [lambda: check_launcher(values.get('launcher', 'none'))]
    if isinstance(dist_cfg, Mapping):
        checks.append(lambda: check_dist_cfg(dist_cfg))
    for check in checks:
        try:
            check()
        except ConfigError as exc:
            yield exc


def iter_config_errors(values: Mapping[str, Any]) -> Iterator[ConfigError]:
    """Every problem found in the Runner's arguments (given as a dict of them)."""
    yield from check_triplets(values)
    if values.get('param_scheduler') is not None and values.get('optim_wrapper') is None:
        yield ConfigError(
            'needs optim_wrapper: schedulers change optimizer values', 'param_scheduler'
        )
    for stage in TRIPLETS:
        if values.get(f'{stage}_cfg') is not None:
            yield from check_loop_cfg(stage, values[f'{stage}_cfg'])
        if values.get(f'{stage}_dataloader') is not None:
            yield from check_dataloader_cfg(values[f'{stage}_dataloader'], f'{stage}_dataloader')
    yield from check_hooks_cfg(values.get('default_hooks'), values.get('custom_hooks'))
    yield from check_auto_scale_lr(values.get('auto_scale_lr'))
    yield from check_distributed_cfg(values)


def check_runner_config(values: Mapping[str, Any]) -> None:
    """Raise the first problem :func:`iter_config_errors` finds."""
    for error in iter_config_errors(values):
        raise error
