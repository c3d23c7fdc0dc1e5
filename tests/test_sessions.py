"""Sessions end on the server: logout, password change and deactivation revoke copied cookies; a login
starts a new session; sessions are bounded in time; login costs the same for every account (issue 17,
items 9 and 10)."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from lms.auth import login as login_module
from lms.auth.models import Staff
from lms.db import session
from tests.conftest import PASSWORD, login


def copied_cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_copied_cookie_stops_working_after_logout_for_pages_and_the_api(app, make_staff):
    staff = make_staff()
    browser = app.test_client()
    login(browser, staff)
    stolen = copied_cookie(browser)
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/lms/").status_code == 200
    assert thief.get("/lms/api/v1/me").status_code == 200
    assert browser.post("/lms/logout").status_code == 302
    thief.set_cookie("session", stolen)  # the thief keeps sending the cookie it copied
    assert thief.get("/lms/").status_code == 302  # to the login page
    assert thief.get("/lms/api/v1/me").status_code == 401


def test_a_password_change_or_deactivation_ends_every_session(app, make_staff):
    staff = make_staff()
    for end in ("password", "deactivate"):
        client = app.test_client()
        with app.app_context():
            person = session.get(Staff, staff.id)
            person.active = True
            session.commit()
        login(client, staff)
        assert client.get("/lms/").status_code == 200
        with app.app_context():
            person = session.get(Staff, staff.id)
            if end == "password":
                person.set_password(PASSWORD)
            else:
                person.active = False
                person.end_sessions()
            session.commit()
        assert client.get("/lms/").status_code == 302, end


def test_sessions_expire_after_the_configured_hours(app, make_staff, monkeypatch):
    client = app.test_client()
    login(client, make_staff())
    assert client.get("/lms/").status_code == 200
    later = time.time() + app.config["LMS_SESSION_HOURS"] * 3600 + 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/lms/").status_code == 302


def test_a_cookie_from_before_session_generations_is_refused(app, make_staff):
    staff = make_staff()
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(staff.id)  # the old format: the bare id, forever valid
        cookie["_fresh"] = True
        cookie["lms_login_at"] = int(time.time())
    assert client.get("/lms/").status_code == 302


def test_login_starts_a_new_session_keeping_only_the_language(app, make_staff):
    client = app.test_client()
    client.post("/lms/language", data={"locale": "en"})
    with client.session_transaction() as cookie:
        cookie["planted"] = "by an attacker before login"
    login(client, make_staff())
    with client.session_transaction() as cookie:
        assert "planted" not in cookie
        assert cookie.get("lms_locale") == "en"


@pytest.mark.parametrize("case", ["unknown", "no-password", "inactive", "wrong", "right"])
def test_every_login_path_checks_exactly_one_password_hash(app, make_staff, monkeypatch, case):
    """Equal work whatever the account: unknown numbers cost what real ones cost."""
    from lms.auth import passwords

    calls = []
    real = passwords.check_password_hash
    monkeypatch.setattr(
        passwords, "check_password_hash", lambda h, p: calls.append(h) or real(h, p)
    )
    staff = make_staff(active=case != "inactive")
    if case == "no-password":
        with app.app_context():
            session.get(Staff, staff.id).password_hash = None
            session.commit()
    number = "nobody" if case == "unknown" else staff.employee_no
    password = "wrong-password" if case == "wrong" else PASSWORD
    with app.app_context():
        login_module.authenticate(number, password)
        assert session.scalar(sa.select(sa.func.count(Staff.id))) == 1
    assert len(calls) == 1, case
    # ...and that comparison is as costly as a real one: the dummy hash uses the configured method.
    assert calls[0].startswith(app.config["LMS_PASSWORD_HASH"]), calls[0]
