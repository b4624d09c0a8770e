"""The encrypted working copy: one SQLCipher file per unit per PC, its raw key in the OS keychain.

Opening never deletes anything. A missing key, a wrong key or a damaged file moves the file (with its
WAL) aside into ``quarantine/`` byte for byte, and :class:`StoreQuarantined` says in Thai what happened
and what to do; a new empty copy is made only when the user asks for it (:meth:`WorkingCopy.create_new`).
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import platformdirs
import sqlcipher3.dbapi2 as sqlite

from .migrations import migrate
from .private import create_private, private_dir, private_file, private_tree, write_private

if TYPE_CHECKING:  # only named in annotations: keyring stays out of the log-in window's start-up
    from .keys import KeyStore

APP_NAME = "LGO Registry Desk"
APP_AUTHOR = "NHSO"
SUFFIX = ".lgodb"


def default_data_dir() -> Path:
    """The per-user data folder (``%LOCALAPPDATA%\\NHSO\\LGO Registry Desk`` on Windows)."""
    override = os.environ.get("LGO_DATA_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


class StoreProblem(Exception):
    """Something about the working copy the user must know; ``str()`` is Thai."""


@dataclass
class QuarantineInfo:
    reason: str            # "key_missing" | "unreadable" | "old_cid_rule" (app.training)
    moved_to: Path
    unsynced: int | None = None  # what the copy still owed the server, from its plain tally (None: unknown)


class StoreQuarantined(StoreProblem):
    def __init__(self, info: QuarantineInfo) -> None:
        self.info = info
        if info.reason == "key_missing":
            what = "ไม่พบกุญแจของฐานข้อมูลในที่เก็บกุญแจของเครื่องนี้ (อาจเปลี่ยนบัญชีผู้ใช้ Windows หรือเครื่องถูกติดตั้งใหม่)"
        else:
            what = "ฐานข้อมูลในเครื่องเปิดด้วยกุญแจที่มีอยู่ไม่ได้ (กุญแจไม่ตรงหรือไฟล์เสียหาย)"
        super().__init__(
            f"{what} โปรแกรมไม่ได้ลบข้อมูลใด ๆ — ได้ย้ายไฟล์เดิมไปเก็บไว้ที่ {info.moved_to} "
            "ท่านสามารถเริ่มสำเนาใหม่ที่ว่างเปล่า แล้วดาวน์โหลดข้อมูลของหน่วยงานจากเซิร์ฟเวอร์กลางอีกครั้ง "
            + _lost_phrase(info.unsynced)
        )


def _lost_phrase(unsynced: int | None) -> str:
    if unsynced == 0:
        return "งานทุกรายการในสำเนาเดิมส่งขึ้นเซิร์ฟเวอร์กลางแล้ว จึงไม่มีงานใดสูญหาย"
    if unsynced is None:
        return ("ไม่ทราบว่ามีงานที่ยังไม่ได้ส่งขึ้นเซิร์ฟเวอร์หรือไม่ ถ้ามี งานนั้นจะไม่อยู่ในสำเนาใหม่ "
                "และยังอยู่ในไฟล์ที่ย้ายไว้ กรุณาแจ้งผู้ดูแลระบบหากต้องการกู้คืน")
    return (f"มีงาน {unsynced} รายการ (ชุดการเปลี่ยนแปลงหรือการอนุมัติ) ที่ยังไม่ได้ส่งขึ้นเซิร์ฟเวอร์ "
            "งานเหล่านี้จะไม่อยู่ในสำเนาใหม่ กรุณาบันทึกใหม่ หรือแจ้งผู้ดูแลระบบเพื่อกู้คืนจากไฟล์ที่ย้ายไว้")


def tally_path(db: Path) -> Path:
    """A plain file beside the copy with one number: what it owes the server. It names nobody and holds
    no data, so it can be read when the copy itself cannot (a lost key) to say what would be lost."""
    return db.with_name(db.name + ".unsynced")


def write_tally(db: Path, unsynced: int) -> None:
    write_private(tally_path(db), str(unsynced), "ascii")


def read_tally(db: Path) -> int | None:
    try:
        return int(tally_path(db).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def key_name(unit_code: str) -> str:
    return f"working-copy/{unit_code}"


def db_path(data_dir: Path, unit_code: str) -> Path:
    safe = "".join(ch for ch in unit_code if ch.isalnum() or ch in "-_") or "unit"
    return data_dir / f"{safe}{SUFFIX}"


def _companions(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _connect(path: Path, key: bytes) -> sqlite.Connection:
    """The data folder is 0700 and the file 0600 on Linux; SQLite gives its WAL and shared-memory files the
    database file's own mode, so they are 0600 too."""
    private_dir(path.parent)
    if not path.exists():
        create_private(path)  # an empty file: SQLCipher makes the new database in it, keyed
    for p in _companions(path):
        private_file(p)  # a copy made before this rule: closed now
    conn = sqlite.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # verifies the key
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


