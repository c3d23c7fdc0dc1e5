"""The real course content in courses/ and quizzes/ passes every check and loads."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.auth.models import Staff
from lms.content.check import check_content
from lms.courses.models import Course
from lms.db import session
from lms.quizzes.models import Attempt
from tests.conftest import PROJECT

# The seed documents exist only on the team's machines and in CI (``../shared/seeds``), never in the
# product. scripts/test names them in MINGLI_TEST_SEEDS; in CI their absence is a failure, not a skip.
SEEDS = Path(os.environ.get("MINGLI_TEST_SEEDS") or PROJECT.parent / "shared" / "seeds")


def seeds_or_skip() -> Path:
    if SEEDS.is_dir():
        return SEEDS
    if os.environ.get("CI"):
        pytest.fail(f"{SEEDS} is absent: CI must check every quote against the seeds")
    pytest.skip(f"{SEEDS} is absent: quotes cannot be checked against the seeds")


def test_check_content_fixture_catches_a_quote_that_is_not_in_the_seed(content_dir: Path):
    assert check_content(content_dir, PROJECT / "tests" / "seeds") == []
    bank = content_dir / "quizzes/basics.yaml"
    bank.write_text(bank.read_text().replace("quote: 先起身问候}", "quote: 先起身微笑问候}", 1))
    problems = [str(e) for e in check_content(content_dir, PROJECT / "tests" / "seeds")]
    assert problems == [
        "quizzes/basics.yaml:30: bas-003: quote not found in seed.txt: 先起身微笑问候"
    ]


SOURCES = """    sources:
      - {file: seed.txt, quote: 先起身问候}
      - {file: seed.txt, quote: 铃响三声之内接听}
