"""Small builders for records in rule tests: valid citizen IDs and people with birthdays; for the UI tests, an
office (a working copy on the database worker) and typing into a field."""
from __future__ import annotations

import datetime as dt
import itertools
import os
from decimal import Decimal
from pathlib import Path

from app import cid as cidmod
from app.domain import Employment, Marriage, Parentage, ParentKind, Person, Sex
from app.rules.entitlement import Facts
from app.thai import PartialDate

_seq = itertools.count(1)


def new_cid() -> str:
    return cidmod.complete(f"3{next(_seq):011d}")


def person(first="สมชาย", last="ใจดี", born=dt.date(1980, 5, 1), sex=Sex.MALE, died=None, cid=None) -> Person:
    return Person(cid or new_cid(), first, last, title_th="นาย" if sex is Sex.MALE else "นาง",
                  birth=PartialDate.of(born) if born else None, sex=sex, died_on=died)


class Family:
    """A beneficiary with a service period, and helpers to add relatives."""

    def __init__(self, start=dt.date(2010, 1, 1), ptype="local_official", unit="U1", born=dt.date(1980, 5, 1)):
        self.me = person(born=born)
        self.facts = Facts(persons={self.me.cid: self.me})
        self.job = Employment(f"e{next(_seq)}", self.me.cid, unit, ptype, start)
        self.facts.employments.append(self.job)
        self.facts.reindex()

    def add(self, p: Person) -> Person:
        self.facts.persons[p.cid] = p
        return p

    def child(self, born, kind=ParentKind.LEGITIMATE, died=None, first="ลูก") -> Person:
        kid = self.add(person(first=first, born=born, died=died))
        self.facts.parentages.append(Parentage(f"p{next(_seq)}", self.me.cid, kid.cid, kind))
        self.facts.reindex()
        return kid

    def parent(self, sex=Sex.FEMALE, kind=ParentKind.LEGITIMATE, born=dt.date(1950, 1, 1)) -> Person:
        p = self.add(person(first="แม่" if sex is Sex.FEMALE else "พ่อ", born=born, sex=sex))
        self.facts.parentages.append(Parentage(f"p{next(_seq)}", p.cid, self.me.cid, kind))
        self.facts.reindex()
        return p

    def spouse(self, registered_on, ended_on=None, end_reason=None) -> Person:
        s = self.add(person(first="ภรรยา", sex=Sex.FEMALE, born=dt.date(1982, 3, 3)))
        self.facts.marriages.append(Marriage(f"m{next(_seq)}", self.me.cid, s.cid, "1234/2555",
                                             registered_on, ended_on=ended_on, end_reason=end_reason))
        self.facts.reindex()
        return s


class Office:
    """A working copy on the database worker with a task runner over it, as the program holds them (no server, no
    card). A UI test file says what is in it: :meth:`records` for a fresh copy of the training unit's code, or its
    own :meth:`open_copy`. Opened by the ``open_office`` fixture (tests/conftest.py), which closes it."""

    def __init__(self, data_dir, keys) -> None:
        from app.store import DbWorker
        from ui.tasks import TaskRunner
        self.worker = DbWorker()
        self.runner = TaskRunner(self.worker)
        self.register = self.worker.call(self.open_copy, data_dir, keys)

    def open_copy(self, data_dir, keys):
        """On the database worker: the register, with :meth:`records` put in it."""
        from app.store import RegisterStore, WorkingCopy
        from app.training import UNIT
        register = RegisterStore(WorkingCopy.open(data_dir, UNIT.code, keys))
        register.put(self.records())
        return register

    def records(self) -> list:
        return []

    def call(self, fn, *args):
        return self.worker.call(fn, *args)

    def changesets(self):
        from app.training import UNIT
        return self.worker.call(self.register.changesets, UNIT.code)

    def close(self) -> None:
        self.worker.call(self.register.wc.close)
        self.worker.stop()


def keep_payment(conn, sid: str, unit_code: str, claims=(), transfer_on: dt.date | None = None,
                 ref: str = "KTB-1") -> dict:
    """NHSO's payment statement ``sid`` as a finance PC keeps it after its sync checked the signatures (kept here
    directly: what the tests look at is the PC's use of it), with its transfer when ``transfer_on`` is given."""
    from app.claims.states import accepted_amount
    from app.store.payments import PaymentStore
    lines = [{"claim_id": c.id, "claimant_cid": c.claimant_cid, "patient_cid": c.patient_cid,
              "first_day": c.first_day.isoformat() if c.first_day else None, "claimed": str(c.claimed),
              "accepted": str(accepted_amount(c) or c.claimed), "decision": "accepted"} for c in claims]
    total = str(sum((Decimal(x["accepted"]) for x in lines), Decimal("0.00")))
    month = sid.split("-", 1)[1][:7]
    body = {"id": sid, "unit_code": unit_code, "month": month, "issued_on": f"{month}-28", "lines": lines,
            "count": len(lines), "total": total}
    data = {"id": sid, "unit_code": unit_code, "month": month, "body": body, "signature": "",
            "transfer": {"statement": sid, "date": transfer_on.isoformat(), "ref": ref, "amount": total}
            if transfer_on else None, "transfer_signature": ""}
    PaymentStore(None).keep_in(conn, data)
    return data


def unwritable_folder(tmp_path: Path) -> Path:
    """A real folder this process may not create files in: a read-only folder, or for root (who may write
    anywhere on disk) sysfs."""
    if os.geteuid() != 0:
        folder = tmp_path / "อ่านอย่างเดียว"
        folder.mkdir()
        folder.chmod(0o555)
        return folder
    return Path("/sys")


def type_in(widget, text: str) -> None:
    """Replace a field's text as a person types it (ASCII through QTest, Thai one character event at a time)."""
    from PySide6.QtTest import QTest

    from tests.test_ui_main_window import type_text
    widget.clear()
    if text.isascii():
        QTest.keyClicks(widget, text)
    else:
        type_text(widget, text)
