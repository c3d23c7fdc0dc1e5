"""The OpenAPI document matches the code: same routes and methods, valid schemas, and Schemathesis
finds no server error and no reply that strays from the document."""

from __future__ import annotations

import re
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lms.certificates.models import Certificate
from lms.certificates.serials import new_serial
from lms.courses.catalog import course_or_404
from lms.db import session
from lms.quizzes.attempts import start_or_resume
from tests.test_api import API, mint, openapi_path

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def _document(app) -> dict:
    response = app.test_client().get(f"{API}/openapi.json")
    try:
        assert response.status_code == 200
        return response.get_json()
    finally:
        response.close()


def test_every_api_route_is_documented_with_its_methods_and_nothing_more(app):
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] == "lms_api":
            methods = {m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}}
            routes.setdefault(openapi_path(rule.rule), set()).update(methods)
    document = _document(app)
    documented = {
        path: {m for m in item if m in HTTP_METHODS} for path, item in document["paths"].items()
    }
    assert routes == documented


def test_the_document_is_well_formed(app):
    document = _document(app)
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": API}]
    assert "bearerAuth" in document["components"]["securitySchemes"]
    for name, schema in document["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema), name
    refs = set(re.findall(r'"#/components/schemas/([A-Za-z]+)"', str(document).replace("'", '"')))
    assert refs <= set(document["components"]["schemas"]), "every $ref resolves"
    operation_ids = []
    for path, item in document["paths"].items():
        in_path = set(re.findall(r"{(\w+)}", path))
        for method, operation in item.items():
            operation_ids.append(operation["operationId"])
            params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert params == in_path, f"{method} {path}"
            for status, response in operation["responses"].items():
                assert "application/json" in response["content"], f"{method} {path} {status}"
            if operation.get("security") != []:
                assert "401" in operation["responses"], f"{method} {path}"
    assert len(operation_ids) == len(set(operation_ids))


def test_the_servers_entry_follows_the_mount_point(app):
    document = _document(app)
    assert document["servers"][0]["url"] == "/lms/api/v1"


@pytest.fixture
def learner(app, make_staff, runner) -> dict:
    """A learner with a token, an open attempt and a certificate, so that real data is reached."""
    staff = make_staff(("learner",))
    serial = new_serial()
    with app.test_request_context():
        course = course_or_404("basics")
        attempt = start_or_resume(staff, course)
        session.add(
            Certificate(
                serial=serial,
                staff_id=staff.id,
                course_id=course.id,
                issued_on=date.today(),
                snapshot={"name": staff.name, "course_title": course.title},
            )
        )
        session.commit()
        real = {
            "slug": "basics",
            "lesson_slug": "greeting",
            "attempt_id": attempt.id,
            "serial": serial,
        }
    return {"token": mint(runner, staff.employee_no), "real": real}


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _strategies(operation, real: dict):
    """Free fuzzing of every parameter, and fuzzing of bodies on real courses and attempts."""
    names = {p.name for p in operation.path_parameters}
    fixed = {name: value for name, value in real.items() if name in names}
    yield operation.as_strategy()
    if not fixed:
        return
    if "position" in names:
        yield st.sampled_from([1, 2, 3]).flatmap(
            lambda position: operation.as_strategy(path_parameters=fixed | {"position": position})
        )
    else:
        yield operation.as_strategy(path_parameters=fixed)


def test_schemathesis_finds_no_server_error_and_no_undocumented_reply(app, learner):
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    document = _document(app)
    documented = {
        f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item
    }
    # Schemathesis leaves out the document's own route; every other operation is exercised.
    assert {op.label for op in operations} == documented - {"GET /openapi.json"}
    # Answers are fuzzed while the attempt is open; then it is submitted, then its result read.
    last = {"POST /attempts/{attempt_id}/submit": 1, "GET /attempts/{attempt_id}/result": 2}
    operations.sort(key=lambda op: last.get(op.label, 0))
    headers = {"Authorization": f"Bearer {learner['token']}"}
    statuses: set[tuple[str, int]] = set()
    for operation in operations:
        for strategy in _strategies(operation, learner["real"]):

            @settings(
                max_examples=12,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def call(case) -> None:
                response = case.call_and_validate(headers=headers, checks=CHECKS)
                statuses.add((case.operation.label, response.status_code))

            call()
    reached = {label for label, status in statuses if status < 300}
    assert reached == {op.label for op in operations}, "every operation succeeded at least once"
