"""Accessibility and phone layout promises that hold in the HTML itself (axe runs on the real pages
in tests/e2e): a skip link first, no nameless column, lists that turn into cards on a phone, the
lesson's title before its folded contents; and the development certificate QR's address."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask import Flask

from lms import create_app
from lms.certificates import issue
from lms.certificates.errors import CertificateRefused
from tests.conftest import database_url, login

FOCUSABLE = {"a", "button", "input", "select", "textarea", "summary"}


class Outline(HTMLParser):
    """The focusable elements in document order, and every table header's text."""

    def __init__(self) -> None:
        super().__init__()
        self.focusable: list[dict[str, str | None]] = []
        self.headers: list[str] = []
        self._th: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        hidden = a.get("type") == "hidden" or "hidden" in a
        if tag in FOCUSABLE and not hidden:
            self.focusable.append({"tag": tag, **a})
        if tag == "th":
            self._th = []

    def handle_data(self, data: str) -> None:
        if self._th is not None:
            self._th.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "th" and self._th is not None:
            self.headers.append("".join(self._th).strip())
            self._th = None


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def test_the_skip_link_is_the_first_stop_on_every_page(client, make_staff):
    page = client.get("/lms/login").get_data(as_text=True)
    first = outline(page).focusable[0]
    assert first["href"] == "#main" and first["class"] == "skip-link", first
    assert '<main id="main" tabindex="-1">' in page
    login(client, make_staff(roles=("learner", "hr", "trainer", "admin")))
    for url in ["/lms/", "/lms/courses/basics/", "/lms/certificates/mine", "/lms/plan/"]:
        page = client.get(url).get_data(as_text=True)
        first = outline(page).focusable[0]
        assert first["href"] == "#main", (url, first)
        assert "跳到正文" in page


def test_every_column_has_a_name(client, make_staff):
    login(client, make_staff(roles=("learner", "hr", "trainer", "admin")))
    urls = ["/lms/trainer/", "/lms/plan/requirements", "/lms/staff/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        headers = outline(response.get_data(as_text=True)).headers
        assert headers and all(headers), (url, headers)


def test_hr_lists_and_my_certificates_become_cards_with_labelled_cells(client, make_staff):
    login(client, make_staff(roles=("learner", "hr")))
    for url in ["/lms/staff/", "/lms/plan/requirements", "/lms/plan/overdue"]:
        page = client.get(url).get_data(as_text=True)
        assert '<table class="cards-phone">' in page, url
    page = client.get("/lms/staff/").get_data(as_text=True)
    row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", page, re.S).group(1)
    labels = re.findall(r'<td data-label="([^"]+)"', row)
    assert labels == ["选择", "工号", "姓名", "部门", "岗位", "入职日期", "角色", "状态", "账号"]


def test_the_lesson_title_comes_before_its_folded_contents(client, make_staff):
    login(client, make_staff())
    course = client.get("/lms/courses/basics/").get_data(as_text=True)
    href = re.search(r'href="(/lms/courses/basics/[^"/]+)"', course).group(1)
    page = client.get(href).get_data(as_text=True)
    title = page.index('<h1 class="lesson-title"')
    toc = page.index('<details class="toc" id="lesson-toc">')
    assert title < toc < page.index('<article class="lesson"')
    assert "<summary>目录</summary>" in page


@pytest.fixture
def development_app(tmp_path, monkeypatch) -> Flask:
    monkeypatch.delenv("MINGLI_LMS_CERT_BASE_URL", raising=False)
    return create_app(
        {"CONFIG_NAME": "development", "SQLALCHEMY_DATABASE_URI": database_url(tmp_path)}
    )


@pytest.mark.parametrize("port", [5000, 8123])
def test_development_certificates_point_at_the_port_served(development_app, port):
    """The QR of a certificate issued in development names the address the app is reached at,
    not a fixed :5000 (scripts/serve takes PORT; the e2e server runs on a free port)."""
    with development_app.test_request_context(base_url=f"http://127.0.0.1:{port}"):
        assert issue.verify_url("MLC-AAAA") == f"http://127.0.0.1:{port}/lms/verify/MLC-AAAA"
    with development_app.test_request_context(base_url=f"http://localhost:{port}"):
        assert issue.verify_url("MLC-AAAA") == f"http://localhost:{port}/lms/verify/MLC-AAAA"


def test_development_refuses_a_foreign_host_and_an_unknown_address(development_app):
    with development_app.test_request_context(base_url="http://evil.example:5000"):
        with pytest.raises(CertificateRefused):
            issue.verify_url("MLC-AAAA")
    with development_app.app_context(), pytest.raises(CertificateRefused):
        issue.verify_url("MLC-AAAA")  # a command outside a request: MINGLI_LMS_CERT_BASE_URL


def test_development_takes_the_base_url_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MINGLI_LMS_CERT_BASE_URL", "http://127.0.0.1:8123")
    app = create_app(
        {"CONFIG_NAME": "development", "SQLALCHEMY_DATABASE_URI": database_url(tmp_path)}
    )
    with app.app_context():
        assert issue.verify_url("MLC-B") == "http://127.0.0.1:8123/lms/verify/MLC-B"
