"""NHSO's thirteen regional offices (สปสช. เขต 1–13) and the provinces each serves.

A unit whose registrar, registry officer or finance officer changes writes to the regional office of its own
province (seeds 000 §3.4). The assignment is data, in ``app/data/nhso_regions.json`` (its ``_source`` says
where it was taken from); this module only reads it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .errors import Refusal


@dataclass(frozen=True)
class Region:
    number: int            # 1–13
    office: str            # สำนักงานหลักประกันสุขภาพแห่งชาติ เขต 7 ขอนแก่น
    short: str             # สปสช. เขต 7 ขอนแก่น
    seat: str              # the province the office sits in
    provinces: tuple[str, ...]


@lru_cache(maxsize=1)
def _data() -> tuple[tuple[Region, ...], dict[str, Region], dict[str, str]]:
    raw = json.loads(resources.files("app").joinpath("data/nhso_regions.json").read_text("utf-8"))
    regions = tuple(Region(r["number"], r["office"], r["short"], r["seat"], tuple(r["provinces"]))
                    for r in raw["regions"])
    by_province = {p: r for r in regions for p in r.provinces}
    return regions, by_province, dict(raw.get("aliases", {}))


def regions() -> tuple[Region, ...]:
    return _data()[0]


def provinces() -> list[str]:
    """The provinces in the table, in the table's order (the 77 of them)."""
    return [p for r in regions() for p in r.provinces]


def normalise_province(text: str) -> str:
    """``จังหวัดขอนแก่น`` / `` ขอนแก่น `` / ``จ.ขอนแก่น`` → ``ขอนแก่น``; ``กทม.`` → ``กรุงเทพมหานคร``."""
    name = " ".join(text.split())
    for prefix in ("จังหวัด", "จ."):
        if name.startswith(prefix):
            name = name[len(prefix):].strip()
    return _data()[2].get(name, name)


def is_province(text: str) -> bool:
    return normalise_province(text) in _data()[1]


def region_of(province: str) -> Region:
    """The regional office that serves ``province``; a Thai refusal for a name that is not a province."""
    name = normalise_province(province)
    region = _data()[1].get(name)
    if region is None:
        raise Refusal("province.unknown",
                      f"ไม่รู้จักจังหวัด «{province}» กรุณาเลือกชื่อจังหวัดจากรายการ (เช่น ขอนแก่น หรือ กรุงเทพมหานคร)",
                      f"Unknown province {province!r}.", subject="province")
    return region


def with_prefix(province: str) -> str:
    """How a province is written after a unit's name: ``จังหวัดขอนแก่น``, but plain ``กรุงเทพมหานคร``."""
    name = normalise_province(province)
    return name if name == "กรุงเทพมหานคร" else f"จังหวัด{name}"
