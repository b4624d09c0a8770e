"""One sync of a working copy with the central server: attachments → change sets and approvals → the feed.

What this PC owes the server waits in the outbox (in the encrypted store), each item with its sync state
(queued, uploading, synced, error, conflict). Every request is idempotent on the server, so a sync cut at
any point — before, during or after a request, or after the server committed but before its answer
arrived — is finished by the next one without doubling anything. A feed page is applied in one local
transaction together with the cursor, so a crash never applies half a page or skips one.

A cut link (no answer, a timeout, a gateway with no server behind it) or a log-in that ended stops the sync:
nothing can be sent now. Anything else that goes wrong with one item — the server fails on it (a 500), its
attachment cannot be read, its answer makes no sense — is that item's alone: the item keeps its Thai reason
and waits (app.store.outbox.FIRST_WAIT, doubling, at most LONGEST_WAIT) while the rest of the sync goes on —
the other items, then the pull. Later items of the same change set wait behind it, so the server never sees
them out of order. :meth:`SyncEngine.sync_problems` says which items wait and why (the window shows them).

The engine only syncs. What is owed is written by the officers' actions (app.usecases) into the outbox
(app.store.outbox); logging in and remembering the officer are sync/session.py's, this PC's enrolment and licence
sync/enrolment.py's. Each kind of outbox item is one row of :attr:`SyncEngine.handlers` (:class:`Handler`).
"""
from __future__ import annotations

import datetime as _dt
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from app import changeset as csmod
from app.changeset import ReviewState
from app.domain import Role
from app.records import from_dict
from app.statements import Statement
from app.store import AttachmentStore, RegisterStore, StoreProblem, meta
from app.store.outbox import UNEXPECTED, Item, Kind, Outbox, State, SyncProblem
from app.store.certificates import Certificate, CertificateStore
from app.store.statements import SERVER_KEY, StatementStore

from .client import CentralClient, SyncError
from .protocol import (
    ApprovalResult, ApprovalStatus, CertificateRecorded, ClaimAnswer, ClaimNewsKind, FeedKind, FeedPage, PushResult,
    PushStatus, ReturnAnswer,
    StatementConfirmed,
)

log = logging.getLogger(__name__)

# refusals to queue behind: the item stays queued (closed for processing; a document not yet on the server)
RETRY_LATER = {"calendar.closed", "changeset.evidence_missing", "claim.evidence_missing"}
CLAIMS_CURSOR = "claims_cursor"  # the unit's claims feed (a finance officer's log-in follows it)
CENTRAL = "central"              # who refused a claim the server would not stage (a step's ``by``)


def _stops_the_sync(e: SyncError) -> bool:
    """A cut link or an ended log-in: nothing more can be sent or fetched now (no item is to blame)."""
    return e.offline or e.about_the_session


def _refused_whole(e: SyncError) -> bool:
    """The server refused the request itself (4xx: too large, not valid, not allowed): sending the same
    again cannot help. Not a log-in that ended (that stops the sync) nor a fault of the server's (5xx)."""
    return 400 <= e.status < 500 and not e.about_the_session


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
    claims: int = 0       # claims the server staged for NHSO
    payments: int = 0     # payment statements (or their transfers) kept, their signatures checked
    certificates: int = 0  # certificates of entitlement recorded on the server
    errors: list[str] = field(default_factory=list)   # Thai, for the status line
    offline: bool = False
    held: int = 0         # items that failed on their own this time and wait to be tried again
    complete: bool = False  # the sync went all the way through the pull: this PC has what the server has


@dataclass(frozen=True)
class Taken:
    """The server took the item: it is marked ``state`` with the server's ``note`` (an approval's reasons)."""
    state: State = State.SYNCED
    note: str = ""


@dataclass(frozen=True)
class Refused:
    """The server refused the item (in its answer, or the request as a whole): its code and Thai reason."""
    code: str
    reason: str


