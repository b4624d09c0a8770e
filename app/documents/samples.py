"""Sample documents of the typesetting layer, made-up training people only (citizen IDs starting with 9).

``write_samples(folder)`` writes the account-request letter after the seeds' template (001 attachment 2) with
a 12-row officers' table, a statement-like list of beneficiaries and their dependents (PDF and .xlsx), and a
PNG of every PDF page when poppler's ``pdftoppm`` is installed: for the demo, and for a person to look at.
"""
from __future__ import annotations

import datetime as dt
import random
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from .. import cid as cidmod
from ..thai import PartialDate
from ..training import FEMALE, LAST, MALE, UNIT
from .files import write_file
from .fonts import th_size
from .letter import Contact, Letter, letter_pdf
from .tables import Column, Group, Table, TableDocument, table_pdf, table_xlsx

OFFICER_COLUMNS = [
    Column("ลำดับ", "int", 6, align="center"),
    Column("ชื่อ–สกุล", "text", 16),
    Column("เลขประจำตัวประชาชน", "cid", 19),
    Column("ตำแหน่ง", "text", 15),
    Column("บทบาท", "text", 11),
    Column("เบอร์มือถือ", "text", 14),
    Column("อีเมล", "text", 15),
]

STATEMENT_COLUMNS = [
    Column("ลำดับ", "int", 7, align="center"),
    Column("ชื่อ–สกุล", "text", 26),
    Column("เลขประจำตัวประชาชน", "cid", 20),
    Column("วันเกิด", "date", 21),
    Column("ความสัมพันธ์", "text", 12),
    Column("ตำแหน่ง / ประเภท", "text", 24),
    Column("เงินเดือน (บาท)", "money", 14),
]

_POSITIONS = ["นักวิชาการเงินและบัญชีชำนาญการ", "นักทรัพยากรบุคคลปฏิบัติการ", "เจ้าพนักงานธุรการชำนาญงาน",
              "ครูผู้ดูแลเด็ก", "นายช่างโยธาปฏิบัติงาน", "ผู้อำนวยการกองคลัง", "พนักงานจ้างตามภารกิจ"]
_ROLES = ["นายทะเบียน", "เจ้าหน้าที่ทะเบียน", "เจ้าหน้าที่การเงิน"]


class MadeUpPeople:
    """Made-up people with valid training citizen IDs (first digit 9), the same every run: the samples here and
    :func:`app.documents.statement.sample_statements`."""

    def __init__(self, seed: int = 2569) -> None:
        self.rng = random.Random(seed)
        self.n = 0

    def cid(self) -> str:
        self.n += 1
        return cidmod.complete(f"9{self.n:011d}")

    def name(self, title: str | None = None) -> str:
        title = title or self.rng.choice(["นาย", "นาง", "นางสาว"])
        first = self.rng.choice(MALE if title == "นาย" else FEMALE)[0]
        return f"{title}{first} {self.rng.choice(LAST)[0]}"


def shares(dependents: int, beneficiaries: int) -> Iterator[tuple[int, int]]:
    """``(n, share)`` for beneficiary ``n`` = 1 … ``beneficiaries``: the ``dependents`` shared out among them as
    evenly as whole people go, every one placed."""
    left = dependents
    for n in range(1, beneficiaries + 1):
        share = min(left, round(dependents * n / beneficiaries) - (dependents - left))
        left -= share
        yield n, share


