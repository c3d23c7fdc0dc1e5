"""Journey 4 (issue 13): the quiz on a 375 px phone — one question per screen with the navigator,
ordering by keyboard alone, the summary of blank and flagged questions before submitting, the fail
result with the retake's cool-down, the pass result with its certificate, and a time limit running
out. Each test takes its own learner and course, so the journeys do not wait on each other."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from lms.auth.models import Staff
from lms.courses.catalog import course_or_404, mark_complete
from lms.courses.models import Course
from lms.db import session, utcnow
from lms.quizzes import attempts, grading
from lms.quizzes.models import Attempt, Question, QuestionBank
from tests.e2e.helpers import check_accessibility, log_in, put_in_order, wait_for

PASSWORD = "phone-quiz-e2e"


@pytest.fixture(autouse=True)
def phone_only(page: Page) -> None:
    if page.viewport_name != "phone":
        pytest.skip("the phone journeys run at 375 px")


def learner_ready(app, tag: str, slug: str) -> str:
    """A new learner who has read every lesson of ``slug``; returns the employee number."""
    employee_no = f"e2e-phone-{tag}"
    with app.test_request_context():
        staff = session.scalar(sa.select(Staff).where(Staff.employee_no == employee_no))
        if staff is None:
            staff = Staff(employee_no=employee_no, name="赵手机")
            staff.set_roles({"learner"})
            staff.set_password(PASSWORD)
            session.add(staff)
            session.commit()
        for lesson in course_or_404(slug).active_lessons:
            mark_complete(staff, lesson)
        for attempt in attempts.attempts_of(staff, course_or_404(slug)):
            session.delete(attempt)  # a rerun of the suite on the same server starts afresh
        session.commit()
    return employee_no


def start_quiz(page: Page, base: str, slug: str) -> int:
    page.goto(f"{base}/lms/courses/{slug}/")
    check_accessibility(page)
    page.get_by_role("button", name="开始测验").click()
    expect(page.locator("#quiz-form")).to_be_visible()
    check_accessibility(page)
    return int(re.search(r"/attempts/(\d+)", page.url).group(1))


def with_ordering_first(app, attempt_id: int, slug: str) -> list[str]:
    """Make question 1 an ordering question (the draw may not pick one); its steps, right order."""
    with app.app_context():
        attempt = session.get(Attempt, attempt_id)
        first = attempt.responses[0]
        data = first.question_version.data
        drawn = next(
            (r for r in attempt.responses if r.question_version.data["type"] == "ordering"), None
        )
        if drawn is not None and drawn is not first:  # swap it into first place
            first.question_version_id, drawn.question_version_id = (
                drawn.question_version_id,
                first.question_version_id,
            )
            first.presentation, drawn.presentation = drawn.presentation, first.presentation
            first.answer = drawn.answer = None
        elif drawn is None:  # bring one in from the bank
            course = session.scalar(sa.select(Course).where(Course.slug == slug))
            ordering = next(
                q
                for q in session.scalars(
                    sa.select(Question)
                    .join(QuestionBank, QuestionBank.id == Question.bank_id)
                    .where(QuestionBank.course_id == course.id, Question.retired_at.is_(None))
                )
                if q.versions[-1].data["type"] == "ordering"
            )
            version = ordering.versions[-1]
            first.question_version_id = version.id
            first.presentation = grading.present(version.data, random.Random(7))
            first.answer = None
        session.commit()
        session.refresh(first)
        data = first.question_version.data
        return list(data["steps"])


def order_shown(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("#q1 .order-list .order-text").all_inner_texts()]


def test_paged_quiz_keyboard_ordering_and_the_blank_question_summary(
    page: Page, live_server, live_app, shots
):
    base, _ = live_server
    slug = "listening"
    employee_no = learner_ready(live_app, "paged", slug)
    log_in(page, base, employee_no, PASSWORD)
    attempt_id = start_quiz(page, base, slug)
    steps = with_ordering_first(live_app, attempt_id, slug)
    page.reload()

    # One question per screen on a phone, the bar with the count stays at the top.
    questions = page.locator("fieldset.question")
    total = questions.count()
    expect(page.locator("fieldset.question:visible")).to_have_count(1)
    expect(page.locator("#answered-count")).to_have_text(f"已答 0/{total}")
    navigator = page.get_by_role("navigation", name="题目导航")
    expect(navigator.get_by_role("button")).to_have_count(total)
    shots("paged-question")

    # Keyboard only: focus a step's button, press Enter; each step keeps a number of its own.
    put_in_order(page, page.locator("#q1"), steps)
    up = page.get_by_role("button", name=f"上移：{steps[-1]}")
    up.focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name=f"下移：{steps[-1]}").focus()
    page.keyboard.press("Enter")  # and back again
    assert order_shown(page) == steps
    expect(page.get_by_role("button", name=f"下移：{steps[-1]}")).to_be_focused()
    expect(page.locator("#answered-count")).to_have_text(f"已答 1/{total}")
    ranks = page.locator("#q1 select").evaluate_all("(s) => s.map((x) => x.value)")
    assert sorted(ranks) == [str(n) for n in range(1, len(steps) + 1)], ranks
    shots("keyboard-ordering")

    def saved_order():
        with live_app.app_context():
            response = session.get(Attempt, attempt_id).responses[0]
            answer = response.answer
            return answer and [response.question_version.data["steps"][i] for i in answer]

    assert wait_for(saved_order) == steps, "the order reached the server"

    # Paged navigation: next, the navigator, and a flag of one's own.
    page.get_by_role("button", name="下一题").click()
    expect(page.locator("#q2")).to_be_visible()
    expect(page.locator("#q1")).to_be_hidden()
    expect(page.locator("#q2")).to_be_focused()
    page.locator("#q2").get_by_role("button", name="标记此题").click()
    navigator.get_by_role("button", name=re.compile(rf"^第 {total} 题")).click()
    expect(page.locator(f"#q{total}")).to_be_visible()
    expect(
        navigator.get_by_role("button", name=re.compile(r"^第 2 题，未答，已标记"))
    ).to_be_visible()

    # Enter in a text box reloads nothing.
    text_box = page.locator("#quiz-form input[type=text]")
    if text_box.count():
        box_question = text_box.first.locator("xpath=ancestor::fieldset[1]")
        number = int(box_question.get_attribute("data-position"))
        navigator.get_by_role("button", name=re.compile(rf"^第 {number} 题")).click()
        url = page.url
        text_box.first.fill("先确认")
        text_box.first.press("Enter")
        expect(text_box.first).to_have_value("先确认")
        assert page.url == url

    # 交卷 first shows what is blank and what was flagged.
    page.get_by_role("button", name="交卷").click()
    summary = page.locator("#quiz-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(re.compile(r"还有 \d+ 题未答"))
    expect(page.locator("#summary-flagged-list").get_by_role("button")).to_have_text(["第 2 题"])
    shots("blank-summary")
    page.locator("#summary-flagged-list").get_by_role("button", name="第 2 题").click()
    expect(page.locator("#q2")).to_be_visible()
    expect(summary).to_be_hidden()
    page.get_by_role("button", name="交卷").click()
    page.get_by_role("button", name="确认交卷").click()

    # Failed: how many were wrong, and when the retake opens (the course asks for an hour).
    expect(page.get_by_role("heading", name=re.compile("未通过"))).to_be_visible()
    expect(page.locator("#result-counts")).to_contain_text(
        re.compile(rf"共 {total} 题，答错 \d+ 题")
    )
    expect(page.get_by_role("button", name="再测一次")).to_be_disabled()
    expect(page.locator("#retake-reason")).to_contain_text(
        re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d 后可再测。\s*还可测验 4 次。")
    )
    shots("fail-result")
    page.get_by_role("link", name="返回课程").click()
    expect(page.get_by_role("button", name="开始测验")).to_be_disabled()
    check_accessibility(page)


def test_pass_result_with_the_certificate(page: Page, live_server, live_app, shots):
    base, _ = live_server
    slug = "window-service"
    employee_no = learner_ready(live_app, "pass", slug)
    log_in(page, base, employee_no, PASSWORD)
    attempt_id = start_quiz(page, base, slug)
    with live_app.app_context():  # the right answers, saved as if typed a moment ago
        for response in session.get(Attempt, attempt_id).responses:
            response.answer = grading.correct_answer(response.question_version.data)
        session.commit()
    page.reload()
    total = page.locator("fieldset.question").count()
    expect(page.locator("#answered-count")).to_have_text(f"已答 {total}/{total}")
    page.get_by_role("button", name="交卷").click()
    expect(page.locator("#quiz-summary")).to_contain_text("所有题目都已作答。")
    page.get_by_role("button", name="确认交卷").click()

    expect(page.get_by_role("heading", name=re.compile("通过"))).to_be_visible()
    expect(page.locator("#result-counts")).to_contain_text(f"共 {total} 题，答错 0 题。")
    certificate = page.locator("#result-certificate")
    expect(certificate).to_contain_text(re.compile(r"MLC(-[0-9A-Z]+)+"))
    expect(certificate.get_by_role("link", name="下载证书 PDF")).to_be_visible()
    shots("pass-result")
    with page.expect_download() as download:
        certificate.get_by_role("link", name="下载证书 PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    certificate.get_by_role("link", name="查验证书").click()
    expect(page.locator("main")).to_contain_text("赵手机")
    check_accessibility(page)


def test_the_time_limit_runs_out_with_a_warning(page: Page, live_server, live_app, shots):
    base, _ = live_server
    slug = "service-centre"
    employee_no = learner_ready(live_app, "timeout", slug)
    log_in(page, base, employee_no, PASSWORD)
    attempt_id = start_quiz(page, base, slug)
    with live_app.app_context():  # a short limit: fifty seconds left
        session.get(Attempt, attempt_id).deadline_at = utcnow() + timedelta(seconds=50)
        session.commit()
    page.clock.install()  # the page's clock, moved on below instead of waited out
    page.reload()
    # Announced once, politely, when under a minute; the countdown itself is not a live region.
    expect(page.locator("#time-warning")).to_have_text("还剩不到 1 分钟，请尽快交卷。")
    assert page.locator("#countdown").get_attribute("aria-live") is None
    shots("time-warning")
    # The fifty seconds pass, for the server and for the page: the page hands the quiz in.
    with live_app.app_context():
        session.get(Attempt, attempt_id).deadline_at = utcnow() - timedelta(seconds=1)
        session.commit()
    page.clock.fast_forward("00:51")
    expect(page.get_by_role("heading", name="测验结果")).to_be_visible()
    expect(page.locator("#timed-out")).to_contain_text("测验时间已到")
    shots("timed-out-result")
    with live_app.app_context():
        attempt = session.get(Attempt, attempt_id)
        assert attempt.timed_out and attempt.status == "graded"


def test_autosave_waits_out_a_lost_connection_and_matching_marks_used_items(
    page: Page, live_server, live_app, shots
):
    base, _ = live_server
    slug = "over-service"
    employee_no = learner_ready(live_app, "offline", slug)
    log_in(page, base, employee_no, PASSWORD)
    attempt_id = start_quiz(page, base, slug)
    with live_app.app_context():
        responses = session.get(Attempt, attempt_id).responses
        kinds = {r.position: r.question_version.data["type"] for r in responses}

    def saved(position: int):
        with live_app.app_context():
            response = next(
                r for r in session.get(Attempt, attempt_id).responses if r.position == position
            )
            return response.answer is not None

    # Offline: the answer waits on the device, the page says so, and it is sent once back online.
    choice = next(p for p, kind in kinds.items() if kind in ("single", "scenario", "truefalse"))
    navigator = page.get_by_role("navigation", name="题目导航")
    navigator.get_by_role("button", name=re.compile(rf"^第 {choice} 题")).click()
    page.context.set_offline(True)
    page.locator(f"#q{choice} input[type=radio]").first.check()
    expect(page.locator("#save-status")).to_contain_text("网络中断，答案暂存在本机")
    shots("offline")
    assert not saved(choice)
    page.context.set_offline(False)
    expect(page.locator("#save-status")).to_contain_text("已保存", timeout=15_000)
    assert wait_for(lambda: saved(choice))

    # Matching: a right-hand item chosen for one row is marked as used in the others.
    matching = next((p for p, kind in kinds.items() if kind == "matching"), None)
    if matching is not None:
        navigator.get_by_role("button", name=re.compile(rf"^第 {matching} 题")).click()
        selects = page.locator(f"#q{matching} select")
        first_choice = selects.nth(0).locator("option").nth(1).inner_text()
        selects.nth(0).select_option(index=1)
        expect(selects.nth(1).locator("option").nth(1)).to_have_text(f"{first_choice}（已用）")
        expect(page.locator(f"#q{matching} .match-used")).to_contain_text("右侧已用 1/")
        shots("matching-used")
