"""Config key paths of config nodes, without importing the config system.

A node knows its key path (``optim_wrapper.clip_grad``) only if it is a ``ConfigDict`` from a
loaded config; if ``cadence.config`` was never imported, no such node exists, so there is no
need to import it (which would cost ``import cadence.optim`` tens of milliseconds).
"""

from __future__ import annotations

import sys
from typing import Any


def key_path_of(node: Any) -> str | None:
    """The key path of a ``ConfigDict`` node, or ``None`` for anything else."""
    module = sys.modules.get('cadence.config.config_dict')
    return None if module is None else module.key_path_of(node)
