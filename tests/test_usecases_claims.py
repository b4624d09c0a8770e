"""The finance officer's claims as use cases on a real encrypted working copy: a claim for a beneficiary's child
checked against the register's entitlement, kept, made ready, submitted (owed to the server once), a receipt
that another claim holds refused, a registry officer kept out, the lists of the desk, and a claim repaid."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.claims import Care, ClaimState, Page, PageLabel, PaidFirst, PayMethod, Receipt
from app.domain import Employment, Officer, Parentage, ParentKind, Role
from app.errors import Refusal
from app.rules.entitlement import Relation
from app.store.claims import ClaimStore
from app.store.outbox import Kind
from app.usecases import Desk
from app.usecases import claims as uc
from tests.builders import keep_payment, new_cid, person

UNIT = "TRN0001"
FINANCE = Officer(new_cid(), "นางสาวสุภาพร แก้วมณี", "นักวิชาการเงินและบัญชี", Role.FINANCE_OFFICER, UNIT, "f@example.go.th")
REGISTRY = Officer(new_cid(), "นางมาลี ศรีสุข", "นักทรัพยากรบุคคล", Role.REGISTRY_OFFICER, UNIT, "r@example.go.th")
NOW = dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def family(register):
    me, kid = person(first="ประเสริฐ"), person(first="ภูมิใจ", born=dt.date(2006, 3, 15))
    register.put([(me, 1), (kid, 1), (Employment("e1", me.cid, UNIT, "local_official", dt.date(2005, 10, 1),
                                                 "ปลัด"), 1),
                  (Parentage("p1", me.cid, kid.cid, ParentKind.LEGITIMATE), 1)])
    return me, kid


def desk(register, officer=FINANCE) -> Desk:
    d = Desk.of(register, officer)
    d.clock = lambda: NOW
    return d


def child_claim(d: Desk, me, kid, first=dt.date(2026, 3, 10), last=dt.date(2026, 3, 14), number="IV-1"):
    c = uc.new_claim(d, me.cid, kid.cid, Relation.CHILD)
    return c.with_(facility="โรงพยาบาลทดลอง", care=Care.INPATIENT, first_day=first, last_day=last,
                   illness="ปอดอักเสบ", paid_first=PaidFirst.CANNOT_BILL,
                   receipts=(Receipt(number, last, "นายประเสริฐ ใจดี", Decimal("8200")),),
                   pages=(Page("a" * 64, PageLabel.RECEIPT, number), Page("b" * 64, PageLabel.MEDICAL_CERTIFICATE)))


def test_a_claim_is_checked_against_the_working_copys_register_then_submitted_once(register, family):
    me, kid = family
    d = desk(register)
    # the child turned 20 on 15 March 2026: the last two days of this stay are not the fund's
    late = child_claim(d, me, kid, last=dt.date(2026, 3, 16))
    [refused] = uc.verdicts(d, late).errors
    assert refused.subject == "days" and "15/03/2569 – 16/03/2569" in refused.th
    uc.keep(d, late)                                   # a draft may be kept as it stands
    with pytest.raises(Refusal) as no:
        uc.submit(d, late)
    assert no.value.code == "claim.incomplete" and "15/03/2569" in str(no.value)
    assert ClaimStore(register.wc).get(late.id).state is ClaimState.DRAFT
    assert d.outbox.due(Kind.CLAIM) == []              # nothing owed for a refused claim

    fixed = late.with_(last_day=dt.date(2026, 3, 14), receipts=(Receipt("IV-1", dt.date(2026, 3, 14), "x",
                                                                        Decimal("8200")),))
    changed = uc.submit(d, fixed)
    assert changed.owed == 1 and changed.claims[-1].state is ClaimState.SUBMITTED
    [item] = d.outbox.due(Kind.CLAIM)
    assert item.payload["claim"]["id"] == fixed.id and item.payload["author_cid"] == FINANCE.cid
    kept = ClaimStore(register.wc).get(fixed.id)
    assert [s.state for s in kept.history] == [ClaimState.READY, ClaimState.SUBMITTED]
    with pytest.raises(Refusal) as sent:
        uc.keep(d, kept.with_(illness="แก้ภายหลัง"))
    assert sent.value.code == "claim.sent"


def test_a_receipt_held_by_another_claim_is_refused_until_that_claim_is_cancelled(register, family):
    me, kid = family
    d = desk(register)
    first = child_claim(d, me, kid, number="IV-9")
    uc.keep(d, first)
    again = child_claim(d, me, kid, number="iv 9")
    [dup] = uc.verdicts(d, again).errors
    assert dup.code == "receipt.claimed"
    uc.cancel(d, first, "ใบเสร็จผิดคน")
    assert uc.verdicts(d, again).errors == []


def test_only_the_units_finance_officer_sees_or_touches_claims(register, family):
    me, kid = family
    officer = desk(register, REGISTRY)
    with pytest.raises(Refusal) as no:
        uc.claims_list(officer)
    assert no.value.code == "claim.not_finance" and "เจ้าหน้าที่การเงิน" in str(no.value)
    mine = child_claim(desk(register), me, kid)
    with pytest.raises(Refusal):
        uc.keep(officer, mine)
    elsewhere = Officer(new_cid(), "การเงินหน่วยอื่น", "นักวิชาการเงินและบัญชี", Role.FINANCE_OFFICER, "OTH0002", "x@y")
    with pytest.raises(Refusal) as other:
        uc.keep(desk(register, elsewhere), mine)
    assert other.value.code == "claim.other_unit"


def test_the_desks_lists_and_a_claim_repaid_after_the_transfer(register, family):
    me, kid = family
    d = desk(register)
    submitted = uc.submit(d, child_claim(d, me, kid, number="IV-2")).claims[-1]
    near = child_claim(d, me, kid, first=dt.date(2025, 12, 20), last=dt.date(2025, 12, 20), number="IV-3")
    uc.keep(d, near)
    assert [x.claim.id for x in uc.claims_list(d, uc.View.AT_NHSO)] == [submitted.id]
    [expiring] = uc.claims_list(d, uc.View.EXPIRING)
    assert expiring.claim.id == near.id and expiring.days_left == 21
    # NHSO accepted it and transferred (what the feed will bring; here as the server would store it)
    from app.claims import Actor, move
    paid = move(move(submitted, ClaimState.ACCEPTED, Actor.NHSO, "nhso", NOW), ClaimState.IN_TRANSFER, Actor.NHSO,
                "nhso", NOW, statement="ST-2569-11")
    with d.transaction() as conn:
        ClaimStore(register.wc).save_in(conn, paid)
        keep_payment(conn, "ST-2569-11", FINANCE.unit_code, [paid])
    # in NHSO's statement, but the money has not come: still with NHSO, nothing to repay yet
    assert uc.claims_list(d, uc.View.TO_REPAY) == []
    assert [x.id for x in uc.claims_list(d, uc.View.AT_NHSO)] == [paid.id]
    with pytest.raises(Refusal) as early:
        uc.repay(d, paid, Decimal("8200"), "PV-1", dt.date(2026, 11, 28), PayMethod.CASH)
    assert early.value.code == "claim.not_transferred" and "ยังไม่ได้โอนเงิน" in early.value.th
    with d.transaction() as conn:
        keep_payment(conn, "ST-2569-11", FINANCE.unit_code, [paid], transfer_on=dt.date(2026, 11, 27))
    assert uc.claims_list(d, uc.View.AT_NHSO) == []
    [to_repay] = uc.claims_list(d, uc.View.TO_REPAY)
    with pytest.raises(Refusal) as later:
        uc.repay(d, to_repay.claim, Decimal("8200"), "PV-1", dt.date(2026, 12, 1), PayMethod.CASH)
    assert later.value.code == "claim.paid_future"
    repaid = uc.repay(d, to_repay.claim, Decimal("8200"), "PV-1", dt.date(2026, 11, 28), PayMethod.CASH).claims[-1]
    assert repaid.state is ClaimState.REPAID and uc.claims_list(d, uc.View.TO_REPAY) == []
    assert ClaimStore(register.wc).get(repaid.id).history[-1].voucher == "PV-1"
