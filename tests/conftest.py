"""Shared fixtures: apps built by the factory on a temporary database, and people to log in as."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import jinja2
import jinja2.bccache
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms import create_app
from lms.auth.models import Staff
from lms.content.sync import sync_content
from lms.db import Base, session
from tests.doubles import blank_pdf

TESTS = Path(__file__).resolve().parent
FIXTURE_CONTENT = TESTS / "content"
FIXTURE_SEEDS = TESTS / "seeds"
PROJECT = TESTS.parent
PASSWORD = "correct-horse-9"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Screenshots of the last run's journeys go (in the controller only: pytest-xdist workers
    share the folder)."""
    if not hasattr(session.config, "workerinput"):
        shutil.rmtree(PROJECT / "test-artifacts" / "screenshots", ignore_errors=True)


def _share_url_builders() -> None:
    """Build each URL rule's builder once per test process, not once per app.

    Werkzeug compiles two small functions (Python source via ``ast`` and ``compile``) for every
    URL rule an app registers: ~80 ms per ``create_app`` for ~94 rules, and the suite builds
    ~1,400 apps. A builder depends only on the rule's parsed parts, its defaults and converters,
    so apps with the same rules can share the compiled function (each rule still binds it to
    itself). Tests only: a served app is built once."""
    from werkzeug.routing.rules import Rule

    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None:  # pragma: no cover - another Werkzeug: compile as it does
        return
    builders: dict[tuple, Callable] = {}

    def shared(self: Rule, append_unknown: bool = True) -> Callable:
        key = (
            self.rule,
            tuple(self._trace),
            repr(list((self.defaults or {}).items())),
            tuple(
                (name, type(c), repr(vars(c).get("regex"))) for name, c in self._converters.items()
            ),
            append_unknown,
        )
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = shared


_share_url_builders()


def _jinja_settings(env: jinja2.Environment) -> str:
    """What compiling a template depends on besides its source: the syntax, the extensions, the
    autoescape and finalize functions, and how each filter and test is called."""

    def named(f: object) -> object:
        if not callable(f):
            return f
        return (getattr(f, "__module__", None), getattr(f, "__qualname__", None),
                getattr(f, "jinja_pass_arg", None))  # fmt: skip

    return repr(
        (
            sorted(env.extensions), named(env.autoescape), named(env.finalize), env.optimized,
            env.is_async, env.block_start_string, env.block_end_string,
            env.variable_start_string, env.variable_end_string, env.comment_start_string,
            env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
            env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
            getattr(env, "newstyle_gettext", None),
            sorted((n, getattr(f, "jinja_pass_arg", None)) for n, f in env.filters.items()),
            sorted((n, getattr(f, "jinja_pass_arg", None)) for n, f in env.tests.items()),
        )
    )  # fmt: skip


class _SharedTemplateCode(jinja2.BytecodeCache):
    """Jinja's compiled templates, kept in memory for every app of the test process.

    Each app has its own Jinja environment, so each test used to parse and compile every template
    it rendered again (~30 ms a template). A template is taken from here only for the same file,
    the same source (Jinja compares a checksum) and the same :func:`_jinja_settings`."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def get_bucket(self, environment, name, filename, source):  # type: ignore[no-untyped-def]
        bucket = jinja2.bccache.Bucket(
            environment,
            hashlib.sha256(
                f"{name}|{filename}|{_jinja_settings(environment)}".encode()
            ).hexdigest(),
            self.get_source_checksum(source),
        )
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": _SharedTemplateCode()}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser journeys form two groups, desktop and phone width, for ``--dist loadgroup``
    (each group on one worker, the largest groups handed out first). Any worker that runs journeys
    has its own live server and database (session fixtures are per worker), so they may spread.

    They do spread with the pinned pytest 9.2 and pytest-xdist 3.8: xdist marks a grouped test by
    rewriting ``item._nodeid``, which pytest 9.2 no longer reads, so every test is its own unit."""
    for item in items:
        if "e2e" in item.path.parts:
            width = getattr(item, "callspec", None) and item.callspec.params.get("page")
            item.add_marker(pytest.mark.xdist_group(f"e2e-{width or 'any'}"))
    # The journeys need the demo organisation, which builds in the background from the session's
    # start (tests/e2e/demo.py, ~20 s): some quick tests go first meanwhile, the long journeys
    # still early enough that no worker is left with one at the end.
    journeys = [item for item in items if "e2e" in item.path.parts]
    others = [item for item in items if "e2e" not in item.path.parts]
    items[:] = others[:_AHEAD_OF_JOURNEYS] + journeys + others[_AHEAD_OF_JOURNEYS:]


