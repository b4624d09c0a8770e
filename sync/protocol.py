"""The wire format between the desktop and the central server (pydantic). Both sides import it.

Every error body is :class:`Problem`: a stable ``code`` the client can act on and a Thai message for
the officer. Change sets travel as :func:`app.changeset.to_json` dictionaries.
"""
from __future__ import annotations

import datetime as _dt
from enum import Enum
from typing import Any

from pydantic import BaseModel, Field

API = "/v1"


class Problem(BaseModel):
    code: str
    message_th: str
    message_en: str = ""
    details: dict[str, Any] = Field(default_factory=dict)


class LoginRequest(BaseModel):
    username: str
    password: str
    card_cid: str = Field(description="the citizen ID read from the officer's own card")


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


class RefreshRequest(BaseModel):
    refresh_token: str


class PasswordChange(BaseModel):
    old_password: str
    new_password: str


class DeviceEnrol(BaseModel):
    public_key: str = Field(description="Ed25519 public key, 32 bytes, base64")
    label: str = ""


class DeviceInfo(BaseModel):
    device_id: str


class PushRequest(BaseModel):
    changesets: list[dict[str, Any]]


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


class Approval(BaseModel):
    changeset_id: str
    device_id: str
    approved_at: _dt.datetime
    signature: str = Field(description="base64 Ed25519 signature over app.changeset.canonical_digest")


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
