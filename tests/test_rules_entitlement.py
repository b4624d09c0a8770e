"""The entitlement rules, each with its edges."""
import dataclasses
import datetime as dt

from hypothesis import given, settings, strategies as st

from app.domain import (
    Basis, CourtOrder, Coverage, Employment, EndReason, Marriage, MarriageEnd, OrderKind, ParentKind, Scheme, Sex,
)
from app.errors import Severity
from app.rules.entitlement import (
    Relation, add_months, add_years, all_spans, entitled_on, explain_dependent, explain_self, spans_for,
)
from tests.builders import Family, person

D = dt.date


def entitled(f: Family, cid: str, day: D, relation=None) -> bool:
    spans = [s for s in entitled_on(spans_for(f.facts, f.me.cid), day) if s.cid == cid]
    return bool(spans) and (relation is None or spans[0].relation is relation)


def test_local_official_is_entitled_from_the_start_of_service():
    f = Family(start=D(2015, 6, 1))
    assert not entitled(f, f.me.cid, D(2015, 5, 31))
    assert entitled(f, f.me.cid, D(2015, 6, 1), Relation.SELF)


def test_contract_staff_and_council_members_are_refused_with_the_reason():
    for ptype, word in (("contract_staff", "พนักงานจ้าง"), ("council_member", "สมาชิกสภา")):
        f = Family(ptype=ptype)
        assert not entitled(f, f.me.cid, D(2020, 1, 1))
        [v] = explain_self(f.facts, f.me.cid, D(2020, 1, 1))
        assert v.code == "type.ineligible" and word in v.th


def test_child_turning_twenty_loses_entitlement_on_birthday():
    f = Family()
    kid = f.child(D(2004, 8, 15))
    assert entitled(f, kid.cid, D(2024, 8, 14), Relation.CHILD)
    assert not entitled(f, kid.cid, D(2024, 8, 15))
    v = explain_dependent(f.facts, f.me.cid, kid.cid, Relation.CHILD, D(2024, 8, 15))
    assert v.code == "child.age_20" and "15/08/2567" in v.th


def test_child_born_on_29_february_turns_twenty_on_1_march_in_a_common_year():
    f = Family()
    kid = f.child(D(2004, 2, 29))
    assert add_years(D(2004, 2, 29), 21) == D(2025, 3, 1)
    assert entitled(f, kid.cid, D(2024, 2, 28))  # 2024 is a leap year: the birthday is the 29th
    assert not entitled(f, kid.cid, D(2024, 2, 29))


def test_child_with_unknown_birth_day_counts_from_the_first_of_the_month():
    f = Family()
    kid = f.child(D(2005, 7, 1))
    f.facts.persons[kid.cid] = dataclasses.replace(kid, birth=dataclasses.replace(kid.birth, day=0))
    f.facts.reindex()
    assert entitled(f, kid.cid, D(2025, 6, 30)) and not entitled(f, kid.cid, D(2025, 7, 1))


def test_fourth_child_is_refused_and_the_reason_names_the_birth_order():
    f = Family()
    kids = [f.child(D(2011 + i, 1, 1)) for i in range(4)]
    day = D(2020, 1, 1)
    assert all(entitled(f, k.cid, day) for k in kids[:3])
    assert not entitled(f, kids[3].cid, day)
    v = explain_dependent(f.facts, f.me.cid, kids[3].cid, Relation.CHILD, day)
    assert v.code == "child.beyond_third" and "บุตรคนที่ 4" in v.th


def test_children_over_twenty_still_take_their_place_in_the_count():
    f = Family()
    f.child(D(1990, 1, 1))
    f.child(D(1992, 1, 1))
    f.child(D(1994, 1, 1))
    young = f.child(D(2012, 1, 1))
    assert not entitled(f, young.cid, D(2020, 1, 1))


def test_twins_at_the_third_child_both_count():
    f = Family()
    f.child(D(2011, 1, 1))
    f.child(D(2013, 1, 1))
    t1, t2 = f.child(D(2015, 5, 5)), f.child(D(2015, 5, 5))
    later = f.child(D(2017, 1, 1))
    day = D(2020, 1, 1)
    assert entitled(f, t1.cid, day) and entitled(f, t2.cid, day)
    assert not entitled(f, later.cid, day)


def test_twins_at_the_second_birth_fill_the_slots_so_the_next_child_is_refused():
    f = Family()
    f.child(D(2011, 1, 1))
    f.child(D(2013, 2, 2))
    f.child(D(2013, 2, 2))
    later = f.child(D(2016, 1, 1))
    assert not entitled(f, later.cid, D(2020, 1, 1))


def test_a_child_who_dies_before_majority_frees_the_slot_from_the_day_of_death():
    f = Family()
    first = f.child(D(2011, 1, 1), died=D(2019, 6, 1))
    f.child(D(2013, 1, 1))
    f.child(D(2015, 1, 1))
    fourth = f.child(D(2017, 1, 1))
    assert not entitled(f, fourth.cid, D(2019, 5, 31))
    assert entitled(f, fourth.cid, D(2019, 6, 1))
    assert not entitled(f, first.cid, D(2019, 6, 1))


