"""The audit package from the finance officer's desk (ชุดหลักฐานเพื่อการตรวจสอบ, issue 19 §4): the unit's claims of
a period, each claim's evidence PDF, NHSO's payment statements and the ledger, as one .zip (:mod:`app.claims.audit`)
— and a package checked again against its manifest.

The working copy is read on the database worker and the zip written elsewhere: :func:`export_audit` takes ``db``,
which runs a read of the working copy where it belongs and waits for it (the desk passes its database worker; by
default it runs in place). The claims, statements and names are read once; each claim's evidence is decrypted
from the attachment store when its turn comes, so one claim's evidence is in memory at a time.

Evidence not on this PC (a claim another PC of the unit made, its evidence not yet downloaded): downloaded from
the central server when ``fetch`` is given (the desk online), checked against its SHA-256 and kept encrypted
here; otherwise — offline, or the download failed — the claim stays in the package with its evidence marked
«ขาด» in the ledger, listed in the manifest (``evidence_missing``) and in :attr:`Exported.missing`, so the
officer sees which to fetch before handing the package over. Never left out silently.
"""
from __future__ import annotations

import datetime as _dt
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar

from ..cid import format_cid
from ..claims import Claim
from ..claims.audit import ABSENT, MANIFEST, audit_package, manifest_sha256, verify_package
from ..claims.ledger import Period, in_period, ledger_order
from ..errors import Refusal
from ..store.attachments import AttachmentStore
from ..store.claims import ClaimStore
from ..store.payments import PaymentStore
from ..thai import format_date_long
from .claims import _finance
from .context import Desk

T = TypeVar("T")
BE = 543
EVIDENCE_NAME = "หลักฐานประกอบการเบิก"
CANCELLED = Refusal("audit.cancelled", "หยุดการสร้างชุดหลักฐานแล้ว ไม่ได้บันทึกไฟล์ใด ๆ",
                    "The audit package was stopped: no file was written.")


def _here(read: Callable[[], T]) -> T:
    return read()


# --- the period ------------------------------------------------------------------------------------------

def fiscal_year(be_year: int) -> Period:
    """Thailand's fiscal year ``be_year`` (พ.ศ.): 1 October of the year before to 30 September."""
    year = be_year - BE
    return _dt.date(year - 1, 10, 1), _dt.date(year, 9, 30)


def fiscal_year_of(day: _dt.date) -> int:
    """The fiscal year (พ.ศ.) ``day`` falls in."""
    return day.year + BE + (1 if day.month >= 10 else 0)


def period_th(period: Period) -> str:
    """«ปีงบประมาณ 2569» for a whole fiscal year, else «1 ตุลาคม 2568 ถึง 31 มีนาคม 2569»."""
    start, end = period
    be = fiscal_year_of(start)
    if period == fiscal_year(be):
        return f"ปีงบประมาณ {be}"
    return f"{format_date_long(start, digits='arabic')} ถึง {format_date_long(end, digits='arabic')}"


def default_name(period: Period) -> str:
    """The file name a save dialog suggests: Thai, and no character Windows refuses."""
    start, end = period
    be = fiscal_year_of(start)
    if period == fiscal_year(be):
        return f"ชุดหลักฐานเพื่อการตรวจสอบ-ปีงบประมาณ{be}.zip"
    day = "{0.day:02d}-{0.month:02d}-{1}".format
    return f"ชุดหลักฐานเพื่อการตรวจสอบ-{day(start, start.year + BE)}-ถึง-{day(end, end.year + BE)}.zip"


# --- what goes in ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Missing:
    """A claim whose evidence is not in the package: the officer fetches it, then makes the package again."""

    claim_id: str
    claimant: str       # the claimant's name (their CID when the register does not know it)
    why: str            # in Thai


@dataclass(frozen=True)
class Exported:
    path: Path
    claims: int
    files: int                        # listed in the manifest (every file but the manifest itself)
    bytes: int                        # the package's size
    manifest_sha256: str              # for the handover letter
    missing: tuple[Missing, ...] = ()
    fetched: int = 0                  # evidence downloaded from the central server for it


@dataclass(frozen=True)
class _Found:
    claims: list[Claim]
    statements: list[tuple[str, bytes]]
    unit_name: str
    names: dict[str, str]


def _statement_months(period: Period) -> tuple[str, str]:
    start, end = period
    return f"{start.year:04d}-{start.month:02d}", f"{end.year:04d}-{end.month:02d}"


