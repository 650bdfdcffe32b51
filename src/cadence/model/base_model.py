"""``BaseModel``: what the Runner trains. It owns the data preprocessor and turns a batch into
losses (``train_step``) or predictions (``val_step`` / ``test_step``).

Subclasses implement ``forward(inputs, data_samples=None, mode='tensor')``:

- ``mode='loss'`` returns a dict of loss tensors (or lists of tensors), plus any other scalars
  to log;
- ``mode='predict'`` returns a list with one prediction per sample;
- ``mode='tensor'`` returns the raw network output.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from ..errors import CadenceError, ConfigError
from ..registry import MODELS
from .module_call import call_module

MODES = ('loss', 'predict', 'tensor')


class LossError(CadenceError, TypeError):
    """The model's ``forward(mode='loss')`` returned something that is not a usable loss."""


class BaseModel(nn.Module):
    """Base class of trainable models.

    Args:
        data_preprocessor: A config dict (built through ``MODELS``), a module, or ``None`` for
            :class:`~cadence.model.BaseDataPreprocessor`.
        init_cfg: Not supported in this version; must be ``None``.
    """

    def __init__(
        self, data_preprocessor: dict | nn.Module | None = None, init_cfg: Any = None
    ) -> None:
        super().__init__()
        if init_cfg is not None:
            raise ConfigError(
                f'init_cfg is not supported by this version of Cadence (got {init_cfg!r}); '
                f"initialise weights in the model's __init__ or use load_from"
            )
        if data_preprocessor is None:
            data_preprocessor = {'type': 'BaseDataPreprocessor'}
        if isinstance(data_preprocessor, nn.Module):
            self.data_preprocessor = data_preprocessor
        elif isinstance(data_preprocessor, Mapping):
            self.data_preprocessor = MODELS.build(
                data_preprocessor, key_path='model.data_preprocessor'
            )
        else:
            raise ConfigError(
                f'must be a config dict, a module or None, got {data_preprocessor!r}',
                'model.data_preprocessor',
            )

    # -- devices -----------------------------------------------------------------------------

    def _set_device(self, device: torch.device) -> None:
        from .data_preprocessor import BaseDataPreprocessor

        for module in self.modules():
            if isinstance(module, BaseDataPreprocessor):
                module._device = device

    def to(self, *args: Any, **kwargs: Any) -> BaseModel:
        device = torch._C._nn._parse_to(*args, **kwargs)[0]
        if device is not None:
            self._set_device(torch.device(device))
        return super().to(*args, **kwargs)

    def cuda(self, device: Any = None) -> BaseModel:
        index = torch.cuda.current_device() if device is None else device
        self._set_device(
            torch.device('cuda', index) if isinstance(index, int) else torch.device(index)
        )
        return super().cuda(device)

    def cpu(self) -> BaseModel:
        self._set_device(torch.device('cpu'))
        return super().cpu()

    # -- steps -------------------------------------------------------------------------------

    def train_step(self, data: Any, optim_wrapper: Any) -> dict[str, torch.Tensor]:
        """Preprocess, compute losses (under the wrapper's context: autocast, no_sync), update
        the parameters, and return the detached values to log."""
        with optim_wrapper.optim_context(self):
            # _modules directly: nn.Module.__getattr__ is a slow path for a per-iteration lookup
            preprocessor = self._modules.get('data_preprocessor')
            if preprocessor is None:
                preprocessor = self.data_preprocessor
            data = call_module(preprocessor, data, True)
            losses = self._run_forward(data, mode='loss')
        loss, log_vars = self.parse_losses(losses)
        optim_wrapper.update_params(loss)
        return log_vars

    def val_step(self, data: Any) -> list:
        """Predictions for a validation batch."""
        data = call_module(self.data_preprocessor, data, False)
        return self._run_forward(data, mode='predict')

    def test_step(self, data: Any) -> list:
        """Predictions for a test batch."""
        data = call_module(self.data_preprocessor, data, False)
        return self._run_forward(data, mode='predict')

    def _run_forward(self, data: Any, mode: str) -> Any:
        kind = type(data)
        if kind is dict:
            return call_module(self, **data, mode=mode)
        if kind is list or kind is tuple:
            return call_module(self, *data, mode=mode)
        if isinstance(data, Mapping):
            return call_module(self, **data, mode=mode)
        if isinstance(data, (list, tuple)):
            return call_module(self, *data, mode=mode)
        raise TypeError(
            f'the data preprocessor must return a dict or a list/tuple of forward() '
            f'arguments, got {type(data).__name__}'
        )

    def forward(self, inputs: Any, data_samples: Any = None, mode: str = 'tensor') -> Any:
        raise NotImplementedError(f'{type(self).__name__} must implement forward()')

    # -- losses ------------------------------------------------------------------------------

    def parse_losses(
        self, losses: Mapping[str, Any]
    ) -> tuple[torch.Tensor, OrderedDict[str, torch.Tensor]]:
        """``(loss to back-propagate, values to log)``.

        Each item is reduced to a scalar (a tensor by its mean, a list of tensors by the sum of
        their means). The loss is the sum of the items whose key contains ``'loss'`` (the
        reference's rule). Logged values are detached tensors: no host synchronisation here.
        """
        if type(losses) is not dict and not isinstance(losses, Mapping):
            raise LossError(
                f"{type(self).__name__}.forward(mode='loss') must return a dict of loss "
                f'tensors, got {type(losses).__name__}'
            )
        items: list[tuple[str, torch.Tensor]] = []
        terms: list[torch.Tensor] = []
        for name, value in losses.items():
            if isinstance(value, torch.Tensor):
                value = value if value.ndim == 0 else value.mean()
            elif (
                isinstance(value, (list, tuple))
                and value
                and all(isinstance(v, torch.Tensor) for v in value)
            ):
                value = sum(v.mean() for v in value)
            else:
                raise LossError(
                    f"{type(self).__name__}.forward(mode='loss') returned {name!r} = "
                    f'{type(value).__name__}; every value must be a tensor or a list of tensors'
                )
            items.append((name, value))
            if 'loss' in name:
                terms.append(value)
        if not terms:
            raise LossError(
                f"{type(self).__name__}.forward(mode='loss') returned no loss term: keys "
                f'{[name for name, _ in items]}; the loss to back-propagate is the sum of the '
                f"values whose key contains 'loss' (e.g. 'loss' or 'loss_cls')"
            )
        loss = terms[0] if len(terms) == 1 else sum(terms)
        # 'loss' comes first; an item named 'loss' gives its own value (as in the reference)
        log_vars = OrderedDict([('loss', None)])
        for name, value in items:
            log_vars[name] = value.detach()
        if log_vars['loss'] is None:
            log_vars['loss'] = loss.detach()
        return loss, log_vars
