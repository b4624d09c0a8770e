"""Attachments (scans, photos, court orders) encrypted at rest.

Each file is stored once, named by the SHA-256 of its plaintext, encrypted with AES-256-GCM under a
key of its own that lives in the encrypted database. Writes are atomic: temporary file, fsync,
replace, fsync of the folder — a crash leaves either the old state or the whole new file.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import os
import secrets
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..filetypes import sniff
from .db import StoreProblem, WorkingCopy
from .private import private_dir

NONCE = 12
MAX_BYTES = 20 * 1024 * 1024  # the central server's limit (server.blobs.MAX_BYTES): a larger file could never be sent

class AttachmentStore:
    def __init__(self, wc: WorkingCopy) -> None:
        self._wc = wc
        self.folder = wc.attachments_dir

    def _file(self, sha: str) -> Path:
        return self.folder / sha[:2] / f"{sha}.bin"

    def put(self, data: bytes, name: str = "", expected_sha: str = "") -> str:
        """Store ``data`` (PDF, JPEG or PNG); returns its SHA-256. Storing the same bytes twice is free.
        ``expected_sha``: the file was downloaded as this one, and is refused if the bytes say otherwise."""
        with self._wc.transaction() as conn:
            return self.put_in(conn, data, name, expected_sha)

    def put_in(self, conn, data: bytes, name: str = "", expected_sha: str = "") -> str:
        """:meth:`put` inside the caller's transaction: the encrypted file is written first (a file whose key
        row is rolled back is never readable, and the next put of the same bytes writes it again), its key row
        in ``conn`` — so a document and the record naming it are kept together or not at all."""
        if len(data) > MAX_BYTES:
            raise StoreProblem(f"ไฟล์ใหญ่เกิน {MAX_BYTES // (1024 * 1024)} MB กรุณาสแกนใหม่ด้วยความละเอียดที่ต่ำลง")
        mime = sniff(data)
        if mime is None:
            raise StoreProblem("แนบได้เฉพาะไฟล์ PDF, JPEG หรือ PNG เท่านั้น กรุณาบันทึกเอกสารเป็นชนิดเหล่านี้แล้วแนบใหม่")
        sha = hashlib.sha256(data).hexdigest()
        if expected_sha and sha != expected_sha:
            raise StoreProblem("ไฟล์แนบที่ดาวน์โหลดไม่ตรงกับรหัสตรวจสอบ (อาจเสียหายระหว่างทาง) กรุณาดาวน์โหลดอีกครั้ง")
        row = conn.execute("SELECT file_key FROM attachments WHERE sha256 = ?", (sha,)).fetchone()
        if row is not None and self._file(sha).exists():
            return sha
        key = bytes(row[0]) if row is not None else secrets.token_bytes(32)
        nonce = secrets.token_bytes(NONCE)
        blob = nonce + AESGCM(key).encrypt(nonce, data, sha.encode())
        _atomic_write(self._file(sha), blob)
        if row is None:
            conn.execute(
                "INSERT INTO attachments (sha256, file_key, size, mime, name, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (sha, key, len(data), mime, name, _dt.datetime.now(_dt.timezone.utc).isoformat()),
            )
        return sha

    def has(self, sha: str) -> bool:
        row = self._wc.conn.execute("SELECT 1 FROM attachments WHERE sha256 = ?", (sha,)).fetchone()
        return row is not None and self._file(sha).exists()

    def info(self, sha: str) -> tuple[str, int] | None:
        """(MIME type, size in bytes) of a file this PC holds, or None."""
        row = self._wc.conn.execute("SELECT mime, size FROM attachments WHERE sha256 = ?", (sha,)).fetchone()
        return (row[0], row[1]) if row is not None and self._file(sha).exists() else None

    def get(self, sha: str) -> bytes:
        row = self._wc.conn.execute("SELECT file_key FROM attachments WHERE sha256 = ?", (sha,)).fetchone()
        path = self._file(sha)
        if row is None or not path.exists():
            raise StoreProblem("ไม่พบไฟล์แนบนี้ในเครื่อง อาจต้องดาวน์โหลดจากเซิร์ฟเวอร์กลางอีกครั้ง")
        blob = path.read_bytes()
        try:
            data = AESGCM(bytes(row[0])).decrypt(blob[:NONCE], blob[NONCE:], sha.encode())
        except InvalidTag:
            raise StoreProblem("ไฟล์แนบเสียหาย (ตรวจสอบความถูกต้องไม่ผ่าน) กรุณาแนบหรือดาวน์โหลดใหม่") from None
        if hashlib.sha256(data).hexdigest() != sha:
            raise StoreProblem("ไฟล์แนบไม่ตรงกับรหัสตรวจสอบ กรุณาแนบหรือดาวน์โหลดใหม่")
        return data


def _atomic_write(path: Path, data: bytes) -> None:
    private_dir(path.parent.parent)  # the copy's attachments folder, then its sub-folder: 0700 on Linux
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")  # made 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows has no directory handles to fsync; os.replace is already atomic there
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
