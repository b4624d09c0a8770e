"""The encrypted working copy (SQLCipher + keychain), its schema, attachments and the DB worker."""
from .attachments import AttachmentStore
from .db import StoreProblem, StoreQuarantined, WorkingCopy, default_data_dir
from .keys import KeychainUnavailable, KeyStore, MemoryKeyring
from .register import PersonRow, RegisterStore
from .worker import DbWorker

__all__ = [
    "AttachmentStore", "DbWorker", "KeyStore", "KeychainUnavailable", "MemoryKeyring", "PersonRow",
    "RegisterStore", "StoreProblem", "StoreQuarantined", "WorkingCopy", "default_data_dir",
]
