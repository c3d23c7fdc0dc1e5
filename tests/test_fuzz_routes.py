"""Fuzzing the whole URL map: no hostile query string, form field, path segment or JSON body may
make any route answer 5xx (or raise).

The walk logs in as someone holding every role (so every route is reachable), then sends each GET
and POST (and the API's PUT) route a fixed corpus of nasty values: huge and odd numbers, dates at
and past the calendar's ends, line breaks, control characters, other scripts, very long strings and
JSON nested deeper than any reader recurses. A fixed corpus keeps it repeatable and its size bounded
(one request per route, method and value, and once more with the value in the URL's own text
segments), so it runs in well under a minute. The names sent are every query parameter the code
reads and every field of every form the app defines, all at once.
"""

from __future__ import annotations

import random
import re
from datetime import date
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from werkzeug.routing import Rule
from wtforms import Form

from tests.conftest import PASSWORD, login
from tests.test_access_matrix import lms_rules

LMS = Path(__file__).resolve().parent.parent / "lms"
HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "1e20",
    "9" * 40,
    "-" + "9" * 40,
    "1" * 4301,  # past the 4300 digits int() reads
    "NaN",
    "1.5",
    "9999-12-31",
    "0000-00-00",
    "0001-01-01",
    "2026-02-30",
    "9999-12-31T23:59:59+14:00",
    "/%0d%0aSet-Cookie: x=1",
    "\r\nX-Injected: 1",
    "/\r\nX-Injected: 1",
    "\x00\x01\x7f",
    "../../../etc/passwd",
    "//evil.example/x",
    "<script>alert(1)</script>",
    "{{7*7}}%s%n",
    "' OR 1=1 --",
    "req-99999999999999999999",
    "-urgency",
    "日期\u202e\ufeff😀",
    "x" * 4000,  # past every length limit; with all fields together the body may pass the test
]  # client's 500 KB, past which it spools it to a temporary file, which _send closes
JSON_HOSTILE = [
    "[" * 5000 + "]" * 5000,
    '{"answer": ' + "[" * 5000 + "]" * 5000 + "}",
    '{"answer": ' + "9" * 4301 + "}",
    '{"answer": 1e400}',
    '{"answer": -1}',
    '{"answer": [0, 0, 0]}',
    '{"answer": {"0": "x", "-1": 1e20}}',
    '{"answer": "' + "x" * 4000 + '"}',
    '{"answer": null, "answer": true}',
    "null",
    '"\\ud800"',
    "{",
]
JSON_ROUTES = {"lms_api.save_answer", "lms_api.start_attempt", "lms_api.submit_attempt"}
# Routes whose last request may end the walk's session: walked after everything else.
LAST = ("lms_auth.logout",)


def _query_names() -> set[str]:
    """Every query or form key the code reads by name (``args.get("x")``, ``form.get("x")``)."""
    names = {"since", "until", "page", "per_page", "next"}
    pattern = re.compile(r"""(?:args|form)(?:\.get|\.getlist)?[(\[]\s*["']([\w-]+)["']""")
    for path in LMS.rglob("*.py"):
        names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def _form_names(app: Flask) -> tuple[set[str], set[str]]:
    """(field names, file field names) of every form class the app defines, nested ones too."""
    from flask_wtf.file import FileField

    classes: list[type] = []
    pending = [Form]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("lms."):
                classes.append(sub)
    names: set[str] = set()
    files: set[str] = set()
    with app.test_request_context():
        for cls in classes:
            try:
                form = cls(meta={"csrf": False}) if _is_flask_form(cls) else cls()
            except Exception:  # a form that needs arguments: its class attributes will do
                continue
            for field in _walk(form):
                (files if isinstance(field, FileField) else names).add(field.name)
    return names, files


def _is_flask_form(cls: type) -> bool:
    from flask_wtf import FlaskForm

    return issubclass(cls, FlaskForm)


def _walk(form):
    for field in form:
        entries = getattr(field, "entries", None)
        inner = getattr(field, "form", None)
        if entries is not None:
            for entry in entries:
                yield from _walk(entry.form) if hasattr(entry, "form") else [entry]
        elif inner is not None and isinstance(inner, Form):
            yield from _walk(inner)
        else:
            yield field


# The quiz page's own field names (q<N>, q<N>-step-<i>, q<N>-left-<i>), bad ones included.
QUIZ_FIELDS = [
    f"q{n}{suffix}"
    for n in range(1, 5)
    for suffix in ("", "-present", "-step-0", "-step-abc", "-left-x")
] + ["q1-step-" + "9" * 4301]


