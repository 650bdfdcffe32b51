"""``LogProcessor``: turns the message hub's scalars into the reference's log lines and the
dict written to the JSON-lines scalar log.

Train lines (by epoch / by iteration)::

    Epoch(train)  [1][10/45]  lr: 1.0000e-02  eta: 0:00:41  time: 0.0131  data_time: 0.0006
        loss: 2.1054                          (one line in the log)
    Iter(train) [ 10/1000]  lr: 1.0000e-02  eta: ...  time: ...  data_time: ...  loss: ...

Keys matching ``mean_pattern`` (losses, times, grad_norm) are averaged over the last
``window_size`` iterations; everything else (lr, ...) shows its current value.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import Any

from ..errors import ConfigError
from ..registry import LOG_PROCESSORS

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
        prefix = f'{mode}/'
        window = self._window(self.window_size, runner, batch_idx)
        tag: dict[str, Any] = {}
        scalars = runner.message_hub.log_scalars
        for key, buffer in scalars.items():
            if not key.startswith(prefix):
                continue
            name = key if self.log_with_hierarchy else key[len(prefix) :]
            if self.mean_pattern.match(key[len(prefix) :]) is not None:
                tag[name] = buffer.mean(window)
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
        return tag

    # -- formatting --------------------------------------------------------------------------

    def _fmt(self, value: Any) -> str:
        if isinstance(value, float):
            return f'{value:.{self.num_digits}f}'
        return str(value)

    def get_log_after_iter(self, runner, batch_idx: int, mode: str) -> tuple[dict, str]:
        """``(scalars for the scalar log, text line)`` after iteration ``batch_idx`` of
        ``mode``."""
        tag = self.collect_scalars(runner, batch_idx, mode)
        prefix = f'{mode}/' if self.log_with_hierarchy else ''
        lr_items = []
        for name, value in tag.items():
            short = name[len(prefix) :] if prefix and name.startswith(prefix) else name
            if short.endswith('lr') and isinstance(value, float):
                lr_items.append(f'{short}: {value:.{self.num_digits}e}')
        items = []
        if mode == 'train':
            for name, value in tag.items():
                short = name[len(prefix) :] if prefix and name.startswith(prefix) else name
                if short not in ('time', 'data_time') and not short.endswith('lr'):
                    items.append(f'{short}: {self._fmt(value)}')
        parts = [self._iter_header(runner, batch_idx, mode, tag)]
        if lr_items:
            parts.append('  '.join(lr_items))
        time_key, data_key = prefix + 'time', prefix + 'data_time'
        eta = runner.message_hub.get_info('eta')
        if time_key in tag and data_key in tag:
            if eta is not None and mode == 'train':
                parts.append(f'eta: {datetime.timedelta(seconds=int(eta))}')
            parts.append(f'time: {self._fmt(tag[time_key])}')
            parts.append(f'data_time: {self._fmt(tag[data_key])}')
        memory = _max_memory_mb(runner)
        if memory is not None:
            parts.append(f'memory: {memory}')
            tag['memory'] = memory
        parts.extend(items)
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
        """``(scalars, text line)`` at the end of a val/test run: the metrics plus the epoch
        means of ``time`` and ``data_time``."""
        length = _dataloader_length(runner, mode)
        if self.by_epoch and mode == 'val':
            header = f'Epoch({mode}) [{runner.epoch}][{length}/{length}]'
        elif self.by_epoch:
            header = f'Epoch({mode}) [{length}/{length}]'
        else:
            header = f'Iter({mode}) [{length}/{length}]'
        tag: dict[str, Any] = {}
        for name, value in (metrics or {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                tag[name] = value
        scalars = runner.message_hub.log_scalars
        for key in ('time', 'data_time'):
            buffer = scalars.get(f'{mode}/{key}')
            if buffer is not None and len(buffer):
                tag[key] = buffer.mean(max(1, min(len(buffer), length)))
        items = [f'{name}: {self._fmt(value)}' for name, value in tag.items()]
        return tag, '  '.join([header, *items])


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


def _max_memory_mb(runner) -> int | None:
    """Peak CUDA memory in MB since the last call (``None`` without CUDA)."""
    import torch

    if not torch.cuda.is_available():
        return None
    memory = torch.cuda.max_memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    return int(memory / (1024 * 1024))
