"""The central server's HTTP API (FastAPI), every endpoint under /v1.

Every endpoint checks who is calling, their role and their unit; every refusal is a
:class:`sync.protocol.Problem` with a stable code and a Thai message. Workers keep no state: tokens are
checked against the database, so any number of them can run behind a load balancer.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import changeset as csmod
from app.changeset import ReviewState
from app.domain import Officer, Role
from app.errors import Refusal
from app.offline import OFFLINE_DAYS
from sync.protocol import (
    API, AccountInfo, Approval, ApprovalResult, ApprovalStatus, ChangeSetIn, DeviceEnrol, DeviceInfo, FeedItem,
    FeedPage, Id, LicenceRequest, LoginRequest, PasswordChange, Problem, PushRequest, PushResponse, PushResult,
    PushStatus, RefreshRequest, ReturnRequest, ReviewStateName, Tokens, clean_text,
)

from . import calendar, licence, register, security
from . import statements as stmts
from .blobs import BlobError, BlobStore
from .db import (
    accounts, answers, audit, blob_owners, changesets, devices, feed, login_throttle, periods, reading, records,
    sessions, spent_refresh, statements, units,
)
from .guard import Guard, TooLarge, TooSlow, limit_for, too_large, too_slow


class ApiError(Exception):
    def __init__(self, status: int, code: str, th: str, en: str = "", **details) -> None:
        super().__init__(code)
        self.status = status
        self.problem = Problem(code=code, message_th=th, message_en=en, details=details)


# refusals that a later replay of the same request may get past: the register closed for processing, a document
# that has not arrived yet
TRANSIENT = {"calendar.closed", "changeset.evidence_missing"}
CLOCK_SKEW = _dt.timedelta(minutes=5)  # how far ahead of the server's clock a PC's clock may run


@dataclass
class Caller:
    account_id: str
    session_id: str
    username: str
    cid: str
    name: str
    role: Role
    unit_code: str
    must_change_password: bool

    @property
    def officer(self) -> Officer:
        """The caller as app's change-set transitions know an officer."""
        return Officer(self.cid, self.name, "", self.role, self.unit_code, "")


