"""The records of the register, named as the officers name them.

Records are facts with effective dates; entitlement is never stored by hand but derived from them by
:mod:`app.rules.entitlement`. History is kept by closing a record (an end date and its reason), never
by deleting or rewriting it.
"""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from importlib import resources

from .thai import PartialDate

Date = _dt.date


class UnitLevel(str, Enum):
    """ระดับหน่วยงาน"""

    PAO = "pao"
    CITY = "city_municipality"
    TOWN = "town_municipality"
    SUBDISTRICT = "subdistrict_municipality"
    SAO = "sao"
    SPECIAL = "special"

    @property
    def th(self) -> str:
        return _UNIT_LEVEL_TH[self]


_UNIT_LEVEL_TH = {
    UnitLevel.PAO: "องค์การบริหารส่วนจังหวัด (อบจ.)",
    UnitLevel.CITY: "เทศบาลนคร",
    UnitLevel.TOWN: "เทศบาลเมือง",
    UnitLevel.SUBDISTRICT: "เทศบาลตำบล",
    UnitLevel.SAO: "องค์การบริหารส่วนตำบล (อบต.)",
    UnitLevel.SPECIAL: "องค์กรปกครองส่วนท้องถิ่นรูปแบบพิเศษ",
}


@dataclass
class Unit:
    """หน่วยงาน (อปท.)"""

    code: str
    name: str
    level: UnitLevel
    province: str
    address: str = ""
    phone: str = ""
    email: str = ""
    # who signs the unit's letters (a certificate of entitlement, issue 18 §4) and the prefix of its outgoing
    # numbers (ที่ ขก ๕๒๑๐๑/…); empty: the letter leaves a dotted line and the head's title of the unit's kind
    head_name: str = ""
    head_position: str = ""
    reference: str = ""
    emblem_sha256: str = ""   # the unit's emblem (PNG/JPEG) in the attachment store, over its letters; "": a frame


class Role(str, Enum):
    REGISTRAR = "registrar"          # นายทะเบียน
    REGISTRY_OFFICER = "registry"    # เจ้าหน้าที่ทะเบียน
    FINANCE_OFFICER = "finance"      # เจ้าหน้าที่การเงิน

    @property
    def th(self) -> str:
        return {"registrar": "นายทะเบียน", "registry": "เจ้าหน้าที่ทะเบียน",
                "finance": "เจ้าหน้าที่การเงิน"}[self.value]

    @property
    def en(self) -> str:
        return {"registrar": "Registrar", "registry": "Registry officer", "finance": "Finance officer"}[self.value]


@dataclass
class Officer:
    """A user of the program: one person, one role, in one unit."""

    cid: str
    name: str
    position: str
    role: Role
    unit_code: str
    email: str
    mobile: str = ""
    position_code: str = ""  # for a registrar: palad / deputy_palad / head_of_finance


class Sex(str, Enum):
    MALE = "1"
    FEMALE = "2"


@dataclass
class Person:
    """บุคคล — keyed by citizen ID."""

    cid: str
    first_th: str
    last_th: str
    title_th: str = ""
    middle_th: str = ""
    title_en: str = ""
    first_en: str = ""
    middle_en: str = ""
    last_en: str = ""
    birth: PartialDate | None = None
    sex: Sex | None = None
    died_on: Date | None = None
    address: str = ""

    @property
    def name_th(self) -> str:
        given = " ".join(p for p in (self.first_th, self.middle_th) if p)
        return f"{self.title_th}{given} {self.last_th}".strip()

    @property
    def name_en(self) -> str:
        parts = [self.title_en, self.first_en, self.middle_en, self.last_en]
        return " ".join(p for p in parts if p)


class StartReason(str, Enum):
    HIRE = "hire"                  # บรรจุใหม่/เข้างานใหม่
    TRANSFER_IN = "transfer_in"    # รับโอน
    PENSION = "pension"            # เริ่มรับบำนาญ
    ELECTED = "elected"            # ได้รับเลือกตั้ง (ผู้บริหาร)


