"""Records as plain dictionaries: how they travel in change sets, the store and the wire format.

One codec per record type; dates as ISO strings, enums as their values. ``RECORD_TYPES`` names the
record types a change-set operation may touch.
"""
from __future__ import annotations

import dataclasses
import functools
import datetime as _dt
import typing
from enum import Enum
from typing import Any

from .domain import (
    CourtOrder, Coverage, Employment, Marriage, Officer, Parentage, Person, Unit,
)
from .thai import PartialDate

RECORD_TYPES: dict[str, type] = {
    "person": Person,
    "employment": Employment,
    "marriage": Marriage,
    "parentage": Parentage,
    "coverage": Coverage,
    "court_order": CourtOrder,
    "unit": Unit,
}

RECORD_TH = {
    "person": "ข้อมูลบุคคล",
    "employment": "การปฏิบัติงาน",
    "marriage": "การสมรส",
    "parentage": "ความเป็นบิดามารดา–บุตร",
    "coverage": "สิทธิการรักษาอื่น",
    "court_order": "คำสั่งศาล",
    "unit": "ข้อมูลหน่วยงาน",
}


# Which fields of a record name the people it concerns (a marriage: both spouses; a parentage: parent, child).
PEOPLE_FIELDS: dict[str, tuple[str, str | None]] = {
    "person": ("cid", None),
    "employment": ("cid", None),
    "marriage": ("a_cid", "b_cid"),
    "parentage": ("parent_cid", "child_cid"),
    "coverage": ("cid", None),
    "court_order": ("cid", None),
}


def people_of(kind: str, data: dict[str, Any]) -> tuple[str | None, str | None]:
    """The (first, second) citizen IDs a record's dictionary names; None where it names fewer."""
    first, second = PEOPLE_FIELDS.get(kind, (None, None))
    return (data.get(first) if first else None, data.get(second) if second else None)


def record_key(record: Any) -> str:
    """The record's id: citizen ID for a person, unit code for a unit, its own id otherwise."""
    if isinstance(record, Person):
        return record.cid
    if isinstance(record, Unit):
        return record.code
    return record.id


def type_name(record: Any) -> str:
    for name, cls in RECORD_TYPES.items():
        if isinstance(record, cls):
            return name
    if isinstance(record, Officer):
        return "officer"
    raise TypeError(f"not a record: {type(record).__name__}")


def to_dict(record: Any) -> dict[str, Any]:
    out = {}
    for f in dataclasses.fields(record):
        out[f.name] = _encode(getattr(record, f.name))
    return out


def _encode(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value


def from_dict(kind: str, data: dict[str, Any]) -> Any:
    cls = RECORD_TYPES.get(kind) or (Officer if kind == "officer" else None)
    if cls is None:
        raise ValueError(f"ไม่รู้จักประเภทข้อมูล «{kind}»")
    kwargs = {}
    for name, target in _field_types(cls):
        if name in data:
            kwargs[name] = _decode(target, data[name])
    return cls(**kwargs)


@functools.lru_cache(maxsize=None)
def _field_types(cls: type) -> tuple[tuple[str, Any], ...]:
    """Each field's name and the one non-None type it holds (``date | None`` → ``date``)."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        options = [a for a in typing.get_args(hints[f.name]) if a is not type(None)] or [hints[f.name]]
        out.append((f.name, options[0]))
    return tuple(out)


def _decode(target: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(target, type) and issubclass(target, Enum):
        return target(value)
    if target is PartialDate:
        return PartialDate.from_iso(value) if isinstance(value, str) else value
    if target is _dt.date:
        return _dt.date.fromisoformat(value) if isinstance(value, str) else value
    return value


# The years a record's date may fall in (CE): wide enough for any living person's birth and any service,
# narrow enough that the rules' arithmetic (a 20th birthday, a month added) never leaves the calendar.
FIRST_YEAR, LAST_YEAR = 1800, 2700


def check_fields(kind: str, fields: dict[str, Any], whole: bool) -> None:
    """ValueError unless ``fields`` are fields of a ``kind`` record, each of its type (``whole``: every
    required field is there too, as a new record needs). The server runs it on what a client sends, so a
    modified client's odd values are refused at the door rather than failing deep inside the rules."""
    cls = RECORD_TYPES.get(kind)
    if cls is None:
        raise ValueError(f"unknown record type {kind!r}")
    types = dict(_field_types(cls))
    unknown = set(fields) - set(types)
    if unknown:
        raise ValueError(f"unknown fields of a {kind}: {sorted(unknown)}")
    if whole:
        required = {f.name for f in dataclasses.fields(cls)
                    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
        if required - set(fields):
            raise ValueError(f"a new {kind} needs {sorted(required - set(fields))}")
    for name, value in fields.items():
        target = types[name]
        if value is None:
            continue
        if target in (str, PartialDate, _dt.date) or (isinstance(target, type) and issubclass(target, Enum)):
            if not isinstance(value, str):
                raise ValueError(f"{kind}.{name} must be text")
            decoded = _decode(target, value)  # a date that is no date, an enum value that does not exist: ValueError
            year = getattr(decoded, "year", None)
            if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
                raise ValueError(f"{kind}.{name} is out of the years a register can hold")
        elif target is bool:
            if not isinstance(value, bool):
                raise ValueError(f"{kind}.{name} must be true or false")
        elif target is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{kind}.{name} must be a whole number")
