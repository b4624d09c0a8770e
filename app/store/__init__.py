"""The encrypted working copy (SQLCipher + keychain), its schema, attachments and the DB worker.

Each name is imported from its module on first use (``from app.store import DbWorker`` loads only the
worker): the log-in window shows before keyring, cryptography and the register's rules are loaded.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .attachments import AttachmentStore
    from .db import StoreProblem, StoreQuarantined, WorkingCopy, default_data_dir
    from .keys import KeychainUnavailable, KeyStore, MemoryKeyring
    from .register import PersonRow, RegisterStore
    from .worker import DbWorker

__all__ = [
    "AttachmentStore", "DbWorker", "KeyStore", "KeychainUnavailable", "MemoryKeyring", "PersonRow",
    "RegisterStore", "StoreProblem", "StoreQuarantined", "WorkingCopy", "default_data_dir",
]


def __getattr__(name: str):
    # Explicit imports, not a table of strings: PyInstaller finds the modules in this function's code.
    if name == "AttachmentStore":
        from . import attachments as home
    elif name in ("StoreProblem", "StoreQuarantined", "WorkingCopy", "default_data_dir"):
        from . import db as home
    elif name in ("KeychainUnavailable", "KeyStore", "MemoryKeyring"):
        from . import keys as home
    elif name in ("PersonRow", "RegisterStore"):
        from . import register as home
    elif name == "DbWorker":
        from . import worker as home
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(home, name)