def create_app(engine: Engine, blob_dir: Path | None = None) -> FastAPI:
    app = FastAPI(title="LGO Registry Desk — central server", version="1", openapi_url="/openapi.json",
                  docs_url=None, redoc_url=None)

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.problem.model_dump(), status_code=exc.status)

    app.add_middleware(Guard)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # which fields, never what was in them (it may be a person's data)
        fields = [".".join(str(x) for x in e.get("loc", ())) for e in exc.errors()][:20]
        body = Problem(code="request.invalid",
                       message_th="คำขอไม่ถูกต้องตามรูปแบบ (ข้อมูลบางช่องยาวเกิน ว่าง หรือมีอักขระที่ไม่อนุญาต) "
                                  "กรุณาตรวจข้อมูลที่กรอก หรือปรับปรุงโปรแกรมให้เป็นรุ่นล่าสุด",
                       message_en="The request does not match the API.", details={"fields": fields})
        return JSONResponse(body.model_dump(), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc.__cause__, TooLarge):
            most = limit_for(request.method, request.url.path)
            return JSONResponse(too_large(most).model_dump(), status_code=413)
        if isinstance(exc.__cause__, TooSlow):
            return JSONResponse(too_slow().model_dump(), status_code=408)
        th, code = {404: ("ไม่พบบริการนี้บนเซิร์ฟเวอร์กลาง กรุณาปรับปรุงโปรแกรมให้เป็นรุ่นล่าสุด", "request.not_found"),
                    405: ("บริการนี้ไม่รับคำขอแบบนี้ กรุณาปรับปรุงโปรแกรมให้เป็นรุ่นล่าสุด", "request.method")}.get(
            exc.status_code, ("อ่านคำขอไม่ได้ (รูปแบบข้อมูลไม่ถูกต้อง) กรุณาปรับปรุงโปรแกรมให้เป็นรุ่นล่าสุด",
                              "request.unreadable"))
        return JSONResponse(Problem(code=code, message_th=th, message_en=str(exc.detail)[:200]).model_dump(),
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))

    def in_tx(work):
        """``work(conn)`` in one transaction. Two requests that race to write the same new row (the same push
        twice at once) meet at a unique key or a busy database: the loser runs again from the start and so
        reads what the winner wrote — for an idempotent request, the first answer."""
        for attempt in range(4):
            try:
                with engine.begin() as conn:
                    return work(conn)
            except (IntegrityError, OperationalError):
                if attempt == 3:
                    raise

    token_key: list[bytes] = []  # read once per worker: the key lives in the database, never changes

    def hmac_key(conn) -> bytes:
        if not token_key:
            token_key.append(security.token_key(conn))
        return token_key[0]

    # async, and so on the event loop: one short read (server.db.reading), as blob_put's; the trip to the
    # threadpool and back cost more than the read, and on a loaded machine every hand-over waited (the tail)
    async def caller(authorization: str = Header(default="")) -> Caller:
        token = authorization.removeprefix("Bearer ").strip()
        with reading(engine) as conn:  # every request: one round trip, no transaction (server.db.reading)
            claims = security.read_access_token(hmac_key(conn), token) if token else None
            if claims is None:
                raise ApiError(401, "auth.token", "กรุณาเข้าสู่ระบบใหม่ (หมดเวลาหรือไม่ได้เข้าสู่ระบบ)",
                               "Log in again.")
            row = conn.execute(
                select(accounts, sessions.c.revoked).join(sessions, sessions.c.account_id == accounts.c.id)
                .where(and_(sessions.c.id == claims["sid"], accounts.c.id == claims["aid"]))).mappings().first()
        if row is None or row["revoked"] or not row["active"]:
            raise ApiError(401, "auth.revoked", "การเข้าสู่ระบบนี้สิ้นสุดแล้ว กรุณาเข้าสู่ระบบใหม่", "Session ended.")
        return Caller(row["id"], claims["sid"], row["username"], row["cid"], row["name"], Role(row["role"]),
                      row["unit_code"], row["must_change_password"])

    async def active_caller(c: Caller = Depends(caller)) -> Caller:  # async: no I/O, no trip to the threadpool
        if c.must_change_password:
            raise ApiError(403, "auth.password_change_required",
                           "กรุณาเปลี่ยนรหัสผ่านครั้งแรกก่อนใช้งาน", "Change the first password before anything else.")
        return c

    def record_audit(conn, c: Caller | None, action: str, unit_code: str | None = None, **detail) -> None:
        conn.execute(audit.insert().values(at=security.now(), account_id=c.account_id if c else None,
                                           unit_code=unit_code or (c.unit_code if c else None), action=action,
                                           detail=detail or None))

    # --- authentication ----------------------------------------------------------------------------

    def _tokens(conn, acc, session_id: str, refresh: str) -> Tokens:
        unit = conn.execute(select(units.c.name).where(units.c.code == acc["unit_code"])).first()
        return Tokens(access_token=security.make_access_token(hmac_key(conn), session_id, acc["id"]),
                      refresh_token=refresh, expires_in=int(security.ACCESS_TTL.total_seconds()),
                      must_change_password=acc["must_change_password"],
                      account=AccountInfo(username=acc["username"], cid=acc["cid"], name=acc["name"],
                                          role=acc["role"], unit_code=acc["unit_code"],
                                          unit_name=unit[0] if unit else ""))

    locked_msg = "เข้าสู่ระบบผิดหลายครั้ง จึงระงับการเข้าสู่ระบบด้วยชื่อนี้ชั่วคราว กรุณาลองใหม่ในอีก {} นาที"

    def _locked(minutes: int) -> ApiError:
        return ApiError(423, "auth.locked", locked_msg.format(minutes), "Too many failed log-ins; try again later.",
                        minutes=minutes)

    def _attempt(username: str) -> tuple[str, int]:
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

        n, until = in_tx(count)
        if until is not None:
            raise _locked(max(1, int((until - security.now()).total_seconds() // 60) + 1))
        return key, n

    def _attempt_failed(key: str, n: int) -> None:
        if n >= security.MAX_FAILED:
            with engine.begin() as conn:
                conn.execute(update(login_throttle).where(and_(login_throttle.c.key == key,
                                                               login_throttle.c.locked_until.is_(None)))
                             .values(locked_until=security.now() + security.LOCKOUT))

    def _attempt_passed(key: str) -> None:
        with engine.begin() as conn:
            conn.execute(update(login_throttle).where(login_throttle.c.key == key).values(failed=0, locked_until=None))

    @app.post(f"{API}/auth/login", response_model=Tokens, tags=["auth"])
    def login(body: LoginRequest) -> Tokens:
        wrong = ApiError(401, "auth.wrong", "ชื่อผู้ใช้งานหรือรหัสผ่านไม่ถูกต้อง", "Wrong username or password.")
        username = body.username.strip().lower()
        key, n = _attempt(username)
        with engine.begin() as conn:
            acc = conn.execute(select(accounts).where(accounts.c.username == username)).mappings().first()
        # the same work and the same answer for an unknown name as for a wrong password
        password_ok = security.check_password(acc["password_hash"] if acc is not None and acc["active"]
                                              else security.dummy_hash(), body.password)
        if not password_ok or acc is None or not acc["active"]:
            _attempt_failed(key, n)
            with engine.begin() as conn:
                record_audit(conn, None, "auth.failed", acc["unit_code"] if acc is not None else None)
            raise wrong
        if body.card_cid.strip() != acc["cid"]:  # said only to someone who knows the password
            _attempt_failed(key, n)
            with engine.begin() as conn:
                record_audit(conn, None, "auth.failed", acc["unit_code"], username=acc["username"],
                             card_mismatch=True)
            raise ApiError(403, "auth.card_mismatch",
                           "บัตรประจำตัวประชาชนที่เสียบไม่ใช่บัตรของเจ้าของบัญชีนี้ กรุณาใช้บัตรของท่านเอง",
                           "The card in the reader is not the account holder's.")
        _attempt_passed(key)
        with engine.begin() as conn:
            session_id = str(uuid.uuid4())
            refresh, refresh_hash = security.new_refresh_token()
            conn.execute(sessions.insert().values(id=session_id, account_id=acc["id"], refresh_hash=refresh_hash,
                                                  created_at=security.now(),
                                                  expires_at=security.now() + security.REFRESH_TTL, revoked=False))
            record_audit(conn, None, "auth.login", acc["unit_code"], username=acc["username"])
            return _tokens(conn, acc, session_id, refresh)

    @app.post(f"{API}/auth/refresh", response_model=Tokens, tags=["auth"])
    def refresh(body: RefreshRequest) -> Tokens:
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
            return _tokens(conn, acc, row["id"], new)

        answer = in_tx(rotate)
        if isinstance(answer, ApiError):
            raise answer  # after the commit: a session ended for reuse stays ended
        return answer

    @app.post(f"{API}/auth/logout", status_code=204, tags=["auth"])
    def logout(c: Caller = Depends(caller)) -> Response:
        with engine.begin() as conn:
            conn.execute(update(sessions).where(sessions.c.id == c.session_id).values(revoked=True))
            record_audit(conn, c, "auth.logout")
        return Response(status_code=204)

    @app.post(f"{API}/auth/password", status_code=204, tags=["auth"])
    def change_password(body: PasswordChange, c: Caller = Depends(caller)) -> Response:
        problem = security.password_problem(body.new_password)
        if problem:
            raise ApiError(400, "auth.weak_password", problem, "The new password is too weak.")
        key, n = _attempt(c.username)  # guessing the old password counts toward the same lock-out
        with engine.begin() as conn:
            stored = conn.execute(select(accounts.c.password_hash).where(accounts.c.id == c.account_id)).scalar()
        if not security.check_password(stored, body.old_password):
            _attempt_failed(key, n)
            raise ApiError(400, "auth.wrong_old_password", "รหัสผ่านเดิมไม่ถูกต้อง", "The old password is wrong.")
        _attempt_passed(key)
        if body.new_password == body.old_password:
            raise ApiError(400, "auth.same_password", "รหัสผ่านใหม่ต้องไม่ซ้ำกับรหัสผ่านเดิม", "Choose a new one.")
        with engine.begin() as conn:
            conn.execute(update(accounts).where(accounts.c.id == c.account_id).values(
                password_hash=security.hash_password(body.new_password), must_change_password=False))
            # every other session of the account ends: whoever knew the old password is out
            conn.execute(update(sessions).where(and_(sessions.c.account_id == c.account_id,
                                                     sessions.c.id != c.session_id)).values(revoked=True))
            record_audit(conn, c, "auth.password_changed")
        return Response(status_code=204)

    @app.get(f"{API}/me", response_model=AccountInfo, tags=["auth"])
    def me(c: Caller = Depends(active_caller)) -> AccountInfo:
        return AccountInfo(username=c.username, cid=c.cid, name=c.name, role=c.role.value, unit_code=c.unit_code)

    @app.post(f"{API}/devices", response_model=DeviceInfo, tags=["auth"])
    def enrol_device(body: DeviceEnrol, c: Caller = Depends(active_caller)) -> DeviceInfo:
        try:
            key = security.parse_public_key(body.public_key)
        except ValueError:
            raise ApiError(400, "device.bad_key", "กุญแจของเครื่องไม่ถูกต้อง", "Not an Ed25519 public key.") from None
        device_id = str(uuid.uuid4())
        with engine.begin() as conn:
            conn.execute(devices.insert().values(id=device_id, account_id=c.account_id, public_key=key,
                                                 label=body.label[:200], created_at=security.now(), revoked=False))
            record_audit(conn, c, "device.enrolled", device_id=device_id)
        return DeviceInfo(device_id=device_id)

    # --- change sets -------------------------------------------------------------------------------

    @app.post(f"{API}/changesets", response_model=PushResponse, tags=["sync"])
    def push(body: PushRequest, c: Caller = Depends(active_caller)) -> PushResponse:
        return PushResponse(results=[_push_one(c, item) for item in body.changesets])

    def _push_one(c: Caller, item: ChangeSetIn) -> PushResult:
        try:
            cs = csmod.from_json(item.as_json())
        except (KeyError, ValueError, TypeError):
            return PushResult(id=item.id, status=PushStatus.REFUSED, code="changeset.malformed",
                              message_th="ชุดการเปลี่ยนแปลงไม่ครบหรือรูปแบบไม่ถูกต้อง")
        # One submission = one state after one more step of its history: a resubmission is a new request, a
        # replay of the same one gets the first answer. Kept per unit, so no other unit can answer for us, and
        # given only to whom the push itself would be open.
        key = f"push:{c.unit_code}:{cs.id}:{cs.state.value}:{len(cs.history)}"
        if c.role is not Role.REGISTRY_OFFICER:
            return PushResult(id=cs.id, status=PushStatus.REFUSED, code="changeset.not_registry",
                              message_th="เฉพาะเจ้าหน้าที่ทะเบียนเท่านั้นที่ส่งชุดการเปลี่ยนแปลงได้")

        def work(conn):
            first = conn.execute(select(answers.c.body).where(answers.c.key == key)).first()
            if first is not None:
                return PushResult(**first[0])  # a replay gets the first answer
            result = _accept(conn, c, cs)
            if result.code not in TRANSIENT:  # "closed for now" is no final answer: the same push comes again later
                conn.execute(answers.insert().values(key=key, body=result.model_dump(mode="json")))
            return result

        return in_tx(work)

    def _accept(conn, c: Caller, sent) -> PushResult:
        """Take a submission, a resubmission or a cancellation. The server keeps its own copy: the content
        (operations, claims, evidence) is the officer's, the state and history are the server's, moved by
        app.changeset's own transitions and stamped with the server's clock."""
        def refuse(code: str, th: str) -> PushResult:
            return PushResult(id=sent.id, status=PushStatus.REFUSED, code=code, message_th=th)

        if sent.unit_code != c.unit_code:
            return refuse("changeset.other_unit", "ส่งได้เฉพาะชุดการเปลี่ยนแปลงของหน่วยงานตนเอง")
        if sent.author_cid != c.cid:
            return refuse("changeset.not_author", "ส่งได้เฉพาะชุดการเปลี่ยนแปลงที่ท่านบันทึกเอง")
        if sent.state not in (ReviewState.PENDING, ReviewState.CANCELLED):
            return refuse("changeset.state", f"ส่งชุดการเปลี่ยนแปลงในสถานะ «{sent.state.th}» ไม่ได้")
        phase, period = calendar.phase_on(conn, security.now().date())
        if phase == "processing":
            return refuse("calendar.closed", calendar.closed_message(period))
        row = conn.execute(select(changesets).where(changesets.c.id == sent.id).with_for_update()).mappings().first()
        if row is not None and row["unit_code"] != c.unit_code:
            return refuse("changeset.id_taken", "รหัสชุดการเปลี่ยนแปลงนี้ถูกใช้แล้ว กรุณาบันทึกใหม่")
        stored = csmod.from_json({**row["data"], "state": row["state"]}) if row is not None else None
        known = {(t.state, t.by_cid) for t in stored.history} if stored is not None else set()
        forged = [t for t in sent.history if (t.state, t.by_cid) not in known
                  and not (t.by_cid == c.cid and t.state in (ReviewState.PENDING, ReviewState.CANCELLED))]
        if forged:
            return refuse("changeset.history", "ประวัติของชุดการเปลี่ยนแปลงไม่ตรงกับที่เซิร์ฟเวอร์กลางบันทึกไว้ "
                                               "(มีขั้นตอนที่เซิร์ฟเวอร์ไม่ได้บันทึก) กรุณาบันทึกใหม่")
        if stored is None and sent.state is not ReviewState.PENDING:
            return refuse("changeset.unknown", "ไม่พบชุดการเปลี่ยนแปลงนี้บนเซิร์ฟเวอร์")
        if stored is not None and stored.state is not ReviewState.RETURNED:
            return refuse("changeset.state", f"ชุดการเปลี่ยนแปลงนี้อยู่ในสถานะ «{stored.state.th}» บนเซิร์ฟเวอร์แล้ว")
        if sent.state is ReviewState.CANCELLED:
            cs = stored
            cs.cancel(c.officer)
        else:
            cs = dataclasses.replace(sent, state=stored.state if stored else ReviewState.DRAFT,
                                     history=list(stored.history) if stored else [], return_reason="",
                                     created_at=stored.created_at if stored else security.now())
            verdict, reasons = register.check(conn, cs, security.now().date())
            if verdict == "refused":
                return refuse("changeset.refused", " ".join(reasons))
            missing = _missing_evidence(conn, c, cs)
            if missing:
                return refuse("changeset.evidence_missing",
                              f"เอกสารแนบ {missing} ฉบับยังไม่ถึงเซิร์ฟเวอร์กลาง ระบบจะส่งให้อีกครั้งเมื่อซิงก์")
            cs.submit(c.officer)
            if verdict == "invalid":  # the rules' verdict now, not a month later from the registrar: back to its author
                cs.rejected("; ".join(reasons))
        _store(conn, cs, row is None)
        record_audit(conn, c, f"changeset.{cs.state.value}", changeset=cs.id)
        if cs.state is ReviewState.RETURNED:
            return PushResult(id=cs.id, status=PushStatus.ACCEPTED, state=cs.state.value, code="changeset.invalid",
                              message_th=cs.return_reason)
        return PushResult(id=cs.id, status=PushStatus.ACCEPTED, state=cs.state.value)

    def _missing_evidence(conn, c: Caller, cs) -> int:
        """How many of the change set's documents the unit has not sent (a unit cites only its own blobs)."""
        if not cs.evidence:
            return 0
        have = {sha for (sha,) in conn.execute(select(blob_owners.c.sha256).where(and_(
            blob_owners.c.unit_code == c.unit_code, blob_owners.c.sha256.in_(cs.evidence))))}
        return len(set(cs.evidence) - have)

    def _store(conn, cs, new: bool, extra: dict | None = None) -> None:
        """The server's copy of a change set, and its news in the unit's feed (a pending one travels whole, so
        the registrar's laptop can review it offline)."""
        data = {**csmod.to_json(cs), **(extra or {})}
        at = security.now()
        if new:
            conn.execute(changesets.insert().values(id=cs.id, unit_code=cs.unit_code, author_cid=cs.author_cid,
                                                    state=cs.state.value, data=data, created_at=at, updated_at=at))
        else:
            conn.execute(update(changesets).where(changesets.c.id == cs.id).values(
                state=cs.state.value, data=data, updated_at=at))
        news = {"state": cs.state.value, "title": cs.title, "reason": cs.return_reason}
        if cs.state is ReviewState.PENDING:
            news["changeset"] = data
        conn.execute(feed.insert().values(unit_code=cs.unit_code, kind="changeset", record_type="", key=cs.id,
                                          rev=0, data=news, at=at))

    @app.get(f"{API}/changesets", tags=["sync"])
    def staged(state: ReviewStateName = Query(default="pending"), c: Caller = Depends(active_caller)) -> list[dict]:
        with engine.begin() as conn:
            rows = conn.execute(select(changesets.c.data, changesets.c.state).where(and_(
                changesets.c.unit_code == c.unit_code, changesets.c.state == state))).all()
        return [{**data, "state": st} for data, st in rows]

    def refused(e: Refusal, status: int = 409) -> ApiError:
        return ApiError(status, e.code, e.th, e.en)

    @app.post(f"{API}/changesets/{{cs_id}}/return", tags=["sync"])
    def return_changeset(cs_id: Id, body: ReturnRequest, c: Caller = Depends(active_caller)) -> dict:
        def work(conn):
            row = _registrar_changeset(conn, c, cs_id, lock=True)
            cs = csmod.from_json({**row["data"], "state": row["state"]})
            if cs.state is not ReviewState.PENDING:
                raise ApiError(409, "changeset.state", f"ชุดการเปลี่ยนแปลงนี้อยู่ในสถานะ «{cs.state.th}» แล้ว")
            try:
                cs.return_(c.officer, body.reason.strip())
            except Refusal as e:
                raise refused(e, 400 if e.code == "changeset.reason_missing" else 409) from None
            _store(conn, cs, False)
            record_audit(conn, c, "changeset.returned", changeset=cs_id)
            return {"id": cs_id, "state": "returned"}
        return in_tx(work)

    def _registrar_changeset(conn, c: Caller, cs_id: str, lock: bool = False):
        """The caller's own unit's change set, for its registrar, who did not write it — checked before
        anything about the change set is read or answered."""
        if c.role is not Role.REGISTRAR:
            raise ApiError(403, "changeset.not_registrar", "เฉพาะนายทะเบียนของหน่วยงานเท่านั้นที่อนุมัติหรือส่งกลับได้")
        query = select(changesets).where(changesets.c.id == cs_id)
        row = conn.execute(query.with_for_update() if lock else query).mappings().first()
        if row is None or row["unit_code"] != c.unit_code:
            raise ApiError(404, "changeset.unknown", "ไม่พบชุดการเปลี่ยนแปลงนี้ในหน่วยงานของท่าน")
        if row["author_cid"] == c.cid:
            raise ApiError(403, "changeset.own_approval", "ผู้บันทึกอนุมัติหรือส่งกลับชุดการเปลี่ยนแปลงของตนเองไม่ได้")
        return row

    @app.post(f"{API}/approvals", response_model=ApprovalResult, tags=["sync"])
    def approve(body: Approval, c: Caller = Depends(active_caller)) -> ApprovalResult:
        approved_at = body.approved_at if body.approved_at.tzinfo else body.approved_at.replace(tzinfo=_dt.timezone.utc)

        def work(conn):  # one transaction: the checks, the register, the answer
            row = _registrar_changeset(conn, c, body.changeset_id, lock=True)  # who asks, before any answer
            cs = csmod.from_json({**row["data"], "state": row["state"]})
            # one approval per submission: a change set sent back and resubmitted is approved afresh
            rounds = sum(1 for t in cs.history if t.state is ReviewState.PENDING)
            key = f"approve:{c.unit_code}:{body.changeset_id}:{rounds}"
            first = conn.execute(select(answers.c.body).where(answers.c.key == key)).first()
            if first is not None:
                return ApprovalResult(**first[0])
            phase, period = calendar.phase_on(conn, security.now().date())
            if phase == "processing":
                raise ApiError(409, "calendar.closed", calendar.closed_message(period), "Closed for processing.",
                               reopens=period["ends"].isoformat())
            device = conn.execute(select(devices).where(and_(devices.c.id == body.device_id,
                                                             devices.c.account_id == c.account_id,
                                                             devices.c.revoked.is_(False)))).mappings().first()
            if device is None or not security.signature_holds(bytes(device["public_key"]), body.signature,
                                                              csmod.canonical_digest(cs)):
                raise ApiError(403, "approval.signature",
                               "ลายมือชื่ออิเล็กทรอนิกส์ของการอนุมัติตรวจสอบไม่ผ่าน (เครื่องนี้อาจยังไม่ได้ลงทะเบียน) "
                               "กรุณาอนุมัติใหม่จากเครื่องที่ลงทะเบียนแล้ว", "The approval's signature does not verify.")
            if cs.state is not ReviewState.PENDING:
                raise ApiError(409, "changeset.state", f"ชุดการเปลี่ยนแปลงนี้อยู่ในสถานะ «{cs.state.th}» แล้ว")
            # An approval made offline keeps the time it was signed, within what can be true: not ahead of the
            # server's clock, and not earlier than a registrar can have been offline before the change set
            # reached the server (on a shared PC the registrar may approve before the push has gone out).
            received = max((t.at for t in cs.history if t.state is ReviewState.PENDING), default=cs.created_at)
            earliest = received - _dt.timedelta(days=OFFLINE_DAYS)
            if approved_at > security.now() + CLOCK_SKEW or approved_at < earliest:
                raise ApiError(422, "approval.time",
                               "เวลาอนุมัติไม่ถูกต้อง (อยู่ในอนาคต หรือก่อนที่ชุดการเปลี่ยนแปลงจะส่งถึงนายทะเบียนได้) "
                               "กรุณาตั้งวันเวลาของเครื่องให้ถูกต้องแล้วอนุมัติใหม่", "The approval time cannot be true.",
                               earliest=earliest.isoformat())
            register.lock_units(conn, cs)
            outcome = register.apply(conn, cs, approved_at.date())
            cs.approve(c.officer, at=approved_at)
            if outcome.status == "applied":
                cs.applied()
            else:
                cs.rejected("; ".join(outcome.reasons_th))
            _store(conn, cs, False, {"approval": {"by_cid": c.cid, "device_id": body.device_id,
                                                  "approved_at": approved_at.isoformat(), "signature": body.signature}})
            result = ApprovalResult(changeset_id=cs.id, status=ApprovalStatus(outcome.status),
                                    code="" if outcome.status == "applied" else f"approval.{outcome.status}",
                                    reasons_th=outcome.reasons_th, current=outcome.current)
            conn.execute(answers.insert().values(key=key, body=result.model_dump(mode="json")))
            record_audit(conn, c, f"approval.{outcome.status}", changeset=cs.id)
            return result

        return in_tx(work)

    # --- the unit's feed ---------------------------------------------------------------------------

    @app.get(f"{API}/feed", response_model=FeedPage, tags=["sync"])
    async def unit_feed(since: int = Query(default=0, ge=0, le=2**63 - 1),  # async: as caller, one short read
                        limit: int = Query(default=500, ge=1, le=5000),
                        c: Caller = Depends(active_caller)) -> FeedPage:
        with reading(engine) as conn:  # one statement: one round trip (server.db.reading)
            rows = conn.execute(select(feed).where(and_(feed.c.unit_code == c.unit_code, feed.c.seq > since))
                                .order_by(feed.c.seq).limit(limit + 1)).mappings().all()
        more = len(rows) > limit
        rows = rows[:limit]
        items = [FeedItem(seq=r["seq"], kind=r["kind"], record_type=r["record_type"], key=r["key"], rev=r["rev"],
                          data=r["data"]) for r in rows]
        return FeedPage(items=items, next_seq=items[-1].seq if items else since, more=more)

    # --- attachments ---------------------------------------------------------------------------------

    blobs = BlobStore(blob_dir) if blob_dir is not None else None

    def blob_store() -> BlobStore:
        if blobs is None:
            raise ApiError(503, "blob.unavailable", "เซิร์ฟเวอร์นี้ยังไม่ได้กำหนดที่เก็บไฟล์แนบ")
        return blobs

    def blob_call(fn):
        try:
            return fn()
        except BlobError as e:
            raise ApiError(e.status, e.code, e.th) from None

    def _owns(conn, c: Caller, sha256: str) -> bool:
        return conn.execute(select(blob_owners.c.sha256).where(and_(
            blob_owners.c.sha256 == sha256, blob_owners.c.unit_code == c.unit_code))).first() is not None

    @app.head(f"{API}/blobs/{{sha256}}", tags=["blobs"])
    def blob_status(sha256: str, c: Caller = Depends(active_caller)) -> Response:
        """Like GET: 200 only for the unit's own blob; otherwise 404 with how far the unit's own upload got."""
        store = blob_store()
        blob_call(lambda: store.check_name(sha256))
        with engine.begin() as conn:
            owned = _owns(conn, c, sha256)
        size = store.size(sha256) if owned else None
        if size is not None:
            return Response(status_code=200, headers={"Upload-Offset": str(size)})
        return Response(status_code=404, headers={"Upload-Offset": str(store.received(sha256, c.unit_code))})

    @app.put(f"{API}/blobs/{{sha256}}", tags=["blobs"])
    async def blob_put(sha256: str, request: Request, content_range: str | None = Header(default=None),
                       c: Caller = Depends(active_caller)) -> Response:
        store = blob_store()
        blob_call(lambda: store.check_name(sha256))
        with engine.begin() as conn:
            owned = _owns(conn, c, sha256)
        if owned and store.size(sha256) is not None:
            return Response(status_code=201, headers={"Upload-Offset": str(store.size(sha256))})
        body = await request.body()
        complete, received = blob_call(lambda: store.put(sha256, body, content_range, c.unit_code))
        if complete:
            def own(conn):
                if not _owns(conn, c, sha256):
                    conn.execute(blob_owners.insert().values(sha256=sha256, unit_code=c.unit_code, at=security.now()))
                    record_audit(conn, c, "blob.stored", sha256=sha256, size=received)
            in_tx(own)
        return Response(status_code=201 if complete else 202, headers={"Upload-Offset": str(received)})

    @app.get(f"{API}/blobs/{{sha256}}", tags=["blobs"])
    def blob_get(sha256: str, c: Caller = Depends(active_caller)) -> Response:
        blob_call(lambda: blob_store().check_name(sha256))
        with engine.begin() as conn:
            owned = _owns(conn, c, sha256)
        if not owned:
            raise ApiError(404, "blob.missing", "ไม่พบไฟล์แนบนี้ในหน่วยงานของท่าน")
        data = blob_call(lambda: blob_store().read(sha256))
        from app.filetypes import sniff
        # a download, never something a browser would open and interpret (a PDF that is also HTML, say)
        return Response(content=data, media_type=sniff(data) or "application/octet-stream",
                        headers={"X-Content-Type-Options": "nosniff",
                                 "Content-Disposition": f'attachment; filename="{sha256[:16]}"'})

    # --- statements ----------------------------------------------------------------------------------

    @app.get(f"{API}/statements", tags=["statements"])
    def statement_list(brief: bool = Query(default=False), c: Caller = Depends(active_caller)) -> list[dict]:
        """The unit's statements, newest first; ``brief``: without the lists of people."""
        with engine.begin() as conn:
            rows = conn.execute(select(statements).where(statements.c.unit_code == c.unit_code)
                                .order_by(statements.c.as_of.desc())).mappings().all()
        return [{k: v for k, v in stmts.listing(r).items() if not (brief and k == "body")} for r in rows]

    @app.get(f"{API}/statements/{{statement_id}}", tags=["statements"])
    def statement_one(statement_id: Id, c: Caller = Depends(active_caller)) -> dict:
        with engine.begin() as conn:
            row = conn.execute(select(statements).where(statements.c.id == statement_id)).mappings().first()
        if row is None or row["unit_code"] != c.unit_code:
            raise ApiError(404, "statement.unknown", "ไม่พบบัญชีรายชื่อนี้ในหน่วยงานของท่าน")
        return stmts.listing(row)

    @app.post(f"{API}/statements/{{statement_id}}/confirm", tags=["statements"])
    def statement_confirm(statement_id: Id, c: Caller = Depends(active_caller)) -> dict:
        if c.role is not Role.REGISTRAR:
            raise ApiError(403, "statement.not_registrar", "เฉพาะนายทะเบียนของหน่วยงานเท่านั้นที่ยืนยันบัญชีรายชื่อได้")
        with engine.begin() as conn:
            row = conn.execute(select(statements).where(statements.c.id == statement_id)).mappings().first()
            if row is None or row["unit_code"] != c.unit_code:
                raise ApiError(404, "statement.unknown", "ไม่พบบัญชีรายชื่อนี้ในหน่วยงานของท่าน")
            if row["confirmed_by"] is None:
                conn.execute(update(statements).where(statements.c.id == statement_id).values(
                    confirmed_by=c.cid, confirmed_at=security.now()))
                record_audit(conn, c, "statement.confirmed", statement=statement_id)
                stmts.tell(conn, c.unit_code, statement_id, row["as_of"], c.cid)
        return {"id": statement_id, "confirmed": True}

    # --- calendar and licence ------------------------------------------------------------------------

    @app.get(f"{API}/calendar", tags=["calendar"])
    def calendar_now(c: Caller = Depends(active_caller)) -> dict:
        today = security.now().date()
        with engine.begin() as conn:
            phase, period = calendar.phase_on(conn, today)
            upcoming = conn.execute(select(periods).where(periods.c.ends > today).order_by(periods.c.starts)
                                    ).mappings().all()
        return {"phase": phase, "phase_th": calendar.PHASE_TH[phase],
                "periods": [{"name": p["name"], "phase": p["phase"], "starts": p["starts"].isoformat(),
                             "ends": p["ends"].isoformat()} for p in upcoming]}

    @app.get(f"{API}/licence/key", tags=["licence"])
    def licence_key() -> dict:
        import base64
        with engine.begin() as conn:
            return {"ed25519": base64.b64encode(licence.public_key(conn)).decode()}

    @app.post(f"{API}/licence", tags=["licence"])
    def licence_issue(body: LicenceRequest, c: Caller = Depends(active_caller)) -> dict:
        installation = body.installation_id.strip()
        version = body.client_version.strip()
        if not installation or not version:
            raise ApiError(400, "licence.request", "คำขอใบอนุญาตต้องระบุรหัสเครื่องและรุ่นของโปรแกรม")
        if licence.too_old(version):
            raise ApiError(426, "client.too_old", f"โปรแกรมรุ่น {version} เก่าเกินไป ต้องเป็นรุ่น "
                                                  f"{licence.min_client_version()} ขึ้นไป กรุณาติดตั้งรุ่นใหม่",
                           min_version=licence.min_client_version())
        with engine.begin() as conn:
            token, payload = licence.issue(conn, installation[:64], c.unit_code, security.now().date())
            record_audit(conn, c, "licence.issued", installation=installation[:64], year=payload["fiscal_year"])
        return {"token": token, **payload}

    @app.get(f"{API}/records", tags=["sync"])
    def unit_records(after: str = Query(default="", max_length=200), limit: int = Query(default=2000, ge=1, le=10000),
                     c: Caller = Depends(active_caller)) -> dict:
        """The unit's whole register, page by page (a new or rebuilt working copy starts here), with the feed
        position to continue from once the last page is in."""
        try:
            clean_text(after)
        except ValueError:
            raise ApiError(422, "request.invalid", "ตำแหน่งหน้าถัดไปไม่ถูกต้อง กรุณาซิงก์ใหม่ตั้งแต่ต้น",
                           "The page position is not valid.") from None
        kind, _, rid = after.partition(":")
        with engine.begin() as conn:
            head = conn.execute(select(feed.c.seq).where(feed.c.unit_code == c.unit_code)
                                .order_by(feed.c.seq.desc()).limit(1)).scalar() or 0
            query = select(records.c.type, records.c.id, records.c.rev, records.c.data).where(
                records.c.unit_code == c.unit_code)
            if after:
                query = query.where(or_(records.c.type > kind, and_(records.c.type == kind, records.c.id > rid)))
            rows = conn.execute(query.order_by(records.c.type, records.c.id).limit(limit + 1)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        return {"items": [{"record_type": t, "key": i, "rev": rev, "data": d} for t, i, rev, d in rows],
                "next": f"{rows[-1][0]}:{rows[-1][1]}" if rows else after, "more": more, "feed_seq": head}

    @app.get(f"{API}/health", tags=["ops"])
    def health() -> dict:
        with engine.begin() as conn:
            conn.execute(select(1))
        return {"ok": True, "at": _dt.datetime.now(_dt.timezone.utc).isoformat()}

    return app
