"""Security headers, a CSP the pages satisfy, and the failed-login limit."""

from __future__ import annotations

import re

import sqlalchemy as sa

from lms.audit.models import AuditEntry
from lms.db import session
from tests.conftest import PASSWORD, login


def test_every_lms_response_carries_the_security_headers(client):
    for path in ("/lms/login", "/lms/static/lms.css", "/lms/nowhere"):
        response = client.get(path)
        response.close()
        assert "default-src 'self'" in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_need_no_inline_script_or_style(client, make_staff):
    """The CSP forbids inline code, so the pages must not rely on any."""
    login(client, make_staff(("admin", "learner")))
    client.post("/lms/courses/basics/quiz")
    pages = ["/lms/", "/lms/courses/basics/", "/lms/courses/basics/greeting", "/lms/staff/"]
    attempt = client.post("/lms/courses/basics/quiz").location
    pages.append(attempt)
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"\sstyle=", html), path
        assert not re.search(r"\son[a-z]+=", html), path
        for script in re.findall(r"<script[^>]*>", html):
            assert "src=" in script, (path, script)


def test_repeated_failed_logins_lock_the_account_for_a_while(app, client, make_staff):
    staff = make_staff()
    for _ in range(5):
        response = client.post(
            "/lms/login", data={"employee_no": staff.employee_no, "password": "wrong"}
        )
        assert response.status_code == 200
    response = client.post(
        "/lms/login", data={"employee_no": staff.employee_no, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "登录失败次数过多" in response.get_data(as_text=True)
    with app.app_context():
        failures = session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "auth.login_failed")
        )
        assert failures == 5
        # The window passes: the failures age out and the right password works again.
        for entry in session.scalars(sa.select(AuditEntry)):
            entry.at = entry.at.replace(year=entry.at.year - 1)
        session.commit()
    login(client, staff)


def test_session_cookie_flags(client, make_staff):
    staff = make_staff()
    response = client.post(
        "/lms/login", data={"employee_no": staff.employee_no, "password": PASSWORD}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_any_page_number_gives_a_page_not_a_server_error(client, make_staff):
    """``?page=`` past what a database OFFSET holds once answered 500 on four lists."""
    login(client, make_staff(("admin", "hr")))
    lists = ("/lms/plan/", "/lms/staff/", "/lms/certificates/", "/lms/admin/audit", "/lms/plan/overdue",
             "/lms/plan/expiring", "/lms/plan/?sort=urgency")  # fmt: skip
    for path in lists:
        for page in ("1e20", "9" * 30, "-5", "", "x", "0", "1000001"):
            response = client.get(f"{path}?page={page}&per_page={page}")
            assert response.status_code == 200, (path, page)
