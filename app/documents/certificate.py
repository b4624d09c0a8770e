"""The certificate of entitlement (หนังสือรับรองสิทธิการรักษาพยาบาล) as an official letter: for an in-patient whose
right the hospital cannot yet see in NHSO's database, the unit certifies that the person is entitled to the LGO
medical-welfare fund on the admission date and that their data is being registered (issue 18 §4).

The words are those a head of unit signs without retyping: ที่ (the unit's reference, or a dotted blank for the
saraban to fill in, then the certificate's number), the unit and its address, the date, เรื่อง ขอรับรองสิทธิการ
รักษาพยาบาล, เรียน ผู้อำนวยการ<hospital>; who the person is (name, citizen ID grouped, birth date), how they stand
to the beneficiary, the beneficiary's position and unit; the certification; the head of unit's signature block.
Thai digits throughout (the letter layer's). The head's name and position come from the unit's data when it has
them; otherwise the name is a dotted line to write in and the position is the head's title of the unit's kind
(นายกองค์การบริหารส่วนตำบล… / นายกเทศมนตรี…).
"""
from __future__ import annotations

from ..cid import format_cid
from ..domain import Person, Unit, UnitLevel
from ..rules.entitlement import Relation
from ..store.certificates import Certificate
from ..thai import format_date_long
from .letter import Contact, Letter, letter_pdf

SUBJECT = "ขอรับรองสิทธิการรักษาพยาบาล"
BLANK_REFERENCE = "................"
BLANK_NAME = "................................................"
REGULATION = ("ระเบียบกระทรวงมหาดไทยว่าด้วยสวัสดิการเกี่ยวกับการรักษาพยาบาลของพนักงานส่วนท้องถิ่น พ.ศ. 2541 "
              "และที่แก้ไขเพิ่มเติม")


def head_title(unit: Unit | None) -> str:
    """The head of a unit by the unit's kind: นายกองค์การบริหารส่วนตำบลบ้านฝึกหัด, นายกเทศมนตรีตำบลบ้านฝึกหัด."""
    if unit is None:
        return "ผู้บริหารท้องถิ่น"
    name = unit.name.strip()
    if name.startswith("เทศบาล"):
        return "นายกเทศมนตรี" + name[len("เทศบาล"):]
    if unit.level is UnitLevel.SPECIAL:
        if "กรุงเทพ" in name:
            return "ผู้ว่าราชการกรุงเทพมหานคร"
        if "พัทยา" in name:
            return "นายกเมืองพัทยา"
        return "ผู้บริหาร" + name
    return "นายก" + name


def _birth(person: Person) -> str:
    b = person.birth
    if b is None:
        return ""
    return format_date_long(b.earliest(), digits="arabic") if b.is_complete else b.format_th()


def body(c: Certificate, person: Person) -> list[str]:
    """The letter's paragraphs (Arabic digits: the letter layer prints them Thai)."""
    born = _birth(person)
    who = f"{c.name} เลขประจำตัวประชาชน {format_cid(c.cid)}" + (f" เกิดวันที่ {born}" if born else "")
    admitted = format_date_long(c.admitted_on, digits="arabic")
    if c.relation is Relation.SELF:
        stands = f"ตำแหน่ง{c.position} สังกัด{c.unit_name}" if c.position else f"สังกัด{c.unit_name}"
        capacity = "ผู้มีสิทธิ"
    else:
        where = f"ตำแหน่ง{c.position} สังกัด{c.unit_name}" if c.position else f"สังกัด{c.unit_name}"
        stands = f"ซึ่งเป็น{c.relation.th}ของ {c.via_name} {where}"
        capacity = f"{c.relation.th}ของผู้มีสิทธิ"
    first = (f"ด้วย{who} {stands} ได้เข้ารับการรักษาพยาบาลเป็นผู้ป่วยใน ณ {c.hospital} "
             f"ตั้งแต่วันที่ {admitted}")
    second = (f"{c.unit_name} ขอรับรองว่า {c.name} มีสิทธิสวัสดิการรักษาพยาบาลขององค์กรปกครองส่วนท้องถิ่น"
              f"ในฐานะ{capacity} ในวันที่ {admitted} ตาม{REGULATION} ขณะนี้ข้อมูลของบุคคลดังกล่าวอยู่ระหว่าง"
              "การลงทะเบียนในระบบของสำนักงานหลักประกันสุขภาพแห่งชาติ (สปสช.) จึงขอความอนุเคราะห์ให้การรักษาพยาบาล"
              "แก่บุคคลดังกล่าวตามสิทธิ และเรียกเก็บค่ารักษาพยาบาลจากกองทุนสวัสดิการรักษาพยาบาลขององค์กรปกครอง"
              "ส่วนท้องถิ่นผ่านสำนักงานหลักประกันสุขภาพแห่งชาติต่อไป")
    out = [first, second]
    if c.secondary:
        out.append("ทั้งนี้ บุคคลดังกล่าวเป็นผู้ประกันตนตามกฎหมายว่าด้วยประกันสังคม ต้องใช้สิทธิประกันสังคมก่อน "
                   "กองทุนฯ รับผิดชอบเฉพาะส่วนที่ประกันสังคมไม่คุ้มครอง")
    out.append("จึงเรียนมาเพื่อโปรดพิจารณา")
    return out


def certificate_letter(c: Certificate, person: Person, unit: Unit | None, *, emblem: bytes | None = None,
                       signer_name: str = "", signer_position: str = "", reference: str = "") -> Letter:
    """The :class:`Letter` for an issued certificate ``c`` about ``person`` from ``unit``."""
    unit_name = unit.name if unit is not None else c.unit_name
    return Letter(
        unit=unit_name,
        address=(unit.address if unit is not None else "") or "",
        reference=f"{reference.strip() or BLANK_REFERENCE}/{c.number}",
        date=c.issued_on,
        subject=SUBJECT,
        to=f"ผู้อำนวยการ{c.hospital}",
        body=body(c, person),
        signer_name=signer_name.strip() or BLANK_NAME,
        signer_position=signer_position.strip() or head_title(unit),
        contact=Contact(unit_name, unit.phone.strip(), "", unit.email.strip()) if unit is not None else None,
        emblem=emblem,
    )


def certificate_pdf(c: Certificate, person: Person, unit: Unit | None, **kw) -> bytes:
    """The certificate as PDF bytes (the letter layer's Thai refusals for a bad emblem)."""
    return letter_pdf(certificate_letter(c, person, unit, **kw))
