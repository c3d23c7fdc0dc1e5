"""Issue 13, items 2 and 3: the quiz on a phone and result pages with next steps, through the real
routes (the browser side is in tests/e2e/test_phone_quiz_journey.py)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from lms import days
from lms.content.sync import sync_content
from lms.courses.content_files import load_course
from lms.courses.models import Course
from lms.db import session, utcnow
from lms.formats.errors import ContentError
from lms.quizzes.answer_form import ordering_problem
from lms.quizzes.eligibility import retake
from lms.quizzes.models import Attempt
from tests.conftest import login
from tests.test_quiz_attempts import form_for, load, start

NOW = datetime(2026, 12, 7, 2, 0)


def set_course(app, **values) -> None:
    with app.app_context():
        course = session.scalar(sa.select(Course).where(Course.slug == "basics"))
        for key, value in values.items():
            setattr(course, key, value)
        session.commit()


def expire(app, attempt_id: int) -> datetime:
    with app.app_context():
        attempt = session.get(Attempt, attempt_id)
        attempt.deadline_at = utcnow() - timedelta(minutes=2)
        session.commit()
        return attempt.deadline_at


def ordering_position(attempt: Attempt) -> int:
    return next(
        r.position for r in attempt.responses if r.question_version.data["type"] == "ordering"
    )


# --- the rule: may another attempt start? ---------------------------------------------------------


def test_no_limits_always_allow_a_retake():
    allowed = retake(0, 0, [NOW, NOW], NOW)
    assert (allowed.allowed, allowed.reason, allowed.attempts_left, allowed.ready_at) == (
        True,
        None,
        None,
        None,
    )


def test_the_cool_down_runs_from_the_latest_graded_attempt_and_ends_on_time():
    graded = [NOW - timedelta(minutes=50), NOW - timedelta(minutes=10)]
    waiting = retake(3, 30, graded, NOW)
    assert (waiting.allowed, waiting.reason, waiting.attempts_left) == (False, "cooldown", 1)
    assert waiting.ready_at == NOW + timedelta(minutes=20)
    assert retake(3, 30, graded, NOW + timedelta(minutes=20)).allowed


def test_a_used_up_limit_wins_over_the_cool_down():
    used = retake(2, 30, [NOW, NOW], NOW)
    assert (used.allowed, used.reason, used.attempts_left, used.ready_at) == (
        False,
        "limit",
        0,
        None,
    )


def test_times_are_shown_on_the_organisations_clock():
    shanghai = days.zone_named("Asia/Shanghai")
    assert days.show_time(datetime(2026, 12, 7, 17, 5), shanghai) == "2026-12-08 01:05"
    assert days.show_time(datetime(2026, 12, 7, 17, 5, 9), shanghai, seconds=True) == (
        "2026-12-08 01:05:09"
    )
    assert days.show_time(None) == ""


# --- ordering: a rank used twice is a field error, never an answer --------------------------------


@pytest.mark.parametrize(
    "ranks, problem",
    [
        (["", "", ""], False),
        (["2", "3", "1"], False),
        (["1", "1", "1"], True),
        (["1", "2", ""], True),
        (["1", "2", "4"], True),
    ],
)
def test_ordering_ranks_must_each_be_used_once(ranks, problem):
    assert (ordering_problem(ranks, 3) is not None) is problem


def test_without_javascript_a_duplicate_rank_is_refused_with_a_field_error(app, client, make_staff):
    set_course(app, questions_per_attempt=4)  # every question of the bank, the ordering one too
    login(client, make_staff())
    attempt_id = start(client)
    attempt = load(app, attempt_id)
    position = ordering_position(attempt)
    right = form_for(attempt, right=True)
    form = MultiDict(right)
    steps = [k for k in right if k.startswith(f"q{position}-step-")]
    for key in steps:
        form[key] = "1"  # "1" for every step: once graded as some order
    saved = client.post(f"/lms/attempts/{attempt_id}/save", data=form)
    page = saved.get_data(as_text=True)
    assert saved.status_code == 422
    assert "请为每一步选择不同的顺序号（1 到 3 各用一次）。" in page
    assert f'id="q{position}-problem"' in page and 'aria-describedby="q' in page
    assert page.count('<option value="1" selected>') == len(steps), "what was posted is shown"
    kept = load(app, attempt_id)
    answers = {r.position: r.answer for r in kept.responses}
    assert answers[position] is None, "the refused ordering is not stored"
    assert all(v is not None for p, v in answers.items() if p != position), "the others are"

    submitted = client.post(f"/lms/attempts/{attempt_id}/submit", data=form)
    assert submitted.status_code == 422 and load(app, attempt_id).status == "open"
    client.post(f"/lms/attempts/{attempt_id}/submit", data=right)
    assert load(app, attempt_id).score == 100.0


# --- the quiz page ---------------------------------------------------------------------------------


def test_the_quiz_page_has_the_bar_the_enter_guard_and_the_course_layout(app, client, make_staff):
    set_course(app, quiz_layout="paged")
    login(client, make_staff())
    attempt_id = start(client)
    page = client.get(f"/lms/attempts/{attempt_id}").get_data(as_text=True)
    assert 'class="quiz-bar"' in page and "已答 0/3" in page
    # The countdown is not a live region; the warning line is, and starts empty.
    assert re.search(r'<strong id="countdown"[^>]*>', page)
    assert "aria-live" not in re.search(r'<strong id="countdown"[^>]*>', page).group(0)
    assert '<p id="time-warning" class="visually-hidden" aria-live="polite"></p>' in page
    # Enter in a text box presses the form's first submit button: a disabled one.
    form = page[page.index('<form method="post" id="quiz-form"') :]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    assert "disabled" in first_button and 'type="submit"' in first_button
    assert 'data-layout="paged"' in page
    assert 'id="quiz-summary"' in page and "交卷前检查" in page

    attempt = load(app, attempt_id)
    client.post(f"/lms/attempts/{attempt_id}/save", data=form_for(attempt, right=True))
    page = client.get(f"/lms/attempts/{attempt_id}").get_data(as_text=True)
    assert "已答 3/3" in page


def test_quiz_layout_is_read_from_course_yaml_and_checked(tmp_path):
    folder = tmp_path / "courses" / "c"
    folder.mkdir(parents=True)
    (folder / "a.md").write_text("---\ntitle: 甲\n---\n\n## 一 {#one}\n\n正文\n", encoding="utf-8")

    def read(text: str) -> tuple[str | None, list[tuple[int, str]]]:
        (folder / "course.yaml").write_text(text, encoding="utf-8")
        course, errors = load_course(folder, tmp_path)
        assert all(isinstance(e, ContentError) for e in errors)
        own = [(e.line, e.message) for e in errors if e.path.endswith("course.yaml")]
        return (course.quiz["quiz_layout"] if course else None), own

    assert read("title: 课\nlessons: [a]\nquiz:\n  quiz_layout: paged\n")[1] == []
    assert read("title: 课\nlessons: [a]\nquiz:\n  quiz_layout: single\n")[1] == []
    assert read("title: 课\nlessons: [a]\nquiz:\n  quiz_layout: sideways\n")[1] == [
        (4, "quiz_layout must be one of auto, paged, single")
    ]


def test_the_layout_reaches_the_course_on_sync(app, content_dir):
    yaml_file = content_dir / "courses/basics/course.yaml"
    yaml_file.write_text(
        yaml_file.read_text(encoding="utf-8").replace(
            "  time_limit_minutes: 10\n", "  time_limit_minutes: 10\n  quiz_layout: single\n"
        ),
        encoding="utf-8",
    )
    with app.app_context():
        sync_content(content_dir)
        course = session.scalar(sa.select(Course).where(Course.slug == "basics"))
        assert course.quiz_layout == "single"


# --- time running out: no GET writes; the result says what happened -------------------------------


def test_looking_at_an_expired_attempt_grades_nothing(app, client, make_staff):
    login(client, make_staff())
    attempt_id = start(client)
    attempt = load(app, attempt_id)
    first = attempt.responses[0].position
    keep = {
        k: v for k, v in form_for(attempt, right=True).items() if re.match(rf"q{first}(-|$)", k)
    }
    client.post(f"/lms/attempts/{attempt_id}/save", data=keep)
    deadline = expire(app, attempt_id)

    for path in ("", "/result"):
        page = client.get(f"/lms/attempts/{attempt_id}{path}", follow_redirects=True)
        assert page.status_code == 200 and "测验时间已到" in page.get_data(as_text=True)
        assert load(app, attempt_id).status == "open", f"GET {path or '/'} wrote nothing"

    late = form_for(attempt, right=True)  # what the page's countdown posts when it reaches zero
    done = client.post(f"/lms/attempts/{attempt_id}/submit", data=late)
    assert done.location.endswith(f"/attempts/{attempt_id}/result")
    graded = load(app, attempt_id)
    assert graded.status == "graded" and graded.timed_out
    assert graded.submitted_at == deadline, "handed in when the time ran out"
    assert [r.score for r in graded.responses] == [1.0, 0.0, 0.0], "late answers do not count"
    result = client.get(done.location).get_data(as_text=True)
    assert "测验时间已到，系统按到时为止保存的答案自动交卷。" in result
    assert f"交卷时间：{days.show_time(deadline, days.zone_named('Asia/Shanghai'))}" in result


def test_a_submitted_attempt_does_not_say_time_ran_out(app, client, make_staff):
    login(client, make_staff())
    attempt_id = start(client)
    client.post(f"/lms/attempts/{attempt_id}/submit", data={})
    assert not load(app, attempt_id).timed_out
    result = client.get(f"/lms/attempts/{attempt_id}/result").get_data(as_text=True)
    assert 'id="timed-out"' not in result


# --- result pages with next steps -----------------------------------------------------------------


def test_a_failed_result_counts_the_wrong_answers_and_offers_a_retake(app, client, make_staff):
    set_course(app, max_attempts=3, cooldown_minutes=0)
    login(client, make_staff())
    attempt_id = start(client)
    client.post(
        f"/lms/attempts/{attempt_id}/submit", data=form_for(load(app, attempt_id), right=False)
    )
    result = client.get(f"/lms/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "共 3 题，答错 3 题。" in result
    assert "再测一次</button>" in result and "还可测验 2 次。" in result
    assert 'action="/lms/courses/basics/quiz"' in result
    again = client.post("/lms/courses/basics/quiz")
    assert again.status_code == 302 and re.search(r"/attempts/\d+$", again.location)


def test_during_the_cool_down_the_retake_is_disabled_with_its_end_time(app, client, make_staff):
    set_course(app, max_attempts=0, cooldown_minutes=60)
    login(client, make_staff())
    attempt_id = start(client)
    client.post(f"/lms/attempts/{attempt_id}/submit", data={})
    with app.app_context():
        ready = session.get(Attempt, attempt_id).graded_at + timedelta(minutes=60)
        shown = days.show_time(ready, days.zone_named(app.config["LMS_CERT_TIMEZONE"]))
    result = client.get(f"/lms/attempts/{attempt_id}/result").get_data(as_text=True)
    assert 'disabled aria-describedby="retake-reason">再测一次</button>' in result
    assert f"两次测验之间需间隔 60 分钟：{shown} 后可再测。" in result
    assert 'action="/lms/courses/basics/quiz"' not in result
    course = client.get("/lms/courses/basics/").get_data(as_text=True)
    assert 'disabled aria-describedby="quiz-locked">开始测验</button>' in course
    assert f"{shown} 后可再测" in course
    assert "(UTC)" not in course, "the history's times are on the organisation's clock too"


def test_when_every_attempt_is_used_the_result_says_so(app, client, make_staff):
    set_course(app, max_attempts=1, cooldown_minutes=0)
    login(client, make_staff())
    attempt_id = start(client)
    client.post(f"/lms/attempts/{attempt_id}/submit", data={})
    result = client.get(f"/lms/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "本课程最多可测验 1 次，您已用完。" in result
    course = client.get("/lms/courses/basics/").get_data(as_text=True)
    assert "本课程最多可测验 1 次，您已用完。" in course


def test_an_older_failed_result_offers_no_retake(app, client, make_staff):
    login(client, make_staff())
    first = start(client)
    client.post(f"/lms/attempts/{first}/submit", data={})
    second = start(client)
    client.post(f"/lms/attempts/{second}/submit", data={})
    result = client.get(f"/lms/attempts/{first}/result").get_data(as_text=True)
    assert 'id="result-retake"' not in result


def test_a_pass_shows_the_certificate_with_download_and_verify_links(app, client, make_staff):
    app.config.update(LMS_CERT_BASE_URL="https://lms.example.cn", LMS_CERT_SIGNATORY_NAME="李华")
    login(client, make_staff(name="王小明"))
    attempt_id = start(client)
    client.post(
        f"/lms/attempts/{attempt_id}/submit", data=form_for(load(app, attempt_id), right=True)
    )
    result = client.get(f"/lms/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "共 3 题，答错 0 题。" in result
    serial = re.search(r"<code>(MLC[-0-9A-Z]+)</code>", result)
    assert serial, result
    download = re.search(r'href="(/lms/certificates/\d+/download)"', result).group(1)
    assert client.get(download).data.startswith(b"%PDF")
    assert f'href="/lms/verify/{serial.group(1)}"' in result
    assert "再测一次" not in result


def test_a_step_index_with_thousands_of_digits_is_ignored_not_a_server_error():
    """Found by the route fuzzer: ``q1-step-999…`` (4,301 digits) made int() raise on submit."""
    from werkzeug.datastructures import MultiDict

    from lms.quizzes.answer_form import posted_ranks

    form = MultiDict({"q1-step-" + "9" * 4301: "1", "q1-step-0": "2"})
    assert posted_ranks(form, 1) == {0: "2"}
