"""Who may hold which role in a unit (seeds, 000 §1): the checks NHSO makes on a unit's request.

* exactly one registrar (นายทะเบียน) per unit, whose position is ปลัด, รองปลัด or หัวหน้าหน่วยการคลัง;
* a registry officer must not also be a finance officer, and the other way round;
* every officer has a valid citizen ID and an e-mail of their own.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Iterable

from .. import cid as cidmod
from ..domain import Officer, Role, tables
from ..errors import Refusal, Verdicts

_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")


def registrar_position_code(position: str) -> str | None:
    """Map a position as written (``ปลัดเทศบาล``, ``รองปลัด อบต.``) to a registrar position code."""
    text = position.replace(" ", "")
    if text.startswith("รองปลัด"):
        return "deputy_palad"
    if text.startswith("ปลัด"):
        return "palad"
    if text.startswith("หัวหน้าหน่วยการคลัง") or text.startswith("ผู้อำนวยการกองคลัง") \
            or text.startswith("หัวหน้าส่วนการคลัง") or text.startswith("ผู้อำนวยการกองการคลัง"):
        return "head_of_finance"
    return None


def check_officer(o: Officer, subject: str = "") -> Verdicts:
    v = Verdicts()
    subject = subject or o.name
    try:
        cidmod.validate(o.cid)
    except Refusal as r:
        v.add(r.code, f"{subject}: {r.th}", r.en, subject=subject)
    if not o.email.strip():
        v.add("officer.email_missing", f"{subject}: ต้องมีอีเมลของตนเองเพื่อรับรหัสผู้ใช้งาน",
              "Every officer needs their own e-mail.", subject=subject)
    elif not _EMAIL.match(o.email.strip()):
        v.add("officer.email_invalid", f"{subject}: อีเมล «{o.email}» ไม่ถูกต้อง",
              "The e-mail address is not valid.", subject=subject)
    if o.role is Role.REGISTRAR:
        code = o.position_code or registrar_position_code(o.position)
        if code not in tables().registrar_positions:
            allowed = ", ".join(tables().registrar_positions.values())
            v.add("registrar.position",
                  f"{subject}: ตำแหน่ง «{o.position}» เป็นนายทะเบียนไม่ได้ นายทะเบียนต้องเป็น {allowed}",
                  "The registrar must be the palad, deputy palad or head of finance.", subject=subject)
    return v


def check_unit_officers(officers: Iterable[Officer]) -> Verdicts:
    """All the checks over one unit's officers together."""
    officers = list(officers)
    v = Verdicts()
    for o in officers:
        v.extend(check_officer(o))
    registrars = [o for o in officers if o.role is Role.REGISTRAR]
    if not registrars:
        v.add("registrar.missing", "หน่วยงานต้องมีนายทะเบียน 1 คน", "The unit needs exactly one registrar.")
    elif len({o.cid for o in registrars}) > 1:
        names = ", ".join(o.name for o in registrars)
        v.add("registrar.more_than_one",
              f"หน่วยงานมีนายทะเบียนได้เพียง 1 คน แต่มี {len(registrars)} คน ({names})",
              "A unit has exactly one registrar.")
    roles: dict[str, set[Role]] = defaultdict(set)
    names: dict[str, str] = {}
    for o in officers:
        key = cidmod.normalise(o.cid)
        roles[key].add(o.role)
        names[key] = o.name
    for key, held in roles.items():
        if Role.REGISTRY_OFFICER in held and Role.FINANCE_OFFICER in held:
            v.add("role.registry_and_finance",
                  f"{names[key]} เป็นทั้งเจ้าหน้าที่ทะเบียนและเจ้าหน้าที่การเงินไม่ได้ ต้องเลือกเพียงหน้าที่เดียว",
                  "One person cannot be both registry officer and finance officer.", subject=names[key])
    dup = Counter((cidmod.normalise(o.cid), o.role) for o in officers)
    for (key, role), n in dup.items():
        if n > 1:
            v.add("officer.duplicate", f"{names[key]} ถูกระบุเป็น{role.th}ซ้ำ {n} ครั้ง",
                  "The same person is listed twice for the same role.", subject=names[key])
    by_email: dict[str, set[str]] = defaultdict(set)
    for o in officers:
        if o.email.strip():
            by_email[o.email.strip().lower()].add(cidmod.normalise(o.cid))
    for email, holders in by_email.items():
        if len(holders) > 1:
            v.add("officer.email_shared",
                  f"อีเมล {email} ถูกใช้โดยเจ้าหน้าที่มากกว่า 1 คน แต่ละคนต้องมีอีเมลของตนเอง",
                  "Each officer needs an e-mail of their own.")
    return v
