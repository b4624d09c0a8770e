"""One sync of a working copy with the central server: attachments → change sets and approvals → the feed.

What this PC owes the server waits in the outbox (in the encrypted store), each item with its sync state
(queued, uploading, synced, error, conflict). Every request is idempotent on the server, so a sync cut at
any point — before, during or after a request, or after the server committed but before its answer
arrived — is finished by the next one without doubling anything. A feed page is applied in one local
transaction together with the cursor, so a crash never applies half a page or skips one.

A cut link (no answer, a timeout, a gateway with no server behind it) or a log-in that ended stops the sync:
nothing can be sent now. Anything else that goes wrong with one item — the server fails on it (a 500), its
attachment cannot be read, its answer makes no sense — is that item's alone: the item keeps its Thai reason
and waits (:data:`FIRST_WAIT`, doubling, at most :data:`LONGEST_WAIT`) while the rest of the sync goes on —
the other items, then the pull. Later items of the same change set wait behind it, so the server never sees
them out of order. :meth:`SyncEngine.sync_problems` says which items wait and why (the window shows them).
"""
from __future__ import annotations

import base64
import datetime as _dt
import json
import logging
from dataclasses import dataclass, field
from typing import Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from app import changeset as csmod
from app.changeset import ChangeSet, ReviewState
from app.offline import remember
from app.records import from_dict
from app.statements import Statement
from app.store import AttachmentStore, RegisterStore, StoreProblem
from app.store.db import write_tally
from app.thai import format_date_short

from .client import CentralClient, SyncError
from .licence import Check, LicenceState, check

log = logging.getLogger(__name__)

# refusals to queue behind: the item stays queued (closed for processing; a document not yet on the server)
RETRY_LATER = {"calendar.closed", "changeset.evidence_missing"}
FIRST_WAIT = _dt.timedelta(minutes=1)   # an item the server failed on is tried again after this,
LONGEST_WAIT = _dt.timedelta(hours=1)   # doubling with each failure in a row, never waiting longer than this
UNEXPECTED = "เกิดข้อผิดพลาดที่ไม่คาดคิดขณะส่งรายการนี้ (หากเกิดซ้ำ กรุณาแจ้งผู้ดูแลระบบ)"


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat()


def _utcnow() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


def _stamp(when: _dt.datetime) -> str:
    """One fixed form, so that times compare as text in SQL."""
    return when.astimezone(_dt.timezone.utc).isoformat(timespec="microseconds")


def wait_after(failures: int) -> _dt.timedelta:
    """How long an item waits after its n-th failure in a row: 1, 2, 4, … minutes, at most an hour."""
    return min(LONGEST_WAIT, FIRST_WAIT * 2 ** min(max(failures, 1) - 1, 20))


def _reason(e: BaseException) -> str:
    """What the officer reads about an item that failed (never an exception's own text: it may hold data)."""
    if isinstance(e, SyncError):
        if e.status >= 500 and (not e.message_th or e.code.startswith("http.")):
            return f"เซิร์ฟเวอร์กลางขัดข้องขณะรับรายการนี้ (รหัส {e.status})"
        return e.message_th or f"เซิร์ฟเวอร์กลางไม่รับรายการนี้ (รหัส {e.status})"
    if isinstance(e, StoreProblem):
        return str(e)
    return UNEXPECTED


@dataclass(frozen=True)
class SyncProblem:
    """An outbox item that is not on the server, and why: waiting to be tried again (``retry_at``), or refused
    by the server for good (``retry_at`` None)."""

    item_id: str
    kind: str                 # push | return | approve | confirm
    changeset_id: str         # "" for a statement's confirmation
    title: str                # what the officer recognises it by
    reason_th: str
    retry_at: _dt.datetime | None

    @property
    def what_th(self) -> str:
        return {"push": f"«{self.title}»", "return": f"ส่งกลับ «{self.title}»",
                "approve": f"อนุมัติ «{self.title}»"}.get(self.kind, self.title)


@dataclass
class SyncReport:
    pushed: int = 0
    approved: int = 0
    returned: int = 0
    pulled: int = 0
    fetched: int = 0      # attachments downloaded for review
    statements: int = 0   # statements downloaded (new, or confirmed since)
    confirmed: int = 0    # statement confirmations sent
    errors: list[str] = field(default_factory=list)   # Thai, for the status line
    offline: bool = False
    held: int = 0         # items that failed on their own this time and wait to be tried again
    complete: bool = False  # the sync went all the way through the pull: this PC has what the server has


