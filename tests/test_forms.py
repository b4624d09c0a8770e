"""The guided actions' forms (app.usecases.forms), built without Qt: each kind's form becomes a change set the
rules accept; registry.record builds and keeps it in one step, and a refusal keeps nothing; the documents each
event asks for; the person read from an ID card."""
from __future__ import annotations

import ast
import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from app import editing, evidence, review
from app.changeset import ReviewState
from app.domain import (
    Employment, EndReason, Marriage, Officer, Parentage, ParentKind, Role, Sex, StartReason, UnitLevel,
)
from app.errors import Refusal
from app.events import Known
from app.idcard import person_from_card
from app.rules.entitlement import Relation
from app.thai import PartialDate
from app.training import UNIT
from app.usecases import Desk, forms, registry
from app.usecases import review as reviewing
from app.usecases.forms import (
    Birth, ChildMarried, Correction, Death, DivorceRegistered, EndOfService, Hire, MarriageRegistered, ParentAdded,
    UnitData,
)
from card.thaiid import Address, CardData, Name
from tests.builders import person

TODAY = dt.date(2026, 11, 15)
OFFICER = Officer("3101700000013", "นางมาลี ศรีสุข", "", Role.REGISTRY_OFFICER, UNIT.code, "malee@example.go.th")
REGISTRAR = Officer("3101700000021", "นายสมพงษ์ ใจดี", "", Role.REGISTRAR, UNIT.code, "sompong@example.go.th")


@pytest.fixture
def office(register):
    """The unit with two staff members in service: one married with a daughter of 18 (not yet married), one
    single."""
    staff = person(first="สมศรี", sex=Sex.FEMALE, born=dt.date(1980, 5, 1))
    single = person(first="โสด", born=dt.date(1990, 1, 1))
    husband = person(first="สมชาย", born=dt.date(1978, 2, 2))
    daughter = person(first="ลูกสาว", sex=Sex.FEMALE, born=dt.date(2008, 3, 3))
    job = Employment("e1", staff.cid, UNIT.code, "local_official", dt.date(2010, 1, 1), "นักวิเคราะห์")
    marriage = Marriage("m1", staff.cid, husband.cid, "123/2550", dt.date(2007, 6, 1))
    register.put([(UNIT, 1), (staff, 1), (husband, 1), (daughter, 1), (single, 1), (job, 1), (marriage, 1),
                  (Employment("e2", single.cid, UNIT.code, "local_official", dt.date(2015, 1, 1)), 1),
                  (Parentage("p1", staff.cid, daughter.cid, ParentKind.LEGITIMATE), 1)])
    return {"staff": staff, "husband": husband, "daughter": daughter, "single": single}


def every_form(register, office) -> dict[str, object]:
    staff = forms.subject_of(register, office["staff"].cid, UNIT.code)
    daughter = forms.subject_of(register, office["daughter"].cid, UNIT.code)
    single = forms.subject_of(register, office["single"].cid, UNIT.code)
    newcomer = person(first="วิภาวดี", sex=Sex.FEMALE, born=dt.date(1994, 6, 12))
    spouse = person(first="คู่สมรส", born=dt.date(1993, 1, 1))
    return {
        "hire": Hire(newcomer, "local_official", dt.date(2026, 11, 1), "นักวิชาการ", StartReason.HIRE,
                     (forms.new_dependent(spouse, Relation.SPOUSE, registration_no="55/2568",
                                          registered_on=dt.date(2025, 2, 14)),)),
        "end": EndOfService(staff, dt.date(2026, 12, 1), EndReason.RESIGNATION),
        "death": Death(staff, dt.date(2026, 11, 10)),
        "marriage": MarriageRegistered(single, spouse, "77/2569", dt.date(2026, 11, 1)),
        "child_marriage": ChildMarried(daughter, spouse, "77/2569", dt.date(2026, 11, 1)),
        "divorce": DivorceRegistered(staff, staff.marriages[0], dt.date(2026, 11, 1)),
        "birth": Birth(staff, person(first="ลูกใหม่", born=dt.date(2026, 11, 1)), dt.date(2026, 11, 1)),
        "parent": ParentAdded(staff, person(first="แม่", sex=Sex.FEMALE, born=dt.date(1950, 1, 1)), Relation.MOTHER,
                              TODAY),
        "unit": UnitData(Known(UNIT, 1), UNIT.name, UNIT.level, UNIT.address, "0 4421 1234 ต่อ 12", UNIT.email),
    }


