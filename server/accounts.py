"""Units and officer accounts: the unit register, and the request workbooks units send to NHSO.

An imported request is the unit's complete list of officers: people named get an account (or keep
theirs), a changed role or a replaced person revokes the old account, and each new account's username
and one-time password are e-mailed to that person alone.
"""
from __future__ import annotations

import csv
import smtplib
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path

from sqlalchemy import and_, select, update
from sqlalchemy.engine import Engine

from app.documents.request import read_request
from app.domain import UnitLevel
from app.errors import Refusal

from .db import accounts, audit, units
from .register import register_unit
from .security import hash_password, now, one_time_password

LEVELS_TH = {lvl.th: lvl for lvl in UnitLevel}


@dataclass
class Mailer:
    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "noreply@lgo-registry.nhso.example"

    def send(self, to: str, subject: str, body: str) -> None:
        msg = EmailMessage()
        msg["From"] = formataddr(("สปสช. ระบบทะเบียนบุคลากร อปท.", self.sender))
        msg["To"] = to
        msg["Subject"] = subject
        msg.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=30) as smtp:
            smtp.send_message(msg)


@dataclass
class ImportReport:
    problems: list[str] = field(default_factory=list)    # Thai, with row numbers
    created: list[str] = field(default_factory=list)     # usernames
    kept: list[str] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)
    mailed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class UnitRowError(ValueError):
    """A row of the unit register that cannot be imported; nothing of the file was imported."""


def import_units(engine: Engine, path: Path) -> int:
    """The unit register: a CSV with code, name, level, province, address, phone, email (UTF-8)."""
    count = 0
    with open(path, encoding="utf-8-sig", newline="") as f, engine.begin() as conn:
        for row in csv.DictReader(f):
            code = row["code"].strip()
            data = {k: (row.get(k) or "").strip() for k in ("code", "name", "level", "province", "address",
                                                          "phone", "email")}
            if data["level"] in LEVELS_TH:
                data["level"] = LEVELS_TH[data["level"]].value
            if data["level"] not in {v.value for v in UnitLevel}:
                raise UnitRowError(f"หน่วยงานรหัส {code}: ไม่รู้จักประเภทหน่วยงาน «{data['level']}» "
                                   f"(ใช้ได้: {', '.join(LEVELS_TH)}) กรุณาแก้ไขไฟล์แล้วนำเข้าใหม่")
            register_unit(conn, data)
            count += 1
    return count


def import_request(engine: Engine, path: Path, mailer: Mailer | None, *, dry_run: bool = False) -> ImportReport:
    req = read_request(path)
    report = ImportReport(problems=[v.th for v in req.problems.errors])
    with engine.begin() as conn:
        unit = conn.execute(select(units.c.name).where(units.c.code == req.unit_code)).first()
        if req.unit_code and unit is None:
            report.problems.append(f"ไม่พบหน่วยงานรหัส {req.unit_code} ในทะเบียนหน่วยงาน กรุณานำเข้าทะเบียนหน่วยงานก่อน")
        named = [o.cid for _row, o in req.officers if o.cid]
        if named and conn.execute(select(accounts.c.id).where(and_(
                accounts.c.active.is_(True), accounts.c.role == "nhso", accounts.c.cid.in_(named)))).first():
            report.problems.append("ผู้ที่มีชื่อในแบบขอสิทธิบางคนเป็นเจ้าหน้าที่ สปสช. ซึ่งเป็นเจ้าหน้าที่ของหน่วยงานไม่ได้")
        if not report.ok:
            return report
        active = conn.execute(select(accounts).where(and_(accounts.c.unit_code == req.unit_code,
                                                          accounts.c.active.is_(True)))).mappings().all()
        wanted = {(o.cid, o.role.value) for _row, o in req.officers}
        for acc in active:
            if (acc["cid"], acc["role"]) in wanted:
                report.kept.append(acc["username"])
            else:
                report.revoked.append(acc["username"])
                if not dry_run:
                    conn.execute(update(accounts).where(accounts.c.id == acc["id"]).values(
                        active=False, revoked_at=now()))
        have = {(a["cid"], a["role"]) for a in active}
        to_mail = []
        for _row, o in req.officers:
            if (o.cid, o.role.value) in have:
                continue
            username = _username(conn, o.email)
            password = one_time_password()
            report.created.append(username)
            if dry_run:
                continue
            conn.execute(accounts.insert().values(
                id=str(uuid.uuid4()), username=username, cid=o.cid, name=o.name, position=o.position,
                role=o.role.value, unit_code=o.unit_code, email=o.email, mobile=o.mobile,
                password_hash=hash_password(password), must_change_password=True, active=True,
                failed_logins=0, created_at=now()))
            to_mail.append((o, username, password, unit[0]))
        if not dry_run:
            conn.execute(audit.insert().values(at=now(), unit_code=req.unit_code, action="accounts.import",
                                               detail={"created": report.created, "revoked": report.revoked,
                                                       "file": Path(path).name}))
    for o, username, password, unit_name in to_mail:  # after the commit: no account without its mail
        if mailer is not None:
            mailer.send(o.email, f"รหัสผู้ใช้งานระบบทะเบียนบุคลากร อปท. — {unit_name}",
                        _welcome(o.name, o.role.th, unit_name, username, password))
            report.mailed.append(o.email)
    return report


