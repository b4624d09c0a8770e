"""The account-request letter as a PDF (seeds 001 attachment 2, 000 §3): the words of
:func:`app.usecases.account_request.letter_text` typeset by the letter layer (:func:`app.documents.letter.letter_pdf`).

For every :class:`~app.usecases.account_request.RequestKind`: the letterhead (ที่, the unit and its address), the
date, เรื่อง, เรียน, สิ่งที่ส่งมาด้วย; for a replacement the leavers' table; the body, the officers' table
(ลำดับ / ชื่อ–สกุล / เลขประจำตัวประชาชน / ตำแหน่ง / บทบาท / เบอร์มือถือ / อีเมล), the certification sentence,
จึงเรียนมาเพื่อโปรดพิจารณา, and room for the unit's head to sign. Digits are Thai (the layer's), IDs grouped
1-2345-67890-12-3; an empty reference leaves a dotted blank for the saraban to fill in by hand.
"""
from __future__ import annotations

import datetime as dt

from .fonts import th_size
from .letter import Contact, Letter, letter_pdf
from .tables import Column, Table

OFFICER_COLUMNS = (  # widths as in the seeds' template: the name, ID and e-mail need the room
    Column("ลำดับ", "int", 6, align="center"),
    Column("ชื่อ–สกุล", "text", 16),
    Column("เลขประจำตัวประชาชน", "cid", 19),  # letter_text groups it; a "cid" shrinks, never wraps
    Column("ตำแหน่ง", "text", 15),
    Column("บทบาท", "text", 11),
    Column("เบอร์มือถือ", "text", 14),
    Column("อีเมล", "text", 15),
)
LEAVER_COLUMNS = (
    Column("ลำดับ", "int", 6, align="center"),
    Column("ชื่อ–สกุล", "text", 18),
    Column("เลขประจำตัวประชาชน", "cid", 19),
    Column("บทบาทที่ขอยกเลิก", "text", 14),
    Column("เหตุ", "text", 12),
    Column("ผู้มาแทน", "text", 16),
)
TABLE_SIZE = th_size(13)   # the template's table runs smaller than the letter's 16 pt
BLANK_REFERENCE = "................................"


def request_letter(request, *, date: dt.date | None = None, emblem: bytes | None = None) -> Letter:
    """The :class:`Letter` for ``request`` (an :class:`AccountRequest` that :func:`check` passed)."""
    from ..usecases.account_request import letter_text

    text = letter_text(request)
    body: list = []
    if text.leavers:
        body += [text.leavers_intro,
                 Table(list(LEAVER_COLUMNS[:len(text.leavers_header)]), [list(r) for r in text.leavers],
                       size=TABLE_SIZE)]
    body += list(text.paragraphs)
    if text.table:
        body.append(Table(list(OFFICER_COLUMNS[:len(text.table_header)]), [list(r) for r in text.table],
                          size=TABLE_SIZE))
    body += [text.certification, text.closing]
    u = request.unit
    return Letter(
        unit=text.unit_name, address=text.unit_address, reference=text.reference or BLANK_REFERENCE,
        date=date or dt.date.today(), subject=text.subject, to=text.addressee, body=body,
        signer_name=text.signer_name, signer_position=text.signer_position,
        contact=Contact(text.unit_name, u.phone.strip(), u.fax.strip(), u.email.strip()),
        enclosures=text.enclosures, emblem=emblem)


def request_letter_pdf(request, *, date: dt.date | None = None, emblem: bytes | None = None) -> bytes:
    """The letter as PDF bytes, ready for the unit's head to sign (raises the layer's Thai refusals)."""
    return letter_pdf(request_letter(request, date=date, emblem=emblem))
