"""Attachments on the server: content-addressed by SHA-256, uploaded in pieces that survive a cut link.

``PUT /v1/blobs/{sha256}`` with ``Content-Range: bytes START-END/TOTAL`` appends a piece (a whole file
may come in one piece without the header); ``HEAD`` says whether the blob is complete or how many
bytes have arrived (``Upload-Offset``), so a client resumes where it stopped. On the last piece the
content is sniffed (PDF, JPEG, PNG only) and its hash checked; a mismatch discards the upload.

Each unit uploads into its own unfinished file: a unit comes to own a blob only by sending bytes that
hash to its name, even when another unit sent the same bytes before (the bytes are then kept once).
"""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from app.filetypes import sniff

MAX_BYTES = 20 * 1024 * 1024
PARTIAL_QUOTA = 200 * 1024 * 1024      # unfinished uploads one unit may hold at once
PARTIAL_DAYS = 7                        # an upload left unfinished this long is dropped
_SHA = re.compile(r"[0-9a-f]{64}")
_RANGE = re.compile(r"bytes (\d{1,12})-(\d{1,12})/(\d{1,12})")


def finance_upload(unit_code: str) -> str:
    """The mark, in ``claim_evidence`` in place of a claim, of a file a finance officer brought to the unit
    (server.routes.blobs: never the unit's register officers' to read)."""
    return "@" + unit_code


class BlobError(Exception):
    def __init__(self, status: int, code: str, th: str) -> None:
        super().__init__(code)
        self.status, self.code, self.th = status, code, th


class BlobStore:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(self.folder, 0o700)  # people's documents: the server's own account only

    def _path(self, sha: str) -> Path:
        return self.folder / sha[:2] / sha

    def _partial(self, sha: str, unit: str) -> Path:
        return self.folder / "partial" / hashlib.sha256(unit.encode()).hexdigest()[:32] / sha

    @staticmethod
    def check_name(sha: str) -> str:
        if not _SHA.fullmatch(sha):
            raise BlobError(400, "blob.name", "ชื่อไฟล์แนบต้องเป็นค่า SHA-256 (ตัวอักษร 0-9 a-f จำนวน 64 ตัว)")
        return sha

    def size(self, sha: str) -> int | None:
        """The complete blob's size; None when the server does not hold it whole."""
        done = self._path(self.check_name(sha))
        return done.stat().st_size if done.exists() else None

    def received(self, sha: str, unit: str) -> int:
        """How many bytes of ``sha`` the unit's own unfinished upload holds."""
        part = self._partial(self.check_name(sha), unit)
        return part.stat().st_size if part.exists() else 0

    @staticmethod
    def _unfinished(folder: Path) -> int:
        """The bytes of a unit's unfinished uploads, dropping those left alone for PARTIAL_DAYS."""
        import time
        total, old = 0, time.time() - PARTIAL_DAYS * 86400
        for f in folder.iterdir():
            st = f.stat()
            if st.st_mtime < old:
                f.unlink(missing_ok=True)
            else:
                total += st.st_size
        return total

    def read(self, sha: str) -> bytes:
        if self.size(sha) is None:
            raise BlobError(404, "blob.missing", "ไม่พบไฟล์แนบนี้บนเซิร์ฟเวอร์")
        return self._path(sha).read_bytes()

    def put(self, sha: str, body: bytes, content_range: str | None, unit: str) -> tuple[bool, int]:
        """Store a piece of the unit's upload; returns (complete, received). Complete means the unit has sent
        every byte and they hash to ``sha``."""
        self.check_name(sha)
        received = self.received(sha, unit)
        if content_range:
            m = _RANGE.fullmatch(content_range.strip())
            if not m:
                raise BlobError(400, "blob.range", "Content-Range ไม่ถูกต้อง (ต้องเป็น bytes START-END/TOTAL)")
            start, end, total = (int(x) for x in m.groups())
            if end - start + 1 != len(body) or end >= total:
                raise BlobError(400, "blob.range", "ขนาดของข้อมูลไม่ตรงกับ Content-Range")
        else:
            start, total = 0, len(body)
        if total > MAX_BYTES:
            raise BlobError(413, "blob.too_large",
                            f"ไฟล์แนบใหญ่เกิน {MAX_BYTES // (1024 * 1024)} MB กรุณาสแกนใหม่ด้วยความละเอียดที่ต่ำลง")
        if start != received:
            raise BlobError(409, "blob.offset", f"ต้องส่งต่อจากไบต์ที่ {received}")
        part = self._partial(sha, unit)
        part.parent.mkdir(parents=True, exist_ok=True)
        if self._unfinished(part.parent) + len(body) > PARTIAL_QUOTA:
            raise BlobError(507, "blob.quota", "มีไฟล์แนบที่ส่งค้างไว้ยังไม่ครบมากเกินไป กรุณาส่งไฟล์ที่ค้างให้ครบ "
                                               "หรือรอ 7 วันให้ระบบล้างไฟล์ที่ค้างแล้วส่งใหม่")
        with open(part, "ab") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        received += len(body)
        if received < total:
            return False, received
        data = part.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha:
            part.unlink()
            raise BlobError(422, "blob.hash", "ไฟล์แนบที่ได้รับไม่ตรงกับรหัสตรวจสอบ กรุณาส่งใหม่")
        if sniff(data) is None:
            part.unlink()
            raise BlobError(415, "blob.type", "รับเฉพาะไฟล์ PDF, JPEG หรือ PNG")
        final = self._path(sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(part, final)  # the same bytes as any earlier copy: replacing it changes nothing
        return True, received
