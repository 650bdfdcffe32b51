"""Scalar backends (``VISBACKENDS``): where logged scalars, the config and images go.

``LocalVisBackend`` writes JSON lines (one object per logging step, ``{..., "step": N}``) to
``<save_dir>/scalars.json``; ``TensorboardVisBackend`` writes TensorBoard event files to
``save_dir`` (the optional ``tensorboard`` extra, imported when the backend is built). Both take
the reference's names and arguments, so ``vis_backends=[dict(type='LocalVisBackend'),
dict(type='TensorboardVisBackend')]`` works unchanged. Backends are called at logging
intervals only; values may be 0-dim tensors (converted here, once per call).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ConfigError
from ..registry import VISBACKENDS


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data: tensors become numbers, non-finite floats strings
    (``"nan"``, ``"inf"``) so every line stays valid JSON."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if hasattr(value, 'item') and _size(value) == 1:  # tensors, numpy numbers and arrays
        return plain(value.item())
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) or hasattr(value, 'tolist'):
        return [plain(v) for v in (value.tolist() if hasattr(value, 'tolist') else value)]
    return str(value)


def _size(value: Any) -> int:
    return value.numel() if hasattr(value, 'numel') else int(getattr(value, 'size', 1))


def _number(value: Any) -> float | None:
    """A float for numbers and one-element tensors, ``None`` for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if hasattr(value, 'numel') and value.numel() == 1:
        return float(value.item())
    return None


class BaseVisBackend:
    """What every backend offers; the default implementations do nothing.

    Args:
        save_dir: The folder this backend writes into (the Visualizer passes
            ``<log_dir>/vis_data``).
    """

    def __init__(self, save_dir: str) -> None:
        if not isinstance(save_dir, (str, os.PathLike)) or not str(save_dir):
            raise ConfigError(f'save_dir must be a folder path, got {save_dir!r}')
        self._save_dir = os.fspath(save_dir)

    @property
    def save_dir(self) -> str:
        return self._save_dir

    @property
    def experiment(self) -> Any:
        """The underlying writer (the backend itself for the JSON backend)."""
        return self

    def add_config(self, config: Any) -> None:
        """Record the run's config (a :class:`~cadence.config.Config`)."""

    def add_image(self, name: str, image: Any, step: int = 0) -> None:
        """Record an ``HxWx3`` uint8 image (numpy array or tensor)."""

    def add_scalar(self, name: str, value: Any, step: int = 0) -> None:
        self.add_scalars({name: value}, step)

    def add_scalars(
        self, scalar_dict: Mapping[str, Any], step: int = 0, file_path: str | None = None
    ) -> None:
        """Record several scalars at ``step``."""

    def close(self) -> None:
        """Flush and release files; the backend may be used again afterwards."""


