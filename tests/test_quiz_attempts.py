"""Taking a quiz through the real routes: draw, save, resume, submit once, time limit, review."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from lms.content.sync import sync_content
from lms.courses.catalog import course_or_404
from lms.courses.models import Course
from lms.db import session, utcnow
from lms.quizzes import grading
from lms.quizzes.attempts import start_or_resume
from lms.quizzes.models import Attempt
from tests.conftest import login


def start(client) -> int:
    response = client.post("/lms/courses/basics/quiz")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/attempts/(\d+)", response.location).group(1))


def form_for(attempt: Attempt, *, right: bool) -> dict[str, object]:
    """The form fields a learner would post, answering every question right or wrong.

    Like the page, it numbers options by their shown position, not their place in the bank.
    """
    form: dict[str, object] = {}
    for r in attempt.responses:
        data = r.question_version.data
        answer = grading.view_answer(data, r.presentation, grading.correct_answer(data))
        name = f"q{r.position}"
        qtype = data["type"]
        if qtype in ("single", "scenario"):
            form[name] = answer if right else (answer + 1) % len(data["options"])
        elif qtype == "multiple":
            form[name] = (
                answer if right else [i for i in range(len(data["options"])) if i not in answer]
            )
        elif qtype == "truefalse":
            form[name] = "true" if answer == right else "false"
        elif qtype == "ordering":
            order = answer if right else list(reversed(answer))
            for rank, step in enumerate(order, 1):
                form[f"{name}-step-{step}"] = rank
        elif qtype == "matching":
            for left, r_index in answer.items():
                rights = len(data["pairs"]) + len(data.get("distractors", []))
                form[f"{name}-left-{left}"] = r_index if right else (r_index + 1) % rights
        elif qtype == "short":
            form[name] = answer if right else "不知道"
    return form


def load(app, attempt_id: int) -> Attempt:
    with app.app_context():
        attempt = session.get(Attempt, attempt_id)
        for r in attempt.responses:
            _ = r.question_version.data
        session.expunge_all()
        return attempt


def test_a_learner_fails_reviews_and_passes(app, client, make_staff):
    login(client, make_staff())
    attempt_id = start(client)
    page = client.get(f"/lms/attempts/{attempt_id}").get_data(as_text=True)
    attempt = load(app, attempt_id)
    assert len(attempt.responses) == 3
    for r in attempt.responses:
        data = r.question_version.data
        assert data["stem"] in page
        assert data["feedback"] not in page, "feedback must not be shown before grading"

    response = client.post(
        f"/lms/attempts/{attempt_id}/submit", data=form_for(attempt, right=False)
    )
    assert response.location.endswith(f"/attempts/{attempt_id}/result")
    result = client.get(response.location).get_data(as_text=True)
    assert "未通过" in result
    lesson_links = set(re.findall(r'href="(/lms/courses/basics/[a-z-]+#[a-z-]+)"', result))
    assert lesson_links, "the review links each question to its lesson section"
    for link in lesson_links:
        path, anchor = link.split("#")
        assert f'id="{anchor}"' in client.get(path).get_data(as_text=True)

    second = start(client)
    assert second != attempt_id
    attempt = load(app, second)
    client.post(f"/lms/attempts/{second}/submit", data=form_for(attempt, right=True))
    result = client.get(f"/lms/attempts/{second}/result").get_data(as_text=True)
    assert "通过" in result and "未通过" not in result
    assert load(app, second).score == 100.0


def test_answers_are_saved_as_the_learner_goes_and_the_attempt_resumes(app, client, make_staff):
    login(client, make_staff())
    attempt_id = start(client)
    attempt = load(app, attempt_id)
    form = form_for(attempt, right=True)
    response = client.post(
        f"/lms/attempts/{attempt_id}/save", data=form, headers={"Accept": "application/json"}
    )
    assert response.get_json() == {"saved": True, "problems": {}}
    assert start(client) == attempt_id, "starting again resumes the open attempt"
    saved = load(app, attempt_id)
    assert all(r.answer is not None for r in saved.responses)
    page = client.get(f"/lms/attempts/{attempt_id}").get_data(as_text=True)
    assert "checked" in page or "selected" in page


def test_submitting_twice_grades_once(app, client, make_staff):
    login(client, make_staff())
    attempt_id = start(client)
    attempt = load(app, attempt_id)
    client.post(f"/lms/attempts/{attempt_id}/submit", data=form_for(attempt, right=True))
    first = load(app, attempt_id)
    client.post(f"/lms/attempts/{attempt_id}/submit", data=form_for(attempt, right=False))
    second = load(app, attempt_id)
    assert (
        (second.score, second.graded_at)
        == (first.score, first.graded_at)
        == (100.0, first.graded_at)
    )


def test_the_time_limit_is_enforced_on_the_server(app, client, make_staff):
    login(client, make_staff())
    attempt_id = start(client)
    attempt = load(app, attempt_id)
    right = form_for(attempt, right=True)
    first_position = attempt.responses[0].position
    keep = {
        k: v
        for k, v in right.items()
        if k == f"q{first_position}" or k.startswith(f"q{first_position}-")
    }
    client.post(f"/lms/attempts/{attempt_id}/save", data=keep)
    with app.app_context():
        session.get(Attempt, attempt_id).deadline_at = utcnow() - timedelta(seconds=1)
        session.commit()
    late = client.post(
        f"/lms/attempts/{attempt_id}/save", data=right, headers={"Accept": "application/json"}
    )
    assert late.status_code == 409 and late.get_json()["error"] == "attempt_closed"
    client.post(f"/lms/attempts/{attempt_id}/submit", data=right)
    graded = load(app, attempt_id)
    assert graded.status == "graded"
    assert [r.score for r in graded.responses][0] == 1.0
    assert [r.score for r in graded.responses][1:] == [0.0, 0.0], "late answers are not counted"


def test_attempt_limit_and_cooldown(app, client, make_staff):
    with app.app_context():
        course = session.scalar(sa.select(Course).where(Course.slug == "basics"))
        course.max_attempts = 2
        course.cooldown_minutes = 30
        session.commit()
    login(client, make_staff())
    first = start(client)
    client.post(f"/lms/attempts/{first}/submit", data={})
    response = client.post("/lms/courses/basics/quiz", follow_redirects=True)
    assert "间隔 30 分钟" in response.get_data(as_text=True)
    with app.app_context():
        session.get(Attempt, first).graded_at -= timedelta(minutes=31)
        session.commit()
    second = start(client)
    client.post(f"/lms/attempts/{second}/submit", data={})
    with app.app_context():
        session.get(Attempt, second).graded_at -= timedelta(minutes=31)
        session.commit()
    response = client.post("/lms/courses/basics/quiz", follow_redirects=True)
    assert "最多可测验 2 次" in response.get_data(as_text=True)


def test_the_draw_is_reproducible_from_its_seed(app, make_staff):
    a, b = make_staff(), make_staff()
    with app.test_request_context():
        course = course_or_404("basics")
        one = start_or_resume(a, course, seed=12345)
        two = start_or_resume(b, course, seed=12345)
        shape = lambda t: [(r.question_version_id, r.presentation) for r in t.responses]  # noqa: E731
        assert shape(one) == shape(two)


def test_a_past_attempt_keeps_the_question_version_it_was_shown(
    app, client, make_staff, content_dir: Path
):
    login(client, make_staff())
    attempt_id = start(client)
    client.post(f"/lms/attempts/{attempt_id}/submit", data={})
    bank = content_dir / "quizzes/basics.yaml"
    text = bank.read_text()
    stems = [
        "电话铃响几声之内应接听?",
        "微笑是最好的语言。",
        "把接待步骤排好顺序。",
        "一位患者走近窗口,你正在录入资料。你怎么做?",
    ]
    for stem in stems:
        text = text.replace(stem, stem + "(新版)")
    bank.write_text(text)
    with app.app_context():
        sync_content(content_dir)
    result = client.get(f"/lms/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "(新版)" not in result
    assert sum(stem in result for stem in stems) == 3


def test_no_correct_answer_is_sent_before_grading(app, client, make_staff):
    login(client, make_staff())
    attempt_id = start(client)
    page = client.get(f"/lms/attempts/{attempt_id}").get_data(as_text=True)
    attempt = load(app, attempt_id)
    for r in attempt.responses:
        data = r.question_version.data
        view = json.dumps(grading.learner_view(data, r.presentation), ensure_ascii=False)
        for key in ("correct", "grade", "accepted", "feedback"):
            assert f'"{key}"' not in view
        for option in data.get("options", []):
            if "feedback" in option:
                assert option["feedback"] not in page
        for accepted in data.get("accepted", []):
            assert accepted not in page


def test_another_persons_attempt_is_forbidden(app, client, make_staff):
    owner = make_staff()
    with app.test_request_context():
        attempt_id = start_or_resume(owner, course_or_404("basics")).id
    login(client, make_staff(("admin",)))
    assert client.get(f"/lms/attempts/{attempt_id}").status_code == 403
    assert client.get("/lms/attempts/999999").status_code == 404


def test_the_page_choice_the_learner_clicks_is_the_one_graded(app, client, make_staff):
    """Post the value the page puts on the right option's radio button, read from the HTML."""
    login(client, make_staff())
    checked = 0
    for _ in range(3):  # several draws, so options are shuffled differently
        attempt_id = start(client)
        page = client.get(f"/lms/attempts/{attempt_id}").get_data(as_text=True)
        attempt = load(app, attempt_id)
        form, positions = {}, []
        for r in attempt.responses:
            data = r.question_version.data
            if data["type"] not in ("single", "scenario"):
                continue
            right = data["options"][grading.correct_answer(data)]["text"]
            value = re.search(
                rf'name="q{r.position}" value="(\d+)" *> {re.escape(right)}</label>', page
            )
            assert value, right
            form[f"q{r.position}"] = value.group(1)
            positions.append(r.position)
        client.post(f"/lms/attempts/{attempt_id}/submit", data=form)
        graded = load(app, attempt_id)
        assert all(r.score == 1.0 for r in graded.responses if r.position in positions)
        checked += len(positions)
    assert checked > 0


