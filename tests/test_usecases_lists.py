"""What the officers' tabs list, as use cases on a real working copy: "my work" (own change sets, newest first,
with what kept one from the server) and the registrar's review inbox (others' pending ones, oldest first)."""
import datetime as dt

from app import events
from app.domain import Officer, Role
from app.store.outbox import Kind
from app.usecases import Desk, registry, review
from tests.builders import new_cid, person

UNIT = "TRN0001"
OFFICER = Officer(new_cid(), "เจ้าหน้าที่", "นักทรัพยากรบุคคล", Role.REGISTRY_OFFICER, UNIT, "o@example.go.th")
OTHER = Officer(new_cid(), "เจ้าหน้าที่อีกคน", "นักทรัพยากรบุคคล", Role.REGISTRY_OFFICER, UNIT, "p@example.go.th")
REGISTRAR = Officer(new_cid(), "นายทะเบียน", "ปลัด", Role.REGISTRAR, UNIT, "r@example.go.th")


def hire(by: Officer, first: str, day: int):
    return events.hire(UNIT, by.cid, person(first=first, born=dt.date(1990, 1, day)), "local_official",
                       dt.date(2026, 10, day), "นักวิเคราะห์")


def test_my_work_is_the_officers_own_newest_first_with_why_one_did_not_reach_the_server(register):
    mine, other = Desk.of(register, OFFICER), Desk.of(register, OTHER)
    older = registry.submit(mine, hire(OFFICER, "ก่อน", 1)).changeset
    newer = registry.keep_unsent(mine, hire(OFFICER, "หลัง", 2)).changeset
    registry.submit(other, hire(OTHER, "ของคนอื่น", 3))
    [item] = [i for i in mine.outbox.due(Kind.PUSH) if i.changeset_id == older.id]
    mine.outbox.hold(item.id, "เซิร์ฟเวอร์กลางขัดข้อง")   # the server failed on it: it waits, and says why

    lines = registry.my_work(mine)
    assert [line.changeset.id for line in lines] == [newer.id, older.id]
    assert lines[0].problem is None and lines[0].conflict is None
    assert lines[1].problem.reason_th == "เซิร์ฟเวอร์กลางขัดข้อง" and lines[1].problem.retry_at is not None


def test_the_review_inbox_is_others_pending_change_sets_oldest_first(register):
    officer, registrar = Desk.of(register, OFFICER), Desk.of(register, REGISTRAR)
    first = registry.submit(officer, hire(OFFICER, "หนึ่ง", 1)).changeset
    registry.keep_unsent(officer, hire(OFFICER, "ร่าง", 2))       # a draft is not the registrar's yet
    second = registry.submit(officer, hire(OFFICER, "สอง", 3)).changeset
    assert [line.changeset.id for line in review.to_review(registrar)] == [first.id, second.id]
    review.return_(registrar, first, "กรุณาแนบคำสั่งบรรจุ")
    assert [line.changeset.id for line in review.to_review(registrar)] == [second.id]
