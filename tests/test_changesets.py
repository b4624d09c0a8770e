"""Change sets: the review states, who may move them, and the rules' verdicts before submitting."""
import datetime as dt

import pytest

from app import events
from app.changeset import ReviewState
from app.domain import Employment, EndReason, Officer, ParentKind, Role, Sex
from app.errors import Refusal, Severity
from app.register import apply_operations, validate
from app.rules.entitlement import Relation, entitled_on, spans_for
from tests.builders import Family, new_cid, person

D = dt.date
TODAY = D(2026, 11, 23)
OFFICER = Officer(new_cid(), "เจ้าหน้าที่", "นักทรัพยากรบุคคล", Role.REGISTRY_OFFICER, "U1", "o@example.go.th")
REGISTRAR = Officer(new_cid(), "นายทะเบียน", "ปลัดเทศบาล", Role.REGISTRAR, "U1", "r@example.go.th")


def hire_with_family(n_children=2, start=D(2026, 11, 1)):
    me = person(first="สมชาย", born=D(1990, 1, 1))
    wife = person(first="สมหญิง", sex=Sex.FEMALE, born=D(1991, 2, 2))
    deps = [events.NewDependent(wife, Relation.SPOUSE, registration_no="77/2560", registered_on=D(2017, 6, 1))]
    deps += [events.NewDependent(person(first=f"ลูก{i}", born=D(2018 + i, 1, 1)), Relation.CHILD)
             for i in range(n_children)]
    return events.hire("U1", OFFICER.cid, me, "local_official", start, "นักวิเคราะห์", dependents=deps)


def test_a_new_hire_with_spouse_and_two_children_is_one_change_set_that_passes_the_rules():
    cs = hire_with_family(2)
    assert cs.title == "บรรจุใหม่ นายสมชาย ใจดี พร้อมคู่สมรสและบุตร 2 คน"
    after, verdicts = validate(Family().facts, cs, TODAY)
    assert verdicts.ok, verdicts.items
    on = entitled_on(spans_for(after, cs.operations[0].record_id), D(2026, 11, 1))
    assert sorted(s.relation.value for s in on) == ["child", "child", "self", "spouse"]


def test_a_fourth_child_in_a_hire_is_refused_with_the_reason_before_submitting():
    cs = hire_with_family(4)
    _, verdicts = validate(Family().facts, cs, TODAY)
    [err] = verdicts.errors
    assert err.code == "child.beyond_third" and "บุตรคนที่ 4" in err.th


def test_hiring_contract_staff_is_refused():
    cs = events.hire("U1", OFFICER.cid, person(), "contract_staff", D(2026, 1, 1))
    _, verdicts = validate(Family().facts, cs, TODAY)
    assert "employment.type_ineligible" in [v.code for v in verdicts.errors]


def test_being_active_in_two_units_at_once_is_refused_until_the_transfer_out_is_recorded():
    f = Family(start=D(2010, 1, 1), unit="U1")
    me = events.Known(f.me, 3)
    cs = events.hire("U2", OFFICER.cid, me, "local_official", D(2020, 1, 1), "นักวิเคราะห์",
                     reason=events.StartReason.TRANSFER_IN)
    _, verdicts = validate(f.facts, cs, TODAY)
    assert "employment.overlap" in [v.code for v in verdicts.errors]
    out = events.end_service("U1", OFFICER.cid, me, events.Known(f.job, 1), D(2020, 1, 1), EndReason.TRANSFER_OUT)
    after = apply_operations(f.facts, out.operations)
    _, verdicts = validate(after, cs, TODAY)
    assert verdicts.ok, verdicts.items


def test_retirement_on_pension_is_one_change_set_and_keeps_the_right():
    f = Family(start=D(1990, 1, 1))
    cs = events.end_service("U1", OFFICER.cid, events.Known(f.me, 1), events.Known(f.job, 1),
                            D(2025, 10, 1), EndReason.RETIREMENT, pension=True)
    assert "รับบำนาญต่อ" in cs.title
    after, verdicts = validate(f.facts, cs, TODAY)
    assert verdicts.ok
    [s] = entitled_on(spans_for(after, f.me.cid), D(2025, 10, 1))
    assert s.personnel_type == "pensioner"