_AHEAD_OF_JOURNEYS = 300


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every process of this test run shares (each pytest-xdist worker's own temporary
    folder is inside it), and no other run."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def demo_server_database() -> str | None:
    """A fresh server database for the journeys' demo organisation, shared by the run's workers
    (``None`` on SQLite)."""
    url = server_database_url("e2e_demo", shared=True)
    return recreate_server_database(url) if url else None


@pytest.fixture(scope="session", autouse=True)
def _demo_organisation_early(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Start building the journeys' demo organisation as the session starts, when a journey that
    uses the live server is among the tests to run; wait for it at the end."""
    from tests.e2e import demo

    if any("live_server" in getattr(item, "fixturenames", ()) for item in request.session.items):
        demo.start(run_folder(tmp_path_factory) / "e2e-demo", demo_server_database)
    yield
    demo.finish()


def database_url(tmp_path: Path) -> str:
    """SQLite in the test's folder, or the server named by MINGLI_TEST_DATABASE_URL."""
    return server_database_url() or f"sqlite:///{tmp_path / 'test.sqlite3'}"


_CREATED_DATABASES: set[str] = set()


def server_database_url(purpose: str = "", *, shared: bool = False) -> str | None:
    """The server database (MINGLI_TEST_DATABASE_URL) for this test process, ``None`` without one.

    Under pytest-xdist each worker gets its own database beside the named one (``…_gw0``), and a
    ``purpose`` another one still (the e2e live server's), created on first use. ``shared``: one
    database for the purpose that every worker of the run shares."""
    base = os.environ.get("MINGLI_TEST_DATABASE_URL")
    if not base:
        return None
    worker = "" if shared else os.environ.get("PYTEST_XDIST_WORKER", "")
    suffix = "_".join(p for p in (worker, purpose) if p)
    if not suffix:
        return base
    url = sa.make_url(base)
    name = f"{url.database}_{suffix}"
    target = url.set(database=name).render_as_string(hide_password=False)
    if name not in _CREATED_DATABASES:
        with _server(base) as conn:
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).scalar()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        _CREATED_DATABASES.add(name)
    return target


def recreate_server_database(url: str, template: str | None = None) -> str:
    """Drop the server database ``url`` names and create it again: empty, or a copy of the
    database ``template`` names (which nobody may be connected to)."""
    name = sa.make_url(url).database
    copy = f' TEMPLATE "{sa.make_url(template).database}"' if template else ""
    with _server(os.environ["MINGLI_TEST_DATABASE_URL"]) as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"{copy}'))
    return url


@contextmanager
def _server(base: str) -> Iterator[sa.Connection]:
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def reset_schema(app: Flask) -> None:
    with app.app_context():
        engine = app.extensions["lms"].db.engine
        Base.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS lms_alembic_version"))
        Base.metadata.create_all(engine)


# What ``reset_schema`` + ``sync_content`` of a content folder leave in a database, made once per
# session and restored for every test (the suite builds ~1,200 apps): a copy of the SQLite file, or
# the rows of every table for a server database.
_SQLITE_TEMPLATES: dict[str, Path] = {}
_TEMPLATE_FOLDER: list[tempfile.TemporaryDirectory] = []  # made once a process, removed at its end
_ROW_SNAPSHOTS: dict[str, dict[str, list[dict]]] = {}


def fresh_database(app: Flask, content_root: Path, key: str) -> None:
    """Give ``app`` an empty schema with ``content_root`` synced, as ``reset_schema`` followed by
    ``sync_content(content_root)`` would, from a snapshot taken the first time ``key`` is asked
    for. ``key`` names the content and the settings the sync depends on."""
    with app.app_context():
        engine = app.extensions["lms"].db.engine
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            _fresh_sqlite(app, engine, content_root, key)
        else:
            _fresh_server(app, engine, content_root, key)


