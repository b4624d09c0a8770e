"""The wire format is the models of sync/protocol.py, and it travels compressed: every endpoint declares its
request and answer models (so the OpenAPI, schemathesis and the client read the same shapes); the feed's kinds
are the ones the server writes; a feed page and a page of records come gzip-compressed to a client that asks,
and decompress to the very JSON an uncompressed answer carries; documents and small answers are not
compressed."""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os

import pytest
import requests

from app import training
from server.api import create_app
from server.routes import ROUTERS
from sync.protocol import FeedKind, FeedPage, RecordsPage
from tests.central import OFFICERS, REGISTRY, UNIT, hire, import_unit, push, ready_session


@pytest.fixture
def registry(central_sqlite, tmp_path):
    """A registry officer of the training unit, whose register holds the training people, with change sets
    under review and a statement issued: a feed with every kind of item, and pages of records."""
    from server.statements import issue
    from server.training import put_register
    import_unit(central_sqlite, tmp_path, UNIT, training.UNIT.name, OFFICERS)
    with central_sqlite.engine.begin() as conn:
        put_register(conn, training.generate(staff=20))
        issue(conn, UNIT, dt.date(2026, 10, 1))
    s = ready_session(central_sqlite, REGISTRY)
    for children in (1, 2, 3):
        assert push(s, hire(children))["status"] == "accepted"
    return s


def fetch(s, path: str, encoding: str, **params) -> requests.Response:
    """The answer as it came over the wire: its bytes not inflated by requests."""
    r = requests.get(s.central.api(path), params=params, stream=True, timeout=30,
                     headers={**s.headers, "Accept-Encoding": encoding})
    r.raw_bytes = r.raw.read(decode_content=False)
    return r


@pytest.mark.parametrize("path, model, params", [("/feed", FeedPage, {"since": 0}),
                                                 ("/records", RecordsPage, {"limit": 200})])
def test_a_page_comes_gzip_compressed_when_asked_and_decompresses_to_the_same_json(registry, path, model, params):
    packed = fetch(registry, path, "gzip", **params)
    plain = fetch(registry, path, "identity", **params)
    assert packed.status_code == plain.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    assert int(packed.headers["Content-Length"]) == len(packed.raw_bytes) < len(plain.raw_bytes) // 3
    assert json.loads(gzip.decompress(packed.raw_bytes)) == json.loads(plain.raw_bytes)
    page = model.model_validate_json(plain.raw_bytes)  # the answer is the model, field by field
    assert page.items and json.loads(page.model_dump_json()) == json.loads(plain.raw_bytes)


def test_the_feed_carries_the_kinds_its_model_names(registry):
    page = FeedPage.model_validate_json(fetch(registry, "/feed", "identity", since=0).raw_bytes)
    assert {item.kind for item in page.items} == {FeedKind.RECORD, FeedKind.CHANGESET, FeedKind.STATEMENT}
    # a recorded certificate is the fourth kind (written and read in tests/test_certificates.py)
    assert set(FeedKind) == {FeedKind.RECORD, FeedKind.CHANGESET, FeedKind.STATEMENT, FeedKind.CERTIFICATE}


def test_an_empty_feed_and_a_refusal_stay_small_and_uncompressed(registry):
    empty = fetch(registry, "/feed", "gzip", since=10**9)
    assert "Content-Encoding" not in empty.headers
    assert json.loads(empty.raw_bytes) == {"items": [], "next_seq": 10**9, "more": False}
    refused = requests.get(registry.central.api("/feed"), params={"since": -1}, timeout=30,
                           headers={**registry.headers, "Accept-Encoding": "gzip"})
    assert refused.status_code == 422 and "Content-Encoding" not in refused.headers
    assert refused.json()["code"] == "request.invalid" and refused.json()["message_th"]


def test_a_document_is_downloaded_as_stored_not_compressed_again(registry):
    pdf = b"%PDF-1.7\n" + b"0" * 200_000 + os.urandom(1000)  # would compress well: still sent as it is
    sha = hashlib.sha256(pdf).hexdigest()
    put = requests.put(registry.central.api(f"/blobs/{sha}"), data=pdf, timeout=30,
                       headers={**registry.headers, "Content-Range": f"bytes 0-{len(pdf) - 1}/{len(pdf)}"})
    assert put.status_code == 201 and put.headers["Upload-Offset"] == str(len(pdf))
    got = fetch(registry, f"/blobs/{sha}", "gzip")
    assert got.status_code == 200 and "Content-Encoding" not in got.headers and got.raw_bytes == pdf
    head = requests.head(registry.central.api(f"/blobs/{sha}"), timeout=30,
                         headers={**registry.headers, "Accept-Encoding": "gzip"})
    assert head.status_code == 200 and head.headers["Upload-Offset"] == str(len(pdf))


def test_every_endpoint_declares_the_models_it_takes_and_answers(tmp_path):
    from server.db import make_engine
    spec = create_app(make_engine(f"sqlite:///{tmp_path / 'c.db'}")).openapi()
    untyped = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body is not None and "$ref" not in body:
                untyped.append(f"{method.upper()} {path} takes {body}")
            if "/blobs/" in path or "204" in op["responses"]:
                continue  # documents' bytes; answers without a body
            answer = op["responses"]["200"]["content"]["application/json"]["schema"]
            if "$ref" not in answer and "$ref" not in answer.get("items", {}):
                untyped.append(f"{method.upper()} {path} answers {answer}")
    assert not untyped, untyped
    tags = {route.tags[0] for router in ROUTERS for route in router.routes}
    assert tags >= {"auth", "sync", "blobs", "statements", "calendar", "licence", "ops"}


def test_a_staged_change_set_and_a_statement_read_as_models_give_app_what_it_reads(registry):
    from app import changeset as csmod
    from app.statements import Statement
    from sync.protocol import ChangeSetOut, StatementOut
    sent = registry.get("/changesets", params={"state": "pending"}).json()
    staged = [ChangeSetOut.model_validate(item) for item in sent]
    assert len(staged) == 3 and [cs.as_json() for cs in staged] == sent
    assert [csmod.to_json(csmod.from_json(cs.as_json())) for cs in staged] == sent
    [brief] = registry.get("/statements", params={"brief": "true"}).json()
    assert "body" not in brief and StatementOut.model_validate(brief).as_json() == brief
    whole = StatementOut.model_validate(registry.get(f"/statements/{brief['id']}").json())
    assert Statement.from_json(whole.as_json()).body["counts"] == brief["counts"]


def test_a_client_version_with_digits_int_cannot_read_is_refused_in_thai_not_a_500(registry):
    # found by schemathesis: "³".isdigit() holds, int("³") fails
    r = registry.post("/licence", {"installation_id": "inst-1", "client_version": "\u00b3 "})
    assert r.status_code == 400 and r.json()["code"] == "licence.request" and "รุ่น" in r.json()["message_th"]
    ok = registry.post("/licence", {"installation_id": "inst-1", "client_version": "0.1.0"})
    assert ok.status_code == 200 and ok.json()["unit_code"] == UNIT