@VISBACKENDS.register_module()
class LocalVisBackend(BaseVisBackend):
    """JSON lines, the config and PNG images under ``save_dir``.

    Every ``add_scalars`` call appends one line ``{..., "step": N}`` to
    ``save_dir/scalar_save_file`` (and to ``save_dir/file_path`` when given, as the reference's
    per-run copy) and flushes it, so a crash loses nothing already logged.

    Args:
        save_dir: The folder to write into.
        img_save_dir: Sub-folder for images (``<name>_<step>.png``).
        config_save_file: File name of the dumped config.
        scalar_save_file: File name of the JSON-lines scalar log.
    """

    def __init__(
        self,
        save_dir: str,
        img_save_dir: str = 'vis_image',
        config_save_file: str = 'config.py',
        scalar_save_file: str = 'scalars.json',
    ) -> None:
        super().__init__(save_dir)
        for name, value in (
            ('img_save_dir', img_save_dir),
            ('config_save_file', config_save_file),
            ('scalar_save_file', scalar_save_file),
        ):
            if not isinstance(value, str) or not value:
                raise ConfigError(f'{name} must be a file or folder name, got {value!r}')
        if not scalar_save_file.endswith('.json'):
            raise ConfigError(
                f"scalar_save_file must end with '.json' (JSON lines), got {scalar_save_file!r}"
            )
        self._img_save_dir = os.path.join(self._save_dir, img_save_dir)
        self._config_save_file = os.path.join(self._save_dir, config_save_file)
        self._scalar_save_file = os.path.join(self._save_dir, scalar_save_file)
        self._files: dict[str, Any] = {}

    @property
    def scalar_save_file(self) -> str:
        """Path of the JSON-lines scalar log."""
        return self._scalar_save_file

    def _file(self, path: str) -> Any:
        handle = self._files.get(path)
        if handle is None:
            os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
            handle = self._files[path] = open(path, 'a', encoding='utf-8')  # noqa: SIM115
        return handle

    def add_scalars(
        self, scalar_dict: Mapping[str, Any], step: int = 0, file_path: str | None = None
    ) -> None:
        line = json.dumps({**plain(dict(scalar_dict)), 'step': plain(step)}) + '\n'
        paths = [self._scalar_save_file]
        if file_path is not None:
            extra = os.path.join(self._save_dir, file_path)
            if extra != self._scalar_save_file:
                paths.append(extra)
        for path in paths:
            handle = self._file(path)
            handle.write(line)
            handle.flush()

    def add_config(self, config: Any) -> None:
        os.makedirs(self._save_dir, exist_ok=True)
        config.dump(self._config_save_file)

    def add_image(self, name: str, image: Any, step: int = 0) -> None:
        from matplotlib.image import imsave

        os.makedirs(self._img_save_dir, exist_ok=True)
        array = image.detach().cpu().numpy() if hasattr(image, 'detach') else image
        imsave(os.path.join(self._img_save_dir, f'{name}_{step}.png'), array)

    def close(self) -> None:
        while self._files:
            _, handle = self._files.popitem()
            handle.close()


@VISBACKENDS.register_module()
class TensorboardVisBackend(BaseVisBackend):
    """TensorBoard event files in ``save_dir`` (``tensorboard --logdir <work_dir>``).

    Needs the ``tensorboard`` package (``pip install 'cadence[tensorboard]'``); a clear error
    says so when the backend is built, before training starts. Scalars are written with
    ``SummaryWriter.add_scalar(name, value, step)``; values that are not numbers are skipped.

    Args:
        save_dir: The folder the event files go to.
    """

    def __init__(self, save_dir: str) -> None:
        super().__init__(save_dir)
        self._writer_class = _summary_writer_class()
        self._writer: Any = None

    @property
    def experiment(self) -> Any:
        """The ``torch.utils.tensorboard.SummaryWriter`` (created on first use)."""
        if self._writer is None:
            os.makedirs(self._save_dir, exist_ok=True)
            self._writer = self._writer_class(self._save_dir)
        return self._writer

    def add_scalars(
        self, scalar_dict: Mapping[str, Any], step: int = 0, file_path: str | None = None
    ) -> None:
        writer = self.experiment
        for name, value in scalar_dict.items():
            number = _number(value)
            if number is not None:
                writer.add_scalar(name, number, int(step))
        writer.flush()

    def add_config(self, config: Any) -> None:
        text = getattr(config, 'pretty_text', None) or str(config)
        self.experiment.add_text('config', f'```python\n{text}\n```')

    def add_image(self, name: str, image: Any, step: int = 0) -> None:
        self.experiment.add_image(name, image, int(step), dataformats='HWC')

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _summary_writer_class() -> Any:
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as exc:
        raise ConfigError(
            'TensorboardVisBackend needs the tensorboard package, which is not installed '
            f"({exc}); install it with pip install 'cadence[tensorboard]' (or pip install "
            "tensorboard), or use dict(type='LocalVisBackend') only"
        ) from None
    return SummaryWriter
