"""The certificate of entitlement (หนังสือรับรองสิทธิ, issue 18 §4): an in-patient not yet in NHSO's database gets
a letter from the unit certifying their right on the admission date.

* :func:`grounds` — what the rules say about the person on that date, from the working copy's records (the
  same :mod:`app.rules.entitlement` the server runs): through whom and as what they are entitled in this unit,
  or a :class:`~app.errors.Refusal` carrying the rules' Thai reason. The dialog asks it as the officer types.
* :func:`issue` — the officer's action: asks :func:`grounds` again, then numbers the certificate, typesets it
  and keeps it (the row and the PDF, encrypted in the attachment store) in one transaction. Refused: nothing
  is kept, nothing produced.
* :func:`issued`, :func:`register_document` — the unit's register of certificates (ทะเบียนคุมหนังสือรับรองสิทธิ)
  for a period: on screen, as PDF (``app.documents.table_pdf``) and as .xlsx (``table_xlsx``).
* :func:`pdf_of` — a certificate's PDF as it was issued.

Numbers are unique across the unit's PCs while offline: ``<PC>-<running>/<Buddhist year>`` (``4821-7/2569``),
the PC's four digits drawn from its own signing key — the decision is written in :mod:`app.store.certificates`.
On the letter the number follows the unit's reference: ที่ ขก ๕๒๑๐๑/๔๘๒๑-๗/๒๕๖๙.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from ..domain import Employment, Person, Role, Unit
from ..errors import Refusal, Severity
from ..rules.entitlement import (
    Facts, Relation, Span, beneficiary_days, explain_dependent, explain_self, parent_relation, spans_for,
)
from ..store.attachments import AttachmentStore
from ..store.certificates import Certificate, CertificateStore, fingerprint
from ..store.outbox import Kind
from ..thai import format_date_long, format_date_short
from .context import Desk

Date = _dt.date
ISSUERS = (Role.REGISTRY_OFFICER, Role.REGISTRAR)
HOSPITAL_MAX = 200
_RANK = {Relation.SELF: 0, Relation.SPOUSE: 1, Relation.CHILD: 2, Relation.FATHER: 3, Relation.MOTHER: 3}


@dataclass(frozen=True)
class Grounds:
    """Why a person is entitled on a day: as ``relation`` of ``via`` (the beneficiary), through ``span``."""

    person: Person
    relation: Relation
    via: Person
    span: Span
    position: str
    day: Date

    @property
    def secondary(self) -> bool:
        return self.span.secondary

    def describe(self) -> str:
        """One line for the dialog: มีสิทธิในวันที่ 14/03/2569 ในฐานะบุตรของ นายสมชาย ใจดี."""
        when = format_date_short(self.day)
        what = "ผู้มีสิทธิ" if self.relation is Relation.SELF else f"{self.relation.th}ของ {self.via.name_th}"
        extra = " (ใช้สิทธิประกันสังคมก่อน)" if self.secondary else ""
        return f"มีสิทธิในวันที่ {when} ในฐานะ{what}{extra}"


def _candidates(facts: Facts, cid: str) -> list[tuple[str, Relation]]:
    """Everyone through whom ``cid`` could be entitled, and as what."""
    out: list[tuple[str, Relation]] = []
    if facts.employments_of(cid):
        out.append((cid, Relation.SELF))
    for link in facts.parent_links(cid):          # cid is their child
        out.append((link.parent_cid, Relation.CHILD))
    for link in facts.children_links(cid):        # cid is their father or mother
        out.append((link.child_cid, parent_relation(facts.persons.get(cid))))
    for m in facts.marriages_of(cid):
        out.append((m.other(cid), Relation.SPOUSE))
    seen, unique = set(), []
    for c in out:
        if c not in seen:
            seen.add(c)
            unique.append(c)
    return unique


def _job_on(facts: Facts, cid: str, unit_code: str, day: Date) -> Employment | None:
    jobs = [e for e in facts.employments_of(cid) if e.unit_code == unit_code and e.start <= day
            and (e.end is None or day < e.end)]
    return max(jobs, key=lambda e: e.start) if jobs else None


def grounds(desk: Desk, cid: str, day: Date, *, via_cid: str | None = None,
            relation: Relation | None = None) -> Grounds:
    """How ``cid`` is entitled in the officer's unit on ``day`` (as the beneficiary first, then as a dependent;
    ``via_cid``/``relation`` narrow it). Raises :class:`Refusal` with the rules' Thai reason when not."""
    register, unit_code = desk.register, desk.officer.unit_code
    near = register.load_facts([cid])
    person = near.persons.get(cid)
    if person is None:
        raise Refusal("certificate.unknown_person", "ไม่พบบุคคลนี้ในทะเบียนของเครื่องนี้ กรุณาซิงก์แล้วลองอีกครั้ง",
                      "The person is not in this PC's register.")
    candidates = [(v, r) for v, r in _candidates(near, cid)
                  if (via_cid is None or v == via_cid) and (relation is None or r is relation)]
    facts = register.load_facts({cid, *(v for v, _r in candidates)}) if candidates else near
    when = format_date_short(day)
    found: list[tuple[Span, str]] = []
    reasons: list[tuple[str, str]] = []   # (code, Thai)
    for via, rel in candidates:
        spans = [s for s in spans_for(facts, via) if s.cid == cid and s.relation is rel and s.contains(day)]
        in_unit = [s for s in spans if s.unit_code == unit_code]
        if in_unit:
            found += [(s, via) for s in in_unit]
            continue
        if not any(e.unit_code == unit_code for e in facts.employments_of(via)):
            continue   # nobody of this unit: not this unit's to certify, and not its reason to give
        if spans:
            reasons.append(("certificate.other_unit", f"ในวันที่ {when} บุคคลนี้มีสิทธิผ่านหน่วยงานอื่น "
                                                      "หน่วยงานนั้นเป็นผู้ออกหนังสือรับรองสิทธิ"))
        elif rel is Relation.SELF:
            said = [v for v in explain_self(facts, cid, day) if v.severity is Severity.ERROR]
            if said:
                reasons.append((said[0].code, said[0].th))
            elif not beneficiary_days(facts, cid).contains(day):
                reasons.append(("self.not_in_service",
                                f"{person.name_th} ไม่ได้ปฏิบัติงานเป็นผู้มีสิทธิของหน่วยงานในวันที่ {when}"))
        else:
            v = explain_dependent(facts, via, cid, rel, day)
            if v is not None and v.severity is Severity.ERROR:
                reasons.append((v.code, v.th))
    if not found:
        if not reasons:
            raise Refusal("certificate.not_of_unit",
                          "บุคคลนี้ไม่เป็นผู้มีสิทธิหรือบุคคลในครอบครัวของผู้มีสิทธิของหน่วยงานนี้ จึงออกหนังสือรับรองสิทธิไม่ได้",
                          "The person is neither a beneficiary nor a dependent of this unit.")
        code, th = reasons[0]
        more = "".join(f" และ{t}" for _c, t in reasons[1:])
        raise Refusal(code, f"ไม่มีสิทธิในวันที่เข้ารับการรักษา ({when}): {th}{more}",
                      "Not entitled on the admission date.")
    span, via = min(found, key=lambda f: (f[0].secondary, _RANK[f[0].relation], f[0].start))
    job = _job_on(facts, via, unit_code, day)
    return Grounds(person, span.relation, facts.persons.get(via) or person, span, job.position if job else "", day)


