"""Attachments on the server: resumable, hash-checked, PDF/JPEG/PNG only, seen only by their unit."""
import hashlib
import os

import pytest
import requests

from app import training
from tests.central import import_unit, ready_session
from tests.central import OFFICERS, OTHER

PDF = b"%PDF-1.7\n" + os.urandom(300_000)
SHA = hashlib.sha256(PDF).hexdigest()


@pytest.fixture
def officer(central, tmp_path):
    import_unit(central, tmp_path, training.UNIT.code, training.UNIT.name, OFFICERS)
    return ready_session(central, OFFICERS[1])


def put(s, sha, body, rng=None):
    headers = dict(s.headers)
    if rng:
        headers["Content-Range"] = rng
    return requests.put(s.central.api(f"/blobs/{sha}"), data=body, headers=headers, timeout=30)


def head(s, sha):
    return requests.head(s.central.api(f"/blobs/{sha}"), headers=s.headers, timeout=30)


def test_an_upload_cut_halfway_resumes_where_it_stopped(officer):
    first = put(officer, SHA, PDF[:100_000], f"bytes 0-99999/{len(PDF)}")
    assert first.status_code == 202 and first.headers["Upload-Offset"] == "100000"
    h = head(officer, SHA)
    assert h.status_code == 404 and h.headers["Upload-Offset"] == "100000"
    wrong_place = put(officer, SHA, PDF[200_000:], f"bytes 200000-{len(PDF) - 1}/{len(PDF)}")
    assert wrong_place.status_code == 409 and "100000" in wrong_place.json()["message_th"]
    rest = put(officer, SHA, PDF[100_000:], f"bytes 100000-{len(PDF) - 1}/{len(PDF)}")
    assert rest.status_code == 201
    assert head(officer, SHA).status_code == 200
    got = requests.get(officer.central.api(f"/blobs/{SHA}"), headers=officer.headers, timeout=30)
    assert got.content == PDF and got.headers["content-type"] == "application/pdf"


def test_a_wrong_hash_or_a_wrong_kind_of_file_is_refused(officer):
    wrong = put(officer, "0" * 64, PDF)
    assert wrong.status_code == 422 and "ไม่ตรงกับรหัสตรวจสอบ" in wrong.json()["message_th"]
    exe = b"MZ\x90\x00" + os.urandom(1000)
    refused = put(officer, hashlib.sha256(exe).hexdigest(), exe)
    assert refused.status_code == 415 and "PDF, JPEG หรือ PNG" in refused.json()["message_th"]
    assert put(officer, "not-a-hash", PDF).status_code == 400


def test_another_unit_cannot_fetch_the_blob(officer, central, tmp_path):
    assert put(officer, SHA, PDF).status_code == 201
    import_unit(central, tmp_path, "OTH0002", "เทศบาลตำบลทดลอง", OTHER)
    stranger = ready_session(central, OTHER[1])
    r = requests.get(central.api(f"/blobs/{SHA}"), headers=stranger.headers, timeout=30)
    assert r.status_code == 404 and r.json()["message_th"]
