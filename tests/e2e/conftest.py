"""A real browser (Debian's Chromium headless shell, driven by Playwright) against the app served
on 127.0.0.1. The headless shell is the browser Playwright itself runs headless: the same Blink as
Chromium without its desktop shell: the journeys' browser processes took 146 CPU-seconds in it
against 208 with ``chromium --headless``.

Screenshots of each journey's key steps go to ``test-artifacts/screenshots`` (git-ignored), at
desktop and phone widths.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import (
    PROJECT,
    demo_server_database,
    recreate_server_database,
    run_folder,
    server_database_url,
)
from tests.e2e import demo
from tests.live import gunicorn

CHROMIUM = "/usr/bin/chromium-headless-shell"
ARTIFACTS = PROJECT / "test-artifacts" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 812}}

if not Path(CHROMIUM).exists():  # pragma: no cover - the README's test set-up installs it
    pytest.skip(f"{CHROMIUM} is missing: run scripts/test to install it", allow_module_level=True)

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

from tests.e2e.helpers import check_accessibility, page_key  # noqa: E402


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:
    """The standalone app with the real courses and demo accounts, on a copy of the run's demo
    organisation (tests/e2e/demo.py): its own database, other tests reset theirs meanwhile."""
    folder = run_folder(tmp_path_factory) / "e2e-demo"
    demo.start(folder, demo_server_database)  # if the session's start did not
    instance = tmp_path_factory.mktemp("e2e-instance")
    env = dict(os.environ, MINGLI_INSTANCE_PATH=str(instance), MINGLI_CONFIG="development")
    env.pop("MINGLI_TEST_DATABASE_URL", None)
    demo.wait(folder)
    template = demo.server_database(folder)
    if template:
        with open(folder / "copy.lock", "w") as lock:  # one copy of the template at a time
            fcntl.flock(lock, fcntl.LOCK_EX)
            own = server_database_url("e2e")
            env["MINGLI_SQLALCHEMY_DATABASE_URI"] = recreate_server_database(own, template)
    else:
        demo.copy_sqlite(folder, instance)
    with gunicorn(env, instance / "gunicorn.log", port=demo.port(folder)) as base:
        yield base, env


@pytest.fixture(scope="session")
def live_app(live_server):
    """An app on the live server's database, in the test process: to look up what the page does
    not show (a drawn question's right answer) or wait for a write to land."""
    from lms.db import engine
    from tests.e2e.helpers import server_app

    app = server_app(live_server[1])
    yield app
    with app.app_context():
        engine().dispose()  # closes the pooled connections (PostgreSQL warns about open ones)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser: Browser) -> Iterator[Page]:
    """A fresh browser context per test, at desktop and phone width; console errors (CSP violations
    among them) and server errors fail the test, and so does a page the test showed without
    checking it with axe (``check_accessibility``, which every screenshot runs)."""
    # A Chinese browser (Accept-Language zh-CN): the journeys read the default, Chinese UI.
    context = browser.new_context(
        viewport=VIEWPORTS[request.param], accept_downloads=True, locale="zh-CN"
    )
    page = context.new_page()
    page.viewport_name = request.param
    page.problems = []
    page.axe_checked = set()  # pages (paths) axe found no violation on
    visited: list[str] = []

    def on_navigated(frame) -> None:
        if frame == page.main_frame and frame.url.startswith("http"):
            visited.append(page_key(frame.url))

    def on_console(message) -> None:
        # Failed loads are judged by their response below (a missing favicon is no fault).
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            page.problems.append(message.text)

    def on_response(response) -> None:
        missing = response.status == 404 and not response.url.endswith("/favicon.ico")
        if response.status >= 500 or missing:
            page.problems.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("framenavigated", on_navigated)
    yield page
    context.close()
    assert not page.problems, page.problems
    unchecked = sorted(set(visited) - page.axe_checked)
    assert not unchecked, f"pages shown but not checked with axe: {unchecked}"


class Shots:
    """Numbered screenshots per journey and viewport."""

    def __init__(self, page: Page, journey: str) -> None:
        self.page = page
        self.folder = ARTIFACTS / journey
        self.folder.mkdir(parents=True, exist_ok=True)
        self.n = 0

    def __call__(self, step: str) -> None:
        check_accessibility(self.page)
        self.n += 1
        self.page.screenshot(
            path=str(self.folder / f"{self.n:02d}-{step}-{self.page.viewport_name}.png"),
            full_page=False,
        )


@pytest.fixture
def shots(page: Page, request) -> Shots:
    name = request.node.originalname.removeprefix("test_")
    return Shots(page, name)