def check_hospital(text: str) -> str:
    hospital = " ".join(text.split())
    if not hospital:
        raise Refusal("certificate.hospital", "กรุณากรอกชื่อสถานพยาบาลที่รับผู้ป่วยไว้ เช่น โรงพยาบาลขอนแก่น",
                      "Enter the hospital's name.", "hospital")
    if len(hospital) > HOSPITAL_MAX:
        raise Refusal("certificate.hospital", f"ชื่อสถานพยาบาลยาวเกิน {HOSPITAL_MAX} ตัวอักษร",
                      "The hospital's name is too long.", "hospital")
    return hospital


def _may_issue(desk: Desk) -> None:
    if desk.officer.role not in ISSUERS:
        raise Refusal("certificate.role", "เฉพาะเจ้าหน้าที่ทะเบียนและนายทะเบียนเท่านั้นที่ออกหนังสือรับรองสิทธิได้",
                      "Only registry officers and the registrar issue certificates.")


def _unit(desk: Desk) -> Unit | None:
    found = desk.register.get("unit", desk.officer.unit_code)
    return found.record if found else None


def issue(desk: Desk, *, cid: str, admitted_on: Date, hospital: str, via_cid: str | None = None,
          relation: Relation | None = None) -> tuple[Certificate, bytes]:
    """Issue a certificate for ``cid`` admitted on ``admitted_on`` to ``hospital``; returns it and its PDF.
    Refused (Thai) when the person is not entitled that day, the hospital is missing, the date is in the
    future, or the officer may not issue: then nothing is kept."""
    from ..documents.certificate import certificate_pdf

    _may_issue(desk)
    hospital = check_hospital(hospital)
    if admitted_on > desk.today:
        raise Refusal("certificate.future", "วันที่เข้ารับการรักษาต้องไม่เป็นวันในอนาคต", "The admission date is in the future.",
                      "admitted_on")
    why = grounds(desk, cid, admitted_on, via_cid=via_cid, relation=relation)
    unit = _unit(desk)
    unit_name = unit.name if unit is not None else desk.officer.unit_code
    store = CertificateStore(desk.register.wc)
    device = fingerprint(desk.signer.public_key_b64())   # made (and kept) before the transaction below
    issued_at = desk.clock()
    issued_on = issued_at.astimezone().date()
    number = store.next_number(device, issued_on)
    cert = Certificate(number, desk.officer.unit_code, cid, why.person.name_th, why.relation, why.via.cid,
                       why.via.name_th, why.position, unit_name, admitted_on, hospital,
                       issued_at.astimezone(_dt.timezone.utc), issued_on, desk.officer.cid, desk.officer.name,
                       why.secondary, device=device)
    attachments = AttachmentStore(desk.register.wc)
    # the unit's emblem when its data names one and this PC holds it, else the empty frame to stamp
    emblem_sha = unit.emblem_sha256 if unit is not None else ""
    emblem = attachments.get(emblem_sha) if emblem_sha and attachments.has(emblem_sha) else None
    pdf = certificate_pdf(cert, why.person, unit, emblem=emblem,
                          signer_name=unit.head_name if unit is not None else "",
                          signer_position=unit.head_position if unit is not None else "",
                          reference=unit.reference if unit is not None else "")
    with desk.transaction() as conn:
        sha = attachments.put_in(conn, pdf, f"หนังสือรับรองสิทธิ {number}.pdf")
        cert = Certificate(**{**cert.__dict__, "pdf_sha256": sha})
        store.keep_in(conn, cert, own=True)
        desk.outbox.owe_in(conn, f"certificate:{number}", Kind.CERTIFICATE, "", cert.to_json())
    return cert, pdf


