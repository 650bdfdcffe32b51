"""``CosineAnnealingWeightDecay`` (mmpretrain): cosine annealing of weight decay."""

from __future__ import annotations

from ...registry import PARAM_SCHEDULERS
from .cosine import CosineAnnealingParamScheduler
from .variants import with_param_name


@PARAM_SCHEDULERS.register_module()
@with_param_name('weight_decay')
class CosineAnnealingWeightDecay(CosineAnnealingParamScheduler):
    """:class:`CosineAnnealingParamScheduler` on ``weight_decay``.

    Groups whose base weight decay is 0 (biases and norms under ``paramwise_cfg``) stay at 0,
    whatever ``eta_min`` says, as in mmpretrain.
    """

    def _anchor_eta(
        self, index: int, segment: int, start: float | None = None
    ) -> tuple[float, float]:
        if self.base_values[index] == 0:
            return 0.0, 0.0
        return super()._anchor_eta(index, segment, start)

    def _carries(self, index: int) -> bool:
        return self.base_values[index] != 0
