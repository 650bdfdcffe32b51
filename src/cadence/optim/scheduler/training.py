"""What the schedule preview needs to know about training, read from the config alone.

How long training runs (``train_cfg``), how many iterations an epoch has (given, from a dataset
size, or from the dataset config), and the optimizer's param groups (the model built on the
``meta`` device, so no memory is allocated and no weights are loaded).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...errors import ConfigError, short_repr
from .validation import check_whole


@dataclass
class TrainingLength:
    """Length of training in iterations and epochs."""

    by_epoch: bool
    max_epochs: int | None
    max_iters: int | None
    epoch_length: int | None
    iterations: int
    notes: list[str] = field(default_factory=list)

    def horizon(self, by_epoch: bool) -> int:
        """End of training on a scheduler's clock (epochs or iterations)."""
        if by_epoch:
            return self.max_epochs if self.max_epochs is not None else 1
        return self.iterations


def _needs_epoch_length(schedulers: Any) -> bool:
    items = schedulers if isinstance(schedulers, (list, tuple)) else [schedulers]
    if isinstance(schedulers, Mapping) and 'type' not in schedulers:
        items = [i for v in schedulers.values() for i in (v if isinstance(v, list) else [v])]
    return any(isinstance(i, Mapping) and i.get('convert_to_iter_based') for i in items)


def training_length(
    cfg: Any, epoch_length: int | None, dataset_size: int | None, world_size: int = 1
) -> TrainingLength:
    """Read ``train_cfg`` and settle the epoch length (see :func:`schedule_values`)."""
    train_cfg = cfg.get('train_cfg')
    if not isinstance(train_cfg, Mapping):
        raise ConfigError(
            'the config has no train_cfg; it says how long training runs, e.g. '
            'train_cfg = dict(by_epoch=True, max_epochs=12)',
            'train_cfg',
        )
    loop = train_cfg.get('type')
    if 'by_epoch' in train_cfg:
        by_epoch = train_cfg['by_epoch']
    elif loop in ('EpochBasedTrainLoop', 'IterBasedTrainLoop'):
        by_epoch = loop == 'EpochBasedTrainLoop'
    else:
        by_epoch = 'max_iters' not in train_cfg
    key = 'max_epochs' if by_epoch else 'max_iters'
    if key not in train_cfg:
        raise ConfigError(
            f'{"epoch" if by_epoch else "iteration"}-based training needs {key}', 'train_cfg'
        )
    try:
        length = check_whole(key, train_cfg[key], low=1)
    except ConfigError as exc:
        raise ConfigError(exc.message, f'train_cfg.{key}') from None

    notes: list[str] = []
    unknown: list[str] = []  # why the dataset could not be counted
    if epoch_length is not None:
        epoch_length = check_whole('epoch length', epoch_length, low=1)
    elif dataset_size is not None:
        epoch_length = _from_dataset_size(cfg, dataset_size, world_size, notes)
    else:
        epoch_length = _from_dataset_config(cfg, world_size, notes, unknown)
    needed = by_epoch or _needs_epoch_length(cfg.get('param_scheduler'))
    if needed and epoch_length is None:
        reason = unknown[-1] if unknown else 'the config has no train_dataloader.dataset'
        raise ConfigError(
            f'cannot tell how many iterations an epoch has: {reason}. Pass --epoch-length N '
            f'(iterations per epoch) or --dataset-size N (training samples)'
        )
    if by_epoch:
        return TrainingLength(True, length, length * epoch_length, epoch_length,
                              length * epoch_length, notes)  # fmt: skip
    return TrainingLength(False, None, length, epoch_length, length, notes)


def _batch_size(cfg: Any) -> int:
    loader = cfg.get('train_dataloader')
    if not isinstance(loader, Mapping) or 'batch_size' not in loader:
        raise ConfigError(
            'train_dataloader.batch_size is needed to turn a dataset size into iterations',
            'train_dataloader',
        )
    return check_whole('batch_size', loader['batch_size'], low=1)


def _from_dataset_size(cfg: Any, size: Any, world_size: int, notes: list[str]) -> int:
    size = check_whole('dataset size', size, low=1)
    batch = _batch_size(cfg) * world_size
    if size // batch < 1:
        raise ConfigError(f'{size} samples do not fill one batch of {batch}')
    _note_rounding(size, batch, notes)
    return size // batch


def _note_rounding(size: int, batch: int, notes: list[str]) -> None:
    notes.append(f'epoch length {size // batch} = {size} samples // batch {batch}')
    if size % batch:
        notes.append(
            f'as the reference tool does, the last partial batch is dropped; a DataLoader '
            f'without drop_last runs {-(-size // batch)} iterations per epoch (pass '
            f'--epoch-length {-(-size // batch)} to preview exactly that)'
        )


def _lookup(registry: Any, name: Any) -> tuple[Any, str | None]:
    """``registry.get(name)``, or ``(None, why)`` when the lookup itself fails (a module that
    registers into it does not import)."""
    try:
        return registry.get(name), None
    except Exception as exc:
        return None, f'{type(exc).__name__}: {exc}'