def issued(desk: Desk, start: Date, end: Date) -> list[Certificate]:
    """The unit's certificates issued from ``start`` to ``end`` (both included), oldest first."""
    return CertificateStore(desk.register.wc).issued(desk.officer.unit_code, start, end)


def of_person(register, cid: str) -> list[Certificate]:
    """The certificates issued about ``cid`` (the person pane lists them)."""
    return CertificateStore(register.wc).of_person(cid)


def pdf_of(desk: Desk, number: str) -> bytes:
    c = CertificateStore(desk.register.wc).get(number)
    if c is None or not c.pdf_sha256:
        raise Refusal("certificate.missing", "ไม่พบหนังสือรับรองสิทธิฉบับนี้ในเครื่องนี้", "Not on this PC.")
    return AttachmentStore(desk.register.wc).get(c.pdf_sha256)


REGISTER_TITLE = "ทะเบียนคุมหนังสือรับรองสิทธิการรักษาพยาบาล"


def register_document(desk: Desk, start: Date, end: Date):
    """ทะเบียนคุมหนังสือรับรองสิทธิ for ``start``–``end``: a :class:`app.documents.TableDocument` (screen, PDF, .xlsx)."""
    from ..documents.tables import Column, Table, TableDocument

    if end < start:
        raise Refusal("certificate.period", "วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น", "The period ends before it starts.")
    rows = issued(desk, start, end)
    unit = _unit(desk)
    columns = [
        Column("ลำดับ", "int", 7, align="center"),
        Column("เลขที่", "text", 14),
        Column("วันที่ออก", "date", 17),
        Column("ชื่อ–สกุล", "text", 20),
        Column("เลขประจำตัวประชาชน", "cid", 19),
        Column("ความเกี่ยวพัน", "text", 11),
        Column("ผู้มีสิทธิ", "text", 20),
        Column("วันที่เข้ารับการรักษา", "date", 17),
        Column("สถานพยาบาล", "text", 22),
        Column("ผู้ออก", "text", 18),
    ]
    body = [[i, c.number, c.issued_on, c.name, c.cid, c.relation.th, c.via_name, c.admitted_on, c.hospital,
             c.issued_by_name] for i, c in enumerate(rows, start=1)]
    subtitle = [unit.name if unit is not None else desk.officer.unit_code,
                f"ออกระหว่างวันที่ {format_date_long(start, digits='arabic')} "
                f"ถึงวันที่ {format_date_long(end, digits='arabic')} รวม {len(rows)} ฉบับ"]
    return TableDocument(REGISTER_TITLE, Table(columns, body), subtitle=subtitle, landscape=True,
                         sheet="ทะเบียนคุมหนังสือรับรองสิทธิ")
