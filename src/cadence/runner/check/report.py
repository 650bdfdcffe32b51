"""The result of ``cadence check``: plain data the renderers turn into text or rich tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .findings import Finding


@dataclass(frozen=True)
class LoaderInfo:
    """One dataloader: what it holds and how many batches a pass over it takes on one rank."""

    stage: str
    dataset: str
    samples: int | None
    batch_size: int | None
    sampler: str
    drop_last: bool
    batches: int | None


@dataclass
class DataSummary:
    """Dataset sizes and the iteration arithmetic of training.

    ``iterations`` counts training iterations (one batch per rank each); ``updates`` counts
    optimizer steps (one per ``accumulation`` iterations, the last window possibly shorter);
    ``global_batch`` is the number of samples behind one update.
    """

    world_size: int
    loaders: list[LoaderInfo] = field(default_factory=list)
    by_epoch: bool | None = None
    max_epochs: int | None = None
    epoch_length: int | None = None
    iterations: int | None = None
    accumulation: dict[str, int] = field(default_factory=dict)
    updates: dict[str, int] = field(default_factory=dict)
    global_batch: dict[str, int] = field(default_factory=dict)
    val_every: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ScheduleWindow:
    """Where one scheduler acts, in its own units and in epochs and iterations.

    ``begin_*`` / ``end_*`` are ``None`` where the epoch length is unknown; ``end_*`` is
    ``None`` too for a window without an end (``end=INF``). ``flags`` are short remarks
    (overlaps, gaps, past the end of training).
    """

    key_path: str
    optimizer: str
    scheduler: str
    param: str
    by_epoch: bool
    converted: bool
    begin_epoch: Fraction | None
    end_epoch: Fraction | None
    begin_iter: int | None
    end_iter: int | None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class TurningPoints:
    """The schedule preview's turning points of one value (``cadence schedule``'s table)."""

    param: str
    columns: tuple[str, ...]
    rows: tuple[tuple[int, str, tuple[float, ...]], ...]
    epoch_length: int | None


@dataclass(frozen=True)
class HookRow:
    """One line of the hook order: at ``stage``, ``hook`` runs with ``priority``."""

    stage: str
    priority: str
    hook: str


@dataclass
class CheckReport:
    """Everything ``cadence check`` found out about a config."""

    config: str
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: DataSummary | None = None
    param_groups: Any = None
    param_notes: list[str] = field(default_factory=list)
    windows: list[ScheduleWindow] = field(default_factory=list)
    turning_points: list[TurningPoints] = field(default_factory=list)
    schedule_notes: list[str] = field(default_factory=list)
    hook_order: str = ''
    hook_rows: list[HookRow] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == 'error']

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == 'warning']

    def exit_status(self, strict: bool = False) -> int:
        """1 when there are errors (or, with ``strict``, warnings), else 0."""
        return 1 if self.errors or (strict and self.warnings) else 0
