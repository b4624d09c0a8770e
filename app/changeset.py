"""Change sets (ชุดการเปลี่ยนแปลง): one human action, reviewed as a whole.

A change set holds operations on records, each against the record's server revision, and moves
through the review states of DESIGN.md::

    draft ─submit─► pending ─approve─► approved ─apply─► applied
                      │  ▲                 │
                  return │ resubmit          └─conflict/invalid─► returned
                      ▼  │
                    returned ─cancel─► cancelled

(A pending change set the central register's rules refuse on arrival goes straight back to returned.)

Only the unit's registrar approves, and never a change set they wrote themselves.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .domain import Officer, Role
from .errors import Refusal


class ReviewState(str, Enum):
    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    APPLIED = "applied"
    RETURNED = "returned"
    CANCELLED = "cancelled"

    @property
    def th(self) -> str:
        return {
            "draft": "ร่าง", "pending": "รอนายทะเบียนตรวจสอบ", "approved": "อนุมัติแล้ว (รอส่งเข้าทะเบียนกลาง)",
            "applied": "บันทึกเข้าทะเบียนกลางแล้ว", "returned": "ส่งกลับให้แก้ไข", "cancelled": "ยกเลิกแล้ว",
        }[self.value]


class Op(str, Enum):
    CREATE = "create"
    UPDATE = "update"


@dataclass
class Operation:
    """One change to one record: ``fields`` are the new values of the fields it sets."""

    op: Op
    record_type: str
    record_id: str
    fields: dict[str, Any]
    base_rev: int | None = None  # the server revision the officer saw; None for a new record


@dataclass(frozen=True)
class Claim:
    """"Make ``dependent_cid`` entitled as ``relation`` through ``beneficiary_cid``" — checked by the rules."""

    beneficiary_cid: str
    dependent_cid: str
    relation: str  # a :class:`app.rules.entitlement.Relation` value


@dataclass
class Transition:
    state: ReviewState
    at: _dt.datetime
    by_cid: str
    reason: str = ""


# (from, action) -> to
_MOVES: dict[tuple[ReviewState, str], ReviewState] = {
    (ReviewState.DRAFT, "submit"): ReviewState.PENDING,
    (ReviewState.DRAFT, "cancel"): ReviewState.CANCELLED,
    (ReviewState.PENDING, "approve"): ReviewState.APPROVED,
    (ReviewState.PENDING, "return"): ReviewState.RETURNED,
    (ReviewState.RETURNED, "resubmit"): ReviewState.PENDING,
    (ReviewState.RETURNED, "cancel"): ReviewState.CANCELLED,
    (ReviewState.APPROVED, "apply"): ReviewState.APPLIED,
    (ReviewState.APPROVED, "reject"): ReviewState.RETURNED,
    (ReviewState.PENDING, "reject"): ReviewState.RETURNED,  # the central register's rules refuse it on arrival
}

_ACTION_TH = {
    "submit": "ส่งให้นายทะเบียนตรวจสอบ", "cancel": "ยกเลิก", "approve": "อนุมัติ", "return": "ส่งกลับ",
    "resubmit": "ส่งตรวจสอบอีกครั้ง", "apply": "บันทึกเข้าทะเบียนกลาง", "reject": "ปฏิเสธ",
}


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


@dataclass
class ChangeSet:
    unit_code: str
    author_cid: str
    title: str                       # the human action, in Thai: "บรรจุใหม่ นายสมชาย ใจดี พร้อมคู่สมรสและบุตร 2 คน"
    kind: str                        # the event: hire, marriage, birth, …
    operations: list[Operation] = field(default_factory=list)
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    state: ReviewState = ReviewState.DRAFT
    effective_on: _dt.date | None = None
    created_at: _dt.datetime = field(default_factory=_now)
    history: list[Transition] = field(default_factory=list)
    return_reason: str = ""
    evidence: list[str] = field(default_factory=list)  # SHA-256 of attached scans
    # What each attached document is, in Thai ("ทะเบียนสมรส"), so the registrar knows what they are looking at.
    evidence_labels: dict[str, str] = field(default_factory=dict)
    # The dependents this change set means to make entitled, checked on ``effective_on``.
    claims: list[Claim] = field(default_factory=list)
    # A transfer-in (รับโอน) names the unit the person comes from: the central register checks that the
    # person is that unit's, and leaves that unit's own records (the service it ends) to that unit.
    from_unit: str = ""

    def labelled_evidence(self) -> list[tuple[str, str]]:
        """(SHA-256, what it is) of each attached document; one sent without a label is "เอกสารแนบ N"."""
        return [(sha, self.evidence_labels.get(sha) or f"เอกสารแนบ {n}") for n, sha in enumerate(self.evidence, 1)]

    def _move(self, action: str, by_cid: str, reason: str = "", at: _dt.datetime | None = None) -> None:
        target = _MOVES.get((self.state, action))
        if target is None:
            raise Refusal(
                "changeset.bad_transition",
                f"ชุดการเปลี่ยนแปลงที่อยู่ในสถานะ «{self.state.th}» ทำรายการ «{_ACTION_TH[action]}» ไม่ได้",
                f"A change set in state {self.state.value} cannot be {action}ed.",
            )
        self.state = target
        self.history.append(Transition(target, at or _now(), by_cid, reason))

    def submit(self, by: Officer) -> None:
        self._require_author_side(by)
        if not self.operations:
            raise Refusal("changeset.empty", "ชุดการเปลี่ยนแปลงนี้ยังไม่มีรายการ จึงส่งตรวจสอบไม่ได้",
                          "The change set has no operations.")
        self._move("resubmit" if self.state is ReviewState.RETURNED else "submit", by.cid)

    def cancel(self, by: Officer) -> None:
        self._require_author_side(by)
        self._move("cancel", by.cid)

    def approve(self, by: Officer, at: _dt.datetime | None = None) -> None:
        self._require_registrar(by)
        self._move("approve", by.cid, at=at)

    def return_(self, by: Officer, reason: str) -> None:
        self._require_registrar(by)
        if not reason.strip():
            raise Refusal("changeset.reason_missing", "กรุณาระบุเหตุผลที่ส่งกลับ เพื่อให้เจ้าหน้าที่ทะเบียนแก้ไขได้",
                          "Give a reason for returning the change set.")
        self._move("return", by.cid, reason)
        self.return_reason = reason

    def applied(self, by_cid: str = "central") -> None:
        self._move("apply", by_cid)

    def rejected(self, reason: str, by_cid: str = "central") -> None:
        """The central register could not apply it (conflict or invalid): it goes back to its author."""
        self._move("reject", by_cid, reason)
        self.return_reason = reason

    def _require_author_side(self, by: Officer) -> None:
        require_author(by, self.unit_code, self.author_cid)

    def _require_registrar(self, by: Officer) -> None:
        if by.role is not Role.REGISTRAR:
            raise Refusal("changeset.not_registrar", "เฉพาะนายทะเบียนของหน่วยงานเท่านั้นที่อนุมัติหรือส่งกลับได้",
                          "Only the unit's registrar may approve or return a change set.")
        if by.unit_code != self.unit_code:
            raise Refusal("changeset.other_unit_registrar",
                          "นายทะเบียนอนุมัติได้เฉพาะชุดการเปลี่ยนแปลงของหน่วยงานตนเอง",
                          "A registrar approves only their own unit's change sets.")
        if by.cid == self.author_cid:
            raise Refusal("changeset.own_approval",
                          "ผู้บันทึกอนุมัติชุดการเปลี่ยนแปลงของตนเองไม่ได้ ต้องให้ผู้อื่นเป็นผู้ตรวจสอบ",
                          "The author cannot approve their own change set.")


def require_author(by: Officer, unit_code: str, author_cid: str) -> None:
    """Who may submit, resubmit or cancel a change set: its author, a registry officer of its unit. The one
    rule for that step — the desk's use cases and the central server both run it (through :meth:`ChangeSet.submit`
    and :meth:`ChangeSet.cancel`, or directly on what a client sent)."""
    if by.role is not Role.REGISTRY_OFFICER:
        raise Refusal("changeset.not_registry", "เฉพาะเจ้าหน้าที่ทะเบียนเท่านั้นที่ส่งชุดการเปลี่ยนแปลงได้",
                      "Only registry officers submit or cancel change sets.")
    if by.unit_code != unit_code:
        raise Refusal("changeset.other_unit", "ส่งได้เฉพาะชุดการเปลี่ยนแปลงของหน่วยงานตนเอง",
                      "This change set belongs to another unit.")
    if by.cid != author_cid:
        raise Refusal("changeset.not_author", "ส่งได้เฉพาะชุดการเปลี่ยนแปลงที่ท่านบันทึกเอง "
                      "ชุดนี้เป็นของเจ้าหน้าที่ผู้บันทึก ให้ผู้บันทึกเข้าสู่ระบบแล้วส่งเอง",
                      "Only its author may send or cancel a change set.")


# --- serialisation (the store and the wire format both use it) ------------------------------------

def to_json(cs: ChangeSet) -> dict[str, Any]:
    return {
        "id": cs.id, "unit_code": cs.unit_code, "author_cid": cs.author_cid, "title": cs.title,
        "kind": cs.kind, "state": cs.state.value,
        "effective_on": cs.effective_on.isoformat() if cs.effective_on else None,
        "created_at": cs.created_at.isoformat(), "return_reason": cs.return_reason,
        "evidence": list(cs.evidence),
        **({"evidence_labels": dict(cs.evidence_labels)} if cs.evidence_labels else {}),
        **({"from_unit": cs.from_unit} if cs.from_unit else {}),
        "claims": [{"beneficiary_cid": c.beneficiary_cid, "dependent_cid": c.dependent_cid,
                    "relation": c.relation} for c in cs.claims],
        "operations": [{"op": o.op.value, "record_type": o.record_type, "record_id": o.record_id,
                        "fields": o.fields, "base_rev": o.base_rev} for o in cs.operations],
        "history": [{"state": t.state.value, "at": t.at.isoformat(), "by_cid": t.by_cid, "reason": t.reason}
                    for t in cs.history],
    }


def from_json(data: dict[str, Any]) -> ChangeSet:
    return ChangeSet(
        id=data["id"], unit_code=data["unit_code"], author_cid=data["author_cid"], title=data["title"],
        kind=data["kind"], state=ReviewState(data["state"]),
        effective_on=_dt.date.fromisoformat(data["effective_on"]) if data.get("effective_on") else None,
        created_at=_dt.datetime.fromisoformat(data["created_at"]), return_reason=data.get("return_reason", ""),
        evidence=list(data.get("evidence", [])),
        evidence_labels=dict(data.get("evidence_labels") or {}),
        claims=[Claim(**c) for c in data.get("claims", [])],
        from_unit=data.get("from_unit") or "",
        operations=[Operation(Op(o["op"]), o["record_type"], o["record_id"], o["fields"], o.get("base_rev"))
                    for o in data.get("operations", [])],
        history=[Transition(ReviewState(t["state"]), _dt.datetime.fromisoformat(t["at"]), t["by_cid"],
                            t.get("reason", "")) for t in data.get("history", [])],
    )


def canonical_digest(cs: ChangeSet) -> bytes:
    """SHA-256 over what a registrar approves: the unit, author, action and every operation with its
    base revision — not the review state or history, which change as the change set travels. The same
    bytes on every PC and on the server, so an approval signed offline verifies later."""
    body = to_json(cs)
    signed = {k: body[k] for k in ("id", "unit_code", "author_cid", "title", "kind", "effective_on", "evidence",
                                   "claims", "operations")}
    if cs.evidence_labels:  # signed too, but only when present: approvals signed before labels existed still verify
        signed["evidence_labels"] = body["evidence_labels"]
    if cs.from_unit:
        signed["from_unit"] = cs.from_unit
    text = json.dumps(signed, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).digest()
