"""``Visualizer`` (``VISUALIZERS``): forwards scalars, the config and images to its backends.

The Runner builds it from the config's ``visualizer`` entry (:func:`build_visualizer`); by
default it has one ``LocalVisBackend`` writing ``<log_dir>/vis_data/scalars.json``. Only the
main process writes (other ranks' calls do nothing), like the reference.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ..errors import ConfigError, short_repr
from ..registry import VISBACKENDS, VISUALIZERS
from .logger import get_logger
from .vis_backends import BaseVisBackend

#: What the Runner uses when the config has no ``visualizer``.
DEFAULT_VIS_BACKENDS = ({'type': 'LocalVisBackend'},)


def _type_name(obj_type: Any) -> str:
    """``'LocalVisBackend'`` for ``'mmengine.LocalVisBackend'`` or the class itself."""
    if isinstance(obj_type, str):
        return obj_type.rpartition('.')[2]
    return getattr(obj_type, '__name__', str(obj_type))


def _is_main_process() -> bool:
    from ..dist import is_main_process

    return is_main_process()


@VISUALIZERS.register_module()
class Visualizer:
    """Scalar and image output through one or more backends.

    Args:
        name: The instance name (the Runner passes the experiment name).
        vis_backends: Backend configs (or built backends), e.g.
            ``[dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')]``. A backend
            config without ``save_dir`` writes into ``<save_dir>/vis_data``; a ``name`` key
            names it for :meth:`get_backend` (default: its type).
        save_dir: The run's log folder; required when a backend config has no ``save_dir``.
    """

    _current: ClassVar[Visualizer | None] = None

    def __init__(
        self,
        name: str = 'visualizer',
        vis_backends: Sequence[dict | BaseVisBackend] | dict | None = None,
        save_dir: str | None = None,
    ) -> None:
        self.name = name
        self._save_dir = os.path.join(save_dir, 'vis_data') if save_dir is not None else None
        self._backends: dict[str, BaseVisBackend] = {}
        if isinstance(vis_backends, (Mapping, BaseVisBackend)):
            vis_backends = [vis_backends]
        if vis_backends is not None and (
            isinstance(vis_backends, str) or not isinstance(vis_backends, Sequence)
        ):
            raise ConfigError(
                f'must be a list of backend configs, got {short_repr(vis_backends)}',
                'visualizer.vis_backends',
            )
        for index, backend in enumerate(vis_backends or []):
            self._add_backend(backend, f'visualizer.vis_backends.{index}')
        type(self)._current = self

    def _add_backend(self, backend: dict | BaseVisBackend, key_path: str) -> None:
        if isinstance(backend, BaseVisBackend):
            name = type(backend).__name__
        elif isinstance(backend, Mapping):
            cfg = dict(backend)
            name = cfg.pop('name', None) or _type_name(cfg.get('type'))
            if 'save_dir' not in cfg:
                if self._save_dir is None:
                    raise ConfigError(
                        'needs a save_dir: set it in the backend config, or give the '
                        'Visualizer a save_dir',
                        key_path,
                    )
                cfg['save_dir'] = self._save_dir
            backend = VISBACKENDS.build(cfg, key_path=key_path)
        else:
            raise ConfigError(
                f'must be a backend config such as dict(type="LocalVisBackend"), got '
                f'{short_repr(backend)}',
                key_path,
            )
        if name in self._backends:
            raise ConfigError(
                f'two backends are called {name!r}; give one a different name=...', key_path
            )
        self._backends[name] = backend

    @classmethod
    def get_current_instance(cls) -> Visualizer | None:
        """The most recently built visualizer (the running Runner's), or ``None``."""
        return cls._current

    @property
    def backends(self) -> dict[str, BaseVisBackend]:
        return dict(self._backends)

    def get_backend(self, name: str) -> BaseVisBackend | None:
        """The backend called ``name`` (its type unless its config set ``name``)."""
        return self._backends.get(name)

    def add_config(self, config: Any) -> None:
        if _is_main_process():
            for backend in self._backends.values():
                backend.add_config(config)

    def add_scalar(self, name: str, value: Any, step: int = 0) -> None:
        self.add_scalars({name: value}, step)

    def add_scalars(
        self, scalar_dict: Mapping[str, Any], step: int = 0, file_path: str | None = None
    ) -> None:
        """Write ``scalar_dict`` at ``step`` to every backend (``file_path``: the local
        backend's extra copy, relative to its folder)."""
        if _is_main_process():
            for backend in self._backends.values():
                backend.add_scalars(scalar_dict, step, file_path)

    def add_image(self, name: str, image: Any, step: int = 0) -> None:
        """Write an ``HxWx3`` uint8 image to every backend."""
        if _is_main_process():
            for backend in self._backends.values():
                backend.add_image(name, image, step)

    def close(self) -> None:
        for backend in self._backends.values():
            backend.close()


@VISUALIZERS.register_module()
class UniversalVisualizer(Visualizer):
    """MMPretrain's visualizer name, so its runtime configs
    (``visualizer=dict(type='UniversalVisualizer', vis_backends=[...])``) run unchanged: the
    scalar, config and image output of :class:`Visualizer` (MMPretrain's drawing helpers are
    not provided)."""


def build_visualizer(cfg: Any, *, name: str, log_dir: str) -> Any:
    """The Runner's visualizer from the config's ``visualizer`` entry.

    ``None`` gives the default (one ``LocalVisBackend``); a dict is built from
    ``VISUALIZERS`` with ``name`` and ``save_dir=log_dir`` filled in when unset; a built
    object (anything with ``add_scalars`` and ``close``) is used as it is.
    """
    if cfg is None:
        return Visualizer(name=name, vis_backends=list(DEFAULT_VIS_BACKENDS), save_dir=log_dir)
    if not isinstance(cfg, Mapping):
        if callable(getattr(cfg, 'add_scalars', None)) and callable(getattr(cfg, 'close', None)):
            return cfg
        raise ConfigError(
            "must be a dict such as dict(type='Visualizer', vis_backends=[dict(type="
            f"'LocalVisBackend')]), got {short_repr(cfg)}",
            'visualizer',
        )
    cfg = {'type': 'Visualizer', **cfg}
    cfg.setdefault('name', name)
    cfg.setdefault('save_dir', log_dir)
    visualizer = VISUALIZERS.build(cfg, key_path='visualizer')
    if not getattr(visualizer, 'backends', True):
        get_logger().warning(
            'visualizer.vis_backends is empty: scalars are not saved (add '
            "dict(type='LocalVisBackend') for vis_data/scalars.json)"
        )
    return visualizer
