"""Correcting a draft or a returned change set field by field, the way the registrar's reason asks for
("วันเกิดของบุตรไม่ตรงกับสูติบัตร"): names, dates, numbers and places typed again. The change set keeps its
id and history, so a resubmission is the same request one step further.

What identifies a record (citizen IDs, ids, the unit) and coded choices are shown but not edited here:
a different person is a different change set, so the officer cancels and records it again.
"""
from __future__ import annotations

import copy
import datetime as _dt
from dataclasses import dataclass

from .changeset import ChangeSet, Op, ReviewState
from .cid import format_cid
from .errors import Refusal
from .records import RECORD_TH, to_dict
from .review import FIELD_TH, is_iso_date, show_value
from .store.register import RegisterStore
from .thai import PartialDate, ThaiDateError, format_birth, format_date_short, parse_birth, parse_date_short

EDITABLE_STATES = (ReviewState.DRAFT, ReviewState.RETURNED)
_FIXED = {"id", "cid", "unit_code", "a_cid", "b_cid", "parent_cid", "child_cid", "sex", "start_reason", "end_reason",
          "kind", "scheme", "basis", "personnel_type", "level", "attachment_sha256", "code"}
_TEXT_CLEARABLE = {"middle_th", "middle_en", "title_en", "address", "phone", "email", "registered_at", "head_name",
                   "head_position", "reference"}


@dataclass(frozen=True)
class EditableField:
    op_index: int
    name: str
    label: str        # Thai field name
    text: str         # as the officer reads and types it (BE dates)
    kind: str         # "text", "date", "birth" or "fixed" (shown, not edited)


@dataclass(frozen=True)
class EditableRecord:
    heading: str
    fields: list[EditableField]


def editable(register: RegisterStore, cs: ChangeSet) -> list[EditableRecord]:
    """Every operation's fields, in the change set's order, typed for the form."""
    out = []
    for i, op in enumerate(cs.operations):
        found = register.get(op.record_type, op.record_id)
        data = {**(to_dict(found[0]) if found else {}), **op.fields}
        heading = RECORD_TH.get(op.record_type, op.record_type)
        if op.record_type == "person":
            name = f"{data.get('title_th', '')}{data.get('first_th', '')} {data.get('last_th', '')}".strip()
            heading += f" — {name or format_cid(op.record_id)}"
        fields = []
        for name, value in op.fields.items():
            if name == "id" or (op.op is Op.UPDATE and name in ("cid", "unit_code")):
                continue
            label = FIELD_TH.get(name, name)
            if name in _FIXED or isinstance(value, (bool, dict, list)):
                fields.append(EditableField(i, name, label, show_value(name, value), "fixed"))
            elif name == "birth":
                try:
                    shown = format_birth(PartialDate.from_iso(value)) if value else ""
                except ValueError:
                    shown = str(value)
                fields.append(EditableField(i, name, label, shown, "birth"))
            elif is_iso_date(value) or (name in ("start", "end", "died_on", "registered_on", "ended_on", "ordered_on")):
                shown = format_date_short(_dt.date.fromisoformat(value)) if is_iso_date(value) else ""
                fields.append(EditableField(i, name, label, shown, "date"))
            else:
                fields.append(EditableField(i, name, label, "" if value is None else str(value), "text"))
        if fields:
            out.append(EditableRecord(heading, fields))
    return out


def _parse(f: EditableField, text: str):
    text = text.strip()
    try:
        if f.kind == "birth":
            d = parse_birth(text)
            return d.iso() if d else None
        if f.kind == "date":
            return parse_date_short(text).isoformat() if text else None
    except ThaiDateError as e:
        raise Refusal("edit.date", f"{f.label}: {e}", "A date cannot be read.") from None
    if not text and f.name not in _TEXT_CLEARABLE:
        raise Refusal("edit.empty", f"กรุณากรอก{f.label}", f"Fill in {f.name}.")
    return text


def _follow_death(cs: ChangeSet, old_day: str, new_day: str, typed: set[tuple[int, str]]) -> None:
    """A corrected day of death moves the service and marriages it ended (recorded that same day, ended by
    death) — unless the officer typed those dates too."""
    for i, op in enumerate(cs.operations):
        if op.fields.get("end_reason") != "death":
            continue
        for name in ("end", "ended_on"):
            if op.fields.get(name) == old_day and (i, name) not in typed:
                op.fields[name] = new_day


def edited(register: RegisterStore, cs: ChangeSet, texts: dict[tuple[int, str], str]) -> ChangeSet:
    """A copy of ``cs`` with the typed values; the title and the effective day follow a changed date or name.
    Refusal (Thai) for a value that cannot be read or a required field left empty."""
    if cs.state not in EDITABLE_STATES:
        raise Refusal("edit.state", f"แก้ไขได้เฉพาะร่างหรือรายการที่ถูกส่งกลับ รายการนี้อยู่ในสถานะ «{cs.state.th}»",
                      "Only drafts and returned change sets can be edited.")
    fields = {(f.op_index, f.name): f for rec in editable(register, cs) for f in rec.fields}
    typed = {key for key, text in texts.items() if key in fields and fields[key].kind != "fixed"
             and text.strip() != fields[key].text.strip()}
    new = copy.deepcopy(cs)
    title = new.title
    for key in sorted(typed):
        f, text = fields[key], texts[key]
        value = _parse(f, text)
        op = new.operations[f.op_index]
        old_value = op.fields.get(f.name)
        if f.name == "died_on" and old_value and value:
            _follow_death(new, old_value, value, typed)
        old_shown = show_value(f.name, old_value)
        if f.kind == "date" and value and cs.effective_on and old_value == cs.effective_on.isoformat():
            new.effective_on = _dt.date.fromisoformat(value)  # the day the change takes effect moves with it
        op.fields[f.name] = value
        new_shown = show_value(f.name, value)
        if old_shown and old_shown in title:
            title = title.replace(old_shown, new_shown)
    new.title = title
    return new