def _taken(_answer: Any) -> Taken | Refused:
    return Taken()


def _nothing_to_undo(_item: Item, _reason: str) -> None:
    return None


@dataclass(frozen=True)
class Handler:
    """One kind of outbox item: only what is its own. What every kind shares is the engine's
    (:meth:`SyncEngine._deliver`): a request refused whole is a refusal like one in the answer; a refusal to be
    tried later (:data:`RETRY_LATER`) leaves the item queued with its reason; any other refusal is for good
    (marked ``error``, said, and ``undo`` run); a cut link or an ended log-in stops the sync."""
    ours: Callable[[dict], bool]                  # whether this log-in sends it (else it waits for its officer)
    send: Callable[[Item], Any]                   # the request; returns the server's answer (a protocol model)
    counts: str                                   # the SyncReport field a delivered item adds one to
    read: Callable[[Any], Taken | Refused] = _taken           # what the answer says
    done_if: frozenset[str] = frozenset()         # refusals that mean an earlier try already did it
    undo: Callable[[Item, str], None] = _nothing_to_undo       # what a refusal for good undoes on this PC


def _push_read(result: PushResult) -> Taken | Refused:
    return Taken() if result.status is PushStatus.ACCEPTED else Refused(result.code, result.message_th)


def _approval_read(answer: ApprovalResult) -> Taken | Refused:
    reasons = "; ".join(answer.reasons_th)
    if answer.status is ApprovalStatus.REFUSED:  # not taken at all: said, and kept as refused
        return Refused(answer.code, reasons or answer.code)
    # applied, or answered invalid: the change set comes back through the feed either way
    return Taken(State.CONFLICT if answer.status is ApprovalStatus.CONFLICT else State.SYNCED, reasons)


def _evidence_of(item: Item) -> list[str]:
    """The documents an item cites: a change set's evidence, a claim's pages."""
    if item.kind is Kind.CLAIM:
        return [p["sha256"] for p in item.payload.get("claim", {}).get("pages", [])]
    return list(item.payload.get("evidence", []))


