"""Folders and files only this user may open: the working copy, its attachments, its tally, what log-in
keeps. On Linux (and macOS) folders are 0700 and files 0600 whatever the umask; on Windows the per-user
folder (``%LOCALAPPDATA%``) is already closed to other users by its ACLs, and chmod means nothing there.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

POSIX = os.name == "posix"


def private_dir(path: Path) -> Path:
    """Make ``path`` (and any missing parents) and close it to other users; an existing one is closed too."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if POSIX and (path.stat().st_mode & 0o777) != 0o700:
        os.chmod(path, 0o700)
    return path


def private_file(path: Path) -> None:
    """Close an existing file to other users (0600); a missing one is left missing."""
    if POSIX:
        with contextlib.suppress(FileNotFoundError):
            if (path.stat().st_mode & 0o777) != 0o600:
                os.chmod(path, 0o600)


def create_private(path: Path) -> None:
    """Create an empty file as 0600 from the start (never readable by others, not even for a moment)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    private_file(path)  # whatever the umask said


def write_private(path: Path, data: bytes | str, encoding: str = "utf-8") -> None:
    """Replace ``path`` atomically with ``data`` in a 0600 file."""
    raw = data.encode(encoding) if isinstance(data, str) else data
    tmp = path.with_name(path.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        private_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def private_tree(path: Path) -> None:
    """Close a folder and everything in it — walked only when the folder itself is still open to others
    (a copy made before this rule), so an everyday start costs one stat."""
    if not POSIX or not path.is_dir() or (path.stat().st_mode & 0o777) == 0o700:
        return
    for folder, dirs, files in os.walk(path):
        for name in dirs:
            os.chmod(os.path.join(folder, name), 0o700)
        for name in files:
            private_file(Path(folder, name))
    os.chmod(path, 0o700)
