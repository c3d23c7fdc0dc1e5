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


def fail_logins(client, employee_no: str, times: int, **kwargs) -> None:
    for _ in range(times):
        client.post("/lms/login", data={"employee_no": employee_no, "password": "wrong"}, **kwargs)


def test_a_guesser_does_not_lock_out_the_real_person_on_their_own_device(app, make_staff):
    """Issue 17 item 6: five wrong passwords from elsewhere must not lock the admin out."""
    admin = make_staff(("learner", "admin"))
    own = app.test_client()
    login(own, admin)  # the admin's browser now holds a device cookie for this account
    own.post("/lms/logout")
    attacker = app.test_client()
    fail_logins(attacker, admin.employee_no, 8, environ_base={"REMOTE_ADDR": "10.0.0.66"})
    response = attacker.post(
        "/lms/login",
        data={"employee_no": admin.employee_no, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.66"},
    )
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    login(own, admin)  # the real admin, on their own device: not refused


def test_one_address_failing_for_many_accounts_locks_nobody_else(app, make_staff):
    """A whole hospital behind one NAT: someone else's failures do not lock my account."""
    people = [make_staff() for _ in range(4)]
    noisy = app.test_client()
    for person in people[:3]:
        fail_logins(noisy, person.employee_no, 6)
    colleague = app.test_client()  # same address (the test client's), never failed
    login(colleague, people[3])


def test_waits_grow_with_each_failure_and_admin_sees_and_lifts_them(app, make_staff):
    from lms.auth.throttle import wait_seconds

    assert [wait_seconds(n, 5, 30, 900) for n in (0, 4, 5, 6, 7, 20)] == [0, 0, 30, 60, 120, 900]
    staff = make_staff()
    client = app.test_client()
    fail_logins(client, staff.employee_no, 5)
    admin = app.test_client()
    login(admin, make_staff(("learner", "admin")))
    page = admin.get("/lms/admin/lockouts").get_data(as_text=True)
    assert staff.employee_no in page
    assert admin.post(f"/lms/admin/lockouts/{staff.employee_no}/lift").status_code == 302
    assert f"<td data-content>{staff.employee_no}</td>" not in admin.get(
        "/lms/admin/lockouts"
    ).get_data(as_text=True)
    login(client, staff)  # lifted: the right password works at once
    with app.app_context():
        assert (
            session.scalar(
                sa.select(sa.func.count(AuditEntry.id)).where(
                    AuditEntry.action == "auth.lockout_lifted"
                )
            )
            == 1
        )


def test_session_cookie_flags(client, make_staff):
    staff = make_staff()
    response = client.post(
        "/lms/login", data={"employee_no": staff.employee_no, "password": PASSWORD}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_an_oversized_post_is_refused_before_it_is_read(app, client, make_staff):
    """Issue 17 item 11: an anonymous huge POST to the login is a 413, not spooled to disk."""
    big = b"x" * (app.config["LMS_MAX_REQUEST_BYTES"] + 1)
    response = client.post(
        "/lms/login", data=big, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413
    form = {"employee_no": "a", "password": "b", "padding": "y" * 600_000}
    assert client.post("/lms/login", data=form).status_code == 413
    api = client.post("/lms/api/v1/courses/basics/attempts", data=big)
    assert api.status_code == 413 and api.json["error"]


def test_import_routes_take_files_up_to_the_import_limit(app, client, make_staff):
    from io import BytesIO

    login(client, make_staff(("hr",)))
    # Below werkzeug's 500 KB spooling threshold, so the test client leaves no temporary file.
    app.config["LMS_MAX_REQUEST_BYTES"] = 100_000
    rows = "".join(f"N{n:05d},员工{n}\n" for n in range(15_000)).encode()
    assert app.config["LMS_MAX_REQUEST_BYTES"] < len(rows) < app.config["LMS_MAX_IMPORT_BYTES"]
    response = client.post(
        "/lms/staff/import",
        data={"file": (BytesIO(b"employee_no,name\n" + rows), "staff.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200


def test_the_host_keeps_its_own_request_size(tmp_path):
    from flask import Flask, request

    from lms import LMS

    host = Flask("host")
    host.config.update(
        SECRET_KEY="host-secret",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'h.db'}",
        WTF_CSRF_ENABLED=False,  # the app-wide CSRF check is issue 11
    )

    @host.post("/upload")
    def upload():
        return str(len(request.get_data()))

    LMS(host)
    big = b"x" * (3 * 1024 * 1024)
    response = host.test_client().post("/upload", data=big)
    assert response.get_data(as_text=True) == str(len(big))
    response.close()
    with host.app_context():
        host.extensions["lms"].db.engine.dispose()


def test_any_page_number_gives_a_page_not_a_server_error(client, make_staff):
    """``?page=`` past what a database OFFSET holds once answered 500 on four lists."""
    login(client, make_staff(("admin", "hr")))
    lists = ("/lms/plan/", "/lms/staff/", "/lms/certificates/", "/lms/admin/audit", "/lms/plan/overdue",
             "/lms/plan/expiring", "/lms/plan/?sort=urgency")  # fmt: skip
    for path in lists:
        for page in ("1e20", "9" * 30, "-5", "", "x", "0", "1000001"):
            response = client.get(f"{path}?page={page}&per_page={page}")
            assert response.status_code == 200, (path, page)


def test_text_with_a_nul_character_is_a_400_on_every_engine(client, make_staff):
    """PostgreSQL refuses NUL in text columns: it must never reach the database (a 500 there)."""
    assert (
        client.post("/lms/login", data={"employee_no": "a\x00b", "password": "x"}).status_code
        == 400
    )
    login(client, make_staff(("admin", "learner")))
    assert client.get("/lms/plan/?q=%00").status_code == 400
    assert client.get("/lms/staff/%00/edit").status_code == 400
    api = client.post(
        "/lms/api/v1/courses/basics/attempts",
        data='{"x": "\\u0000"}',
        headers={"Content-Type": "application/json"},
    )
    assert api.status_code == 400
