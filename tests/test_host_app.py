"""Issue 11: ``examples/host_app`` — a portal with its own models, login, JSON API and migrations —
with Mingli mounted at ``/training`` and CSRF on; and the same portal on the installed wheel, in a
virtualenv outside the checkout."""

from __future__ import annotations

import compileall
import importlib.util
import os
import re
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade as migrate_upgrade
from sqlalchemy.pool import NullPool
from werkzeug.security import generate_password_hash

from lms.db import Base
from lms.migrate import upgrade_database
from tests.conftest import PROJECT, database_url

HOST_APP = PROJECT / "examples" / "host_app"


def load_portal():
    spec = importlib.util.spec_from_file_location("portal", HOST_APP / "portal.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def portal(tmp_path: Path):
    module = load_portal()
    app: Flask = module.create_portal(
        {
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
            "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": NullPool},
            "LMS_CONTENT_DIR": str(PROJECT / "tests" / "content"),
            "LMS_CERT_TEMPLATES_DIR": str(PROJECT / "certificates"),
            "LMS_CERT_BASE_URL": "https://portal.example.cn/training",
        }
    )  # WTF_CSRF_ENABLED is left at its default: on
    with app.app_context():
        drop_everything(module.db)
        migrate_upgrade(directory=str(HOST_APP / "migrations"))  # the portal's own migrations
        upgrade_database()  # Mingli's
        from lms.content.sync import sync_content

        sync_content(PROJECT / "tests" / "content")
        module.db.session.add(
            module.User(
                badge="P-1",
                name="周护士",
                department="门诊部",
                title="护士",
                password_hash=generate_password_hash("portal-pass"),
            )
        )
        module.db.session.commit()
    yield app, module
    with app.app_context():
        drop_everything(module.db)
        module.db.engine.dispose()


def drop_everything(db) -> None:
    Base.metadata.drop_all(db.engine)
    with db.engine.begin() as conn:
        for table in ("portal_notes", "portal_users", "alembic_version", "lms_alembic_version"):
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))


def log_in(client) -> None:
    response = client.post("/login", data={"badge": "P-1", "password": "portal-pass"})
    assert response.status_code == 302


def test_the_portals_json_api_and_error_pages_stay_the_portals(portal):
    app, _module = portal
    app.config["TESTING"] = False  # let the portal's own 500 page answer, as in production
    client = app.test_client()
    log_in(client)
    response = client.post("/api/notes", json={"text": "今天门诊量大"})
    assert response.status_code == 200 and response.json == {"id": 1, "text": "今天门诊量大"}
    assert client.get("/no-such-page").get_data(as_text=True) == "Portal: no such page"
    assert client.get("/boom").get_data(as_text=True) == "Portal: something broke"
    # An unknown path is a routing failure: the portal has its own 404 page, so it answers.
    assert client.get("/training/no-such-page").get_data(as_text=True) == "Portal: no such page"
    lms_404 = client.get("/training/courses/no-such-course/")  # a 404 raised by an LMS view
    assert lms_404.status_code == 404 and "找不到页面" in lms_404.get_data(as_text=True)


def test_a_portal_user_takes_a_course_and_gets_a_certificate(portal):
    app, module = portal
    client = app.test_client()
    log_in(client)
    assert client.get("/training/").status_code == 200
    page = client.get("/training/courses/basics/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/training/courses/basics/quiz").status_code == 400  # no token: refused
    started = client.post("/training/courses/basics/quiz", data={"csrf_token": token})
    assert started.status_code == 302
    attempt_id = int(started.location.rstrip("/").split("/")[-1])
    with app.app_context():
        from lms.quizzes import grading
        from lms.quizzes.models import Attempt

        attempt = module.db.session.get(Attempt, attempt_id)
        answers = {
            f"q{r.position}": grading.view_answer(
                r.question_version.data,
                r.presentation,
                grading.correct_answer(r.question_version.data),
            )
            for r in attempt.responses
        }
    form = {"csrf_token": token}
    for name, shown in answers.items():
        if isinstance(shown, list):
            form[name] = [str(v) for v in shown]
        elif isinstance(shown, dict):
            form.update({f"{name}-{k}": str(v) for k, v in shown.items()})
        elif isinstance(shown, bool):
            form[name] = "true" if shown else "false"
        else:
            form[name] = str(shown)
    submitted = client.post(f"/training/attempts/{attempt_id}/submit", data=form)
    assert submitted.status_code == 302
    mine = client.get("/training/certificates/mine").get_data(as_text=True)
    assert "MLC-" in mine
    with app.app_context():
        users = module.db.session.scalars(sa.select(module.User)).all()
        assert [(u.badge, u.name) for u in users] == [("P-1", "周护士")]  # untouched
        tables = set(sa.inspect(module.db.engine).get_table_names())
        assert {"portal_users", "portal_notes"} <= tables
        assert set(module.db.metadata.tables) == {"portal_users", "portal_notes"}


