"""The desktop's HTTP client for the central server (requests). Every answer is read as its model from
``sync.protocol`` (the same models the server answers with); every failure becomes a :class:`SyncError`
that says whether trying again later can help, with the server's Thai message when it gave one.

One client holds one log-in session's tokens and is shared by the program's threads (the sync thread, the
desk's network runner for log-in and log-out, the document downloads; never the database worker). A refresh
token works once: the server rotates it, and a spent one presented again ends the whole session (reuse
detection). So the threads share one refresh: it runs under a lock, and a thread whose access token ran out
while another was already renewing it uses the new tokens instead of presenting the spent refresh token again.
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from pydantic import BaseModel, TypeAdapter

from .protocol import (
    API, STAFF_ROLE, AccountInfo, ApprovalResult, CertificateRecorded, ChangeSetOut, ClaimAnswer, ClaimNewsPage,
    DeviceInfo, FeedPage, Licence, LicenceKey, PaymentStatementOut, PushResponse, PushResult, RecordsPage, ReturnAnswer,
    StatementConfirmed, StatementOut, Tokens,
)

M = TypeVar("M", bound=BaseModel)
_ChangeSets = TypeAdapter(list[ChangeSetOut])
_Statements = TypeAdapter(list[StatementOut])


@dataclass
class SyncError(Exception):
    code: str
    message_th: str
    status: int = 0
    retryable: bool = False
    details: dict | None = None

    def __str__(self) -> str:
        return self.message_th

    @property
    def offline(self) -> bool:
        """The server could not be reached: a cut link, a timeout, or a gateway with no server behind it.
        Nothing can be done now; the sync stops and the PC shows "offline"."""
        return self.code == "net.offline" or self.status in (502, 503, 504)

    @property
    def about_the_session(self) -> bool:
        """Not about one request but about every one: the log-in ended or must change its password, or the
        server asks this PC to slow down. The sync stops; no item is blamed."""
        return self.status in (401, 429) or self.code.startswith("auth.")


OFFLINE = "ติดต่อเซิร์ฟเวอร์กลางไม่ได้ (ไม่มีอินเทอร์เน็ตหรือเซิร์ฟเวอร์ไม่ตอบ) งานของท่านเก็บไว้ในเครื่องและจะส่งเมื่อเชื่อมต่อได้"


class CentralClient:
    def __init__(self, base_url: str, session: requests.Session | None = None, timeout: float = 30.0,
                 attempts: int = 3) -> None:
        self.base = base_url.rstrip("/") + API
        self.http = session or requests.Session()
        self.timeout = timeout
        self.attempts = attempts
        self.access_token = ""
        self.refresh_token = ""
        self.account: AccountInfo | None = None  # who this session is (the server's answer to the log-in)
        self._tokens_lock = threading.Lock()   # one refresh at a time, for every thread of this session

    def _set_tokens(self, access: str, refresh: str) -> None:
        with self._tokens_lock:
            self.access_token, self.refresh_token = access, refresh

    # --- plumbing ------------------------------------------------------------------------------------

    def _request(self, method: str, path: str, *, retry: bool = True, **kw) -> requests.Response:
        """One call, retried with backoff and jitter on a cut link or a busy server (the calls are
        idempotent on the server, so a retry never doubles anything). An access token that has run out
        (they live ten minutes) is renewed once — by this thread, or by another that got there first — and
        the call made again with the new one."""
        used = self.access_token
        try:
            return self._request_once(method, path, used, retry=retry, **kw)
        except SyncError as e:
            if e.code != "auth.token" or not self.refresh_token:
                raise
        self._refresh(used)
        return self._request_once(method, path, self.access_token, retry=retry, **kw)

    def _refresh(self, stale: str) -> None:
        """Renew the tokens after ``stale`` (the access token a call was refused with) ran out. Under the lock:
        when another thread has renewed them meanwhile there is nothing to do — its refresh token is spent,
        and presenting it again would end the session for every thread."""
        with self._tokens_lock:
            if self.access_token != stale:
                return  # renewed by another thread while this one waited: use the new tokens
            if not self.refresh_token:
                raise SyncError("auth.refresh", "การเข้าสู่ระบบนี้สิ้นสุดแล้ว กรุณาออกจากระบบแล้วเข้าสู่ระบบใหม่", 401)
            try:
                r = self.http.request("POST", self.base + "/auth/refresh",
                                      json={"refresh_token": self.refresh_token}, timeout=self.timeout)
            except requests.RequestException:
                raise SyncError("net.offline", OFFLINE, retryable=True) from None
            try:
                tokens = Tokens.model_validate_json(self._check(r).content)
            except SyncError as e:
                if not e.retryable:  # refused: the session is over; no thread presents this token again
                    self.refresh_token = ""
                raise
            self.access_token, self.refresh_token = tokens.access_token, tokens.refresh_token

    def _request_once(self, method: str, path: str, token: str, *, retry: bool = True, **kw) -> requests.Response:
        headers = dict(kw.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        tries = self.attempts if retry else 1
        for attempt in range(tries):
            try:
                r = self.http.request(method, self.base + path, headers=headers, timeout=self.timeout, **kw)
            except requests.RequestException:
                if attempt + 1 == tries:
                    raise SyncError("net.offline", OFFLINE, retryable=True) from None
            else:
                if r.status_code not in (502, 503, 504) or attempt + 1 == tries:
                    return self._check(r)
            time.sleep(min(4.0, 0.25 * 2 ** attempt) * (0.5 + random.random()))
        raise AssertionError("unreachable")

    @staticmethod
    def _check(r: requests.Response) -> requests.Response:
        if r.status_code < 400:
            return r
        try:
            body = r.json()
            raise SyncError(body.get("code", f"http.{r.status_code}"), body.get("message_th", ""), r.status_code,
                            retryable=r.status_code >= 500, details=body.get("details"))
        except ValueError:
            raise SyncError(f"http.{r.status_code}", f"เซิร์ฟเวอร์กลางตอบกลับผิดปกติ ({r.status_code})",
                            r.status_code, retryable=r.status_code >= 500) from None

    def _read(self, model: type[M] | TypeAdapter, method: str, path: str, body: Any = None, **kw) -> M:
        """One call whose answer is read as ``model`` (sync.protocol). An answer that is not that model raises
        (ValueError): the caller treats it as an answer it cannot understand, never as data."""
        r = self._request(method, path, json=body, **kw)
        if isinstance(model, TypeAdapter):
            return model.validate_json(r.content)
        return model.model_validate_json(r.content)

    # --- the API ---------------------------------------------------------------------------------------

    def login(self, username: str, password: str, card_cid: str) -> Tokens:
        tokens = self._read(Tokens, "POST", "/auth/login",
                            {"username": username, "password": password, "card_cid": card_cid}, retry=False)
        if tokens.account.role == STAFF_ROLE:  # NHSO's staff work on the central server, never in a unit's program
            raise SyncError("auth.staff", "บัญชีเจ้าหน้าที่ สปสช. ใช้กับโปรแกรมของหน่วยงานไม่ได้ "
                            "กรุณาใช้บัญชีเจ้าหน้าที่ของหน่วยงาน", 403)
        self._set_tokens(tokens.access_token, tokens.refresh_token)
        self.account = tokens.account
        return tokens

    def change_password(self, old: str, new: str) -> None:
        self._request("POST", "/auth/password", json={"old_password": old, "new_password": new}, retry=False)

    def logout(self) -> None:
        self._request("POST", "/auth/logout", retry=False)
        self._set_tokens("", "")
        self.account = None

    def return_changeset(self, cs_id: str, reason: str) -> ReturnAnswer:
        return self._read(ReturnAnswer, "POST", f"/changesets/{cs_id}/return", {"reason": reason})

    def enrol(self, public_key_b64: str, label: str) -> str:
        """This PC's public key enrolled: the server's name for this PC (its device id)."""
        return self._read(DeviceInfo, "POST", "/devices", {"public_key": public_key_b64, "label": label}).device_id

    def push(self, changesets: list[dict]) -> list[PushResult]:
        return self._read(PushResponse, "POST", "/changesets", {"changesets": changesets}).results

    def approve(self, approval: dict) -> ApprovalResult:
        return self._read(ApprovalResult, "POST", "/approvals", approval)

    def licence(self, installation_id: str, version: str) -> Licence:
        return self._read(Licence, "POST", "/licence", {"installation_id": installation_id, "client_version": version})

    def licence_key(self) -> LicenceKey:
        return self._read(LicenceKey, "GET", "/licence/key")

    def staged(self, state: str) -> list[ChangeSetOut]:
        return self._read(_ChangeSets, "GET", "/changesets", params={"state": state})

    def records(self, after: str = "", limit: int = 2000) -> RecordsPage:
        return self._read(RecordsPage, "GET", "/records", params={"after": after, "limit": limit})

    def feed(self, since: int, limit: int = 500) -> FeedPage:
        return self._read(FeedPage, "GET", "/feed", params={"since": since, "limit": limit})

    def statements(self, brief: bool = True) -> list[StatementOut]:
        return self._read(_Statements, "GET", "/statements", params={"brief": "true" if brief else "false"})

    def statement(self, statement_id: str) -> StatementOut:
        return self._read(StatementOut, "GET", f"/statements/{statement_id}")

    def confirm_statement(self, statement_id: str) -> StatementConfirmed:
        return self._read(StatementConfirmed, "POST", f"/statements/{statement_id}/confirm")

    def push_claim(self, payload: dict) -> ClaimAnswer:
        """A finance officer's submitted claim (the outbox item's payload: {author_cid, claim})."""
        return self._read(ClaimAnswer, "POST", "/claims", payload)

    def claims_feed(self, since: int, limit: int = 500) -> ClaimNewsPage:
        return self._read(ClaimNewsPage, "GET", "/claims/feed", params={"since": since, "limit": limit})

    def payment(self, statement_id: str) -> PaymentStatementOut:
        return self._read(PaymentStatementOut, "GET", f"/claims/payments/{statement_id}")

    def record_certificate(self, certificate: dict) -> CertificateRecorded:
        """A certificate of entitlement issued on this PC (idempotent by its number)."""
        return self._read(CertificateRecorded, "POST", "/certificates", certificate)

    def put_blob(self, sha: str, data: bytes, chunk: int = 256 * 1024) -> None:
        """Upload, resuming where the server says it stopped."""
        done, offset = self._head_offset(sha)
        while not done:
            piece = data[offset:offset + chunk]
            r = self._request("PUT", f"/blobs/{sha}", data=piece,
                              headers={"Content-Range": f"bytes {offset}-{offset + len(piece) - 1}/{len(data)}"})
            offset = int(r.headers.get("Upload-Offset", offset + len(piece)))
            done = r.status_code == 201

    def get_blob(self, sha: str) -> bytes:
        return self._request("GET", f"/blobs/{sha}").content

    def _head_offset(self, sha: str) -> tuple[bool, int]:
        """(complete, bytes the server has). A HEAD has no body, so a 404 here is an answer, not an error."""
        for attempt in (0, 1):
            used = self.access_token
            try:
                r = self.http.head(self.base + f"/blobs/{sha}", timeout=self.timeout,
                                   headers={"Authorization": f"Bearer {used}"})
            except requests.RequestException:
                raise SyncError("net.offline", OFFLINE, retryable=True) from None
            if r.status_code != 401 or not self.refresh_token or attempt:
                break
            self._refresh(used)  # the access token ran out: renew it (once per session) and ask again
        if r.status_code == 200:
            return True, int(r.headers.get("Upload-Offset", "0"))
        if r.status_code == 404:
            return False, int(r.headers.get("Upload-Offset", "0"))
        self._check(r)
        return False, 0
