"""The wire format between the desktop and the central server (pydantic). Both sides import it.

Every request body and every answer is a model here (the server's OpenAPI is made from them, and the client
reads its answers with them); the closed sets of names — the kinds of feed item, the outcomes of a push or an
approval, roles, review states, calendar phases — are enums. Inputs (``_In``) refuse unknown keys. Every error
body is :class:`Problem`: a stable ``code`` the client can act on and a Thai message for the officer. Change
sets travel as :func:`app.changeset.to_json` dictionaries (in: :class:`ChangeSetIn`, out: :class:`ChangeSetOut`).
Times in answers are the ISO 8601 text the server wrote (``…+00:00``), kept as text so they reach the PC as sent.
"""
from __future__ import annotations

import datetime as _dt
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.changeset import ReviewState
from app.domain import Role

API = "/v1"

# Characters no officer types and that only ever serve to break or disguise something: NUL (PostgreSQL
# refuses it), the halves of a surrogate pair on their own (no encoder accepts them) and the bidi
# overrides and isolates (they make a name read differently from what is stored).
_FORBIDDEN = frozenset("\x00\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_text(value: str) -> str:
    """``value`` unchanged when it holds none of the forbidden characters; ValueError otherwise."""
    for ch in value:
        if ch in _FORBIDDEN or "\ud800" <= ch <= "\udfff":
            raise ValueError("the text holds a character that is not allowed (NUL, a lone surrogate or a bidi "
                             "override)")
    return value


def Text(max_length: int, min_length: int = 0):  # noqa: N802 — reads as a type
    """A string checked at the edge: its length and no forbidden characters."""
    return Annotated[str, StringConstraints(max_length=max_length, min_length=min_length), AfterValidator(clean_text)]


Id = Text(36, 1)                     # change-set, device and statement ids (uuid4 text)
RecordId = Text(64, 1)
Cid = Annotated[str, StringConstraints(pattern=r"^[0-9]{13}$")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
UnitCode = Text(32, 1)
Scalar = Annotated[str, StringConstraints(max_length=2000), AfterValidator(clean_text)] | bool | int | float | None


class _In(BaseModel):
    """A request body: unknown keys are refused, so a typo or a forged extra never passes silently."""
    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    code: str
    message_th: str
    message_en: str = ""
    details: dict[str, Any] = Field(default_factory=dict)


class LoginRequest(_In):
    username: Text(254)
    password: Text(256)
    card_cid: Text(32) = Field(description="the citizen ID read from the officer's own card")


class Tokens(BaseModel):
    access_token: str
    refresh_token: str
    expires_in: int
    must_change_password: bool = False
    account: "AccountInfo"


STAFF_ROLE = "nhso"  # NHSO's own staff on the central server: never a unit's officer, never in app.domain.Role


class AccountInfo(BaseModel):
    username: str
    cid: str
    name: str
    role: Role | Literal["nhso"]
    unit_code: str
    unit_name: str = ""


class RefreshRequest(_In):
    refresh_token: Text(256)


class PasswordChange(_In):
    old_password: Text(256)
    new_password: Text(256)


class DeviceEnrol(_In):
    public_key: Text(64) = Field(description="Ed25519 public key, 32 bytes, base64")
    label: Text(200) = ""


class DeviceInfo(BaseModel):
    device_id: str


RecordType = Literal["person", "employment", "marriage", "parentage", "coverage", "court_order", "unit"]
Relation = Literal["spouse", "child", "father", "mother"]  # of a dependent to the beneficiary, in a claim


class OperationIn(_In):
    """One change to one record (app.changeset.Operation): the new values of the fields it sets."""
    op: Literal["create", "update"]
    record_type: RecordType
    record_id: RecordId
    fields: dict[Text(64, 1), Scalar] = Field(max_length=64)
    base_rev: int | None = Field(default=None, ge=1, le=2**31 - 1)


class ClaimIn(_In):
    beneficiary_cid: Cid
    dependent_cid: Cid
    relation: Relation


class TransitionIn(_In):
    state: ReviewState
    at: _dt.datetime
    by_cid: Text(16)
    reason: Text(2000) = ""


class ChangeSetIn(_In):
    """A change set as app.changeset.to_json writes it."""
    id: Id
    unit_code: UnitCode
    author_cid: Cid
    title: Text(500, 1)
    kind: Text(32, 1)
    state: ReviewState
    effective_on: _dt.date | None = None
    created_at: _dt.datetime
    return_reason: Text(2000) = ""
    evidence: list[Sha256] = Field(default_factory=list, max_length=50)
    evidence_labels: dict[Sha256, Text(200)] = Field(default_factory=dict, max_length=50)
    claims: list[ClaimIn] = Field(default_factory=list, max_length=20)
    operations: list[OperationIn] = Field(min_length=1, max_length=200)
    history: list[TransitionIn] = Field(default_factory=list, max_length=100)
    from_unit: Text(32) = ""

    def as_json(self) -> dict[str, Any]:
        """The dictionary app.changeset.from_json reads."""
        return self.model_dump(mode="json")


class PushRequest(_In):
    changesets: list[ChangeSetIn] = Field(max_length=20)


class PushStatus(str, Enum):
    ACCEPTED = "accepted"   # in the unit's staging area
    REFUSED = "refused"     # see code / message


class PushResult(BaseModel):
    id: str
    status: PushStatus
    code: str = ""
    message_th: str = ""
    state: ReviewState | Literal[""] = ""  # the change set's state on the server once accepted; "" when refused


class PushResponse(BaseModel):
    results: list[PushResult]


class Approval(_In):
    changeset_id: Id
    device_id: Id
    approved_at: _dt.datetime
    signature: Text(128) = Field(description="base64 Ed25519 signature over app.changeset.canonical_digest")


class ReturnRequest(_In):
    reason: Text(2000)


class LicenceRequest(_In):
    installation_id: Text(64, 1)
    client_version: Text(32, 1)


class ApprovalStatus(str, Enum):
    APPLIED = "applied"
    CONFLICT = "conflict"
    INVALID = "invalid"
    REFUSED = "refused"


class ApprovalResult(BaseModel):
    changeset_id: str
    status: ApprovalStatus
    code: str = ""
    reasons_th: list[str] = Field(default_factory=list)
    current: list[dict[str, Any]] = Field(default_factory=list)  # the records as the server has them now


class FeedKind(str, Enum):
    """What a feed item tells the unit's PCs (the kinds the server writes into the feed)."""
    RECORD = "record"        # a record of the register at a new revision: ``data`` is the record
    CHANGESET = "changeset"  # a change set moved: ``data`` is {state, title, reason[, changeset]} (whole when pending)
    STATEMENT = "statement"  # a statement issued or confirmed: ``data`` is {id, as_of, confirmed_by}; fetch it
    CERTIFICATE = "certificate"  # a certificate of entitlement recorded: ``data`` is the certificate (CertificateIn)


class FeedItem(BaseModel):
    seq: int
    kind: FeedKind
    record_type: RecordType | Literal[""] = ""  # for a record
    key: str = ""             # the record's id, the change set's id or the statement's id
    rev: int = 0
    data: dict[str, Any] | None = None


class FeedPage(BaseModel):
    items: list[FeedItem]
    next_seq: int
    more: bool


class RecordItem(BaseModel):
    """One record of the unit's register as the server has it now."""
    record_type: RecordType
    key: str
    rev: int
    data: dict[str, Any]


class RecordsPage(BaseModel):
    """A page of the unit's whole register (a new or rebuilt working copy starts here)."""
    items: list[RecordItem]
    next: str = Field(description="where the next page starts (``type:id`` of this page's last record)")
    more: bool
    feed_seq: int = Field(description="the feed position to follow once the last page is in")


class ClaimOut(BaseModel):
    beneficiary_cid: str
    dependent_cid: str
    relation: Relation


class OperationOut(BaseModel):
    op: Literal["create", "update"]
    record_type: RecordType
    record_id: str
    fields: dict[str, Any]
    base_rev: int | None = None


class TransitionOut(BaseModel):
    state: ReviewState
    at: str
    by_cid: str
    reason: str = ""


class ApprovalSeal(BaseModel):
    """Who approved a change set, on which device, when, and the signature the server checked."""
    by_cid: str
    device_id: str
    approved_at: str
    signature: str


class ChangeSetOut(BaseModel):
    """A change set as the server keeps it (app.changeset.to_json, with the server's state and history).
    ``evidence_labels``, ``from_unit`` and ``approval`` are sent only when the change set has them."""
    id: str
    unit_code: str
    author_cid: str
    title: str
    kind: str
    state: ReviewState
    effective_on: str | None = None
    created_at: str
    return_reason: str = ""
    evidence: list[str] = Field(default_factory=list)
    evidence_labels: dict[str, str] = Field(default_factory=dict)
    from_unit: str = ""
    claims: list[ClaimOut] = Field(default_factory=list)
    operations: list[OperationOut] = Field(default_factory=list)
    history: list[TransitionOut] = Field(default_factory=list)
    approval: ApprovalSeal | None = None

    def as_json(self) -> dict[str, Any]:
        """The dictionary app.changeset.from_json reads (the keys the server sent, as it sent them)."""
        return self.model_dump(mode="json", exclude_unset=True)


class ReturnAnswer(BaseModel):
    id: str
    state: ReviewState


class StatementCounts(BaseModel):
    beneficiaries: int
    dependents: int


class StatementOut(BaseModel):
    """A statement of the unit's entitled people. ``body`` is the document the server signed, sent as signed
    (``signature`` is over app.statements.body_bytes(body)); a brief listing leaves it out."""
    id: str
    as_of: _dt.date
    counts: StatementCounts
    issued_at: str
    confirmed_by: str | None = None
    confirmed_at: str | None = None
    signature: str
    body: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        """The dictionary app.statements.Statement.from_json reads (a whole statement: with its body)."""
        return self.model_dump(mode="json", exclude_unset=True)


class StatementConfirmed(BaseModel):
    id: str
    confirmed: bool


CertificateNumber = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{3}-[1-9][0-9]{0,6}/[0-9]{4}$")]


class CertificateIn(_In):
    """A certificate of entitlement a unit's PC issued (app.store.certificates.Certificate.to_json): recorded
    on the server, which checks the right again on its own register; idempotent by number."""
    number: CertificateNumber
    unit_code: UnitCode
    cid: Cid
    name: Text(300)
    relation: Literal["self", "father", "mother", "spouse", "child"]
    via_cid: Cid
    via_name: Text(300)
    position: Text(300) = ""
    unit_name: Text(300)
    admitted_on: _dt.date
    hospital: Text(200, 1)
    issued_at: _dt.datetime
    issued_on: _dt.date
    issued_by_cid: Cid
    issued_by_name: Text(300)
    secondary: bool = False
    pdf_sha256: Annotated[str, StringConstraints(pattern=r"^([0-9a-f]{64})?$")] = ""
    device: Text(64) = ""


class CertificateRecorded(BaseModel):
    number: str
    recorded_at: str      # the server's clock, when it first recorded it


class Phase(str, Enum):
    """The registration calendar's phases (seeds 001, attachment 3)."""
    OPEN = "open"
    PROCESSING = "processing"
    CONFIRMATION = "confirmation"


class PeriodOut(BaseModel):
    name: str
    phase: Phase
    starts: _dt.date
    ends: _dt.date


class CalendarNow(BaseModel):
    phase: Phase
    phase_th: str
    periods: list[PeriodOut] = Field(description="the periods not yet over, earliest first")


class LicenceKey(BaseModel):
    ed25519: str = Field(description="the server's Ed25519 public key, 32 bytes, base64")


class Licence(BaseModel):
    """A yearly licence (sync/licence.py): the signed ``token`` and what it says."""
    token: str
    installation_id: str
    unit_code: str
    fiscal_year: int
    valid_from: _dt.date
    valid_until: _dt.date
    min_version: str
    issued: _dt.date


class Health(BaseModel):
    ok: bool
    at: str


# --- claims (issue 19 §3): the finance officer's push, NHSO's decisions, payment statements -----------------

Money = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,9}(\.[0-9]{1,2})?$")]  # baht, to the satang
ClaimStateName = Literal["draft", "ready", "submitted", "accepted", "partly_accepted", "rejected", "in_transfer",
                         "repaid", "closed", "cancelled"]


class ReceiptIn(_In):
    number: Text(64, 1)
    issued_on: _dt.date
    payer: Text(300) = ""
    amount: Money


class PageIn(_In):
    sha256: Sha256
    label: Literal["receipt", "medical_certificate", "entitlement_certificate", "other"]
    receipt: Text(64) = ""


class StepIn(_In):
    state: ClaimStateName
    at: _dt.datetime
    by: Text(254)
    reason: Text(2000) = ""
    amount: Money | None = None
    statement: Text(64) = ""
    voucher: Text(64) = ""
    paid_on: _dt.date | None = None
    method: Literal["cash", "transfer", "cheque"] | None = None


class ClaimDocIn(_In):
    """A claim as app.claims.codec.to_json writes it."""
    id: Id
    unit_code: UnitCode
    claimant_cid: Cid
    patient_cid: Cid
    relation: Literal["self", "spouse", "child", "father", "mother"]
    facility: Text(300) = ""
    facility_kind: Literal["state", "private"] = "state"
    care: Literal["opd", "ipd"] = "opd"
    first_day: _dt.date | None = None
    last_day: _dt.date | None = None
    illness: Text(2000) = ""
    paid_first: Literal["cannot_bill", "not_registered", "emergency", "other"] | None = None
    paid_first_note: Text(2000) = ""
    receipts: list[ReceiptIn] = Field(default_factory=list, max_length=50)
    other_right: Text(300) = ""
    other_paid: Money = "0.00"
    pages: list[PageIn] = Field(default_factory=list, max_length=200)
    history: list[StepIn] = Field(default_factory=list, max_length=100)

    def as_json(self) -> dict[str, Any]:
        """The dictionary app.claims.codec.from_json reads."""
        return self.model_dump(mode="json")


class ClaimPush(_In):
    """A finance officer's submission of a claim (the outbox item's payload): idempotent by the claim's id and
    the number of its submission (how many ``submitted`` steps its history holds)."""
    author_cid: Cid
    claim: ClaimDocIn


class ClaimAnswer(BaseModel):
    """The server took the claim: its state there (``submitted``: staged for NHSO) and which submission it was."""
    id: str
    state: ClaimStateName
    submission: int


class ClaimCopy(BaseModel):
    """The server's copy of a claim (app.claims.codec.to_json, the server's history), with its submission."""
    claim: dict[str, Any]
    submission: int


class DecisionIn(_In):
    """NHSO's decision on a submitted claim."""
    decision: Literal["accept", "partly", "reject"]
    amount: Money | None = None     # partly: what is accepted
    reason: Text(2000) = ""


class TransferIn(_In):
    date: _dt.date
    ref: Text(64, 1)


class CloseMonthIn(_In):
    month: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]


class ClaimNewsKind(str, Enum):
    """What the unit's claims feed (``/claims/feed``, the finance officers' own) tells their PCs."""
    CLAIM = "claim"          # a claim staged or moved by NHSO: ``data`` is a ClaimCopy (the server's copy)
    PAYMENT = "payment"      # a payment statement issued or its transfer recorded: ``data`` is a PaymentStatementOut


class ClaimNews(BaseModel):
    seq: int
    kind: ClaimNewsKind
    key: str                 # the claim's id or the payment statement's id
    data: dict[str, Any]


class ClaimNewsPage(BaseModel):
    items: list[ClaimNews]
    next_seq: int
    more: bool


class PaymentStatementOut(BaseModel):
    """A unit's payment statement for a month: ``body`` is what the server signed (``signature``, over
    app.statements.body_bytes(body)); the transfer once recorded, signed too (``transfer_signature`` over
    body_bytes of {statement, date, ref, amount})."""
    id: str
    unit_code: str
    month: str
    body: dict[str, Any]
    signature: str
    transfer: dict[str, Any] | None = None
    transfer_signature: str = ""


Tokens.model_rebuild()
