"""Shared by every test module: one store cache for the whole session.

The store is built once from the bundled graph and reused by every test that reads it
(in process or through a `kg` subprocess, which inherits ``KG_CACHE_DIR``); tests that
need their own graph directory get their own cache key automatically, because versions
are keyed by the files' content and their directory.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

_CACHE = tempfile.mkdtemp(prefix="kg-test-cache-")
os.environ["KG_CACHE_DIR"] = _CACHE


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    return Path(_CACHE)


@pytest.fixture(scope="session")
def bundled():
    """The facade over the bundled graph, its store built once for the session."""
    import kg

    return kg.open(ROOT)