def _from_dataset_config(
    cfg: Any, world_size: int, notes: list[str], unknown: list[str]
) -> int | None:
    """Build the training dataset to count it; ``None`` (with a note saying why) if not possible."""
    from ...registry import DATASETS

    loader = cfg.get('train_dataloader')
    dataset = loader.get('dataset') if isinstance(loader, Mapping) else None
    if not isinstance(dataset, Mapping) or 'type' not in dataset:
        unknown.append('the config has no train_dataloader.dataset to count')
        return None
    found, failure = _lookup(DATASETS, dataset['type'])
    if found is None:
        why = f'looking it up failed ({failure})' if failure else 'it is not registered here'
        unknown.append(f'the dataset type {dataset["type"]!r} cannot be counted: {why}')
        return None
    try:
        size = len(DATASETS.build(dataset))
    except Exception as exc:  # a dataset that cannot be built without its data
        unknown.append(f'building the dataset {dataset["type"]!r} failed ({exc})')
        return None
    batch = _batch_size(cfg) * world_size
    if size // batch < 1:
        raise ConfigError(f'the training dataset has {size} samples, less than a batch of {batch}')
    _note_rounding(size, batch, notes)
    return size // batch


def optimizer_for_preview(cfg: Any) -> tuple[Any, list[dict], list[str], list[str]]:
    """``(optimizer or wrapper, real param groups, group labels, notes)`` built from ``cfg``."""
    optim_cfg = cfg.get('optim_wrapper')
    if not isinstance(optim_cfg, Mapping):
        raise ConfigError('the config has no optim_wrapper', 'optim_wrapper')
    notes: list[str] = []
    built = _from_model(cfg, optim_cfg, notes)
    if built is not None:
        return (*built, notes)
    return (*_single_group(optim_cfg, notes), notes)


def _from_model(cfg: Any, optim_cfg: Mapping, notes: list[str]) -> tuple | None:
    """The real param groups: the model on the meta device, then ``build_optim_wrapper``."""
    import torch

    from ...registry import MODELS

    try:
        from .. import build_optim_wrapper  # type: ignore[attr-defined]
    except ImportError:
        notes.append('build_optim_wrapper is not available')
        return None
    model_cfg = cfg.get('model')
    what = model_cfg.get('type') if isinstance(model_cfg, Mapping) else None
    found, failure = _lookup(MODELS, what) if isinstance(what, str) else (None, None)
    if found is None:
        why = f'looking it up failed ({failure})' if failure else 'it is not registered here'
        notes.append(f'the model type {what!r} cannot be built: {why}')
        return None
    try:
        with torch.device('meta'):
            model = MODELS.build(model_cfg)
            wrapper = build_optim_wrapper(model, optim_cfg)
    except Exception as exc:
        notes.append(f'building the model on the meta device failed ({exc})')
        return None
    names = {id(p): n for n, p in model.named_parameters()}
    wrappers = (
        list(wrapper.items()) if callable(getattr(wrapper, 'items', None)) else [('', wrapper)]
    )
    groups, labels = [], []
    for prefix, item in wrappers:
        inner = getattr(item, 'optimizer', item)
        for index, group in enumerate(inner.param_groups):
            params = [names.get(id(p), '?') for p in group['params']]
            what = (
                params[0] + (f' +{len(params) - 1}' if len(params) > 1 else '') if params else '-'
            )
            labels.append(f'{prefix + "/" if prefix else ""}group {index} ({what})')
            groups.append(group)
    return wrapper, groups, labels


def _single_group(optim_cfg: Mapping, notes: list[str]) -> tuple[Any, list[dict], list[str]]:
    """One param group with the optimizer's configured values (no model needed)."""
    import torch

    from ...registry import OPTIMIZERS

    optimizer_cfg = optim_cfg.get('optimizer')
    if not isinstance(optimizer_cfg, Mapping) or 'type' not in optimizer_cfg:
        raise ConfigError(
            'optim_wrapper.optimizer (a dict with "type") is needed to know the values to '
            'schedule (several optimizers need the model and build_optim_wrapper)',
            'optim_wrapper',
        )
    args = {k: v for k, v in optimizer_cfg.items() if k != 'type'}
    name = optimizer_cfg['type']
    optimizer_cls = _lookup(OPTIMIZERS, name)[0] if isinstance(name, str) else name
    if optimizer_cls is None and isinstance(name, str):
        optimizer_cls = getattr(torch.optim, name.rpartition('.')[2], None)
    if optimizer_cls is None:
        raise ConfigError(
            f'optimizer type {short_repr(name)} is neither registered nor in torch.optim',
            'optim_wrapper.optimizer.type',
        )
    try:
        optimizer = optimizer_cls([torch.zeros(1, requires_grad=True)], **args)
    except Exception as exc:
        raise ConfigError(f'{name}: {exc}', 'optim_wrapper.optimizer') from exc
    note = "curves show one param group with the optimizer's configured values"
    if notes:
        note += f' ({notes.pop()})'
    if optim_cfg.get('paramwise_cfg'):
        note += '; paramwise_cfg is not applied'
    notes.append(note)
    return optimizer, optimizer.param_groups, ['group 0']
