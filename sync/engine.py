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

from app import changeset as csmod
from app.changeset import ChangeSet, ReviewState
from app.offline import remember
from app.records import from_dict
from app.statements import Statement
from app.store import AttachmentStore, RegisterStore, StoreProblem, meta
from app.store.device import DeviceSigner
from app.store.outbox import (  # noqa: F401 — FIRST_WAIT, LONGEST_WAIT, wait_after: the waits, named here too
    FIRST_WAIT, LONGEST_WAIT, UNEXPECTED, Item, Kind, Outbox, State, SyncProblem, wait_after,
)
from app.store.statements import SERVER_KEY, StatementStore

from .client import CentralClient, SyncError
from .licence import Check, LicenceState, check

log = logging.getLogger(__name__)

# refusals to queue behind: the item stays queued (closed for processing; a document not yet on the server)
RETRY_LATER = {"calendar.closed", "changeset.evidence_missing"}
def _reason(e: BaseException) -> str:
    """What the officer reads about an item that failed (never an exception's own text: it may hold data)."""
    if isinstance(e, SyncError):
        if e.status >= 500 and (not e.message_th or e.code.startswith("http.")):
            return f"เซิร์ฟเวอร์กลางขัดข้องขณะรับรายการนี้ (รหัส {e.status})"
        return e.message_th or f"เซิร์ฟเวอร์กลางไม่รับรายการนี้ (รหัส {e.status})"
    if isinstance(e, StoreProblem):
        return str(e)
    return UNEXPECTED


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
    """Delivers what the outbox owes (documents → change sets, returns, approvals, confirmations, in that order),
    then pulls the feed. What is owed is written by the officers' actions (app.usecases), never here."""

    def __init__(self, register: RegisterStore, client: CentralClient,
                 attachments: AttachmentStore | None = None, page_size: int = 500) -> None:
        self.register = register
        self.conn = register.conn
        self.client = client
        self.attachments = attachments
        self.page_size = page_size
        wc = register.wc
        self.outbox = Outbox(wc)
        self.held_statements = StatementStore(wc)
        self.signer = DeviceSigner(wc)
        # One row per kind of outbox item, in the order they go out: who may send it, and how.
        self.handlers: dict[Kind, tuple[Callable[[dict], bool], Callable[[SyncReport, Item], None]]] = {
            Kind.PUSH: (self._author_sends, self._push),
            Kind.RETURN: (self._registrar_sends, self._return),
            Kind.APPROVE: (self._registrar_sends, self._approve),
            Kind.CONFIRM: (self._registrar_sends, self._confirm),
        }

    @property
    def clock(self) -> Callable[[], _dt.datetime]:
        """When an item may be tried again (tests move it)."""
        return self.outbox.clock

    @clock.setter
    def clock(self, value: Callable[[], _dt.datetime]) -> None:
        self.outbox.clock = value

    @property
    def cursor(self) -> int:
        return int(meta.get(self.conn, "feed_cursor") or 0)

    def pending_count(self) -> int:
        return self.outbox.pending_count()

    def sync_problems(self) -> list[SyncProblem]:
        """What this PC owes the server and could not deliver (app.store.outbox.Outbox.problems)."""
        return self.outbox.problems(self.held_statements.title_of_confirm)

    # --- kept until the window and the tests owe items through app.usecases ------------------------------

    def queue_push(self, cs: ChangeSet) -> None:
        self.queue_pushes([cs])

    def queue_pushes(self, changesets: list[ChangeSet]) -> None:
        from app.usecases.registry import owe_push_in
        with self.register.wc.transaction() as conn:
            for cs in changesets:
                owe_push_in(conn, self._desk(), cs)
        self.outbox.tally()

    def queue_return(self, cs: ChangeSet) -> None:
        with self.register.wc.transaction() as conn:
            self.register.save_changeset_in(conn, cs)
            self.outbox.owe_in(conn, f"return:{cs.id}:{len(cs.history)}", Kind.RETURN, cs.id,
                               {"changeset_id": cs.id, "reason": cs.return_reason})
        self.outbox.tally()

    def queue_approval(self, cs: ChangeSet, approved_at: _dt.datetime | None = None) -> None:
        device_id, signature = self.signer.sign(csmod.canonical_digest(cs))
        when = approved_at or _dt.datetime.now(_dt.timezone.utc)
        with self.register.wc.transaction() as conn:
            self.register.save_changeset_in(conn, cs)
            self.outbox.owe_in(conn, f"approve:{cs.id}", Kind.APPROVE, cs.id, {
                "changeset_id": cs.id, "device_id": device_id, "approved_at": when.isoformat(),
                "signature": signature})
        self.outbox.tally()

    def queue_confirm(self, st: Statement) -> None:
        st.confirm_queued = True
        with self.register.wc.transaction() as conn:
            self.held_statements.keep_in(conn, st)
            self.outbox.owe_in(conn, f"confirm:{st.id}", Kind.CONFIRM, "", {"statement_id": st.id})
        self.outbox.tally()

    def statements(self) -> list[Statement]:
        return self.held_statements.all()

    def statement_key(self) -> bytes | None:
        return self.held_statements.server_key()

    def _desk(self):
        from app.usecases import Desk
        return Desk(self.register, None, self.outbox, self.held_statements, self.signer)  # type: ignore[arg-type]

    def login(self, username: str, password: str, card_cid: str) -> dict:
        """Log in online and remember this officer for an offline log-in later (app.offline)."""
        tokens = self.client.login(username, password, card_cid)
        self.remember(username, password, tokens["account"])
        return tokens

    def remember(self, username: str, password: str, account: dict) -> None:
        with self.register.wc.transaction() as conn:
            remember(conn, username, password, account["cid"], account["name"], account["role"],
                     account["unit_code"], _dt.datetime.now(_dt.timezone.utc))

    # --- the licence and this PC's enrolment (online, at log-in) --------------------------------------------

    def renew_licence(self, installation_id: str, version: str) -> None:
        """When online: fetch this installation's licence and the server's key, keep both in the store."""
        issued = self.client.licence(installation_id, version)
        key = self.client.licence_key()
        with self.register.wc.transaction() as conn:
            meta.put_in(conn, "licence_token", issued["token"])
            meta.put_in(conn, SERVER_KEY, key)

    def licence(self, installation_id: str, version: str, today: _dt.date) -> Check:
        """Checked offline, from what the last renewal kept."""
        token, key = meta.get(self.conn, "licence_token"), meta.get(self.conn, SERVER_KEY)
        if not token or not key:
            return Check(LicenceState.INVALID, "เครื่องนี้ยังไม่มีใบอนุญาตใช้งาน กรุณาเชื่อมต่ออินเทอร์เน็ตแล้วเปิดโปรแกรมอีกครั้ง")
        return check(token, base64.b64decode(key), installation_id, today, version)

    def enrol(self, label: str = "") -> str:
        """Register this PC's public key with the server (at the first online log-in)."""
        device_id = self.signer.device_id
        if device_id:
            return device_id
        device_id = self.client.enrol(self.signer.public_key_b64(), label)
        self.signer.enrolled_as(device_id)
        return device_id

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
        self.outbox.tally()  # also on a PC that never queued anything: "nothing unsent" is worth knowing if the key is lost
        return report

    def _author_sends(self, payload: dict) -> bool:
        """On a shared PC the outbox holds the work of everyone who uses it: an officer's submission goes out
        under that officer's own log-in, the registrar's acts under the registrar's; the rest waits, queued,
        for its own officer (sent under another's account the server would refuse it)."""
        account = self.client.account
        return account is None or payload.get("author_cid") == account.get("cid")

    def _registrar_sends(self, _payload: dict) -> bool:
        account = self.client.account
        return account is None or account.get("role") == "registrar"

    def _due(self, kind: Kind, retry_held: bool = False) -> list[Item]:
        ours, _send = self.handlers[kind]
        return [item for item in self.outbox.due(kind, retry_held) if ours(item.payload)]

    def _send(self, report: SyncReport, progress, retry_held: bool = False) -> None:
        """Documents first (a change set cites them), then every kind of item in the table's order."""
        held: set[str] = set()  # change sets with an item that failed in this sync: their later items wait
        due = {kind: self._due(kind, retry_held) for kind in self.handlers}
        self._upload_blobs(due[Kind.PUSH], report, held, progress)
        for kind, (_ours, send) in self.handlers.items():
            for n, item in enumerate(due[kind], start=1):
                self._attempt(report, item, held, send)
                if progress and kind is Kind.PUSH:
                    progress("changesets", n, len(due[kind]))

    def _statement_fetched(self, sid: str, data: dict | None, report: SyncReport) -> None:
        with self.register.wc.transaction() as conn:
            if data is not None:
                held, st = self.held_statements.get(sid), Statement.from_json(data)
                st.confirm_queued = bool(held and held.confirm_queued) and not st.confirmed_by
                self.held_statements.keep_in(conn, st)
                report.statements += 1
            self.held_statements.fetched_in(conn, sid)

    def _fetch_statements(self, report: SyncReport) -> None:
        """Statements the feed announced (issued or confirmed): each fetched whole and kept with its state."""
        for sid in self.held_statements.wanted():
            try:
                data = self.client.statement(sid)
            except SyncError as e:
                if e.offline or e.about_the_session:
                    raise
                report.errors.append(str(e))
                if e.retryable:
                    continue  # the server failed on this one: asked again at the next sync
                data = None  # no longer this unit's (e.g. withdrawn): stop asking
            self._statement_fetched(sid, data, report)

    def _unqueue_confirm(self, sid: str) -> None:
        with self.register.wc.transaction() as conn:
            st = self.held_statements.get(sid)
            if st is not None:
                st.confirm_queued = False
                self.held_statements.keep_in(conn, st)

    def _attempt(self, report: SyncReport, item: Item, held: set[str],
                 send: Callable[[SyncReport, Item], None]) -> None:
        """Send one item. A cut link or an ended log-in stops the sync (the item stays queued); any other failure
        is the item's alone: it keeps its reason and waits, and the sync goes on without it."""
        if item.changeset_id and item.changeset_id in held:
            return  # an earlier item of this change set failed just now: keep the server's order
        self.outbox.mark(item.id, State.UPLOADING)
        try:
            send(report, item)
        except SyncError as e:
            if e.offline or e.about_the_session:
                self.outbox.mark(item.id, State.QUEUED)  # still owed; the next sync sends it (the server replays)
                raise
            self._held_back(report, item, held, e)
        except Exception as e:  # noqa: BLE001 — whatever it was, it is this item's: the sync goes on
            self._held_back(report, item, held, e)

    def _held_back(self, report: SyncReport, item: Item, held: set[str], e: BaseException) -> None:
        reason = _reason(e)
        self.outbox.hold(item.id, reason)
        log.warning("outbox item %s held back after %s (%s)", item.id, type(e).__name__,
                    getattr(e, "code", ""))  # the item's id and the error's kind: no data, no message
        if item.changeset_id:
            held.add(item.changeset_id)
        report.held += 1
        report.errors.append(reason)

    def _upload_blobs(self, pushes: list[Item], report: SyncReport, held: set[str], progress) -> None:
        """The documents of the change sets about to be pushed. A document that fails holds back the change
        sets that need it, and only those."""
        if self.attachments is None:
            return
        needs: dict[str, list[Item]] = {}
        for item in pushes:
            for sha in item.payload.get("evidence", []):
                needs.setdefault(sha, []).append(item)
        for n, sha in enumerate(sorted(needs), start=1):
            waiting = [i for i in needs[sha] if i.changeset_id not in held]
            if not waiting:
                continue
            try:
                self.client.put_blob(sha, self.attachments.get(sha))
            except SyncError as e:
                if e.offline or e.about_the_session:
                    raise
                for item in waiting:
                    self._held_back(report, item, held, e)
            except Exception as e:  # noqa: BLE001 — e.g. the document cannot be read here: its change sets wait
                for item in waiting:
                    self._held_back(report, item, held, e)
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

    @staticmethod
    def _refused_whole(e: SyncError) -> bool:
        """The server refused the request itself (4xx: too large, not valid, not allowed): sending the same
        again cannot help. Not a log-in that ended (that stops the sync) nor a fault of the server's (5xx)."""
        return 400 <= e.status < 500 and not e.about_the_session

    def _push(self, report: SyncReport, item: Item) -> None:
        item_id, payload = item.id, item.payload
        try:
            [result] = self.client.push([payload])
        except SyncError as e:
            if not self._refused_whole(e):
                raise
            self.outbox.mark(item_id, State.ERROR, _reason(e))
            report.errors.append(_reason(e))
            return
        if result["status"] == "accepted":
            self.outbox.mark(item_id, State.SYNCED, answer=result)
            report.pushed += 1
        elif result.get("code") in RETRY_LATER:
            self.outbox.mark(item_id, State.QUEUED, result.get("message_th", ""), result)
            report.errors.append(result.get("message_th", ""))
        else:
            self.outbox.mark(item_id, State.ERROR, result.get("message_th", ""), result)
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

    def _return(self, report: SyncReport, item: Item) -> None:
        item_id = item.id
        try:
            self.client.return_changeset(item.changeset_id, item.payload["reason"])
        except SyncError as e:
            if not self._refused_whole(e):
                raise
            if e.code == "changeset.state":  # already returned (our earlier try): done
                self.outbox.mark(item_id, State.SYNCED)
                return
            self.outbox.mark(item_id, State.ERROR, str(e))
            report.errors.append(str(e))
            return
        self.outbox.mark(item_id, State.SYNCED)
        report.returned += 1

    def _approve(self, report: SyncReport, item: Item) -> None:
        item_id = item.id
        try:
            answer = self.client.approve(item.payload)
        except SyncError as e:
            if e.code in RETRY_LATER:  # e.g. the register is closed for processing: it waits, queued
                self.outbox.mark(item_id, State.QUEUED, str(e))
                report.errors.append(str(e))
                return
            if not self._refused_whole(e):
                raise
            self.outbox.mark(item_id, State.ERROR, str(e))
            report.errors.append(str(e))
            return
        reasons = "; ".join(answer.get("reasons_th", []))
        if answer["status"] == "refused":  # not taken at all: said, and kept as refused
            self.outbox.mark(item_id, State.ERROR, reasons or answer.get("code", ""), answer)
            report.errors.append(reasons or answer.get("code", ""))
            return
        # applied, or answered invalid: the change set comes back through the feed either way
        state = State.CONFLICT if answer["status"] == "conflict" else State.SYNCED
        self.outbox.mark(item_id, state, reasons, answer)
        report.approved += 1

    def _confirm(self, report: SyncReport, item: Item) -> None:
        item_id, payload = item.id, item.payload
        try:
            self.client.confirm_statement(payload["statement_id"])
        except SyncError as e:
            if not self._refused_whole(e):
                raise
            self.outbox.mark(item_id, State.ERROR, str(e))
            self._unqueue_confirm(payload["statement_id"])  # refused: the statement is not confirmed after all
            report.errors.append(str(e))
            return
        self.outbox.mark(item_id, State.SYNCED)  # the feed brings the statement back, confirmed
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
                meta.put_in(conn, "bootstrap_after", page["next"])
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
            self.held_statements.want_in(conn, [st["id"] for st in known_statements])
            meta.put_in(conn, "feed_cursor", str(feed_seq))

    def _pull(self, report: SyncReport, progress) -> None:
        if meta.get(self.conn, "feed_cursor") is None:
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
                self.held_statements.want_in(conn, announced)
            meta.put_in(conn, "feed_cursor", str(page["next_seq"]))

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
