"""Thai text helpers: Buddhist-era dates, Thai digits, amounts in words (baht text).

Used by every screen and document, so it depends on nothing but the standard library.
"""
from __future__ import annotations

import datetime as _dt
import functools
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

BE_OFFSET = 543

MONTHS_TH = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)

_TO_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_FROM_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


@functools.lru_cache(maxsize=1)
def _collator():
    import icu  # pyicu-wheels: ICU with its Thai data, on Windows too

    return icu.Collator.createInstance(icu.Locale("th_TH"))


def sort_key(text: str) -> bytes:
    """Thai dictionary order (a leading vowel such as เ or ไ sorts by the consonant after it).

    The key is bytes that compare like the words, so a database can order by it.
    """
    return _collator().getSortKey(text)


def thai_digits(text: object) -> str:
    """Replace Arabic digits with Thai digits (U+0E50–U+0E59)."""
    return str(text).translate(_TO_THAI_DIGITS)


_LATIN_TOKEN = re.compile(r"\S*[A-Za-z@]\S*")


def thai_digits_prose(text: object) -> str:
    """Thai digits in running text, as official letters write them (``โทร. ๐ ๔๓๒๑ ๒๓๔๕``), except inside
    e-mail and web addresses and words in Latin letters (``saraban7@nhso.go.th``, ``ISO9001``), whose
    digits a reader has to type back exactly."""
    text = str(text)
    out, pos = [], 0
    for m in _LATIN_TOKEN.finditer(text):
        out.append(text[pos:m.start()].translate(_TO_THAI_DIGITS))
        out.append(m.group(0))
        pos = m.end()
    out.append(text[pos:].translate(_TO_THAI_DIGITS))
    return "".join(out)


def arabic_digits(text: str) -> str:
    """Replace Thai digits with Arabic digits (what a user may type or paste)."""
    return text.translate(_FROM_THAI_DIGITS)


def be_year(d: _dt.date) -> int:
    return d.year + BE_OFFSET


def format_date_long(d: _dt.date, *, digits: str = "thai") -> str:
    """``๓๑ มกราคม ๒๕๖๙`` — the form of official documents."""
    text = f"{d.day} {MONTHS_TH[d.month - 1]} {be_year(d)}"
    return thai_digits(text) if digits == "thai" else text


def format_date_short(d: _dt.date) -> str:
    """``31/01/2569`` — the form of tables and entry fields."""
    return f"{d.day:02d}/{d.month:02d}/{be_year(d)}"


class ThaiDateError(ValueError):
    """A date a user typed that cannot be read; the message is Thai and says what to type."""


def _typed_be(text: str, unreadable: str, year_alone: bool = False) -> tuple[int, int, int]:
    """(day, month, Christian-era year) of a typed ``dd/mm/yyyy`` in the Buddhist era (Thai digits, ``-`` or
    ``.`` allowed; ``year_alone``: a bare year is 00/00/yyyy). ThaiDateError with ``unreadable`` otherwise."""
    parts = arabic_digits(text.strip()).replace("-", "/").replace(".", "/").split("/")
    if year_alone and len(parts) == 1 and parts[0].isdigit():
        parts = ["00", "00", parts[0]]
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ThaiDateError(unreadable)
    day, month, year = (int(p) for p in parts)
    if year < 2400:
        raise ThaiDateError(f"ปี {year} ดูเหมือนเป็น ค.ศ. กรุณาพิมพ์ปีเป็น พ.ศ. เช่น {year + BE_OFFSET}")
    return day, month, year - BE_OFFSET


def parse_date_short(text: str) -> _dt.date:
    """Read ``dd/mm/yyyy`` in the Buddhist era (Thai digits allowed)."""
    day, month, year = _typed_be(text, f"อ่านวันที่ «{text}» ไม่ได้ กรุณาพิมพ์เป็น วว/ดด/ปปปป พ.ศ. เช่น 31/01/2569")
    try:
        return _dt.date(year, month, day)
    except ValueError:
        raise ThaiDateError(f"ไม่มีวันที่ {text} ในปฏิทิน กรุณาตรวจสอบวัน เดือน และปี") from None


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date whose month or day may be unknown (ID cards write ``00``), in the Christian era.

    ``month``/``day`` of 0 mean unknown. ``earliest()``/``latest()`` bound the real date, which is what
    the age rules need: a child whose birth day is unknown is treated conservatively.
    """

    year: int
    month: int = 0
    day: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999 or not 0 <= self.month <= 12 or not 0 <= self.day <= 31:
            raise ValueError("วันที่ไม่ถูกต้อง")
        if self.month == 0 and self.day != 0:
            raise ValueError("วันที่ไม่ถูกต้อง: มีวันแต่ไม่มีเดือน")
        if self.is_complete:
            _dt.date(self.year, self.month, self.day)  # raises on 31/02

    @classmethod
    def from_be_digits(cls, yyyymmdd: str) -> PartialDate:
        """Parse the card's ``YYYYMMDD`` in the Buddhist era (month/day may be ``00``)."""
        if len(yyyymmdd) != 8 or not yyyymmdd.isdigit():
            raise ValueError(f"วันที่บนบัตร «{yyyymmdd}» ไม่ใช่ตัวเลข 8 หลัก")
        return cls(int(yyyymmdd[:4]) - BE_OFFSET, int(yyyymmdd[4:6]), int(yyyymmdd[6:]))

    @classmethod
    def of(cls, d: _dt.date) -> PartialDate:
        return cls(d.year, d.month, d.day)

    @property
    def is_complete(self) -> bool:
        return self.month != 0 and self.day != 0

    def earliest(self) -> _dt.date:
        return _dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> _dt.date:
        month = self.month or 12
        if self.day:
            return _dt.date(self.year, month, self.day)
        nxt = _dt.date(self.year + (month == 12), month % 12 + 1, 1)
        return nxt - _dt.timedelta(days=1)

    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @classmethod
    def from_iso(cls, text: str) -> PartialDate:
        y, m, d = (int(p) for p in text.split("-"))
        return cls(y, m, d)

    def format_en(self) -> str:
        if not self.month:
            return str(self.year)
        month = _dt.date(2000, self.month, 1).strftime("%b")
        return f"{self.day} {month} {self.year}" if self.day else f"{month} {self.year}"

    def format_th(self) -> str:
        year = self.year + BE_OFFSET
        if not self.month:
            return f"พ.ศ. {year}"
        if not self.day:
            return f"{MONTHS_TH[self.month - 1]} {year}"
        return f"{self.day} {MONTHS_TH[self.month - 1]} {year}"


