"""The Runner's hooks: priority-ordered registration and per-stage dispatch lists.

For each stage the list of bound methods of the hooks that override it is computed once, when
hooks are registered, so calling a stage costs one loop over the hooks that actually do
something there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import ConfigError
from ..hooks.hook import STAGES, Hook, misspelled_stages, triggered_stages
from ..hooks.priority import get_priority, priority_label
from ..logging import get_logger
from ..registry import HOOKS


class HookList:
    """Hooks in execution order (stable: equal priorities keep registration order)."""

    def __init__(self) -> None:
        self._hooks: list[Hook] = []
        self._values: list[int] = []
        self.methods: dict[str, list[Any]] = {stage: [] for stage in STAGES}

    def __iter__(self) -> Iterator[Hook]:
        return iter(self._hooks)

    def __len__(self) -> int:
        return len(self._hooks)

    @property
    def hooks(self) -> list[Hook]:
        return list(self._hooks)

    def register(
        self, hook: Hook | Mapping[str, Any], priority: Any = None, key_path: str = 'hook'
    ):
        """Add ``hook`` (an instance or a config dict with an optional ``priority`` key).

        The priority is, in order: the ``priority`` argument, the dict's ``priority`` key, the
        hook's own ``priority`` attribute. It is stored on the hook as given.
        """
        if isinstance(hook, Mapping):
            cfg = dict(hook)
            from_cfg = cfg.pop('priority', None)
            hook = HOOKS.build(cfg, key_path=key_path)
            if priority is None:
                priority = from_cfg
        if not isinstance(hook, Hook):
            raise ConfigError(
                f'{type(hook).__name__} is not a hook: hooks must subclass cadence.hooks.Hook',
                key_path,
            )
        if priority is None:
            priority = hook.priority
        value = get_priority(priority, f'{key_path}.priority')
        hook.priority = priority
        for name, guesses in misspelled_stages(hook):
            hint = f' Did you mean {guesses[0]!r}?' if guesses else ''
            get_logger().warning(
                f'{key_path}: {type(hook).__name__}.{name} is not a hook stage and will never be '
                f'called.{hint}'
            )
        position = 0
        for index in range(len(self._values) - 1, -1, -1):
            if value >= self._values[index]:
                position = index + 1
                break
        self._hooks.insert(position, hook)
        self._values.insert(position, value)
        self._rebuild()
        return hook

    def _rebuild(self) -> None:
        methods: dict[str, list[Any]] = {stage: [] for stage in STAGES}
        for hook in self._hooks:
            for stage in triggered_stages(hook):
                methods[stage].append(getattr(hook, stage))
        self.methods = methods

    def order_table(self) -> str:
        """The execution order per stage, in the reference's format (see docs/hooks.md)."""
        sections = []
        triggered = [(hook, set(triggered_stages(hook))) for hook in self._hooks]
        for stage in STAGES:
            lines = [
                f'({priority_label(hook.priority):<12}) {type(hook).__name__:<35}'
                for hook, stages in triggered
                if stage in stages
            ]
            if lines:
                sections.append(f'{stage}:\n' + '\n'.join(lines) + '\n -------------------- ')
        return '\n'.join(sections)