class StaffError(ValueError):
    """A staff account that cannot be made (Thai, one line); nothing was written."""


def add_staff(engine: Engine, email: str, mailer: Mailer | None, name: str = "", cid: str = "") -> str:
    """An NHSO staff account (role ``nhso``, no unit): never a unit's officer. Its one-time password is mailed to
    ``email`` alone, like an officer's; the staff member changes it at the first log-in. Returns the user name."""
    from sync.protocol import STAFF_ROLE
    from app.cid import validate
    email = email.strip()
    if "@" not in email or len(email) > 254 or any(ch.isspace() for ch in email):
        raise StaffError("ที่อยู่อีเมลไม่ถูกต้อง")
    # Required: the same person is told apart from every unit's officers by their ID, not by an e-mail address
    # they could vary, and they log in with their own card like everyone else.
    if not cid.strip():
        raise StaffError("กรุณาระบุเลขประจำตัวประชาชนของเจ้าหน้าที่ สปสช. (--cid) ซึ่งใช้ตรวจว่าไม่ได้เป็นเจ้าหน้าที่ของหน่วยงาน "
                         "และใช้คู่กับบัตรเมื่อเข้าสู่ระบบ")
    try:
        cid = validate(cid)
    except Refusal as e:
        raise StaffError(e.th) from None
    password = one_time_password()
    with engine.begin() as conn:
        officer = conn.execute(select(accounts.c.id).where(and_(
            accounts.c.active.is_(True), accounts.c.role != STAFF_ROLE, accounts.c.cid == cid))).first()
        if officer is not None or conn.execute(select(accounts.c.id).where(and_(
                accounts.c.active.is_(True), accounts.c.role != STAFF_ROLE, accounts.c.email == email))).first():
            raise StaffError("บุคคลนี้เป็นเจ้าหน้าที่ของหน่วยงาน (อปท.) อยู่ เจ้าหน้าที่ สปสช. ต้องไม่เป็นเจ้าหน้าที่ของหน่วยงาน")
        if conn.execute(select(accounts.c.id).where(and_(accounts.c.active.is_(True), accounts.c.role == STAFF_ROLE,
                                                         accounts.c.email == email))).first() is not None:
            raise StaffError("มีบัญชีเจ้าหน้าที่ สปสช. ของอีเมลนี้อยู่แล้ว")
        if conn.execute(select(accounts.c.id).where(and_(accounts.c.active.is_(True), accounts.c.role == STAFF_ROLE,
                                                         accounts.c.cid == cid))).first() is not None:
            raise StaffError("บุคคลนี้มีบัญชีเจ้าหน้าที่ สปสช. อยู่แล้ว (เลขประจำตัวประชาชนเดียวกัน)")
        username = _username(conn, email)
        conn.execute(accounts.insert().values(
            id=str(uuid.uuid4()), username=username, cid=cid, name=name or email, position="เจ้าหน้าที่ สปสช.",
            role=STAFF_ROLE, unit_code="", email=email, mobile="", password_hash=hash_password(password),
            must_change_password=True, active=True, failed_logins=0, created_at=now()))
        conn.execute(audit.insert().values(at=now(), unit_code=None, action="staff.added", detail={"username": username}))
    if mailer is not None:  # after the commit: no account without its mail
        mailer.send(email, "รหัสผู้ใช้งานระบบทะเบียนบุคลากร อปท. — เจ้าหน้าที่ สปสช.",
                    _welcome(name or email, "เจ้าหน้าที่ สปสช.", "สำนักงานหลักประกันสุขภาพแห่งชาติ", username, password))
    return username


def _username(conn, email: str) -> str:
    base = email.strip().lower()
    name, n = base, 1
    while conn.execute(select(accounts.c.id).where(accounts.c.username == name)).first() is not None:
        n += 1
        name = f"{base}#{n}"
    return name


def _welcome(name: str, role_th: str, unit_name: str, username: str, password: str) -> str:
    return (
        f"เรียน {name}\n\n"
        f"สำนักงานหลักประกันสุขภาพแห่งชาติ (สปสช.) ได้กำหนดสิทธิเข้าใช้งานระบบทะเบียนบุคลากรองค์กรปกครองส่วนท้องถิ่น "
        f"ให้ท่านในฐานะ{role_th} ของ{unit_name} แล้ว\n\n"
        f"ชื่อผู้ใช้งาน: {username}\n"
        f"รหัสผ่านครั้งแรก: {password}\n\n"
        "เมื่อเข้าใช้งานครั้งแรก ระบบจะให้ท่านเปลี่ยนรหัสผ่านใหม่ การเข้าใช้งานต้องใช้บัตรประจำตัวประชาชนของท่านเอง "
        "เสียบในเครื่องอ่านบัตร พร้อมรหัส PIN ของบัตร\n"
        "กรุณาอย่าส่งต่ออีเมลนี้ให้ผู้อื่น และลบอีเมลนี้หลังจากเปลี่ยนรหัสผ่านแล้ว\n\n"
        "สำนักงานหลักประกันสุขภาพแห่งชาติ\n"
    )
