"""The app factory, configuration, login, the database engine settings and the CLI."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms import create_app
from lms.audit.models import AuditEntry
from lms.auth.models import Staff
from lms.db import session
from tests.conftest import PASSWORD, login


def test_production_refuses_a_weak_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


STRONG = "3f9c1e7a8b2d4c6e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a"


@pytest.mark.parametrize(
    "key",
    [
        "x",
        "Mingli-Dev-Only",
        "MINGLI-DEV-ONLY",
        "changeme",
        "x" * 64,
        "abab" * 16,
        "short-but-random-9f3",
    ],
)
def test_production_refuses_weak_secret_keys(monkeypatch, tmp_path, key):
    monkeypatch.setenv("SECRET_KEY", key)
    monkeypatch.setenv("MINGLI_LMS_CERT_BASE_URL", "https://lms.example.cn")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_refuses_to_start_without_a_certificate_base_url(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", STRONG)
    monkeypatch.delenv("MINGLI_LMS_CERT_BASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    with pytest.raises(RuntimeError, match="LMS_CERT_BASE_URL"):
        create_app("production")


def test_production_reads_secret_and_database_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", STRONG)
    monkeypatch.setenv("MINGLI_LMS_CERT_BASE_URL", "https://lms.example.cn")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    app = create_app("production")
    assert app.config["SECRET_KEY"] == STRONG
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("prod.sqlite3")


@pytest.mark.parametrize(
    "method", ["pbkdf2:sha256:1", "pbkdf2:sha256:100000", "scrypt:1024:8:1", "plain", "md5"]
)
def test_production_refuses_a_weak_password_hash(monkeypatch, tmp_path, method):
    """The test configuration's cheap hash can never reach a production app."""
    monkeypatch.setenv("SECRET_KEY", STRONG)
    monkeypatch.setenv("MINGLI_LMS_CERT_BASE_URL", "https://lms.example.cn")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    monkeypatch.setenv("MINGLI_LMS_PASSWORD_HASH", method)
    with pytest.raises(RuntimeError, match="LMS_PASSWORD_HASH"):
        create_app("production")


@pytest.mark.parametrize("method", ["scrypt", "scrypt:32768:8:1", "pbkdf2:sha256:600000"])
def test_production_accepts_a_strong_password_hash(monkeypatch, tmp_path, method):
    monkeypatch.setenv("SECRET_KEY", STRONG)
    monkeypatch.setenv("MINGLI_LMS_CERT_BASE_URL", "https://lms.example.cn")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    monkeypatch.setenv("MINGLI_LMS_PASSWORD_HASH", method)
    assert create_app("production").config["LMS_PASSWORD_HASH"] == method