def gather(desk: Desk, period: Period) -> _Found:
    """On the database worker: the unit's claims of ``period`` in ledger order, the payment statements of its
    months or that its claims cite, the unit's name and the names of the people the claims are about."""
    _finance(desk)
    unit = desk.officer.unit_code
    claims = ledger_order(c for c in ClaimStore(desk.register.wc).all(unit) if in_period(c, period))
    cited = {s.statement for c in claims for s in c.history if s.statement}
    first, last = _statement_months(period)
    statements = []
    for data in sorted(PaymentStore(desk.register.wc).all(), key=lambda d: (d["month"], d["id"])):
        if data.get("unit_code") == unit and (first <= data["month"] <= last or data["id"] in cited):
            statements.append((f"{data['id']}.json",
                               json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")))
    register = desk.register
    kept = register.get("unit", unit)
    names = {}
    for cid in sorted({c.claimant_cid for c in claims} | {c.patient_cid for c in claims}):
        person = register.person(cid)
        if person is not None:
            names[cid] = person.name_th
    return _Found(claims, statements, kept.record.name if kept else unit, names)


def _evidence_pdf(store: AttachmentStore, claim: Claim, shas: list[str]) -> bytes:
    """On the database worker: the claim's evidence as one PDF (a claim kept by an older program has a file a
    page: its pages are put together in order, with their labels)."""
    if len(shas) == 1:
        return store.get(shas[0])
    from ..claims.evidence import assemble, pages_of

    pages = [page for p in claim.pages for page in pages_of(store.get(p.sha256), p.label, p.receipt)]
    return assemble(pages, title=f"{EVIDENCE_NAME} {claim.id}")


# --- the use cases ---------------------------------------------------------------------------------------

def export_audit(desk: Desk, period: Period, path: Path | str,
                 progress: Callable[[int, int], None] | None = None, *,
                 cancelled: Callable[[], bool] | None = None,
                 fetch: Callable[[str], bytes] | None = None,
                 db: Callable[[Callable[[], Any]], Any] = _here) -> Exported:
    """Write the audit package of ``period`` (both days included) to ``path``, whole or not at all.

    Only a finance officer of the unit. ``progress(done, total)``: a claim's evidence packed (the ledger is the
    last step); ``cancelled()``: asked before each claim — True stops it with :data:`CANCELLED`, nothing written;
    ``fetch(sha256)``: the central server's copy of a document this PC does not hold (online only); ``db(read)``:
    runs ``read`` on the database worker and returns what it gave (module docstring). Raises :class:`Refusal`."""
    stop = cancelled or (lambda: False)
    found: _Found = db(lambda: gather(desk, period))
    store = AttachmentStore(desk.register.wc)
    total = len(found.claims) + 1
    missing: list[Missing] = []
    fetched = 0
    by_id = {c.id: c for c in found.claims}
    done = 0

    def evidence(claim_id: str):
        nonlocal done, fetched
        if stop():
            raise CANCELLED
        claim = by_id[claim_id]
        shas = list(dict.fromkeys(p.sha256 for p in claim.pages))
        if progress:
            progress(done, total)
        done += 1
        if not shas:
            return None
        absent = [s for s in shas if not db(lambda s=s: store.has(s))]
        why = ("ไฟล์หลักฐานยังไม่อยู่ในเครื่องนี้ และขณะนี้ไม่ได้เชื่อมต่อเซิร์ฟเวอร์กลาง "
               "กรุณาเชื่อมต่อแล้วสร้างชุดหลักฐานใหม่")
        if absent and fetch is not None:
            try:
                for sha in absent:
                    data = fetch(sha)    # here, on the caller's thread: never the database worker's
                    db(lambda data=data, sha=sha: store.put(data, EVIDENCE_NAME, expected_sha=sha))
                    fetched += 1
                absent = []
            except Exception:   # the link, the server, a blob that fails its SHA-256: said, not hidden
                why = "ดาวน์โหลดไฟล์หลักฐานจากเซิร์ฟเวอร์กลางไม่สำเร็จ กรุณาซิงค์ข้อมูลแล้วสร้างชุดหลักฐานใหม่"
        if absent:
            claimant = found.names.get(claim.claimant_cid) or format_cid(claim.claimant_cid)
            missing.append(Missing(claim.id, claimant, why))
            return ABSENT
        return db(lambda: _evidence_pdf(store, claim, shas))

    if stop():
        raise CANCELLED
    manifest = audit_package(found.claims, evidence, found.statements, period, found.unit_name, path,
                             names=found.names)
    if progress:
        progress(total, total)
    target = Path(path)
    return Exported(target, manifest.claims, len(manifest.files), target.stat().st_size, manifest.sha256,
                    tuple(missing), fetched)


@dataclass(frozen=True)
class Verified:
    path: Path
    problems: tuple[str, ...]          # in Thai; none: every file is as the manifest lists it
    files: int                         # the files the manifest lists
    manifest_sha256: str | None
    without_evidence: int = 0          # claims the manifest says were packed without their evidence («ขาด»)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(path: Path | str) -> Verified:
    """A package checked again against its manifest (any officer, or the auditor: it reads only the file)."""
    path = Path(path)
    problems = tuple(verify_package(path))
    files = without = 0
    if not problems:
        with zipfile.ZipFile(path) as zf:
            body = json.loads(zf.read(MANIFEST).decode("utf-8"))
        files = len(body["files"])
        without = len((body.get("evidence_missing") or {}).get("claims") or ())
    return Verified(path, problems, files, manifest_sha256(path), without)


__all__ = ["CANCELLED", "Exported", "Missing", "Verified", "default_name", "export_audit", "fiscal_year",
           "fiscal_year_of", "gather", "period_th", "verify"]
