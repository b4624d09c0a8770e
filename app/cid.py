"""The 13-digit Thai citizen ID (เลขประจำตัวประชาชน): checksum, normalising, display.

The rule (DOPA's, stated in ../shared/DESIGN.md with a worked example): the first twelve digits d₁…d₁₂ are
weighted 13, 12, …, 2, ``S = d₁×13 + d₂×12 + … + d₁₂×2``, and the thirteenth is ``(11 − S mod 11) mod 10``.
3100600445635 is valid: S = 193, 193 mod 11 = 6, 11 − 6 = 5.

The first digit says what kind of person the number was given to, and decides what we accept:

* **1–8: accepted** (checksum required). The eight classes of the civil register: Thai nationals born and
  registered from 1984 on (1) or registered late (2), people in house registers before 31 May 1984 (3), moved
  in before having a number (4), added after being missed (5), foreigners staying temporarily and people
  without Thai nationality (6), their children born in Thailand (7), foreigners resident or naturalised after
  1984 (8). python-stdnum's ``stdnum.th.pin`` accepts the same classes and is the test oracle for them.
* **0: refused** (``cid.first_digit``). DOPA gives 0-numbers (``0-xxxx-…``) to people *without* registration
  status (the ทร.38ก register); they hold no บัตรประจำตัวประชาชน, and none of the fund's beneficiaries
  (local-government staff, who are Thai, and their registered families) is expected to have one. A leading
  0 typed here is far more often a slip (a spreadsheet's padding, a number typed from the wrong card), so the
  officer is told exactly that and asked to check the card. python-stdnum refuses 0 too, so no independent
  implementation confirms check digits for that class. If NHSO ever registers such a person, this is the
  one place to change (:data:`REFUSED_FIRST_DIGITS`).
* **9: accepted — the training class** (checksum required). DOPA reserves 9-numbers for people exempt from
  the civil-registration number (the Queen and royal family of the rank of พระองค์เจ้า and above; Civil
  Registration Act B.E. 2534 s. 16 and Ministerial Regulation No. 4, B.E. 2535): nobody in a local-government
  register holds one. The training unit's made-up people use 9 (app.training), so a demo person can never be
  a real person's number and is plain to see on a screen or in a log. The number still has to carry a correct
  check digit: training data goes through the same code as real data. python-stdnum refuses 9 (it checks
  only 1–8), so our own vectors test this class.
"""
from __future__ import annotations

from .errors import Refusal
from .thai import arabic_digits

WEIGHTS = tuple(range(13, 1, -1))   # 13, 12, …, 2 for d₁ … d₁₂
REFUSED_FIRST_DIGITS = frozenset("0")
TRAINING_FIRST_DIGIT = "9"


def check_digit(first12: str) -> int:
    """``(11 − S mod 11) mod 10`` with ``S = d₁×13 + d₂×12 + … + d₁₂×2`` (twelve ASCII digits)."""
    if len(first12) != 12 or not (first12.isascii() and first12.isdigit()):
        raise ValueError("check_digit takes the first twelve digits of a citizen ID")
    total = sum(int(d) * w for d, w in zip(first12, WEIGHTS))
    return (11 - total % 11) % 10


def normalise(text: str) -> str:
    """Strip spaces and dashes and turn Thai digits into Arabic ones (``1-2345-67890-12-1``)."""
    return "".join(ch for ch in arabic_digits(text) if ch not in " -\u00a0\t")


def is_valid(cid: str) -> bool:
    """13 ASCII digits, a first digit we accept (1–9, see the module's notes) and the right check digit."""
    return (len(cid) == 13 and cid.isascii() and cid.isdigit() and cid[0] not in REFUSED_FIRST_DIGITS
            and int(cid[12]) == check_digit(cid[:12]))


def is_training(cid: str) -> bool:
    """A made-up person of the training unit (the reserved first digit 9)."""
    return cid.startswith(TRAINING_FIRST_DIGIT)


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
    if cid[0] in REFUSED_FIRST_DIGITS:
        raise Refusal(
            "cid.first_digit",
            f"เลขประจำตัวประชาชน {format_cid(cid)} ขึ้นต้นด้วย {cid[0]} ซึ่งไม่ใช่เลขบนบัตรประจำตัวประชาชน "
            "(เลขที่ขึ้นต้นด้วย 0 เป็นเลขของบุคคลที่ไม่มีสถานะทางทะเบียนราษฎร) ระบบนี้รับเลขที่ขึ้นต้นด้วย 1 ถึง 8 "
            "กรุณาตรวจสอบกับบัตรประจำตัวประชาชนหรือทะเบียนบ้านอีกครั้ง "
            "หากบุคคลนี้มีสิทธิจริงและมีเฉพาะเลขที่ขึ้นต้นด้วย 0 กรุณาติดต่อ สปสช.",
            f"A citizen ID cannot start with {cid[0]} (0-numbers belong to people without registration status and "
            "are not on a Thai ID card); check the number against the card or the house register.",
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