def test_passwords_are_hashed_with_scrypt_unless_configured(tmp_path):
    from lms.auth.models import Staff

    app = create_app({"CONFIG_NAME": "development", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        staff = Staff(employee_no="E1", name="甲")
        staff.set_password("correct-horse-9")
        assert staff.password_hash.startswith("scrypt:")
        assert staff.check_password("correct-horse-9")


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context(), app.extensions["lms"].db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    else:
        pytest.skip("SQLite only")


def test_login_with_wrong_password_gives_a_generic_message(client, make_staff):
    staff = make_staff()
    response = client.post("/lms/login", data={"employee_no": staff.employee_no, "password": "x"})
    assert "工号或密码不正确" in response.get_data(as_text=True)
    response = client.post("/lms/login", data={"employee_no": "nobody", "password": PASSWORD})
    assert "工号或密码不正确" in response.get_data(as_text=True)


def test_login_ignores_an_offsite_next(client, make_staff):
    staff = make_staff()
    response = client.post(
        "/lms/login?next=//evil.example/x",
        data={"employee_no": staff.employee_no, "password": PASSWORD},
    )
    assert response.location == "/lms/"


def test_login_ignores_a_next_with_line_breaks_or_control_characters(client, make_staff):
    staff = make_staff()
    for target in ("/%0d%0aSet-Cookie:x=1", "/lms/%0aX", "/%09/evil.example"):
        response = client.post(
            f"/lms/login?next={target}",
            data={"employee_no": staff.employee_no, "password": PASSWORD},
        )
        assert (response.status_code, response.location) == (302, "/lms/"), target
    # A NUL character is refused before anything reads the request (PostgreSQL cannot store it).
    response = client.post(
        "/lms/login?next=/%00", data={"employee_no": staff.employee_no, "password": PASSWORD}
    )
    assert (response.status_code, response.location) == (400, None)


def test_dashboard_lists_courses_and_reading_records_progress(client, make_staff):
    login(client, make_staff())
    assert "服务基础" in client.get("/lms/").get_data(as_text=True)
    assert "0 / 2 课" in client.get("/lms/").get_data(as_text=True)
    response = client.get("/lms/courses/basics/greeting")
    html = response.get_data(as_text=True)
    assert '<h2 id="smile">微笑</h2>' in html and 'href="#smile"' in html
    response = client.post("/lms/courses/basics/greeting/complete")
    assert response.location == "/lms/courses/basics/phone"
    assert "1 / 2 课" in client.get("/lms/").get_data(as_text=True)


def test_unknown_course_and_lesson_are_404(client, make_staff):
    login(client, make_staff())
    assert client.get("/lms/courses/nope/").status_code == 404
    assert client.get("/lms/courses/basics/nope").status_code == 404


def test_admin_changes_roles_and_it_is_audited(app, client, make_staff):
    admin = make_staff(("admin",))
    target = make_staff(("learner",))
    login(client, admin)
    response = client.post(
        f"/lms/staff/{target.employee_no}/roles", data={"roles": ["learner", "trainer"]}
    )
    assert response.status_code == 302
    with app.app_context():
        assert session.get(Staff, target.id).roles == {"learner", "trainer"}
        entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "staff.roles"))
        assert entry.actor_id == admin.id and entry.target_id == target.employee_no
        assert entry.details == {
            "before": ["learner"],
            "after": ["learner", "trainer"],
            "source": "web",
        }
    assert "修改角色" in client.get("/lms/admin/audit").get_data(as_text=True)  # the label


def test_create_user_command(app, runner):
    result = runner.invoke(
        args=["lms", "create-user", "T9", "--name", "老师", "--role", "trainer"],
        input="long-password\nlong-password\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        staff = session.scalar(sa.select(Staff).where(Staff.employee_no == "T9"))
        assert staff.roles == {"trainer"} and staff.check_password("long-password")
    again = runner.invoke(
        args=["lms", "create-user", "T9", "--name", "x"], input="long-password\nlong-password\n"
    )
    assert again.exit_code == 1 and "already exists" in again.output


def test_behind_a_reverse_proxy_the_forwarded_scheme_and_host_are_used(tmp_path):
    app = create_app(
        {
            "CONFIG_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}",
            "PROXY_FIX": True,
        }
    )
    seen: dict = {}

    def capture(environ, start_response):
        seen.update(environ)
        start_response("200 OK", [])
        return [b""]

    app.wsgi_app.app = capture  # what the Flask app would receive from the proxy middleware
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "training.example.org"}
    app.test_client().get("/lms/login", headers=headers).close()
    assert seen["wsgi.url_scheme"] == "https"
    assert seen["HTTP_HOST"] == "training.example.org"


def test_one_table_holds_every_lms_setting():
    """Issue 11: every ``LMS_*`` key the code reads has its default in ``lms.defaults``."""
    import ast
    from dataclasses import fields

    from lms.defaults import DEFAULTS
    from lms.quizzes.lint import CONFIG_KEYS, LintSettings
    from tests.conftest import PROJECT

    computed = {"LMS_CONTENT_DIR", "LMS_SQLITE_PRAGMAS"}
    used = set()
    for path in (PROJECT / "lms").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value.startswith("LMS_") and node.value.isupper():
                    used.add(node.value)
    assert used - computed - set(DEFAULTS) == set()
    defaults = LintSettings()
    for f in fields(LintSettings):
        assert DEFAULTS[CONFIG_KEYS[f.name]] == getattr(defaults, f.name), f.name


def test_init_app_gives_a_host_every_default_and_keeps_its_own(tmp_path):
    from flask import Flask

    from lms import LMS
    from lms.defaults import DEFAULTS

    host = Flask("host")
    host.config.update(
        SECRET_KEY="host-secret",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'h.db'}",
        LMS_PLAN_DUE_SOON_DAYS=3,
    )
    LMS(host)
    assert host.config["LMS_PLAN_DUE_SOON_DAYS"] == 3
    assert all(key in host.config for key in DEFAULTS)
    with host.app_context():
        host.extensions["lms"].db.engine.dispose()
