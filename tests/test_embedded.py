"""The plugin inside a host application: its own prefix, tables and the host's idea of who is logged in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask import session as host_session
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.pool import NullPool

from lms import LMS, StaffIdentity
from lms.auth.models import Staff
from lms.content.sync import sync_content
from lms.db import session
from tests.conftest import database_url, reset_schema

HOST_USERS = {
    "alice": StaffIdentity("H-100", "艾丽丝", "门诊部", "导医", {"learner"}),
    "tom": StaffIdentity("H-200", "汤姆", "培训部", "培训师", {"learner", "trainer"}),
}


def make_host(tmp_path: Path, content_dir: Path, *, csrf: bool = False) -> tuple[Flask, SQLAlchemy]:
    host = Flask("host_app")
    host.config.update(
        SECRET_KEY="host-secret",
        SQLALCHEMY_DATABASE_URI=database_url(tmp_path),
        SQLALCHEMY_ENGINE_OPTIONS={"poolclass": NullPool},
        LMS_URL_PREFIX="/training",
        LMS_CONTENT_DIR=str(content_dir),
        LMS_LOGIN_URL="/host-login",
    )
    if not csrf:
        host.config["WTF_CSRF_ENABLED"] = False
    db = SQLAlchemy()
    db.init_app(host)

    class Note(db.Model):  # one of the host's own tables
        __tablename__ = "host_notes"
        id = db.Column(db.Integer, primary_key=True)

    @host.post("/api/notes")
    def add_note():  # a host's JSON API: no CSRF token, as every JSON API
        note = Note()
        db.session.add(note)
        db.session.commit()
        return {"id": note.id}

    @host.get("/host-login/<name>")
    def host_login(name: str):
        host_session["user"] = name
        return "ok"

    lms = LMS()

    @lms.user_adapter
    def who() -> StaffIdentity | None:
        return HOST_USERS.get(host_session.get("user", ""))

    lms.init_app(host)
    with host.app_context():
        db.create_all()
    reset_schema(host)
    with host.app_context():
        sync_content(content_dir)
    return host, db


@pytest.fixture
def host(tmp_path: Path, content_dir: Path) -> Flask:
    app, _ = make_host(tmp_path, content_dir)
    return app


def test_lessons_are_served_under_the_hosts_prefix_for_the_hosts_user(host):
    client = host.test_client()
    response = client.get("/training/courses/basics/greeting")
    assert response.status_code == 302 and response.location == "/host-login"
    client.get("/host-login/alice")
    response = client.get("/training/courses/basics/greeting")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "问候与微笑" in html and "艾丽丝" in html
    assert "/training/static/lms.css" in html
    assert client.get("/lms/").status_code == 404
    with host.app_context():
        staff = session.scalar(sa.select(Staff).where(Staff.employee_no == "H-100"))
        assert staff.source == "host" and staff.department == "门诊部"
        assert staff.roles == {"learner"}


def test_host_roles_decide_access(host):
    client = host.test_client()
    client.get("/host-login/alice")
    assert client.get("/training/trainer/").status_code == 403
    client.get("/host-login/tom")
    assert client.get("/training/trainer/").status_code == 200


def test_the_plugins_own_login_is_off_under_a_host(host):
    assert host.test_client().get("/training/login").status_code == 404


def test_tables_are_prefixed_and_the_hosts_are_untouched(host):
    with host.app_context():
        names = sa.inspect(host.extensions["sqlalchemy"].engine).get_table_names()
    assert "host_notes" in names
    assert all(n.startswith("lms_") for n in names if n != "host_notes")


def test_registering_twice_is_an_error(host):
    with pytest.raises(RuntimeError, match="already registered"):
        LMS(host)


def test_a_host_with_its_own_flask_login_must_give_an_adapter(tmp_path):
    from flask_login import LoginManager

    host = Flask("host_app")
    host.config["SQLALCHEMY_DATABASE_URI"] = database_url(tmp_path)
    host.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"poolclass": NullPool}
    LoginManager(host)
    with pytest.raises(RuntimeError, match="user_adapter"):
        LMS(host)


def test_the_hosts_json_post_works_with_csrf_on_and_lms_forms_stay_protected(
    tmp_path: Path, content_dir: Path
):
    """Issue 11: CSRF is enforced on the LMS's own routes only."""
    host, db = make_host(tmp_path, content_dir, csrf=True)
    client = host.test_client()
    response = client.post("/api/notes", json={"text": "挂号处排队"})
    assert response.status_code == 200 and response.json["id"] == 1
    client.get("/host-login/alice")
    refused = client.post("/training/courses/basics/greeting/complete")
    assert refused.status_code == 400
    page = client.get("/training/courses/basics/greeting").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    done = client.post("/training/courses/basics/greeting/complete", data={"csrf_token": token})
    assert done.status_code == 302
    assert "csrf_token" not in host.jinja_env.globals  # the host's templates are untouched
    with host.app_context():
        db.engine.dispose()


def test_the_hosts_sqlite_engine_is_left_as_the_host_configured_it(host):
    with host.app_context(), host.extensions["sqlalchemy"].engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() != "wal"