def test_a_child_who_died_as_an_adult_still_holds_the_slot():
    f = Family()
    f.child(D(1990, 1, 1), died=D(2015, 1, 1))
    f.child(D(2005, 1, 1))
    f.child(D(2007, 1, 1))
    fourth = f.child(D(2010, 1, 1))
    assert not entitled(f, fourth.cid, D(2016, 1, 1))


def test_adopted_children_neither_count_nor_qualify():
    f = Family()
    adopted = f.child(D(2009, 1, 1), kind=ParentKind.ADOPTIVE)
    kids = [f.child(D(2011 + i, 1, 1)) for i in range(3)]
    day = D(2020, 1, 1)
    assert not entitled(f, adopted.cid, day)
    assert all(entitled(f, k.cid, day) for k in kids)
    assert explain_dependent(f.facts, f.me.cid, adopted.cid, Relation.CHILD, day).code == "child.adopted"


def test_a_child_who_marries_loses_the_right_on_the_wedding_day():
    f = Family()
    kid = f.child(D(2005, 1, 1))
    partner = f.add(person(first="เขย", born=D(2003, 1, 1)))
    f.facts.marriages.append(Marriage("mk", kid.cid, partner.cid, "55/2567", D(2024, 3, 1)))
    f.facts.reindex()
    assert entitled(f, kid.cid, D(2024, 2, 29)) and not entitled(f, kid.cid, D(2024, 3, 1))
    assert explain_dependent(f.facts, f.me.cid, kid.cid, Relation.CHILD, D(2024, 3, 1)).code == "child.married"


def test_a_court_order_of_incompetence_keeps_the_child_entitled_at_any_age():
    f = Family()
    kid = f.child(D(1995, 1, 1))
    f.facts.orders.append(CourtOrder("o1", kid.cid, OrderKind.QUASI_INCOMPETENT, "ค.123/2560", D(2017, 3, 1)))
    f.facts.reindex()
    assert not entitled(f, kid.cid, D(2016, 1, 1))  # turned 20 in 2015, before the order
    assert entitled(f, kid.cid, D(2017, 3, 1))
    assert entitled(f, kid.cid, D(2030, 1, 1))


def test_spouse_right_ends_on_the_divorce_date():
    f = Family()
    wife = f.spouse(D(2012, 2, 14), ended_on=D(2021, 9, 1), end_reason=MarriageEnd.DIVORCE)
    assert not entitled(f, wife.cid, D(2012, 2, 13))
    assert entitled(f, wife.cid, D(2021, 8, 31), Relation.SPOUSE)
    assert not entitled(f, wife.cid, D(2021, 9, 1))
    assert explain_dependent(f.facts, f.me.cid, wife.cid, Relation.SPOUSE, D(2021, 9, 1)).code == "spouse.divorced"


def test_a_spouse_with_their_own_civil_servant_right_uses_it_first():
    f = Family()
    wife = f.spouse(D(2012, 2, 14))
    f.facts.coverages.append(Coverage("c1", wife.cid, Scheme.CSMBS, Basis.OWN, D(2015, 1, 1)))
    f.facts.reindex()
    assert entitled(f, wife.cid, D(2014, 12, 31))
    assert not entitled(f, wife.cid, D(2015, 1, 1))
    v = explain_dependent(f.facts, f.me.cid, wife.cid, Relation.SPOUSE, D(2015, 1, 1))
    assert v.code == "dependent.own_state_right" and v.severity is Severity.ERROR


def test_a_spouse_who_is_also_an_lgo_official_is_entitled_in_their_own_right_only():
    f = Family()
    wife = f.spouse(D(2012, 2, 14))
    f.facts.employments.append(Employment("e-w", wife.cid, "U2", "local_teacher", D(2016, 5, 16)))
    f.facts.reindex()
    day = D(2017, 1, 1)
    assert not entitled(f, wife.cid, day)
    mine = [s for s in entitled_on(all_spans(f.facts), day) if s.cid == wife.cid]
    assert [(s.relation, s.unit_code) for s in mine] == [(Relation.SELF, "U2")]


def test_social_security_pays_first_with_six_months_after_leaving_work():
    f = Family()
    wife = f.spouse(D(2012, 2, 14))
    f.facts.coverages.append(Coverage("c2", wife.cid, Scheme.SOCIAL_SECURITY, Basis.OWN, D(2014, 1, 1),
                                      D(2019, 3, 31)))
    f.facts.reindex()
    spans = {s.start: s for s in spans_for(f.facts, f.me.cid) if s.cid == wife.cid}
    assert spans[D(2014, 1, 1)].secondary and spans[D(2014, 1, 1)].end == add_months(D(2019, 3, 31), 6)
    assert add_months(D(2019, 3, 31), 6) == D(2019, 9, 30)
    assert not spans[D(2019, 9, 30)].secondary
    v = explain_dependent(f.facts, f.me.cid, wife.cid, Relation.SPOUSE, D(2019, 9, 29))
    assert v.code == "dependent.sso_first" and v.severity is Severity.INFO


