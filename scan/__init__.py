"""Scanning a paper document (a marriage registration, a court order, a birth certificate, a batch of receipts)
into the program.

One interface, :class:`Scanner`: ``scan()`` returns one page from the flatbed as JPEG bytes; ``scan_batch()``
takes every sheet in the document feeder, one JPEG per page, handing each to ``on_page`` as it arrives (for a
progress line and thumbnails). Both raise :class:`ScanProblem` with a Thai message that says what to do. Two
real implementations:

- Windows: WIA, Windows' own scanning service, through its scan dialog (``WIA.CommonDialog``), driven by
  PowerShell so the installer needs no COM package. The dialog is the one Windows users know from
  "Windows Fax and Scan"; it lets them pick the scanner and preview.
- Linux: SANE's ``scanimage``. ``./dev run`` and the tests point ``SANE_CONFIG_DIR`` at ``scan/training``,
  SANE's virtual "test" flatbed — the training scanner, as the training cards stand in for ID cards. Its
  "Automatic Document Feeder" source gives a batch of pages (``scanimage --batch``), then says it is empty.

Scanning takes seconds: call it off the GUI thread.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Protocol

TRAINING_CONFIG = Path(__file__).resolve().parent / "training"
TIMEOUT_S = 180  # a flatbed at 150 dpi takes well under a minute; the person may also be choosing options

NO_SCANNER = ("ไม่พบเครื่องสแกน กรุณาตรวจสอบว่าเปิดเครื่องสแกนและต่อสายกับคอมพิวเตอร์แล้วลองอีกครั้ง "
              "หรือสแกนด้วยโปรแกรมอื่นแล้วใช้ «นำเข้าไฟล์…» แทน")


class ScanProblem(Exception):
    """Why nothing was scanned, in Thai. ``cancelled``: the person closed the scan dialog (say nothing)."""

    def __init__(self, message_th: str, cancelled: bool = False) -> None:
        super().__init__(message_th)
        self.cancelled = cancelled


NO_FEEDER = ("เครื่องสแกนนี้ไม่มีถาดป้อนกระดาษอัตโนมัติ กรุณาใช้ «สแกน» ทีละหน้าจากกระจกสแกน "
             "หรือสแกนด้วยโปรแกรมอื่นแล้วใช้ «นำเข้าไฟล์…» แทน")
FEEDER_EMPTY = "ไม่มีกระดาษในถาดป้อนกระดาษ กรุณาใส่เอกสารที่จะสแกนในถาด แล้วกดสแกนอีกครั้ง"
OnPage = Callable[[int, bytes], None]   # (page number from 1, the page as JPEG)


class Scanner(Protocol):
    def scan(self) -> bytes:
        """One page as JPEG bytes."""
        ...

    def scan_batch(self, on_page: OnPage | None = None) -> list[bytes]:
        """Every page in the document feeder, in order, as JPEG bytes."""
        ...


class SaneScanner:
    """``scanimage`` from sane-utils: the first scanner SANE finds, 150 dpi grey, JPEG."""

    def __init__(self, device: str = "", resolution: int = 150, sheets: int | None = None) -> None:
        # ``sheets``: how many sheets were put in the feeder, for SANE's test feeder (it always holds 10);
        # a real feeder is simply scanned until it is empty.
        self.device, self.resolution, self.sheets = device, resolution, sheets

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

    def feeder_source(self) -> str:
        """The name this scanner's driver gives its document feeder (drivers differ: "ADF", "ADF Front",
        "Automatic Document Feeder"), or a ScanProblem when it has none."""
        args = ["scanimage", "-A"] + (["-d", self.device] if self.device else [])
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
        except FileNotFoundError:
            raise ScanProblem("เครื่องนี้ยังไม่ได้ติดตั้งโปรแกรมสแกน (sane-utils) กรุณาแจ้งผู้ดูแลระบบ "
                              "หรือใช้ «นำเข้าไฟล์…» แทน") from None
        except subprocess.TimeoutExpired:
            raise ScanProblem("เครื่องสแกนไม่ตอบภายในเวลาที่กำหนด กรุณาตรวจสอบเครื่องสแกนแล้วลองอีกครั้ง") from None
        if done.returncode != 0:
            raise ScanProblem(NO_SCANNER)
        found = re.search(r"--source\s+(\S[^\[\n]*)", done.stdout)
        for choice in (found.group(1).split("|") if found else []):
            if re.search(r"adf|feeder", choice, re.IGNORECASE) and not re.search(r"duplex|back", choice, re.I):
                return choice.strip()
        raise ScanProblem(NO_FEEDER)

    def scan_batch(self, on_page: OnPage | None = None) -> list[bytes]:
        """``scanimage --batch`` from the feeder: each page is handed on as soon as SANE says it is scanned."""
        source = self.feeder_source()
        folder = Path(tempfile.mkdtemp(prefix="lgo-batch-"))
        args = ["scanimage", "--format=jpeg", "--mode", "Gray", "--resolution", str(self.resolution),
                "--source", source, f"--batch={folder / 'p%d.jpg'}"] + (["-d", self.device] if self.device else []) \
            + ([f"--batch-count={self.sheets}"] if self.sheets else [])
        pages: list[bytes] = []

        def take(n: int) -> None:
            path = folder / f"p{n}.jpg"
            data = path.read_bytes()
            path.unlink()
            pages.append(data)
            if on_page is not None:
                on_page(n, data)

        try:
            try:
                proc = subprocess.Popen(args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
            except FileNotFoundError:
                raise ScanProblem("เครื่องนี้ยังไม่ได้ติดตั้งโปรแกรมสแกน (sane-utils) กรุณาแจ้งผู้ดูแลระบบ "
                                  "หรือใช้ «นำเข้าไฟล์…» แทน") from None
            with proc:
                assert proc.stderr is not None
                # scanimage names a page's file once it is complete, after "Scanned page N.": page N is taken
                # when page N + 1 starts, and the last one when scanimage ends
                scanned = 0
                for line in proc.stderr:
                    started = re.match(r"Scanning page (\d+)", line)
                    if started and scanned and int(started.group(1)) > scanned:
                        take(scanned)
                        scanned = 0
                    done = re.match(r"Scanned page (\d+)\.", line)
                    if done:
                        scanned = int(done.group(1))
                proc.wait(timeout=TIMEOUT_S)
                if scanned:
                    take(scanned)
        finally:
            for leftover in folder.iterdir():
                leftover.unlink()
            folder.rmdir()
        if not pages:
            raise ScanProblem(FEEDER_EMPTY)
        return pages


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

    def scan_batch(self, on_page: OnPage | None = None) -> list[bytes]:
        return _wia_batch(on_page)


# WIA's feeder: the first scanner, its feeder selected (WIA_DPS_DOCUMENT_HANDLING_SELECT = FEEDER), one
# transfer per sheet until WIA says the feeder is empty (WIA_ERROR_PAPER_EMPTY, 0x80210003).
_WIA_BATCH_SCRIPT = r"""
$ErrorActionPreference = 'Stop'
try { $manager = New-Object -ComObject WIA.DeviceManager } catch { exit 4 }
$info = $manager.DeviceInfos | Where-Object { $_.Type -eq 1 } | Select-Object -First 1
if ($info -eq $null) { exit 5 }
$device = $info.Connect()
try { $device.Properties.Item('3088').Value = 1 } catch { exit 6 }
$n = 0
while ($true) {
  try { $image = $device.Items.Item(1).Transfer('{B96B3CAE-0728-11D3-9D7B-0000F81EF32E}') }
  catch { if ($_.Exception.HResult -eq -2145320957) { break } else { exit 5 } }
  $n += 1
  $image.SaveFile((Join-Path $args[0] "p$n.jpg"))
  [Console]::Out.WriteLine("Scanned page $n.")
}
if ($n -eq 0) { exit 7 }
"""


def _wia_batch(on_page: OnPage | None) -> list[bytes]:
    folder = Path(tempfile.mkdtemp(prefix="lgo-batch-"))
    pages: list[bytes] = []
    try:
        try:
            proc = subprocess.Popen(
                ["powershell.exe", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass",
                 "-Command", _WIA_BATCH_SCRIPT, str(folder)], stdout=subprocess.PIPE, text=True,
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
        except FileNotFoundError:
            raise ScanProblem("ไม่พบ Windows PowerShell ที่ใช้เรียกเครื่องสแกน กรุณาใช้ «นำเข้าไฟล์…» แทน") from None
        with proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                done = re.match(r"Scanned page (\d+)\.", line)
                if done:
                    n = int(done.group(1))
                    path = folder / f"p{n}.jpg"
                    pages.append(path.read_bytes())
                    path.unlink()
                    if on_page is not None:
                        on_page(n, pages[-1])
            code = proc.wait(timeout=TIMEOUT_S)
        if code == 4:
            raise ScanProblem("Windows เครื่องนี้ไม่มีบริการสแกน (WIA) กรุณาใช้ «นำเข้าไฟล์…» แทน")
        if code == 6:
            raise ScanProblem(NO_FEEDER)
        if code == 7 or (code == 0 and not pages):
            raise ScanProblem(FEEDER_EMPTY)
        if code != 0:
            raise ScanProblem(NO_SCANNER)
        return pages
    finally:
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()


def default_scanner() -> Scanner:
    return WiaScanner() if sys.platform == "win32" else SaneScanner(os.environ.get("LGO_SCANNER", ""))