WHEEL_SCRIPT = textwrap.dedent(
    """
    import sys
    from portal import create_portal, db, User
    from werkzeug.security import generate_password_hash

    app = create_portal()
    with app.app_context():
        import lms
        assert "site-packages" in lms.__file__, lms.__file__
        db.session.add(User(badge="P-1", name="周护士", password_hash=generate_password_hash("pw")))
        db.session.commit()
    client = app.test_client()
    print("notes", client.post("/api/notes", json={"text": "x"}).status_code)
    print("404", client.get("/nowhere").get_data(as_text=True))
    client.post("/login", data={"badge": "P-1", "password": "pw"})
    print("notes", client.post("/api/notes", json={"text": "x"}).status_code)
    print("training", client.get("/training/").status_code)
    """
)


def test_the_installed_wheel_serves_the_portal_outside_the_checkout(tmp_path: Path):
    """Build the wheel, install it into a fresh virtualenv, run ``flask lms init`` and requests."""
    wheels = tmp_path / "wheels"
    # A checkout keeps compiled modules beside the migrations the package data takes: not in a wheel.
    compileall.compile_file(str(PROJECT / "lms" / "migrations" / "env.py"), quiet=1)
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(PROJECT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(wheels.glob("mingli-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        compiled = [n for n in archive.namelist() if "__pycache__" in n or n.endswith(".pyc")]
    assert compiled == [], compiled
    venv = tmp_path / "venv"
    # Without pip of its own (ensurepip took 4.6 s): this run's pip installs into it (--python).
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    python = venv / "bin" / "python"
    # The dependencies come from this test run's environment (a path, not its .pth files, so the
    # checkout's editable install stays out); Mingli itself only from the wheel.
    site = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True,
        ).strip()
    )
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    work = tmp_path / "portal"
    work.mkdir()
    (work / "portal.py").write_text((HOST_APP / "portal.py").read_text(encoding="utf-8"))
    subprocess.run(["cp", "-r", str(HOST_APP / "migrations"), str(work / "migrations")], check=True)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "PORTAL_INSTANCE": str(tmp_path / "instance"),
        "PORTAL_SECRET_KEY": "portal-test-secret",
    }
    flask = [str(python), "-m", "flask", "--app", "portal:create_portal"]
    no_config = subprocess.run(
        [str(python), "-c", "import config"], cwd=work, env=env, capture_output=True, text=True
    )
    assert no_config.returncode != 0, "the wheel must not install a top-level 'config' module"
    for args in (["db", "upgrade"], ["lms", "init"]):
        done = subprocess.run(
            flask + args, cwd=work, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"Content synced: \d+ created", done.stdout), done.stdout
    courses = subprocess.run(
        [
            str(python),
            "-c",
            "from lms.extension import bundled_content_dir as b; "
            "print(sorted(p.name for p in (b() / 'courses').iterdir() if p.is_dir()))",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "bundled" not in courses.stderr and courses.returncode == 0, courses.stderr
    assert "etiquette" in courses.stdout and "service-centre" in courses.stdout
    run = subprocess.run(
        [str(python), "-c", WHEEL_SCRIPT],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "notes 401",
        "404 Portal: no such page",
        "notes 200",
        "training 200",
    ]
