"""The field-by-field comparison: what overlaps is left to a person, the rest merges."""
from app.changeset import ChangeSet, Op, Operation
from app.conflicts import compare, merge

BASE = {"id": "e1", "position": "นักวิเคราะห์", "end": None, "end_reason": None}


def test_the_same_field_changed_on_both_sides_to_different_values_overlaps():
    ours = Operation(Op.UPDATE, "employment", "e1", {"position": "ครู"}, 1)
    theirs = {**BASE, "position": "นายช่างโยธา"}
    [d] = compare(ours, BASE, theirs)
    assert (d.base, d.ours, d.theirs, d.overlapping) == ("นักวิเคราะห์", "ครู", "นายช่างโยธา", True)
    cs = ChangeSet("U1", "c", "แก้ไข", "correction", [ours])
    merged, left = merge(cs, {("employment", "e1"): (2, theirs)}, {("employment", "e1"): BASE})
    assert merged is None and [x.field for x in left] == ["position"]


def test_the_same_value_on_both_sides_is_no_conflict_and_needs_no_new_change():
    ours = Operation(Op.UPDATE, "employment", "e1", {"position": "ครู"}, 1)
    theirs = {**BASE, "position": "ครู"}
    assert not compare(ours, BASE, theirs)[0].overlapping
    merged, left = merge(ChangeSet("U1", "c", "t", "k", [ours]), {("employment", "e1"): (2, theirs)},
                         {("employment", "e1"): BASE})
    assert merged is None and left == []


def test_different_fields_merge_against_the_current_revision():
    ours = Operation(Op.UPDATE, "employment", "e1", {"position": "ครู"}, 1)
    theirs = {**BASE, "end": "2027-01-01", "end_reason": "resignation"}
    diffs = compare(ours, BASE, theirs)
    assert {d.field for d in diffs} == {"position", "end", "end_reason"} and not any(d.overlapping for d in diffs)
    merged, left = merge(ChangeSet("U1", "c", "แก้ไขตำแหน่ง", "correction", [ours]),
                         {("employment", "e1"): (2, theirs)}, {("employment", "e1"): BASE})
    assert left == [] and merged.operations == [Operation(Op.UPDATE, "employment", "e1", {"position": "ครู"}, 2)]
    assert "รวมกับการแก้ไขจากเครื่องอื่น" in merged.title
