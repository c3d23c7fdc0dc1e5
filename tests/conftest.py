"""Shared fixtures: apps built by the factory on a temporary database, and people to log in as."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms import create_app
from lms.auth.models import Staff
from lms.content.sync import sync_content
from lms.db import Base, session

TESTS = Path(__file__).resolve().parent
FIXTURE_CONTENT = TESTS / "content"
FIXTURE_SEEDS = TESTS / "seeds"
PROJECT = TESTS.parent
PASSWORD = "correct-horse-9"


def database_url(tmp_path: Path) -> str:
    """SQLite in the test's folder, or the server named by MINGLI_TEST_DATABASE_URL."""
    return os.environ.get("MINGLI_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite3'}"


def reset_schema(app: Flask) -> None:
    with app.app_context():
        engine = app.extensions["lms"].db.engine
        Base.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS lms_alembic_version"))
        Base.metadata.create_all(engine)


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A private copy of the fixture content, so tests may edit it."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


@pytest.fixture
def app(tmp_path: Path, content_dir: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "CONFIG_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
            "LMS_CONTENT_DIR": str(content_dir),
            "LMS_SEEDS_DIR": str(FIXTURE_SEEDS),
            "LMS_CERT_TEMPLATES_DIR": str(PROJECT / "certificates"),
            # The fixture course keeps some ASCII punctuation on purpose (the typography check's
            # own tests need it); the real courses are checked with the default, True.
            "LMS_CHECK_TYPOGRAPHY": False,
        }
    )
    reset_schema(app)
    with app.app_context():
        sync_content(content_dir)
    yield app
    with app.app_context():
        app.extensions["lms"].db.engine.dispose()


@pytest.fixture
def real_content_app(tmp_path: Path) -> Iterator[Flask]:
    """The app with the real courses and banks of this repository loaded."""
    app = create_app(
        {
            "CONFIG_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
            "LMS_CONTENT_DIR": str(PROJECT),
            "LMS_CERT_TEMPLATES_DIR": str(PROJECT / "certificates"),
        }
    )
    reset_schema(app)
    with app.app_context():
        sync_content(PROJECT)
    yield app
    with app.app_context():
        app.extensions["lms"].db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def make_staff(app: Flask) -> Callable[..., Staff]:
    counter = iter(range(1, 10_000))

    def make(roles: tuple[str, ...] = ("learner",), **fields) -> Staff:
        n = next(counter)
        with app.app_context():
            staff = Staff(
                employee_no=fields.pop("employee_no", f"E{n:04d}"),
                name=fields.pop("name", f"员工{n}"),
                **fields,
            )
            staff.set_roles(set(roles))
            staff.set_password(PASSWORD)
            session.add(staff)
            session.commit()
            session.refresh(staff)
            session.expunge(staff)
            return staff

    return make


def login(client: FlaskClient, staff: Staff) -> None:
    response = client.post(
        "/lms/login", data={"employee_no": staff.employee_no, "password": PASSWORD}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def read_lessons(app: Flask, staff: Staff, slug: str = "basics") -> None:
    """Mark every lesson of a course completed for ``staff``, as a learner who read them would."""
    from lms.courses.catalog import course_or_404, mark_complete

    with app.test_request_context():
        person = session.get(Staff, staff.id)
        for lesson in course_or_404(slug).active_lessons:
            mark_complete(person, lesson)


def set_completion(app: Flask, content_dir: Path, rule: str, slug: str = "basics") -> None:
    """Give a fixture course the ``completion:`` block ``rule`` (YAML, indented) and sync it.

    ``rule=""`` removes the block: the default, every lesson, applies.
    """
    path = content_dir / "courses" / slug / "course.yaml"
    text = path.read_text(encoding="utf-8").split("\ncompletion:")[0].rstrip("\n") + "\n"
    if rule:
        text += "completion:\n" + rule
    path.write_text(text, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir)
