"""Shared fixtures: a keychain that never touches the OS, a fresh working copy per test, Qt offscreen."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from app.store import KeyStore, MemoryKeyring, RegisterStore, WorkingCopy  # noqa: E402


@pytest.fixture
def keys() -> KeyStore:
    return KeyStore(MemoryKeyring())


@pytest.fixture
def data_dir(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture
def wc(data_dir, keys):
    copy = WorkingCopy.open(data_dir, "TRN0001", keys)
    yield copy
    copy.close()


@pytest.fixture
def register(wc) -> RegisterStore:
    return RegisterStore(wc)
