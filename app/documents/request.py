"""The request workbook (เอกสารแนบ 1): the unit's officers for NHSO to create accounts for (seeds 000 §3).

The desktop writes it; the central server reads it (``lgo-central accounts import``). One sheet:
the unit's code, name and province at the top (and, from the request wizard, the kind of request), then
one row per officer: name, citizen ID, position, role, mobile, e-mail, and a note for NHSO's staff (new,
role changed, replaces someone). Reading checks every row against the role rules and reports each problem
with its row number, in Thai; it reads the columns by their headings, so the note column is for people.

The workbook is always the unit's complete list of officers after the request: the importer keeps the
accounts it names and revokes the others (a changed role, a person who left).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from .. import cid as cidmod
from ..domain import Officer, Role
from ..errors import Verdict, Verdicts
from ..rules.officers import check_officer, check_unit_officers
from .files import write_file

TITLE = "แบบขอสิทธิเข้าใช้งานระบบทะเบียนบุคลากรองค์กรปกครองส่วนท้องถิ่น"
HEADER = ("ลำดับ", "ชื่อ–นามสกุล", "เลขประจำตัวประชาชน", "ตำแหน่ง", "บทบาท", "โทรศัพท์มือถือ", "อีเมล")
NOTE = "หมายเหตุ"   # a column for people only: the importer reads HEADER's columns by name
KIND_LABEL = "ประเภทคำขอ"
ROLE_BY_TH = {r.th: r for r in Role}


@dataclass
class Request:
    unit_code: str
    unit_name: str
    province: str
    officers: list[tuple[int, Officer]] = field(default_factory=list)  # (row number, officer)
    problems: Verdicts = field(default_factory=Verdicts)
    kind: str = ""      # row 5 «ประเภทคำขอ», when the wizard wrote it
    notes: dict[int, str] = field(default_factory=dict)  # row number → «หมายเหตุ»

    @property
    def ok(self) -> bool:
        return self.problems.ok


def write_request(path: Path, unit_code: str, unit_name: str, province: str, officers: list[Officer], *,
                  kind: str = "", notes: list[str] | None = None) -> None:
    """Write the workbook to ``path`` whole or not at all (:func:`app.documents.files.write_file`)."""
    write_file(Path(path), request_bytes(unit_code, unit_name, province, officers, kind=kind, notes=notes))


def request_bytes(unit_code: str, unit_name: str, province: str, officers: list[Officer], *,
                  kind: str = "", notes: list[str] | None = None) -> bytes:
    """The workbook as bytes. ``kind`` (Thai, e.g. «ขอเปลี่ยนบทบาท») goes in row 5; ``notes`` (one per officer)
    in a last column «หมายเหตุ»."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "ผู้ใช้งาน"
    ws["A1"] = TITLE
    ws["A1"].font = Font(bold=True, size=14)
    head = [("รหัสหน่วยงาน", unit_code), ("ชื่อหน่วยงาน", unit_name), ("จังหวัด", province)]
    if kind:
        head.append((KIND_LABEL, kind))
    for row, (label, value) in enumerate(head, start=2):
        ws.cell(row, 1, label).font = Font(bold=True)
        ws.cell(row, 2, value)
    columns = HEADER + ((NOTE,) if notes is not None else ())
    for col, title in enumerate(columns, start=1):
        ws.cell(6, col, title).font = Font(bold=True)
    for n, o in enumerate(officers, start=1):
        ws.append([n, o.name, o.cid, o.position, o.role.th, o.mobile, o.email]
                  + ([notes[n - 1] if n - 1 < len(notes) else ""] if notes is not None else []))
    for row in ws.iter_rows(min_row=7, min_col=3, max_col=6):
        for cell in (row[0], row[3]):  # CID and mobile stay text when someone edits the sheet in Excel
            cell.number_format = "@"
    for col, width in zip("ABCDEFGH", (7, 30, 18, 30, 20, 16, 32, 40)):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a CID typed as a number
    return str(value).strip()


def read_request(path: Path) -> Request:
    """Read and check a request; every problem is in ``.problems`` with its row ("แถวที่ 8: …")."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — any unreadable file gets the same plain answer
        bad = Request("", "", "")
        bad.problems.add("request.unreadable",
                         f"เปิดไฟล์ {Path(path).name} ไม่ได้ ต้องเป็นไฟล์ Excel (.xlsx) ตามแบบที่ สปสช. กำหนด",
                         "The file is not an .xlsx workbook.")
        return bad
    ws = wb.worksheets[0]
    rows = [[_text(c) for c in row] for row in ws.iter_rows(values_only=True)]
    head = {r[0]: (r[1] if len(r) > 1 else "") for r in rows[:5] if r and r[0]}
    req = Request(head.get("รหัสหน่วยงาน", ""), head.get("ชื่อหน่วยงาน", ""), head.get("จังหวัด", ""),
                  kind=head.get(KIND_LABEL, ""))
    if not req.unit_code:
        req.problems.add("request.unit_missing", "ไม่พบรหัสหน่วยงาน (แถวที่ 2 ของแบบฟอร์ม)",
                         "The unit code is missing.")
    header_at = next((i for i, r in enumerate(rows) if "เลขประจำตัวประชาชน" in r), None)
    if header_at is None:
        req.problems.add("request.header_missing", "ไม่พบหัวตาราง (ชื่อ–นามสกุล เลขประจำตัวประชาชน …) ในแบบฟอร์ม",
                         "The officers' table header is missing.")
        return req
    cols = {name: rows[header_at].index(name) for name in HEADER + (NOTE,) if name in rows[header_at]}
    for i, raw in enumerate(rows[header_at + 1:], start=header_at + 2):
        cells = {name: (raw[c] if c < len(raw) else "") for name, c in cols.items()}
        if not any(cells.get(n) for n in HEADER[1:]):
            continue  # an empty row
        where = f"แถวที่ {i}"
        role = ROLE_BY_TH.get(cells.get("บทบาท", ""))
        if role is None:
            req.problems.add("request.role_unknown",
                             f"{where}: บทบาท «{cells.get('บทบาท', '')}» ไม่ถูกต้อง ต้องเป็น "
                             "นายทะเบียน เจ้าหน้าที่ทะเบียน หรือเจ้าหน้าที่การเงิน", "Unknown role.", subject=where)
            continue
        officer = Officer(cidmod.normalise(cells.get("เลขประจำตัวประชาชน", "")), cells.get("ชื่อ–นามสกุล", ""),
                          cells.get("ตำแหน่ง", ""), role, req.unit_code, cells.get("อีเมล", "").lower(),
                          cells.get("โทรศัพท์มือถือ", ""))
        if not officer.name:
            req.problems.add("request.name_missing", f"{where}: ไม่มีชื่อ–นามสกุล", "Name missing.", subject=where)
        req.problems.extend(check_officer(officer, where))
        req.officers.append((i, officer))
        if cells.get(NOTE):
            req.notes[i] = cells[NOTE]
    if not req.officers and req.problems.ok:
        req.problems.add("request.empty", "แบบฟอร์มไม่มีรายชื่อเจ้าหน้าที่", "The request lists nobody.")
    unit_level = check_unit_officers(o for _row, o in req.officers)
    row_of = {o.name: r for r, o in req.officers}
    for v in unit_level.items:
        if v.code.startswith(("cid.", "officer.email_invalid", "officer.email_missing", "registrar.position")):
            continue  # already reported per row
        where = f"แถวที่ {row_of[v.subject]}: " if v.subject in row_of else ""
        req.problems.items.append(Verdict(v.code, where + v.th, v.en, v.severity, v.subject))
    return req
