"""The account-request kit (issue 18 §2, seeds 000 §3 and 001 attachment 2): the wizard's model, its checks,
and what it produces — no Qt, no log-in, no network (the first request is made before the unit has any account).

* :class:`AccountRequest` — the unit (:class:`UnitDetails`), its officers (:class:`OfficerRow`, the unit's
  complete list after the request) and, for a replacement, the people who left (:class:`Leaver`).
* :func:`check` — every problem as a :class:`Finding` naming its section, row and field, in Thai, so the screen
  can put each one beside its row as the officer types. The role rules are ``app/rules/officers.py``'s, the same
  the server runs when it imports the workbook.
* :func:`produce` — refuses (:class:`RequestRefused`, with every Thai reason) while an error stands; otherwise
  writes into the folder the person picked, each file atomically: the letter (PDF bytes made by the caller from
  :func:`letter_text`), the workbook ``lgo-central accounts import`` reads, and the e-mail as an .eml draft.

Three kinds (:class:`RequestKind`): the first request (000 §3.1) and a role change (000 §3.2) go to NHSO's
Secretary-General and its registration mailbox; the replacement of a person who left (000 §3.4) is addressed to
the NHSO regional office of the unit's province (:mod:`app.regions`). In every kind the workbook lists the
unit's officers as they should be afterwards: the importer keeps the accounts it names and revokes the others.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

from .. import cid as cidmod
from .. import regions
from ..documents import mail
from ..documents.files import write_file
from ..documents.request import request_bytes
from ..domain import Officer, Role, UnitLevel
from ..errors import Refusal, Severity
from ..idcard import CardHolder
from ..rules.officers import _EMAIL, check_officer, check_unit_officers  # _EMAIL: the rules' own address pattern


class RequestKind(str, Enum):
    FIRST = "first"              # ขอสิทธิเข้าใช้งานครั้งแรก (000 §3.1)
    ROLE_CHANGE = "role_change"  # ขอเปลี่ยนบทบาท (000 §3.2)
    REPLACEMENT = "replacement"  # แจ้งเปลี่ยนผู้รับผิดชอบ: ยกเลิกรหัสผู้ที่พ้นหน้าที่ กำหนดรหัสให้ผู้มาแทน (000 §3.4)

    @property
    def th(self) -> str:
        return {"first": "ขอสิทธิเข้าใช้งาน", "role_change": "ขอเปลี่ยนบทบาทผู้ใช้งาน",
                "replacement": "แจ้งเปลี่ยนผู้รับผิดชอบ"}[self.value]


@dataclass
class UnitDetails:
    name: str = ""
    level: UnitLevel | None = None
    code: str = ""           # NHSO's unit code, if the unit knows it
    address: str = ""
    province: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""          # the unit's own (saraban) address: the e-mail's sender
    head_name: str = ""      # who signs the letter
    head_position: str = ""
    reference: str = ""      # ที่ … (the letter's reference number; may be left for the saraban to fill in)


@dataclass
class OfficerRow:
    name: str = ""
    cid: str = ""
    position: str = ""
    role: Role | None = None
    mobile: str = ""
    email: str = ""
    current_role: Role | None = None  # role change: the role the person holds now (None: a new account)

    def blank(self) -> bool:
        return not any((self.name.strip(), self.cid.strip(), self.position.strip(), self.role, self.mobile.strip(),
                        self.email.strip()))


@dataclass
class Leaver:
    """Replacement: a person whose account is to be cancelled."""

    name: str = ""
    cid: str = ""
    role: Role | None = None
    reason: str = ""          # ลาออก / โอนย้าย / เกษียณอายุ … (free text, for the letter)
    successor_cid: str = ""   # the officer row that takes over, if one does

    def blank(self) -> bool:
        return not any((self.name.strip(), self.cid.strip(), self.role, self.reason.strip(), self.successor_cid.strip()))


@dataclass
class AccountRequest:
    kind: RequestKind = RequestKind.FIRST
    unit: UnitDetails = field(default_factory=UnitDetails)
    officers: list[OfficerRow] = field(default_factory=list)
    leavers: list[Leaver] = field(default_factory=list)


_JOINED_PREFIXES = frozenset({"นาย", "นาง", "นางสาว"})


def officer_from_card(card: CardHolder, row: OfficerRow | None = None) -> OfficerRow:
    """The row with the citizen ID and Thai name as on the officer's own card in the reader (``นายสมชาย ใจดี``);
    what was typed in the other fields stays."""
    th = card.name_th
    names = " ".join(p for p in (th.first, th.middle, th.last) if p.strip())
    prefix = th.prefix.strip()
    name = (prefix + names if prefix in _JOINED_PREFIXES else f"{prefix} {names}") if prefix else names
    base = row or OfficerRow()
    return replace(base, cid=cidmod.normalise(card.cid), name=" ".join(name.split()))


# --- checking ------------------------------------------------------------------------------------------------

UNIT_FIELDS_TH = {
    "name": "ชื่อหน่วยงาน", "level": "ประเภทหน่วยงาน", "code": "รหัสหน่วยงาน", "address": "ที่อยู่",
    "province": "จังหวัด", "phone": "โทรศัพท์", "fax": "โทรสาร", "email": "อีเมลของหน่วยงาน",
    "head_name": "ชื่อผู้บริหารที่ลงนาม", "head_position": "ตำแหน่งผู้บริหารที่ลงนาม", "reference": "เลขที่หนังสือ",
}
OFFICER_FIELDS_TH = {"name": "ชื่อ–สกุล", "cid": "เลขประจำตัวประชาชน", "position": "ตำแหน่ง", "role": "บทบาท",
                     "mobile": "เบอร์มือถือ", "email": "อีเมล", "current_role": "บทบาทเดิม"}
LEAVER_FIELDS_TH = {"name": "ชื่อ–สกุล", "cid": "เลขประจำตัวประชาชน", "role": "บทบาท", "reason": "เหตุที่พ้นหน้าที่",
                    "successor_cid": "ผู้มาแทน"}


@dataclass(frozen=True)
class Finding:
    """One thing the checks said. ``section`` is "unit", "officers", "leavers" or "request"; ``row`` the 0-based
    index in that list (None for the unit and the request as a whole); ``field`` the attribute it is about
    (``"cid"``, ``"email"`` …; "" for the whole row or request). ``th`` names the row and field itself."""

    section: str
    row: int | None
    field: str
    code: str
    th: str
    en: str = ""
    severity: Severity = Severity.ERROR


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors

    def at(self, section: str, row: int | None = None, field: str | None = None) -> list[Finding]:
        """What to show beside one row (``field`` None: all of the row's) or one unit field (``row`` None)."""
        return [f for f in self.findings if f.section == section and f.row == row
                and (field is None or f.field == field)]

    def reasons(self) -> list[str]:
        return [f.th for f in self.errors]


class RequestRefused(Refusal):
    """:func:`produce` refused: ``reasons`` are the Thai messages of every error that stands."""

    def __init__(self, result: CheckResult) -> None:
        self.result = result
        self.reasons = result.reasons()
        super().__init__("request.not_ready",
                         "ยังสร้างเอกสารไม่ได้ กรุณาแก้ไขรายการต่อไปนี้ก่อน:\n" + "\n".join(f"- {r}" for r in self.reasons),
                         f"The request has {len(self.reasons)} problem(s) to fix first.")


_MOBILE = re.compile(r"^0\d{9}$")


def _digits(text: str) -> str:
    return cidmod.normalise(text)


def _officer(row: OfficerRow, unit_code: str) -> Officer:
    return Officer(cidmod.normalise(row.cid), " ".join(row.name.split()), " ".join(row.position.split()),
                   row.role, unit_code, row.email.strip().lower(), _digits(row.mobile))


def check(request: AccountRequest) -> CheckResult:
    """Every problem with the request, each naming where it is; ``ok`` while no error stands."""
    out = CheckResult()
    add = out.findings.append
    u = request.unit

    def unit_error(fld: str, code: str, th: str, en: str, severity: Severity = Severity.ERROR) -> None:
        add(Finding("unit", None, fld, code, f"{UNIT_FIELDS_TH[fld]}: {th}", en, severity))

    for fld in ("name", "address", "phone", "head_name", "head_position"):
        if not getattr(u, fld).strip():
            unit_error(fld, f"unit.{fld}_missing", f"กรุณากรอก{UNIT_FIELDS_TH[fld]}", f"The unit's {fld} is missing.")
    if u.level is None:
        unit_error("level", "unit.level_missing", "กรุณาเลือกประเภทหน่วยงาน (อบจ. เทศบาล หรือ อบต.)",
                   "Choose the unit's level.")
    if not u.province.strip():
        unit_error("province", "unit.province_missing", "กรุณาเลือกจังหวัดที่หน่วยงานตั้งอยู่", "The province is missing.")
    elif not regions.is_province(u.province):
        unit_error("province", "province.unknown",
                   f"ไม่รู้จักจังหวัด «{u.province}» กรุณาเลือกจากรายชื่อจังหวัด", "Unknown province.")
    if not u.email.strip():
        unit_error("email", "unit.email_missing", "กรุณากรอกอีเมลของหน่วยงาน (ใช้เป็นผู้ส่งอีเมลถึง สปสช.)",
                   "The unit's e-mail is missing.")
    elif not _EMAIL.match(u.email.strip()):
        unit_error("email", "unit.email_invalid", f"อีเมล «{u.email}» ไม่ถูกต้อง", "The unit's e-mail is not valid.")
    if not u.code.strip():
        unit_error("code", "unit.code_unknown",
                   "ยังไม่ได้ระบุรหัสหน่วยงาน หากทราบกรุณากรอก เพื่อให้ สปสช. สร้างบัญชีผู้ใช้งานได้ทันที "
                   "(ถ้าไม่ทราบ เว้นว่างไว้ได้)", "No unit code: NHSO has to look it up before importing.",
                   Severity.INFO)

    rows = [(i, r) for i, r in enumerate(request.officers) if not r.blank()]
    if not rows:
        add(Finding("officers", None, "", "request.empty", "กรุณาเพิ่มรายชื่อเจ้าหน้าที่อย่างน้อย 1 คน (นายทะเบียน)",
                    "The request lists nobody."))
    unit_email = u.email.strip().lower()
    with_role: list[tuple[int, Officer]] = []
    for i, r in rows:
        where = f"เจ้าหน้าที่แถวที่ {i + 1}"

        def row_error(fld: str, code: str, th: str, en: str = "", i: int = i) -> None:
            add(Finding("officers", i, fld, code, th, en))

        if not r.name.strip():
            row_error("name", "officer.name_missing", f"{where}: กรุณากรอกชื่อ–สกุล", "Name missing.")
        if not r.position.strip():
            row_error("position", "officer.position_missing", f"{where}: กรุณากรอกตำแหน่ง", "Position missing.")
        if r.role is None:
            row_error("role", "officer.role_missing",
                      f"{where}: กรุณาเลือกบทบาท (นายทะเบียน เจ้าหน้าที่ทะเบียน หรือเจ้าหน้าที่การเงิน)", "Role missing.")
        mobile = _digits(r.mobile)
        if not mobile:
            row_error("mobile", "officer.mobile_missing", f"{where}: กรุณากรอกเบอร์มือถือ", "Mobile number missing.")
        elif not _MOBILE.match(mobile):
            row_error("mobile", "officer.mobile_invalid",
                      f"{where}: เบอร์มือถือ «{r.mobile}» ไม่ถูกต้อง ต้องเป็นตัวเลข 10 หลักขึ้นต้นด้วย 0 เช่น 081-234-5678",
                      "A mobile number has 10 digits starting with 0.")
        o = _officer(r, u.code.strip())
        probe = o if r.role is not None else Officer(o.cid, o.name, o.position, Role.REGISTRY_OFFICER, o.unit_code,
                                                     o.email, o.mobile)
        for v in check_officer(probe, where).items:
            fld = "cid" if v.code.startswith("cid.") else "position" if v.code == "registrar.position" else "email"
            row_error(fld, v.code, v.th, v.en)
        if unit_email and o.email == unit_email:
            row_error("email", "officer.email_is_unit",
                      f"{where}: อีเมล {o.email} เป็นอีเมลกลางของหน่วยงาน เจ้าหน้าที่แต่ละคนต้องใช้อีเมลของตนเอง "
                      "เพราะ สปสช. ส่งรหัสผู้ใช้งานถึงแต่ละคนโดยตรง", "Each officer needs an e-mail of their own.")
        if r.role is not None:
            with_role.append((i, o))

    # the rules over the unit's officers together, each verdict put on the rows it is about
    officers = [o for _i, o in with_role]
    for v in check_unit_officers(officers).items:
        if v.code.startswith(("cid.", "officer.email_invalid", "officer.email_missing", "registrar.position")):
            continue  # already said per row
        if v.code == "registrar.missing":
            if rows:
                add(Finding("officers", None, "role", v.code, v.th + " (ตำแหน่งปลัด รองปลัด หรือหัวหน้าหน่วยการคลัง)", v.en))
            continue
        if v.code == "registrar.more_than_one":
            hit = [(i, "role") for i, o in with_role if o.role is Role.REGISTRAR]
        elif v.code == "role.registry_and_finance":
            both = {c for c in {o.cid for o in officers}
                    if {Role.REGISTRY_OFFICER, Role.FINANCE_OFFICER} <= {o.role for o in officers if o.cid == c}}
            hit = [(i, "role") for i, o in with_role if o.cid in both and o.name == v.subject
                   and o.role in (Role.REGISTRY_OFFICER, Role.FINANCE_OFFICER)]
        elif v.code == "officer.duplicate":
            seen: dict[tuple[str, Role], int] = defaultdict(int)
            for _i, o in with_role:
                seen[(o.cid, o.role)] += 1
            hit = [(i, "cid") for i, o in with_role if seen[(o.cid, o.role)] > 1 and o.name == v.subject
                   and f"เป็น{o.role.th}ซ้ำ" in v.th]
        elif v.code == "officer.email_shared":
            holders: dict[str, set[str]] = defaultdict(set)
            for _i, o in with_role:
                holders[o.email].add(o.cid)
            hit = [(i, "email") for i, o in with_role if o.email and len(holders[o.email]) > 1
                   and f"อีเมล {o.email} ถูกใช้" in v.th]
        else:
            hit = []
        if not hit:
            add(Finding("officers", None, "", v.code, v.th, v.en, v.severity))
        for i, fld in hit:
            add(Finding("officers", i, fld, v.code, f"เจ้าหน้าที่แถวที่ {i + 1}: {v.th}", v.en, v.severity))

    if request.kind is RequestKind.ROLE_CHANGE:
        changed = [r for _i, r in rows if r.current_role is not None and r.role is not None and r.role != r.current_role]
        if rows and not changed:
            add(Finding("request", None, "", "request.no_role_change",
                        "ยังไม่มีเจ้าหน้าที่คนใดเปลี่ยนบทบาท กรุณาเลือกบทบาทใหม่ในแถวของผู้ที่จะเปลี่ยน "
                        "(บทบาทเดิมแสดงในช่องบทบาทเดิม)", "Nobody's role changes."))
    if request.kind is RequestKind.REPLACEMENT:
        _check_leavers(request, with_role, add)
    return out


def _check_leavers(request: AccountRequest, with_role: list[tuple[int, Officer]], add) -> None:
    leavers = [(i, lv) for i, lv in enumerate(request.leavers) if not lv.blank()]
    if not leavers:
        add(Finding("leavers", None, "", "request.no_leaver",
                    "กรุณาระบุเจ้าหน้าที่ที่พ้นหน้าที่อย่างน้อย 1 คน (ชื่อ เลขประจำตัวประชาชน และบทบาท) "
                    "เพื่อให้ สปสช. ยกเลิกรหัสผู้ใช้งานของผู้นั้น", "Name the person who left."))
    staying = {(o.cid, o.role) for _i, o in with_role}
    officer_cids = {o.cid for _i, o in with_role}
    for i, lv in leavers:
        where = f"ผู้พ้นหน้าที่แถวที่ {i + 1}"
        cid = cidmod.normalise(lv.cid)
        if not lv.name.strip():
            add(Finding("leavers", i, "name", "leaver.name_missing", f"{where}: กรุณากรอกชื่อ–สกุล", "Name missing."))
        try:
            cidmod.validate(lv.cid)
        except Refusal as r:
            add(Finding("leavers", i, "cid", r.code, f"{where}: {r.th}", r.en))
        if lv.role is None:
            add(Finding("leavers", i, "role", "leaver.role_missing",
                        f"{where}: กรุณาเลือกบทบาทที่จะยกเลิก", "Choose the role to cancel."))
        elif (cid, lv.role) in staying:
            add(Finding("leavers", i, "role", "leaver.still_listed",
                        f"{where}: {lv.name} ยังอยู่ในรายชื่อเจ้าหน้าที่ในบทบาท{lv.role.th} "
                        "กรุณาลบออกจากรายชื่อเจ้าหน้าที่ หรือลบออกจากรายชื่อผู้พ้นหน้าที่", "Still listed in that role."))
        successor = cidmod.normalise(lv.successor_cid)
        if successor and successor not in officer_cids:
            add(Finding("leavers", i, "successor_cid", "leaver.successor_unknown",
                        f"{where}: ผู้มาแทน (เลขประจำตัวประชาชน {lv.successor_cid}) ไม่อยู่ในรายชื่อเจ้าหน้าที่ "
                        "กรุณาเพิ่มผู้มาแทนในรายชื่อเจ้าหน้าที่ก่อน", "The successor is not among the officers."))


# --- what the letter says (the letter layer typesets it) -----------------------------------------------------

TABLE_HEADER = ("ลำดับ", "ชื่อ–สกุล", "เลขประจำตัวประชาชน", "ตำแหน่ง", "บทบาท", "เบอร์มือถือ", "อีเมล")
LEAVER_HEADER = ("ลำดับ", "ชื่อ–สกุล", "เลขประจำตัวประชาชน", "บทบาทที่ขอยกเลิก", "เหตุ", "ผู้มาแทน")
SECRETARY_GENERAL = "เลขาธิการสำนักงานหลักประกันสุขภาพแห่งชาติ"


@dataclass(frozen=True)
class LetterText:
    """The words of the letter, with Arabic digits (the letter layer turns them Thai). In reading order: ที่, the
    unit and its address, the date (the letter layer's), เรื่อง, เรียน, สิ่งที่ส่งมาด้วย; then, for a replacement,
    ``leavers_intro`` and the leavers' table; then ``paragraphs``, the officers' ``table`` (when it has rows),
    ``note`` (when there is one), ``certification``, ``closing``, ขอแสดงความนับถือ, the signer, and ``contact`` at
    the bottom left."""

    kind: RequestKind
    reference: str               # ที่ … ("" → a dotted blank to fill in by hand)
    unit_name: str
    unit_address: str            # with the province, as the letterhead prints it
    subject: str                 # เรื่อง
    addressee: str               # เรียน
    enclosures: tuple[str, ...]  # สิ่งที่ส่งมาด้วย
    paragraphs: tuple[str, ...]  # the body before the table
    table_header: tuple[str, ...]
    table: tuple[tuple[str, ...], ...]
    leavers_intro: str           # replacement: the sentence before the leavers' table
    leavers_header: tuple[str, ...]
    leavers: tuple[tuple[str, ...], ...]
    certification: str
    closing: str                 # จึงเรียนมาเพื่อโปรดพิจารณา
    signer_name: str
    signer_position: str
    contact: tuple[str, ...]     # the issuing unit's telephone / fax / e-mail, bottom left
    note: str = ""               # after the table: the workbook lists everyone (role change, replacement)


def addressee(request: AccountRequest) -> str:
    if request.kind is RequestKind.REPLACEMENT:
        return "ผู้อำนวยการ" + regions.region_of(request.unit.province).office
    return SECRETARY_GENERAL


def format_mobile(digits: str) -> str:
    """``081-234-5678``: a mobile number as people write and read it back (other lengths as typed)."""
    d = _digits(digits)
    return f"{d[:3]}-{d[3:6]}-{d[6:]}" if len(d) == 10 else digits.strip()


def _officer_cells(n: int, o: Officer) -> tuple[str, ...]:
    return (str(n), o.name, cidmod.format_cid(o.cid), o.position, o.role.th, format_mobile(o.mobile), o.email)


def _and(items: list[str]) -> str:
    """Thai enumeration: ``ก ข และค`` (no commas; และ joined to the last)."""
    if len(items) <= 1:
        return "".join(items)
    return " ".join(items[:-1]) + " และ" + items[-1]


def letterhead_address(u: UnitDetails) -> str:
    """The unit's address as the letterhead prints it: with its province (จังหวัด… unless the officer already wrote
    it), on two lines from อำเภอ/เขต (or the province) on, so the block stays clear of the date under it."""
    lines = [" ".join(line.split()) for line in u.address.strip().splitlines() if line.strip()]
    address = "\n".join(lines)
    if u.province.strip() and regions.is_province(u.province):
        province = regions.normalise_province(u.province)
        if province not in address:
            address = f"{address} {regions.with_prefix(province)}".strip()
    if "\n" not in address:
        for mark in (" อำเภอ", " อ.", " เขต", " จังหวัด", " กรุงเทพมหานคร"):
            at = address.find(mark)
            if at > 0:
                return address[:at] + "\n" + address[at + 1:]
    return address


# The seeds' template (001, attachment 2), word for word where it applies to a local-government unit: the
# template's subject and body name the system «ระบบทะเบียนบุคลากร องค์กรปกครองส่วนท้องถิ่น/รัฐวิสาหกิจ/
# องค์กรอิสระ»; a unit keeps its own kind only.
SYSTEM = "ระบบทะเบียนบุคลากร องค์กรปกครองส่วนท้องถิ่น"
FIRST_SUBJECT = f"แจ้งรายชื่อนายทะเบียน เพื่อกำหนด Username/Password สำหรับโปรแกรม{SYSTEM}"
TEMPLATE_INTRO = (f"ตามที่ สำนักงานหลักประกันสุขภาพแห่งชาติ ได้จัดให้มี{SYSTEM} เพื่อลงทะเบียนข้อมูลบุคลากร"
                  "ในสังกัดหน่วยงานต่าง ๆ สำหรับการปรับปรุงข้อมูลสิทธิด้านการรักษาพยาบาลให้ถูกต้อง "
                  "ใช้เป็นข้อมูลในการให้บริการสาธารณสุข นั้น")
TEMPLATE_LIST = "โดยมีรายชื่อดังนี้ (หลักฐานประกอบตามสิ่งที่ส่งมาด้วย)"
ROLE_CHANGE_SUBJECT = "ขอเปลี่ยนบทบาทผู้ใช้งานโปรแกรมระบบทะเบียนบุคลากร องค์กรปกครองส่วนท้องถิ่น"
REPLACEMENT_SUBJECT = f"แจ้งการเปลี่ยนแปลงผู้รับผิดชอบใน{SYSTEM}"
WORKBOOK_NOTE = ("ทั้งนี้ รายชื่อเจ้าหน้าที่ทั้งหมดของหน่วยงานที่จะใช้งานโปรแกรมหลังการเปลี่ยนแปลงนี้ "
                 "เป็นไปตามแบบฟอร์มรายชื่อเจ้าหน้าที่ (ไฟล์ Excel) ที่ส่งมาด้วย")


def letter_text(request: AccountRequest, *, ids_enclosed: int | None = None) -> LetterText:
    """The letter after the seeds' template (001 attachment 2), for a request :func:`check` passed: the first
    request in the template's own words; a role change (000 §3.2: «แจ้งขอเปลี่ยนประเภทมาในหนังสือตามข้อ 3.1») in
    the same form; a replacement (000 §3.4) in §3.4's words, «เพื่อยกเลิกรหัสของเจ้าหน้าที่ท่านเดิม และกำหนด
    รหัสผู้ใช้งาน ให้แก่เจ้าหน้าที่ท่านใหม่ ทดแทน»."""
    u = request.unit
    unit = " ".join(u.name.split())
    listed = [(r, _officer(r, u.code)) for r in request.officers if not r.blank()]
    leavers_intro, leaver_rows, note = "", (), ""
    paragraphs: tuple[str, ...]
    if request.kind is RequestKind.FIRST:
        subject = FIRST_SUBJECT
        shown = [o for _r, o in listed]
        roles = [role.th for role in Role if any(o.role is role for o in shown)] or [Role.REGISTRAR.th]
        paragraphs = (TEMPLATE_INTRO,
                      # one role: the template's words exactly; more: «… และเจ้าหน้าที่การเงิน ในระบบ…»
                      f"ในการนี้ {unit} ขอแจ้งรายชื่อบุคคลในตำแหน่ง{_and(roles)}"
                      + ("" if len(roles) == 1 else " ใน") + "ระบบทะเบียนบุคลากรของหน่วยงาน "
                      "เพื่อขอรับ Username/Password ในการใช้งานโปรแกรมระบบทะเบียนบุคลากรฯ " + TEMPLATE_LIST)
    elif request.kind is RequestKind.ROLE_CHANGE:
        subject = ROLE_CHANGE_SUBJECT
        changed = [(r, o) for r, o in listed if r.current_role is not None and r.role != r.current_role]
        shown = [o for _r, o in changed]
        moves = _and([f"{o.name} จาก{r.current_role.th}เป็น{o.role.th}" for r, o in changed])
        paragraphs = (TEMPLATE_INTRO,
                      f"ในการนี้ {unit} ได้ทบทวนบทบาทของเจ้าหน้าที่ผู้ใช้งานโปรแกรมระบบทะเบียนบุคลากรฯ "
                      "ว่าถูกต้องตามคุณสมบัติที่สำนักงานหลักประกันสุขภาพแห่งชาติกำหนดแล้ว จึงขอเปลี่ยนบทบาทของเจ้าหน้าที่ "
                      f"จำนวน {len(changed)} คน ได้แก่ {moves} " + TEMPLATE_LIST)
        note = WORKBOOK_NOTE
    else:
        subject = REPLACEMENT_SUBJECT
        leavers = [lv for lv in request.leavers if not lv.blank()]
        name_of = {o.cid: o.name for _r, o in listed}
        successors = {cidmod.normalise(lv.successor_cid) for lv in leavers if lv.successor_cid.strip()}
        shown = [o for _r, o in listed if o.cid in successors]
        leavers_intro = (f"ด้วย {unit} มีการเปลี่ยนแปลงผู้รับผิดชอบใน{SYSTEM} จึงขอแจ้งให้ยกเลิกรหัสผู้ใช้งาน"
                         "ของเจ้าหน้าที่ท่านเดิม ดังนี้")
        leaver_rows = tuple((str(n), " ".join(lv.name.split()), cidmod.format_cid(cidmod.normalise(lv.cid)),
                             lv.role.th if lv.role else "", lv.reason.strip(),
                             name_of.get(cidmod.normalise(lv.successor_cid), ""))
                            for n, lv in enumerate(leavers, start=1))
        paragraphs = (("พร้อมกันนี้ ขอให้กำหนดรหัสผู้ใช้งานให้แก่เจ้าหน้าที่ท่านใหม่ทดแทน " + TEMPLATE_LIST,)
                      if shown else ())
        note = WORKBOOK_NOTE
    copies = ids_enclosed if ids_enclosed is not None else len({o.cid for o in shown})
    enclosures = ((f"สำเนาบัตรประจำตัวประชาชน จำนวน {copies} ฉบับ",) if copies else ()) + \
        ("แบบฟอร์มรายชื่อเจ้าหน้าที่ (ไฟล์ Excel) จำนวน 1 ไฟล์",)
    contact = tuple(line for line in (unit, f"โทรศัพท์ {u.phone.strip()}" if u.phone.strip() else "",
                                      f"โทรสาร {u.fax.strip()}" if u.fax.strip() else "",
                                      f"อีเมล {u.email.strip()}" if u.email.strip() else "") if line)
    certified = "ผู้ที่มีรายชื่อตามที่ระบุข้างต้น" if shown else "ผู้ที่มีรายชื่อตามแบบฟอร์มที่ส่งมาด้วย"
    return LetterText(
        request.kind, u.reference.strip(), unit, letterhead_address(u), subject, addressee(request), enclosures,
        paragraphs, TABLE_HEADER, tuple(_officer_cells(n, o) for n, o in enumerate(shown, start=1)),
        leavers_intro, LEAVER_HEADER if leaver_rows else (), leaver_rows,
        # the template: «… ขอรับรองว่าผู้ที่มีรายชื่อตามที่ระบุข้างต้นเป็นเจ้าของหน้าที่ผู้ปฏิบัติงานของหน่วยงานจริง»;
        # «เจ้าของหน้าที่» there is a slip for เจ้าหน้าที่ (the staff who do the work), as the digest reads it
        f"{unit} ขอรับรองว่า{certified}เป็นเจ้าหน้าที่ผู้ปฏิบัติงานของหน่วยงานจริง",
        "จึงเรียนมาเพื่อโปรดพิจารณา", " ".join(u.head_name.split()), " ".join(u.head_position.split()), contact,
        note)


# --- the workbook and the e-mail -----------------------------------------------------------------------------

def _notes(request: AccountRequest, listed: list[tuple[OfficerRow, Officer]]) -> list[str]:
    if request.kind is RequestKind.FIRST:
        return ["ขอใหม่"] * len(listed)
    replaced = {cidmod.normalise(lv.successor_cid): lv for lv in request.leavers if lv.successor_cid.strip()}
    notes = []
    for r, o in listed:
        if request.kind is RequestKind.ROLE_CHANGE and r.current_role is not None and r.role != r.current_role:
            notes.append(f"เปลี่ยนบทบาทจาก{r.current_role.th}")
        elif request.kind is RequestKind.REPLACEMENT and o.cid in replaced:
            lv = replaced[o.cid]
            notes.append(f"แทน {' '.join(lv.name.split())}" + (f" ({lv.role.th})" if lv.role else "")
                         + (f" ที่{lv.reason.strip()}" if lv.reason.strip() else ""))
        elif request.kind is RequestKind.ROLE_CHANGE and r.current_role is None:
            notes.append("ขอใหม่")
        else:
            notes.append("คงเดิม")
    return notes


def workbook_bytes(request: AccountRequest) -> bytes:
    """The workbook ``lgo-central accounts import`` reads: the unit's officers as they should be afterwards."""
    u = request.unit
    listed = [(r, _officer(r, u.code.strip())) for r in request.officers if not r.blank()]
    return request_bytes(u.code.strip(), " ".join(u.name.split()), regions.normalise_province(u.province),
                         [o for _r, o in listed], kind=request.kind.th, notes=_notes(request, listed))


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def file_stem(text: str) -> str:
    """A file name Windows accepts: no \\ / : * ? " < > |, no trailing dot or space, at most 60 characters."""
    return " ".join(_UNSAFE.sub(" ", text).split())[:60].rstrip(". ") or "หน่วยงาน"


def file_names(request: AccountRequest) -> tuple[str, str, str]:
    """(letter .pdf, workbook .xlsx, e-mail .eml), named after the kind and the unit."""
    unit = file_stem(request.unit.name)
    letter = {RequestKind.FIRST: "หนังสือขอสิทธิเข้าใช้งาน", RequestKind.ROLE_CHANGE: "หนังสือขอเปลี่ยนบทบาท",
              RequestKind.REPLACEMENT: "หนังสือแจ้งเปลี่ยนผู้รับผิดชอบ"}[request.kind]
    return f"{letter} {unit}.pdf", f"รายชื่อเจ้าหน้าที่ {unit}.xlsx", f"อีเมลถึง สปสช. {unit}.eml"


def email_body(request: AccountRequest, workbook_name: str) -> str:
    """A short, polite body (seeds 000 §3.1: the signed papers as one PDF and the Excel file): first, in brackets,
    the note to attach the signed scan; then เรียน, one sentence saying what is sent and for whom, the two files,
    that the originals stay at the unit, จึงเรียนมาเพื่อโปรดพิจารณา and the unit's name and contacts."""
    u = request.unit
    unit = " ".join(u.name.split())
    text = letter_text(request)
    people = len(text.table)
    what = {
        RequestKind.FIRST: f"หนังสือแจ้งรายชื่อเจ้าหน้าที่เพื่อขอสิทธิเข้าใช้งาน{SYSTEM} จำนวน {people} คน",
        RequestKind.ROLE_CHANGE: f"หนังสือขอเปลี่ยนบทบาทผู้ใช้งาน{SYSTEM} จำนวน {people} คน",
        RequestKind.REPLACEMENT: "หนังสือแจ้งการเปลี่ยนแปลงผู้รับผิดชอบ เพื่อยกเลิกรหัสของเจ้าหน้าที่ท่านเดิม"
                                 + (" และกำหนดรหัสผู้ใช้งานให้แก่เจ้าหน้าที่ท่านใหม่ทดแทน" if people else ""),
    }[request.kind]
    lines = [
        mail.BEFORE_SENDING,
        "",
        f"เรียน {text.addressee}",
        "",
        f"{unit} {regions.with_prefix(u.province)} ขอส่ง{what} ตามไฟล์แนบ ดังนี้",
        "1. หนังสือที่ลงนามแล้วพร้อมสำเนาบัตรประจำตัวประชาชน (ไฟล์สแกน PDF)",
        f"2. แบบฟอร์มรายชื่อเจ้าหน้าที่ (ไฟล์ Excel) «{workbook_name}»",
        "ต้นฉบับเอกสารเก็บไว้ที่หน่วยงานเพื่อการตรวจสอบ",
        "",
        "จึงเรียนมาเพื่อโปรดพิจารณา",
        "",
        unit,
        *([f"โทรศัพท์ {u.phone.strip()}"] if u.phone.strip() else []),
        f"อีเมล {u.email.strip()}",
    ]
    return "\r\n".join(lines) + "\r\n"


def email_draft(request: AccountRequest, letter_pdf: bytes, workbook: bytes, mailbox: str,
                when: dt.datetime | None = None):
    """The e-mail (an :class:`email.message.EmailMessage`) from the unit to ``mailbox``, both files attached; the
    subject in the seeds' form, «ขอสิทธิเข้าใช้งานระบบทะเบียนบุคลากร องค์กรปกครองส่วนท้องถิ่น <unit> <province>»."""
    u = request.unit
    unit = " ".join(u.name.split())
    province = regions.with_prefix(u.province)
    letter_name, workbook_name, _eml = file_names(request)
    to_name = "สำนักงานหลักประกันสุขภาพแห่งชาติ"
    return mail.draft(subject=mail.request_subject(unit, province), body=email_body(request, workbook_name),
                      sender=(unit, u.email.strip()), to=(to_name, mailbox), when=when,
                      attachments=[mail.Attachment(letter_name, letter_pdf, "application/pdf"),
                                   mail.Attachment(workbook_name, workbook,
                                                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")])


@dataclass(frozen=True)
class Produced:
    letter: Path
    workbook: Path
    eml: Path
    note: str   # what the person does next, in Thai


NEXT_STEP = ("เปิดไฟล์อีเมลในโปรแกรมอีเมล แล้วแนบไฟล์สแกนหนังสือที่ผู้บริหารลงนามแล้วพร้อมสำเนาบัตรประจำตัวประชาชน "
             "(รวมเป็นไฟล์ PDF ไฟล์เดียว) แทนไฟล์หนังสือที่ยังไม่ได้ลงนาม ก่อนกดส่ง เก็บต้นฉบับไว้ที่หน่วยงานเพื่อการตรวจสอบ")


def produce(request: AccountRequest, folder: Path, *, letter_pdf: bytes, mailbox: str,
            when: dt.datetime | None = None) -> Produced:
    """Write the letter (``letter_pdf``, made by the letter layer from :func:`letter_text`), the workbook and the
    .eml into ``folder``. Refuses with every Thai reason while :func:`check` finds an error; each file is written
    whole or not at all (an unwritable folder is a Thai :class:`Refusal` saying what to do)."""
    result = check(request)
    if not result.ok:
        raise RequestRefused(result)
    if not letter_pdf.startswith(b"%PDF-"):
        raise Refusal("request.letter_not_pdf", "ไฟล์หนังสือไม่ใช่ PDF กรุณาสร้างหนังสือใหม่อีกครั้ง",
                      "The letter is not a PDF.")
    workbook = workbook_bytes(request)
    msg = email_draft(request, letter_pdf, workbook, mailbox, when)
    letter_name, workbook_name, eml_name = file_names(request)
    folder = Path(folder)
    out = Produced(folder / letter_name, folder / workbook_name, folder / eml_name, NEXT_STEP)
    write_file(out.letter, letter_pdf)
    write_file(out.workbook, workbook)
    mail.write_eml(out.eml, msg)
    return out
