"""Config files: Python, JSON or YAML, with ``_base_`` inheritance and value provenance."""

from .config import Config, import_custom_modules_from
from .config_dict import ConfigDict
from .options import parse_options, parse_value
from .provenance import Provenance, Source

__all__ = [
    'Config',
    'ConfigDict',
    'Provenance',
    'Source',
    'import_custom_modules_from',
    'parse_options',
    'parse_value',
]