class SyncEngine:
    def __init__(self, register: RegisterStore, client: CentralClient,
                 attachments: AttachmentStore | None = None, page_size: int = 500) -> None:
        self.register = register
        self.conn = register.conn
        self.client = client
        self.attachments = attachments
        self.page_size = page_size
        self.clock: Callable[[], _dt.datetime] = _utcnow   # when an item may be tried again (tests move it)

    # --- local bookkeeping -------------------------------------------------------------------------

    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, conn, key: str, value: str) -> None:
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     (key, value))

    @property
    def cursor(self) -> int:
        return int(self._meta("feed_cursor") or 0)

    def _enqueue_in(self, conn, item_id: str, kind: str, cs_id: str, payload: dict) -> None:
        """Owe an item to the server, inside the caller's transaction: whatever the item is about is saved in
        the same transaction, so a crash leaves both or neither (never a change set that is never sent)."""
        conn.execute(
            "INSERT INTO outbox (id, kind, changeset_id, payload, sync_state, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, 'queued', ?, ?) ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, "
            "sync_state = 'queued', updated_at = excluded.updated_at, failures = 0, next_try_at = '', "
            "last_error = ''",
            (item_id, kind, cs_id, json.dumps(payload, ensure_ascii=False), _now(), _now()))

    def _save_and_enqueue(self, cs: ChangeSet, item_id: str, kind: str, payload: dict) -> None:
        with self.register.wc.transaction() as conn:
            self.register.save_changeset_in(conn, cs)
            self._enqueue_in(conn, item_id, kind, cs.id, payload)
        self._tally()

    def queue_push(self, cs: ChangeSet) -> None:
        """After a submit, resubmit or cancel: keep it locally and owe it to the server (one transaction)."""
        self.queue_pushes([cs])

    def queue_pushes(self, changesets: list[ChangeSet]) -> None:
        """Several change sets that belong together (a merge: the old one cancelled, the merged one submitted),
        kept and owed to the server in one transaction."""
        with self.register.wc.transaction() as conn:
            for cs in changesets:
                self.register.save_changeset_in(conn, cs)
                self._enqueue_in(conn, f"push:{cs.id}:{len(cs.history)}", "push", cs.id, csmod.to_json(cs))
        self._tally()

    def login(self, username: str, password: str, card_cid: str) -> dict:
        """Log in online and remember this officer for an offline log-in later (app.offline)."""
        tokens = self.client.login(username, password, card_cid)
        self.remember(username, password, tokens["account"])
        return tokens

    def remember(self, username: str, password: str, account: dict) -> None:
        with self.register.wc.transaction() as conn:
            remember(conn, username, password, account["cid"], account["name"], account["role"],
                     account["unit_code"], _dt.datetime.now(_dt.timezone.utc))

    def queue_return(self, cs: ChangeSet) -> None:
        """The registrar sent it back with a reason (cs.return_ done): owe that to the server."""
        self._save_and_enqueue(cs, f"return:{cs.id}:{len(cs.history)}", "return",
                               {"changeset_id": cs.id, "reason": cs.return_reason})

    # --- statements (confirmation rounds) ------------------------------------------------------------

    def statements(self) -> list[Statement]:
        """The unit's statements this PC holds, newest first (readable offline)."""
        rows = self.conn.execute("SELECT value FROM meta WHERE key LIKE 'statement:%'").fetchall()
        return sorted((Statement.from_json(json.loads(v)) for (v,) in rows), key=lambda s: s.as_of, reverse=True)

    def statement_key(self) -> bytes | None:
        """The central server's public key (kept with the licence): statements are checked against it."""
        key = self._meta("licence_key")
        return base64.b64decode(key) if key else None

    def queue_confirm(self, st: Statement) -> None:
        """The registrar confirmed the statement (after card and PIN): owe that to the server."""
        st.confirm_queued = True
        with self.register.wc.transaction() as conn:
            self._keep_statement(conn, st)
            self._enqueue_in(conn, f"confirm:{st.id}", "confirm", "", {"statement_id": st.id})
        self._tally()

    def _held_statement(self, sid: str) -> Statement | None:
        raw = self._meta(f"statement:{sid}")
        return Statement.from_json(json.loads(raw)) if raw else None

    def _keep_statement(self, conn, st: Statement) -> None:
        self._set_meta(conn, f"statement:{st.id}", json.dumps(st.to_json(), ensure_ascii=False))

    def _unqueue_confirm(self, sid: str) -> None:
        with self.register.wc.transaction() as conn:
            st = self._held_statement(sid)
            if st is not None:
                st.confirm_queued = False
                self._keep_statement(conn, st)

    def _wanted_statements(self) -> list[str]:
        return json.loads(self._meta("statements_wanted") or "[]")

    def _want_statements(self, conn, ids: list[str]) -> None:
        self._set_meta(conn, "statements_wanted", json.dumps(sorted(set(self._wanted_statements()) | set(ids))))

    def _fetch_statements(self, report: SyncReport) -> None:
        """Statements the feed announced (issued or confirmed): each fetched whole and kept with its state."""
        for sid in self._wanted_statements():
            try:
                data = self.client.statement(sid)
            except SyncError as e:
                if e.offline or e.about_the_session:
                    raise
                report.errors.append(str(e))
                if e.retryable:
                    continue  # the server failed on this one: asked again at the next sync
                data = None  # no longer this unit's (e.g. withdrawn): stop asking
            with self.register.wc.transaction() as conn:
                if data is not None:
                    held, st = self._held_statement(sid), Statement.from_json(data)
                    st.confirm_queued = bool(held and held.confirm_queued) and not st.confirmed_by
                    self._keep_statement(conn, st)
                    report.statements += 1
                left = [w for w in self._wanted_statements() if w != sid]
                self._set_meta(conn, "statements_wanted", json.dumps(left))

    # --- the yearly licence -----------------------------------------------------------------------------

    def renew_licence(self, installation_id: str, version: str) -> None:
        """When online: fetch this installation's licence and the server's key, keep both in the store."""
        issued = self.client.licence(installation_id, version)
        key = self.client.licence_key()
        with self.register.wc.transaction() as conn:
            self._set_meta(conn, "licence_token", issued["token"])
            self._set_meta(conn, "licence_key", key)

    def licence(self, installation_id: str, version: str, today: _dt.date) -> Check:
        """Checked offline, from what the last renewal kept."""
        token, key = self._meta("licence_token"), self._meta("licence_key")
        if not token or not key:
            return Check(LicenceState.INVALID, "เครื่องนี้ยังไม่มีใบอนุญาตใช้งาน กรุณาเชื่อมต่ออินเทอร์เน็ตแล้วเปิดโปรแกรมอีกครั้ง")
        return check(token, base64.b64decode(key), installation_id, today, version)

    def device_key(self) -> Ed25519PrivateKey:
        """This PC's signing key, made once and kept in the encrypted store."""
        raw = self._meta("device_key")
        if raw is None:
            key = Ed25519PrivateKey.generate()
            with self.register.wc.transaction() as conn:
                self._set_meta(conn, "device_key", key.private_bytes(Encoding.Raw, PrivateFormat.Raw,
                                                                      NoEncryption()).hex())
            return key
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(raw))

    def enrol(self, label: str = "") -> str:
        """Register this PC's public key with the server (at the first online log-in)."""
        device_id = self._meta("device_id")
        if device_id:
            return device_id
        public = self.device_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        device_id = self.client.enrol(base64.b64encode(public).decode(), label)
        with self.register.wc.transaction() as conn:
            self._set_meta(conn, "device_id", device_id)
        return device_id

    def queue_approval(self, cs: ChangeSet, approved_at: _dt.datetime | None = None) -> None:
        """Sign the approval on this PC — offline is fine — and owe it to the server."""
        device_id = self._meta("device_id")
        if not device_id:
            raise SyncError("device.not_enrolled", "เครื่องนี้ยังไม่ได้ลงทะเบียนกับเซิร์ฟเวอร์กลาง "
                                                   "กรุณาเข้าสู่ระบบขณะออนไลน์หนึ่งครั้งก่อนอนุมัติแบบออฟไลน์")
        signature = base64.b64encode(self.device_key().sign(csmod.canonical_digest(cs))).decode()
        when = approved_at or _dt.datetime.now(_dt.timezone.utc)
        self._save_and_enqueue(cs, f"approve:{cs.id}", "approve", {
            "changeset_id": cs.id, "device_id": device_id, "approved_at": when.isoformat(), "signature": signature})

    def pending_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM outbox WHERE sync_state IN ('queued', 'uploading')"
                                 ).fetchone()[0]

    def _tally(self) -> None:
        """Keep the plain tally beside the copy (app.store.db.write_tally) in step with the outbox."""
        write_tally(self.register.wc.path, self.pending_count())

    def _mark(self, item_id: str, state: str, error: str = "", answer: dict | None = None) -> None:
        if state in ("uploading", "queued") and not error:
            # on its way, or back in the queue (a cut link): the reason of an earlier failure still stands
            with self.register.wc.transaction() as conn:
                conn.execute("UPDATE outbox SET sync_state = ?, updated_at = ? WHERE id = ?", (state, _now(), item_id))
            if state != "uploading":
                self._tally()
            return
        with self.register.wc.transaction() as conn:
            conn.execute("UPDATE outbox SET sync_state = ?, last_error = ?, answer = ?, attempts = attempts + 1, "
                         "updated_at = ? WHERE id = ?",
                         (state, error, json.dumps(answer, ensure_ascii=False) if answer else "", _now(), item_id))
        if state != "uploading":
            self._tally()

    def _hold(self, item_id: str, reason: str) -> _dt.datetime:
        """The item failed on its own: it stays owed (queued) with its reason, and waits longer each time."""
        with self.register.wc.transaction() as conn:
            [(failures,)] = conn.execute(
                "UPDATE outbox SET sync_state = 'queued', last_error = ?, failures = failures + 1, "
                "attempts = attempts + 1, updated_at = ? WHERE id = ? RETURNING failures",
                (reason, _now(), item_id)).fetchall()
            retry_at = self.clock() + wait_after(failures)
            conn.execute("UPDATE outbox SET next_try_at = ? WHERE id = ?", (_stamp(retry_at), item_id))
        self._tally()
        return retry_at

    def sync_problems(self) -> list[SyncProblem]:
        """What this PC owes the server and could not deliver, oldest first: items waiting to be tried again,
        and the newest item of a change set when the server refused it for good."""
        rows = self.conn.execute(
            "SELECT o.id, o.kind, o.changeset_id, o.payload, o.sync_state, o.last_error, o.next_try_at, c.title "
            "FROM outbox o LEFT JOIN changesets c ON c.id = o.changeset_id "
            "WHERE (o.sync_state IN ('queued', 'uploading') AND o.failures > 0) "
            "OR (o.sync_state = 'error' AND o.changeset_id != '' AND NOT EXISTS (SELECT 1 FROM outbox later "
            "WHERE later.changeset_id = o.changeset_id AND later.created_at > o.created_at)) "
            "ORDER BY o.created_at").fetchall()
        problems = []
        for item_id, kind, cs_id, payload, state, error, next_try, title in rows:
            if kind == "confirm":
                st = self._held_statement(json.loads(payload).get("statement_id", ""))
                title = f"ยืนยันบัญชีรายชื่อ ณ วันที่ {format_date_short(st.as_of)}" if st else "ยืนยันบัญชีรายชื่อ"
            retry_at = _dt.datetime.fromisoformat(next_try) if state != "error" and next_try else None
            problems.append(SyncProblem(item_id, kind, cs_id, title or cs_id[:8], error or UNEXPECTED, retry_at))
        return problems

    # --- one sync -------------------------------------------------------------------------------------

    def sync_once(self, progress: Callable[[str, int, int], None] | None = None,
                  retry_held: bool = False) -> SyncReport:
        """``retry_held``: also send the items still waiting after a failure (the officer pressed "sync now")."""
        report = SyncReport()
        try:
            self._send(report, progress, retry_held)
            self._pull(report, progress)
            self._fetch_statements(report)
            self._fetch_evidence(report, progress)
            report.complete = True
        except SyncError as e:
            report.offline = e.offline
            report.errors.append(str(e))
        self._tally()  # also on a PC that never queued anything: "nothing unsent" is worth knowing if the key is lost
        return report

    def _due(self, kind: str, retry_held: bool = False) -> list[tuple[str, str, dict]]:
        """Items of ``kind`` to send now, oldest first: not those waiting after a failure, nor those queued behind
        an item of the same change set that waits."""
        now = _stamp(self.clock())
        rows = self.conn.execute(
            "SELECT id, changeset_id, payload FROM outbox o WHERE kind = ? AND sync_state IN ('queued', 'uploading') "
            "AND (? OR (next_try_at <= ? AND NOT EXISTS (SELECT 1 FROM outbox w WHERE w.changeset_id = o.changeset_id "
            "AND o.changeset_id != '' AND w.sync_state IN ('queued', 'uploading') AND w.next_try_at > ?))) "
            "ORDER BY created_at", (kind, retry_held, now, now)).fetchall()
        return [(i, cs_id, payload) for i, cs_id, p in rows if self._ours(kind, payload := json.loads(p))]

    def _ours(self, kind: str, payload: dict) -> bool:
        """Whether this session may send the item. On a shared PC the outbox holds the work of everyone who
        uses it: an officer's submission goes out under that officer's own log-in, the registrar's acts under
        the registrar's; the rest waits, queued, for its own officer (sent under another's account the
        server would refuse it)."""
        account = self.client.account
        if account is None:
            return True
        if kind == "push":
            return payload.get("author_cid") == account.get("cid")
        return account.get("role") == "registrar"

    def _attempt(self, report: SyncReport, item_id: str, cs_id: str, held: set[str], send: Callable[[], None]) -> None:
        """Send one item. A cut link or an ended log-in stops the sync (the item stays queued); any other failure
        is the item's alone: it keeps its reason and waits, and the sync goes on without it."""
        if cs_id and cs_id in held:
            return  # an earlier item of this change set failed just now: keep the server's order
        self._mark(item_id, "uploading")
        try:
            send()
        except SyncError as e:
            if e.offline or e.about_the_session:
                self._mark(item_id, "queued")  # still owed; the next sync sends it (the server replays its answer)
                raise
            self._held_back(report, item_id, cs_id, held, e)
        except Exception as e:  # noqa: BLE001 — whatever it was, it is this item's: the sync goes on
            self._held_back(report, item_id, cs_id, held, e)

    def _held_back(self, report: SyncReport, item_id: str, cs_id: str, held: set[str], e: BaseException) -> None:
        reason = _reason(e)
        self._hold(item_id, reason)
        log.warning("outbox item %s held back after %s (%s)", item_id, type(e).__name__,
                    getattr(e, "code", ""))  # the item's id and the error's kind: no data, no message
        if cs_id:
            held.add(cs_id)
        report.held += 1
        report.errors.append(reason)

    def _upload_blobs(self, pushes: list[tuple[str, str, dict]], report: SyncReport, held: set[str],
                      progress) -> None:
        """The documents of the change sets about to be pushed. A document that fails holds back the change
        sets that need it, and only those."""
        if self.attachments is None:
            return
        needs: dict[str, list[tuple[str, str]]] = {}
        for item_id, cs_id, payload in pushes:
            for sha in payload.get("evidence", []):
                needs.setdefault(sha, []).append((item_id, cs_id))
        for n, sha in enumerate(sorted(needs), start=1):
            waiting = [(i, c) for i, c in needs[sha] if c not in held]
            if not waiting:
                continue
            try:
                self.client.put_blob(sha, self.attachments.get(sha))
            except SyncError as e:
                if e.offline or e.about_the_session:
                    raise
                for item_id, cs_id in waiting:
                    self._held_back(report, item_id, cs_id, held, e)
            except Exception as e:  # noqa: BLE001 — e.g. the document cannot be read here: its change sets wait
                for item_id, cs_id in waiting:
                    self._held_back(report, item_id, cs_id, held, e)
            if progress:
                progress("blobs", n, len(needs))

    def _fetch_evidence(self, report: SyncReport, progress) -> None:
        """The documents attached to change sets still under review, so the registrar can look at them offline.
        Each is checked against its SHA-256 before it is kept (encrypted, like every attachment here)."""
        if self.attachments is None:
            return
        waiting = self.register.changesets(self.register.wc.unit_code, [ReviewState.PENDING, ReviewState.RETURNED])
        wanted = {sha: cs.evidence_labels.get(sha, "") for cs in waiting for sha in cs.evidence}
        missing = sorted(sha for sha in wanted if not self.attachments.has(sha))
        for n, sha in enumerate(missing, start=1):
            try:
                data = self.client.get_blob(sha)
            except SyncError as e:
                if e.offline or e.about_the_session:
                    raise
                report.errors.append(str(e))  # this one is downloaded again at the next sync
                continue
            try:
                self.attachments.put(data, wanted[sha], expected_sha=sha)
            except StoreProblem as e:  # not kept: the next sync downloads it again
                report.errors.append(str(e))
                continue
            report.fetched += 1
            if progress:
                progress("evidence", n, len(missing))

    def _send(self, report: SyncReport, progress, retry_held: bool = False) -> None:
        held: set[str] = set()  # change sets with an item that failed in this sync: their later items wait
        pushes = self._due("push", retry_held)
        self._upload_blobs(pushes, report, held, progress)
        for n, (item_id, cs_id, payload) in enumerate(pushes, start=1):
            self._attempt(report, item_id, cs_id, held, lambda: self._push(report, item_id, payload))
            if progress:
                progress("changesets", n, len(pushes))
        for item_id, cs_id, payload in self._due("return", retry_held):
            self._attempt(report, item_id, cs_id, held, lambda: self._return(report, item_id, cs_id, payload))
        for item_id, cs_id, payload in self._due("approve", retry_held):
            self._attempt(report, item_id, cs_id, held, lambda: self._approve(report, item_id, payload))
        for item_id, _none, payload in self._due("confirm", retry_held):
            self._attempt(report, item_id, "", held, lambda: self._confirm(report, item_id, payload))

    @staticmethod
    def _refused_whole(e: SyncError) -> bool:
        """The server refused the request itself (4xx: too large, not valid, not allowed): sending the same
        again cannot help. Not a log-in that ended (that stops the sync) nor a fault of the server's (5xx)."""
        return 400 <= e.status < 500 and not e.about_the_session

    def _push(self, report: SyncReport, item_id: str, payload: dict) -> None:
        try:
            [result] = self.client.push([payload])
        except SyncError as e:
            if not self._refused_whole(e):
                raise
            self._mark(item_id, "error", _reason(e))
            report.errors.append(_reason(e))
            return
        if result["status"] == "accepted":
            self._mark(item_id, "synced", answer=result)
            report.pushed += 1
        elif result.get("code") in RETRY_LATER:
            self._mark(item_id, "queued", result.get("message_th", ""), result)
            report.errors.append(result.get("message_th", ""))
        else:
            self._mark(item_id, "error", result.get("message_th", ""), result)
            report.errors.append(result.get("message_th", ""))
            self._send_back(payload, result.get("message_th", ""))

    def _send_back(self, payload: dict, reason: str) -> None:
        """A submission the server refuses outright goes back to its author as returned, with the server's
        reason, so it can be corrected and sent again (a pending change set cannot be edited)."""
        cs = csmod.from_json(payload)
        if cs.state is not ReviewState.PENDING:
            return
        cs.rejected(reason or "เซิร์ฟเวอร์กลางไม่รับชุดการเปลี่ยนแปลงนี้")
        with self.register.wc.transaction() as conn:
            self.register.save_changeset_in(conn, cs)

    def _return(self, report: SyncReport, item_id: str, cs_id: str, payload: dict) -> None:
        try:
            self.client.return_changeset(cs_id, payload["reason"])
        except SyncError as e:
            if not self._refused_whole(e):
                raise
            if e.code == "changeset.state":  # already returned (our earlier try): done
                self._mark(item_id, "synced")
                return
            self._mark(item_id, "error", str(e))
            report.errors.append(str(e))
            return
        self._mark(item_id, "synced")
        report.returned += 1

    def _approve(self, report: SyncReport, item_id: str, payload: dict) -> None:
        try:
            answer = self.client.approve(payload)
        except SyncError as e:
            if e.code in RETRY_LATER:  # e.g. the register is closed for processing: it waits, queued
                self._mark(item_id, "queued", str(e))
                report.errors.append(str(e))
                return
            if not self._refused_whole(e):
                raise
            self._mark(item_id, "error", str(e))
            report.errors.append(str(e))
            return
        reasons = "; ".join(answer.get("reasons_th", []))
        if answer["status"] == "refused":  # not taken at all: said, and kept as refused
            self._mark(item_id, "error", reasons or answer.get("code", ""), answer)
            report.errors.append(reasons or answer.get("code", ""))
            return
        # applied, or answered invalid: the change set comes back through the feed either way
        state = "conflict" if answer["status"] == "conflict" else "synced"
        self._mark(item_id, state, reasons, answer)
        report.approved += 1

    def _confirm(self, report: SyncReport, item_id: str, payload: dict) -> None:
        try:
            self.client.confirm_statement(payload["statement_id"])
        except SyncError as e:
            if not self._refused_whole(e):
                raise
            self._mark(item_id, "error", str(e))
            self._unqueue_confirm(payload["statement_id"])  # refused: the statement is not confirmed after all
            report.errors.append(str(e))
            return
        self._mark(item_id, "synced")  # the feed brings the statement back, confirmed
        report.confirmed += 1

    def _bootstrap(self, report: SyncReport, progress) -> None:
        """An empty working copy starts from the unit's whole register, then follows the feed from where the
        download began (a change during the download comes again through the feed: same revision, no harm)."""
        after, page_no, feed_seq = "", 0, None
        while True:
            page = self.client.records(after)
            feed_seq = page["feed_seq"] if feed_seq is None else feed_seq
            page_no += 1
            items = [(from_dict(i["record_type"], i["data"]), i["rev"]) for i in page["items"]]
            with self.register.wc.transaction() as conn:
                self.register.put_in(conn, items, recompute=False)
                self._set_meta(conn, "bootstrap_after", page["next"])
            report.pulled += len(items)
            if progress:
                progress("records", page_no, page_no + (1 if page["more"] else 0))
            if not page["more"]:
                break
            after = page["next"]
        self.register.recompute_all()
        # Change sets still under review are not in the register: the unit's staging area has them.
        staged = [csmod.from_json(c) for state in ("pending", "returned") for c in self.client.staged(state)]
        known_statements = self.client.statements(brief=True)
        with self.register.wc.transaction() as conn:
            for cs in staged:
                self.register.save_changeset_in(conn, cs)
            report.pulled += len(staged)
            self._want_statements(conn, [st["id"] for st in known_statements])
            self._set_meta(conn, "feed_cursor", str(feed_seq))

    def _pull(self, report: SyncReport, progress) -> None:
        if self._meta("feed_cursor") is None:
            self._bootstrap(report, progress)
        page_no = 0
        while True:
            page = self.client.feed(self.cursor, self.page_size)
            page_no += 1
            self._apply_page(page)
            report.pulled += len(page["items"])
            if progress:
                progress("feed", page_no, page_no + (1 if page["more"] else 0))
            if not page["more"]:
                return

    def _apply_page(self, page: dict) -> None:
        """Records, change-set states and the new cursor: all in one transaction."""
        records = [(from_dict(i["record_type"], i["data"]), i["rev"]) for i in page["items"] if i["kind"] == "record"]
        with self.register.wc.transaction() as conn:
            if records:
                self.register.put_in(conn, records)
            for item in page["items"]:
                if item["kind"] == "changeset":
                    self._changeset_state(conn, item["key"], item["data"])
            announced = [i["key"] for i in page["items"] if i["kind"] == "statement"]
            if announced:
                self._want_statements(conn, announced)
            self._set_meta(conn, "feed_cursor", str(page["next_seq"]))

    def _changeset_state(self, conn, cs_id: str, data: dict) -> None:
        full = data.get("changeset")
        if full is not None:
            body = {**full, "state": data["state"]}
        else:
            row = conn.execute("SELECT data FROM changesets WHERE id = ?", (cs_id,)).fetchone()
            if row is None:
                return  # a change set this PC never saw whole: nothing to show
            body = {**json.loads(row[0]), "state": data["state"], "return_reason": data.get("reason", "")}
        self.register.save_changeset_in(conn, csmod.from_json(body))
