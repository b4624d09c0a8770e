"""The e-mail a unit sends to NHSO with its account request, as an .eml draft (seeds 000 §3.1).

Built with Python's :mod:`email` package and written with the SMTP policy (CRLF line ends, headers folded at
78 characters), so the file is a message any mail program can open and any SMTP server accepts:

* the subject in NHSO's format, «ขอสิทธิเข้าใช้งานระบบทะเบียนบุคลากร องค์กรปกครองส่วนท้องถิ่น <unit> <province>»,
  RFC 2047 encoded words (UTF-8, base64), each holding whole characters;
* a plain-text UTF-8 body in base64 (no 8-bit line reaches a server that does not take it);
* attachments whose Thai names are given twice: ``Content-Disposition: attachment; filename*=utf-8''…`` (RFC 2231,
  one unbroken parameter — clients handle that more reliably than RFC 2231 continuations ``filename*0*=``), and
  ``Content-Type: …; name="=?utf-8?b?…?="`` (RFC 2047 words in the old ``name`` parameter), which Outlook and
  older Windows mail programs read when they do not read RFC 2231. Thunderbird, Outlook and Windows Mail then
  all show the Thai names;
* ``X-Unsent: 1``, which makes Outlook (and Windows Mail) open the file as a draft to send. Thunderbird opens it
  as a message; its "Edit as New Message" (Ctrl+E) makes it a draft.
"""
from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import quote

from .files import write_file

# CRLF and 78-column folding for what Python folds; the attachment headers below are folded by hand and kept.
EML_POLICY = email_policy.SMTP.clone(refold_source="none")

REQUEST_SUBJECT = "ขอสิทธิเข้าใช้งานระบบทะเบียนบุคลากร องค์กรปกครองส่วนท้องถิ่น"
BEFORE_SENDING = ("[ก่อนกดส่ง: กรุณาแนบไฟล์สแกนหนังสือที่ผู้บริหารลงนามแล้วพร้อมสำเนาบัตรประจำตัวประชาชน "
                  "(รวมเป็นไฟล์ PDF ไฟล์เดียว) แทนไฟล์หนังสือที่ยังไม่ได้ลงนาม แล้วลบข้อความในวงเล็บนี้]")


@dataclass(frozen=True)
class Attachment:
    filename: str   # as the person sees it, Thai allowed
    data: bytes
    mime: str       # "application/pdf"


def request_subject(unit_name: str, province_written: str) -> str:
    """NHSO's subject line; ``province_written`` as it follows a unit's name (``จังหวัดขอนแก่น``)."""
    return " ".join(f"{REQUEST_SUBJECT} {unit_name.strip()} {province_written.strip()}".split())


def _rfc2047_words(text: str) -> str:
    """``text`` as UTF-8 base64 encoded words of at most 75 characters, each holding whole characters."""
    words, chunk = [], b""
    for ch in text:
        b = ch.encode("utf-8")
        if len(chunk) + len(b) > 45:
            words.append(chunk)
            chunk = b""
        chunk += b
    if chunk:
        words.append(chunk)
    return " ".join(f"=?utf-8?b?{base64.b64encode(w).decode('ascii')}?=" for w in words)


def draft(*, subject: str, body: str, sender: tuple[str, str], to: tuple[str, str],
          attachments: list[Attachment], when: dt.datetime | None = None) -> EmailMessage:
    """A message ready to be opened as a draft: ``sender`` and ``to`` are (display name, address)."""
    msg = EmailMessage(policy=EML_POLICY)
    msg["From"] = Address(sender[0], addr_spec=sender[1])
    msg["To"] = Address(to[0], addr_spec=to[1])
    msg["Subject"] = subject
    msg["Date"] = format_datetime((when or dt.datetime.now(dt.timezone.utc)).astimezone())
    msg["Message-ID"] = make_msgid(domain=sender[1].rpartition("@")[2] or None)
    msg["X-Unsent"] = "1"
    msg.set_content(body.replace("\r\n", "\n"), charset="utf-8", cte="base64")
    for a in attachments:
        maintype, _, subtype = a.mime.partition("/")
        msg.add_attachment(a.data, maintype=maintype, subtype=subtype)
        part = msg.get_payload()[-1]
        del part["Content-Type"]
        del part["Content-Disposition"]
        part.set_raw("Content-Type", f'{a.mime};\r\n name="{_rfc2047_words(a.filename)}"')
        part.set_raw("Content-Disposition", f"attachment;\r\n filename*=utf-8''{quote(a.filename, safe='')}")
    return msg


def eml_bytes(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=EML_POLICY)


def write_eml(path: Path, msg: EmailMessage) -> None:
    """Write the .eml atomically (a Thai :class:`~app.errors.Refusal` when the folder cannot be written)."""
    write_file(Path(path), eml_bytes(msg))
