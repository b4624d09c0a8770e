"""The unit's statement on paper (บัญชีรายชื่อผู้มีสิทธิ ณ วันที่ …): PDF and .xlsx of one :class:`Statement`.

The list: every beneficiary on the statement's date, each followed by their dependents with the relation
(a :class:`Group`, kept on one page when it fits). After it (PDF): the counts by personnel type and by
relation, the differences from the previous statement as an appendix, and the confirmation block (who
confirmed, when, and whether the central server's signature held) — or «ยังไม่ได้ยืนยัน». The workbook
holds the same columns; the statement's date and the confirmation are in the lines above the header.

No Qt here: the confirmation tab builds the paper on its worker thread.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

from ..cid import format_cid
from ..statements import Statement, differences, relation_th, type_th
from ..thai import format_date_long
from .tables import Column, Group, Table, TableDocument, table_pdf, table_xlsx

COLUMNS = [
    Column("ลำดับ", "int", 7, align="center"),
    Column("ชื่อ–สกุล", "text", 27),
    Column("เลขประจำตัวประชาชน", "cid", 20),
    Column("ความสัมพันธ์", "text", 13),
    Column("ประเภทบุคลากร", "text", 29),
]
COUNT_COLUMNS = [Column("รายการ", "text", 40), Column("จำนวน (คน)", "int", 14)]
DIFF_COLUMNS = [
    Column("ลำดับ", "int", 7, align="center"),
    Column("การเปลี่ยนแปลง", "text", 14),
    Column("ชื่อ–สกุล", "text", 26),
    Column("เลขประจำตัวประชาชน", "cid", 20),
    Column("ในฐานะ", "text", 29),
]
_RELATION_ORDER = ("self", "spouse", "child", "father", "mother")
NOT_CONFIRMED = "ยังไม่ได้ยืนยัน"


def title_of(st: Statement) -> str:
    return f"บัญชีรายชื่อผู้มีสิทธิ ณ วันที่ {format_date_long(st.as_of, digits='arabic')}"


def _groups(st: Statement) -> list[Group]:
    """Beneficiaries in the statement's order, each with their dependents (spouse, children, parents)."""
    people = st.people
    heads = [x for x in people if x["relation"] == "self"]
    by_via: dict[str, list[dict]] = {}
    for x in people:
        if x["relation"] != "self":
            by_via.setdefault(x.get("via_cid") or "", []).append(x)
    for members in by_via.values():
        members.sort(key=lambda x: (_RELATION_ORDER.index(x["relation"]) if x["relation"] in _RELATION_ORDER
                                    else 9, x["cid"]))
    out: list[Group] = []
    n = 0
    seen: set[str] = set()

    def member_rows(via: str) -> list[list]:
        return [["", x["name"], x["cid"], relation_th(x), ""] for x in by_via.get(via, [])]

    for x in heads:
        n += 1
        kind = type_th(x) + (" (สิทธิรอง)" if x.get("secondary") else "")
        first = x["cid"] not in seen
        seen.add(x["cid"])
        out.append(Group([n, x["name"], x["cid"], "ผู้มีสิทธิ", kind], member_rows(x["cid"]) if first else []))
    # dependents whose beneficiary is not on this statement (should not happen; never dropped silently)
    for via in sorted(set(by_via) - seen):
        n += 1
        out.append(Group([n, "(ผู้มีสิทธิไม่อยู่ในบัญชีนี้)", via, "ผู้มีสิทธิ", ""], member_rows(via)))
    return out


