"""The learner JSON API through its real routes and the token commands.

Every call goes through ``Api``, which checks the reply against the OpenAPI document: the status
must be documented for that operation and the body must match its schema.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from jsonschema import Draft202012Validator
from werkzeug.datastructures import Headers
from werkzeug.exceptions import NotFound

from lms import create_app, days
from lms.api.models import ApiToken
from lms.api.openapi import openapi_document
from lms.audit.models import AuditEntry
from lms.auth.models import Staff
from lms.certificates.models import Certificate
from lms.certificates.serials import new_serial
from lms.content.sync import sync_content
from lms.courses.models import Course
from lms.db import session, utcnow
from lms.quizzes import grading
from lms.quizzes.models import Attempt
from tests.conftest import PASSWORD, database_url, login, read_lessons, reset_schema

API = "/lms/api/v1"


# --- a client that checks every reply against the OpenAPI document -------------------------------


@dataclass
class Reply:
    status: int
    json: Any
    headers: Headers


def openapi_path(rule_text: str, prefix: str = API) -> str:
    """``/lms/api/v1/attempts/<int:attempt_id>`` → ``/attempts/{attempt_id}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule_text)[len(prefix) :]


def check_against_document(app: Flask, method: str, path: str, reply: Reply) -> None:
    document = openapi_document(API)
    try:
        rule, _ = app.url_map.bind("localhost").match(path.split("?")[0], method, return_rule=True)
    except Exception:  # routing failure: unknown path or method, answered with an Error
        schema: dict[str, Any] = {"$ref": "#/components/schemas/Error"}
    else:
        operation = document["paths"][openapi_path(rule.rule)][method.lower()]
        documented = operation["responses"]
        assert str(reply.status) in documented, f"{method} {path}: {reply.status} undocumented"
        schema = documented[str(reply.status)]["content"]["application/json"]["schema"]
    validator = Draft202012Validator(
        {**schema, "components": document["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(reply.json)
    ]
    assert not errors, f"{method} {path} -> {reply.status}: {errors[:5]}"


class Api:
    def __init__(self, app: Flask, token: str | None = None, client: Any = None) -> None:
        self.app = app
        self.client = client or app.test_client()
        self.token = token

    def call(self, method: str, path: str, *, headers: dict | None = None, **kwargs: Any) -> Reply:
        headers = dict(headers or {})
        if self.token is not None:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        response = self.client.open(API + path, method=method, headers=headers, **kwargs)
        try:
            assert response.content_type == "application/json", response.get_data(as_text=True)
            reply = Reply(response.status_code, response.get_json(), response.headers)
        finally:
            response.close()
        check_against_document(self.app, method, API + path, reply)
        return reply

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Reply:
        return self.call("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Reply:
        return self.call("PUT", path, **kwargs)


def mint(runner, employee_no: str, *extra: str) -> str:
    result = runner.invoke(args=["lms", "token", "create", employee_no, *extra])
    assert result.exit_code == 0, result.output
    token = next(line for line in result.output.splitlines() if line.startswith("mgl_"))
    return token


@pytest.fixture
def learner(make_staff) -> Staff:
    return make_staff(("learner",))


@pytest.fixture
def api(app, runner, learner) -> Api:
    return Api(app, mint(runner, learner.employee_no))


def answers_in_shown_positions(attempt: dict, app: Flask, *, right: bool) -> dict[int, Any]:
    """Right (or wrong) answers for an API attempt, as a client would send them."""
    with app.app_context():
        stored = session.get(Attempt, attempt["id"])
        out = {}
        for response in stored.responses:
            data = response.question_version.data
            shown = grading.view_answer(data, response.presentation, grading.correct_answer(data))
            out[response.position] = shown if right else wrong_answer(data, shown)
        return out


def wrong_answer(data: dict, shown: Any) -> Any:
    qtype = data["type"]
    if qtype in ("single", "scenario"):
        return (shown + 1) % len(data["options"])
    if qtype == "multiple":
        return [i for i in range(len(data["options"])) if i not in shown]
    if qtype == "truefalse":
        return not shown
    if qtype == "ordering":
        return list(reversed(shown))
    if qtype == "matching":
        rights = len(data["pairs"]) + len(data.get("distractors") or [])
        return {left: (r + 1) % rights for left, r in shown.items()}
    return "不知道"


# --- tokens --------------------------------------------------------------------------------------


def test_token_commands_mint_list_and_revoke(app, runner, learner):
    result = runner.invoke(args=["lms", "token", "create", learner.employee_no, "--name", "手机"])
    assert result.exit_code == 0, result.output
    token = re.search(r"^(mgl_\S+)$", result.output, re.M).group(1)
    api = Api(app, token)
    assert api.get("/me").json["employee_no"] == learner.employee_no

    with app.app_context():
        row = session.scalar(sa.select(ApiToken))
        stored = [str(getattr(row, c.key)) for c in ApiToken.__table__.columns]
        assert token not in " ".join(stored), "only the hash is stored"
        assert row.name == "手机" and row.last_used_at is not None
        actions = session.scalars(sa.select(AuditEntry.action)).all()
        assert "api_token.create" in actions

    listing = runner.invoke(args=["lms", "token", "list", learner.employee_no]).output
    assert f"{row.id}" in listing and "手机" in listing and "active" in listing
    assert token not in listing

    result = runner.invoke(args=["lms", "token", "revoke", str(row.id)])
    assert result.exit_code == 0 and "revoked" in result.output
    reply = api.get("/me")
    assert (reply.status, reply.json["error"]) == (401, "invalid_token")
    assert reply.headers["WWW-Authenticate"].startswith("Bearer")
    assert "revoked" in runner.invoke(args=["lms", "token", "list"]).output
    with app.app_context():
        assert session.scalars(sa.select(AuditEntry.action)).all().count("api_token.revoke") == 1

    assert runner.invoke(args=["lms", "token", "revoke", "999"]).exit_code != 0
    assert runner.invoke(args=["lms", "token", "create", "NOBODY"]).exit_code != 0
    assert runner.invoke(args=["lms", "token", "list", "NOBODY"]).exit_code != 0


def test_tokens_of_deactivated_staff_and_bad_headers_are_refused(app, runner, learner, api):
    assert api.get("/me").status == 200
    for header in ("Bearer mgl_wrong", "Bearer ", "Bearer", f"Basic {api.token}", "mgl_x"):
        reply = Api(app).get("/me", headers={"Authorization": header})
        assert reply.status == 401, header
    with app.app_context():
        session.get(Staff, learner.id).active = False
        session.commit()
    reply = api.get("/me")
    assert (reply.status, reply.json["error"]) == (401, "invalid_token")
    assert runner.invoke(args=["lms", "token", "create", learner.employee_no]).exit_code != 0


def test_a_bearer_header_decides_alone_and_only_on_the_api(app, client, make_staff, api):
    other = make_staff(("learner",))
    login(client, other)
    session_api = Api(app, client=client)
    assert session_api.get("/me").json["employee_no"] == other.employee_no
    # With a token, the token says who is calling, whoever is logged in on the session.
    assert Api(app, api.token, client=client).get("/me").json["employee_no"] != other.employee_no
    assert Api(app, "mgl_forged", client=client).get("/me").status == 401
    # HTML pages ignore bearer tokens: they keep to the session and its CSRF-protected forms.
    page = app.test_client().get("/lms/", headers={"Authorization": f"Bearer {api.token}"})
    assert page.status_code == 302 and "/lms/login" in page.location
    page.close()


def test_anonymous_callers_get_json_401_and_the_public_routes_answer(app):
    anonymous = Api(app)
    for path in ("/me", "/courses", "/courses/basics", "/attempts/1", "/attempts/1/result"):
        reply = anonymous.get(path)
        assert (reply.status, reply.json["error"]) == (401, "unauthorized"), path
    assert anonymous.post("/courses/basics/attempts").status == 401
    assert anonymous.put("/attempts/1/answers/1", json={"answer": 0}).status == 401
    assert anonymous.get("/openapi.json").status == 200
    assert anonymous.get("/certificates/NOPE/verify").json["status"] == "unknown"


# --- CSRF ----------------------------------------------------------------------------------------


@pytest.fixture
def csrf_app(tmp_path: Path, content_dir: Path) -> Flask:
    app = create_app(
        {
            "CONFIG_NAME": "testing",
            "WTF_CSRF_ENABLED": True,
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
            "LMS_CONTENT_DIR": str(content_dir),
        }
    )
    reset_schema(app)
    with app.app_context():
        sync_content(content_dir)
    yield app
    with app.app_context():
        app.extensions["lms"].db.engine.dispose()


def _csrf_login(client, employee_no: str) -> str:
    """Log in through the real form, CSRF token and all; returns the new session's CSRF token."""
    page = client.get("/lms/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/lms/login",
        data={"employee_no": employee_no, "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get("/lms/").get_data(as_text=True)
    fresh = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert fresh != token, "a login starts a new session with a new CSRF secret"
    return fresh


def test_session_writes_need_the_csrf_token_and_only_a_valid_bearer_token_is_exempt(csrf_app):
    with csrf_app.app_context():
        staff = Staff(employee_no="C-1", name="测试")
        staff.set_roles({"learner"})
        staff.set_password(PASSWORD)
        session.add(staff)
        session.commit()
    token = mint(csrf_app.test_cli_runner(), "C-1")
    client = csrf_app.test_client()
    csrf_token = _csrf_login(client, "C-1")
    by_session = Api(csrf_app, client=client)

    assert by_session.get("/me").status == 200, "reading needs no CSRF token"
    refused = by_session.post("/courses/basics/attempts")
    assert (refused.status, refused.json["error"]) == (400, "csrf_failed")
    refused = by_session.post("/courses/basics/lessons/greeting/complete")
    assert refused.status == 400
    with csrf_app.app_context():
        assert session.scalar(sa.select(sa.func.count(Attempt.id))) == 0

    started = by_session.post("/courses/basics/attempts", headers={"X-CSRFToken": csrf_token})
    assert started.status == 201
    put = by_session.put(f"/attempts/{started.json['id']}/answers/1", json={"answer": 0})
    assert (put.status, put.json["error"]) == (400, "csrf_failed")

    # A valid token needs no CSRF token, even beside the session cookie; a forged one gets 401.
    with_token = Api(csrf_app, token, client=client)
    assert with_token.post("/courses/basics/lessons/greeting/complete").status == 200
    assert Api(csrf_app, token).post("/courses/basics/attempts").status == 200
    forged = Api(csrf_app, "mgl_forged", client=client).post("/courses/basics/attempts")
    assert forged.status == 401
    # The exemption is the API's own: an HTML form posted with a token still needs its CSRF field.
    page = client.post("/lms/courses/basics/quiz", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 400
    page.close()


# --- courses and lessons -------------------------------------------------------------------------


def test_courses_lessons_and_progress(api):
    courses = api.get("/courses").json["courses"]
    assert [c["slug"] for c in courses] == ["basics"]
    assert courses[0] | {"lessons_completed": 0, "best_score": None, "passed": False} == courses[0]

    lesson = api.get("/courses/basics/lessons/greeting").json
    assert lesson["title"] == "问候与微笑" and 'id="smile"' in lesson["html"]
    assert {"id": "smile", "title": "微笑", "level": 2} in lesson["toc"]
    assert (lesson["previous"], lesson["next"]) == (None, "phone")
    assert api.get("/courses/basics").json["lessons"][0]["viewed"] is False, "a GET never writes"
    assert api.post("/courses/basics/lessons/greeting/view").json["completed"] is False
    course = api.get("/courses/basics").json
    assert [(x["slug"], x["viewed"], x["completed"]) for x in course["lessons"]] == [
        ("greeting", True, False),
        ("phone", False, False),
    ]
    done = api.post("/courses/basics/lessons/greeting/complete").json
    assert done["completed"] and (done["lessons_completed"], done["lessons_total"]) == (1, 2)
    assert api.post("/courses/basics/lessons/greeting/complete").json == done, "idempotent"
    assert api.get("/courses").json["courses"][0]["lessons_completed"] == 1
    assert api.get("/courses/basics/lessons/greeting").json["completed"] is True

    assert api.get("/courses/nope").json["error"] == "course_not_found"
    assert api.get("/courses/basics/lessons/nope").json["error"] == "lesson_not_found"
    assert api.post("/courses/basics/lessons/nope/complete").status == 404


# --- attempts ------------------------------------------------------------------------------------


def test_start_save_resume_submit_and_review(app, api):
    started = api.post("/courses/basics/attempts")
    assert started.status == 201 and started.headers["Location"].endswith(
        f"/attempts/{started.json['id']}"
    )
    attempt = started.json
    assert attempt["status"] == "open" and attempt["score"] is None
    assert 0 < attempt["seconds_left"] <= 600 and attempt["deadline_at"].endswith("Z")
    assert [q["position"] for q in attempt["questions"]] == [1, 2, 3]
    assert api.get(f"/attempts/{attempt['id']}/result").json["error"] == "not_graded"

    right = answers_in_shown_positions(attempt, app, right=True)
    for position, answer in right.items():
        saved = api.put(f"/attempts/{attempt['id']}/answers/{position}", json={"answer": answer})
        assert saved.status == 200 and saved.json["answer"] == answer
    resumed = api.post("/courses/basics/attempts")
    assert resumed.status == 200 and resumed.json["id"] == attempt["id"]
    assert {q["position"]: q["answer"] for q in resumed.json["questions"]} == right
    assert [q["stem"] for q in resumed.json["questions"]] == [
        q["stem"] for q in attempt["questions"]
    ], "the attempt is shown again exactly"

    graded = api.post(f"/attempts/{attempt['id']}/submit").json
    assert (graded["status"], graded["score"], graded["passed"]) == ("graded", 100.0, True)
    again = api.post(f"/attempts/{attempt['id']}/submit").json
    assert again == graded, "a retried submit grades nothing twice"
    closed = api.put(f"/attempts/{attempt['id']}/answers/1", json={"answer": None})
    assert (closed.status, closed.json["error"]) == (409, "attempt_closed")

    result = api.get(f"/attempts/{attempt['id']}/result").json
    assert result["attempt"] == graded
    for item in result["items"]:
        assert item["answer"] == item["correct_answer"] == right[item["position"]]
        assert item["score"] == 1.0 and item["feedback"] and item["section"]["lesson"]
    summary = api.get("/courses").json["courses"][0]
    assert (summary["best_score"], summary["passed"], summary["attempts_used"]) == (100, True, 1)
    course = api.get("/courses/basics").json
    assert course["open_attempt_id"] is None and course["attempts"] == [graded]


def test_bad_answers_are_refused_with_a_reason_and_lose_nothing(app, api):
    attempt = api.post("/courses/basics/attempts").json
    url = f"/attempts/{attempt['id']}/answers"
    first = attempt["questions"][0]
    good = answers_in_shown_positions(attempt, app, right=True)[1]
    assert api.put(f"{url}/1", json={"answer": good}).status == 200

    cases = [
        ({"data": "answer=1"}, 415, "unsupported_media_type"),
        ({"data": "{not json", "content_type": "application/json"}, 400, "invalid_json"),
        # Nested deeper than the JSON reader recurses: once a RecursionError and a 500.
        (
            {"data": "[" * 5000 + "]" * 5000, "content_type": "application/json"},
            400,
            "invalid_json",
        ),
        (
            {
                "data": '{"answer": ' + "[" * 5000 + "]" * 5000 + "}",
                "content_type": "application/json",
            },
            400,
            "invalid_json",
        ),
        ({"json": [1, 2]}, 422, "invalid_body"),
        ({"json": {"wrong": 1}}, 422, "invalid_body"),
        ({"json": {"answer": {"no": "way"}}}, 422, "invalid_answer"),
        (
            {"json": {"answer": 99}} if first["type"] != "short" else {"json": {"answer": []}},
            422,
            "invalid_answer",
        ),
    ]
    for kwargs, status, code in cases:
        reply = api.put(f"{url}/1", **kwargs)
        assert (reply.status, reply.json["error"]) == (status, code), kwargs
    assert api.put(f"{url}/9", json={"answer": 0}).json["error"] == "question_not_found"
    assert api.put(f"{url}/0", json={"answer": 0}).status == 404
    shown = api.get(f"/attempts/{attempt['id']}").json["questions"][0]
    assert shown["answer"] == good, "a refused answer leaves the saved one in place"
    cleared = api.put(f"{url}/1", json={"answer": None}).json
    assert cleared["answer"] is None


def test_attempts_are_private(app, api, make_staff, runner):
    attempt = api.post("/courses/basics/attempts").json
    intruder = Api(app, mint(runner, make_staff(("admin",)).employee_no))
    base = f"/attempts/{attempt['id']}"
    for reply in (
        intruder.get(base),
        intruder.put(f"{base}/answers/1", json={"answer": 0}),
        intruder.post(f"{base}/submit"),
        intruder.get(f"{base}/result"),
    ):
        assert (reply.status, reply.json["error"]) == (403, "forbidden")
    assert api.get(base).json["status"] == "open", "the intruder's submit did nothing"
    assert api.get("/attempts/9999").json["error"] == "attempt_not_found"


def test_the_time_limit_and_attempt_rules_hold_over_the_api(app, api):
    attempt = api.post("/courses/basics/attempts").json
    right = answers_in_shown_positions(attempt, app, right=True)
    api.put(f"/attempts/{attempt['id']}/answers/1", json={"answer": right[1]})
    with app.app_context():
        session.get(Attempt, attempt["id"]).deadline_at = utcnow() - timedelta(seconds=1)
        course = session.scalar(sa.select(Course).where(Course.slug == "basics"))
        course.max_attempts = 1
        session.commit()
    late = api.put(f"/attempts/{attempt['id']}/answers/2", json={"answer": right[2]})
    assert (late.status, late.json["error"]) == (409, "attempt_closed")
    seen = api.get(f"/attempts/{attempt['id']}").json
    assert (seen["status"], seen["expired"]) == ("open", True), "a GET grades nothing"
    assert api.get(f"/attempts/{attempt['id']}/result").json["error"] == "not_graded"
    graded = api.post(f"/attempts/{attempt['id']}/submit").json
    assert graded["status"] == "graded" and graded["score"] == pytest.approx(100 / 3, abs=0.01)
    assert graded["timed_out"] is True and graded["submitted_at"] == seen["deadline_at"]
    refused = api.post("/courses/basics/attempts")
    assert (refused.status, refused.json["error"]) == (409, "attempt_refused")
    assert "最多可测验 1 次" in refused.json["message"]


# --- errors --------------------------------------------------------------------------------------


def test_errors_are_json_under_the_api_prefix_only(app, api, monkeypatch):
    missing = api.get("/no/such/thing")
    assert (missing.status, missing.json["error"]) == (404, "not_found")
    wrong_method = api.call("DELETE", "/me")
    assert (wrong_method.status, wrong_method.json["error"]) == (405, "method_not_allowed")
    assert "GET" in wrong_method.headers["Allow"]

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("lms.api.learning.courses_json", broken)
    crashed = api.get("/courses")
    assert crashed.json == {"error": "internal_error", "message": "服务器内部错误。"}
    assert crashed.status == 500 and "boom" not in json.dumps(crashed.json)

    # Outside the prefix, pages and errors are the host's own, untouched.
    page = app.test_client().get("/lms/no/such/page")
    assert page.status_code == 404 and page.content_type.startswith("text/html")
    page.close()


def test_a_host_keeps_its_error_pages_and_its_users_reach_the_api(tmp_path, content_dir):
    from tests.test_embedded import make_host

    host, _ = make_host(tmp_path, content_dir)

    @host.errorhandler(404)
    def host_404(_exc: NotFound):
        return "host page", 404

    client = host.test_client()
    assert client.get("/nope").get_data(as_text=True) == "host page"
    assert client.get("/training/nope").get_data(as_text=True) == "host page"
    reply = client.get("/training/api/v1/nope")
    assert reply.status_code == 404 and reply.get_json()["error"] == "not_found"
    reply = client.get("/training/api/v1/me")
    assert reply.status_code == 401 and reply.is_json, "the API answers 401, not a redirect"
    client.get("/host-login/alice")
    assert client.get("/training/api/v1/me").get_json()["employee_no"] == "H-100"
    token = mint(host.test_cli_runner(), "H-100")
    me = host.test_client().get("/training/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["name"] == "艾丽丝"
    spec = host.test_client().get("/training/api/v1/openapi.json").get_json()
    assert spec["servers"] == [{"url": "/training/api/v1"}]


# --- certificates --------------------------------------------------------------------------------


def test_certificates_are_verified_by_serial_without_logging_in(app, learner):
    today = date.today()
    serials = {state: new_serial() for state in ("valid", "expired", "revoked", "superseded")}
    with app.app_context():
        course = session.scalar(sa.select(Course))
        fields = {
            "valid": dict(expires_on=today + timedelta(days=30)),
            "expired": dict(expires_on=today - timedelta(days=2), cycle=2),
            "revoked": dict(revoked_at=utcnow(), revoke_reason="作弊", cycle=3),
            "superseded": dict(cycle=4),
        }
        for state, serial in serials.items():
            session.add(
                Certificate(
                    serial=serial,
                    staff_id=learner.id,
                    course_id=course.id,
                    issued_on=today - timedelta(days=60),
                    snapshot={"name": learner.name, "course_title": course.title},
                    **fields[state],
                )
            )
        session.flush()
        old = session.scalar(
            sa.select(Certificate).where(Certificate.serial == serials["superseded"])
        )
        old.superseded_by_id = session.scalar(
            sa.select(Certificate.id).where(Certificate.serial == serials["valid"])
        )
        session.commit()
    anonymous = Api(app)
    seen = {state: anonymous.get(f"/certificates/{s}/verify").json for state, s in serials.items()}
    assert {state: v["status"] for state, v in seen.items()} == {s: s for s in serials}
    valid = seen["valid"]
    assert (valid["name"], valid["course_title"]) == (learner.name, "服务基础")
    assert valid["expires_on"] == (today + timedelta(days=30)).isoformat()
    # The organisation's calendar, like the issue date (at 23:00 UTC it is tomorrow in Beijing).
    with app.app_context():
        local = days.today()
    assert seen["revoked"]["revoked_on"] == local.isoformat()
    assert "作弊" not in json.dumps(seen, ensure_ascii=False), "the reason is not public"
    typed = serials["valid"].lower().replace("-", "")
    assert anonymous.get(f"/certificates/{typed}/verify").json["status"] == "valid"

    unknown = new_serial()
    mistyped = serials["valid"][:-1] + ("0" if serials["valid"][-1] != "0" else "1")
    for serial, problem in ((unknown, "not_found"), (mistyped, "mistyped"), ("X-9", "malformed")):
        reply = anonymous.get(f"/certificates/{serial}/verify").json
        assert (reply["status"], reply["problem"], reply["name"]) == ("unknown", problem, None)


# --- no answer leaks, over every real course ----------------------------------------------------

FORBIDDEN_KEYS = {
    "correct",
    "grade",
    "accepted",
    "feedback",
    "option_feedback",
    "correct_answer",
    "right",
    "given",
    "score",
    "section",
    "source",
    "distractors",
    "pairs",
}


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_no_right_answer_leaves_the_server_before_grading_in_any_real_course(real_content_app):
    """Start an attempt of every real course over the API and scan what comes back; then pass."""
    app = real_content_app
    with app.app_context():
        staff = Staff(employee_no="LEAK-1", name="新员工")
        staff.set_roles({"learner"})
        session.add(staff)
        session.commit()
        session.refresh(staff)
        session.expunge(staff)
        slugs = list(session.scalars(sa.select(Course.slug).order_by(Course.position)))
    api = Api(app, mint(app.test_cli_runner(), "LEAK-1"))
    assert len(slugs) >= 6
    for slug in slugs:
        # Every real course asks for its lessons first (the default completion rule).
        refused = api.post(f"/courses/{slug}/attempts")
        assert (refused.status, refused.json["error"]) == (409, "completion_required"), slug
        read_lessons(app, staff, slug)
        started = api.post(f"/courses/{slug}/attempts")
        assert started.status == 201, started.json
        attempt_id = started.json["id"]
        before = [started.json, api.get(f"/attempts/{attempt_id}").json]
        before.append(api.get(f"/courses/{slug}").json)
        answered = answers_in_shown_positions(started.json, app, right=True)
        for position, answer in answered.items():
            put = api.put(f"/attempts/{attempt_id}/answers/{position}", json={"answer": answer})
            before.append(put.json)
        before.append(api.get(f"/attempts/{attempt_id}/result").json)  # 409 not_graded
        with app.app_context():
            stored = session.get(Attempt, attempt_id)
            datas = {r.position: r.question_version.data for r in stored.responses}
        questions = [*before[0]["questions"], *before[1]["questions"], *before[3:-1]]
        leaked = _keys(questions) & FORBIDDEN_KEYS
        assert not leaked, (slug, leaked)
        assert before[1]["score"] is None and before[1]["passed"] is None
        assert before[-1]["error"] == "not_graded"
        for body in before:
            text = json.dumps(body, ensure_ascii=False)
            for position, data in datas.items():
                assert data["feedback"] not in text, (slug, position)
                for option in data.get("options", []):
                    if option.get("feedback"):
                        assert option["feedback"] not in text, (slug, position)
        for question in started.json["questions"]:
            data = datas[question["position"]]
            for name in ("options", "steps", "lefts", "rights"):
                if name in question:
                    assert [i["index"] for i in question[name]] == list(range(len(question[name])))
            if data["type"] == "short":
                # Look at the texts sent, not the JSON numbers: an accepted "6" is no leak in
                # "position": 6.
                texts = [t for t in _strings(question) if t != data["stem"]]
                for accepted in data["accepted"]:
                    assert not any(accepted in t for t in texts), (slug, accepted)
            if data["type"] == "ordering":
                shown = [i["text"] for i in question["steps"]]
                assert shown != data["steps"], "an ordering is never shown already in order"
        graded = api.post(f"/attempts/{attempt_id}/submit").json
        assert (graded["score"], graded["passed"]) == (100.0, True), slug
        result = api.get(f"/attempts/{attempt_id}/result").json
        assert all(item["score"] == 1.0 for item in result["items"])
    with app.app_context():
        app.extensions["lms"].db.engine.dispose()
