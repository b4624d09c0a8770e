"""The unit's emblem, as a registry officer gives it and the letters print it: a PNG attached to a change of the
unit's data as «ตราสัญลักษณ์ของหน่วยงาน» becomes the unit's emblem (the registrar reads the change in Thai); a file
that is not an image is refused in Thai and nothing is kept; once the unit has it, the certificate of entitlement
carries the image 3 cm high over the text."""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import subprocess

import pytest
from PIL import Image

from app import review as reading
from app.documents import write_file
from app.errors import Refusal
from app.events import Known
from app.evidence import UNIT_EMBLEM
from app.store.attachments import AttachmentStore
from app.usecases import certificates, forms, registry
from tests.test_certificates import THE_UNIT, desk, family  # noqa: F401 — the fixtures


def png(width=300, height=300) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (180, 20, 20)).save(buf, "PNG")
    return buf.getvalue()


def unit_form(**kw) -> forms.UnitData:
    u = THE_UNIT
    return forms.UnitData(Known(u, 1), u.name, u.level, u.address, u.phone, u.email, **kw)


def test_an_attached_emblem_becomes_the_units_and_the_registrar_reads_it_in_thai(desk, family):
    sha = AttachmentStore(desk.register.wc).put(png(), "ตรา.png")
    cs = registry.record(desk, unit_form(), send=True, evidence=[(sha, UNIT_EMBLEM.th)]).changeset
    assert cs.operations[0].fields == {"emblem_sha256": sha}
    assert cs.evidence == [sha] and cs.evidence_labels == {sha: "ตราสัญลักษณ์ของหน่วยงาน"}
    [change] = [c for c in reading.describe(desk.register, cs) if c.field == "ตราสัญลักษณ์ของหน่วยงาน"]
    assert "ภาพที่แนบ" in change.after


def test_a_file_that_is_not_an_image_is_refused_as_the_emblem_and_nothing_is_kept(desk, family):
    sha = AttachmentStore(desk.register.wc).put(b"%PDF-1.7 not an emblem", "ตรา.pdf")
    with pytest.raises(Refusal) as refused:
        registry.record(desk, unit_form(), send=True, evidence=[(sha, UNIT_EMBLEM.th)])
    assert refused.value.code == "documents.emblem_not_image" and "PNG หรือ JPEG" in str(refused.value)
    assert desk.register.wc.conn.execute("SELECT count(*) FROM changesets").fetchone()[0] == 0


def test_the_certificate_carries_the_units_emblem_3_cm_high(desk, family, tmp_path):
    sha = AttachmentStore(desk.register.wc).put(png(400, 400), "ตรา.png")
    desk.register.put([(dataclasses.replace(THE_UNIT, emblem_sha256=sha), 2)])   # as approved and applied
    _cert, pdf = certificates.issue(desk, cid=family.me.cid, admitted_on=dt.date(2026, 3, 14), hospital="รพ.ก")
    path = write_file(tmp_path / "c.pdf", pdf)
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    [row] = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    assert (row[3], row[4]) == ("400", "400")          # the emblem's own pixels
    assert abs(int(row[12]) - 400 / (3 / 2.54)) < 3       # drawn 3 cm high: about 339 pixels per inch