class WorkingCopy:
    """An open working copy. Use it from one thread at a time (the database worker)."""

    def __init__(self, path: Path, conn: sqlite.Connection, unit_code: str) -> None:
        self.path = path
        self.conn = conn
        self.unit_code = unit_code

    @property
    def attachments_dir(self) -> Path:
        return self.path.with_name(self.path.stem + "-attachments")

    @classmethod
    def open(cls, data_dir: Path, unit_code: str, keys: KeyStore) -> WorkingCopy:
        """Open the unit's copy, creating it on first use; quarantine it if it cannot be read."""
        path = db_path(data_dir, unit_code)
        if not path.exists():
            return cls.create_new(data_dir, unit_code, keys)
        key = keys.get(key_name(unit_code))
        if key is None:
            raise StoreQuarantined(quarantine(path, "key_missing", keys, unit_code))
        try:
            conn = _connect(path, key)
        except sqlite.DatabaseError:
            raise StoreQuarantined(quarantine(path, "unreadable", keys, unit_code)) from None
        migrate(conn)
        for folder in (path.with_name(path.stem + "-attachments"), data_dir / "quarantine"):
            private_tree(folder)
        return cls(path, conn, unit_code)

    @classmethod
    def create_new(cls, data_dir: Path, unit_code: str, keys: KeyStore) -> WorkingCopy:
        """A new, empty copy with a new key. Refuses to touch an existing file."""
        path = db_path(data_dir, unit_code)
        private_dir(data_dir)
        if any(p.exists() for p in _companions(path)):
            raise StoreProblem(f"มีฐานข้อมูลของหน่วยงานนี้อยู่แล้วที่ {path} จึงไม่สร้างใหม่ทับ")
        key = keys.create(key_name(unit_code))
        conn = _connect(path, key)
        migrate(conn)
        conn.execute("INSERT INTO meta (key, value) VALUES ('unit_code', ?), ('created_at', ?)",
                     (unit_code, _dt.datetime.now(_dt.timezone.utc).isoformat()))
        return cls(path, conn, unit_code)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite.Connection]:
        """All or nothing: a crash inside leaves the file as it was before."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def integrity_ok(self) -> bool:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def peek(data_dir: Path, unit_code: str, keys: KeyStore) -> sqlite.Connection | None:
    """A connection to the unit's copy when it exists and opens with the key we have; otherwise None.
    Unlike :meth:`WorkingCopy.open` it creates, migrates and sets aside nothing: a look before opening."""
    path = db_path(data_dir, unit_code)
    if not path.exists():
        return None
    key = keys.get(key_name(unit_code))
    if key is None:
        return None
    try:
        return _connect(path, key)
    except sqlite.DatabaseError:
        return None


def quarantine(path: Path, reason: str, keys: KeyStore, unit_code: str) -> QuarantineInfo:
    """Move the file and its WAL aside, unchanged, and keep its key (if any) beside it in the keychain."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = private_dir(path.parent / "quarantine")
    target = folder / f"{stamp}-{path.name}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{stamp}-{n}-{path.name}"
    unsynced = read_tally(path)
    old_key = keys.get(key_name(unit_code))
    if old_key is not None:
        keys.put(f"quarantine/{target.name}", old_key)
    for src, suffix in zip([*_companions(path), tally_path(path)], ("", "-wal", "-shm", ".unsynced")):
        if src.exists():
            shutil.move(str(src), str(target) + suffix)
    attachments = path.with_name(path.stem + "-attachments")
    if attachments.exists():
        shutil.move(str(attachments), str(target) + "-attachments")
    return QuarantineInfo(reason, target, unsynced)
