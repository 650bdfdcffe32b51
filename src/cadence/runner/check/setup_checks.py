"""Checks of the settings read before anything is built: ``custom_imports``, the Runner's own
configuration (through :mod:`..config_check`), the environment, logging, seeds, the work dir
and the checkpoint to load or resume from."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping

from ...config import import_custom_modules_from
from ...logging.run_log import check_log_level
from ...registry import LOG_PROCESSORS, RUNNERS
from ...registry.build import resolve_type
from ..checkpoint import _candidates
from ..config_check import iter_config_errors, unknown_key_errors
from ..defaults import CFG_KEYS
from ..env import ENV_KEYS, MP_KEYS
from ..randomness import check_randomness
from .context import CheckContext

#: Top-level keys the Runner or the command line read; a near miss is probably a typo.
KNOWN_KEYS = (*CFG_KEYS, 'model', 'work_dir', 'custom_imports', 'runner_type')
#: How close a top-level key must be to a known one to be called a typo (difflib ratio).
TYPO_CUTOFF = 0.85


def check_imports(ctx: CheckContext) -> None:
    """``custom_imports`` (so the types they register resolve), then ``runner_type``."""
    with ctx.findings.catching():
        import_custom_modules_from(ctx.cfg)
    runner_type = ctx.cfg.get('runner_type')
    if runner_type is not None:
        from ..runner import Runner

        cls = resolve_type(runner_type, RUNNERS, 'runner_type', ctx.cfg)
        if not (isinstance(cls, type) and issubclass(cls, Runner)):
            ctx.findings.warning(
                f'{getattr(cls, "__name__", cls)} is not a subclass of Runner; the checks '
                'assume what the Runner does',
                'runner_type',
            )


def check_runner_settings(ctx: CheckContext) -> None:
    """Everything the Runner validates before building: the train/val/test triplets, loop,
    dataloader and hook configs (:func:`iter_config_errors`), then ``env_cfg``,
    ``randomness``, ``log_level``, ``log_processor`` and near-miss top-level keys."""
    findings, values = ctx.findings, ctx.values
    for error in iter_config_errors(values):
        findings.exception(error)
    env_cfg = values.get('env_cfg')
    if env_cfg is not None and not isinstance(env_cfg, Mapping):
        findings.error(f'must be a dict, got {env_cfg!r}', 'env_cfg')
    elif env_cfg is not None:
        for error in unknown_key_errors(env_cfg, ENV_KEYS, 'env_cfg'):
            findings.exception(error)
        mp_cfg = env_cfg.get('mp_cfg')
        if isinstance(mp_cfg, Mapping):
            for error in unknown_key_errors(mp_cfg, MP_KEYS, 'env_cfg.mp_cfg'):
                findings.exception(error)
    with findings.catching():
        check_randomness(values.get('randomness'))
    with findings.catching():
        check_log_level(values.get('log_level'))
    log_processor = values.get('log_processor')
    if isinstance(log_processor, Mapping):
        with findings.catching():
            LOG_PROCESSORS.build(
                {'type': 'LogProcessor', **log_processor}, key_path='log_processor'
            )
    for key in ctx.cfg:
        if key in KNOWN_KEYS:
            continue
        close = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=TYPO_CUTOFF)
        if close:
            findings.warning(f'the Runner does not read this key. Did you mean {close[0]!r}?', key)


def check_run_files(ctx: CheckContext) -> None:
    """``model`` and ``work_dir`` are set; ``load_from`` exists; what ``resume`` would use.

    Nothing is written and no checkpoint is loaded.
    """
    findings, values = ctx.findings, ctx.values
    if ctx.cfg.get('model') is None:
        findings.error("the config does not set 'model'", 'model')
    work_dir = ctx.cfg.get('work_dir')
    if work_dir is None:
        findings.error(
            "the config does not set 'work_dir' (cadence train and check set it from the "
            'config name; or pass --work-dir)',
            'work_dir',
        )
    elif not isinstance(work_dir, (str, os.PathLike)) or not str(work_dir):
        findings.error(f'must be a directory path, got {work_dir!r}', 'work_dir')
        work_dir = None
    if values.get('launcher') not in (None, 'none') and ctx.world_size == 1:
        ctx.report.notes.append(
            f'launcher={values["launcher"]!r}: the counts below are for one process; pass '
            '--world-size N for N'
        )
    load_from, resume = values.get('load_from'), values.get('resume')
    if load_from is not None:
        if not isinstance(load_from, (str, os.PathLike)):
            findings.error(f'must be a checkpoint path, got {load_from!r}', 'load_from')
        elif not os.path.isfile(load_from):
            verb = 'resume from' if resume else 'load weights from'
            findings.error(
                f'cannot {verb} {str(load_from)!r}: the file does not exist', 'load_from'
            )
    elif resume and work_dir is not None:
        found = [p for p in _candidates(os.path.abspath(work_dir)) if os.path.isfile(p)]
        what = (
            f'{found[0]} (the newest of {len(found)} checkpoint(s); it is verified when loaded)'
            if found
            else 'nothing yet: training would start from scratch'
        )
        ctx.report.notes.append(f'resume=True without load_from: resumes from {what}')
