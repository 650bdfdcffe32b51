"""Converting BatchNorm layers to ``SyncBatchNorm`` for distributed runs (``sync_bn='torch'``)
and back for single-process runs, keeping their weights and running statistics."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from ...errors import ConfigError

SYNC_BN_TYPES = ('torch',)


class BatchNormXd(_BatchNorm):
    """A BatchNorm for inputs of any dimensionality: what a ``SyncBatchNorm`` becomes in a
    single process (``SyncBatchNorm`` itself does not record whether it was 1d, 2d or 3d)."""

    def _check_input_dim(self, input: torch.Tensor) -> None:
        if input.dim() < 2:
            raise ValueError(f'expected at least 2D input (got {input.dim()}D input)')


def _copy_norm_state(source: _BatchNorm, target: _BatchNorm) -> _BatchNorm:
    if source.affine:
        target.weight = source.weight
        target.bias = source.bias
    target.running_mean = source.running_mean
    target.running_var = source.running_var
    target.num_batches_tracked = source.num_batches_tracked
    target.training = source.training
    if hasattr(source, 'qconfig'):
        target.qconfig = source.qconfig
    return target


def revert_sync_batchnorm(module: nn.Module) -> nn.Module:
    """Replace every ``nn.SyncBatchNorm`` in ``module`` by an equivalent :class:`BatchNormXd`
    (same parameters and statistics, shared, not copied); returns the (possibly new) module."""
    if isinstance(module, nn.SyncBatchNorm):
        reverted = BatchNormXd(
            module.num_features,
            module.eps,
            module.momentum,
            module.affine,
            module.track_running_stats,
        )
        return _copy_norm_state(module, reverted)
    for name, child in module.named_children():
        new_child = revert_sync_batchnorm(child)
        if new_child is not child:
            module.add_module(name, new_child)
    return module


def has_sync_batchnorm(module: nn.Module) -> bool:
    return any(isinstance(m, nn.SyncBatchNorm) for m in module.modules())


def convert_sync_batchnorm(module: nn.Module, implementation: str = 'torch') -> nn.Module:
    """Every BatchNorm of ``module`` as a ``torch.nn.SyncBatchNorm`` (statistics computed over
    the whole global batch). ``SyncBatchNorm`` runs on GPUs only."""
    if implementation not in SYNC_BN_TYPES:
        raise ConfigError(
            f"only 'torch' (torch.nn.SyncBatchNorm) is available, got {implementation!r}",
            'sync_bn',
        )
    device = next((p.device for p in module.parameters()), torch.device('cpu'))
    if device.type == 'cpu':
        raise ConfigError(
            'torch.nn.SyncBatchNorm runs on GPUs only and this model is on the CPU; on CPUs '
            'keep per-process BatchNorm and average its statistics with custom_hooks=[dict(type='
            "'SyncBuffersHook')]",
            'sync_bn',
        )
    return nn.SyncBatchNorm.convert_sync_batchnorm(module)
