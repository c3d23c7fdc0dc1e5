"""Many learners at once against the app under gunicorn: nothing lost, nothing graded twice, no 5xx.

Runs against SQLite (WAL) and, in the PostgreSQL run of the suite, against PostgreSQL.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from lms import create_app
from lms.auth.models import Staff
from lms.certificates.models import Certificate
from lms.content.sync import sync_content
from lms.db import session
from lms.quizzes import grading
from lms.quizzes.models import Attempt
from tests.conftest import FIXTURE_CONTENT, POOLED, PROJECT, database_url, reset_schema
from tests.live import gunicorn

LEARNERS = 120
PASSWORD = "load-test-pw"


@pytest.fixture
def server(tmp_path: Path):
    url = database_url(tmp_path)
    app = create_app(
        {
            "CONFIG_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "LMS_CONTENT_DIR": str(FIXTURE_CONTENT),
            **POOLED,
        }
    )
    reset_schema(app)
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    with app.app_context():
        sync_content(FIXTURE_CONTENT)
        for n in range(LEARNERS):
            staff = Staff(employee_no=f"L{n:04d}", name=f"学员{n}", password_hash=password_hash)
            staff.set_roles({"learner"})
            session.add(staff)
        session.commit()
    env = dict(
        os.environ,
        MINGLI_CONFIG="testing",
        MINGLI_SQLALCHEMY_DATABASE_URI=url,
        MINGLI_LMS_CONTENT_DIR=str(FIXTURE_CONTENT),
        MINGLI_LMS_CERT_TEMPLATES_DIR=str(PROJECT / "certificates"),
        # Pooled connections, as a deployment keeps them (the testing configuration has none).
        MINGLI_SQLALCHEMY_ENGINE_OPTIONS="{}",
    )
    try:
        with gunicorn(env, tmp_path / "gunicorn.log", workers=4, blank_certificates=True) as base:
            yield base, app
    finally:
        with app.app_context():
            app.extensions["lms"].db.engine.dispose()


class Learner:
    def __init__(self, base: str, employee_no: str) -> None:
        self.base = base
        self.employee_no = employee_no
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.statuses: list[int] = []

    def post(self, path: str, data: list[tuple[str, str]] | dict) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                result = response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as exc:
            result = exc.code, path, exc.read().decode()
        self.statuses.append(result[0])
        return result


def run_learner(base: str, employee_no: str, answers_for) -> Learner:
    learner = Learner(base, employee_no)
    learner.post("/lms/login", {"employee_no": employee_no, "password": PASSWORD})
    with ThreadPoolExecutor(2) as double_click:  # "start" clicked twice: still one attempt
        urls = [
            u
            for _, u, _ in double_click.map(
                lambda _: learner.post("/lms/courses/basics/quiz", {}), range(2)
            )
        ]
    ids = {int(re.search(r"/attempts/(\d+)", url).group(1)) for url in urls}
    assert len(ids) == 1, urls
    attempt_id = ids.pop()
    learner.attempt_id = attempt_id
    form = answers_for(attempt_id)
    for question_fields in form:  # saved one question at a time, as the page's autosave does
        learner.post(f"/lms/attempts/{attempt_id}/save", question_fields)
    with ThreadPoolExecutor(2) as double_click:
        list(
            double_click.map(
                lambda _: learner.post(f"/lms/attempts/{attempt_id}/submit", {}), range(2)
            )
        )
    return learner


def test_many_learners_at_once(server):
    base, app = server

    def answers_for(attempt_id: int) -> list[list[tuple[str, str]]]:
        with app.app_context():
            attempt = session.get(Attempt, attempt_id)
            fields = []
            for r in attempt.responses:
                data = r.question_version.data
                shown = grading.view_answer(data, r.presentation, grading.correct_answer(data))
                name = f"q{r.position}"
                if data["type"] == "ordering":
                    fields.append([(f"{name}-step-{s}", str(k)) for k, s in enumerate(shown, 1)])
                elif data["type"] == "truefalse":
                    fields.append([(name, "true" if shown else "false")])
                else:
                    fields.append([(name, str(shown))])
            return fields

    with ThreadPoolExecutor(40) as pool:
        learners = list(
            pool.map(lambda n: run_learner(base, f"L{n:04d}", answers_for), range(LEARNERS))
        )

    statuses = [s for learner in learners for s in learner.statuses]
    assert not [s for s in statuses if s >= 500], "no request may fail with a server error"
    with app.app_context():
        attempts = session.scalars(sa.select(Attempt)).all()
        assert len(attempts) == LEARNERS, "one attempt per learner, even under load"
        for attempt in attempts:
            assert attempt.status == "graded" and attempt.graded_at is not None
            assert all(r.answer is not None for r in attempt.responses), (
                "every saved answer is kept"
            )
            assert attempt.score == 100.0, "every answer was right, so every score is 100"
        certificates = session.scalars(sa.select(Certificate)).all()
        assert len(certificates) == LEARNERS, "each pass earns exactly one certificate"
        assert len({c.serial for c in certificates}) == LEARNERS, "no serial is issued twice"
        assert all(c.pdf and c.sha256 for c in certificates)