def test_each_guided_actions_form_builds_a_change_set_the_rules_accept(register, office):
    made = every_form(register, office)
    assert set(made) | {"correction"} == set(forms.BUILDERS)   # every registered kind is tried here
    for kind, form in made.items():
        cs = forms.build(register, OFFICER, form)
        verdicts = review.check(register, cs, TODAY)
        assert verdicts.ok, (kind, [v.code for v in verdicts.errors])
        assert cs.unit_code == UNIT.code and cs.state is ReviewState.DRAFT and cs.operations, kind
    hire = forms.build(register, OFFICER, made["hire"])
    assert hire.title == "บรรจุใหม่ นางวิภาวดี ใจดี พร้อมคู่สมรส" and hire.author_cid == OFFICER.cid
    death = forms.build(register, OFFICER, made["death"])
    # the death ends her service and her marriage that day, at the revisions she was seen at
    assert [(op.record_type, op.base_rev) for op in death.operations] == [("person", 1), ("employment", 1),
                                                                          ("marriage", 1)]
    # someone already in the register is named at their revision, not created again
    again = forms.build(register, OFFICER, dataclasses.replace(made["marriage"], spouse=office["husband"]))
    assert [op.record_type for op in again.operations] == ["marriage"]


def test_what_the_form_lacks_is_refused_in_thai(register, office):
    made = every_form(register, office)
    unknown = forms.Subject("3999999999994", None)
    cases = [
        (dataclasses.replace(made["death"], subject=unknown), "event.unknown"),
        (dataclasses.replace(made["end"], subject=dataclasses.replace(made["end"].subject, employment=None)),
         "event.no_service"),
        (dataclasses.replace(made["divorce"], marriage=None), "event.no_marriage"),
        (dataclasses.replace(made["marriage"], registration_no="  "), "marriage.no"),
        (dataclasses.replace(made["unit"], phone=UNIT.phone), "unit.unchanged"),
    ]
    for form, code in cases:
        with pytest.raises(Refusal) as refused:
            forms.build(register, OFFICER, form)
        assert refused.value.code == code and refused.value.th
    with pytest.raises(Refusal, match="เลขทะเบียนสมรส"):
        forms.new_dependent(person(), Relation.SPOUSE, registered_on=TODAY)
    typed = {"cid": "3-1000-00000-10-1", "first_th": " สมปอง ", "last_th": "ใจงาม", "birth": "00/00/2530"}
    p = forms.typed_person(typed, Sex.MALE)
    assert (p.cid, p.first_th, p.birth) == ("3100000000101", "สมปอง", PartialDate(2530 - 543, 0, 0))
    for missing, code in (("last_th", "person.name"), ("birth", "person.birth")):
        with pytest.raises(Refusal) as refused:
            forms.typed_person({**typed, missing: " "}, Sex.MALE)
        assert refused.value.code == code
    # a father is never "adopted" by the form: only a child's kind is kept
    assert forms.new_dependent(person(), Relation.FATHER, ParentKind.ADOPTIVE).kind is ParentKind.LEGITIMATE


def test_a_unit_data_change_names_only_the_fields_changed(register, office):
    form = UnitData(Known(UNIT, 1), "องค์การบริหารส่วนตำบลบ้านฝึกหัดพัฒนา", UnitLevel.SAO, UNIT.address, UNIT.phone,
                    "saraban@banfukhat.go.th")
    [op] = forms.build(register, OFFICER, form).operations
    assert op.fields == {"name": "องค์การบริหารส่วนตำบลบ้านฝึกหัดพัฒนา", "email": "saraban@banfukhat.go.th"}


