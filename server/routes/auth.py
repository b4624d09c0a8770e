"""Authentication: log-in with password and the officer's own card, refresh-token rotation with reuse
detection, log-out, the password change, who am I, and enrolling a device's signing key. Failed log-ins are
counted per name (known or not) and lock the name out for a while."""
from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from sqlalchemy import and_, select, update
from sqlalchemy.exc import IntegrityError

from sync.protocol import (
    API, STAFF_ROLE, AccountInfo, DeviceEnrol, DeviceInfo, LoginRequest, PasswordChange, RefreshRequest, Tokens,
)

from .. import security
from ..db import accounts, devices, login_throttle, sessions, spent_refresh, units
from .common import Active, AnyCaller, ApiError, Context, Ctx, record_audit

router = APIRouter(prefix=API, tags=["auth"])


def _tokens(ctx: Context, conn, acc, session_id: str, refresh: str) -> Tokens:
    unit = conn.execute(select(units.c.name).where(units.c.code == acc["unit_code"])).first()
    return Tokens(access_token=security.make_access_token(ctx.hmac_key(conn), session_id, acc["id"]),
                  refresh_token=refresh, expires_in=int(security.ACCESS_TTL.total_seconds()),
                  must_change_password=acc["must_change_password"],
                  account=AccountInfo(username=acc["username"], cid=acc["cid"], name=acc["name"],
                                      role=acc["role"], unit_code=acc["unit_code"],
                                      unit_name=unit[0] if unit else ""))


LOCKED = "เข้าสู่ระบบผิดหลายครั้ง จึงระงับการเข้าสู่ระบบด้วยชื่อนี้ชั่วคราว กรุณาลองใหม่ในอีก {} นาที"


def _locked(minutes: int) -> ApiError:
    return ApiError(423, "auth.locked", LOCKED.format(minutes), "Too many failed log-ins; try again later.",
                    minutes=minutes)


