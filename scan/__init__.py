"""Scanning a paper document (a marriage registration, a court order, a birth certificate) into the program.

One interface, :class:`Scanner`: ``scan()`` returns the page as JPEG bytes or raises :class:`ScanProblem`
with a Thai message that says what to do. Two real implementations:

- Windows: WIA, Windows' own scanning service, through its scan dialog (``WIA.CommonDialog``), driven by
  PowerShell so the installer needs no COM package. The dialog is the one Windows users know from
  "Windows Fax and Scan"; it lets them pick the scanner and preview.
- Linux: SANE's ``scanimage``. ``./dev run`` and the tests point ``SANE_CONFIG_DIR`` at ``scan/training``,
  SANE's virtual "test" flatbed — the training scanner, as the training cards stand in for ID cards.

Scanning takes seconds: call it off the GUI thread.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Protocol

TRAINING_CONFIG = Path(__file__).resolve().parent / "training"
TIMEOUT_S = 180  # a flatbed at 150 dpi takes well under a minute; the person may also be choosing options

NO_SCANNER = ("ไม่พบเครื่องสแกน กรุณาตรวจสอบว่าเปิดเครื่องสแกนและต่อสายกับคอมพิวเตอร์แล้วลองอีกครั้ง "
              "หรือสแกนด้วยโปรแกรมอื่นแล้วใช้ «นำเข้าไฟล์…» แทน")


class ScanProblem(Exception):
    """Why nothing was scanned, in Thai. ``cancelled``: the person closed the scan dialog (say nothing)."""

    def __init__(self, message_th: str, cancelled: bool = False) -> None:
        super().__init__(message_th)
        self.cancelled = cancelled


class Scanner(Protocol):
    def scan(self) -> bytes:
        """One page as JPEG bytes."""
        ...


class SaneScanner:
    """``scanimage`` from sane-utils: the first scanner SANE finds, 150 dpi grey, JPEG."""

    def __init__(self, device: str = "", resolution: int = 150) -> None:
        self.device, self.resolution = device, resolution

    def scan(self) -> bytes:
        args = ["scanimage", "--format=jpeg", "--mode", "Gray", "--resolution", str(self.resolution)]
        if self.device:
            args += ["-d", self.device]
        try:
            done = subprocess.run(args, capture_output=True, timeout=TIMEOUT_S, check=False)
        except FileNotFoundError:
            raise ScanProblem("เครื่องนี้ยังไม่ได้ติดตั้งโปรแกรมสแกน (sane-utils) กรุณาแจ้งผู้ดูแลระบบ "
                              "หรือใช้ «นำเข้าไฟล์…» แทน") from None
        except subprocess.TimeoutExpired:
            raise ScanProblem("เครื่องสแกนไม่ตอบภายในเวลาที่กำหนด กรุณาตรวจสอบเครื่องสแกนแล้วลองอีกครั้ง") from None
        if done.returncode != 0 or not done.stdout:
            raise ScanProblem(NO_SCANNER)
        return done.stdout


# WIA's scan dialog: scanner (1), greyscale (2), smallest file (65536), JPEG; a cancelled dialog returns $null.
_WIA_SCRIPT = r"""
$ErrorActionPreference = 'Stop'
try { $dialog = New-Object -ComObject WIA.CommonDialog } catch { exit 4 }
try {
  $image = $dialog.ShowAcquireImage(1, 2, 65536, '{B96B3CAE-0728-11D3-9D7B-0000F81EF32E}', $false, $true, $false)
} catch { exit 5 }
if ($image -eq $null) { exit 3 }
$image.SaveFile($args[0])
"""


class WiaScanner:
    """Windows: the WIA scan dialog, run by PowerShell; the page goes through a temporary file that is
    removed at once (it lives in the person's own %TEMP%, readable only by them)."""

    def scan(self) -> bytes:
        folder = Path(tempfile.mkdtemp(prefix="lgo-scan-"))
        target = folder / "page.jpg"
        try:
            try:
                done = subprocess.run(
                    ["powershell.exe", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass",
                     "-Command", _WIA_SCRIPT, str(target)],
                    capture_output=True, timeout=TIMEOUT_S, check=False,
                    creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
            except FileNotFoundError:
                raise ScanProblem("ไม่พบ Windows PowerShell ที่ใช้เรียกเครื่องสแกน กรุณาใช้ «นำเข้าไฟล์…» แทน") from None
            except subprocess.TimeoutExpired:
                raise ScanProblem("การสแกนใช้เวลานานเกินไป กรุณาลองอีกครั้ง") from None
            if done.returncode == 3:
                raise ScanProblem("", cancelled=True)
            if done.returncode == 4:
                raise ScanProblem("Windows เครื่องนี้ไม่มีบริการสแกน (WIA) กรุณาใช้ «นำเข้าไฟล์…» แทน")
            if done.returncode != 0 or not target.exists():
                raise ScanProblem(NO_SCANNER)
            return target.read_bytes()
        finally:
            for leftover in folder.iterdir():
                leftover.unlink()
            folder.rmdir()


def default_scanner() -> Scanner:
    return WiaScanner() if sys.platform == "win32" else SaneScanner(os.environ.get("LGO_SCANNER", ""))
