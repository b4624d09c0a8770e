"""The wire format between the desktop and the central server (pydantic). Both sides import it.

Every error body is :class:`Problem`: a stable ``code`` the client can act on and a Thai message for
the officer. Change sets travel as :func:`app.changeset.to_json` dictionaries.
"""
from __future__ import annotations

import datetime as _dt
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

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


class AccountInfo(BaseModel):
    username: str
    cid: str
    name: str
    role: str
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
ReviewStateName = Literal["draft", "pending", "approved", "applied", "returned", "cancelled"]


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
    relation: Literal["spouse", "child", "father", "mother"]


class TransitionIn(_In):
    state: ReviewStateName
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
    state: ReviewStateName
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
    state: str = ""


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


class FeedItem(BaseModel):
    seq: int
    kind: str                 # record | tombstone | changeset | calendar
    record_type: str = ""
    key: str = ""
    rev: int = 0
    data: dict[str, Any] | None = None


class FeedPage(BaseModel):
    items: list[FeedItem]
    next_seq: int
    more: bool


Tokens.model_rebuild()