def counts_table(st: Statement) -> Table:
    """Counts by personnel type (beneficiaries) and by relation (dependents), with the totals."""
    people = st.people
    heads = [x for x in people if x["relation"] == "self"]
    deps = [x for x in people if x["relation"] != "self"]
    rows: list[list] = [["ผู้มีสิทธิ จำแนกตามประเภทบุคลากร", None]]
    for name, k in sorted(Counter(type_th(x) or "ไม่ระบุประเภท" for x in heads).items()):
        rows.append([f"    {name}", k])
    rows.append(["ผู้มีสิทธิร่วม จำแนกตามความสัมพันธ์", None])
    by_rel = Counter(x["relation"] for x in deps)
    for rel in sorted(by_rel, key=lambda r: _RELATION_ORDER.index(r) if r in _RELATION_ORDER else 9):
        rows.append([f"    {relation_th({'relation': rel})}", by_rel[rel]])
    totals = [f"รวม ผู้มีสิทธิ {len(heads):,} คน ผู้มีสิทธิร่วม {len(deps):,} คน", len(heads) + len(deps)]
    return Table(COUNT_COLUMNS, rows, totals=totals)


def confirmation_lines(st: Statement, signed: bool, confirmed_by_name: str | None) -> list[str]:
    sig = ("ลายมือชื่อดิจิทัลของเซิร์ฟเวอร์กลาง: ตรวจแล้วถูกต้อง ข้อมูลตรงกับที่ สปสช. ออก" if signed else
           "ลายมือชื่อดิจิทัลของเซิร์ฟเวอร์กลาง: ตรวจไม่ผ่าน บัญชีนี้อาจไม่ตรงกับที่ สปสช. ออก")
    if st.confirmed_by or st.confirm_queued:
        who = confirmed_by_name or (format_cid(st.confirmed_by) if st.confirmed_by else "นายทะเบียนของหน่วยงาน")
        when = ""
        if st.confirmed_at:
            at = dt.datetime.fromisoformat(st.confirmed_at)
            when = f" เมื่อวันที่ {format_date_long(at.date(), digits='arabic')} เวลา {at:%H:%M} น."
        state = "" if st.confirmed_by else " (ยืนยันบนเครื่องนี้แล้ว รอส่งถึง สปสช. เมื่อซิงก์)"
        head = f"การยืนยัน: ยืนยันแล้วโดย {who}{when}{state}"
    else:
        head = f"การยืนยัน: {NOT_CONFIRMED}"
    return [head, sig]


def statement_document(st: Statement, previous: Statement | None, signed: bool,
                       confirmed_by_name: str | None = None, unit_name: str | None = None) -> TableDocument:
    """The statement paper: the list grouped by beneficiary, then counts, the appendix and the confirmation."""
    unit = unit_name or f"หน่วยงานรหัส {st.body.get('unit_code', '')}"
    counts = st.counts
    heads = counts.get("beneficiaries", sum(1 for x in st.people if x["relation"] == "self"))
    deps = counts.get("dependents", sum(1 for x in st.people if x["relation"] != "self"))
    confirm = confirmation_lines(st, signed, confirmed_by_name)
    totals = ["", f"รวม ผู้มีสิทธิ {heads:,} คน", "", "", f"ผู้มีสิทธิร่วม {deps:,} คน"]
    after: list = ["จำนวนผู้มีสิทธิและผู้มีสิทธิร่วม", counts_table(st)]
    if previous is None:
        after.append("ภาคผนวก การเปลี่ยนแปลงจากบัญชีก่อน: เป็นบัญชีแรกของหน่วยงาน จึงไม่มีรายการเปรียบเทียบ")
    else:
        diffs = differences(previous, st)
        since = format_date_long(previous.as_of, digits="arabic")
        if not diffs:
            after.append(f"ภาคผนวก การเปลี่ยนแปลงจากบัญชี ณ วันที่ {since}: ไม่มีการเปลี่ยนแปลง")
        else:
            after.append(f"ภาคผนวก การเปลี่ยนแปลงจากบัญชี ณ วันที่ {since} จำนวน {len(diffs):,} รายการ")
            after.append(Table(DIFF_COLUMNS, [[i, d.change_th, d.name, d.cid, d.detail_th]
                                              for i, d in enumerate(diffs, start=1)]))
    after.append("\n".join(confirm))
    return TableDocument(
        title=title_of(st),
        subtitle=[unit, f"ผู้มีสิทธิ {heads:,} คน ผู้มีสิทธิร่วม {deps:,} คน", *confirm],
        table=Table(COLUMNS, _groups(st), totals=totals),
        sheet="บัญชีรายชื่อผู้มีสิทธิ",
        after=after,
    )


