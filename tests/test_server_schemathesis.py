"""schemathesis against the server's own /openapi.json, on SQLite and PostgreSQL: generated requests — their
bodies modelled down to each operation's fields — never get a 500, and every refusal is a Problem with a Thai
message."""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from app import training
from tests.central import OFFICERS, import_unit, ready_session


def test_no_generated_request_makes_the_server_fail(central, tmp_path):
    import_unit(central, tmp_path, training.UNIT.code, training.UNIT.name, OFFICERS)
    session = ready_session(central, OFFICERS[0])
    schema = schemathesis.openapi.from_url(f"{central.url}/openapi.json")
    schema.config.base_url = central.url
    schema = schema.exclude(path_regex=r"/auth/(logout|password)$")  # they would end the session mid-run
    tried = []
    for result in schema.get_all_operations():
        operation = result.ok()
        tried.append(f"{operation.method.upper()} {operation.path}")

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case):
            response = case.call(headers=session.headers, timeout=30)
            case.validate_response(response, checks=[not_a_server_error])
            if response.status_code >= 400 and case.method.upper() != "HEAD":
                problem = response.json()
                assert problem["code"] and problem["message_th"], response.text

        run()
    assert "POST /v1/approvals" in tried and "GET /v1/feed" in tried and len(tried) >= 15
