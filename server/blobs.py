"""Attachments on the server: content-addressed by SHA-256, uploaded in pieces that survive a cut link.

``PUT /v1/blobs/{sha256}`` with ``Content-Range: bytes START-END/TOTAL`` appends a piece (a whole file
may come in one piece without the header); ``HEAD`` says whether the blob is complete or how many
bytes have arrived (``Upload-Offset``), so a client resumes where it stopped. On the last piece the
content is sniffed (PDF, JPEG, PNG only) and its hash checked; a mismatch discards the upload.
"""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from app.filetypes import sniff

MAX_BYTES = 20 * 1024 * 1024
_SHA = re.compile(r"^[0-9a-f]{64}$")
_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


class BlobError(Exception):
    def __init__(self, status: int, code: str, th: str) -> None:
        super().__init__(code)
        self.status, self.code, self.th = status, code, th


class BlobStore:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def _path(self, sha: str) -> Path:
        return self.folder / sha[:2] / sha

    def _partial(self, sha: str) -> Path:
        return self.folder / "partial" / sha

    @staticmethod
    def check_name(sha: str) -> str:
        if not _SHA.match(sha):
            raise BlobError(400, "blob.name", "ชื่อไฟล์แนบต้องเป็นค่า SHA-256 (ตัวอักษร 0-9 a-f จำนวน 64 ตัว)")
        return sha

    def status(self, sha: str) -> tuple[bool, int]:
        """(complete, bytes received so far)."""
        self.check_name(sha)
        done = self._path(sha)
        if done.exists():
            return True, done.stat().st_size
        part = self._partial(sha)
        return False, part.stat().st_size if part.exists() else 0

    def read(self, sha: str) -> bytes:
        complete, _n = self.status(sha)
        if not complete:
            raise BlobError(404, "blob.missing", "ไม่พบไฟล์แนบนี้บนเซิร์ฟเวอร์")
        return self._path(sha).read_bytes()

    def put(self, sha: str, body: bytes, content_range: str | None) -> tuple[bool, int]:
        """Store a piece; returns (complete, received)."""
        self.check_name(sha)
        complete, received = self.status(sha)
        if complete:
            return True, received
        if content_range:
            m = _RANGE.match(content_range.strip())
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
        part = self._partial(sha)
        part.parent.mkdir(parents=True, exist_ok=True)
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
        os.replace(part, final)
        return True, received
