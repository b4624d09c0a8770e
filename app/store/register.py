"""The register inside the working copy: records with their history, derived entitlement, search.

Entitlement is derived by :mod:`app.rules.entitlement` and kept in ``spans`` so that "who was
entitled on date D" is one indexed query; it is recomputed for a family whenever one of its records
changes.
"""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from typing import Any, Iterable, NamedTuple

from .. import changeset as csmod
from ..changeset import ChangeSet, ReviewState
from ..domain import Person
from ..records import from_dict, people_of, record_key, to_dict, type_name
from ..register import gather_facts
from ..rules.entitlement import Facts, Relation, Span, all_spans, spans_for
from ..thai import sort_key
from .db import WorkingCopy

Date = _dt.date

def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat()


class Found(NamedTuple):
    """A record as the working copy holds it, with the server's revision of it (what an update is based on)."""

    record: Any
    rev: int


@dataclass(frozen=True)
class PersonRow:
    """A line of the unit's list of people."""

    cid: str
    name_th: str
    name_en: str
    relation: Relation
    via_cid: str
    entitled: bool


class RegisterStore:
    def __init__(self, wc: WorkingCopy) -> None:
        self.wc = wc
        self.conn = wc.conn

    # --- records -------------------------------------------------------------------------------

    def put(self, records: Iterable[tuple[Any, int]], *, recompute: bool = True) -> None:
        """Store records at the given server revisions, keeping every earlier version in history."""
        with self.wc.transaction() as conn:
            self.put_in(conn, records, recompute=recompute)

    def put_in(self, conn, records: Iterable[tuple[Any, int]], *, recompute: bool = True) -> None:
        """:meth:`put` inside the caller's transaction (a sync applies a feed page and its cursor together)."""
        now = _now()
        touched: set[str] = set()
        for record, rev in records:
            kind = type_name(record)
            rid = record_key(record)
            body = to_dict(record)
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
            a, b = people_of(kind, body)
            unit = getattr(record, "unit_code", None) or (record.code if kind == "unit" else None)
            conn.execute(
                "INSERT INTO records (type, id, cid, other_cid, unit_code, rev, data) VALUES (?,?,?,?,?,?,?) "
                "ON CONFLICT (type, id) DO UPDATE SET cid=excluded.cid, other_cid=excluded.other_cid, "
                "unit_code=excluded.unit_code, rev=excluded.rev, data=excluded.data",
                (kind, rid, a, b, unit, rev, data),
            )
            conn.execute(
                "INSERT OR IGNORE INTO record_history (type, id, rev, data, recorded_at) VALUES (?,?,?,?,?)",
                (kind, rid, rev, data, now),
            )
            if kind == "person":
                self._index_person(conn, record)
            touched.update(c for c in (a, b) if c)
        if recompute:
            self._recompute(conn, self._beneficiaries_near(conn, touched))

    def get(self, kind: str, rid: str) -> Found | None:
        row = self.conn.execute("SELECT data, rev FROM records WHERE type = ? AND id = ?", (kind, rid)).fetchone()
        return None if row is None else Found(from_dict(kind, json.loads(row[0])), row[1])

    def history(self, kind: str, rid: str) -> list[tuple[int, dict[str, Any]]]:
        rows = self.conn.execute(
            "SELECT rev, data FROM record_history WHERE type = ? AND id = ? ORDER BY rev", (kind, rid))
        return [(rev, json.loads(data)) for rev, data in rows]

    def _index_person(self, conn, p: Person) -> None:
        # The citizen ID, a 13-digit number, is the row id: replacing a person's entry is a lookup.
        conn.execute("DELETE FROM person_search WHERE rowid = ?", (int(p.cid),))
        text = " ".join(x for x in (p.cid, p.name_th, p.name_en) if x)
        conn.execute("INSERT INTO person_search (rowid, cid, text) VALUES (?, ?, ?)", (int(p.cid), p.cid, text))

    # --- derived entitlement -------------------------------------------------------------------

    def _beneficiaries_near(self, conn, cids: set[str]) -> set[str]:
        """Everyone whose spans may change when records about ``cids`` change."""
        if not cids:
            return set()
        around = set(cids)
        marks = ",".join("?" * len(cids))
        for a, b in conn.execute(
                f"SELECT cid, other_cid FROM records WHERE type IN ('marriage','parentage') "
                f"AND (cid IN ({marks}) OR other_cid IN ({marks}))", (*cids, *cids)):
            around.update((a, b))
        marks = ",".join("?" * len(around))
        rows = conn.execute(f"SELECT DISTINCT cid FROM records WHERE type = 'employment' AND cid IN ({marks})",
                            tuple(around))
        return {r[0] for r in rows}

    def load_facts(self, cids: Iterable[str]) -> Facts:
        """The records about ``cids`` and their close family: what the rules need for them."""
        return self._facts(self.conn, set(cids))

    def _facts(self, conn, cids: set[str]) -> Facts:
        def links(people: set[str]):
            marks = ",".join("?" * len(people))
            rows = conn.execute(
                f"SELECT type, id, data FROM records WHERE type != 'person' AND type != 'unit' "
                f"AND (cid IN ({marks}) OR other_cid IN ({marks}))", (*people, *people))
            return ((kind, rid, json.loads(data)) for kind, rid, data in rows)

        def persons(people: set[str]):
            marks = ",".join("?" * len(people))
            rows = conn.execute(f"SELECT data FROM records WHERE type = 'person' AND id IN ({marks})", tuple(people))
            return (json.loads(data) for (data,) in rows)

        return gather_facts(cids, links, persons)

    def _recompute(self, conn, beneficiaries: set[str]) -> None:
        if not beneficiaries:
            return
        facts = self._facts(conn, beneficiaries)
        spans = [s for b in beneficiaries for s in spans_for(facts, b)]
        self._replace_spans(conn, beneficiaries, spans, facts)

    def recompute_all(self) -> int:
        """Derive every span from scratch (after a bulk load); returns how many there are."""
        facts = Facts()
        for kind, data in self.conn.execute("SELECT type, data FROM records WHERE type != 'unit'"):
            facts.add(kind, from_dict(kind, json.loads(data)))
        facts.reindex()
        spans = all_spans(facts)
        with self.wc.transaction() as conn:
            conn.execute("DELETE FROM spans")
            conn.execute("DELETE FROM unit_people")
            self._replace_spans(conn, set(), spans, facts)
        return len(spans)

    def _replace_spans(self, conn, beneficiaries: set[str], spans: list[Span], facts: Facts) -> None:
        if beneficiaries:
            marks = ",".join("?" * len(beneficiaries))
            conn.execute(f"DELETE FROM spans WHERE via_cid IN ({marks})", tuple(beneficiaries))
            conn.execute(f"DELETE FROM unit_people WHERE via_cid IN ({marks})", tuple(beneficiaries))
        conn.executemany(
            "INSERT INTO spans (cid, relation, via_cid, unit_code, personnel_type, start, end, secondary) "
            "VALUES (?,?,?,?,?,?,?,?)",
            [(s.cid, s.relation.value, s.via_cid, s.unit_code, s.personnel_type, s.start.isoformat(),
              s.end.isoformat() if s.end else None, int(s.secondary)) for s in spans])
        rows = {(s.unit_code, s.cid, s.relation.value, s.via_cid) for s in spans}
        # Staff of the unit appear even when their type gives no right, so the officer can see why.
        for e in facts.employments:
            if not beneficiaries or e.cid in beneficiaries:
                rows.add((e.unit_code, e.cid, Relation.SELF.value, e.cid))
        conn.executemany(
            "INSERT OR IGNORE INTO unit_people (unit_code, cid, relation, via_cid, name_th, name_en, sort_key) "
            "VALUES (?,?,?,?,?,?,?)",
            [(u, c, r, v, _name(facts, c, "th"), _name(facts, c, "en"), _order(facts, c)) for u, c, r, v in rows])

    # --- questions the screens ask -------------------------------------------------------------

    def entitled_on(self, unit_code: str, day: Date) -> list[Span]:
        """Who was entitled in the unit, as what and through whom, on ``day``."""
        iso = day.isoformat()
        rows = self.conn.execute(
            "SELECT cid, relation, via_cid, unit_code, personnel_type, start, end, secondary FROM spans "
            "WHERE unit_code = ? AND start <= ? AND (end IS NULL OR end > ?)", (unit_code, iso, iso))
        return [_span(r) for r in rows]

    def spans_of(self, cid: str) -> list[Span]:
        rows = self.conn.execute(
            "SELECT cid, relation, via_cid, unit_code, personnel_type, start, end, secondary FROM spans "
            "WHERE cid = ? OR via_cid = ? ORDER BY start", (cid, cid))
        return [_span(r) for r in rows]

    def people(self, unit_code: str, day: Date, text: str = "", limit: int | None = None) -> list[PersonRow]:
        """The unit's people (staff first, in Thai dictionary order, then dependents), optionally only
        those matching ``text`` (see :meth:`search_cids`)."""
        iso = day.isoformat()
        text = text.strip()
        when = "unit_code = ? AND start <= ? AND (end IS NULL OR end > ?)"
        if text:
            cids = self.search_cids(text)
            if not cids:
                return []
            marks = ",".join("?" * len(cids))
            entitled = set(self.conn.execute(
                f"SELECT cid, via_cid, relation FROM spans WHERE {when} AND cid IN ({marks})",
                (unit_code, iso, iso, *cids)))
            found = self.conn.execute(
                f"SELECT cid, name_th, name_en, relation, via_cid, sort_key FROM unit_people "
                f"WHERE unit_code = ? AND cid IN ({marks})", (unit_code, *cids)).fetchall()
            found.sort(key=lambda r: (r[3] != "self", r[5]))  # few rows: sorting here beats the index
            rows = found[:limit] if limit else found
        else:
            entitled = set(self.conn.execute(f"SELECT cid, via_cid, relation FROM spans WHERE {when}",
                                             (unit_code, iso, iso)))
            sql = ("SELECT cid, name_th, name_en, relation, via_cid, sort_key FROM unit_people "
                   "WHERE unit_code = ? ORDER BY relation != 'self', sort_key")
            rows = self.conn.execute(sql + (f" LIMIT {int(limit)}" if limit else ""), (unit_code,))
        return [PersonRow(c, th, en, Relation(r), v, (c, v, r) in entitled) for c, th, en, r, v, _k in rows]

    def search_cids(self, text: str, limit: int = 500) -> list[str]:
        """Citizen IDs matching a CID prefix (digits) or a Thai/English name fragment."""
        digits = "".join(ch for ch in text if ch.isdigit())
        if digits and len(digits) == len(text.replace("-", "").replace(" ", "")):
            hi = digits[:-1] + chr(ord(digits[-1]) + 1)
            rows = self.conn.execute(
                "SELECT id FROM records WHERE type = 'person' AND id >= ? AND id < ? LIMIT ?", (digits, hi, limit))
            return [r[0] for r in rows]
        if len(text) >= 3:
            quoted = '"' + text.replace('"', '""') + '"'
            rows = self.conn.execute("SELECT cid FROM person_search WHERE text MATCH ? LIMIT ?", (quoted, limit))
        else:  # trigrams need three characters; two are rare and the table is small enough to scan
            rows = self.conn.execute("SELECT cid FROM person_search WHERE text LIKE ? LIMIT ?", (f"%{text}%", limit))
        return [r[0] for r in rows]

    def person(self, cid: str) -> Person | None:
        found = self.get("person", cid)
        return found.record if found else None

    # --- change sets ---------------------------------------------------------------------------

    def save_changeset(self, cs: ChangeSet) -> None:
        with self.wc.transaction() as conn:
            self.save_changeset_in(conn, cs)

    def save_changeset_in(self, conn, cs: ChangeSet) -> None:
        data = json.dumps(csmod.to_json(cs), ensure_ascii=False)
        conn.execute(
            "INSERT INTO changesets (id, unit_code, author_cid, state, title, updated_at, data) "
            "VALUES (?,?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET state=excluded.state, "
            "title=excluded.title, updated_at=excluded.updated_at, data=excluded.data",
            (cs.id, cs.unit_code, cs.author_cid, cs.state.value, cs.title, _now(), data))

    def changesets(self, unit_code: str, states: Iterable[ReviewState] | None = None) -> list[ChangeSet]:
        sql, args = "SELECT data FROM changesets WHERE unit_code = ?", [unit_code]
        if states is not None:
            states = list(states)
            sql += f" AND state IN ({','.join('?' * len(states))})"
            args.extend(s.value for s in states)
        rows = self.conn.execute(sql + " ORDER BY updated_at", args)
        return [csmod.from_json(json.loads(r[0])) for r in rows]


def _name(facts: Facts, cid: str, lang: str) -> str:
    p = facts.persons.get(cid)
    if p is None:
        return ""
    return p.name_th if lang == "th" else p.name_en


def _order(facts: Facts, cid: str) -> bytes:
    p = facts.persons.get(cid)
    return sort_key(f"{p.first_th} {p.last_th}") if p else b""


def _span(row) -> Span:
    cid, relation, via, unit, ptype, start, end, secondary = row
    return Span(cid, Relation(relation), via, unit, ptype, Date.fromisoformat(start),
                Date.fromisoformat(end) if end else None, bool(secondary))
