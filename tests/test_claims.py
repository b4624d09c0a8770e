"""A claim's checks and its life, as the finance officer meets them: a day of care without the right is named with
the rules' reason, a receipt past a year is refused and one near it is amber with the days left, a receipt in
another claim is refused, the checklist asks for what is missing, and only the right people move a claim."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.claims import (
    Actor, Care, Claim, ClaimState, Page, PageLabel, PaidFirst, PayMethod, Receipt, check, move, receipt_key,
    used_receipts,
)
from app.domain import Basis, Coverage, Scheme
from app.errors import Refusal, Severity
from app.rules.entitlement import Relation
from tests.builders import Family

TODAY = dt.date(2026, 11, 29)
AT = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.timezone.utc)
D = dt.date


def family_with_child(born=D(2006, 3, 15)):
    f = Family(unit="U1")
    kid = f.child(born)
    return f, kid


def claim_for(f, patient, relation, first, last=None, **kw) -> Claim:
    base = dict(facility="โรงพยาบาลเอกชนทดลอง", care=Care.INPATIENT, first_day=first, last_day=last or first,
                illness="ไข้เลือดออก", paid_first=PaidFirst.CANNOT_BILL,
                receipts=(Receipt("A-0001", last or first, "นายสมชาย ใจดี", Decimal("12500.50")),),
                pages=(Page("a" * 64, PageLabel.RECEIPT, "A-0001"), Page("b" * 64, PageLabel.MEDICAL_CERTIFICATE)))
    base.update(kw)
    return Claim("c1", "U1", f.me.cid, patient.cid, relation, **base)


def errors(verdicts, subject=None):
    return [v for v in verdicts.errors if subject is None or v.subject == subject]


# --- the right on each day of care ------------------------------------------------------------------------

def test_days_after_the_childs_right_ended_are_named_with_the_rules_reason():
    # born 15 March 2006: a child until the day before the 20th birthday, so the last day is 14 March 2026
    f, kid = family_with_child(D(2006, 3, 15))
    verdicts = check(claim_for(f, kid, Relation.CHILD, D(2026, 3, 12), D(2026, 3, 17)), f.facts, TODAY)
    [refused] = errors(verdicts, "days")
    assert refused.code == "claim.not_entitled"
    assert refused.th.startswith("วันที่ 15/03/2569 – 17/03/2569 ไม่มีสิทธิในกองทุนฯ: ")
    assert "20" in refused.th   # the rules' own reason: the age of majority
    # the officer corrects the stay to the days the child was still entitled: nothing stands against it
    fixed = check(claim_for(f, kid, Relation.CHILD, D(2026, 3, 12), D(2026, 3, 14)), f.facts, TODAY)
    assert errors(fixed) == []


def test_a_spouse_before_the_marriage_registration_is_refused_for_those_days_only():
    f = Family(unit="U1")
    wife = f.spouse(D(2026, 6, 10))
    verdicts = check(claim_for(f, wife, Relation.SPOUSE, D(2026, 6, 8), D(2026, 6, 12),
                               receipts=(Receipt("A-0001", D(2026, 6, 12), "x", Decimal("100")),)), f.facts, TODAY)
    [refused] = errors(verdicts, "days")
    assert refused.th.startswith("วันที่ 08/06/2569 – 09/06/2569 ")


def test_a_stay_of_centuries_is_one_typing_error_not_a_reason_per_day():
    f = Family(unit="U1")
    typo = claim_for(f, f.me, Relation.SELF, D(1026, 5, 1), D(2026, 5, 1))   # 1026 for 2026
    [only] = errors(check(typo, f.facts, TODAY), "days")
    assert only.code == "claim.days_long" and "ยาวเกิน 1 ปี" in only.th


def test_a_private_hospital_chosen_as_a_state_one_is_questioned():
    from app.claims import FacilityKind
    f = Family(unit="U1")
    mixed = claim_for(f, f.me, Relation.SELF, D(2026, 5, 1))      # «โรงพยาบาลเอกชนทดลอง», state by default
    [warned] = [v for v in check(mixed, f.facts, TODAY).items if v.code == "claim.facility_kind"]
    assert warned.severity is Severity.WARNING and warned.subject == "facility" and "เอกชน" in warned.th
    fixed = claim_for(f, f.me, Relation.SELF, D(2026, 5, 1), facility_kind=FacilityKind.PRIVATE)
    assert not any(v.code == "claim.facility_kind" for v in check(fixed, f.facts, TODAY).items)


def test_care_through_another_unit_is_not_this_units_claim():
    f = Family(unit="U2")
    verdicts = check(claim_for(f, f.me, Relation.SELF, D(2026, 5, 1)), f.facts, TODAY)
    assert [v.code for v in errors(verdicts, "days")] == ["claim.not_entitled"]


def test_social_security_first_allows_only_the_shortfall_once_stated():
    f = Family(unit="U1")
    f.facts.coverages.append(Coverage("cv1", f.me.cid, Scheme.SOCIAL_SECURITY, Basis.OWN, D(2020, 1, 1)))
    f.facts.reindex()
    bare = check(claim_for(f, f.me, Relation.SELF, D(2026, 5, 1)), f.facts, TODAY)
    assert [v.code for v in errors(bare)] == ["claim.shortfall_only"]
    stated = claim_for(f, f.me, Relation.SELF, D(2026, 5, 1), other_right="ประกันสังคม", other_paid=Decimal("2500"))
    verdicts = check(stated, f.facts, TODAY)
    assert errors(verdicts) == []
    assert "claim.shortfall" in verdicts.codes()
    assert stated.claimed == Decimal("10000.50")


# --- the year to claim -----------------------------------------------------------------------------------

def test_a_receipt_a_year_old_is_refused_and_one_near_it_is_amber_with_the_days_left():
    f = Family(unit="U1")
    old = claim_for(f, f.me, Relation.SELF, D(2025, 11, 29),
                    receipts=(Receipt("A-0001", D(2025, 11, 29), "x", Decimal("100")),))
    [expired] = errors(check(old, f.facts, TODAY), "receipt:0")
    assert expired.code == "receipt.expired" and "1 ปี" in expired.th
    near = claim_for(f, f.me, Relation.SELF, D(2025, 12, 20),
                     receipts=(Receipt("A-0001", D(2025, 12, 20), "x", Decimal("100")),))
    verdicts = check(near, f.facts, TODAY)
    assert errors(verdicts) == []
    [amber] = [v for v in verdicts.items if v.code == "receipt.expiring"]
    assert amber.severity is Severity.WARNING and "21 วัน" in amber.th and "20/12/2569" in amber.th


# --- the checklist and double claims ---------------------------------------------------------------------

def test_the_checklist_asks_for_each_missing_paper():
    f = Family(unit="U1")
    bare = claim_for(f, f.me, Relation.SELF, D(2026, 5, 1), paid_first=PaidFirst.NOT_REGISTERED, pages=())
    codes = [v.code for v in errors(check(bare, f.facts, TODAY), "pages")]
    assert codes == ["pages.receipt", "pages.medical_certificate", "pages.entitlement_certificate"]
    empty = Claim("c2", "U1", f.me.cid, f.me.cid, Relation.SELF)
    subjects = {v.subject for v in errors(check(empty, f.facts, TODAY))}
    assert subjects == {"facility", "illness", "paid_first", "days", "receipt:0"}


def test_a_receipt_in_another_claim_is_refused_however_its_number_is_typed():
    f = Family(unit="U1")
    first = claim_for(f, f.me, Relation.SELF, D(2026, 5, 1))
    again = claim_for(f, f.me, Relation.SELF, D(2026, 5, 1), facility="โรงพยาบาลเอกชนทดลอง ",
                      receipts=(Receipt("a 0001", D(2026, 5, 1), "x", Decimal("100")),),
                      pages=(Page("c" * 64, PageLabel.RECEIPT, "a 0001"), Page("b" * 64, PageLabel.MEDICAL_CERTIFICATE)))
    again = Claim(**{**again.__dict__, "id": "c2"})
    [dup] = errors(check(again, f.facts, TODAY, used_receipts([first])))
    assert dup.code == "receipt.claimed" and dup.subject == "receipt:0"
    # the same number from another facility is another receipt; a cancelled claim frees its receipts
    elsewhere = Claim(**{**again.__dict__, "facility": "โรงพยาบาลอื่น"})
    assert errors(check(elsewhere, f.facts, TODAY, used_receipts([first]))) == []
    cancelled = move(first, ClaimState.CANCELLED, Actor.FINANCE, "fin", AT, reason="กรอกผิด")
    assert errors(check(again, f.facts, TODAY, used_receipts([cancelled]))) == []
    assert receipt_key("รพ. ก", "๑๒-๓๔") == receipt_key("รพ.ก", "1234")
    # what prints as nothing or looks the same is the same receipt on the desktop as on the server: a zero-width
    # space, a soft hyphen, full-width letters and digits, an en dash, a no-break space
    for spelling in ("IV\u200b-0001", "IV-00\u00ad01", "ＩＶ－０００１", "IV\u20130001", "IV\u00a00001"):
        assert receipt_key("โรงพยาบาลทดลอง", spelling) == receipt_key("โรงพยาบาลทดลอง", "iv-0001"), spelling
    assert receipt_key("โรงพยาบาล\u200bทดลอง", "1") == receipt_key("โรงพยาบาลทดลอง", "1")


# --- the claim's life ------------------------------------------------------------------------------------

def test_a_claim_goes_from_draft_to_closed_and_keeps_every_step():
    f = Family(unit="U1")
    c = claim_for(f, f.me, Relation.SELF, D(2026, 5, 1))
    c = move(c, ClaimState.READY, Actor.FINANCE, "fin", AT)
    c = move(c, ClaimState.SUBMITTED, Actor.FINANCE, "fin", AT)
    c = move(c, ClaimState.PARTLY_ACCEPTED, Actor.NHSO, "nhso", AT, amount=Decimal("10000"), reason="ค่าห้องเกินสิทธิ")
    c = move(c, ClaimState.IN_TRANSFER, Actor.NHSO, "nhso", AT, statement="ST-2569-05-U1")
    with pytest.raises(Refusal) as more:
        move(c, ClaimState.REPAID, Actor.FINANCE, "fin", AT, amount=Decimal("12500.50"), voucher="PV-1",
             paid_on=D(2026, 6, 20), method=PayMethod.TRANSFER)
    assert more.value.code == "claim.repaid_amount" and "10,000.00" in str(more.value)
    c = move(c, ClaimState.REPAID, Actor.FINANCE, "fin", AT, amount=Decimal("10000"), voucher="PV-1",
             paid_on=D(2026, 6, 20), method=PayMethod.TRANSFER)
    c = move(c, ClaimState.CLOSED, Actor.FINANCE, "fin", AT)
    assert [s.state for s in c.history] == [ClaimState.READY, ClaimState.SUBMITTED, ClaimState.PARTLY_ACCEPTED,
                                           ClaimState.IN_TRANSFER, ClaimState.REPAID, ClaimState.CLOSED]


def test_only_nhso_decides_and_only_the_finance_officer_submits():
    f = Family(unit="U1")
    ready = move(claim_for(f, f.me, Relation.SELF, D(2026, 5, 1)), ClaimState.READY, Actor.FINANCE, "fin", AT)
    with pytest.raises(Refusal) as nhso:
        move(ready, ClaimState.SUBMITTED, Actor.NHSO, "nhso", AT)
    assert nhso.value.code == "claim.actor"
    submitted = move(ready, ClaimState.SUBMITTED, Actor.FINANCE, "fin", AT)
    with pytest.raises(Refusal) as own:
        move(submitted, ClaimState.ACCEPTED, Actor.FINANCE, "fin", AT)
    assert own.value.code == "claim.actor" and "สปสช." in str(own.value)
    with pytest.raises(Refusal) as skip:
        move(ready, ClaimState.REPAID, Actor.FINANCE, "fin", AT)
    assert skip.value.code == "claim.move" and "«พร้อมส่ง»" in str(skip.value)
    with pytest.raises(Refusal) as why:
        move(submitted, ClaimState.REJECTED, Actor.NHSO, "nhso", AT)
    assert why.value.code == "claim.reason"


def test_a_rejected_claim_is_corrected_and_submitted_again_as_the_same_claim():
    f = Family(unit="U1")
    c = move(claim_for(f, f.me, Relation.SELF, D(2026, 5, 1)), ClaimState.READY, Actor.FINANCE, "fin", AT)
    c = move(c, ClaimState.SUBMITTED, Actor.FINANCE, "fin", AT)
    c = move(c, ClaimState.REJECTED, Actor.NHSO, "nhso", AT, reason="สิทธิ ณ วันที่รักษาไม่ใช่สิทธิ อปท.")
    c = move(c, ClaimState.DRAFT, Actor.FINANCE, "fin", AT, reason="แก้วันที่รักษา")
    c = move(move(c, ClaimState.READY, Actor.FINANCE, "fin", AT), ClaimState.SUBMITTED, Actor.FINANCE, "fin", AT)
    c = move(c, ClaimState.ACCEPTED, Actor.NHSO, "nhso", AT)
    assert c.id == "c1" and c.history[-1].amount == c.claimed == Decimal("12500.50")
    assert [s.state for s in c.history].count(ClaimState.SUBMITTED) == 2
    assert c.history[2].reason == "สิทธิ ณ วันที่รักษาไม่ใช่สิทธิ อปท."