"""


def test_a_question_may_rest_on_several_quotes_and_each_is_checked(content_dir: Path):
    bank = content_dir / "quizzes/basics.yaml"
    text = bank.read_text()
    # bas-003 gives two quotes instead of one; bas-004 keeps its source and adds a second.
    text = text.replace("    source: {file: seed.txt, quote: 先起身问候}\n", SOURCES, 1)
    text = text.replace(
        "    source: {file: seed.txt, quote: 先起身问候}\n",
        "    source: {file: seed.txt, quote: 先起身问候}\n"
        "    sources:\n      - {file: seed.txt, quote: 微笑是最好的语言}\n",
    )
    bank.write_text(text)
    assert check_content(content_dir, PROJECT / "tests" / "seeds") == []

    bank.write_text(
        text.replace("- {file: seed.txt, quote: 铃响三", "- {file: seed.txt, quote: 铃响五")
    )
    problems = [str(e) for e in check_content(content_dir, PROJECT / "tests" / "seeds")]
    assert problems == [
        "quizzes/basics.yaml:32: bas-003: quote not found in seed.txt: 铃响五声之内接听"
    ]

    bank.write_text(text.replace(SOURCES, "    sources: []\n"))
    problems = [str(e) for e in check_content(content_dir, None)]
    assert problems == ["quizzes/basics.yaml:30: bas-003: sources must be a list of {file, quote}"]


def test_a_question_needs_a_source_or_sources(content_dir: Path):
    bank = content_dir / "quizzes/basics.yaml"
    bank.write_text(
        bank.read_text().replace("    source: {file: seed.txt, quote: 先起身问候}\n", "", 1)
    )
    problems = [str(e) for e in check_content(content_dir, None)]
    assert problems == ["quizzes/basics.yaml:23: bas-003: source is required"]


def test_check_content_flags_web_debris(content_dir: Path):
    lesson = content_dir / "courses/basics/phone.md"
    lesson.write_text(lesson.read_text() + "\n更多资料请下载,见 www.example.com\n")
    problems = [str(e) for e in check_content(content_dir, None)]
    assert any("phone.md:17: a URL" in p for p in problems), problems
    assert any("phone.md:17: a web-page notice ('下载')" in p for p in problems), problems


def test_the_courses_pass_check_content():
    problems = check_content(PROJECT, seeds_or_skip(), typography=True)
    assert [str(p) for p in problems] == []


def test_every_shipped_bank_is_inside_the_linters_bars(real_content_app):
    """Issue 15: keyed option, true/false, scenario and blind-guess bars; no leaks, no clones."""
    result = real_content_app.test_cli_runner().invoke(args=["lms", "lint-bank"])
    assert result.exit_code == 0, result.output
    checked = real_content_app.test_cli_runner().invoke(args=["lms", "check-content"])
    assert checked.exit_code == 0 and "Content is valid." in checked.output, checked.output
    slugs = {p.name for p in (PROJECT / "courses").iterdir() if p.is_dir()}
    assert len(slugs) >= 8 and {"service-fundamentals", "service-centre"} <= slugs


def test_the_courses_pass_check_content_without_seeds():
    assert [str(p) for p in check_content(PROJECT, None)] == []


def test_every_course_can_be_taken_end_to_end(real_content_app):
    """Read every lesson of every real course, fail the quiz, then pass it, through the routes."""
    from tests.conftest import PASSWORD
    from tests.test_quiz_attempts import form_for, load, login

    app = real_content_app
    with app.app_context():
        staff = Staff(employee_no="NEW-1", name="新员工")
        staff.set_roles({"learner"})
        staff.set_password(PASSWORD)
        session.add(staff)
        session.commit()
        session.refresh(staff)
        slugs = list(session.scalars(sa.select(Course.slug).order_by(Course.position)))
        session.expunge(staff)
    client = app.test_client()
    login(client, staff)
    for slug in slugs:
        course_page = client.get(f"/lms/courses/{slug}/").get_data(as_text=True)
        for lesson_path in re.findall(rf'href="(/lms/courses/{slug}/[a-z0-9-]+)"', course_page):
            assert client.get(lesson_path).status_code == 200
            assert client.post(f"{lesson_path}/complete").status_code == 302
        for right in (False, True):
            response = client.post(f"/lms/courses/{slug}/quiz")
            attempt_id = int(re.search(r"/attempts/(\d+)", response.location).group(1))
            assert client.get(f"/lms/attempts/{attempt_id}").status_code == 200
            attempt = load(app, attempt_id)
            client.post(f"/lms/attempts/{attempt_id}/submit", data=form_for(attempt, right=right))
            graded = load(app, attempt_id)
            assert graded.passed is right, (slug, graded.score)
            _skip_cooldown(app, attempt_id)
            result = client.get(f"/lms/attempts/{attempt_id}/result")
            assert result.status_code == 200
    dashboard = client.get("/lms/").get_data(as_text=True)
    assert dashboard.count("<progress") >= len(slugs)


def _skip_cooldown(app, attempt_id: int) -> None:
    """Date a graded attempt back past its course's cooldown, so the next one may start now."""
    with app.app_context():
        attempt = session.get(Attempt, attempt_id)
        course = session.get(Course, attempt.course_id)
        attempt.graded_at -= timedelta(minutes=course.cooldown_minutes)
        session.commit()


def test_the_courses_load(real_content_app):
    app = real_content_app
    with app.app_context():
        courses = session.scalars(sa.select(Course).order_by(Course.position)).all()
        assert len(courses) >= 6
        for course in courses:
            assert course.lessons, course.slug


def test_check_content_command_prints_file_line_problem(runner, content_dir: Path):
    ok = runner.invoke(args=["lms", "check-content"])
    assert ok.exit_code == 0 and "Content is valid." in ok.output, ok.output
    lesson = content_dir / "courses/basics/greeting.md"
    lesson.write_text(
        lesson.read_text().replace("quote: 微笑是最好的语言", "quote: 微笑是最美的语言")
    )
    bad = runner.invoke(args=["lms", "check-content"])
    assert bad.exit_code == 1
    assert (
        "courses/basics/greeting.md:7: quote not found in seed.txt: 微笑是最美的语言" in bad.output
    )


def test_check_content_says_when_the_seeds_are_absent(runner, tmp_path: Path):
    result = runner.invoke(args=["lms", "check-content", "--seeds", str(tmp_path / "nowhere")])
    assert result.exit_code == 0, result.output
    assert "is absent: quotes are not checked against the seeds" in result.output
