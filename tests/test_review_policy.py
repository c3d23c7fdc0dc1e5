"""Issue 17 item 2: answers cannot be harvested from failed attempts; retakes draw other questions;
trainers see learners whose attempts look like harvesting."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from lms.courses.content_files import load_course
from lms.courses.models import Course
from lms.db import session
from lms.formats.errors import ContentError
from lms.quizzes import attempts
from lms.quizzes.harvesting import AttemptFacts, suspects
from lms.quizzes.review import shows_answers
from tests.conftest import login


def test_the_policy_rule():
    assert [shows_answers("pass", p) for p in (False, True, None)] == [False, True, False]
    assert shows_answers("always", False) and not shows_answers("never", True)


def test_blank_attempts_harvest_no_keyed_answer(app, client, make_staff):
    """Twelve blank API attempts used to collect every answer of a bank; now they collect none."""
    login(client, make_staff())
    for _ in range(12):
        started = client.post("/lms/api/v1/courses/basics/attempts").json
        client.post(f"/lms/api/v1/attempts/{started['id']}/submit")
        result = client.get(f"/lms/api/v1/attempts/{started['id']}/result").json
        assert result["attempt"]["passed"] is False
        for item in result["items"]:
            assert item["correct_answer"] is None and item["right"] is None
            assert item["section"]["lesson"] and item["feedback"]  # what to review, still shown
    page = client.get(f"/lms/attempts/{started['id']}/result").get_data(as_text=True)
    assert (
        "正确答案：" not in page and "复习相关课节" in page and "正确答案在通过测验后显示" in page
    )


def test_keyed_answers_after_a_pass_or_always_when_configured(app, client, make_staff):
    from lms.quizzes import grading

    login(client, make_staff())
    started = client.post("/lms/api/v1/courses/basics/attempts").json
    with app.app_context():
        attempt = session.get(attempts.Attempt, started["id"])
        for response in attempt.responses:
            response.answer = grading.correct_answer(response.question_version.data)
        session.commit()
    client.post(f"/lms/api/v1/attempts/{started['id']}/submit")
    result = client.get(f"/lms/api/v1/attempts/{started['id']}/result").json
    assert result["attempt"]["passed"] is True
    assert all(item["right"] is not None for item in result["items"])
    with app.app_context():
        course = session.scalar(sa.select(Course).where(Course.slug == "basics"))
        course.review_answers = "always"
        session.commit()
    other = app.test_client()
    login(other, make_staff())
    started = other.post("/lms/api/v1/courses/basics/attempts").json
    other.post(f"/lms/api/v1/attempts/{started['id']}/submit")
    result = other.get(f"/lms/api/v1/attempts/{started['id']}/result").json
    assert result["attempt"]["passed"] is False
    assert all(item["right"] is not None for item in result["items"])


def test_a_retake_draws_the_questions_not_seen_yet(app, make_staff):
    from lms.auth.models import Staff

    staff = make_staff()
    with app.test_request_context():
        person = session.get(Staff, staff.id)
        course = session.scalar(sa.select(Course).where(Course.slug == "basics"))
        first = attempts.start_or_resume(person, course, seed=1)
        first_ids = {r.question_version.question_id for r in first.responses}
        attempts.submit(first)
        second = attempts.start_or_resume(person, course, seed=1)  # same seed: only history differs
        second_ids = {r.question_version.question_id for r in second.responses}
        total = len(attempts.active_questions(course))
        # Four questions, three per attempt: the one not seen is in the retake.
        assert total == 4 and len(first_ids) == 3
        assert second_ids - first_ids


def test_draw_prefers_unseen_questions_in_every_lesson():
    class Q:
        def __init__(self, qid: int, lesson: str) -> None:
            self.id, self.lesson_slug, self.key, self.versions = qid, lesson, f"q{qid}", []

    class C:
        questions_per_attempt = 4
        active_lessons = []

    pool = [Q(i, "a" if i < 6 else "b") for i in range(12)]
    seen = {0, 1, 2, 6, 7, 8}
    picked = attempts.draw(C(), pool, random.Random(5), seen)
    assert not {q.id for q in picked} & seen


def test_harvesting_is_flagged_for_the_trainer(app, make_staff):
    start = datetime(2026, 12, 1, 9, 0)
    facts = [
        AttemptFacts(1, start, False, 0, 20),
        AttemptFacts(1, start + timedelta(minutes=5), False, 1, 20),
        AttemptFacts(1, start + timedelta(minutes=9), True, 20, 20),
        AttemptFacts(2, start, False, 18, 20),
        AttemptFacts(2, start + timedelta(days=3), True, 20, 20),
        AttemptFacts(3, start, False, 15, 20),
        AttemptFacts(3, start + timedelta(hours=1), False, 16, 20),
        AttemptFacts(3, start + timedelta(hours=2), False, 17, 20),
        AttemptFacts(3, start + timedelta(hours=3), True, 20, 20),
    ]
    found = {s.staff_id: s.reason for s in suspects(facts)}
    assert found == {1: "blank", 3: "quick_pass"}

    learner = make_staff(name="收集者")
    client = app.test_client()
    login(client, learner)
    for _ in range(2):
        started = client.post("/lms/api/v1/courses/basics/attempts").json
        client.post(f"/lms/api/v1/attempts/{started['id']}/submit")
    trainer = app.test_client()
    login(trainer, make_staff(("trainer",)))
    page = trainer.get("/lms/trainer/courses/basics/statistics").get_data(as_text=True)
    assert "作答方式可疑的学员" in page and "收集者" in page


def test_course_yaml_review_answers_is_checked(tmp_path):
    folder = tmp_path / "courses" / "c"
    folder.mkdir(parents=True)
    (folder / "course.yaml").write_text(
        "title: 课\nlessons: [a]\nquiz:\n  review_answers: sometimes\n", encoding="utf-8"
    )
    (folder / "a.md").write_text("---\ntitle: 甲\n---\n\n## 一 {#one}\n\n正文\n", encoding="utf-8")
    _course, errors = load_course(folder, tmp_path)
    assert any("review_answers must be one of pass, always, never" in e.message for e in errors)
    assert all(isinstance(e, ContentError) for e in errors)


def test_questions_that_answer_each_other_never_share_an_attempt():
    """Issue 15: ``excludes`` in the bank keeps a pair apart in every draw."""

    class V:
        def __init__(self, data: dict) -> None:
            self.data = data

    class Q:
        def __init__(self, qid: int, excludes: tuple[str, ...] = ()) -> None:
            self.id, self.key, self.lesson_slug = qid, f"q{qid}", "a"
            self.versions = [V({"excludes": list(excludes)} if excludes else {})]

    class C:
        questions_per_attempt = 3
        active_lessons = []

    pool = [Q(1, ("q2",)), Q(2), Q(3), Q(4, ("q1",))]
    for seed in range(200):
        keys = {q.key for q in attempts.draw(C(), pool, random.Random(seed))}
        assert not {"q1", "q2"} <= keys and not {"q1", "q4"} <= keys
        assert len(keys) == 3 or keys == {"q1", "q3"}  # with q1, only q3 may join it


def test_a_bank_excludes_only_its_own_questions(content_dir):
    from lms.content.library import load_library

    bank = content_dir / "quizzes/basics.yaml"
    text = bank.read_text(encoding="utf-8")
    text = text.replace("  - id: bas-002\n", "  - id: bas-002\n    excludes: [bas-001]\n", 1)
    text = text.replace("  - id: bas-003\n", "  - id: bas-003\n    excludes: [bas-999]\n", 1)
    bank.write_text(text, encoding="utf-8")
    problems = [str(e) for e in load_library(content_dir).errors]
    assert any("bas-003: excludes bas-999, which is not in this bank" in p for p in problems)
    assert not any("bas-002" in p for p in problems), problems
