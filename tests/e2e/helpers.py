"""What every journey needs: logging in, the live server's database, waiting on a condition, PDFs,
and axe-core's accessibility check of the page shown."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Download, Page, expect
from pypdf import PdfReader

from lms import create_app


def server_app(env: dict[str, str]):
    """The same database the live server uses, to look things up that the page does not show."""
    config = {"CONFIG_NAME": "development"}
    if env.get("MINGLI_SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = env["MINGLI_SQLALCHEMY_DATABASE_URI"]
    else:
        config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{env['MINGLI_INSTANCE_PATH']}/mingli.sqlite3"
        )
    return create_app(config)


def log_in(page: Page, base: str, employee_no: str, password: str) -> None:
    """Log in through the form; axe checks the login page and the dashboard it leads to."""
    page.goto(base + "/lms/login")
    check_accessibility(page)
    page.get_by_label("工号").fill(employee_no)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    # Learners land on their courses, HR and admins on the training overview.
    heading = page.get_by_role("heading", name=re.compile("^(我的课程|培训概况)"))
    expect(heading.first).to_be_visible()
    check_accessibility(page)


def wait_for(condition: Callable[[], Any], seconds: float = 15) -> Any:
    """Poll ``condition`` until it returns something truthy (a condition with a deadline, never a
    fixed delay); returns that value, or the last falsy one when the deadline passes."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def downloaded(download: Download) -> bytes:
    with open(download.path(), "rb") as f:
        return f.read()


def pdf_text(pdf: bytes) -> tuple[int, str]:
    """(page count, the text of every page with white space removed: CJK text extracted from a
    PDF often comes out with spaces or line breaks between the characters)."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return len(pages), re.sub(r"\s+", "", "".join(p.extract_text() for p in pages))


def put_in_order(page: Page, question, steps: list[str]) -> None:
    """Order an ordering question's list (the quiz page's script) by keyboard alone: focus a step's
    上移 button and press Enter until every step is in its place."""
    texts = question.locator(".order-list .order-text")
    while (current := [t.strip() for t in texts.all_inner_texts()]) != steps:
        target = next(i for i, (a, b) in enumerate(zip(current, steps, strict=True)) if a != b)
        question.get_by_role("button", name=f"上移：{steps[target]}").focus()
        for _ in range(current.index(steps[target]) - target):
            page.keyboard.press("Enter")


def show_question(page: Page, position: int) -> None:
    """On a paged quiz (one question per screen), go to question ``position`` with the navigator."""
    if page.locator("#quiz-form.paged").count():
        navigator = page.get_by_role("navigation", name="题目导航")
        navigator.get_by_role("button", name=re.compile(rf"^第 {position} 题")).click()


AXE = Axe()  # axe-core as bundled by axe-playwright-python: no download at test time

# axe-core parses every colour it reads from a computed style with colorjs.io, afresh each time:
# on the journeys' larger pages (tables of 50 rows) that was half of a check. The same text always
# parses to the same colour, so the page keeps each result; a text that fails to parse is tried
# again, as before, and still reported. Measured on the demo's staff, plan and certificate pages:
# 0.7-1.4 s a check -> 0.4-0.7 s, with identical results (test_accessibility_check compares).
REMEMBER_COLOURS = """() => {
  const Color = axe.commons && axe.commons.color && axe.commons.color.Color;
  if (!Color || typeof Color.prototype.parseString !== "function") return false;
  const parse = Color.prototype.parseString, parsed = new Map();
  Color.prototype.parseString = function (text) {
    const known = parsed.get(text);
    if (known === undefined) {
      parse.call(this, text);
      parsed.set(text, [this.r, this.g, this.b, this.alpha]);
    } else {
      [this.r, this.g, this.b, this.alpha] = known;
    }
    return this;
  };
  return true;
}"""


def axe_results(page: Page, options: dict | None = None) -> dict:
    """axe-core's results for the page as shown now (by default only the violations are worked
    out in full). axe is put into each document once, with its colours remembered."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.axe_script)
        page.evaluate(REMEMBER_COLOURS)
    return page.evaluate(
        "options => axe.run(document, options)", options or {"resultTypes": ["violations"]}
    )


def axe_violations(page: Page) -> list[str]:
    """axe-core's violations on the page as shown now, one line per node: rule id, the node's
    selector and the rule's summary (what a developer needs to find and fix it)."""
    lines = []
    for violation in axe_results(page)["violations"]:
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"{violation['id']}: {target}: {violation['help']}")
    return lines


def page_key(url: str) -> str:
    """The page a URL shows, for "was this page checked": its path (the query and fragment show
    the same template)."""
    return urlsplit(url).path


def check_accessibility(page: Page) -> None:
    """Fail, listing every violation, unless axe finds the page accessible; remembers the page
    as checked (``page.axe_checked``, kept by the ``page`` fixture)."""
    page.wait_for_load_state("load")
    violations = axe_violations(page)
    checked = getattr(page, "axe_checked", None)
    if checked is not None:
        checked.add(page_key(page.url))
    where = f"{page.url} ({getattr(page, 'viewport_name', '?')})"
    assert not violations, f"axe: {len(violations)} violation(s) on {where}:\n" + "\n".join(
        violations
    )
