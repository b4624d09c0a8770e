"""The audit package (ชุดหลักฐานเพื่อการตรวจสอบ): a period's claims as one .zip the unit hands to its auditors.

Inside::

    ledger.pdf, ledger.xlsx       the claims ledger and every claim's state history (app.claims.ledger)
    evidence/<claim id>.pdf       each claim's evidence PDF, as the program keeps it
    statements/<name>.pdf|.json   NHSO's payment statements, byte for byte as received
    manifest.json                 every other file with its SHA-256 and size, the unit, the period, the time made

Entry names are plain ASCII (a claim id is made safe for a file name): Windows' own zip folder shows Thai
names in a zip garbled on some versions; what each file is, in Thai, is in the manifest.

:func:`audit_package` writes the zip whole or not at all (a hidden temporary file in the chosen folder, flushed,
then renamed) and streams: one claim's evidence is in memory at a time. :func:`verify_package` re-reads every
file against the manifest and says in Thai what is missing, extra or altered. The manifest's own SHA-256
(:attr:`Manifest.sha256`) is what to write on the handover letter: a package whose manifest was rewritten too
no longer matches it.

    python -m app.claims.audit --verify PACKAGE.zip      exit 0: intact, 1: problems (said in Thai)
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import sys
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from ..documents.files import atomic_file
from ..errors import Refusal
from .claim import Claim
from .ledger import Period, in_period, ledger_documents, ledger_order, ledger_pdf, ledger_xlsx

FORMAT = "lgo-audit-package/1"
MANIFEST = "manifest.json"
CHUNK = 1 << 20

Statements = Mapping[str, bytes] | Iterable[tuple[str, bytes]]


@dataclass(frozen=True)
class PackedFile:
    path: str          # inside the zip
    sha256: str
    size: int
    what: str          # in Thai: what the file is


@dataclass(frozen=True)
class Manifest:
    path: Path                     # the package written
    unit_code: str
    unit_name: str
    period: Period
    made_at: _dt.datetime
    claims: int
    files: tuple[PackedFile, ...]
    sha256: str                    # of manifest.json itself: for the handover letter
    missing: tuple[str, ...] = ()  # claims whose evidence exists but was not at hand (:data:`ABSENT`)


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()
"""What an evidence source returns for a claim that has evidence which is not at hand (kept on another PC and not
yet downloaded to this one): the claim stays in the ledger, its evidence column says «ขาด», and the manifest lists it
under ``evidence_missing`` — never left out silently."""
MISSING_CELL = "ขาด"


# --- names -----------------------------------------------------------------------------------------------

_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def safe_name(text: str, fallback: str = "file") -> str:
    """A file name that is the same on Windows and Linux and inside any zip tool: ASCII letters, digits, ``-``,
    ``_`` and ``.``; anything else (Thai too) becomes ``_``; never a reserved Windows name, never hidden."""
    text = unicodedata.normalize("NFKC", text)
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._ ")[:80]
    if not name or name.split(".")[0].lower() in _RESERVED:
        name = f"{fallback}_{name}" if name else fallback
    return name


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    candidate, n = name, 2
    while candidate.lower() in taken:
        candidate = f"{stem}-{n}" + (f".{ext}" if dot else "")
        n += 1
    taken.add(candidate.lower())
    return candidate


def _statement_kind(data: bytes) -> str | None:
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    try:
        json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None
    return "json"


# --- writing ---------------------------------------------------------------------------------------------


class _Packer:
    """Entries into an open zip, each hashed as it is written."""

    def __init__(self, zf: zipfile.ZipFile, made_at: _dt.datetime) -> None:
        self.zf, self.files, self.taken = zf, [], set()
        local = made_at.astimezone(_dt.timezone(_dt.timedelta(hours=7)))
        self.stamp = (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)

    def add(self, path: str, data: bytes, what: str, compress: bool = True) -> PackedFile:
        info = zipfile.ZipInfo(path, self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        digest = hashlib.sha256()
        with self.zf.open(info, "w", force_zip64=len(data) > 0x7FFF0000) as out:
            view = memoryview(data)
            for i in range(0, len(view), CHUNK):
                digest.update(view[i:i + CHUNK])
                out.write(view[i:i + CHUNK])
        packed = PackedFile(path, digest.hexdigest(), len(data), what)
        if path != MANIFEST:
            self.files.append(packed)
        return packed


def audit_package(claims: Iterable[Claim], evidence: Callable[[str], bytes | None], statements: Statements,
                  period: Period, unit_name: str, out_path: Path | str, *,
                  names: Mapping[str, str] | Callable[[str], str] | None = None,
                  now: Callable[[], _dt.datetime] | None = None) -> Manifest:
    """Write the audit package of ``period`` (both days included) to ``out_path`` and return its manifest.

    ``claims``: the unit's claims (those of the period are kept: a step, a receipt or a day of care in it);
    ``evidence(claim_id)``: the claim's evidence PDF, None/empty when it has none, :data:`ABSENT` when it has some that
