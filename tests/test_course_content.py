"""The real course content in courses/ and quizzes/ passes every check and loads."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from lms import create_app
from lms.content.check import check_content
from lms.content.sync import sync_content
from lms.courses.models import Course
from lms.db import session
from tests.conftest import PROJECT, database_url, reset_schema

SEEDS = PROJECT.parent / "shared" / "seeds"


def test_check_content_fixture_catches_a_quote_that_is_not_in_the_seed(content_dir: Path):
    assert check_content(content_dir, PROJECT / "tests" / "seeds") == []
    bank = content_dir / "quizzes/basics.yaml"
    bank.write_text(bank.read_text().replace("quote: 先起身问候}", "quote: 先起身微笑问候}", 1))
    problems = [str(e) for e in check_content(content_dir, PROJECT / "tests" / "seeds")]
    assert problems == [
        "quizzes/basics.yaml:30: bas-003: quote not found in seed.txt: 先起身微笑问候"
    ]


def test_check_content_flags_web_debris(content_dir: Path):
    lesson = content_dir / "courses/basics/phone.md"
    lesson.write_text(lesson.read_text() + "\n更多资料请下载,见 www.example.com\n")
    problems = [str(e) for e in check_content(content_dir, None)]
    assert any("phone.md:17: a URL" in p for p in problems), problems
    assert any("phone.md:17: a web-page notice ('下载')" in p for p in problems), problems


def test_the_courses_pass_check_content():
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is absent: quotes cannot be checked against the seeds")
    problems = check_content(PROJECT, SEEDS)
    assert [str(p) for p in problems] == []


def test_the_courses_pass_check_content_without_seeds():
    assert [str(p) for p in check_content(PROJECT, None)] == []


def test_the_courses_load(tmp_path: Path):
    app = create_app(
        {
            "CONFIG_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
            "LMS_CONTENT_DIR": str(PROJECT),
        }
    )
    reset_schema(app)
    with app.app_context():
        sync_content(PROJECT)
        courses = session.scalars(sa.select(Course).order_by(Course.position)).all()
        assert len(courses) >= 6
        for course in courses:
            assert course.lessons, course.slug