def _attempt(ctx: Context, username: str) -> tuple[str, int]:
    """Count one try of a password for ``username`` before it is checked, in its own committed
    transaction, so parallel guesses each take a number: at most MAX_FAILED are ever checked per lock-out.
    Known and unknown names are counted alike, so a lock-out says nothing of whether an account exists."""
    key = security.name_key(username)

    def count(conn):
        try:
            with conn.begin_nested():
                conn.execute(login_throttle.insert().values(key=key, failed=0, locked_until=None))
        except IntegrityError:
            pass
        n, until = conn.execute(update(login_throttle).where(login_throttle.c.key == key)
                                .values(failed=login_throttle.c.failed + 1)
                                .returning(login_throttle.c.failed, login_throttle.c.locked_until)).one()
        until = security.aware(until)
        if until is not None and until <= security.now():  # an old lock-out has run out: count afresh
            conn.execute(update(login_throttle).where(and_(login_throttle.c.key == key,
                                                           login_throttle.c.failed == n))
                         .values(failed=1, locked_until=None))
            n, until = 1, None
        if until is None and n > security.MAX_FAILED:
            until = security.now() + security.LOCKOUT
            conn.execute(update(login_throttle).where(login_throttle.c.key == key).values(locked_until=until))
        return n, until

    n, until = ctx.in_tx(count)
    if until is not None:
        raise _locked(max(1, int((until - security.now()).total_seconds() // 60) + 1))
    return key, n


def _attempt_failed(ctx: Context, key: str, n: int) -> None:
    if n >= security.MAX_FAILED:
        with ctx.engine.begin() as conn:
            conn.execute(update(login_throttle).where(and_(login_throttle.c.key == key,
                                                           login_throttle.c.locked_until.is_(None)))
                         .values(locked_until=security.now() + security.LOCKOUT))


def _attempt_passed(ctx: Context, key: str) -> None:
    with ctx.engine.begin() as conn:
        conn.execute(update(login_throttle).where(login_throttle.c.key == key).values(failed=0, locked_until=None))


@router.post("/auth/login", response_model=Tokens)
def login(body: LoginRequest, ctx: Ctx) -> Tokens:
    wrong = ApiError(401, "auth.wrong", "ชื่อผู้ใช้งานหรือรหัสผ่านไม่ถูกต้อง", "Wrong username or password.")
    username = body.username.strip().lower()
    key, n = _attempt(ctx, username)
    with ctx.engine.begin() as conn:
        acc = conn.execute(select(accounts).where(accounts.c.username == username)).mappings().first()
    # the same work and the same answer for an unknown name as for a wrong password
    password_ok = security.check_password(acc["password_hash"] if acc is not None and acc["active"]
                                          else security.dummy_hash(), body.password)
    if not password_ok or acc is None or not acc["active"]:
        _attempt_failed(ctx, key, n)
        with ctx.engine.begin() as conn:
            record_audit(conn, None, "auth.failed", acc["unit_code"] if acc is not None else None)
        raise wrong
    if body.card_cid.strip() != acc["cid"]:  # said only to someone who knows the password
        _attempt_failed(ctx, key, n)
        with ctx.engine.begin() as conn:
            record_audit(conn, None, "auth.failed", acc["unit_code"], username=acc["username"], card_mismatch=True)
        raise ApiError(403, "auth.card_mismatch",
                       "บัตรประจำตัวประชาชนที่เสียบไม่ใช่บัตรของเจ้าของบัญชีนี้ กรุณาใช้บัตรของท่านเอง",
                       "The card in the reader is not the account holder's.")
    _attempt_passed(ctx, key)
    with ctx.engine.begin() as conn:
        session_id = str(uuid.uuid4())
        refresh, refresh_hash = security.new_refresh_token()
        conn.execute(sessions.insert().values(id=session_id, account_id=acc["id"], refresh_hash=refresh_hash,
                                              created_at=security.now(),
                                              expires_at=security.now() + security.REFRESH_TTL, revoked=False))
        record_audit(conn, None, "auth.login", acc["unit_code"], username=acc["username"])
        return _tokens(ctx, conn, acc, session_id, refresh)


@router.post("/auth/refresh", response_model=Tokens)
def refresh(body: RefreshRequest, ctx: Ctx) -> Tokens:
    """Rotate the refresh token atomically. A token that was already spent ends its whole session (the
    OAuth 2.0 Security BCP's reuse detection): either a thief or the officer holds a copy, and the
    server cannot tell which, so both log in again."""
    ended = ApiError(401, "auth.refresh", "กรุณาเข้าสู่ระบบใหม่", "Log in again.")
    reused = ApiError(401, "auth.refresh_reused",
                      "เพื่อความปลอดภัย การเข้าสู่ระบบนี้ถูกยุติ เพราะมีการใช้รหัสต่ออายุซ้ำ (อาจมีผู้อื่นได้รหัสไป) "
                      "กรุณาเข้าสู่ระบบใหม่ และเปลี่ยนรหัสผ่านหากสงสัย", "A spent refresh token was used again.")
    spent = security.refresh_hash(body.refresh_token)

    def rotate(conn):
        row = conn.execute(select(sessions).where(sessions.c.refresh_hash == spent)).mappings().first()
        if row is None:
            old = conn.execute(select(spent_refresh.c.session_id).where(spent_refresh.c.hash == spent)).first()
            if old is None:
                return ended
            conn.execute(update(sessions).where(sessions.c.id == old[0]).values(revoked=True))
            record_audit(conn, None, "auth.refresh_reused", session=old[0])
            return reused
        if row["revoked"] or security.aware(row["expires_at"]) < security.now():
            return ended
        acc = conn.execute(select(accounts).where(accounts.c.id == row["account_id"])).mappings().first()
        if acc is None or not acc["active"]:
            return ApiError(401, "auth.revoked", "บัญชีนี้ถูกยกเลิกแล้ว", "The account was revoked.")
        new, new_hash = security.new_refresh_token()
        moved = conn.execute(update(sessions).where(and_(
            sessions.c.id == row["id"], sessions.c.refresh_hash == spent, sessions.c.revoked.is_(False)))
            .values(refresh_hash=new_hash)).rowcount
        if moved != 1:  # another request spent it first: the same token twice
            conn.execute(update(sessions).where(sessions.c.id == row["id"]).values(revoked=True))
            record_audit(conn, None, "auth.refresh_reused", session=row["id"])
            return reused
        conn.execute(spent_refresh.insert().values(hash=spent, session_id=row["id"], at=security.now()))
        return _tokens(ctx, conn, acc, row["id"], new)

    answer = ctx.in_tx(rotate)
    if isinstance(answer, ApiError):
        raise answer  # after the commit: a session ended for reuse stays ended
    return answer


@router.post("/auth/logout", status_code=204)
def logout(ctx: Ctx, c: AnyCaller) -> Response:
    with ctx.engine.begin() as conn:
        conn.execute(update(sessions).where(sessions.c.id == c.session_id).values(revoked=True))
        record_audit(conn, c, "auth.logout")
    return Response(status_code=204)


@router.post("/auth/password", status_code=204)
def change_password(body: PasswordChange, ctx: Ctx, c: AnyCaller) -> Response:
    problem = security.password_problem(body.new_password)
    if problem:
        raise ApiError(400, "auth.weak_password", problem, "The new password is too weak.")
    key, n = _attempt(ctx, c.username)  # guessing the old password counts toward the same lock-out
    with ctx.engine.begin() as conn:
        stored = conn.execute(select(accounts.c.password_hash).where(accounts.c.id == c.account_id)).scalar()
    if not security.check_password(stored, body.old_password):
        _attempt_failed(ctx, key, n)
        raise ApiError(400, "auth.wrong_old_password", "รหัสผ่านเดิมไม่ถูกต้อง", "The old password is wrong.")
    _attempt_passed(ctx, key)
    if body.new_password == body.old_password:
        raise ApiError(400, "auth.same_password", "รหัสผ่านใหม่ต้องไม่ซ้ำกับรหัสผ่านเดิม", "Choose a new one.")
    with ctx.engine.begin() as conn:
        conn.execute(update(accounts).where(accounts.c.id == c.account_id).values(
            password_hash=security.hash_password(body.new_password), must_change_password=False))
        # every other session of the account ends: whoever knew the old password is out
        conn.execute(update(sessions).where(and_(sessions.c.account_id == c.account_id,
                                                 sessions.c.id != c.session_id)).values(revoked=True))
        record_audit(conn, c, "auth.password_changed")
    return Response(status_code=204)


@router.get("/me", response_model=AccountInfo)
def me(c: Active) -> AccountInfo:
    return AccountInfo(username=c.username, cid=c.cid, name=c.name, role=STAFF_ROLE if c.staff else c.role,
                       unit_code=c.unit_code)


@router.post("/devices", response_model=DeviceInfo)
def enrol_device(body: DeviceEnrol, ctx: Ctx, c: Active) -> DeviceInfo:
    try:
        key = security.parse_public_key(body.public_key)
    except ValueError:
        raise ApiError(400, "device.bad_key", "กุญแจของเครื่องไม่ถูกต้อง", "Not an Ed25519 public key.") from None
    device_id = str(uuid.uuid4())
    with ctx.engine.begin() as conn:
        conn.execute(devices.insert().values(id=device_id, account_id=c.account_id, public_key=key,
                                             label=body.label[:200], created_at=security.now(), revoked=False))
        record_audit(conn, c, "device.enrolled", device_id=device_id)
    return DeviceInfo(device_id=device_id)
