"""``lgo-desk --self-test REPORT.json``: prove that a built (frozen) program has every part it needs.

A windowed build has no console, so the result is a JSON file: ``{"ok": …, "checks": [{name, ok,
detail}]}``; the exit code is 0 only when every check passed. Each later capability adds its check.
Nothing here deletes user data: the self-test's own working copy is kept (the uninstall check looks
for it) and its key stays in the keychain.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Callable

SELFTEST_UNIT = "SELFTEST"


def _check_qt(app) -> str:
    from .fonts import install_fonts
    from .qt import QFontDatabase, QLabel

    families = install_fonts(app)
    if "Sarabun" not in QFontDatabase.families():
        raise AssertionError(f"Sarabun not registered (got {families})")
    label = QLabel("ผู้มีสิทธิ ปู่ น้ำ")
    label.adjustSize()
    image = label.grab()
    if image.isNull() or image.width() < 20:
        raise AssertionError("a Thai label could not be drawn")
    return f"platform={app.platformName()} font={app.font().family()} families={families}"


def _check_store(data_dir: Path) -> str:
    from app.store import KeyStore
    from app.store.selftest import prove_working_copy

    return prove_working_copy(data_dir, SELFTEST_UNIT, KeyStore())  # the platform's keychain (Credential Manager)


def _check_pdf(data_dir: Path) -> str:
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    from app.documents.fonts import thai_style
    from app.documents.thaitext import ThaiParagraph, icu_segments, segments

    words = icu_segments("ขอสิทธิเข้าใช้งานระบบ")
    if len(words) < 5:
        raise AssertionError(f"ICU did not split Thai words: {words}")
    if "เจ้าหน้าที่" not in segments("เจ้าหน้าที่การเงิน"):   # the word list (app/data/thai_words.txt) came along
        raise AssertionError("the Thai word list is missing: lines could end inside เจ้าหน้าที่")
    import uharfbuzz  # noqa: F401 — without it ReportLab silently stops shaping Thai

    out = data_dir / "selftest-thai.pdf"
    text = "ขอสิทธิเข้าใช้งานระบบทะเบียนบุคลากรองค์กรปกครองส่วนท้องถิ่น ผู้มีสิทธิ ปู่ ย่า น้ำ " * 6
    SimpleDocTemplate(str(out), leftMargin=3 * cm, rightMargin=2 * cm).build([ThaiParagraph(text, thai_style())])
    data = out.read_bytes()
    if not data.startswith(b"%PDF") or b"Sarabun" not in data:
        raise AssertionError("the PDF has no embedded Sarabun")
    return f"{out} ({len(data)} bytes, ICU words {words})"


def _check_card() -> str:
    """pyscard loads; where a card service runs, list the readers and read every card present."""
    from card.pcsc import Context, PcscError
    from card.reader import ThaiIdReader

    try:
        ctx = Context()
    except PcscError as e:
        return f"pyscard loaded; no smart-card service here (0x{e.rc:08X})"
    try:
        readers = ctx.readers()
        read = []
        for reader in readers:
            try:
                with ctx.connect(reader, attempts=1) as conn, conn.transaction():
                    card = ThaiIdReader(conn, conn.atr()).read_card()
                read.append(f"{reader}: {card.cid} photo {len(card.photo)} bytes")
            except PcscError:
                continue  # no card in that reader
        return f"pyscard loaded; readers={readers}; cards read: {read or 'none'}"
    finally:
        ctx.close()


def _check_sync(central: str, data_dir: Path) -> str:
    """A sync round trip with the training central server: log in as the training registry officer,
    download the unit into a scratch working copy, sync again with nothing new."""
    from app import training
    from app.store import KeyStore, MemoryKeyring, RegisterStore, WorkingCopy
    from sync.client import CentralClient
    from sync.engine import SyncEngine

    officer = next(o for o in training.generate(staff=1).officers if o.role.value == "registry")
    scratch = Path(tempfile.mkdtemp(prefix="lgo-selftest-sync-"))
    wc = WorkingCopy.open(scratch, training.UNIT.code, KeyStore(MemoryKeyring()))
    try:
        engine = SyncEngine(RegisterStore(wc), CentralClient(central))
        engine.client.login(officer.email, training.TRAINING_PASSWORD, officer.cid)
        first = engine.sync_once()
        again = engine.sync_once()
        if first.errors or again.errors or first.pulled == 0 or again.pulled != 0:
            raise AssertionError(f"sync round trip failed: {first} / {again}")
        people = len(engine.register.people(training.UNIT.code, _dt.date.today()))
    finally:
        wc.close()
    return f"central={central} pulled={first.pulled} people={people}"


def _check_settings() -> str:
    from app import settings

    found = settings.load()
    return f"central_server={found.central_server} from={found.source}"


def run(report: Path, data_dir: Path, central: str | None = None) -> int:
    from .qt import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    data_dir.mkdir(parents=True, exist_ok=True)
    checks: list[tuple[str, Callable[[], str]]] = [
        ("qt", lambda: _check_qt(app)),
        ("store", lambda: _check_store(data_dir)),
        ("pdf", lambda: _check_pdf(data_dir)),
        ("card", _check_card),
        ("settings", _check_settings),
    ]
    if central:
        checks.append(("sync", lambda: _check_sync(central, data_dir)))
    results = []
    for name, fn in checks:
        try:
            results.append({"name": name, "ok": True, "detail": fn()})
        except BaseException as exc:  # noqa: BLE001 — every failure is reported, none stops the others
            results.append({"name": name, "ok": False, "detail": f"{type(exc).__name__}: {exc}",
                            "trace": traceback.format_exc(limit=6)})
    ok = all(r["ok"] for r in results)
    body = {"ok": ok, "frozen": bool(getattr(sys, "frozen", False)), "python": sys.version.split()[0],
            "os": platform.platform(), "pid": os.getpid(), "checks": results}
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if ok else 1