def sample_letter(officers: int = 12, emblem: bytes | None = None) -> Letter:
    """The account-request letter (seeds 001 attachment 2) of the training unit with ``officers`` rows."""
    people = MadeUpPeople()
    rows = []
    for n in range(1, officers + 1):
        role = _ROLES[0] if n == 1 else _ROLES[1 + (n % 2)]
        position = "ปลัดองค์การบริหารส่วนตำบล" if n == 1 else people.rng.choice(_POSITIONS)
        rows.append([n, people.name(), people.cid(), position, role, f"08{n % 10}-{1000 + n * 37:04d}-{n:03d}",
                     f"officer{n:02d}@banfukhad.example.go.th"])
    unit = UNIT.name
    return Letter(
        unit=f"{unit}",
        address="99 หมู่ 1 ตำบลบ้านฝึกหัด\nอำเภอเมืองขอนแก่น จังหวัดขอนแก่น 40000",
        reference="ขก 72901/123",
        date=dt.date(2026, 1, 31),
        subject="ขอสิทธิเข้าใช้งานระบบทะเบียนบุคลากรองค์กรปกครองส่วนท้องถิ่น",
        to="เลขาธิการสำนักงานหลักประกันสุขภาพแห่งชาติ",
        enclosures=[f"สำเนาบัตรประจำตัวประชาชน จำนวน {officers} ฉบับ",
                    "แบบขอสิทธิเข้าใช้งาน (ไฟล์ Excel) จำนวน 1 ไฟล์"],
        body=[
            "ตามที่ สำนักงานหลักประกันสุขภาพแห่งชาติ ได้จัดให้มีระบบทะเบียนบุคลากรองค์กรปกครองส่วนท้องถิ่น "
            "เพื่อลงทะเบียนข้อมูลบุคลากรในสังกัดหน่วยงานต่าง ๆ "
            "สำหรับการปรับปรุงข้อมูลสิทธิด้านการรักษาพยาบาลให้ถูกต้อง "
            "ใช้เป็นข้อมูลในการให้บริการสาธารณสุข นั้น",
            f"ในการนี้ {unit} ขอแจ้งรายชื่อบุคคลเพื่อเป็นนายทะเบียน เจ้าหน้าที่ทะเบียน และเจ้าหน้าที่การเงิน "
            "ของระบบทะเบียนบุคลากรของหน่วยงาน เพื่อขอรับชื่อผู้ใช้และรหัสผ่านในการใช้งานโปรแกรมระบบทะเบียนบุคลากรฯ "
            "โดยมีรายชื่อดังนี้ (หลักฐานประกอบตามสิ่งที่ส่งมาด้วย)",
            Table(OFFICER_COLUMNS, rows, size=th_size(13)),
            f"{unit} ขอรับรองว่าผู้ที่มีรายชื่อตามที่ระบุข้างต้นเป็นเจ้าหน้าที่ผู้ปฏิบัติงานของหน่วยงานจริง",
            "จึงเรียนมาเพื่อโปรดพิจารณา",
        ],
        signer_name="นายประเสริฐ ทองดี",
        signer_position="ปลัดองค์การบริหารส่วนตำบล ปฏิบัติราชการแทน\nนายกองค์การบริหารส่วนตำบลบ้านฝึกหัด",
        contact=Contact("สำนักปลัด งานการเจ้าหน้าที่", "0 4300 0000 ต่อ 12", "0 4300 0001",
                        "saraban@banfukhad.example.go.th"),
        emblem=emblem,
    )


def sample_statement(beneficiaries: int = 40, dependents: int = 60, landscape: bool = False,
                     seed: int = 2569) -> TableDocument:
    """A statement-like list: each beneficiary followed by their dependents (``dependents`` in all, spread
    over the beneficiaries), a total at the end."""
    people = MadeUpPeople(seed)
    rng = people.rng
    rows: list[Group] = []
    total = Decimal(0)
    for n, share in shares(dependents, beneficiaries):
        salary = Decimal(rng.randrange(1_500_000, 6_500_000)) / 100
        total += salary
        birth = dt.date(1966, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 30))
        members = []
        for _ in range(share):
            relation = rng.choice(["คู่สมรส", "บุตร", "บุตร", "บิดา", "มารดา"])
            when = (PartialDate(birth.year - 25) if relation in ("บิดา", "มารดา") and rng.random() < 0.3
                    else birth + dt.timedelta(days=rng.randrange(-3000, 9000)))
            members.append(["", people.name(), people.cid(), when, relation, "", None])
        rows.append(Group([n, people.name(), people.cid(), birth, "ผู้มีสิทธิ", rng.choice(_POSITIONS), salary],
                          members))
    totals = ["", f"รวม ผู้มีสิทธิ {beneficiaries:,} คน ผู้มีสิทธิร่วม {dependents:,} คน", "", "", "", "", total]
    return TableDocument(
        title="ทะเบียนผู้มีสิทธิและผู้มีสิทธิร่วม",
        subtitle=[f"{UNIT.name} จังหวัด{UNIT.province}", "ข้อมูล ณ วันที่ 31 มกราคม 2569"],
        table=Table(STATEMENT_COLUMNS, rows, totals=totals),
        landscape=landscape,
    )


def write_samples(folder: Path | str, png: bool = True) -> list[Path]:
    """Write the sample letter (PDF), the sample list (PDF, 3 pages, and .xlsx) into ``folder`` and, when
    ``pdftoppm`` is installed and ``png`` is on, a 60-dpi PNG of every PDF page. Returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = [write_file(folder / "sample-letter.pdf", letter_pdf(sample_letter())),
               write_file(folder / "sample-table.pdf", table_pdf(sample_statement())),
               write_file(folder / "sample-table.xlsx", table_xlsx(sample_statement()))]
    tool = shutil.which("pdftoppm")
    if png and tool:
        for pdf in [p for p in written if p.suffix == ".pdf"]:
            subprocess.run([tool, "-r", "60", "-png", str(pdf), str(folder / pdf.stem)], check=True)
            written += sorted(folder.glob(f"{pdf.stem}-*.png"))
    return written
