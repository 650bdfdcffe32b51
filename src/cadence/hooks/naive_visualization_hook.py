"""``NaiveVisualizationHook``: a PNG grid of test samples with their predicted and true labels.

During testing it keeps the first ``max_samples`` samples of every ``interval``-th batch (the
images as the dataloader yields them, before the data preprocessor normalises them) with the
model's prediction, and after the test writes one grid to
``<log_dir>/vis_data/vis_image/test_predictions.png``. Titles show ``pred`` and ``gt`` (class
names when the dataset's ``metainfo`` has ``classes``), green when they agree and red when not.
matplotlib is imported only when the grid is drawn (Agg, no display needed).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import torch

from ..errors import ConfigError, short_repr
from ..registry import HOOKS
from .hook import Hook

CORRECT_COLOR = '#1a7f37'
WRONG_COLOR = '#cf222e'
NEUTRAL_COLOR = 'black'


def batch_images(data_batch: Any) -> list[torch.Tensor] | None:
    """The per-sample images of a batch: ``dict(inputs=Tensor[N, ...] or [Tensor, ...])`` or a
    ``(inputs, labels)`` pair; ``None`` when the batch holds no images."""
    inputs = None
    if isinstance(data_batch, dict):
        inputs = data_batch.get('inputs')
    elif isinstance(data_batch, (list, tuple)) and data_batch:
        inputs = data_batch[0]
    if isinstance(inputs, torch.Tensor) and inputs.dim() >= 2:
        return list(inputs.unbind(0))
    if isinstance(inputs, (list, tuple)) and all(isinstance(t, torch.Tensor) for t in inputs):
        return list(inputs)
    return None


def to_display(image: torch.Tensor) -> tuple[Any, bool]:
    """``(array in [0, 1] of shape HxW or HxWxC, grey?)`` for ``imshow``.

    Channel-first images (``CxHxW`` with 1, 3 or 4 channels) are moved channel-last; a flat
    vector with a square length is shown as a square; ``uint8`` is divided by 255; other values
    outside [0, 1] are rescaled to the image's own min and max.
    """
    image = image.detach().cpu()
    image = image.float() / 255.0 if image.dtype == torch.uint8 else image.float()
    if image.dim() == 1:
        side = math.isqrt(image.numel())
        image = image.view(side, side) if side * side == image.numel() else image.view(1, -1)
    if image.dim() == 3 and image.shape[0] in (1, 3, 4):
        image = image.permute(1, 2, 0)
    if image.dim() == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.dim() != 2 and not (image.dim() == 3 and image.shape[-1] in (3, 4)):
        raise ValueError(f'cannot show an image of shape {tuple(image.shape)}')
    low, high = float(image.min()), float(image.max())
    if low < 0.0 or high > 1.0:
        image = (image - low) / (high - low) if high > low else torch.zeros_like(image)
    return image.numpy(), image.dim() == 2


def sample_title(
    pred: int | None,
    gt: int | None,
    classes: Sequence[str] | None,
    draw_gt: bool = True,
    draw_pred: bool = True,
) -> tuple[str, str]:
    """``(title, colour)`` of one grid cell: ``'pred: 3\\ngt: 5'`` in red (wrong), green (right)
    or black (only one of them shown or known)."""

    def name(label: int) -> str:
        if classes is not None and 0 <= label < len(classes):
            return str(classes[label])
        return str(label)

    lines = []
    if draw_pred and pred is not None:
        lines.append(f'pred: {name(pred)}')
    if draw_gt and gt is not None:
        lines.append(f'gt: {name(gt)}')
    colour = NEUTRAL_COLOR
    if draw_pred and draw_gt and pred is not None and gt is not None:
        colour = CORRECT_COLOR if pred == gt else WRONG_COLOR
    return '\n'.join(lines), colour


def render_prediction_grid(
    samples: Sequence[tuple[torch.Tensor, int | None, int | None]],
    path: str,
    classes: Sequence[str] | None = None,
    draw_gt: bool = True,
    draw_pred: bool = True,
) -> str:
    """Draw ``(image, pred, gt)`` samples in a near-square grid and save it as a PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    columns = math.ceil(math.sqrt(len(samples)))
    rows = math.ceil(len(samples) / columns)
    figure = Figure(figsize=(1.6 * columns, 1.9 * rows), dpi=100)
    FigureCanvasAgg(figure)
    for index, (image, pred, gt) in enumerate(samples):
        axes = figure.add_subplot(rows, columns, index + 1)
        array, grey = to_display(image)
        axes.imshow(array, cmap='gray' if grey else None, vmin=0.0, vmax=1.0)
        axes.set_xticks([])
        axes.set_yticks([])
        title, colour = sample_title(pred, gt, classes, draw_gt, draw_pred)
        axes.set_title(title, fontsize=8, color=colour)
    figure.tight_layout()
    os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
    figure.savefig(path, format='png')
    return path


