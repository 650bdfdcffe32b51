"""Checkpoint files: atomic writes, safe loads, and finding the latest good checkpoint.

A checkpoint is written to a temporary file in the same directory, flushed and fsynced, then
renamed over the final name (atomic on POSIX), and the directory is fsynced; only then is the
``last_checkpoint`` pointer (itself written the same way) updated. A crash or kill at any moment
leaves the previous checkpoint and pointer intact.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import torch
from torch import nn

from ..errors import CadenceError
from ..logging import get_logger

LAST_CHECKPOINT = 'last_checkpoint'
REGULAR_NAME = re.compile(r'^(epoch|iter)_(\d+)\.pth$')
#: Test hook: seconds to sleep after a checkpoint's bytes are written and before it is renamed
#: into place (lets tests kill a process in the middle of a save).
SAVE_DELAY_ENV = 'CADENCE_TEST_SAVE_DELAY'


class CheckpointError(CadenceError):
    """A checkpoint file is missing, unreadable or not a Cadence checkpoint."""


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _atomic_write(path: str, write: Callable[[Any], None], test_delay: bool = False) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f'.{os.path.basename(path)}.', suffix='.tmp', dir=directory)
    try:
        with os.fdopen(fd, 'wb') as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
            delay = os.environ.get(SAVE_DELAY_ENV) if test_delay else None
            if delay:
                time.sleep(float(delay))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    _fsync_dir(directory)


def save_checkpoint_file(checkpoint: Mapping[str, Any], path: str) -> None:
    """Write ``checkpoint`` to ``path`` atomically."""
    _atomic_write(path, lambda handle: torch.save(dict(checkpoint), handle), test_delay=True)


def save_bytes_file(data: bytes, path: str) -> None:
    """Write already-serialised bytes to ``path`` atomically."""
    _atomic_write(path, lambda handle: handle.write(data))


def write_last_checkpoint(directory: str, checkpoint_path: str) -> None:
    """Point ``<directory>/last_checkpoint`` at ``checkpoint_path`` (atomically)."""
    text = os.path.abspath(checkpoint_path).encode()
    _atomic_write(os.path.join(directory, LAST_CHECKPOINT), lambda handle: handle.write(text))


def load_checkpoint_file(path: str, map_location: Any = 'cpu') -> dict[str, Any]:
    """Load a checkpoint with ``torch.load(weights_only=True)``; clear errors if it cannot."""
    if not os.path.isfile(path):
        raise CheckpointError(f'checkpoint {path!r} does not exist')
    try:
        checkpoint = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if 'weights_only' in str(exc) or 'Unsupported global' in str(exc):
            raise CheckpointError(
                f'{path!r} holds Python objects other than tensors and plain data, which '
                f'Cadence does not unpickle (torch.load weights_only=True). If you trust the '
                f'file, extract its weights once: sd = torch.load(path, weights_only=False)'
                f"['state_dict']; torch.save({{'state_dict': sd}}, 'weights.pth')"
            ) from exc
        raise CheckpointError(f'cannot read checkpoint {path!r}: {message}') from exc
    if not isinstance(checkpoint, dict):
        raise CheckpointError(f'{path!r} is not a checkpoint (it holds a {type(checkpoint)})')
    return checkpoint


def _candidates(directory: str) -> list[str]:
    """Checkpoints to try for auto-resume, newest first: the pointer's target, then every
    regular checkpoint (``epoch_N.pth`` / ``iter_N.pth``) by modification time."""
    ordered: list[str] = []
    pointer = os.path.join(directory, LAST_CHECKPOINT)
    search = [directory]
    if os.path.isfile(pointer):
        with open(pointer, encoding='utf-8') as handle:
            target = handle.read().strip()
        if target:
            ordered.append(target)
            search.append(os.path.dirname(target))
    found: list[tuple[float, int, str]] = []
    for folder in dict.fromkeys(search):
        if not os.path.isdir(folder):
            continue
        for name in os.listdir(folder):
            match = REGULAR_NAME.match(name)
            if match:
                path = os.path.join(folder, name)
                found.append((os.path.getmtime(path), int(match.group(2)), path))
    ordered += [path for _, _, path in sorted(found, reverse=True)]
    return list(dict.fromkeys(os.path.abspath(p) for p in ordered))


def find_latest_checkpoint(directory: str) -> tuple[str, dict[str, Any]] | None:
    """``(path, loaded checkpoint)`` of the newest readable checkpoint of a work dir.

    A newest file that cannot be read (a corrupt or truncated write) is reported and the
    previous one is used.
    """
    logger = get_logger()
    for path in _candidates(directory):
        if not os.path.isfile(path):
            logger.warning(f'checkpoint {path} (named in {LAST_CHECKPOINT}) does not exist')
            continue
        try:
            return path, load_checkpoint_file(path)
        except CheckpointError as exc:
            logger.warning(f'skipping unreadable checkpoint: {exc}; trying the previous one')
    return None


def revise_keys(
    state_dict: Mapping[str, Any], revisions: Iterable[tuple[str, str]]
) -> dict[str, Any]:
    """Rename keys with ``(pattern, replacement)`` regular expressions (``^module.`` -> '')."""
    result = dict(state_dict)
    for pattern, replacement in revisions:
        regex = re.compile(pattern)
        result = {regex.sub(replacement, key): value for key, value in result.items()}
    return result


def load_model_state(
    model: nn.Module, state_dict: Mapping[str, Any], strict: bool = False
) -> tuple[list[str], list[str]]:
    """Load weights; report (or with ``strict``, refuse) missing and unexpected keys."""
    result = model.load_state_dict(dict(state_dict), strict=False)
    missing, unexpected = list(result.missing_keys), list(result.unexpected_keys)
    if missing or unexpected:
        text = _describe_mismatch(missing, unexpected)
        if strict:
            raise CheckpointError(f'the checkpoint does not match the model: {text}')
        get_logger().warning(f'the checkpoint does not fully match the model: {text}')
    return missing, unexpected


def _describe_mismatch(missing: Sequence[str], unexpected: Sequence[str]) -> str:
    parts = []
    if missing:
        parts.append(f'missing keys {list(missing)[:10]}' + (' ...' if len(missing) > 10 else ''))
    if unexpected:
        shown = list(unexpected)[:10]
        parts.append(f'unexpected keys {shown}' + (' ...' if len(unexpected) > 10 else ''))
    return '; '.join(parts)


def remove_stale_temporaries(directory: str) -> list[str]:
    """Delete temporary files left by saves that were killed (``.<name>.*.tmp``)."""
    removed = []
    if not os.path.isdir(directory):
        return removed
    for name in os.listdir(directory):
        if name.startswith('.') and name.endswith('.tmp') and '.pth.' in name:
            with contextlib.suppress(OSError):
                os.remove(os.path.join(directory, name))
                removed.append(name)
    return removed