class EndReason(str, Enum):
    RESIGNATION = "resignation"    # ลาออก
    DISMISSAL = "dismissal"        # ถูกให้ออก
    RETIREMENT = "retirement"      # เกษียณอายุ
    DEATH = "death"                # เสียชีวิต
    TRANSFER_OUT = "transfer_out"  # โอนย้ายออก
    TERM_ENDED = "term_ended"      # พ้นวาระ

    @property
    def th(self) -> str:
        return {
            "resignation": "ลาออก", "dismissal": "ถูกให้ออก", "retirement": "เกษียณอายุ",
            "death": "เสียชีวิต", "transfer_out": "โอนย้ายออก", "term_ended": "พ้นวาระ",
        }[self.value]


@dataclass
class Employment:
    """A period of service that makes someone ผู้มีสิทธิ of a unit: ``[start, end)``."""

    id: str
    cid: str
    unit_code: str
    personnel_type: str
    start: Date
    position: str = ""
    start_reason: StartReason = StartReason.HIRE
    end: Date | None = None
    end_reason: EndReason | None = None


class MarriageEnd(str, Enum):
    DIVORCE = "divorce"
    DEATH = "death"


@dataclass
class Marriage:
    """การสมรสที่จดทะเบียน — registration number and date are what make it legal."""

    id: str
    a_cid: str
    b_cid: str
    registration_no: str
    registered_on: Date
    registered_at: str = ""
    ended_on: Date | None = None
    end_reason: MarriageEnd | None = None

    def other(self, cid: str) -> str:
        return self.b_cid if cid == self.a_cid else self.a_cid


class ParentKind(str, Enum):
    LEGITIMATE = "legitimate"          # ชอบด้วยกฎหมาย
    ADOPTIVE = "adoptive"              # บุตรบุญธรรม / บิดามารดาบุญธรรม
    NOT_LEGITIMATE = "not_legitimate"  # บิดาที่ไม่ได้จดทะเบียนรับรองบุตร


@dataclass
class Parentage:
    """A parent–child link, with its legal kind."""

    id: str
    parent_cid: str
    child_cid: str
    kind: ParentKind = ParentKind.LEGITIMATE


class Scheme(str, Enum):
    SOCIAL_SECURITY = "sso"          # ประกันสังคม
    CSMBS = "csmbs"                  # สวัสดิการรักษาพยาบาลข้าราชการ (กรมบัญชีกลาง)
    STATE_ENTERPRISE = "state_enterprise"  # รัฐวิสาหกิจ
    PRIVATE_INSURANCE = "private"    # ประกันสุขภาพเอกชน

    @property
    def th(self) -> str:
        return {
            "sso": "สิทธิประกันสังคม", "csmbs": "สิทธิข้าราชการ (กรมบัญชีกลาง)",
            "state_enterprise": "สิทธิรัฐวิสาหกิจ", "private": "ประกันสุขภาพเอกชน",
        }[self.value]


class Basis(str, Enum):
    OWN = "own"        # the person's own right (as the insured or the official)
    FAMILY = "family"  # a right through a family member


@dataclass
class Coverage:
    """สิทธิการรักษาพยาบาลอื่น — another scheme that covers the person over ``[start, end)``."""

    id: str
    cid: str
    scheme: Scheme
    basis: Basis
    start: Date
    end: Date | None = None


class OrderKind(str, Enum):
    INCOMPETENT = "incompetent"            # คนไร้ความสามารถ
    QUASI_INCOMPETENT = "quasi_incompetent"  # คนเสมือนไร้ความสามารถ


@dataclass
class CourtOrder:
    """คำสั่งศาล declaring a person (quasi-)incompetent; the order's scan is attached."""

    id: str
    cid: str
    kind: OrderKind
    order_no: str
    ordered_on: Date
    attachment_sha256: str = ""


# --- the personnel-type table (data, not code) --------------------------------------------------

@dataclass(frozen=True)
class PersonnelType:
    code: str
    th: str
    en: str
    eligible: bool
    executive: bool = False
    reason_th: str = ""
    reason_en: str = ""


@dataclass(frozen=True)
class Tables:
    personnel_types: dict[str, PersonnelType]
    registrar_positions: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=1)
def tables() -> Tables:
    raw = json.loads(resources.files("app").joinpath("data/personnel_types.json").read_text("utf-8"))
    types = {t["code"]: PersonnelType(**t) for t in raw["types"]}
    positions = {p["code"]: p["th"] for p in raw["registrar_positions"]}
    return Tables(types, positions)
