""":func:`check_config`: build everything a run needs, without training, and report.

The checks run in order, each on its own: a check that fails records its errors and the next
one still runs, using what earlier checks could build (the model on the meta device, or a
stand-in optimizer with the configured values). Nothing is written and no checkpoint is loaded.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Mapping
from typing import Any

from ...config import Config
from ...config.provenance import display_path
from ...errors import ConfigError, short_repr
from ...registry.default_scope import overwrite_default_scope
from ..defaults import CFG_KEYS
from .context import CheckContext
from .data_checks import check_data
from .findings import Findings, capture_warnings
from .hook_checks import check_hooks
from .model_checks import check_model, check_optimizer
from .report import CheckReport
from .schedule_checks import check_schedules
from .setup_checks import check_imports, check_run_files, check_runner_settings

#: ``(name, check)`` in the order they run; later checks use what earlier ones built.
CHECKS: tuple[tuple[str, Callable[[CheckContext], None]], ...] = (
    ('imports', check_imports),
    ('runner settings', check_runner_settings),
    ('run files', check_run_files),
    ('model', check_model),
    ('optimizer', check_optimizer),
    ('data', check_data),
    ('schedules', check_schedules),
    ('hooks', check_hooks),
)


def _as_config(cfg: Any) -> Config:
    if isinstance(cfg, Config):
        return cfg.copy()
    if isinstance(cfg, Mapping):
        return Config(copy.deepcopy(dict(cfg)))
    if isinstance(cfg, (str, os.PathLike)):
        return Config.fromfile(cfg, import_custom_modules=False)  # imported by a check
    raise ConfigError(f'expected a Config, a dict or a config path, got {short_repr(cfg)}')


def check_config(cfg: Any, *, world_size: int = 1) -> CheckReport:
    """Check a whole training config (a :class:`Config`, a dict or a path).

    Args:
        cfg: The config, as ``cadence train`` would run it.
        world_size: Number of processes the run will use: iterations per epoch, the global
            batch and ``auto_scale_lr`` are computed for it.

    Returns:
        A :class:`CheckReport` listing every error and warning found, and what was built.
    """
    if isinstance(world_size, bool) or not isinstance(world_size, int) or world_size < 1:
        raise ConfigError(f'must be a positive int, got {world_size!r}', 'world_size')
    cfg = _as_config(cfg)
    report = CheckReport(config=display_path(cfg.filename) if cfg.filename else '<config>')
    findings = Findings(cfg.provenance)
    values = {key: cfg.get(key, copy.deepcopy(default)) for key, default in CFG_KEYS.items()}
    values['model'] = cfg.get('model')
    ctx = CheckContext(cfg, values, world_size, findings, report)
    scope = values.get('default_scope')
    with overwrite_default_scope(scope if isinstance(scope, str) else None):
        for name, check in CHECKS:
            findings.check = name
            with capture_warnings(findings, cfg), findings.catching():
                check(ctx)
    report.findings = list(findings.items)
    return report
