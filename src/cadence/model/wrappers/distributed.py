"""``MMDistributedDataParallel``: DistributedDataParallel with the Runner's step methods.

``train_step`` runs the model's forward pass *through the wrapper*, so gradients are
all-reduced across ranks during ``backward``, and inside the optimizer wrapper's
``optim_context``, which enters ``no_sync()`` on the iterations of an accumulation window that
do not update. ``val_step`` / ``test_step`` call the wrapped model directly: evaluation needs
no gradient synchronisation.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from ...errors import ConfigError
from ...logging import get_logger
from ...registry import MODEL_WRAPPERS
from ..base_model import BaseModel

#: What the wrapped model must provide (``BaseModel`` does).
REQUIRED_METHODS = ('data_preprocessor', 'parse_losses', 'val_step', 'test_step')


@functools.cache
def _buffer_sync_argument() -> str:
    """torch >= 2.13 renamed ``broadcast_buffers`` (now deprecated) to
    ``forward_sync_buffers``; both mean "broadcast rank 0's buffers before every forward"."""
    parameters = inspect.signature(DistributedDataParallel.__init__).parameters
    return 'forward_sync_buffers' if 'forward_sync_buffers' in parameters else 'broadcast_buffers'


def parameters_outside_graph(loss: torch.Tensor, model: nn.Module) -> list[str]:
    """Names of ``model``'s trainable parameters that ``loss`` does not depend on (they get no
    gradient, which DDP only tolerates with ``find_unused_parameters=True``)."""
    reached: set[int] = set()
    seen: set[Any] = set()
    stack = [loss.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        variable = getattr(node, 'variable', None)  # AccumulateGrad nodes hold the parameter
        if variable is not None:
            reached.add(id(variable))
        stack.extend(next_node for next_node, _ in node.next_functions)
    return [
        name
        for name, param in model.named_parameters()
        if param.requires_grad and id(param) not in reached
    ]


@MODEL_WRAPPERS.register_module()
class MMDistributedDataParallel(DistributedDataParallel):
    """``torch.nn.parallel.DistributedDataParallel`` plus ``train_step`` / ``val_step`` /
    ``test_step`` (the Runner's default wrapper under ``launcher='pytorch'``).

    Args:
        module: The model (a :class:`~cadence.model.BaseModel`).
        detect_anomalous_params: After each backward pass, log the parameters the loss does
            not depend on (slow; for debugging "Expected to have finished reduction" errors).
        device_ids: The model's GPU (``[local_rank]``); ``None`` on the CPU.
        output_device: See DistributedDataParallel.
        dim: See DistributedDataParallel.
        broadcast_buffers: Broadcast rank 0's buffers (BatchNorm statistics) before every
            forward pass. The Runner passes ``False``, as the reference does.
        process_group: The group to synchronise over (the default group if ``None``).
        bucket_cap_mb: Gradient bucket size (torch's default if ``None``).
        find_unused_parameters: Allow parameters that get no gradient in some iterations.
        check_reduction: See DistributedDataParallel.
        gradient_as_bucket_view: Let gradients share memory with the communication buckets.
        static_graph: The set of used parameters never changes (enables optimisations).
    """

    def __init__(
        self,
        module: nn.Module,
        detect_anomalous_params: bool = False,
        device_ids: list[int] | None = None,
        output_device: int | None = None,
        dim: int = 0,
        broadcast_buffers: bool = True,
        process_group: Any = None,
        bucket_cap_mb: float | None = None,
        find_unused_parameters: bool = False,
        check_reduction: bool = False,
        gradient_as_bucket_view: bool = False,
        static_graph: bool = False,
    ) -> None:
        missing = [name for name in REQUIRED_METHODS if not hasattr(module, name)]
        if missing:
            raise ConfigError(
                f'MMDistributedDataParallel wraps a BaseModel; {type(module).__name__} has no '
                f'{", ".join(missing)}. Subclass cadence.model.BaseModel, or name a wrapper '
                f'that knows your model in model_wrapper_cfg=dict(type=...)',
                'model_wrapper_cfg',
            )
        kwargs: dict[str, Any] = {
            'device_ids': device_ids,
            'output_device': output_device,
            'dim': dim,
            'process_group': process_group,
            'find_unused_parameters': find_unused_parameters,
            'check_reduction': check_reduction,
            'gradient_as_bucket_view': gradient_as_bucket_view,
            'static_graph': static_graph,
            _buffer_sync_argument(): broadcast_buffers,
        }
        if bucket_cap_mb is not None:
            kwargs['bucket_cap_mb'] = bucket_cap_mb
        super().__init__(module, **kwargs)
        self.detect_anomalous_params = detect_anomalous_params

    def train_step(self, data: Any, optim_wrapper: Any) -> dict[str, torch.Tensor]:
        """As ``BaseModel.train_step``, with the forward pass through DDP."""
        with optim_wrapper.optim_context(self):
            data = self.module.data_preprocessor(data, True)
            # BaseModel's dispatch (dict -> keyword, sequence -> positional) calls self(...),
            # which here is DDP's forward: that is what arms the gradient all-reduce.
            losses = BaseModel._run_forward(self, data, mode='loss')
        loss, log_vars = self.module.parse_losses(losses)
        optim_wrapper.update_params(loss)
        if self.detect_anomalous_params:
            unused = parameters_outside_graph(loss, self.module)
            if unused:
                get_logger().error(
                    f'these parameters are not used to compute the loss: {", ".join(unused)}; '
                    f'set find_unused_parameters=True in the config, or remove them'
                )
        return log_vars

    def val_step(self, data: Any) -> list:
        """The wrapped model's ``val_step`` (no synchronisation needed)."""
        return self.module.val_step(data)

    def test_step(self, data: Any) -> list:
        """The wrapped model's ``test_step``."""
        return self.module.test_step(data)
