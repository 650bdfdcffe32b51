"""``LogProcessor``: turns the message hub's scalars into the reference's log lines and the
dict written to the scalar backends.

Train lines (by epoch / by iteration), one line each in the log::

    Epoch(train)  [1][10/45]  lr: 1.0000e-02  eta: 0:00:41  time: 0.0131  data_time: 0.0006
        momentum: 0.9000  loss: 2.1054  (mean of the last 10 values: time, data_time, loss)
    Iter(train) [ 10/1000]  lr: 1.0000e-02  eta: ...  time: ...  data_time: ...  loss: ...

Keys matching ``mean_pattern`` (losses, times, grad_norm) are averaged over the last
``window_size`` logged values, and the note at the end of the line says so; everything else
(lr, momentum, ...) shows its current value. ``lr`` is the first parameter group's (the
reference's key); other groups with a different lr or momentum appear as ``lr/<name>`` and
``momentum/<name>`` (see ``param_group_values``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import Any

from ..errors import ConfigError
from ..registry import LOG_PROCESSORS
from .param_group_values import GroupValues

_METHODS = ('mean', 'current', 'max', 'min')


@LOG_PROCESSORS.register_module()
class LogProcessor:
    """Formats logs; see the module docstring.

    Args:
        window_size: Iterations averaged for smoothed keys (an int, ``'epoch'`` or
            ``'global'``).
        by_epoch: Epoch-style (``Epoch(train) [e][i/n]``) or iteration-style headers; an
            iteration-based config sets ``by_epoch=False``.
        custom_cfg: Extra statistics: a list of ``dict(data_src='loss', method='max',
            window_size='global', log_name='loss_max')``.
        num_digits: Digits after the decimal point.
        log_with_hierarchy: Keep the ``train/`` / ``val/`` prefixes in the scalar log.
        mean_pattern: Regular expression of the keys to average.
    """

    def __init__(
        self,
        window_size: int | str = 10,
        by_epoch: bool = True,
        custom_cfg: Sequence[dict] | None = None,
        num_digits: int = 4,
        log_with_hierarchy: bool = False,
        mean_pattern: str = r'.*(loss|time|data_time|grad_norm).*',
    ) -> None:
        _check_window(window_size, 'log_processor.window_size')
        self.window_size = window_size
        self.by_epoch = by_epoch
        self.custom_cfg = self._check_custom_cfg(custom_cfg or [])
        self.num_digits = num_digits
        self.log_with_hierarchy = log_with_hierarchy
        self.mean_pattern = re.compile(mean_pattern)
        self._groups: GroupValues | None = None

    @staticmethod
    def _check_custom_cfg(custom_cfg: Sequence[dict]) -> list[dict]:
        checked = []
        seen_names: set[str] = set()
        for index, item in enumerate(custom_cfg):
            path = f'log_processor.custom_cfg.{index}'
            if not isinstance(item, dict) or 'data_src' not in item:
                raise ConfigError(
                    "each entry must be dict(data_src='loss', method='mean', ...)", path
                )
            unknown = set(item) - {'data_src', 'log_name', 'method', 'window_size'}
            if unknown:
                raise ConfigError(
                    f'unknown keys {sorted(unknown)}; use data_src, log_name, method, window_size',
                    path,
                )
            method = item.get('method', 'mean')
            if method not in _METHODS:
                raise ConfigError(f'method must be one of {_METHODS}, got {method!r}', path)
            _check_window(item.get('window_size', 10), f'{path}.window_size')
            name = item.get('log_name', item['data_src'])
            if name in seen_names:
                raise ConfigError(f'two entries log under the same name {name!r}', path)
            seen_names.add(name)
            checked.append(dict(item))
        return checked

    # -- collecting --------------------------------------------------------------------------

    def _window(self, window: int | str, runner, batch_idx: int) -> int | None:
        if window == 'global':
            return None
        if window == 'epoch':
            return (batch_idx + 1) if self.by_epoch else runner.iter + 1
        return int(window)

    def collect_scalars(self, runner, batch_idx: int, mode: str) -> dict[str, Any]:
        """``{name: value}`` of every ``{mode}/`` scalar (smoothed or current) and custom
        statistic; names keep the ``mode/`` prefix when ``log_with_hierarchy``."""
        return self._collect(runner, batch_idx, mode)[0]

    def _collect(
        self, runner, batch_idx: int, mode: str
    ) -> tuple[dict[str, Any], dict[str, int | None]]:
        """The scalars, and for each smoothed one (by short name) how many values its mean
        covers (``None``: since the start)."""
        prefix = f'{mode}/'
        window = self._window(self.window_size, runner, batch_idx)
        tag: dict[str, Any] = {}
        smoothed: dict[str, int | None] = {}
        scalars = runner.message_hub.log_scalars
        for key, buffer in scalars.items():
            if not key.startswith(prefix):
                continue
            short = key[len(prefix) :]
            name = key if self.log_with_hierarchy else short
            if self.mean_pattern.match(short) is not None:
                tag[name] = buffer.mean(window)
                smoothed[short] = None if window is None else min(window, len(buffer))
            else:
                tag[name] = buffer.current()
        for item in self.custom_cfg:
            key = prefix + item['data_src']
            if key not in scalars:
                continue
            log_name = item.get('log_name', item['data_src'])
            name = prefix + log_name if self.log_with_hierarchy else log_name
            method = item.get('method', 'mean')
            size = self._window(item.get('window_size', 10), runner, batch_idx)
            tag[name] = (
                scalars[key].current()
                if method == 'current'
                else getattr(scalars[key], method)(size)
            )
        return tag, smoothed

    def _group_values(self, runner) -> dict[str, float]:
        """The lr / momentum of every distinct parameter group (see ``param_group_values``)."""
        wrapper = getattr(runner, 'optim_wrapper', None)
        if not (hasattr(wrapper, 'optimizer') or hasattr(wrapper, 'optim_wrappers')):
            return {}  # not built yet (a config dict) or absent
        if self._groups is None or self._groups.optim_wrapper is not wrapper:
            self._groups = GroupValues(wrapper, getattr(runner, 'model', None))
        return self._groups.read()

    # -- formatting --------------------------------------------------------------------------

    def _fmt(self, value: Any) -> str:
        if isinstance(value, float):
            return f'{value:.{self.num_digits}f}'
        return str(value)

    def get_log_after_iter(self, runner, batch_idx: int, mode: str) -> tuple[dict, str]:
        """``(scalars for the scalar log, text line)`` after iteration ``batch_idx`` of
        ``mode``."""
        tag, smoothed = self._collect(runner, batch_idx, mode)
        prefix = f'{mode}/' if self.log_with_hierarchy else ''
        if mode == 'train':
            tag.update({prefix + k: v for k, v in self._group_values(runner).items()})
        short = {name: name[len(prefix) :] if prefix else name for name in tag}
        lr_items, momentum_items, items = [], [], []
        shown: list[str] = []  # short names of the values in the line, in order
        for name, value in tag.items():
            kind = _kind(short[name])
            if kind == 'lr' and isinstance(value, float):
                lr_items.append(f'{short[name]}: {value:.{self.num_digits}e}')
            elif kind == 'momentum':
                momentum_items.append(f'{short[name]}: {self._fmt(value)}')
            elif mode == 'train' and short[name] not in ('time', 'data_time') and kind != 'lr':
                items.append(f'{short[name]}: {self._fmt(value)}')
                shown.append(short[name])
        parts = [self._iter_header(runner, batch_idx, mode, tag), *lr_items]
        time_key, data_key = prefix + 'time', prefix + 'data_time'
        eta = runner.message_hub.get_info('eta')
        if time_key in tag and data_key in tag:
            if eta is not None and mode == 'train':
                parts.append(f'eta: {datetime.timedelta(seconds=int(eta))}')
            parts.append(f'time: {self._fmt(tag[time_key])}')
            parts.append(f'data_time: {self._fmt(tag[data_key])}')
            shown[:0] = ['time', 'data_time']
        memory = _max_memory_mb(runner)
        if memory is not None:
            parts.append(f'memory: {memory}')
            tag['memory'] = memory
        parts.extend(momentum_items)
        parts.extend(items)
        note = smoothing_note({name: smoothed[name] for name in shown if name in smoothed})
        if note:
            parts.append(note)
        if mode == 'train':
            tag['iter'] = runner.iter + 1
        return tag, '  '.join(parts)

    def _iter_header(self, runner, batch_idx: int, mode: str, tag: dict) -> str:
        if self.by_epoch:
            length = _dataloader_length(runner, mode)
            current = str(batch_idx + 1).rjust(len(str(length)))
            if mode == 'train':
                epoch = runner.epoch + 1
                epoch_str = f'[{epoch}]'.rjust(len(str(runner.max_epochs)) + 3)
                tag['epoch'] = epoch
                return f'Epoch({mode}){epoch_str}[{current}/{length}]'
            if mode == 'val':
                return f'Epoch({mode}) [{runner.epoch}][{current}/{length}]'
            return f'Epoch({mode}) [{current}/{length}]'
        if mode == 'train':
            total = runner.max_iters
            return f'Iter({mode}) [{str(runner.iter + 1).rjust(len(str(total)))}/{total}]'
        length = _dataloader_length(runner, mode)
        return f'Iter({mode}) [{str(batch_idx + 1).rjust(len(str(length)))}/{length}]'

    def get_log_after_epoch(
        self, runner, batch_idx: int, mode: str, metrics: dict[str, Any] | None = None
    ) -> tuple[dict, str]:
        """``(scalars, text line)`` at the end of a val/test run: the metrics plus the means of
        ``time`` and ``data_time`` over this run's iterations. With ``log_with_hierarchy`` the
        scalars are named ``val/<name>`` (the text keeps the short names)."""
        length = _dataloader_length(runner, mode)
        if self.by_epoch and mode == 'val':
            header = f'Epoch({mode}) [{runner.epoch}][{length}/{length}]'
        elif self.by_epoch:
            header = f'Epoch({mode}) [{length}/{length}]'
        else:
            header = f'Iter({mode}) [{length}/{length}]'
        values: dict[str, Any] = {}
        for name, value in (metrics or {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                values[name] = value
        smoothed: dict[str, int | None] = {}
        scalars = runner.message_hub.log_scalars
        for key in ('time', 'data_time'):
            buffer = scalars.get(f'{mode}/{key}')
            if buffer is not None and len(buffer):
                count = max(1, min(len(buffer), length))
                values[key] = buffer.mean(count)
                smoothed[key] = count
        items = [f'{name}: {self._fmt(value)}' for name, value in values.items()]
        note = smoothing_note(smoothed)
        line = '  '.join([header, *items, *([note] if note else [])])
        prefix = f'{mode}/' if self.log_with_hierarchy else ''
        return {prefix + name: value for name, value in values.items()}, line


def _kind(name: str) -> str:
    """``'lr'`` for lr keys (``lr``, ``base_lr``, ``gen.lr``, ``lr/head``), ``'momentum'``
    for momentum keys, ``''`` otherwise."""
    base = name.partition('/')[0]
    if base.endswith('lr'):
        return 'lr'
    if base.endswith('momentum') and base.rpartition('.')[2] == 'momentum':
        return 'momentum'
    return ''


def smoothing_note(smoothed: dict[str, int | None]) -> str:
    """``(mean of the last 10 values: time, data_time, loss)``: which values of a line are
    means, and over how many logged values, so nobody has to guess what a number means."""
    if not smoothed:
        return ''
    by_count: dict[int | None, list[str]] = {}
    for name, count in smoothed.items():
        by_count.setdefault(count, []).append(name)
    pieces = []
    for count, names in by_count.items():
        if count is None:
            what = 'since the start'
        else:
            what = f'of the last {count} value{"s" if count != 1 else ""}'
        pieces.append(f'{what}: {", ".join(names)}')
    return f'(mean {"; ".join(pieces)})'


def _check_window(window: Any, key_path: str) -> None:
    if window in ('epoch', 'global'):
        return
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ConfigError(f"must be a positive int, 'epoch' or 'global', got {window!r}", key_path)


def _dataloader_length(runner, mode: str) -> int:
    loader = getattr(runner, f'{mode}_dataloader', None)
    try:
        return len(loader)
    except TypeError:
        return 0


_CUDA: list[bool] = []  # whether CUDA is available, looked up once


def _max_memory_mb(runner) -> int | None:
    """Peak CUDA memory in MB since the last call (``None`` without CUDA)."""
    import torch

    if not _CUDA:
        _CUDA.append(torch.cuda.is_available())
    if not _CUDA[0]:
        return None
    memory = torch.cuda.max_memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    return int(memory / (1024 * 1024))
