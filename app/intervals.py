"""Effective-dated intervals of days.

An :class:`Interval` is half-open, ``[start, end)``: entitled from ``start`` up to the day before
``end``; ``end=None`` means open-ended. A right that ends "on the divorce date" has ``end`` equal to
that date, so the person is no longer entitled on it. :class:`DaySet` is a normalised union of
intervals (sorted, disjoint, never touching) with the set operations the rules need.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Iterable, Iterator

Date = _dt.date


@dataclass(frozen=True, order=True)
class Interval:
    start: Date
    end: Date | None = None  # exclusive; None = open

    def __post_init__(self) -> None:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"empty interval {self.start}..{self.end}")

    def contains(self, day: Date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)

    def overlaps(self, other: Interval) -> bool:
        return _lt(self.start, other.end) and _lt(other.start, self.end)

    @property
    def last_day(self) -> Date | None:
        """The last day inside the interval (inclusive), as people say it."""
        return None if self.end is None else self.end - _dt.timedelta(days=1)


def _lt(day: Date, end: Date | None) -> bool:
    return end is None or day < end


def _max_end(a: Date | None, b: Date | None) -> Date | None:
    return None if a is None or b is None else max(a, b)


def _min_end(a: Date | None, b: Date | None) -> Date | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def span(start: Date, end: Date | None = None) -> DaySet:
    """A DaySet of one interval; empty when ``end <= start``."""
    if end is not None and end <= start:
        return DaySet()
    return DaySet((Interval(start, end),))


class DaySet:
    """A set of days held as sorted, disjoint, non-adjacent intervals."""

    __slots__ = ("_parts",)

    def __init__(self, parts: Iterable[Interval] = ()) -> None:
        self._parts: tuple[Interval, ...] = _normalise(parts)

    @property
    def parts(self) -> tuple[Interval, ...]:
        return self._parts

    def __iter__(self) -> Iterator[Interval]:
        return iter(self._parts)

    def __bool__(self) -> bool:
        return bool(self._parts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DaySet) and self._parts == other._parts

    def __hash__(self) -> int:
        return hash(self._parts)

    def __repr__(self) -> str:
        inner = ", ".join(f"[{p.start}, {p.end or '…'})" for p in self._parts)
        return f"DaySet({inner})"

    def contains(self, day: Date) -> bool:
        return any(p.contains(day) for p in self._parts)

    def union(self, other: DaySet) -> DaySet:
        return DaySet(self._parts + other._parts)

    __or__ = union

    def intersection(self, other: DaySet) -> DaySet:
        out = []
        for a in self._parts:
            for b in other._parts:
                start = max(a.start, b.start)
                end = _min_end(a.end, b.end)
                if end is None or start < end:
                    out.append(Interval(start, end))
        return DaySet(out)

    __and__ = intersection

    def difference(self, other: DaySet) -> DaySet:
        result = list(self._parts)
        for cut in other._parts:
            nxt = []
            for p in result:
                if not p.overlaps(cut):
                    nxt.append(p)
                    continue
                if p.start < cut.start:
                    nxt.append(Interval(p.start, cut.start))
                if cut.end is not None and _lt(cut.end, p.end):
                    nxt.append(Interval(cut.end, p.end))
            result = nxt
        return DaySet(result)

    __sub__ = difference


def _normalise(parts: Iterable[Interval]) -> tuple[Interval, ...]:
    ordered = sorted(parts, key=lambda p: p.start)
    out: list[Interval] = []
    for p in ordered:
        last = out[-1] if out else None
        if last is not None and (last.end is None or p.start <= last.end):
            out[-1] = Interval(last.start, _max_end(last.end, p.end))  # overlapping or touching
        else:
            out.append(p)
    return tuple(out)