# --- amounts in words -------------------------------------------------------------------------

_DIGIT_WORDS = ("ศูนย์", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า")
_PLACE_WORDS = ("", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน")


def _below_million(n: int, after_higher: bool) -> str:
    """Words for 0..999,999 (empty for 0). A 1 in the ones is เอ็ด when any digit stands before it, here
    (11, 101) or in the millions above (``after_higher``: 1,000,001 → หนึ่งล้านเอ็ด)."""
    digits = str(n) if n else ""
    width = len(digits)
    out = []
    for i, ch in enumerate(digits):
        d = int(ch)
        place = width - 1 - i
        if d == 0:
            continue
        if place == 0 and d == 1 and (width > 1 or after_higher):
            out.append("เอ็ด")
        elif place == 1 and d == 1:
            out.append("สิบ")
        elif place == 1 and d == 2:
            out.append("ยี่สิบ")
        else:
            out.append(_DIGIT_WORDS[d] + _PLACE_WORDS[place])
    return "".join(out)


def number_words(n: int) -> str:
    """A non-negative whole number in Thai words, as Excel's BAHTTEXT spells it (without บาท).

    Groups of six digits joined by ล้าน, repeated for each further million (2,000,000,000,000 → สองล้านล้าน). A 1
    in the ones of a group is เอ็ด after any other digit, including the digits of the millions before it:
    51,000,001 → ห้าสิบเอ็ดล้านเอ็ด; 1,000,001,000,000 → หนึ่งล้านเอ็ดล้าน; but 1,000,000 → หนึ่งล้าน.
    """
    if n < 0:
        raise ValueError("number_words takes a non-negative number")
    if n == 0:
        return _DIGIT_WORDS[0]
    millions, rest = divmod(n, 1_000_000)
    head = number_words(millions) + "ล้าน" if millions else ""
    return head + _below_million(rest, after_higher=millions > 0)


def baht_text(amount: Decimal | int | str) -> str:
    """An amount of money in Thai words, as Excel's BAHTTEXT writes it on receipts and cheques.

    120 → หนึ่งร้อยยี่สิบบาทถ้วน; 1,000,001 → หนึ่งล้านเอ็ดบาทถ้วน; 11.11 → สิบเอ็ดบาทสิบเอ็ดสตางค์; below one baht
    only the satang: 0.01 → หนึ่งสตางค์, 0.75 → เจ็ดสิบห้าสตางค์; 0 → ศูนย์บาทถ้วน; a negative amount starts with ลบ.
    Satang are rounded half away from zero to two places, as BAHTTEXT (and ROUND) does.
    """
    if isinstance(amount, float):
        raise TypeError("ใช้ Decimal หรือข้อความสำหรับจำนวนเงิน ไม่ใช้ float")
    try:
        value = Decimal(str(amount).replace(",", "")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(f"«{amount}» ไม่ใช่จำนวนเงิน") from None
    if not value.is_finite():
        raise ValueError(f"«{amount}» ไม่ใช่จำนวนเงิน")
    sign = "ลบ" if value < 0 else ""
    value = abs(value)
    baht = int(value)
    satang = int((value - baht) * 100)
    if baht == 0 and satang == 0:
        return "ศูนย์บาทถ้วน"
    text = sign
    if baht:
        text += number_words(baht) + "บาท"
    text += number_words(satang) + "สตางค์" if satang else "ถ้วน"
    return text


def format_amount(amount: Decimal | int | str) -> str:
    """``51,000,001.00`` — how amounts are printed beside their words."""
    return f"{Decimal(str(amount)):,.2f}"


def format_birth(birth: PartialDate | None) -> str:
    if birth is None:
        return ""
    return f"{birth.day:02d}/{birth.month:02d}/{birth.year + BE_OFFSET}"


def parse_birth(text: str) -> PartialDate | None:
    """``dd/mm/yyyy`` in the Buddhist era; 00 for an unknown day or month, as the card writes it."""
    if not arabic_digits(text.strip()):
        return None
    day, month, year = _typed_be(text, f"อ่านวันเกิด «{text}» ไม่ได้ กรุณาพิมพ์เป็น วว/ดด/ปปปป พ.ศ. "
                                       "(ไม่ทราบวันหรือเดือนให้ใส่ 00)", year_alone=True)
    try:
        return PartialDate(year, month, day)
    except ValueError:
        raise ThaiDateError(f"ไม่มีวันเกิด {text} ในปฏิทิน กรุณาตรวจสอบ") from None