def _label(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            return int(value.argmax()) if value.dim() == 1 else None
        return int(value.item())
    return int(value) if isinstance(value, int) else None


def prediction_of(output: Any) -> int | None:
    """The predicted class of one model output (``pred_label``, else argmax of ``pred_score``)."""
    if not isinstance(output, dict):
        return None
    if output.get('pred_label') is not None:
        return _label(output['pred_label'])
    return _label(output.get('pred_score'))


@HOOKS.register_module()
class NaiveVisualizationHook(Hook):
    """Write a grid of test samples with predicted and true labels.

    Args:
        interval: Take samples from every ``interval``-th test batch.
        draw_gt: Show the true label.
        draw_pred: Show the predicted label.
        max_samples: The most samples in the grid.
    """

    priority = 'LOWEST'

    def __init__(
        self,
        interval: int = 1,
        draw_gt: bool = True,
        draw_pred: bool = True,
        max_samples: int = 64,
    ) -> None:
        for name, value in (('interval', interval), ('max_samples', max_samples)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f'{name} must be a positive int, got {short_repr(value)}')
        self.interval = interval
        self.draw_gt = draw_gt
        self.draw_pred = draw_pred
        self.max_samples = max_samples
        self._samples: list[tuple[torch.Tensor, int | None, int | None]] = []
        self._warned = False
        self.last_path: str | None = None

    def before_test(self, runner) -> None:
        self._samples = []

    def after_test_iter(
        self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None
    ) -> None:
        if len(self._samples) >= self.max_samples or not self.every_n_inner_iters(
            batch_idx, self.interval
        ):
            return
        images = batch_images(data_batch)
        if images is None or not isinstance(outputs, Sequence):
            if not self._warned:
                self._warned = True
                runner.logger.warning(
                    'NaiveVisualizationHook: the test batches have no image tensors under '
                    "'inputs' (or the model's predictions are not a list); nothing is drawn"
                )
            return
        labels = data_batch.get('data_samples') if isinstance(data_batch, dict) else None
        for index, (image, output) in enumerate(zip(images, outputs)):
            if len(self._samples) >= self.max_samples:
                break
            gt = _label(output.get('gt_label')) if isinstance(output, dict) else None
            if gt is None and labels is not None and index < len(labels):
                gt = _label(labels[index])
            self._samples.append((image.detach().cpu().clone(), prediction_of(output), gt))

    def after_test_epoch(self, runner, metrics: dict | None = None) -> None:
        if not self._samples:
            return
        meta = getattr(runner.test_dataloader.dataset, 'metainfo', None) or {}
        path = os.path.join(runner.log_dir, 'vis_data', 'vis_image', 'test_predictions.png')
        self.last_path = render_prediction_grid(
            self._samples, path, meta.get('classes'), self.draw_gt, self.draw_pred
        )
        self._samples = []
        runner.logger.info(f'NaiveVisualizationHook: test predictions drawn in {path}')