def _fresh_sqlite(app: Flask, engine: sa.Engine, content_root: Path, key: str) -> None:
    path = Path(engine.url.database)
    engine.dispose()
    template = _SQLITE_TEMPLATES.get(key)
    if template is not None:
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, path)
        return
    reset_schema(app)
    sync_content(content_root)
    session.remove()
    engine.dispose()  # the last connection checkpoints the WAL into the main file
    if not _TEMPLATE_FOLDER:
        _TEMPLATE_FOLDER.append(tempfile.TemporaryDirectory(prefix="mingli-templates-"))
    template = Path(_TEMPLATE_FOLDER[0].name) / f"{key}.sqlite3"
    shutil.copyfile(path, template)
    _SQLITE_TEMPLATES[key] = template


# A server database is restored table by table, only the tables written since the last restore:
# a statement trigger on every table notes the tables each statement writes (a restore of every table
# took 72 ms a test for the fixture content and 144 ms for the real content; of the few written,
# a few ms). The notes live in a schema of their own, which no LMS or host code looks at.
_DIRTY = "mingli_test_dirty"
_DIRTY_SETUP = """
CREATE SCHEMA IF NOT EXISTS mingli_test;
CREATE TABLE IF NOT EXISTS mingli_test.dirty (name text NOT NULL);
CREATE OR REPLACE FUNCTION mingli_test.mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO mingli_test.dirty VALUES (TG_TABLE_NAME);
  RETURN NULL;
END $$;
"""
# Which snapshot each server database holds after its last restore (None: not known).
_RESTORED: dict[str, str | None] = {}


def _fresh_server(app: Flask, engine: sa.Engine, content_root: Path, key: str) -> None:
    tables = Base.metadata.sorted_tables
    database = engine.url.render_as_string(hide_password=False)
    with engine.connect() as conn:
        watched = dict(
            conn.execute(
                sa.text(
                    "SELECT c.relname, EXISTS (SELECT 1 FROM pg_trigger t"
                    f"  WHERE t.tgrelid = c.oid AND t.tgname = '{_DIRTY}')"
                    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname = current_schema() AND c.relkind = 'r'"
                    " AND c.relname LIKE 'lms\\_%'"
                )
            ).all()
        )
    if set(watched) != {t.name for t in tables}:  # a migration test left its own schema behind
        reset_schema(app)
        watched = {}
    if not watched or not all(watched.values()):  # new tables: nothing is known of their rows
        _watch(engine, tables)
        _RESTORED[database] = None
    rows = _ROW_SNAPSHOTS.get(key)
    if rows is None:
        _truncate(engine, tables)
        sync_content(content_root)
        session.remove()
        with engine.connect() as conn:
            _ROW_SNAPSHOTS[key] = {
                t.name: [dict(r) for r in conn.execute(t.select()).mappings()] for t in tables
            }
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM mingli_test.dirty"))
        _RESTORED[database] = key
        return
    with engine.begin() as conn:
        written = set(
            conn.execute(sa.text("SELECT DISTINCT name FROM mingli_test.dirty")).scalars()
        )
        if _RESTORED.get(database) != key:
            written = {t.name for t in tables}
        restore = _with_dependents(written, tables)
        for table in reversed(restore):
            conn.execute(table.delete())
        for table in restore:
            if rows[table.name]:
                conn.execute(table.insert(), rows[table.name])
        # Every sequence, written or not: an insert rolled back leaves no note but moves it on.
        serials = [
            f"setval(pg_get_serial_sequence('{t.name}', 'id'), "
            f"{max((r['id'] for r in rows[t.name]), default=1)}, {bool(rows[t.name])})"
            for t in tables
            if "id" in t.c and t.c.id.autoincrement in (True, "auto")
        ]
        conn.execute(sa.text("SELECT " + ", ".join(serials)))
        conn.execute(sa.text("DELETE FROM mingli_test.dirty"))
    _RESTORED[database] = key


def _with_dependents(names: set[str], tables: list[sa.Table]) -> list[sa.Table]:
    """The tables named and every table that refers to one of them, in creation order: their rows
    are deleted children first and put back parents first."""
    chosen = set(names)
    for table in tables:  # parents come before their children
        if any(fk.column.table.name in chosen for fk in table.foreign_keys):
            chosen.add(table.name)
    return [t for t in tables if t.name in chosen]


