"""NHSO's payment statement against the unit's claims (app.claims.reconcile), as the finance officer reads it
before repaying anyone: a line that matches, one whose amount differs (both amounts and the difference), one this
PC does not hold, claims of this PC's the statement lacks (pointing at it, or accepted in its month), and the
totals — the statement's total against its lines and against the transfer, recorded or not yet. Then the use cases
over a real working copy (app.usecases.payments): the unit's statements only, for its finance officers only."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.claims import Actor, Claim, ClaimState, PayMethod, Receipt, move
from app.claims.reconcile import Outcome, reconcile, statement_of
from app.domain import Officer, Role
from app.errors import Refusal
from app.rules.entitlement import Relation
from app.store.claims import ClaimStore
from app.store.payments import PaymentStore
from app.usecases import Desk
from app.usecases import payments as uc
from tests.builders import new_cid

S = ClaimState
SID = "PS-2026-10-U1"
OCT = dt.datetime(2026, 10, 20, 3, 0, tzinfo=dt.timezone.utc)
CLOSED = dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.timezone.utc)


def claim(cid: str, amount: str, claimant: str = "1000000000001", patient: str = "1000000000002") -> Claim:
    return Claim(cid, "U1", claimant, patient, Relation.CHILD, facility="โรงพยาบาลทดลอง",
                 first_day=dt.date(2026, 10, 3), last_day=dt.date(2026, 10, 3),
                 receipts=(Receipt(f"R-{cid}", dt.date(2026, 10, 3), "นายทดลอง", Decimal(amount)),))


def submitted(cid: str, amount: str, **kw) -> Claim:
    c = claim(cid, amount, **kw)
    for to in (S.READY, S.SUBMITTED):
        c = move(c, to, Actor.FINANCE, "officer", OCT - dt.timedelta(days=5))
    return c


def decided(cid: str, amount: str, accepted: str | None = None, at=OCT, **kw) -> Claim:
    c = submitted(cid, amount, **kw)
    if accepted is None:
        return move(c, S.ACCEPTED, Actor.NHSO, "nhso", at)
    return move(c, S.PARTLY_ACCEPTED, Actor.NHSO, "nhso", at, amount=Decimal(accepted), reason="บางรายการไม่อนุมัติ")


def in_transfer(c: Claim, sid: str = SID) -> Claim:
    return move(c, S.IN_TRANSFER, Actor.NHSO, "nhso", CLOSED, statement=sid)


def line(c_id: str, claimed: str, accepted: str, decision: str = "accepted") -> dict:
    return {"claim_id": c_id, "claimant_cid": "1000000000001", "patient_cid": "1000000000002",
            "first_day": "2026-10-03", "claimed": claimed, "accepted": accepted, "decision": decision}


def statement(lines: list[dict], total: str | None = None, transfer: dict | None = None) -> dict:
    total = total if total is not None else str(sum(Decimal(x["accepted"]) for x in lines))
    body = {"id": SID, "unit_code": "U1", "month": "2026-10", "issued_on": "2026-11-01", "lines": lines,
            "count": len(lines), "total": total}
    return {"id": SID, "unit_code": "U1", "month": "2026-10", "body": body, "signature": "", "transfer": transfer}


def test_a_statement_that_agrees_with_every_claim_here_and_its_transfer_says_so():
    a, b = in_transfer(decided("a", "1850.00")), in_transfer(decided("b", "3000.00", "2400.50"))
    st = statement([line("a", "1850.00", "1850.00"), line("b", "3000.00", "2400.50", "partly_accepted")],
                   transfer={"statement": SID, "date": "2026-11-18", "ref": "KTB-77", "amount": "4250.50"})
    r = reconcile(st, [a, b])
    assert [(x.claim_id, x.outcome) for x in r.lines] == [("a", Outcome.MATCHED), ("b", Outcome.MATCHED)]
    assert r.line("b").here == r.line("b").nhso == Decimal("2400.50") and r.line("b").difference == Decimal("0")
    assert r.line("b").claimed == Decimal("3000.00") and r.line("b").state is S.IN_TRANSFER
    assert r.total == r.lines_sum == Decimal("4250.50") and r.lines_agree
    assert r.transfer.ref == "KTB-77" and r.transfer.date == dt.date(2026, 11, 18) and r.transfer_agrees is True
    assert r.ok and r.mismatches == 0 and r.count == 2
    assert r.status == ("ตรงกันทั้งหมด", "All agree")
    assert r.month_th == "ตุลาคม 2569" and r.issued_on == dt.date(2026, 11, 1)


def test_an_amount_that_differs_shows_both_amounts_and_the_difference():
    a = in_transfer(decided("a", "3000.00", "2500.00"))
    r = reconcile(statement([line("a", "3000.00", "2400.00", "partly_accepted")]), [a])
    [x] = r.lines
    assert x.outcome is Outcome.AMOUNT_DIFFERS and (x.outcome.th, x.outcome.en) == ("ยอดเงินไม่ตรง", "Amount differs")
    assert (x.nhso, x.here, x.difference) == (Decimal("2400.00"), Decimal("2500.00"), Decimal("-100.00"))
    assert not r.ok and r.mismatches == 1 and r.status[0] == "มีรายการไม่ตรง 1 รายการ"
    # the totals still agree with each other: only the line is flagged
    assert r.lines_agree and r.transfer is None and r.transfer_agrees is None


def test_a_line_whose_claim_this_pc_does_not_hold_is_missing_here():
    a = in_transfer(decided("a", "500.00"))
    r = reconcile(statement([line("a", "500.00", "500.00"), line("zz", "700.00", "650.00", "partly_accepted")]), [a])
    missing = r.line("zz")
    assert missing.outcome is Outcome.MISSING_HERE and missing.outcome.th == "ไม่มีในเครื่องนี้"
    assert missing.claim is None and missing.state is None and missing.here is None and missing.difference is None
    assert missing.nhso == Decimal("650.00") and missing.claimed == Decimal("700.00")
    assert missing.first_day == dt.date(2026, 10, 3) and missing.claimant_cid == "1000000000001"
    assert r.line("a").ok and r.mismatches == 1 and r.lines_sum == Decimal("1150.00") == r.total


def test_claims_here_the_statement_lacks_are_not_in_the_statement():
    listed = in_transfer(decided("a", "500.00"))
    pointing = in_transfer(decided("p", "900.00"))                 # this PC says it is in this statement
    # accepted at 23:30 on 31 October, Thai time: October's statement owes it; at 00:30 on 1 November: it does not
    expected = decided("e", "1200.00", at=dt.datetime(2026, 10, 31, 16, 30, tzinfo=dt.timezone.utc))
    later = decided("l", "800.00", at=dt.datetime(2026, 10, 31, 17, 30, tzinfo=dt.timezone.utc))
    elsewhere = in_transfer(decided("o", "300.00"), "PS-2026-09-U1")   # in another statement
    waiting = submitted("w", "400.00")                                  # NHSO has not decided yet
    repaid_elsewhere = move(in_transfer(decided("r", "250.00"), "PS-2026-09-U1"), S.REPAID, Actor.FINANCE, "officer",
                            CLOSED, amount=Decimal("250.00"), voucher="PV-1", paid_on=dt.date(2026, 11, 2),
                            method=PayMethod.CASH)
    r = reconcile(statement([line("a", "500.00", "500.00")]),
                  [listed, pointing, expected, later, elsewhere, waiting, repaid_elsewhere])
    outcomes = {x.claim_id: x.outcome for x in r.lines}
    assert outcomes == {"a": Outcome.MATCHED, "p": Outcome.NOT_IN_STATEMENT, "e": Outcome.NOT_IN_STATEMENT}
    p = r.line("p")
    assert p.nhso is None and p.here == Decimal("900.00") and p.state is S.IN_TRANSFER and p.difference is None
    assert r.line("e").state is S.ACCEPTED and r.line("e").outcome.en == "Not in the statement"
    # the statement's own count and totals are of its lines only
    assert r.count == 1 and r.total == r.lines_sum == Decimal("500.00")
    assert r.mismatches == 2 and r.status[0] == "มีรายการไม่ตรง 2 รายการ"
    assert statement_of(pointing) == SID and statement_of(waiting) == ""


def test_a_total_that_is_not_the_sum_of_its_lines_is_flagged():
    a = in_transfer(decided("a", "500.00"))
    r = reconcile(statement([line("a", "500.00", "500.00")], total="5000.00"), [a])
    assert r.line("a").ok and r.mismatches == 0
    assert r.total == Decimal("5000.00") and r.lines_sum == Decimal("500.00") and not r.lines_agree
    assert not r.ok and r.status[0] == "ยอดรวมไม่เท่ากับผลรวมรายการ"


def test_no_transfer_yet_is_not_a_mismatch_and_a_transfer_that_differs_is_flagged():
    a = in_transfer(decided("a", "1850.00"))
    waiting = reconcile(statement([line("a", "1850.00", "1850.00")]), [a])
    assert waiting.transfer is None and waiting.transfer_agrees is None and waiting.ok
    short = reconcile(statement([line("a", "1850.00", "1850.00")],
                                transfer={"statement": SID, "date": "2026-11-18", "ref": "KTB-9", "amount": "1800.00"}),
                      [a])
    assert short.transfer.amount == Decimal("1800.00") and short.transfer_agrees is False
    assert short.line("a").ok and not short.ok
    assert short.status == ("ยอดโอนไม่เท่ากับยอดรวม", "the transfer is not the total")


def test_a_repaid_claim_still_matches_its_line():
    a = in_transfer(decided("a", "3000.00", "2400.00"))
    paid = move(a, S.REPAID, Actor.FINANCE, "officer", CLOSED, amount=Decimal("2400.00"), voucher="PV-2",
                paid_on=dt.date(2026, 11, 20), method=PayMethod.TRANSFER)
    r = reconcile(statement([line("a", "3000.00", "2400.00", "partly_accepted")]), [paid])
    assert r.line("a").ok and r.line("a").state is S.REPAID


# --- the finance officer's use cases over the working copy (app.usecases.payments) ------------------------------

def test_the_units_statements_are_listed_reconciled_for_finance_officers_only(register):
    unit = register.wc.unit_code
    finance = Officer(new_cid(), "นางสาวสุภาพร แก้วมณี", "นักวิชาการเงินและบัญชี", Role.FINANCE_OFFICER, unit, "f@x.go.th")
    registry = Officer(new_cid(), "นางมาลี ศรีสุข", "นักทรัพยากรบุคคล", Role.REGISTRY_OFFICER, unit, "r@x.go.th")
    mine = [of_unit(in_transfer(decided("a", "1850.00")), unit),
            of_unit(in_transfer(decided("b", "3000.00", "2500.00")), unit)]
    october = statement([line("a", "1850.00", "1850.00"), line("b", "3000.00", "2400.00", "partly_accepted")],
                        transfer={"statement": SID, "date": "2026-11-18", "ref": "KTB-77", "amount": "4250.00"})
    october["unit_code"] = october["body"]["unit_code"] = unit
    elsewhere = statement([line("x", "100.00", "100.00")])
    elsewhere.update(id="PS-2026-10-OTH0002", unit_code="OTH0002")
    with register.wc.transaction() as conn:
        for c in mine:
            ClaimStore(register.wc).save_in(conn, c)
        PaymentStore(register.wc).keep_in(conn, october)
        PaymentStore(register.wc).keep_in(conn, elsewhere)
    d = Desk.of(register, finance)
    [summary] = uc.statements(d)                                   # another unit's statement is not listed
    assert (summary.id, summary.month_th, summary.count, summary.total) == (SID, "ตุลาคม 2569", 2, Decimal("4250.00"))
    assert (summary.transfer_date, summary.transfer_ref) == (dt.date(2026, 11, 18), "KTB-77")
    assert summary.status_th == "มีรายการไม่ตรง 1 รายการ" and not summary.ok and summary.transferred_th == "โอนแล้ว KTB-77"
    found = uc.reconciliation(d, SID)
    assert found.reconciliation.line("b").difference == Decimal("-100.00") and set(found.claims) == {"a", "b"}
    with pytest.raises(Refusal) as unknown:
        uc.reconciliation(d, "PS-2026-10-OTH0002")
    assert unknown.value.code == "payment.unknown"
    for call in (lambda: uc.statements(Desk.of(register, registry)),
                 lambda: uc.reconciliation(Desk.of(register, registry), SID)):
        with pytest.raises(Refusal) as refused:
            call()
        assert refused.value.code == "claim.not_finance" and "เจ้าหน้าที่การเงิน" in refused.value.th


def of_unit(c: Claim, unit: str) -> Claim:
    return c.with_(unit_code=unit)