def test_private_insurance_changes_nothing_and_says_so():
    f = Family()
    f.facts.coverages.append(Coverage("c3", f.me.cid, Scheme.PRIVATE_INSURANCE, Basis.OWN, D(2018, 1, 1)))
    f.facts.reindex()
    assert entitled(f, f.me.cid, D(2019, 1, 1))
    assert [v.code for v in explain_self(f.facts, f.me.cid, D(2019, 1, 1))] == ["coverage.private"]


def test_legal_parents_are_entitled_but_not_a_father_without_legal_recognition_nor_adoptive_parents():
    f = Family()
    mother = f.parent(Sex.FEMALE)
    father = f.parent(Sex.MALE, ParentKind.NOT_LEGITIMATE)
    adoptive = f.parent(Sex.MALE, ParentKind.ADOPTIVE)
    day = D(2020, 1, 1)
    assert entitled(f, mother.cid, day, Relation.MOTHER)
    assert not entitled(f, father.cid, day) and not entitled(f, adoptive.cid, day)
    assert explain_dependent(f.facts, f.me.cid, father.cid, Relation.FATHER, day).code == "parent.not_legitimate"
    assert explain_dependent(f.facts, f.me.cid, adoptive.cid, Relation.FATHER, day).code == "parent.adoptive"


def test_death_of_the_beneficiary_ends_every_dependents_right_that_day():
    f = Family()
    wife = f.spouse(D(2012, 2, 14))
    kid = f.child(D(2014, 1, 1))
    f.facts.persons[f.me.cid] = dataclasses.replace(f.me, died_on=D(2022, 7, 7))
    f.facts.reindex()
    for cid in (f.me.cid, wife.cid, kid.cid):
        assert entitled(f, cid, D(2022, 7, 6))
        assert not entitled(f, cid, D(2022, 7, 7))


def test_retirement_on_pension_continues_without_a_gap_and_resignation_ends_the_right():
    f = Family(start=D(1990, 1, 1))
    f.facts.employments[0] = dataclasses.replace(f.job, end=D(2020, 10, 1), end_reason=EndReason.RETIREMENT)
    f.facts.employments.append(Employment("pen", f.me.cid, "U1", "pensioner", D(2020, 10, 1)))
    f.facts.reindex()
    kinds = {s.personnel_type for s in entitled_on(spans_for(f.facts, f.me.cid), D(2020, 9, 30))}
    assert kinds == {"local_official"}
    assert {s.personnel_type for s in entitled_on(spans_for(f.facts, f.me.cid), D(2020, 10, 1))} == {"pensioner"}

    g = Family(start=D(2010, 1, 1))
    g.facts.employments[0] = dataclasses.replace(g.job, end=D(2019, 4, 1), end_reason=EndReason.RESIGNATION)
    g.facts.reindex()
    assert entitled(g, g.me.cid, D(2019, 3, 31)) and not entitled(g, g.me.cid, D(2019, 4, 1))


def test_transfer_moves_the_family_to_the_new_unit_on_the_same_day():
    f = Family(start=D(2010, 1, 1), unit="U1")
    kid = f.child(D(2012, 1, 1))
    f.facts.employments[0] = dataclasses.replace(f.job, end=D(2018, 10, 1), end_reason=EndReason.TRANSFER_OUT)
    f.facts.employments.append(Employment("t2", f.me.cid, "U2", "local_official", D(2018, 10, 1)))
    f.facts.reindex()
    units = lambda day: sorted(s.unit_code for s in entitled_on(spans_for(f.facts, f.me.cid), day)
                               if s.cid == kid.cid)
    assert units(D(2018, 9, 30)) == ["U1"]
    assert units(D(2018, 10, 1)) == ["U2"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6000), st.booleans()), min_size=1, max_size=7))
def test_never_more_than_three_children_entitled_unless_twins_at_the_third(births):
    f = Family(start=D(2000, 1, 1))
    for offset, dies in births:
        born = D(2001, 1, 1) + dt.timedelta(days=offset)
        f.child(born, died=born + dt.timedelta(days=365 * 5) if dies else None)
    for year in range(2001, 2040, 3):
        day = D(year, 6, 1)
        kids = [s for s in entitled_on(spans_for(f.facts, f.me.cid), day) if s.relation is Relation.CHILD]
        births_on = sorted(f.facts.persons[s.cid].birth.earliest() for s in kids)
        if len(kids) > 3:
            assert len(set(births_on[2:])) == 1  # the extra ones share the third child's birth


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 9000), st.integers(1, 9000), st.integers(0, 12000))
def test_dependents_are_never_entitled_outside_the_beneficiarys_service(start, length, probe):
    s = D(1995, 1, 1) + dt.timedelta(days=start)
    f = Family(start=s)
    f.facts.employments[0] = dataclasses.replace(f.job, end=s + dt.timedelta(days=length),
                                                 end_reason=EndReason.RESIGNATION)
    f.facts.reindex()
    wife = f.spouse(D(1999, 1, 1))
    kid = f.child(D(2001, 1, 1))
    day = D(1995, 1, 1) + dt.timedelta(days=probe)
    for cid in (wife.cid, kid.cid):
        if entitled(f, cid, day):
            assert entitled(f, f.me.cid, day)