def test_divorce_update_carries_the_base_revision_and_ends_the_spouse_right():
    f = Family()
    wife = f.spouse(D(2012, 1, 1))
    cs = events.divorce("U1", OFFICER.cid, events.Known(f.facts.marriages[0], 5), D(2024, 1, 1))
    assert cs.operations[0].base_rev == 5 and cs.operations[0].fields == {"ended_on": "2024-01-01",
                                                                          "end_reason": "divorce"}
    after, verdicts = validate(f.facts, cs, TODAY)
    assert verdicts.ok
    assert not [s for s in entitled_on(spans_for(after, f.me.cid), D(2024, 1, 1)) if s.cid == wife.cid]


def test_adding_an_adopted_child_is_refused_and_a_spouse_with_sso_is_explained():
    f = Family()
    cs = events.add_dependent("U1", OFFICER.cid, events.Known(f.me, 1),
                              events.NewDependent(person(born=D(2015, 1, 1)), Relation.CHILD, ParentKind.ADOPTIVE),
                              D(2026, 1, 1))
    _, verdicts = validate(f.facts, cs, TODAY)
    assert [v.code for v in verdicts.errors] == ["child.adopted"]


def test_review_states_follow_the_design_and_only_the_registrar_approves():
    cs = hire_with_family(1)
    with pytest.raises(Refusal) as e:
        cs.approve(REGISTRAR)
    assert e.value.code == "changeset.bad_transition"
    cs.submit(OFFICER)
    assert cs.state is ReviewState.PENDING
    with pytest.raises(Refusal) as e:
        cs.approve(OFFICER)
    assert e.value.code == "changeset.not_registrar"
    with pytest.raises(Refusal) as e:
        cs.return_(REGISTRAR, "  ")
    assert e.value.code == "changeset.reason_missing"
    cs.return_(REGISTRAR, "เลขทะเบียนสมรสไม่ตรงกับใบสำคัญ")
    assert cs.state is ReviewState.RETURNED and cs.return_reason.startswith("เลขทะเบียน")
    cs.submit(OFFICER)
    cs.approve(REGISTRAR)
    cs.applied()
    assert [t.state for t in cs.history] == [ReviewState.PENDING, ReviewState.RETURNED, ReviewState.PENDING,
                                            ReviewState.APPROVED, ReviewState.APPLIED]


def test_the_author_cannot_approve_their_own_change_set_even_as_registrar():
    cs = events.hire("U1", REGISTRAR.cid, person(), "local_official", D(2026, 1, 1))
    cs.state = ReviewState.PENDING
    with pytest.raises(Refusal) as e:
        cs.approve(REGISTRAR)
    assert e.value.code == "changeset.own_approval"


def test_another_units_registrar_cannot_approve():
    cs = hire_with_family(0)
    cs.submit(OFFICER)
    other = Officer(new_cid(), "x", "ปลัด", Role.REGISTRAR, "U9", "x@example.go.th")
    with pytest.raises(Refusal) as e:
        cs.approve(other)
    assert e.value.code == "changeset.other_unit_registrar"


def test_a_conflict_on_apply_returns_the_change_set_and_a_returned_one_can_be_cancelled():
    cs = hire_with_family(0)
    cs.submit(OFFICER)
    cs.approve(REGISTRAR)
    cs.rejected("ข้อมูลถูกแก้ไขจากเครื่องอื่น")
    assert cs.state is ReviewState.RETURNED
    cs.cancel(OFFICER)
    assert cs.state is ReviewState.CANCELLED
    with pytest.raises(Refusal):
        cs.submit(OFFICER)


def test_updating_a_record_that_does_not_exist_is_refused_not_crashed():
    f = Family()
    ghost = Employment("nope", f.me.cid, "U1", "local_official", D(2010, 1, 1))
    cs = events.end_service("U1", OFFICER.cid, events.Known(f.me, 1), events.Known(ghost, 1), D(2020, 1, 1),
                            EndReason.RESIGNATION)
    _, verdicts = validate(f.facts, cs, TODAY)
    assert [v.code for v in verdicts.errors] == ["operation.missing"]
    assert verdicts.errors[0].severity is Severity.ERROR