def test_record_keeps_nothing_when_refused_and_sends_the_corrected_form_with_its_documents(register, office):
    desk = Desk.of(register, OFFICER)
    form = every_form(register, office)["marriage"]
    with pytest.raises(Refusal):
        registry.record(desk, dataclasses.replace(form, registration_no=""), send=True)
    assert register.changesets(UNIT.code) == [] and desk.outbox.pending_count() == 0
    changed = registry.record(desk, form, send=True, evidence=[("ab" * 32, evidence.MARRIAGE_REGISTRATION.th)])
    assert changed.owed == 1 and desk.outbox.pending_count() == 1
    [kept] = register.changesets(UNIT.code)
    assert kept.id == changed.changeset.id and kept.state is ReviewState.PENDING
    assert kept.evidence_labels == {"ab" * 32: "ทะเบียนสมรส"}
    draft = registry.record(desk, every_form(register, office)["birth"], send=False)
    assert draft.owed == 0 and draft.changeset.state is ReviewState.DRAFT and desk.outbox.pending_count() == 1


def test_a_returned_change_set_corrected_and_not_sent_stays_returned(register, office):
    desk = Desk.of(register, OFFICER)
    sent = registry.record(desk, every_form(register, office)["birth"], send=True).changeset
    back = reviewing.return_(Desk.of(register, REGISTRAR), sent, "วันเกิดของบุตรไม่ตรงกับสูติบัตร").changeset
    assert back.state is ReviewState.RETURNED
    [(i, _name)] = [key for key in _fields(register, back) if key[1] == "birth"]
    corrected = registry.record(desk, Correction(back, {(i, "birth"): "02/11/2569"}), send=False).changeset
    assert corrected.id == back.id and corrected.state is ReviewState.RETURNED
    assert corrected.operations[i].fields["birth"] == "2026-11-02"
    assert corrected.return_reason == "วันเกิดของบุตรไม่ตรงกับสูติบัตร"


def _fields(register, cs):
    return [(f.op_index, f.name) for rec in editing.editable(register, cs) for f in rec.fields if f.kind != "fixed"]


def test_each_event_offers_its_document_first_and_civil_ones_are_reminded():
    assert evidence.document_for("birth") == evidence.BIRTH_CERTIFICATE
    assert evidence.document_for("transfer_in").th == "คำสั่งบรรจุ แต่งตั้ง หรือรับโอน"
    assert evidence.document_for("unit") == evidence.OTHER_DOCUMENT
    reminded = {k for k in ("hire", "end", "death", "marriage", "divorce", "birth", "parent", "child_marriage",
                            "add_spouse", "add_father", "add_mother", "court_order", "unit", "correction")
                if evidence.needs_document(k)}
    assert reminded == {"death", "marriage", "divorce", "birth", "parent", "child_marriage", "add_spouse",
                        "add_father", "add_mother"}
    assert evidence.OTHER_DOCUMENT == evidence.DOCUMENT_KINDS[-1]


def test_the_id_card_gives_the_person_as_the_register_keeps_them():
    card = CardData("1101700000018", Name("นางสาว", "วิภาวดี", "", "รุ่งเรืองศรี"),
                    Name("Miss", "Wiphawadi", "", "Rungrueangsri"), PartialDate.of(dt.date(1994, 6, 12)), "2", "",
                    "", "", None, None, "", Address("99#หมู่ที่ 1####ตำบลในเมือง#อำเภอเมืองขอนแก่น#จังหวัดขอนแก่น"))
    p = person_from_card(card)
    assert (p.cid, p.name_th, p.name_en, p.sex) == ("1101700000018", "นางสาววิภาวดี รุ่งเรืองศรี",
                                                    "Miss Wiphawadi Rungrueangsri", Sex.FEMALE)
    assert p.birth == PartialDate.of(dt.date(1994, 6, 12)) and p.address == card.address.text and p.died_on is None
    assert person_from_card(dataclasses.replace(card, sex="9")).sex is None


def test_the_window_builds_no_change_set():
    """ui/ reads forms into app.usecases.forms; no builder of app.events or app.editing is called there."""
    from app import events as builders
    makers = {name for name, fn in vars(builders).items() if callable(fn) and not isinstance(fn, type)
              and getattr(fn, "__module__", "") == builders.__name__} | {"edited"}
    offenders = []
    for path in (Path(__file__).resolve().parents[1] / "ui").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {a.asname or a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                    and node.module in ("app.events", "app.editing", "app.changeset") for a in node.names}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            if (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in ("events", "editing")
                    and f.attr in makers) or (isinstance(f, ast.Name) and f.id in imported
                                              and (f.id in makers or f.id == "ChangeSet")):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
