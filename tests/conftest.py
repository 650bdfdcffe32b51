"""Shared test fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / 'fixtures'
CONFIGS = FIXTURES / 'configs'


@pytest.fixture
def config_dir() -> Path:
    """The fixture tree of config files (multi-level _base_, _delete_, references)."""
    return CONFIGS


@pytest.fixture
def in_tmp(tmp_path, monkeypatch) -> Path:
    """Run the test inside an empty temporary working directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(autouse=True)
def _no_debug_env(monkeypatch):
    monkeypatch.delenv('CADENCE_DEBUG', raising=False)
    yield
    os.environ.pop('CADENCE_DEBUG', None)