def test_a_childs_marriage_ends_the_childs_right_on_the_wedding_day_without_claiming_the_partner():
    f = Family()
    kid = f.child(D(2007, 1, 1))
    cs = events.child_married("U1", OFFICER.cid, events.Known(kid, 1), person(first="เขย", born=D(2002, 1, 1)),
                              "12/2568", D(2025, 6, 1))
    assert cs.claims == [] and "สิ้นสุดวันที่ 01/06/2568" in cs.title
    after, verdicts = validate(f.facts, cs, TODAY)
    assert verdicts.ok, verdicts.items
    on = lambda day: {s.cid for s in entitled_on(spans_for(after, f.me.cid), day)}
    assert kid.cid in on(D(2025, 5, 31)) and kid.cid not in on(D(2025, 6, 1))


def test_the_units_basic_data_is_a_change_set_against_its_revision():
    from app.domain import Unit, UnitLevel
    unit = Unit("U1", "อบต.ทดลอง", UnitLevel.SAO, "ขอนแก่น", phone="043-000-000")
    cs = events.update_unit(OFFICER.cid, events.Known(unit, 7), phone="043-111-222", email="saraban@example.go.th")
    [op] = cs.operations
    assert (op.record_type, op.record_id, op.base_rev) == ("unit", "U1", 7)
    assert op.fields == {"phone": "043-111-222", "email": "saraban@example.go.th"}
    assert cs.title == "ปรับปรุงข้อมูลหน่วยงาน อบต.ทดลอง"
    cs.submit(OFFICER)
    assert cs.state is ReviewState.PENDING


def test_a_change_set_survives_the_store_round_trip(register):
    cs = hire_with_family(2)
    cs.submit(OFFICER)
    register.save_changeset(cs)
    [back] = register.changesets("U1", [ReviewState.PENDING])
    assert back == cs


def test_a_second_marriage_needs_the_first_to_have_ended():
    f = Family()
    f.spouse(D(2010, 1, 1))
    me = events.Known(f.me, 1)
    second = events.marriage("U1", OFFICER.cid, me, person(first="ใหม่", sex=Sex.FEMALE, born=D(1985, 1, 1)),
                             "9/2567", D(2024, 5, 5))
    _, verdicts = validate(f.facts, second, TODAY)
    assert "marriage.overlap" in [v.code for v in verdicts.errors]
    divorced = apply_operations(f.facts, events.divorce("U1", OFFICER.cid, events.Known(f.facts.marriages[0], 1),
                                                        D(2023, 1, 1)).operations)
    after, verdicts = validate(divorced, second, TODAY)
    assert verdicts.ok, verdicts.items
    assert second.title.startswith("จดทะเบียนสมรส นายสมชาย ใจดี กับ นางใหม่")


def test_someone_already_in_an_unsettled_change_set_is_flagged_in_the_next_one(register):
    """Recording the same person twice (a hire still pending, then the same hire again) warns, in Thai."""
    import datetime as dt

    from app import events, review
    from app.changeset import ReviewState
    from app.errors import Severity
    from tests.builders import person
    me = person(first="ซ้ำซ้อน", born=dt.date(1990, 1, 1))
    first = events.hire("TRN0001", "1101700000001", me, "local_official", dt.date(2026, 10, 1), "นักวิเคราะห์")
    first.state = ReviewState.PENDING
    register.save_changeset(first)
    again = events.hire("TRN0001", "1101700000001", me, "local_official", dt.date(2026, 10, 1), "นักวิเคราะห์")
    said = review.check(register, again, dt.date(2026, 11, 23))
    [same] = [v for v in said.items if v.code == "changeset.same_person"]
    assert same.severity is Severity.WARNING and first.title in same.th and "รอนายทะเบียนตรวจสอบ" in same.th
    assert not [v for v in review.check(register, first, dt.date(2026, 11, 23)).items
                if v.code == "changeset.same_person"]  # a change set is not a duplicate of itself