def _submission_of(item: Item) -> int:
    """Which submission of its claim an outbox item is (its id: ``claim:<id>:<n>``)."""
    try:
        return int(item.id.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return 0


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
        self.certificates = CertificateStore(wc)
        # One row per kind of outbox item, in the order they go out (a claim will be one more).
        self.handlers: dict[Kind, Handler] = {
            Kind.PUSH: Handler(self._author_sends, self._push, "pushed", read=_push_read, undo=self._send_back),
            Kind.RETURN: Handler(self._registrar_sends, self._return, "returned",
                                 done_if=frozenset({"changeset.state"})),  # already returned (our earlier try)
            Kind.APPROVE: Handler(self._registrar_sends, self._approve, "approved", read=_approval_read),
            Kind.CONFIRM: Handler(self._registrar_sends, self._confirm, "confirmed", undo=self._unqueue_confirm),
            Kind.CLAIM: Handler(self._author_sends, self._push_claim, "claims", undo=self._claim_refused),
            Kind.CERTIFICATE: Handler(self._issuer_sends, self._certificate, "certificates"),
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

    # --- one sync -------------------------------------------------------------------------------------

    def sync_once(self, progress: Callable[[str, int, int], None] | None = None,
                  retry_held: bool = False) -> SyncReport:
        """``retry_held``: also send the items still waiting after a failure (the officer pressed "sync now")."""
        report = SyncReport()
        try:
            self._send(report, progress, retry_held)
            self._pull(report, progress)
            self._pull_claims(report, progress)
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
        return account is None or payload.get("author_cid") == account.cid

    def _issuer_sends(self, payload: dict) -> bool:
        """A certificate goes out under the log-in of the officer who issued it (the server records only theirs)."""
        account = self.client.account
        return account is None or payload.get("issued_by_cid") == account.cid

    def _registrar_sends(self, _payload: dict) -> bool:
        account = self.client.account
        return account is None or account.role is Role.REGISTRAR

    def _due(self, kind: Kind, retry_held: bool = False) -> list[Item]:
        ours = self.handlers[kind].ours
        return [item for item in self.outbox.due(kind, retry_held) if ours(item.payload)]

    def _send(self, report: SyncReport, progress, retry_held: bool = False) -> None:
        """Documents first (a change set cites them), then every kind of item in the table's order."""
        held: set[str] = set()  # change sets with an item that failed in this sync: their later items wait
        due = {kind: self._due(kind, retry_held) for kind in self.handlers}
        self._upload_blobs(due[Kind.PUSH] + due[Kind.CLAIM], report, held, progress)
        for kind, handler in self.handlers.items():
            for n, item in enumerate(due[kind], start=1):
                self._attempt(report, item, held, handler)
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
                data = self.client.statement(sid).as_json()
            except SyncError as e:
                if _stops_the_sync(e):
                    raise
                report.errors.append(str(e))
                if e.retryable:
                    continue  # the server failed on this one: asked again at the next sync
                data = None  # no longer this unit's (e.g. withdrawn): stop asking
            self._statement_fetched(sid, data, report)

    def _unqueue_confirm(self, item: Item, _reason: str) -> None:
        """A confirmation the server refused: the statement is not shown confirmed after all."""
        with self.register.wc.transaction() as conn:
            st = self.held_statements.get(item.payload["statement_id"])
            if st is not None:
                st.confirm_queued = False
                self.held_statements.keep_in(conn, st)

    def _attempt(self, report: SyncReport, item: Item, held: set[str], handler: Handler) -> None:
        """Send one item. A cut link or an ended log-in stops the sync (the item stays queued); any other failure
        is the item's alone: it keeps its reason and waits, and the sync goes on without it."""
        if item.changeset_id and item.changeset_id in held:
            return  # an earlier item of this change set failed just now: keep the server's order
        self.outbox.mark(item.id, State.UPLOADING)
        try:
            self._deliver(report, item, handler)
        except SyncError as e:
            if _stops_the_sync(e):
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
            for sha in _evidence_of(item):
                needs.setdefault(sha, []).append(item)
        for n, sha in enumerate(sorted(needs), start=1):
            waiting = [i for i in needs[sha] if i.changeset_id not in held]
            if not waiting:
                continue
            try:
                self.client.put_blob(sha, self.attachments.get(sha))
            except SyncError as e:
                if _stops_the_sync(e):
                    raise
                for item in waiting:
                    self._held_back(report, item, held, e)
            except Exception as e:  # noqa: BLE001 — e.g. the document cannot be read here: its change sets wait
                for item in waiting:
                    self._held_back(report, item, held, e)
            if progress:
                progress("blobs", n, len(needs))

    def _fetch_evidence(self, report: SyncReport, progress) -> None:
        """The documents attached to change sets still under review, so the registrar can look at them offline,
        and on a finance officer's log-in the evidence of the unit's claims (those another PC made too).
        Each is checked against its SHA-256 before it is kept (encrypted, like every attachment here)."""
        if self.attachments is None:
            return
        waiting = self.register.changesets(self.register.wc.unit_code, [ReviewState.PENDING, ReviewState.RETURNED])
        wanted = {sha: cs.evidence_labels.get(sha, "") for cs in waiting for sha in cs.evidence}
        if self._finance_pulls():
            from app.store.claims import ClaimStore
            for claim in ClaimStore(self.register.wc).all(self.register.wc.unit_code):
                wanted.update((p.sha256, "หลักฐานประกอบการเบิก") for p in claim.pages)
        missing = sorted(sha for sha in wanted if not self.attachments.has(sha))
        for n, sha in enumerate(missing, start=1):
            try:
                data = self.client.get_blob(sha)
            except SyncError as e:
                if _stops_the_sync(e):
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

    def _deliver(self, report: SyncReport, item: Item, handler: Handler) -> None:
        """Send one item and mark it by what the server said (the rules every kind shares: :class:`Handler`)."""
        try:
            answer = handler.send(item)
        except SyncError as e:
            if not _refused_whole(e):
                raise
            answer, said = None, Refused(e.code, _reason(e))
        else:
            said = handler.read(answer)
        kept = answer.model_dump(mode="json") if answer is not None else None
        if isinstance(said, Taken):
            self.outbox.mark(item.id, said.state, said.note, kept)
            setattr(report, handler.counts, getattr(report, handler.counts) + 1)
        elif said.code in handler.done_if:
            self.outbox.mark(item.id, State.SYNCED)
        elif said.code in RETRY_LATER:  # e.g. the register is closed for processing: it waits, queued
            self.outbox.mark(item.id, State.QUEUED, said.reason, kept)
            report.errors.append(said.reason)
        else:
            self.outbox.mark(item.id, State.ERROR, said.reason, kept)
            report.errors.append(said.reason)
            handler.undo(item, said.reason)

    def _push(self, item: Item) -> PushResult:
        [result] = self.client.push([item.payload])
        return result

    def _send_back(self, item: Item, reason: str) -> None:
        """A submission the server refuses outright goes back to its author as returned, with the server's
        reason, so it can be corrected and sent again (a pending change set cannot be edited)."""
        cs = csmod.from_json(item.payload)
        if cs.state is not ReviewState.PENDING:
            return
        cs.rejected(reason or "เซิร์ฟเวอร์กลางไม่รับชุดการเปลี่ยนแปลงนี้")
        with self.register.wc.transaction() as conn:
            self.register.save_changeset_in(conn, cs)

    # --- claims (issue 19 §3) -----------------------------------------------------------------------------

    def _push_claim(self, item: Item) -> ClaimAnswer:
        return self.client.push_claim(item.payload)

    def _claim_refused(self, item: Item, reason: str) -> None:
        """A submission the server will not stage (its own checks on the register of record refuse it): the claim
        comes back to the finance officer as refused, with the server's reason, to correct and submit again (a
        submitted claim cannot be edited)."""
        from app.claims import Actor, ClaimState, move
        from app.store.claims import ClaimStore
        store = ClaimStore(self.register.wc)
        claim = store.get(item.changeset_id)
        if claim is None or claim.state is not ClaimState.SUBMITTED:
            return
        if sum(1 for s in claim.history if s.state is ClaimState.SUBMITTED) != _submission_of(item):
            return  # the refusal is about an earlier submission
        back = move(claim, ClaimState.REJECTED, Actor.NHSO, CENTRAL, self.outbox.clock(),
                    reason=f"เซิร์ฟเวอร์กลางไม่รับคำขอเบิกนี้: {reason or 'ไม่ผ่านการตรวจสอบ'}")
        with self.register.wc.transaction() as conn:
            store.save_in(conn, back)

    def _finance_pulls(self) -> bool:
        account = self.client.account
        return account is not None and account.role is Role.FINANCE_OFFICER

    def _pull_claims(self, report: SyncReport, progress) -> None:
        """The unit's claims feed, for a finance officer's log-in only (its own cursor, so a registry officer's
        sync on a shared PC never skips it): every decision, payment statement and transfer, one page per local
        transaction with the cursor."""
        if not self._finance_pulls():
            return
        page_no = 0
        while True:
            page = self.client.claims_feed(int(meta.get(self.conn, CLAIMS_CURSOR) or 0), self.page_size)
            page_no += 1
            key = self._server_key() if any(i.kind is ClaimNewsKind.PAYMENT for i in page.items) else None
            with self.register.wc.transaction() as conn:
                for item in page.items:
                    if item.kind is ClaimNewsKind.CLAIM:
                        self._claim_from_server(conn, item.data)
                        report.pulled += 1
                    elif item.kind is ClaimNewsKind.PAYMENT:
                        self._payment_from_server(conn, item.data, key, report)
                meta.put_in(conn, CLAIMS_CURSOR, str(page.next_seq))
            if progress:
                progress("claims", page_no, page_no + (1 if page.more else 0))
            if not page.more:
                break
        self._refetch_payments(report)

    def _refetch_payments(self, report: SyncReport) -> None:
        """Payment statements refused here before (their signature failed): asked for again, kept once they hold."""
        from app.store.payments import PaymentStore
        store = PaymentStore(self.register.wc)
        for sid in store.wanted():
            try:
                data = self.client.payment(sid).model_dump(mode="json")
            except SyncError as e:
                if _stops_the_sync(e):
                    raise
                if not e.retryable:  # no longer this unit's: stop asking
                    with self.register.wc.transaction() as conn:
                        store.fetched_in(conn, sid)
                continue
            with self.register.wc.transaction() as conn:
                self._payment_from_server(conn, data, self._server_key(), report)

    def _server_key(self) -> bytes | None:
        """The central server's public key, as kept with the licence (fetched and kept once if this PC has none)."""
        import base64
        key = self.held_statements.server_key()
        if key is None:
            fetched = self.client.licence_key().ed25519
            with self.register.wc.transaction() as conn:
                meta.put_in(conn, SERVER_KEY, fetched)
            key = base64.b64decode(fetched)
        return key

    def _claim_from_server(self, conn, data: dict) -> None:
        """The server's copy of a claim: the server is the authority, so its history replaces this PC's from the
        first submission on (the steps before it, made here, stay). A resubmission still on its way (more
        submissions here than the server's) is kept as it is; steps this PC added after the server's last one
        (a correction under way, a repayment) stay, with what the officer typed."""
        from itertools import dropwhile, takewhile

        from app.claims import ClaimState
        from app.claims.codec import from_json
        from app.errors import Refusal
        from app.store.claims import ClaimStore
        try:
            server = from_json(data["claim"])
        except (Refusal, KeyError, TypeError):
            log.warning("claims feed: an item that is not a claim was skipped")
            return
        if server.unit_code != self.register.wc.unit_code:
            return
        store = ClaimStore(self.register.wc)
        local = store.get(server.id)
        if local is None:
            store.save_in(conn, server)
            return
        submitted = ClaimState.SUBMITTED
        number = int(data.get("submission") or 0)
        if sum(1 for s in local.history if s.state is submitted) > number:
            return
        # The server's history starts at the submission it first staged, which is not this PC's first when the
        # server refused earlier ones (it keeps nothing of a refusal): the steps here before that one stay, so
        # that the next correction is the next submission on both sides.
        first = number - sum(1 for s in server.history if s.state is submitted) + 1
        count = iter(range(1, len(local.history) + 1))
        merged = (tuple(takewhile(lambda s: s.state is not submitted or next(count) < first, local.history)) +
                  tuple(dropwhile(lambda s: s.state is not submitted, server.history)))
        tail = local.history[len(merged):]
        if tail and [s.state for s in local.history[:len(merged)]] == [s.state for s in merged]:
            store.save_in(conn, local.with_(history=merged + tail))
        else:
            store.save_in(conn, server.with_(history=merged))

    def _payment_from_server(self, conn, data: dict, key: bytes | None, report: SyncReport) -> None:
        """A payment statement (or its transfer), kept only when the server's signatures hold over it as sent."""
        from app.store.payments import PaymentStore, verify
        if key is None or not verify(data, key) or data.get("unit_code") != self.register.wc.unit_code:
            said = (f"รายการโอนเงิน {str(data.get('id', ''))[:64]} ตรวจสอบลายมือชื่ออิเล็กทรอนิกส์ของ "
                    "เซิร์ฟเวอร์กลางไม่ผ่าน จึงไม่ได้บันทึกไว้ในเครื่องนี้ กรุณาแจ้งผู้ดูแลระบบ")
            if said not in report.errors:   # (the feed brings it, then it is asked for again: said once)
                report.errors.append(said)
            log.warning("claims feed: a payment statement whose signature fails was not kept")
            if isinstance(data.get("id"), str) and data["id"]:
                PaymentStore(self.register.wc).want_in(conn, data["id"][:64])  # asked for again at the next sync
            return
        store = PaymentStore(self.register.wc)
        store.keep_in(conn, data)
        store.fetched_in(conn, data["id"])
        report.payments += 1

    def _return(self, item: Item) -> ReturnAnswer:
        return self.client.return_changeset(item.changeset_id, item.payload["reason"])

    def _approve(self, item: Item) -> ApprovalResult:
        return self.client.approve(item.payload)

    def _certificate(self, item: Item) -> CertificateRecorded:
        return self.client.record_certificate(item.payload)   # the feed brings it to the unit's other PCs

    def _confirm(self, item: Item) -> StatementConfirmed:
        return self.client.confirm_statement(item.payload["statement_id"])  # the feed brings it back, confirmed

    def _bootstrap(self, report: SyncReport, progress) -> None:
        """An empty working copy starts from the unit's whole register, then follows the feed from where the
        download began (a change during the download comes again through the feed: same revision, no harm)."""
        after, page_no, feed_seq = "", 0, None
        while True:
            page = self.client.records(after)
            feed_seq = page.feed_seq if feed_seq is None else feed_seq
            page_no += 1
            items = [(from_dict(i.record_type, i.data), i.rev) for i in page.items]
            with self.register.wc.transaction() as conn:
                self.register.put_in(conn, items, recompute=False)
                meta.put_in(conn, "bootstrap_after", page.next)
            report.pulled += len(items)
            if progress:
                progress("records", page_no, page_no + (1 if page.more else 0))
            if not page.more:
                break
            after = page.next
        self.register.recompute_all()
        # Change sets still under review are not in the register: the unit's staging area has them.
        staged = [csmod.from_json(c.as_json()) for state in ("pending", "returned") for c in self.client.staged(state)]
        known_statements = self.client.statements(brief=True)
        with self.register.wc.transaction() as conn:
            for cs in staged:
                self.register.save_changeset_in(conn, cs)
            report.pulled += len(staged)
            self.held_statements.want_in(conn, [st.id for st in known_statements])
            meta.put_in(conn, "feed_cursor", str(feed_seq))

    def _pull(self, report: SyncReport, progress) -> None:
        if meta.get(self.conn, "feed_cursor") is None:
            self._bootstrap(report, progress)
        page_no = 0
        while True:
            page = self.client.feed(self.cursor, self.page_size)
            page_no += 1
            self._apply_page(page)
            report.pulled += len(page.items)
            if progress:
                progress("feed", page_no, page_no + (1 if page.more else 0))
            if not page.more:
                return

    def _apply_page(self, page: FeedPage) -> None:
        """Records, change-set states and the new cursor: all in one transaction."""
        records = [(from_dict(i.record_type, i.data), i.rev) for i in page.items if i.kind is FeedKind.RECORD]
        with self.register.wc.transaction() as conn:
            if records:
                self.register.put_in(conn, records)
            for item in page.items:
                if item.kind is FeedKind.CHANGESET:
                    self._changeset_state(conn, item.key, item.data or {})
            for item in page.items:
                if item.kind is FeedKind.CERTIFICATE and item.data:
                    self.certificates.received_in(conn, Certificate.from_json(item.data))
            announced = [i.key for i in page.items if i.kind is FeedKind.STATEMENT]
            if announced:
                self.held_statements.want_in(conn, announced)
            meta.put_in(conn, "feed_cursor", str(page.next_seq))

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
