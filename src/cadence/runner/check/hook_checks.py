"""Hooks: each default and custom hook built and registered on its own, as the Runner
registers them, then the per-stage execution order (the table the Runner logs)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ...hooks.hook import STAGES
from ...hooks.priority import priority_label
from ..defaults import DEFAULT_HOOKS
from ..hook_list import HookList
from .context import CheckContext
from .report import HookRow


def check_hooks(ctx: CheckContext) -> None:
    """Register the default hooks (as overridden by ``default_hooks``), then
    ``custom_hooks``; a hook that fails is reported and left out of the order."""
    findings = ctx.findings
    default_hooks = ctx.values.get('default_hooks')
    custom_hooks = ctx.values.get('custom_hooks')
    merged = dict(DEFAULT_HOOKS)
    if isinstance(default_hooks, Mapping):
        merged.update(default_hooks)
    entries = [(f'default_hooks.{name}', hook) for name, hook in merged.items()]
    if isinstance(custom_hooks, Sequence) and not isinstance(custom_hooks, (str, Mapping)):
        entries += [(f'custom_hooks.{i}', hook) for i, hook in enumerate(custom_hooks)]
    hooks = HookList()
    for path, hook in entries:
        if hook is None or findings.has_error_under(path):
            continue
        with findings.catching():
            hooks.register(hook, key_path=path)
    ctx.report.hook_order = hooks.order_table()
    ctx.report.hook_rows = [
        HookRow(stage, priority_label(method.__self__.priority), type(method.__self__).__name__)
        for stage in STAGES
        for method in hooks.methods[stage]
    ]