def test_a_returned_change_set_is_corrected_field_by_field_and_its_title_and_day_follow(register):
    import datetime as dt

    import pytest as _pytest

    from app import editing, events
    from app.changeset import ReviewState
    from app.errors import Refusal
    from app.events import Known
    from tests.builders import person
    who = Known(person(first="แก้ไข", born=dt.date(1970, 5, 5)), 1)
    cs = events.death("TRN0001", "1101700000001", who, dt.date(2026, 11, 20), [])
    cs.state = ReviewState.RETURNED
    [rec] = editing.editable(register, cs)
    [died] = [f for f in rec.fields if f.name == "died_on"]
    from app.cid import format_cid
    assert died.kind == "date" and died.text == "20/11/2569"
    assert rec.heading == f"ข้อมูลบุคคล — {format_cid(who.record.cid)}"  # not in this register: named by CID
    fixed = editing.edited(register, cs, {(died.op_index, "died_on"): "18/11/2569"})
    assert fixed.operations[0].fields["died_on"] == "2026-11-18"
    assert "18/11/2569" in fixed.title and "20/11/2569" not in fixed.title
    assert fixed.effective_on == dt.date(2026, 11, 18) and fixed.id == cs.id and fixed.history == cs.history
    assert cs.operations[0].fields["died_on"] == "2026-11-20"  # the original is untouched until kept
    # the service and the marriage the death ended move with the corrected day (unless typed themselves)
    from app.domain import Employment, Marriage
    job = Known(Employment("e-1", who.record.cid, "TRN0001", "local_official", dt.date(2000, 1, 1)), 1)
    wed = Known(Marriage("m-1", who.record.cid, "3100000000012", "1/2540", dt.date(1997, 2, 14)), 1)
    with_family = events.death("TRN0001", "1101700000001", who, dt.date(2026, 11, 20), [job], [wed])
    with_family.state = ReviewState.RETURNED
    moved = editing.edited(register, with_family, {(0, "died_on"): "18/11/2569"})
    assert [op.fields.get("end") or op.fields.get("ended_on") for op in moved.operations[1:]] == ["2026-11-18"] * 2
    own = editing.edited(register, with_family, {(0, "died_on"): "18/11/2569", (1, "end"): "19/11/2569"})
    assert own.operations[1].fields["end"] == "2026-11-19" and own.operations[2].fields["ended_on"] == "2026-11-18"
    with _pytest.raises(Refusal) as bad:
        editing.edited(register, cs, {(died.op_index, "died_on"): "31/02/2569"})
    assert "วันที่ถึงแก่กรรม" in str(bad.value) and "ไม่มีวันที่ 31/02/2569" in str(bad.value)
    cs.state = ReviewState.PENDING
    with _pytest.raises(Refusal) as pending:
        editing.edited(register, cs, {(died.op_index, "died_on"): "18/11/2569"})
    assert "รอนายทะเบียนตรวจสอบ" in str(pending.value)


def test_a_transfer_in_names_the_unit_it_comes_from_in_its_title_and_its_signed_digest():
    from app import changeset as csmod
    from app.domain import StartReason
    me = person(first="ย้ายมา")
    move = events.hire("TRN0001", new_cid(), me, "local_official", dt.date(2026, 11, 1),
                       reason=StartReason.TRANSFER_IN, from_unit="OTH0002")
    assert move.from_unit == "OTH0002" and "จากหน่วยงาน OTH0002" in move.title
    again = csmod.from_json(csmod.to_json(move))
    assert again.from_unit == "OTH0002" and csmod.canonical_digest(again) == csmod.canonical_digest(move)
    again.from_unit = "ZZZ9999"  # the unit named is part of what the registrar signs
    assert csmod.canonical_digest(again) != csmod.canonical_digest(move)
    plain = events.hire("TRN0001", new_cid(), person(), "local_official", dt.date(2026, 11, 1), from_unit="OTH0002")
    assert plain.from_unit == "" and "from_unit" not in csmod.to_json(plain)  # only a transfer-in names one


def test_a_training_citizen_id_is_refused_in_a_real_unit_and_kept_in_the_training_unit():
    from app import cid, training
    from app.rules.entitlement import Facts
    made_up = person(cid=cid.complete("900000000777"))
    real = events.hire("OTH0002", new_cid(), made_up, "local_official", dt.date(2026, 11, 1))
    _after, verdicts = validate(Facts(), real, dt.date(2026, 11, 1))
    assert any(v.code == "cid.training_only" and "ฝึกหัด" in v.th for v in verdicts.errors)
    drill = events.hire(training.UNIT.code, new_cid(), made_up, "local_official", dt.date(2026, 11, 1))
    _after, verdicts = validate(Facts(), drill, dt.date(2026, 11, 1))
    assert not any(v.code == "cid.training_only" for v in verdicts.items)
