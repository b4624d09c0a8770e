"""The registration calendar: which phase the register is in on a day (seeds 001, attachment 3)."""
from __future__ import annotations

import datetime as _dt

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from app.thai import format_date_short

from .db import periods

PHASE_TH = {"open": "เปิดบันทึกข้อมูล", "processing": "ปิดบันทึกเพื่อประมวลผล", "confirmation": "รอบยืนยันข้อมูล"}


def phase_on(conn: Connection, day: _dt.date) -> tuple[str, dict | None]:
    row = conn.execute(select(periods).where(and_(periods.c.starts <= day, periods.c.ends > day))
                       .order_by(periods.c.starts.desc())).mappings().first()
    return (row["phase"], dict(row)) if row else ("open", None)


def closed_message(period: dict) -> str:
    reopen = format_date_short(period["ends"])
    return (f"ขณะนี้ สปสช. ปิดรับข้อมูลเพื่อประมวลผล ({period['name']}) จะเปิดอีกครั้งวันที่ {reopen} "
            "รายการของท่านถูกเก็บไว้ในเครื่องและจะส่งให้อัตโนมัติเมื่อเปิดรับข้อมูล")