def test_an_attempt_id_beyond_the_integer_range_is_not_found(client, make_staff):
    login(client, make_staff())
    assert client.get("/lms/attempts/99999999999999999999").status_code == 404
    assert client.get("/lms/attempts/99999999999999999999/result").status_code == 404


def test_malformed_ordering_and_matching_fields_are_invalid_answers_not_errors():
    from types import SimpleNamespace

    from werkzeug.datastructures import MultiDict

    from lms.quizzes.answer_form import raw_answers

    def response(position: int, qtype: str):
        return SimpleNamespace(
            position=position, question_version=SimpleNamespace(data={"type": qtype})
        )

    responses = [response(1, "ordering"), response(2, "ordering"), response(3, "matching")]
    form = MultiDict(
        [
            ("q1-step-abc", "1"),
            ("q1-step-0", "2"),
            ("q2-step-" + "9" * 5000, "1"),
            ("q3-left-x", "y"),
        ]
    )
    assert raw_answers(form, responses) == {1: "invalid", 2: "invalid", 3: {"x": "y"}}
    good = MultiDict([("q1-step-2", "1"), ("q1-step-0", "2"), ("q1-step-1", "3")])
    assert raw_answers(good, responses[:1]) == {1: [2, 0, 1]}


def test_a_malformed_answer_field_is_refused_on_save_and_submit(
    app, client, make_staff, content_dir
):
    course = content_dir / "courses/basics/course.yaml"
    course.write_text(
        course.read_text().replace("questions_per_attempt: 3", "questions_per_attempt: 4")
    )
    with app.app_context():
        sync_content(content_dir)
    login(client, make_staff())
    attempt_id = start(client)
    attempt = load(app, attempt_id)
    ordering = next(
        r.position for r in attempt.responses if r.question_version.data["type"] == "ordering"
    )
    bad = {f"q{ordering}-step-abc": "1", f"q{ordering}-step-0": "x"}
    saved = client.post(
        f"/lms/attempts/{attempt_id}/save", data=bad, headers={"Accept": "application/json"}
    )
    assert saved.status_code == 200 and str(ordering) in saved.json["problems"]
    submitted = client.post(f"/lms/attempts/{attempt_id}/submit", data=bad)
    assert submitted.status_code == 422, "nothing is graded while a field is wrong"
    assert "请为每一步选择不同的顺序号" in submitted.get_data(as_text=True)
    assert load(app, attempt_id).status == "open"