def _watch(engine: sa.Engine, tables: list[sa.Table]) -> None:
    """Put the statement trigger that notes written tables on every table."""
    with engine.begin() as conn:
        conn.execute(sa.text(_DIRTY_SETUP))
        for table in tables:
            conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {_DIRTY} ON {table.name}"))
            conn.execute(
                sa.text(
                    f"CREATE TRIGGER {_DIRTY} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
                    f" ON {table.name} FOR EACH STATEMENT EXECUTE FUNCTION mingli_test.mark_dirty()"
                )
            )


def _truncate(engine: sa.Engine, tables: list[sa.Table]) -> None:
    with engine.begin() as conn:
        names = ", ".join(t.name for t in tables)
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(autouse=True)
def fast_certificate_pdf(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """WeasyPrint takes a good part of a second per certificate: a test that does not read the
    PDF gets :func:`blank_pdf`; a test marked ``real_pdf`` renders the real one."""
    if request.node.get_closest_marker("real_pdf") is None:
        from lms.certificates import issue

        monkeypatch.setattr(issue, "render_pdf", blank_pdf)


# The two app fixtures keep SQLAlchemy's connection pool (the testing configuration has none, for
# the many apps tests build on their own): a test's requests reuse a connection instead of opening
# one each, ~20 % of the time of request-heavy test files on either engine; teardown disposes it.
POOLED = {"SQLALCHEMY_ENGINE_OPTIONS": {}}


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A private copy of the fixture content, so tests may edit it."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


@pytest.fixture
def app(tmp_path: Path, content_dir: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "CONFIG_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
            "LMS_CONTENT_DIR": str(content_dir),
            "LMS_SEEDS_DIR": str(FIXTURE_SEEDS),
            "LMS_CERT_TEMPLATES_DIR": str(PROJECT / "certificates"),
            # The fixture course keeps some ASCII punctuation on purpose (the typography check's
            # own tests need it); the real courses are checked with the default, True.
            "LMS_CHECK_TYPOGRAPHY": False,
            **POOLED,
        }
    )
    fresh_database(app, content_dir, "fixture-content")
    yield app
    with app.app_context():
        app.extensions["lms"].db.engine.dispose()


@pytest.fixture
def real_content_app(tmp_path: Path) -> Iterator[Flask]:
    """The app with the real courses and banks of this repository loaded."""
    app = create_app(
        {
            "CONFIG_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
            "LMS_CONTENT_DIR": str(PROJECT),
            "LMS_CERT_TEMPLATES_DIR": str(PROJECT / "certificates"),
            **POOLED,
        }
    )
    fresh_database(app, PROJECT, "project-content")
    yield app
    with app.app_context():
        app.extensions["lms"].db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def make_staff(app: Flask) -> Callable[..., Staff]:
    counter = iter(range(1, 10_000))

    def make(roles: tuple[str, ...] = ("learner",), **fields) -> Staff:
        n = next(counter)
        with app.app_context():
            staff = Staff(
                employee_no=fields.pop("employee_no", f"E{n:04d}"),
                name=fields.pop("name", f"员工{n}"),
                **fields,
            )
            staff.set_roles(set(roles))
            staff.set_password(PASSWORD)
            session.add(staff)
            session.commit()
            session.refresh(staff)
            session.expunge(staff)
            return staff

    return make


def login(client: FlaskClient, staff: Staff) -> None:
    response = client.post(
        "/lms/login", data={"employee_no": staff.employee_no, "password": PASSWORD}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def read_lessons(app: Flask, staff: Staff, slug: str = "basics") -> None:
    """Mark every lesson of a course completed for ``staff``, as a learner who read them would."""
    from lms.courses.catalog import course_or_404, mark_complete

    with app.test_request_context():
        person = session.get(Staff, staff.id)
        for lesson in course_or_404(slug).active_lessons:
            mark_complete(person, lesson)


def set_completion(app: Flask, content_dir: Path, rule: str, slug: str = "basics") -> None:
    """Give a fixture course the ``completion:`` block ``rule`` (YAML, indented) and sync it.

    ``rule=""`` removes the block: the default, every lesson, applies.
    """
    path = content_dir / "courses" / slug / "course.yaml"
    text = path.read_text(encoding="utf-8").split("\ncompletion:")[0].rstrip("\n") + "\n"
    if rule:
        text += "completion:\n" + rule
    path.write_text(text, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir)
