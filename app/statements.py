"""The unit's statement (บัญชีรายชื่อผู้มีสิทธิ) in a confirmation round: who NHSO counts as entitled through the
unit on a date, signed by the central server; what changed since the previous statement; and whether the
signature holds — all readable offline on the registrar's laptop.

The body's bytes are the same canonical JSON on the server (which signs them) and here (which checks them).
"""
from __future__ import annotations

import base64
import datetime as _dt
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .cid import format_cid
from .domain import tables
from .rules.entitlement import Relation


def body_bytes(body: dict) -> bytes:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


@dataclass
class Statement:
    id: str
    as_of: _dt.date
    body: dict[str, Any]
    signature: str
    confirmed_by: str | None = None
    confirmed_at: str | None = None
    confirm_queued: bool = False      # confirmed on this PC, not yet told to the server

    @property
    def people(self) -> list[dict[str, Any]]:
        return list(self.body.get("people", []))

    @property
    def counts(self) -> dict[str, int]:
        return dict(self.body.get("counts", {}))

    @property
    def state_th(self) -> str:
        if self.confirmed_by:
            return "ยืนยันแล้ว"
        return "ยืนยันแล้ว รอส่งเมื่อซิงก์" if self.confirm_queued else "รอนายทะเบียนยืนยัน"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "as_of": self.as_of.isoformat(), "body": self.body, "signature": self.signature,
                "confirmed_by": self.confirmed_by, "confirmed_at": self.confirmed_at,
                "confirm_queued": self.confirm_queued}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Statement:
        return cls(data["id"], _dt.date.fromisoformat(data["as_of"]), data["body"], data["signature"],
                   data.get("confirmed_by"), data.get("confirmed_at"), bool(data.get("confirm_queued")))


def verify(st: Statement, public_key: bytes) -> bool:
    """Was this statement, exactly as shown, signed by the central server?"""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(base64.b64decode(st.signature), body_bytes(st.body))
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Difference:
    change: str          # added | removed | changed
    cid: str
    name: str
    relation_th: str
    via_cid: str
    detail_th: str

    @property
    def change_th(self) -> str:
        return {"added": "เพิ่ม", "removed": "ออก", "changed": "เปลี่ยน"}[self.change]


def _key(line: dict) -> tuple[str, str, str]:
    return line["cid"], line["relation"], line.get("via_cid") or ""


def relation_th(line: dict) -> str:
    return Relation(line["relation"]).th


def type_th(line: dict) -> str:
    code = line.get("personnel_type") or ""
    t = tables().personnel_types.get(code)
    return t.th if t else code


def _describe(line: dict, names: dict[str, str]) -> str:
    if line["relation"] == "self":
        return type_th(line) + (" (สิทธิรอง)" if line.get("secondary") else "")
    via = line.get("via_cid") or ""
    return f"{relation_th(line)}ของ {names.get(via) or format_cid(via)}"


def differences(previous: Statement | None, current: Statement) -> list[Difference]:
    """Who came onto the statement, who left it, and whose line changed, since ``previous``."""
    if previous is None:
        return []
    before = {_key(x): x for x in previous.people}
    after = {_key(x): x for x in current.people}
    names = {x["cid"]: x["name"] for x in [*previous.people, *current.people]}
    out = []
    for key in sorted(after.keys() - before.keys()):
        x = after[key]
        out.append(Difference("added", x["cid"], x["name"], relation_th(x), key[2], _describe(x, names)))
    for key in sorted(before.keys() - after.keys()):
        x = before[key]
        out.append(Difference("removed", x["cid"], x["name"], relation_th(x), key[2], _describe(x, names)))
    for key in sorted(before.keys() & after.keys()):
        old, new = before[key], after[key]
        if (old.get("personnel_type"), old.get("secondary")) != (new.get("personnel_type"), new.get("secondary")):
            out.append(Difference("changed", new["cid"], new["name"], relation_th(new), key[2],
                                  f"{_describe(old, names)} → {_describe(new, names)}"))
    return out


def counts_th(previous: Statement | None, current: Statement) -> str:
    """"ผู้มีสิทธิ 120 คน (+2) · ผู้มีสิทธิร่วม 165 คน (−1)" — the change against the previous statement."""
    def part(label: str, key: str) -> str:
        n = current.counts.get(key, 0)
        if previous is None:
            return f"{label} {n:,} คน"
        delta = n - previous.counts.get(key, 0)
        sign = "ไม่เปลี่ยน" if delta == 0 else (f"+{delta:,}" if delta > 0 else f"−{-delta:,}")
        return f"{label} {n:,} คน ({sign})"
    return " · ".join((part("ผู้มีสิทธิ", "beneficiaries"), part("ผู้มีสิทธิร่วม", "dependents")))


def previous_of(statements: list[Statement], current: Statement) -> Statement | None:
    """The statement just before ``current`` by date (the last round's)."""
    earlier = [s for s in statements if s.as_of < current.as_of]
    return max(earlier, key=lambda s: s.as_of) if earlier else None
