"""The certificates of entitlement (หนังสือรับรองสิทธิ) the unit issued, as this working copy holds them.

Numbering (decided here, used by :mod:`app.usecases.certificates`): a number is ``<PC>-<running>/<year>``, e.g.
``4821-7/2569`` (printed in Thai digits on the letter: ๔๘๒๑-๗/๒๕๖๙):

* ``<PC>`` is this PC's four-digit number, derived once from its signing key (:class:`app.store.device.
  DeviceSigner`, made on the PC, never shared) and kept in ``meta``: every PC of a unit numbers on its own,
  offline, without asking anyone. Two PCs of one unit could draw the same four digits (about 1 in 1,000 for
  five PCs); a PC that sees another PC's certificate under its own prefix (they come with the unit's feed)
  draws the next one — the ``device`` column tells whose a prefix is.
* ``<running>`` counts from 1 within (PC, Buddhist year of issue): a new year starts again at 1, as a
  saraban's book of numbers does.
* ``<year>`` is the Buddhist year of the issue date.

``(prefix, year, seq)`` and the number itself are unique in the table, so the same number can never be stored
twice even if two issues raced (they cannot: one database worker).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
from dataclasses import asdict, dataclass

from ..rules.entitlement import Relation
from ..thai import be_year
from . import meta

Date = _dt.date
PREFIX_KEY = "certificate_prefix"


@dataclass(frozen=True)
class Certificate:
    """One issued certificate, as printed."""

    number: str
    unit_code: str
    cid: str                 # the person certified
    name: str
    relation: Relation       # SELF: the beneficiary themself
    via_cid: str             # the beneficiary
    via_name: str
    position: str            # the beneficiary's position on the admission date
    unit_name: str           # the beneficiary's unit, as printed
    admitted_on: Date
    hospital: str
    issued_at: _dt.datetime  # UTC
    issued_on: Date          # the date printed on the letter
    issued_by_cid: str
    issued_by_name: str
    secondary: bool = False  # social security pays first on that day; the fund pays the rest
    pdf_sha256: str = ""
    device: str = ""

    @property
    def prefix(self) -> str:
        return self.number.split("-", 1)[0]

    @property
    def seq(self) -> int:
        return int(self.number.split("-", 1)[1].split("/", 1)[0])

    @property
    def year(self) -> int:
        return int(self.number.rsplit("/", 1)[1])

    def to_json(self) -> dict:
        out = asdict(self)
        out["relation"] = self.relation.value
        for k in ("admitted_on", "issued_at", "issued_on"):
            out[k] = getattr(self, k).isoformat()
        return out

    @classmethod
    def from_json(cls, data: dict) -> Certificate:
        d = dict(data)
        d["relation"] = Relation(d["relation"])
        d["admitted_on"] = Date.fromisoformat(d["admitted_on"])
        d["issued_on"] = Date.fromisoformat(d["issued_on"])
        d["issued_at"] = _dt.datetime.fromisoformat(d["issued_at"])
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})


def fingerprint(public_key_b64: str) -> str:
    """A PC's name in the table: the first 16 hex digits of its public key's SHA-256 (names no one)."""
    return hashlib.sha256(public_key_b64.encode()).hexdigest()[:16]


def _candidate(device: str, attempt: int) -> str:
    n = int(hashlib.sha256(f"{device}:{attempt}".encode()).hexdigest(), 16)
    return str(1000 + n % 9000)


def _insert(conn, verb: str, c: Certificate) -> None:
    conn.execute(
        f"{verb} INTO certificates (number, unit_code, prefix, year, seq, device, cid, relation, via_cid, "
        "admitted_on, issued_at, issued_on, pdf_sha256, data) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (c.number, c.unit_code, c.prefix, c.year, c.seq, c.device, c.cid, c.relation.value, c.via_cid,
         c.admitted_on.isoformat(), c.issued_at.isoformat(), c.issued_on.isoformat(), c.pdf_sha256,
         json.dumps(c.to_json(), ensure_ascii=False)))


class CertificateStore:
    def __init__(self, wc) -> None:
        self.wc = wc

    # --- numbering ----------------------------------------------------------------------------------------

    def prefix_of(self, device: str) -> str:
        """This PC's number: the one kept, unless the feed showed another PC using it; else the first free draw."""
        conn = self.wc.conn
        kept = meta.get(conn, PREFIX_KEY)
        taken = {p for (p,) in conn.execute(
            "SELECT DISTINCT prefix FROM certificates WHERE device != ?", (device,))}
        if kept and kept not in taken:
            return kept
        attempt = 0
        while _candidate(device, attempt) in taken:
            attempt += 1
        return _candidate(device, attempt)

    def next_number(self, device: str, issued_on: Date) -> str:
        prefix, year = self.prefix_of(device), be_year(issued_on)
        (last,) = self.wc.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM certificates WHERE prefix = ? AND year = ?",
                                       (prefix, year)).fetchone()
        return f"{prefix}-{last + 1}/{year}"

    # --- keeping --------------------------------------------------------------------------------------------

    def keep_in(self, conn, c: Certificate, *, own: bool = False) -> None:
        """Store ``c`` inside the caller's transaction; the number must be new (a duplicate is an IntegrityError).
        ``own``: issued on this PC, whose number (prefix) is kept from now on."""
        if own:
            meta.put_in(conn, PREFIX_KEY, c.prefix)
        _insert(conn, "INSERT", c)

    def received_in(self, conn, c: Certificate) -> None:
        """A certificate the unit's feed brought (another PC's, or this PC's own coming back): kept once."""
        _insert(conn, "INSERT OR IGNORE", c)

    # --- reading --------------------------------------------------------------------------------------------

    def get(self, number: str) -> Certificate | None:
        row = self.wc.conn.execute("SELECT data FROM certificates WHERE number = ?", (number,)).fetchone()
        return Certificate.from_json(json.loads(row[0])) if row else None

    def issued(self, unit_code: str, start: Date, end: Date) -> list[Certificate]:
        """Issued from ``start`` to ``end`` (both included), in the order they were issued."""
        rows = self.wc.conn.execute(
            "SELECT data FROM certificates WHERE unit_code = ? AND issued_on >= ? AND issued_on <= ? "
            "ORDER BY issued_at, number", (unit_code, start.isoformat(), end.isoformat()))
        return [Certificate.from_json(json.loads(d)) for (d,) in rows]

    def of_person(self, cid: str) -> list[Certificate]:
        rows = self.wc.conn.execute("SELECT data FROM certificates WHERE cid = ? ORDER BY issued_at", (cid,))
        return [Certificate.from_json(json.loads(d)) for (d,) in rows]