def statement_pdf(st: Statement, previous: Statement | None, signed: bool,
                  confirmed_by_name: str | None = None, unit_name: str | None = None) -> bytes:
    return table_pdf(statement_document(st, previous, signed, confirmed_by_name, unit_name))


def statement_xlsx(st: Statement, previous: Statement | None, signed: bool,
                   confirmed_by_name: str | None = None, unit_name: str | None = None) -> bytes:
    return table_xlsx(statement_document(st, previous, signed, confirmed_by_name, unit_name))


def default_name(st: Statement, suffix: str) -> str:
    """«บัญชีรายชื่อผู้มีสิทธิ 2569-11-01.pdf» — the statement's date in the Buddhist era, sortable."""
    d = st.as_of
    return f"บัญชีรายชื่อผู้มีสิทธิ {d.year + 543}-{d.month:02d}-{d.day:02d}{suffix}"


def sample_statements(beneficiaries: int = 40, dependents: int = 60, seed: int = 2569,
                      signing_key=None) -> tuple[Statement, Statement]:
    """Two made-up statements of the training unit (citizen IDs starting with 9): the previous one and the
    current one, a few people added, removed and changed between them. Signed with ``signing_key`` (an
    Ed25519 private key) when given. For tests, the benchmark and the demo."""
    import base64

    from ..statements import body_bytes
    from ..training import UNIT
    from .samples import MadeUpPeople, shares

    people = MadeUpPeople(seed)
    rng = people.rng
    types = ["local_official", "local_teacher", "permanent_employee", "pensioner", "monthly_gratuity"]

    lines = []
    for _n, share in shares(dependents, beneficiaries):
        cid, name = people.cid(), people.name()
        lines.append({"cid": cid, "name": name, "relation": "self", "via_cid": cid,
                      "personnel_type": rng.choice(types), "secondary": False})
        for _ in range(share):
            rel = rng.choice(["spouse", "child", "child", "father", "mother"])
            dcid, dname = people.cid(), people.name()
            lines.append({"cid": dcid, "name": dname, "relation": rel, "via_cid": cid,
                          "personnel_type": None, "secondary": False})

    def make(as_of: dt.date, listed: list[dict]) -> Statement:
        listed = sorted(listed, key=lambda x: (x["via_cid"], x["relation"] != "self", x["cid"]))
        body = {"unit_code": UNIT.code, "as_of": as_of.isoformat(), "people": listed,
                "counts": {"beneficiaries": sum(1 for x in listed if x["relation"] == "self"),
                           "dependents": sum(1 for x in listed if x["relation"] != "self")}}
        sig = base64.b64encode(signing_key.sign(body_bytes(body))).decode() if signing_key else ""
        return Statement(f"st-{as_of.isoformat()}", as_of, body, sig)

    current = make(dt.date(2026, 11, 1), lines)
    # the previous round: the last beneficiary (and family) not yet hired, one more who left since, one type changed
    last = lines[-1]["via_cid"]
    before = [dict(x) for x in lines if x["via_cid"] != last]
    gone_cid, gone_name = people.cid(), people.name("นาย")
    before.append({"cid": gone_cid, "name": gone_name, "relation": "self", "via_cid": gone_cid,
                   "personnel_type": "local_official", "secondary": False})
    before[0]["personnel_type"] = "permanent_employee" if before[0]["personnel_type"] != "permanent_employee" \
        else "local_official"
    previous = make(dt.date(2026, 10, 1), before)
    return previous, current
