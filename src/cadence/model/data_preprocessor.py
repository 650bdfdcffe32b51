"""Data preprocessors: the first step of every ``train_step`` / ``val_step``.

``BaseDataPreprocessor`` moves a batch (tensors nested in dicts, lists and tuples) to the model's
device. It has no parameters, so it tracks the device itself through ``to``/``cuda``/``cpu``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

from ..errors import ConfigError
from ..registry import MODELS


@MODELS.register_module()
class BaseDataPreprocessor(nn.Module):
    """Move every tensor of a batch to the model's device.

    Args:
        non_blocking: Pass ``non_blocking=True`` to the copies (with pinned memory, lets the
            host run ahead of the transfer).
    """

    def __init__(self, non_blocking: bool = False) -> None:
        super().__init__()
        self._non_blocking = non_blocking
        self._device = torch.device('cpu')

    @property
    def device(self) -> torch.device:
        return self._device

    def cast_data(self, data: Any) -> Any:
        """``data`` with every tensor on :attr:`device` (same structure)."""
        if isinstance(data, torch.Tensor):
            if data.device == self._device:
                return data
            return data.to(self._device, non_blocking=self._non_blocking)
        kind = type(data)  # the common containers first, without the slower ABC checks
        if kind is dict:
            return {key: self.cast_data(value) for key, value in data.items()}
        if kind is list:
            return [self.cast_data(value) for value in data]
        if kind is tuple:
            return tuple([self.cast_data(value) for value in data])
        if isinstance(data, Mapping):
            return type(data)({key: self.cast_data(value) for key, value in data.items()})
        if isinstance(data, tuple) and hasattr(data, '_fields'):
            return type(data)(*(self.cast_data(v) for v in data))
        if isinstance(data, (list, tuple)):
            return type(data)(self.cast_data(v) for v in data)
        if hasattr(data, 'to') and callable(data.to) and not isinstance(data, (str, bytes)):
            return data.to(self._device)
        return data

    def forward(self, data: Any, training: bool = False) -> Any:
        return self.cast_data(data)

    def to(self, *args: Any, **kwargs: Any) -> BaseDataPreprocessor:
        device = torch._C._nn._parse_to(*args, **kwargs)[0]
        if device is not None:
            self._device = torch.device(device)
        return super().to(*args, **kwargs)

    def cuda(self, device: Any = None) -> BaseDataPreprocessor:
        self._device = torch.device(
            'cuda', torch.cuda.current_device() if device is None else device
        )
        return super().cuda(device)

    def cpu(self) -> BaseDataPreprocessor:
        self._device = torch.device('cpu')
        return super().cpu()


@MODELS.register_module()
class ClsDataPreprocessor(BaseDataPreprocessor):
    """For classification batches ``dict(inputs=..., data_samples=labels)``.

    Accepts stacked tensors (``default_collate``) or lists of per-sample tensors and labels
    (``pseudo_collate``), stacks them, optionally normalises ``inputs`` with ``mean`` and
    ``std`` (per channel), and moves everything to the device.

    Args:
        mean: Per-channel means subtracted from ``inputs`` (``None``: no normalisation).
        std: Per-channel standard deviations ``inputs`` are divided by.
        non_blocking: See :class:`BaseDataPreprocessor`.
    """

    def __init__(
        self,
        mean: Sequence[float] | None = None,
        std: Sequence[float] | None = None,
        non_blocking: bool = False,
    ) -> None:
        super().__init__(non_blocking)
        if (mean is None) != (std is None):
            raise ConfigError('mean and std must be given together (or neither)')
        self._normalize = mean is not None
        if mean is not None:
            self.register_buffer('mean', torch.tensor(mean).view(-1, 1, 1), persistent=False)
            self.register_buffer('std', torch.tensor(std).view(-1, 1, 1), persistent=False)

    def forward(self, data: Any, training: bool = False) -> Any:
        if not isinstance(data, Mapping) or 'inputs' not in data:
            raise TypeError(
                'ClsDataPreprocessor expects a batch dict with "inputs" (and "data_samples"), '
                f'got {type(data).__name__}'
            )
        inputs = data['inputs']
        if isinstance(inputs, (list, tuple)):
            inputs = torch.stack(list(inputs))
        samples = data.get('data_samples')
        if isinstance(samples, (list, tuple)) and samples and isinstance(samples[0], int):
            samples = torch.tensor(samples)
        batch = self.cast_data({'inputs': inputs, 'data_samples': samples})
        if self._normalize:
            batch['inputs'] = (batch['inputs'] - self.mean) / self.std
        return batch
