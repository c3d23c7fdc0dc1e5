"""Journey 1: a new hire reads a course, fails the quiz, reviews, goes back to the lesson, passes,
and downloads the certificate, whose PDF names them."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from lms.db import session
from lms.quizzes import grading
from lms.quizzes.models import Attempt
from tests.e2e.helpers import (
    check_accessibility,
    downloaded,
    log_in,
    pdf_text,
    put_in_order,
    show_question,
    wait_for,
)

COURSE = "error-prevention"
LEARNER_NAME = "李新员"  # demo-learner's name (lms.demo.DEMO_ACCOUNTS)
SERIAL = re.compile(r"MLC(?:-[0-9A-Z]+)+")


def answer_everything_right(page: Page, app, attempt_id: int) -> None:
    with app.app_context():
        attempt = session.get(Attempt, attempt_id)
        for r in attempt.responses:
            data = r.question_version.data
            right = grading.correct_answer(data)
            show_question(page, r.position)
            box = page.locator(f"#q{r.position}")
            qtype = data["type"]
            if qtype in ("single", "scenario"):
                box.get_by_label(data["options"][right]["text"], exact=True).check()
            elif qtype == "multiple":
                for i in right:
                    box.get_by_label(data["options"][i]["text"], exact=True).check()
            elif qtype == "truefalse":
                box.get_by_label("正确" if right else "错误", exact=True).check()
            elif qtype == "ordering":
                put_in_order(page, box, [data["steps"][i] for i in right])
            elif qtype == "matching":
                for pair in data["pairs"]:
                    box.get_by_label(pair["left"], exact=True).select_option(label=pair["right"])
            elif qtype == "short":
                box.get_by_label("答案").fill(data["accepted"][0])


def all_saved(app, attempt_id: int) -> bool:
    """The autosave posts shortly after the last change: has every answer reached the database?"""
    with app.app_context():
        attempt = session.scalars(sa.select(Attempt).where(Attempt.id == attempt_id)).one()
        return all(r.answer is not None for r in attempt.responses)


def cool_down_passes(app) -> None:
    """Date the graded attempts back past their course's cool-down, as if the hour had passed."""
    from datetime import timedelta

    from lms.courses.models import Course

    with app.app_context():
        for attempt in session.scalars(sa.select(Attempt).where(Attempt.status == "graded")):
            minutes = session.get(Course, attempt.course_id).cooldown_minutes
            attempt.graded_at -= timedelta(minutes=minutes)
        session.commit()


def test_new_hire_learns_fails_reviews_and_passes(page: Page, live_server, live_app, shots):
    base, _ = live_server
    cool_down_passes(live_app)  # the other screen width's run may have just taken the quiz
    log_in(page, base, "demo-learner", "learner-demo")
    shots("dashboard")
    page.goto(f"{base}/lms/courses/{COURSE}/")
    check_accessibility(page)
    lessons = page.locator("ol.lessons a")
    count = lessons.count()
    assert count >= 3
    lessons.first.click()
    lesson_on_a_phone_or_desktop(page)
    shots("lesson")
    for _ in range(count):
        page.get_by_role("button", name=re.compile("学完本课|已学完")).click()
        check_accessibility(page)  # the next lesson, and the course page after the last
    expect(page.locator("ol.lessons li.done")).to_have_count(count)

    page.get_by_role("button", name=re.compile("开始测验|继续测验")).click()
    expect(page.get_by_role("heading", name=re.compile("测验"))).to_be_visible()
    shots("quiz")
    page.get_by_role("button", name="交卷").click()
    expect(page.locator("#quiz-summary")).to_contain_text("题未答")  # nothing was answered
    page.get_by_role("button", name="确认交卷").click()
    expect(page.get_by_text("未通过")).to_be_visible()
    shots("failed-review")

    link = page.get_by_role("link", name="复习相关课节 ›").first
    href = link.get_attribute("href")
    link.click()
    anchor = href.split("#", 1)[1]
    expect(page.locator(f"[id='{anchor}']")).to_be_visible()
    shots("back-to-lesson")

    cool_down_passes(live_app)  # the shipped courses ask for an hour between attempts
    page.goto(f"{base}/lms/courses/{COURSE}/")
    check_accessibility(page)  # now with the table of attempts
    page.get_by_role("button", name=re.compile("开始测验|继续测验")).click()
    attempt_id = int(re.search(r"/attempts/(\d+)", page.url).group(1))
    check_accessibility(page)
    answer_everything_right(page, live_app, attempt_id)
    expect(page.locator("#save-status")).to_contain_text("已保存")
    saved = wait_for(lambda: all_saved(live_app, attempt_id))
    assert saved, "answers are saved as the learner goes"
    page.get_by_role("button", name="交卷").click()
    page.get_by_role("button", name="确认交卷").click()
    expect(page.get_by_text(re.compile("得分 100"))).to_be_visible()
    shots("passed")

    # The pass issued the certificate: the course page names it, "my certificates" serves the PDF.
    page.get_by_role("link", name="返回课程").click()
    check_accessibility(page)
    card = page.locator("section.card", has=page.get_by_role("heading", name="证书"))
    expect(card).to_contain_text(SERIAL)
    serial = SERIAL.search(card.inner_text()).group(0)
    card.get_by_role("link", name=re.compile("我的证书")).click()
    row = page.get_by_role("row").filter(has_text=serial)
    expect(row).to_be_visible()
    course_cell = row.get_by_role("cell").first
    if page.viewport_name == "phone":
        # A card per certificate: the course name on one line beside its label, not a column one
        # character wide.
        box = course_cell.bounding_box()
        assert box["width"] > 200, box
        assert box["height"] < 60, box
        label = course_cell.evaluate("td => getComputedStyle(td, '::before').content")
        assert label == '"课程"', label
    shots("certificates")
    with page.expect_download() as download_info:
        row.get_by_role("link", name="下载 PDF").click()
    assert download_info.value.suggested_filename.endswith(".pdf")
    pdf = downloaded(download_info.value)
    assert pdf.startswith(b"%PDF")
    pages, text = pdf_text(pdf)
    assert pages >= 1
    assert LEARNER_NAME in text, text
    assert serial in text, text
    # The verification address (and its QR code) is this server's, whatever its port.
    assert f"{base}/lms/verify/{serial}".replace("http://", "") in text, text

    page.get_by_role("link", name=serial).click()  # the public verification page
    expect(page.get_by_text(serial).first).to_be_visible()
    check_accessibility(page)


def lesson_on_a_phone_or_desktop(page: Page) -> None:
    """The lesson's title comes first; on a phone its contents are folded under a summary that
    opens them, beside the lesson on a desktop they are open."""
    title = page.locator("h1.lesson-title")
    toc = page.locator("details.toc")
    expect(title).to_be_visible()
    assert title.bounding_box()["y"] < toc.bounding_box()["y"]
    first_entry = toc.get_by_role("link").first
    if page.viewport_name == "phone":
        expect(toc).not_to_have_attribute("open", "")
        expect(first_entry).to_be_hidden()
        toc.locator("summary").click()
        expect(first_entry).to_be_visible()
        check_accessibility(page)  # with the contents open
        toc.locator("summary").click()
    else:
        expect(toc).to_have_attribute("open", "")
        expect(first_entry).to_be_visible()