is not at hand; ``statements``: NHSO's
    payment statements as (name, bytes) — PDF or JSON, kept as given; ``names``: CID → name for the ledger, when
    the register is at hand. Raises :class:`Refusal` in Thai, leaving nothing behind."""
    start, end = period
    if end < start:
        raise Refusal("audit.period", "วันสิ้นสุดของช่วงเวลาต้องไม่ก่อนวันเริ่มต้น กรุณาเลือกช่วงเวลาใหม่",
                      "The period ends before it starts.")
    chosen = ledger_order(c for c in claims if in_period(c, (start, end)))
    units = {c.unit_code for c in chosen}
    if len(units) > 1:
        raise Refusal("audit.units", "ชุดหลักฐานหนึ่งชุดต้องเป็นคำขอเบิกของหน่วยงานเดียว",
                      "An audit package holds one unit's claims.")
    statement_items = list(statements.items() if isinstance(statements, Mapping) else statements)
    kinds = []
    for n, (_name, data) in enumerate(statement_items, start=1):
        kind = _statement_kind(data)
        if kind is None:
            raise Refusal("audit.statement", f"รายการโอนเงินของ สปสช. ฉบับที่ {n} ไม่ใช่ไฟล์ PDF หรือ JSON "
                          "กรุณาดาวน์โหลดรายการโอนเงินจาก สปสช. อีกครั้ง", "A payment statement is neither PDF nor JSON.")
        kinds.append(kind)
    made_at = (now or (lambda: _dt.datetime.now(_dt.timezone.utc)))()
    out_path = Path(out_path)
    unit_code = next(iter(units), "")

    with atomic_file(out_path) as raw:
        with zipfile.ZipFile(raw, "w", allowZip64=True) as zf:
            pack = _Packer(zf, made_at)
            evidence_files: dict[str, str] = {}
            missing: list[str] = []
            for c in chosen:   # one claim's evidence in memory at a time
                data = _evidence_of(evidence, c)
                if data is ABSENT:
                    missing.append(c.id)
                    evidence_files[c.id] = MISSING_CELL   # the ledger shows a value that is not the usual path as it is
                    continue
                if not data:
                    continue
                path = "evidence/" + _unique(safe_name(c.id, "claim") + ".pdf", pack.taken)
                pack.add(path, data, f"หลักฐานประกอบคำขอเบิกเลขที่ {c.id}", compress=False)
                evidence_files[c.id] = path
            for n, ((name, data), kind) in enumerate(zip(statement_items, kinds), start=1):
                stem = safe_name(re.sub(r"\.(pdf|json)$", "", name, flags=re.I), "statement")
                if not name.isascii():   # a Thai name says little once made ASCII: numbered, named in Thai
                    stem = f"statement-{n:02d}" + (f"_{stem}" if stem != "statement" else "")
                path = "statements/" + _unique(f"{stem}.{kind}", pack.taken)
                pack.add(path, data, f"รายการโอนเงินของ สปสช. ({name})", compress=kind == "json")
            ledger, history = ledger_documents(chosen, (start, end), unit_name, names, evidence_files)
            pack.add("ledger.pdf", ledger_pdf(ledger, history), "ทะเบียนคุมการเบิกและประวัติสถานะ (PDF)")
            pack.add("ledger.xlsx", ledger_xlsx([ledger, history]), "ทะเบียนคุมการเบิกและประวัติสถานะ (Excel)",
                     compress=False)
            body = {
                "format": FORMAT, "title": "ชุดหลักฐานเพื่อการตรวจสอบ การเบิกเงินสวัสดิการเกี่ยวกับการรักษาพยาบาล",
                "unit": {"code": unit_code, "name": unit_name},
                "period": {"start": start.isoformat(), "end": end.isoformat()},
                "made_at": made_at.isoformat(), "claims": len(chosen),
                "files": [{"path": f.path, "sha256": f.sha256, "size": f.size, "what": f.what}
                          for f in pack.files],
            }
            if missing:
                body["evidence_missing"] = {
                    "what": "คำขอเบิกที่มีหลักฐาน แต่ไม่ได้อยู่ในชุดนี้ (ไม่มีไฟล์หลักฐานในเครื่องที่สร้างชุดหลักฐาน)",
                    "claims": missing}
            manifest = json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
            own = pack.add(MANIFEST, manifest, "บัญชีรายการไฟล์")
    return Manifest(out_path, unit_code, unit_name, (start, end), made_at, len(chosen), tuple(pack.files), own.sha256,
                    tuple(missing))


def _evidence_of(evidence: Callable[[str], bytes | None], claim: Claim):
    try:
        return evidence(claim.id)
    except Refusal:
        raise
    except Exception:   # the attachment store says StoreProblem; a caller's source may say anything
        raise Refusal("audit.evidence", f"อ่านไฟล์หลักฐานของคำขอเบิกเลขที่ {claim.id} ไม่ได้ "
                      "กรุณาดาวน์โหลดหลักฐานจากเซิร์ฟเวอร์กลางอีกครั้ง แล้วสร้างชุดหลักฐานใหม่",
                      "A claim's evidence could not be read.", claim.id) from None


# --- verifying -------------------------------------------------------------------------------------------


def verify_package(path: Path | str) -> list[str]:
    """What is wrong with the package at ``path``, one Thai sentence each; empty: every file is as listed."""
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        return [f"ไม่พบไฟล์ชุดหลักฐาน «{path.name}»"]
    except (zipfile.BadZipFile, OSError):
        return [f"ไฟล์ «{path.name}» ไม่ใช่ชุดหลักฐานเพื่อการตรวจสอบ หรือไฟล์เสียหาย"]
    problems: list[str] = []
    with zf:
        entries = [i for i in zf.infolist() if not i.is_dir()]
        names = [i.filename for i in entries]
        for dup in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"มีไฟล์ชื่อ {dup} ซ้ำกันมากกว่าหนึ่งไฟล์ในชุดหลักฐาน (อาจถูกแทรกไฟล์)")
        if MANIFEST not in names:
            return problems + ["ไม่พบบัญชีรายการไฟล์ (manifest.json) ในชุดหลักฐาน จึงตรวจสอบไฟล์อื่นไม่ได้"]
        try:
            body = json.loads(zf.read(MANIFEST).decode("utf-8"))
            listed = {f["path"]: (str(f["sha256"]), int(f["size"])) for f in body["files"]}
        except (zipfile.BadZipFile, UnicodeDecodeError, ValueError, KeyError, TypeError):
            return problems + ["บัญชีรายการไฟล์ (manifest.json) เสียหายหรืออ่านไม่ได้ จึงตรวจสอบไฟล์อื่นไม่ได้"]
        present = set(names)
        for name, (sha, size) in listed.items():
            if name not in present:
                problems.append(f"ไม่พบไฟล์ {name} ซึ่งบัญชีรายการไฟล์ระบุไว้")
                continue
            got = _digest(zf, name)
            if got is None:
                problems.append(f"ไฟล์ {name} เสียหาย อ่านไม่ได้")
            elif got != (sha, size):
                problems.append(f"ไฟล์ {name} ถูกแก้ไข: รหัสตรวจสอบ (SHA-256) หรือขนาดไม่ตรงกับบัญชีรายการไฟล์")
        for name in sorted(present - set(listed) - {MANIFEST}):
            problems.append(f"มีไฟล์ {name} ที่ไม่อยู่ในบัญชีรายการไฟล์")
    return problems


def _digest(zf: zipfile.ZipFile, name: str) -> tuple[str, int] | None:
    digest, size = hashlib.sha256(), 0
    try:
        with zf.open(name) as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):   # a CRC that fails, a cut or damaged entry
        return None
    return digest.hexdigest(), size


def manifest_sha256(path: Path | str) -> str | None:
    """The SHA-256 of the package's manifest.json (what the handover letter names), or None."""
    try:
        with zipfile.ZipFile(path) as zf:
            return hashlib.sha256(zf.read(MANIFEST)).hexdigest()
    except (OSError, KeyError, zipfile.BadZipFile):
        return None


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    for stream in (sys.stdout, sys.stderr):   # Thai on a Windows console too
        try:
            stream.reconfigure(encoding="utf-8", errors="replace")
        except (AttributeError, ValueError):
            pass
    parser = argparse.ArgumentParser(prog="python -m app.claims.audit",
                                     description="ตรวจสอบชุดหลักฐานเพื่อการตรวจสอบ (ไฟล์ .zip) กับบัญชีรายการไฟล์")
    parser.add_argument("--verify", metavar="PACKAGE", type=Path, required=True, help="ไฟล์ชุดหลักฐาน .zip")
    args = parser.parse_args(argv)
    problems = verify_package(args.verify)
    if problems:
        print(f"ชุดหลักฐาน «{args.verify.name}» ไม่ถูกต้อง พบปัญหา {len(problems)} รายการ:")
        for p in problems:
            print(f"- {p}")
        return 1
    with zipfile.ZipFile(args.verify) as zf:
        body = json.loads(zf.read(MANIFEST).decode("utf-8"))
    print(f"ชุดหลักฐาน «{args.verify.name}» ถูกต้อง: ไฟล์ทั้ง {len(body['files'])} ไฟล์ตรงกับบัญชีรายการไฟล์")
    without = (body.get("evidence_missing") or {}).get("claims") or []
    if without:
        print(f"หมายเหตุ: ชุดนี้ไม่มีหลักฐานของเรื่องเบิก {len(without)} เรื่อง (ทะเบียนคุมระบุว่า «ขาด»): "
              + ", ".join(without))
    print(f"รหัสตรวจสอบของบัญชีรายการไฟล์ (SHA-256): {manifest_sha256(args.verify)}")
    return 0


__all__ = ["ABSENT", "FORMAT", "MANIFEST", "Manifest", "PackedFile", "audit_package", "manifest_sha256", "safe_name",
           "verify_package"]


if __name__ == "__main__":
    sys.exit(main())

