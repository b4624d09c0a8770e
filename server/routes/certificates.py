"""Certificates of entitlement (หนังสือรับรองสิทธิ, issue 18 §4): a unit's PC issues one offline and records it here.

The server is the authority: it records a certificate only when the caller is a registry officer or the
registrar of the certificate's unit and the person is entitled, on the admission date, as the relation named
through the beneficiary named, in that unit — judged by :mod:`app.rules.entitlement` on the server's own stored
register, never on what the PC says. Recording is idempotent by (unit, number): the same certificate again gets
the first answer; another certificate under a number already taken is refused. Each recorded certificate goes
into the unit's feed, so every PC of the unit lists it in its register of certificates.
"""
from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import and_, select

from app.domain import Role
from app.rules.entitlement import Relation, spans_for
from sync.protocol import API, CertificateIn, CertificateRecorded

from .. import security
from ..db import certificates, feed
from ..register import load_facts
from .common import Active, ApiError, Ctx, record_audit

router = APIRouter(prefix=API, tags=["certificates"])
ISSUERS = (Role.REGISTRY_OFFICER, Role.REGISTRAR)


def _same(row, body: CertificateIn) -> bool:
    return (row["cid"], row["relation"], row["via_cid"], row["admitted_on"]) == \
        (body.cid, body.relation, body.via_cid, body.admitted_on)


@router.post("/certificates", response_model=CertificateRecorded)
def record_certificate(body: CertificateIn, ctx: Ctx, c: Active) -> CertificateRecorded:
    if c.role not in ISSUERS:
        raise ApiError(403, "certificate.role", "เฉพาะเจ้าหน้าที่ทะเบียนและนายทะเบียนเท่านั้นที่ออกหนังสือรับรองสิทธิได้",
                       "Only registry officers and the registrar issue certificates.")
    if body.unit_code != c.unit_code:
        raise ApiError(403, "certificate.other_unit",
                       "หนังสือรับรองสิทธิฉบับนี้เป็นของหน่วยงานอื่น บัญชีของท่านบันทึกให้หน่วยงานอื่นไม่ได้",
                       "The certificate belongs to another unit.")
    if body.issued_by_cid != c.cid:
        raise ApiError(403, "certificate.not_issuer", "บันทึกได้เฉพาะหนังสือรับรองสิทธิที่ท่านออกเอง",
                       "Only the officer who issued a certificate records it.")
    relation = Relation(body.relation)

    def work(conn) -> CertificateRecorded:
        row = conn.execute(select(certificates).where(and_(
            certificates.c.unit_code == c.unit_code, certificates.c.number == body.number))).mappings().first()
        if row is not None:
            if _same(row, body):
                return CertificateRecorded(number=body.number, recorded_at=security.aware(row["recorded_at"]).isoformat())
            raise ApiError(409, "certificate.number_taken",
                           "เลขที่หนังสือรับรองสิทธินี้ถูกใช้กับหนังสือฉบับอื่นของหน่วยงานแล้ว",
                           "The number is already used by another certificate of the unit.")
        facts = load_facts(conn, {body.cid, body.via_cid}, c.unit_code, keep={body.cid, body.via_cid})
        jobs_here = [e for e in facts.employments_of(body.via_cid) if e.unit_code == c.unit_code]
        if not jobs_here:
            raise ApiError(403, "certificate.not_of_unit",
                           "บุคคลนี้ไม่เป็นผู้มีสิทธิหรือบุคคลในครอบครัวของผู้มีสิทธิของหน่วยงานของท่าน",
                           "The person is not of the caller's unit.")
        entitled = [s for s in spans_for(facts, body.via_cid) if s.cid == body.cid and s.relation is relation
                    and s.unit_code == c.unit_code and s.contains(body.admitted_on)]
        if not entitled:
            raise ApiError(422, "certificate.not_entitled",
                           "ตามทะเบียนของเซิร์ฟเวอร์กลาง บุคคลนี้ไม่มีสิทธิในวันที่เข้ารับการรักษาที่ระบุ",
                           "Not entitled on the admission date by the central register.")
        now = security.now()
        data = body.model_dump(mode="json")
        conn.execute(certificates.insert().values(
            unit_code=c.unit_code, number=body.number, cid=body.cid, relation=body.relation, via_cid=body.via_cid,
            admitted_on=body.admitted_on, issued_by=c.cid, account_id=c.account_id, data=data, recorded_at=now))
        conn.execute(feed.insert().values(unit_code=c.unit_code, kind="certificate", record_type="", key=body.number,
                                          rev=0, data=data, at=now))
        record_audit(conn, c, "certificate.recorded", number=body.number)
        return CertificateRecorded(number=body.number, recorded_at=now.isoformat())

    return ctx.in_tx(work)
