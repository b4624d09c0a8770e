"""The working copy's key in the OS keychain.

The backend is chosen explicitly per platform — Windows Credential Manager, the Secret Service on
Linux, the macOS Keychain — never by keyring's own discovery, which a frozen build loses and which can
silently pick the "fail" or a plaintext backend. Tests pass an in-memory backend.

Keys are 32 random bytes, kept as 64 hex characters (well under Credential Manager's limit). A key
never reaches a log or an exception message.
"""
from __future__ import annotations

import os
import secrets
import sys

import keyring.backend
import keyring.errors

SERVICE = "LGO Registry Desk"


class KeychainUnavailable(Exception):
    """The OS keychain cannot be reached; the message is Thai and says what to do."""


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Keys held in this process only: for tests, never chosen on its own."""

    priority = 0.1

    def __init__(self) -> None:
        super().__init__()
        self._items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self._items.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


def platform_backend() -> keyring.backend.KeyringBackend:
    """The keychain of this platform, or :class:`KeychainUnavailable` with a Thai explanation."""
    if os.environ.get("LGO_KEYRING") == "memory":
        return MemoryKeyring()
    try:
        if sys.platform == "win32":
            from keyring.backends.Windows import WinVaultKeyring
            backend = WinVaultKeyring()
        elif sys.platform == "darwin":
            from keyring.backends.macOS import Keyring as MacKeyring
            backend = MacKeyring()
        else:
            from keyring.backends.SecretService import Keyring as SecretServiceKeyring
            backend = SecretServiceKeyring()
        if backend.priority <= 0:  # the property itself raises when there is no D-Bus session
            raise RuntimeError("the keychain reports that it cannot work here")
    except Exception as exc:  # noqa: BLE001 — any failure means "no keychain"; say so plainly
        raise KeychainUnavailable(
            "เข้าถึงที่เก็บกุญแจของระบบ (Keychain) ไม่ได้ จึงเปิดฐานข้อมูลที่เข้ารหัสไม่ได้ "
            "กรุณาเข้าสู่ระบบ Windows/เดสก์ท็อปด้วยบัญชีของท่านเองแล้วเปิดโปรแกรมอีกครั้ง "
            f"หรือแจ้งผู้ดูแลระบบ ({type(exc).__name__})"
        ) from None
    return backend


class KeyStore:
    """Raw 32-byte keys of working copies, by name."""

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend if backend is not None else platform_backend()

    @property
    def backend_name(self) -> str:
        return type(self._backend).__name__

    def get(self, name: str) -> bytes | None:
        try:
            value = self._backend.get_password(SERVICE, name)
        except Exception as exc:  # noqa: BLE001
            raise KeychainUnavailable(f"อ่านกุญแจจากที่เก็บกุญแจของระบบไม่ได้ ({type(exc).__name__})") from None
        if value is None:
            return None
        try:
            key = bytes.fromhex(value)
        except ValueError:
            return None  # not one of ours: treated as missing, never printed
        return key if len(key) == 32 else None

    def put(self, name: str, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("a working-copy key is 32 bytes")
        try:
            self._backend.set_password(SERVICE, name, key.hex())
        except Exception as exc:  # noqa: BLE001
            raise KeychainUnavailable(f"บันทึกกุญแจลงที่เก็บกุญแจของระบบไม่ได้ ({type(exc).__name__})") from None

    def create(self, name: str) -> bytes:
        key = secrets.token_bytes(32)
        self.put(name, key)
        return key
