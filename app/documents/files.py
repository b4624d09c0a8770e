"""Writing a finished document to the folder the person chose: whole or not at all.

The bytes go to a hidden temporary file in the same folder, are flushed to disk, and only then take the
document's name (an atomic rename on Windows and Linux alike). A failure at any point leaves no partial
file and leaves an older file of the same name as it was. What went wrong is said in Thai, with what to do.
"""
from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator

from ..errors import Refusal


def write_file(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; returns the path. Raises :class:`Refusal` with a Thai message."""
    with atomic_file(path) as out:
        out.write(data)
    return Path(path)


@contextlib.contextmanager
def atomic_file(path: Path | str) -> Iterator[BinaryIO]:
    """A file to write ``path`` through, whole or not at all: a hidden temporary file beside it, flushed to disk
    and renamed over ``path`` when the block ends; removed if the block fails. For what is too large to hold in
    memory at once (an audit package); :func:`write_file` for bytes. Raises :class:`Refusal` with a Thai message."""
    path = Path(path)
    folder = path.parent
    if path.is_dir():
        raise Refusal("documents.target_is_folder",
                      f"«{path}» เป็นโฟลเดอร์ ไม่ใช่ชื่อไฟล์ กรุณาตั้งชื่อไฟล์ที่จะบันทึก",
                      f"{path} is a folder, not a file name.", str(path))
    if not folder.is_dir():
        raise _folder_missing(folder)
    try:
        # a short temporary name: one built on a long Thai file name (3 bytes a letter) passes the 255-byte limit
        fd, tmp = tempfile.mkstemp(prefix=".~", suffix=".part", dir=folder)
    except OSError as e:
        raise _refusal(e, path) from None
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError as e:
        raise _refusal(e, path, replacing=True) from None
    finally:
        if os.path.exists(tmp):
            try:
                os.remove(tmp)
            except OSError:
                pass


def _folder_missing(folder: Path) -> Refusal:
    return Refusal("documents.folder_missing",
                   f"ไม่พบโฟลเดอร์ «{folder}» กรุณาเลือกโฟลเดอร์ที่มีอยู่ "
                   "หรือสร้างโฟลเดอร์นั้นก่อนแล้วบันทึกอีกครั้ง",
                   f"The folder {folder} does not exist.", str(folder))


def _refusal(e: OSError, path: Path, replacing: bool = False) -> Refusal:
    folder = path.parent
    if isinstance(e, FileNotFoundError) and not folder.is_dir():
        return _folder_missing(folder)   # gone while writing: a flash drive pulled out, a folder deleted
    if e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):   # a full disk, or the person's quota on it
        return Refusal("documents.disk_full",
                       f"พื้นที่ว่างในดิสก์ที่เก็บโฟลเดอร์ «{folder}» ไม่พอสำหรับไฟล์ {path.name} "
                       "กรุณาลบไฟล์ที่ไม่ใช้ หรือเลือกบันทึกที่ไดรฟ์อื่น",
                       "The disk is full.", str(folder))
    if replacing and isinstance(e, PermissionError) and path.exists():
        return Refusal("documents.file_in_use",
                       f"บันทึกทับไฟล์ {path.name} ไม่ได้ ไฟล์นี้อาจเปิดอยู่ในโปรแกรมอื่น "
                       "(เช่น Excel หรือโปรแกรมอ่าน PDF) "
                       "กรุณาปิดไฟล์นั้นแล้วบันทึกอีกครั้ง หรือบันทึกเป็นชื่ออื่น",
                       f"{path.name} cannot be replaced; it may be open in another program.", str(path))
    return Refusal("documents.folder_unwritable",
                   f"บันทึกไฟล์ {path.name} ลงในโฟลเดอร์ «{folder}» ไม่ได้ เพราะไม่มีสิทธิ์เขียนในโฟลเดอร์นี้ "
                   "กรุณาเลือกโฟลเดอร์อื่น เช่น โฟลเดอร์ เอกสาร (Documents) หรือเดสก์ท็อป",
                   f"Cannot write {path.name} in {folder} ({e.strerror}).", str(folder))
