"""A DenseCL-style custom hook and a model for it, imported by the configs of this folder
through ``custom_imports`` (run ``cadence train`` from the repository root).

From MMSelfSup's "Training Engine" page: DenseCL weighs its single and dense contrastive losses
with ``loss_lambda`` (``loss_single * (1 - loss_lambda)``, ``loss_dense * loss_lambda``), and
``DenseCLHook`` keeps ``loss_lambda`` at 0 until ``start_iters``: a warmup of the dense loss.
Here the "dense" loss is the cross-entropy of an auxiliary head on the first hidden layer of
an MLP classifier, so the same mechanics run on the digits data.
"""

from __future__ import annotations

from typing import Any

import torch.nn.functional as F
from torch import nn

from cadence.hooks import Hook
from cadence.model import MLPClassifier, get_model
from cadence.registry import HOOKS, MODELS


@MODELS.register_module()
class DenseCLStyleClassifier(MLPClassifier):
    """An MLP classifier with two losses weighted by ``loss_lambda``: ``loss_single`` (the
    classifier's cross-entropy) and ``loss_dense`` (an auxiliary head on the first hidden
    layer)."""

    def __init__(self, loss_lambda: float = 0.5, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.loss_lambda = loss_lambda
        first = self.backbone.layer0.fc.out_features
        self.aux_head = nn.Linear(first, self.head.fc.out_features)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        if mode != 'loss':
            return super().forward(inputs, data_samples, mode)
        hidden = self.backbone.layer0(inputs.flatten(1))
        x = hidden
        for i in range(1, self.backbone.num_layers):
            x = getattr(self.backbone, f'layer{i}')(x)
        loss_single = F.cross_entropy(self.head(x), data_samples)
        loss_dense = F.cross_entropy(self.aux_head(hidden), data_samples)
        return {
            'loss_single': loss_single * (1 - self.loss_lambda),
            'loss_dense': loss_dense * self.loss_lambda,
        }


@HOOKS.register_module()
class DenseCLHook(Hook):
    """Keep the model's ``loss_lambda`` at 0 before ``start_iters``, then at its configured
    value (MMSelfSup's DenseCLHook)."""

    def __init__(self, start_iters: int = 1000) -> None:
        self.start_iters = start_iters
        self.loss_lambda = 0.0

    def before_run(self, runner) -> None:
        model = get_model(runner.model)
        if not hasattr(model, 'loss_lambda'):
            raise TypeError(
                f'DenseCLHook needs a model with loss_lambda, got {type(model).__name__}'
            )
        self.loss_lambda = model.loss_lambda

    def before_train_iter(self, runner, batch_idx: int, data_batch: Any = None) -> None:
        cur_iter = runner.iter
        if cur_iter >= self.start_iters:
            get_model(runner.model).loss_lambda = self.loss_lambda
        else:
            get_model(runner.model).loss_lambda = 0.0


@HOOKS.register_module()
class StopAtMetricHook(Hook):
    """Stop training (after the current epoch) once a validation metric reaches a value."""

    def __init__(self, metric: str = 'accuracy/top1', threshold: float = 99.0) -> None:
        self.metric = metric
        self.threshold = threshold

    def after_val_epoch(self, runner, metrics: dict | None = None) -> None:
        if metrics and metrics.get(self.metric, float('-inf')) >= self.threshold:
            runner.logger.info(f'{self.metric} reached {self.threshold}: stopping')
            runner.train_loop.stop_training = True
