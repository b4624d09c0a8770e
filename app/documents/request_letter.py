"""The account-request letter as a PDF (seeds 001 attachment 2, 000 §3): the words of
:func:`app.usecases.account_request.letter_text` typeset by the letter layer (:func:`app.documents.letter.letter_pdf`).

For every :class:`~app.usecases.account_request.RequestKind`: the letterhead (ที่, the unit and its address), the
date, เรื่อง, เรียน, สิ่งที่ส่งมาด้วย; for a replacement the leavers' table; the body, the officers' table
(ลำดับ / ชื่อ–สกุล / เลขประจำตัวประชาชน / ตำแหน่ง / บทบาท / เบอร์มือถือ / อีเมล), the certification sentence,
จึงเรียนมาเพื่อโปรดพิจารณา, and room for the unit's head to sign. Digits are Thai (the layer's), IDs grouped
1-2345-67890-12-3; an empty reference leaves a dotted blank for the saraban to fill in by hand.

The tables' columns are sized to what they hold: an ID, a mobile number, an e-mail address and a role are never
broken across lines (a reader copies them back), so they get the room they need; names and positions share the
rest and wrap between words. A role wraps, when it must, only after «เจ้าหน้าที่» (never เจ้าหน้าที่การ|เงิน); a
position's title (นักทรัพยากรบุคคล, เจ้าพนักงานธุรการ — app.documents.words.COMPOUNDS) is kept whole when the table
has the room, and wraps after it, before the level (นักทรัพยากรบุคคล | ปฏิบัติการ).
"""
from __future__ import annotations

import datetime as dt
from typing import Sequence

from ..thai import thai_digits_prose
from .fonts import register_fonts, th_size
from .letter import TEXT_W, Contact, Letter, letter_pdf
from .tables import _PAD_X, Column, Table
from .thaitext import segments, text_width

