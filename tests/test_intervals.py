"""Effective-dated intervals: property tests of the invariants the rules rely on."""
import datetime as dt

from hypothesis import given, strategies as st

from app.intervals import DaySet, Interval, span

BASE = dt.date(2020, 1, 1)
days = st.integers(0, 400).map(lambda n: BASE + dt.timedelta(days=n))


@st.composite
def intervals(draw):
    start = draw(days)
    length = draw(st.one_of(st.none(), st.integers(1, 120)))
    return Interval(start, None if length is None else start + dt.timedelta(days=length))


daysets = st.lists(intervals(), max_size=6).map(DaySet)


def _parts_are_normal(s: DaySet) -> bool:
    ps = s.parts
    for a, b in zip(ps, ps[1:]):
        if a.end is None or not a.end < b.start:  # sorted, disjoint and not touching
            return False
    return True


@given(daysets, daysets, days)
def test_set_operations_agree_with_membership(a, b, d):
    assert (a | b).contains(d) == (a.contains(d) or b.contains(d))
    assert (a & b).contains(d) == (a.contains(d) and b.contains(d))
    assert (a - b).contains(d) == (a.contains(d) and not b.contains(d))


@given(daysets, daysets)
def test_results_are_always_normalised(a, b):
    for s in (a, b, a | b, a & b, a - b):
        assert _parts_are_normal(s)


@given(daysets)
def test_union_with_itself_and_difference_with_itself(a):
    assert a | a == a
    assert not (a - a)
    assert a & a == a


def test_end_is_exclusive_so_the_end_date_is_outside():
    iv = Interval(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    assert iv.contains(dt.date(2026, 1, 31)) and not iv.contains(dt.date(2026, 2, 1))
    assert iv.last_day == dt.date(2026, 1, 31)
    assert not span(dt.date(2026, 2, 1), dt.date(2026, 2, 1))


def test_touching_intervals_merge_into_one():
    s = DaySet([Interval(dt.date(2026, 1, 1), dt.date(2026, 2, 1)), Interval(dt.date(2026, 2, 1))])
    assert s.parts == (Interval(dt.date(2026, 1, 1)),)
