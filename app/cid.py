"""The 13-digit Thai citizen ID (เลขประจำตัวประชาชน): checksum, normalising, display."""
from __future__ import annotations

from .errors import Refusal
from .thai import arabic_digits


def check_digit(first12: str) -> int:
    """``(11 − Σ dᵢ·(13−i) mod 11) mod 10`` over the first twelve digits (i = 1..12)."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12, start=1))
    return (11 - total % 11) % 10


def normalise(text: str) -> str:
    """Strip spaces and dashes and turn Thai digits into Arabic ones (``1-2345-67890-12-1``)."""
    return "".join(ch for ch in arabic_digits(text) if ch not in " -\u00a0\t")


def is_valid(cid: str) -> bool:
    return len(cid) == 13 and cid.isascii() and cid.isdigit() and int(cid[12]) == check_digit(cid[:12])


def validate(text: str) -> str:
    """Return the normalised CID or raise a :class:`Refusal` with a Thai reason."""
    cid = normalise(text)
    if not cid:
        raise Refusal("cid.empty", "กรุณากรอกเลขประจำตัวประชาชน 13 หลัก", "Enter the 13-digit citizen ID.")
    if not (cid.isascii() and cid.isdigit()):
        raise Refusal(
            "cid.not_digits",
            f"เลขประจำตัวประชาชน «{text}» ต้องเป็นตัวเลขเท่านั้น",
            "The citizen ID must contain digits only.",
        )
    if len(cid) != 13:
        raise Refusal(
            "cid.length",
            f"เลขประจำตัวประชาชนต้องมี 13 หลัก แต่กรอกมา {len(cid)} หลัก",
            f"The citizen ID needs 13 digits; {len(cid)} were given.",
        )
    if not is_valid(cid):
        raise Refusal(
            "cid.checksum",
            f"เลขประจำตัวประชาชน {format_cid(cid)} ไม่ถูกต้อง (หลักสุดท้ายไม่ตรงกับเลขตรวจสอบ) "
            "กรุณาตรวจสอบกับบัตรอีกครั้ง",
            "The citizen ID's check digit does not match; check it against the card.",
        )
    return cid


def format_cid(cid: str) -> str:
    """``1-2345-67890-12-1``, the grouping printed on the card."""
    if len(cid) != 13:
        return cid
    return f"{cid[0]}-{cid[1:5]}-{cid[5:10]}-{cid[10:12]}-{cid[12]}"


def complete(first12: str) -> str:
    """Append the check digit (used to make demo and test IDs)."""
    return first12 + str(check_digit(first12))
