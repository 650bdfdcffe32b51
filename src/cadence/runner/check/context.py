"""What the checks share: the config, the Runner arguments read from it, and what earlier
checks built (so a later check can use it, or fall back when it could not be built)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .findings import Findings
from .report import CheckReport


def optimizer_wrappers(optim_wrapper: Any) -> dict[str, Any]:
    """``{name: wrapper}`` of an ``OptimWrapperDict``; ``{'': wrapper}`` for a single one."""
    if callable(getattr(optim_wrapper, 'items', None)) and not hasattr(optim_wrapper, 'optimizer'):
        return dict(optim_wrapper.items())
    return {'': optim_wrapper}


@dataclass
class Training:
    """How long training runs; ``None`` where the config or the data did not say."""

    by_epoch: bool = True
    max_epochs: int | None = None
    max_iters: int | None = None
    epoch_length: int | None = None
    batch_size: int | None = None

    @property
    def iterations(self) -> int | None:
        """Training iterations in all."""
        if not self.by_epoch:
            return self.max_iters
        if self.max_epochs is None or self.epoch_length is None:
            return None
        return self.max_epochs * self.epoch_length


@dataclass
class CheckContext:
    """State passed from check to check.

    Attributes:
        cfg: The whole config.
        values: The Runner's arguments as ``Runner.from_cfg`` reads them.
        world_size: Processes the run will use (iterations per epoch are per process).
        model: The model built on the meta device (or the CPU), if it could be built.
        optim_wrapper: The optimizer wrapper built for that model, or a stand-in.
        stand_in: Why ``optim_wrapper`` is a stand-in (``None`` when it is the real one).
        loaders: The dataloaders that could be built, by stage.
        lr_scaled: Whether ``auto_scale_lr`` scaled the wrapper's lrs (the schedule preview,
            built from the config, shows them unscaled).
    """

    cfg: Any
    values: dict[str, Any]
    world_size: int
    findings: Findings
    report: CheckReport
    model: Any = None
    optim_wrapper: Any = None
    stand_in: str | None = None
    loaders: dict[str, Any] = field(default_factory=dict)
    training: Training = field(default_factory=Training)
    lr_scaled: bool = False