OFFICER_COLUMNS = (  # the kinds and the proportions when nothing is known of the content
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
ROLE_HEAD = "เจ้าหน้าที่"            # where a role may wrap: เจ้าหน้าที่ | ทะเบียน
_ROLES = {"บทบาท", "บทบาทที่ขอยกเลิก"}
_SHARE = {"ชื่อ–สกุล", "ตำแหน่ง", "เหตุ", "ผู้มาแทน"}      # wrap between words, share what is left
_NAMES = {"ชื่อ–สกุล", "ผู้มาแทน"}                      # …and a name only at its spaces
_LEAST = 42.0              # the narrowest a shared column gets (points), before the whole ones give way
_EMAIL_WHOLE = 112.0       # an e-mail address up to this wide is kept on one line (boonmee@thodlong.go.th)
_POSITION = 58.0           # a position narrower than its text still holds «นักทรัพยากร» on a line
_TITLE_WHOLE = 80.0        # a position's title up to this wide is kept on one line (นักทรัพยากรบุคคล)
_EMAIL_PART = 80.0         # the narrowest a long e-mail address gets to keep a title whole (it wraps at a dot)


def _width(text: str, bold: bool = False) -> float:
    family = register_fonts()
    return text_width(thai_digits_prose(text), f"{family}-Bold" if bold else family, TABLE_SIZE) + 2 * _PAD_X + 1


def _title(position: str) -> float:
    """The widest part of ``position`` no line may break inside (its title, its level: app.documents.words), when
    it is at most :data:`_TITLE_WHOLE` wide: what the position's column needs to keep its title whole. A longer
    part wraps between its own words (นักวิชาการเงิน | และบัญชี, ปลัดองค์การ | บริหารส่วนตำบล)."""
    parts = (_width(part.strip()) for part in segments(thai_digits_prose(position)))
    return max([w for w in parts if w <= _TITLE_WHOLE] or [0.0])


def _role_lines(role: str, room: float) -> str:
    """The role on one line when it fits ``room``, else broken after «เจ้าหน้าที่»."""
    if role.startswith(ROLE_HEAD) and _width(role) > room:
        return f"{ROLE_HEAD}\n{role[len(ROLE_HEAD):]}"
    return role


def sized_table(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: float = TEXT_W) -> Table:
    """``rows`` under ``columns`` (by title), each column as wide as its content asks, within ``width``.

    Every column has a least width (an ID or a mobile: whole; an e-mail: its part before or after the @; a name:
    its longest word; a role: «เจ้าหน้าที่»; a position: a few words) and a full one (all on one line). What the
    least widths leave goes, in turn, to the e-mail addresses (whole, unless very long), then the names and roles
    (the nearest to one line first), then the positions and the rest in proportion to what they lack."""
    cols = list(columns)
    values = [[str(r[i]) for r in rows if i < len(r)] for i in range(len(cols))]
    full = [max([_width(v) for v in vals] or [0.0]) for vals in values]
    # a header may wrap between its words (เลขประจำตัว | ประชาชน): it asks for its longest word only
    header = [max(_width(word, bold=True) for word in c.title.replace("ประจำตัวประชาชน", "ประจำตัว ประชาชน").split())
              for c in cols]
    least = []
    for i, c in enumerate(cols):
        vals = values[i]
        if c.title in _NAMES:
            at = max([_width(w) for v in vals for w in v.split()] or [0.0])
        elif c.title in _SHARE:      # a position wraps between the parts of its compound (นักวิชาการ|เงินและบัญชี)
            at = min(full[i], _POSITION)
        elif c.title in _ROLES:
            at = max([max(_width(ROLE_HEAD), _width(v[len(ROLE_HEAD):])) if v.startswith(ROLE_HEAD) else _width(v)
                      for v in vals] or [0.0])
        elif c.title == "อีเมล":     # officer.kanchanaporn@ | thodlong.go.th
            at = max([max(_width(v.partition("@")[0] + "@"), _width(v.partition("@")[2])) for v in vals] or [0.0])
        else:
            at = full[i]
        least.append(max(header[i], _LEAST if c.title in _SHARE else 0.0, at))
    need = list(least)
    spare = width - sum(need)
    if spare < 0:   # the e-mail addresses give way first: they break after a dot or a hyphen
        for i, c in enumerate(cols):
            if c.title == "อีเมล":
                need[i] = max(header[i], need[i] + spare)
        spare = width - sum(need)

    def grow(i: int, by: float) -> None:
        nonlocal spare
        need[i] += by
        spare -= by

    for i, c in enumerate(cols):
        if c.title == "อีเมล" and full[i] <= _EMAIL_WHOLE and 0 < full[i] - need[i] <= spare:
            grow(i, full[i] - need[i])
    for i, c in enumerate(cols):   # the titles whole: from what is left, else from an address that wraps anyway
        if c.title == "ตำแหน่ง":
            lack = min(full[i], max([_POSITION, *(_title(v) for v in values[i])])) - need[i]
            for j, e in enumerate(cols):
                if e.title == "อีเมล" and full[j] > _EMAIL_WHOLE and lack > spare:
                    give = max(0.0, min(lack - spare, need[j] - max(header[j], _EMAIL_PART)))
                    need[j] -= give
                    spare += give
            if 0 < lack <= spare:
                grow(i, lack)
    lacking = sorted((i for i, c in enumerate(cols) if c.title in _NAMES | _ROLES), key=lambda i: full[i] - need[i])
    for i in lacking:
        if 0 < full[i] - need[i] <= spare:
            grow(i, full[i] - need[i])
    rest = [i for i, c in enumerate(cols) if c.title in _SHARE]
    want = {i: max(0.0, full[i] - need[i]) for i in rest}
    total = sum(want.values())
    if spare > 0 and total:
        share = min(1.0, spare / total)
        for i in rest:
            grow(i, want[i] * share)
    if spare > 0 and rest:   # everything fits on one line: the room left goes to the names and positions evenly
        for i in rest:
            grow(i, spare / len(rest))
    body = []
    for r in rows:
        cells = list(r)
        for i, c in enumerate(cols):
            if c.title in _ROLES and i < len(cells):
                cells[i] = _role_lines(str(cells[i]), need[i])
        body.append(cells)
    return Table([Column(c.title, c.kind, round(w, 2), c.align) for c, w in zip(cols, need)], body, size=TABLE_SIZE)


def request_letter(request, *, date: dt.date | None = None, emblem: bytes | None = None) -> Letter:
    """The :class:`Letter` for ``request`` (an :class:`AccountRequest` that :func:`check` passed)."""
    from ..usecases.account_request import letter_text

    text = letter_text(request)
    body: list = []
    if text.leavers:
        body += [text.leavers_intro, sized_table(LEAVER_COLUMNS[:len(text.leavers_header)], text.leavers)]
    body += list(text.paragraphs)
    if text.table:
        body.append(sized_table(OFFICER_COLUMNS[:len(text.table_header)], text.table))
    if text.note:
        body.append(text.note)
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
