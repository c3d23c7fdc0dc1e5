"""Journey 1: a new hire reads a course, fails the quiz, reviews, goes back to the lesson, passes."""

from __future__ import annotations

import re
import time

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from lms import create_app
from lms.db import session
from lms.quizzes import grading
from lms.quizzes.models import Attempt

COURSE = "error-prevention"


def server_app(env: dict[str, str]):
    """The same database the live server uses, to look up the drawn questions' right answers."""
    config = {"CONFIG_NAME": "development"}
    if env.get("MINGLI_SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = env["MINGLI_SQLALCHEMY_DATABASE_URI"]
    else:
        config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{env['MINGLI_INSTANCE_PATH']}/mingli.sqlite3"
        )
    return create_app(config)


def log_in(page: Page, base: str, employee_no: str, password: str) -> None:
    page.goto(base + "/lms/login")
    page.get_by_label("工号").fill(employee_no)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的课程")).to_be_visible()


def answer_everything_right(page: Page, app, attempt_id: int) -> None:
    with app.app_context():
        attempt = session.get(Attempt, attempt_id)
        for r in attempt.responses:
            data = r.question_version.data
            right = grading.correct_answer(data)
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
                for rank, step in enumerate(data["steps"], 1):
                    box.get_by_label(f"第几步:{step}", exact=True).select_option(str(rank))
            elif qtype == "matching":
                for pair in data["pairs"]:
                    box.get_by_label(pair["left"], exact=True).select_option(label=pair["right"])
            elif qtype == "short":
                box.get_by_label("答案").fill(data["accepted"][0])


def wait_until_saved(app, attempt_id: int, seconds: float = 15) -> bool:
    """The autosave posts shortly after the last change; wait for it (a condition, not a delay)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.app_context():
            attempt = session.scalars(sa.select(Attempt).where(Attempt.id == attempt_id)).one()
            if all(r.answer is not None for r in attempt.responses):
                return True
        time.sleep(0.2)
    return False


def test_new_hire_learns_fails_reviews_and_passes(page: Page, live_server, shots):
    base, env = live_server
    log_in(page, base, "demo-learner", "learner-demo")
    shots("dashboard")
    page.goto(f"{base}/lms/courses/{COURSE}/")
    lessons = page.locator("ol.lessons a")
    count = lessons.count()
    assert count >= 3
    lessons.first.click()
    shots("lesson")
    for _ in range(count):
        page.get_by_role("button", name=re.compile("学完本课|已学完")).click()
    expect(page.locator("ol.lessons li.done")).to_have_count(count)

    page.get_by_role("button", name=re.compile("开始测验|继续测验")).click()
    expect(page.get_by_role("heading", name=re.compile("测验"))).to_be_visible()
    shots("quiz")
    page.get_by_role("button", name="交卷").click()
    expect(page.get_by_text("未通过")).to_be_visible()
    shots("failed-review")

    link = page.get_by_role("link", name="复习相关课节 ›").first
    href = link.get_attribute("href")
    link.click()
    anchor = href.split("#", 1)[1]
    expect(page.locator(f"[id='{anchor}']")).to_be_visible()
    shots("back-to-lesson")

    page.goto(f"{base}/lms/courses/{COURSE}/")
    page.get_by_role("button", name=re.compile("开始测验|继续测验")).click()
    attempt_id = int(re.search(r"/attempts/(\d+)", page.url).group(1))
    app = server_app(env)
    answer_everything_right(page, app, attempt_id)
    expect(page.locator("#save-status")).to_contain_text("已保存")
    assert wait_until_saved(app, attempt_id), "answers are saved as the learner goes"
    page.get_by_role("button", name="交卷").click()
    expect(page.get_by_text(re.compile("得分 100"))).to_be_visible()
    shots("passed")
