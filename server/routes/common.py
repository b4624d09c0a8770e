"""What every area of the API shares: the server's :class:`Context` (its engine, its blob store, the token key),
who is calling (:class:`Caller`, from the bearer token, as a FastAPI dependency), one transaction with retry,
the audit log, and :class:`ApiError`, the refusal every endpoint raises (answered as a
:class:`sync.protocol.Problem`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Callable, TypeVar

from fastapi import Depends, Header, Request, Response
from pydantic import BaseModel
from sqlalchemy import and_, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from app.domain import Officer, Role
from sync.protocol import STAFF_ROLE, Problem

from .. import security
from ..blobs import BlobStore
from ..db import accounts, audit, reading, sessions

T = TypeVar("T")


class ApiError(Exception):
    def __init__(self, status: int, code: str, th: str, en: str = "", **details) -> None:
        super().__init__(code)
        self.status = status
        self.problem = Problem(code=code, message_th=th, message_en=en, details=details)


@dataclass
class Context:
    """One server's state, made once by ``create_app`` and reached by every endpoint through :func:`context`.
    Workers keep nothing else: tokens are checked against the database."""
    engine: Engine
    blob_dir: Path | None = None
    blobs: BlobStore | None = field(init=False, default=None)
    _token_key: bytes | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        self.blobs = BlobStore(self.blob_dir) if self.blob_dir is not None else None

    def hmac_key(self, conn: Connection) -> bytes:
        """The key of the access tokens: read once per worker (it lives in the database and never changes)."""
        if self._token_key is None:
            self._token_key = security.token_key(conn)
        return self._token_key

    def in_tx(self, work: Callable[[Connection], T]) -> T:
        """``work(conn)`` in one transaction. Two requests that race to write the same new row (the same push
        twice at once) meet at a unique key or a busy database: the loser runs again from the start and so
        reads what the winner wrote — for an idempotent request, the first answer."""
        for attempt in range(4):
            try:
                with self.engine.begin() as conn:
                    return work(conn)
            except (IntegrityError, OperationalError):
                if attempt == 3:
                    raise
        raise AssertionError("unreachable")

    def blob_store(self) -> BlobStore:
        if self.blobs is None:
            raise ApiError(503, "blob.unavailable", "เซิร์ฟเวอร์นี้ยังไม่ได้กำหนดที่เก็บไฟล์แนบ")
        return self.blobs


async def context(request: Request) -> Context:
    return request.app.state.context


Ctx = Annotated[Context, Depends(context)]


@dataclass
class Caller:
    account_id: str
    session_id: str
    username: str
    cid: str
    name: str
    role: Role | None          # None for NHSO's staff (:attr:`staff`): never a unit's officer
    unit_code: str
    must_change_password: bool
    staff: bool = False

    @property
    def officer(self) -> Officer:
        """The caller as app's change-set transitions know an officer."""
        return Officer(self.cid, self.name, "", self.role, self.unit_code, "")


async def caller(ctx: Ctx, authorization: str = Header(default="")) -> Caller:
    """Who is calling, from the bearer token and the session it names (any log-in, even one that must still
    change its first password). Async, and so on the event loop: one short read (server.db.reading, a primary
    key each); the trip to the threadpool and back cost more than the read, and on a loaded machine every
    hand-over waited — that was the feed's tail (./dev bench server)."""
    token = authorization.removeprefix("Bearer ").strip()
    with reading(ctx.engine) as conn:  # every request: one round trip a statement, no transaction
        claims = security.read_access_token(ctx.hmac_key(conn), token) if token else None
        if claims is None:
            raise ApiError(401, "auth.token", "กรุณาเข้าสู่ระบบใหม่ (หมดเวลาหรือไม่ได้เข้าสู่ระบบ)", "Log in again.")
        row = conn.execute(
            select(accounts, sessions.c.revoked).join(sessions, sessions.c.account_id == accounts.c.id)
            .where(and_(sessions.c.id == claims["sid"], accounts.c.id == claims["aid"]))).mappings().first()
    if row is None or row["revoked"] or not row["active"]:
        raise ApiError(401, "auth.revoked", "การเข้าสู่ระบบนี้สิ้นสุดแล้ว กรุณาเข้าสู่ระบบใหม่", "Session ended.")
    staff = row["role"] == STAFF_ROLE
    return Caller(row["id"], claims["sid"], row["username"], row["cid"], row["name"],
                  None if staff else Role(row["role"]), row["unit_code"], row["must_change_password"], staff)


async def active_caller(c: Caller = Depends(caller)) -> Caller:
    """The caller, once the first password has been changed (everything but the password change needs it)."""
    if c.must_change_password:
        raise ApiError(403, "auth.password_change_required",
                       "กรุณาเปลี่ยนรหัสผ่านครั้งแรกก่อนใช้งาน", "Change the first password before anything else.")
    return c


def unit_officer(c: Caller) -> None:
    """A unit's own services (its documents, its licence) are for its officers: NHSO's staff have no unit."""
    if c.staff:
        raise ApiError(403, "staff.not_unit", "บัญชีเจ้าหน้าที่ สปสช. ไม่ใช่บัญชีของหน่วยงาน จึงใช้บริการนี้ไม่ได้",
                       "NHSO staff accounts have no unit.")


AnyCaller = Annotated[Caller, Depends(caller)]
Active = Annotated[Caller, Depends(active_caller)]


def record_audit(conn: Connection, c: Caller | None, action: str, unit_code: str | None = None, **detail) -> None:
    """One line of the audit log: who, which unit, what — ids and kinds, never a person's data."""
    conn.execute(audit.insert().values(at=security.now(), account_id=c.account_id if c else None,
                                       unit_code=unit_code or (c.unit_code if c else None), action=action,
                                       detail=detail or None))


def encoded(answer: BaseModel) -> Response:
    """``answer`` encoded once by pydantic's own serializer, for the big answers (a feed page, a page of
    records): FastAPI would otherwise check the model again on a worker thread before encoding it. The
    endpoint still declares its model (``response_model``), so the OpenAPI and the tests see the same shape."""
    return Response(content=answer.model_dump_json(), media_type="application/json")
