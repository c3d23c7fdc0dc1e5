"""Completion rules: the quiz starts only once the course's rule holds, on every path; the
certificate says what was done and its snapshot records the rule; the plan counts the same steps."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from lms.auth.models import Staff
from lms.certificates.models import Certificate
from lms.content.library import load_library
from lms.courses.catalog import course_or_404, mark_complete, record_view
from lms.courses.completion import LessonRecord, evaluate, rule_problems
from lms.courses.models import Course, LessonProgress
from lms.db import session
from lms.quizzes import grading
from lms.quizzes.attempts import CompletionRequired, start_or_resume, submit
from lms.quizzes.models import Attempt
from tests.conftest import FIXTURE_CONTENT, PROJECT, login, read_lessons, set_completion
from tests.test_api import Api, mint

T0 = datetime(2026, 12, 1, 9, 0)


def records(*states: tuple[str, int | None]) -> list[LessonRecord]:
    """``(slug, seconds between opening and completing, or None: not completed)``."""
    return [
        LessonRecord(slug, T0, None if secs is None else T0 + timedelta(seconds=secs))
        for slug, secs in states
    ]


# --- the pure rule --------------------------------------------------------------------------------


def test_the_default_rule_asks_for_every_lesson():
    state = evaluate(None, records(("a", 5), ("b", None), ("c", None)))
    assert (state.required, state.done, state.total, state.holds) == (3, 1, 3, False)
    assert state.missing == ("b", "c") and state.still_needed == 2
    assert evaluate({"lessons": "all"}, records(("a", 5), ("b", 0))).holds


def test_a_count_a_list_and_min_seconds():
    lessons = records(("a", 100), ("b", 10), ("c", None))
    assert evaluate({"lessons": 2}, lessons).holds
    assert not evaluate({"lessons": 2, "min_seconds": 60}, lessons).holds  # b was a click-through
    assert evaluate({"lessons": ["a"], "min_seconds": 60}, lessons).holds
    state = evaluate({"lessons": ["c", "a"]}, lessons)
    assert (state.required, state.done, state.missing) == (2, 1, ("c",))
    assert evaluate({"lessons": 0}, records(("a", None))).holds
    # A listed lesson that was since retired is no longer asked for.
    assert evaluate({"lessons": ["a", "gone"]}, lessons).required == 1


def test_rule_problems_name_the_key():
    slugs = ["a", "b"]
    assert rule_problems({"lessons": "all", "min_seconds": 30}, slugs) == []
    assert rule_problems({"lessons": 3}, slugs) == [
        ("lessons", "lessons must be a whole number 0–2 (lessons listed)")
    ]
    assert rule_problems({"lessons": ["a", "x", "a"]}, slugs) == [
        ("lessons", "'x' is not a lesson of this course"),
        ("lessons", "lesson a listed twice"),
    ]
    assert [k for k, _ in rule_problems({"lessons": True, "min_seconds": -1, "o": 1}, slugs)] == [
        "o",
        "lessons",
        "min_seconds",
    ]
    assert rule_problems("all", slugs) == [
        (None, "completion must be a mapping (lessons: all, min_seconds: …)")
    ]


# --- course.yaml ----------------------------------------------------------------------------------


def _library_errors(tmp_path, rule: str) -> list[str]:
    root = tmp_path / "c"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(FIXTURE_CONTENT, root)
    path = root / "courses" / "basics" / "course.yaml"
    text = path.read_text(encoding="utf-8").split("\ncompletion:")[0].rstrip("\n") + "\n"
    path.write_text(text + "completion:\n" + rule, encoding="utf-8")
    return [str(e) for e in load_library(root).errors]


def test_course_yaml_errors_name_file_and_line(tmp_path):
    errors = _library_errors(tmp_path, "  lessons: [greeting, nope]\n  min_seconds: x\n")
    assert any(
        "courses/basics/course.yaml:" in e and "'nope' is not a lesson of this course" in e
        for e in errors
    ), errors
    assert any("min_seconds must be a whole number" in e for e in errors), errors
    lines = {int(m.group(1)) for e in errors for m in [re.search(r"course\.yaml:(\d+)", e)] if m}
    assert len(lines) == 2, errors  # each problem on its own key's line
    assert _library_errors(tmp_path, "  lessons: all\n  min_seconds: 30\n") == []
    assert any(
        "unknown completion key 'pages'" in e for e in _library_errors(tmp_path, "  pages: 1\n")
    )


def test_sync_stores_the_rule_and_bumps_its_version_only_on_change(app, content_dir):
    with app.app_context():
        course = session.scalar(sa.select(Course).where(Course.slug == "basics"))
        assert (course.completion, course.completion_version) == (
            {"lessons": 0, "min_seconds": 0},
            1,
        )
    set_completion(app, content_dir, "")
    set_completion(app, content_dir, "")
    with app.app_context():
        course = session.scalar(sa.select(Course).where(Course.slug == "basics"))
        assert course.completion == {"lessons": "all", "min_seconds": 0}
        assert course.completion_version == 2


# --- every path that starts a quiz ----------------------------------------------------------------


@pytest.fixture
def strict(app, content_dir):
    """The fixture course with the default rule: every lesson before the quiz."""
    set_completion(app, content_dir, "")
    return app


def test_the_quiz_engine_refuses_until_the_rule_holds(strict, make_staff):
    staff = make_staff()
    with strict.test_request_context():
        person = session.get(Staff, staff.id)
        course = course_or_404("basics")
        with pytest.raises(CompletionRequired) as refused:
            start_or_resume(person, course)
        assert refused.value.completion.missing == ("greeting", "phone")
        assert str(refused.value) == "还需学完 2 课，才能开始测验。"
        assert session.scalar(sa.select(sa.func.count(Attempt.id))) == 0
    read_lessons(strict, staff)
    with strict.test_request_context():
        assert start_or_resume(session.get(Staff, staff.id), course_or_404("basics")).id


def test_the_pages_hide_the_start_button_and_refuse_a_forged_start(strict, client, make_staff):
    staff = make_staff()
    login(client, staff)
    page = client.get("/lms/courses/basics/").get_data(as_text=True)
    assert "还需学完 2 课，才能开始测验。" in page
    assert 'action="/lms/courses/basics/quiz"' not in page, "no form to start with"
    assert 'disabled aria-describedby="quiz-locked">开始测验</button>' in page, "disabled, with why"
    refused = client.post("/lms/courses/basics/quiz", follow_redirects=True)
    assert "还需学完 2 课，才能开始测验。" in refused.get_data(as_text=True)
    with strict.app_context():
        assert session.scalar(sa.select(sa.func.count(Attempt.id))) == 0

    client.post("/lms/courses/basics/greeting/complete")
    page = client.get("/lms/courses/basics/").get_data(as_text=True)
    assert "还需学完 1 课，才能开始测验。" in page
    client.post("/lms/courses/basics/phone/complete")
    page = client.get("/lms/courses/basics/").get_data(as_text=True)
    assert "还需学完" not in page and "开始测验</button>" in page and " disabled " not in page
    started = client.post("/lms/courses/basics/quiz")
    assert re.search(r"/attempts/\d+$", started.location)


def test_the_api_answers_409_completion_required_then_starts(strict, runner, make_staff):
    staff = make_staff()
    api = Api(strict, mint(runner, staff.employee_no))
    refused = api.post("/courses/basics/attempts")  # checked against the OpenAPI document
    assert (refused.status, refused.json["error"]) == (409, "completion_required")
    assert refused.json["message"] == "还需学完 2 课，才能开始测验。"
    assert refused.json["details"] == {
        "ready": False,
        "lessons_required": 2,
        "lessons_done": 0,
        "missing": ["greeting", "phone"],
    }
    assert api.get("/courses/basics").json["completion"]["ready"] is False
    api.post("/courses/basics/lessons/greeting/complete")
    assert api.post("/courses/basics/attempts").json["details"]["missing"] == ["phone"]
    api.post("/courses/basics/lessons/phone/complete")
    assert api.get("/courses/basics").json["completion"] == {
        "ready": True,
        "lessons_required": 2,
        "lessons_done": 2,
        "missing": [],
    }
    assert api.post("/courses/basics/attempts").status == 201


def test_min_seconds_does_not_count_a_click_through(app, content_dir, make_staff):
    set_completion(app, content_dir, "  lessons: 1\n  min_seconds: 60\n")
    staff = make_staff()
    with app.test_request_context():
        person = session.get(Staff, staff.id)
        lesson = course_or_404("basics").active_lessons[0]
        record_view(person, lesson)
        mark_complete(person, lesson)
        with pytest.raises(CompletionRequired):
            start_or_resume(person, course_or_404("basics"))
        row = session.scalar(sa.select(LessonProgress).where(LessonProgress.staff_id == person.id))
        row.first_viewed_at -= timedelta(minutes=2)
        session.commit()
        assert start_or_resume(person, course_or_404("basics")).id


def test_an_open_attempt_resumes_even_if_the_rule_changed_since(app, content_dir, make_staff):
    staff = make_staff()
    with app.test_request_context():
        first = start_or_resume(session.get(Staff, staff.id), course_or_404("basics")).id
    set_completion(app, content_dir, "")
    with app.test_request_context():
        assert start_or_resume(session.get(Staff, staff.id), course_or_404("basics")).id == first


# --- the certificate ------------------------------------------------------------------------------


@pytest.fixture
def certs(strict):
    strict.config.update(
        LMS_CERT_TEMPLATES_DIR=str(PROJECT / "certificates"),
        LMS_CERT_BASE_URL="https://lms.example.cn",
    )
    return strict


def _pass(app, staff) -> Certificate:
    with app.test_request_context():
        person = session.get(Staff, staff.id)
        attempt = start_or_resume(person, course_or_404("basics"))
        for response in attempt.responses:
            response.answer = grading.correct_answer(response.question_version.data)
        session.commit()
        assert submit(attempt).passed
        cert = session.scalar(sa.select(Certificate).where(Certificate.staff_id == person.id))
        _ = cert.html
        session.expunge(cert)
        return cert


def test_the_certificate_says_what_was_completed_and_records_the_rule(certs, make_staff):
    staff = make_staff()
    read_lessons(certs, staff)
    cert = _pass(certs, staff)
    text = re.sub(r"<[^>]+>", "", cert.html)
    assert "已完成《服务基础》全部 2 课的学习，并通过结业考核，成绩合格，特发此证。" in text
    completion = cert.snapshot["completion"]
    assert completion["rule"] == {"lessons": "all", "min_seconds": 0}
    assert completion["rule_version"] == 2
    assert (
        completion
        | {
            "lessons_total": 2,
            "lessons_required": 2,
            "lessons_completed": 2,
            "lessons": ["greeting", "phone"],
            "quiz_passed": True,
            "signoff_required": False,
            "signoff_on": None,
        }
        == completion
    )


def test_a_partial_rule_is_worded_as_partial(certs, content_dir, make_staff):
    set_completion(certs, content_dir, "  lessons: 1\n")
    staff = make_staff()
    with certs.test_request_context():
        person = session.get(Staff, staff.id)
        mark_complete(person, course_or_404("basics").active_lessons[1])
    cert = _pass(certs, staff)
    text = re.sub(r"<[^>]+>", "", cert.html)
    assert "已完成《服务基础》2 课中 1 课的学习，并通过结业考核，成绩合格，特发此证。" in text
    assert "全部" not in text
    assert cert.snapshot["completion"]["lessons"] == ["phone"]
    assert cert.snapshot["completion"]["rule"] == {"lessons": 1, "min_seconds": 0}


def test_a_practical_signoff_the_plan_asks_for_is_stated_once_done(certs, make_staff):
    from lms.plan.models import Requirement, Signoff

    staff = make_staff()
    read_lessons(certs, staff)
    with certs.app_context():
        course = session.scalar(sa.select(Course).where(Course.slug == "basics"))
        req = Requirement(
            course_id=course.id, needs_signoff=True, checklist=["微笑"], due_date=date(2030, 1, 1)
        )
        session.add(req)
        session.flush()
        session.add(
            Signoff(
                staff_id=staff.id,
                requirement_id=req.id,
                observed_on=date(2026, 11, 1),
                items={"微笑": True},
                passed=True,
            )
        )
        session.commit()
    cert = _pass(certs, staff)
    text = re.sub(r"<[^>]+>", "", cert.html)
    assert "并通过结业考核及培训师现场实操考核，成绩合格" in text
    snap = cert.snapshot["completion"]
    assert (snap["signoff_required"], snap["signoff_on"]) == (True, "2026-11-01")


def test_existing_certificates_keep_their_frozen_text_and_facts(certs, content_dir, make_staff):
    from lms.certificates.issue import reissue

    staff, hr = make_staff(), make_staff(("hr",))
    read_lessons(certs, staff)
    cert = _pass(certs, staff)
    set_completion(certs, content_dir, "  lessons: 1\n")  # the rule changes after the pass
    with certs.test_request_context():
        stored = session.get(Certificate, cert.id)
        assert stored.html == cert.html, "an issued certificate is never re-rendered"
        new = reissue(stored, session.get(Staff, hr.id), "姓名更正")
        # A reissue prints the same qualification: what was required and done at the pass.
        assert new.snapshot["completion"] == cert.snapshot["completion"]
        assert "全部 2 课的学习" in re.sub(r"<[^>]+>", "", new.html)