def _world(app: Flask, make_staff, content_dir: Path):
    """Someone with every role, their open attempt (all four question types of the fixture bank),
    and another person with a record of each kind."""
    from lms.certificates.models import Certificate, CertificateBatch
    from lms.certificates.serials import new_serial
    from lms.content.sync import sync_content
    from lms.courses.catalog import course_or_404
    from lms.db import session
    from lms.plan.requirements import create_requirement
    from lms.quizzes.attempts import start_or_resume

    course = content_dir / "courses/basics/course.yaml"
    course.write_text(
        course.read_text().replace("questions_per_attempt: 3", "questions_per_attempt: 4")
    )
    with app.app_context():
        sync_content(content_dir)
    me = make_staff(("learner", "trainer", "hr", "admin"), employee_no="FUZZ-ADMIN")
    other = make_staff(("learner",), employee_no="OTHER-1", hire_date=date(2026, 1, 5))
    with app.test_request_context():
        basics = course_or_404("basics")
        attempt_id = start_or_resume(me, basics).id
        values = {"course_id": basics.id, "due_days_after_hire": 30, "needs_signoff": True}
        requirement_id = create_requirement(values | {"checklist": ["八齿微笑"]}, None).id
        cert = Certificate(
            serial=new_serial(),
            staff_id=other.id,
            course_id=basics.id,
            issued_on=date(2026, 2, 1),
            snapshot={"name": "他人", "course_title": "服务基础"},
            pdf=b"%PDF-1.7 stub",
            sha256="0" * 64,
        )
        batch = CertificateBatch(format="pdf", status="done", total=1, done=1, result=b"%PDF")
        session.add_all([cert, batch])
        session.commit()
        url_values = {
            "slug": "basics",
            "lesson_slug": "greeting",
            "filename": "lms.css",
            "employee_no": other.employee_no,
            "attempt_id": attempt_id,
            "requirement_id": requirement_id,
            "fmt": "csv",
            "position": 1,
            "key": "bas-001",
            "qtype": "single",
            "serial": cert.serial,
            "cert_id": cert.id,
            "batch_id": batch.id,
        }
    return me, url_values


def _path(app: Flask, rule: Rule, values: dict, hostile: str | None) -> str:
    """The rule's URL; with ``hostile``, its free-text segments carry that value instead."""
    path = app.url_map.bind("localhost").build(
        rule.endpoint, {a: values[a] for a in rule.arguments}
    )
    if hostile is None:
        return path
    for argument in rule.arguments:
        converter = type(rule._converters[argument]).__name__
        if converter in ("UnicodeConverter", "PathConverter"):
            original = quote(str(values[argument]), safe="")
            path = path.replace(f"/{original}", "/" + quote(hostile, safe=""), 1)
    return path


@pytest.fixture
def stub_pdf(monkeypatch):
    """Certificates render as a stub: the walk is about input handling, not typesetting."""
    from lms.certificates import issue

    monkeypatch.setattr(issue, "render_pdf", lambda template, html: b"%PDF-1.7 fuzz")


SHARDS = 4  # the walk in four parts, so that pytest-xdist can spread it over the cores


@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_route_answers_hostile_input_with_a_server_error(
    app, make_staff, content_dir, stub_pdf, shard
):
    me, values = _world(app, make_staff, content_dir)
    client = app.test_client()
    login(client, me)
    params = sorted(_query_names())
    fields, files = _form_names(app)
    fields = sorted(fields | set(QUIZ_FIELDS))
    # Every shard keeps the routes that end the session (LAST) at its end.
    rules = sorted(lms_rules(app), key=lambda r: r.endpoint in LAST)[shard::SHARDS]
    rng = random.Random(17)  # which value goes into the URL's text segments: varied, repeatable
    failures: list[str] = []
    requests = 0
    # Where to go after logging in is only followed once the password is right (and before the
    # walk's failed logins from this address start the lockout).
    for value in HOSTILE if shard == 0 else ():
        requests += 1
        credentials = {"employee_no": me.employee_no, "password": PASSWORD}
        kwargs = {"query_string": {"next": value}, "data": credentials}
        failures += _send(client, "POST", "/lms/login", kwargs, repr(value)[:60])
    for rule in rules:
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for method in methods:
            for index, value in enumerate(HOSTILE):
                in_paths = [None]
                if rule.arguments and index % 3 == 0:
                    in_paths.append(rng.choice(HOSTILE))
                for in_path in in_paths:
                    try:
                        path = _path(app, rule, values, in_path)
                    except Exception:  # a value the URL converter itself refuses: no request
                        continue
                    query = {name: value for name in params}
                    kwargs: dict = {"query_string": query}
                    if method != "GET":
                        data: dict = {name: value for name in fields}
                        for name in files:
                            data[name] = (BytesIO(value.encode("utf-8", "replace")), "upload.csv")
                        kwargs.update(data=data, content_type="multipart/form-data")
                    requests += 1
                    failures += _send(client, method, path, kwargs, repr(value)[:60])
            if rule.endpoint in JSON_ROUTES:
                for body in JSON_HOSTILE:
                    path = _path(app, rule, values, None)
                    kwargs = {"data": body, "content_type": "application/json"}
                    requests += 1
                    failures += _send(client, method, path, kwargs, repr(body)[:60])
    assert requests > 2000 / SHARDS  # the walk really ran: every route, every value
    assert failures == [], "\n".join(failures)


def _send(client, method: str, path: str, kwargs: dict, what: str) -> list[str]:
    try:
        response = client.open(path, method=method, **kwargs)
    except Exception as exc:  # the testing app re-raises what would be a 500
        return [f"{method} {path[:80]} {what}: {type(exc).__name__}: {str(exc)[:120]}"]
    response.close()
    body = response.request.environ.get("wsgi.input")
    if body is not None:  # the test client never closes a body it spooled to a temporary file
        body.close()
    if response.status_code >= 500:
        return [f"{method} {path[:80]} {what}: {response.status_code}"]
    return []
