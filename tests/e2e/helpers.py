"""What every journey needs: logging in, the live server's database, waiting on a condition, PDFs."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from typing import Any

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
    page.goto(base + "/lms/login")
    page.get_by_label("工号").fill(employee_no)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    # Learners land on their courses, HR and admins on the training overview.
    heading = page.get_by_role("heading", name=re.compile("^(我的课程|培训概况)"))
    expect(heading.first).to_be_visible()


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
