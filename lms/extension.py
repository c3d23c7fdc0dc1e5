"""The ``LMS`` Flask extension: everything the plugin adds to an application happens in ``init_app``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy

from lms.auth.identity import UserAdapter
from lms.db import configure_sqlite
from lms.defaults import DEFAULTS

PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_content_dir() -> Path:
    """The courses, banks and certificate template that come with the package.

    A wheel carries them in ``lms/bundled`` (``setup.py`` copies them there); a checkout of the
    repository has them beside the package.
    """
    bundled = PACKAGE_DIR / "bundled"
    if (bundled / "courses").is_dir():
        return bundled
    return PACKAGE_DIR.parent


@dataclass
class LMSState:
    """Per-application state, kept in ``app.extensions["lms"]``."""

    extension: LMS
    db: SQLAlchemy
    user_adapter: UserAdapter | None

    @property
    def content_dir(self) -> Path:
        from flask import current_app

        return Path(current_app.config["LMS_CONTENT_DIR"])


class LMS:
    """Staff training and certification, mounted into a Flask app.

    ``LMS(app)`` or ``lms = LMS(); lms.init_app(app)``. Configuration keys (defaults in brackets):

    - ``LMS_URL_PREFIX`` [``/lms``]: where the blueprints are mounted.
    - ``LMS_CONTENT_DIR`` [the content that comes with the package: ``lms/bundled`` in a wheel,
      the repository in a checkout]: folder holding ``courses/``, ``quizzes/`` and
      ``certificates/``.
    - ``LMS_SEEDS_DIR`` [``None``]: the seed documents that quotes are checked against.
    - ``LMS_LOGIN_URL`` [``None``]: where a host sends people who are not logged in.
    - ``LMS_SQLITE_BUSY_TIMEOUT_MS`` [``10000``]: how long a SQLite writer waits for the lock.
    - ``LMS_SQLITE_PRAGMAS`` [``True`` when the plugin creates its own database, ``False`` on a
      host's]: WAL, the busy timeout and foreign keys on SQLite engines. A host's engine is left
      as the host configured it unless the host sets this to ``True``.
    - ``LMS_ORGANISATION`` [``明礼培训``]: the organisation name shown in the header.
    - ``LMS_MAX_IMPORT_BYTES`` [``2 MB``]: largest file an import takes (questions, staff lists).
    - ``LMS_MAX_REQUEST_BYTES`` [``512 KB``] and ``LMS_MAX_FORM_PARTS`` [``2000``]: the largest
      request body (and form) any other LMS route reads; larger ones are refused with 413 before
      they are read. Only the LMS's own routes are limited; the host's keep its settings.
    - ``LMS_IMPORT_MAX_QUESTIONS`` [``5000``], ``LMS_IMPORT_MAX_SECONDS`` [``20``]: a question file
      with more questions, or taking longer to read, is refused with a line-numbered problem.
    - ``LMS_IMPORT_MAX_ROWS`` [``60000``]: a staff list (CSV or XLSX) with more rows is refused.

    Certificates (``lms.certificates``):

    - ``LMS_CERT_TEMPLATES_DIR`` [``<LMS_CONTENT_DIR>/certificates``]: folder of template folders.
    - ``LMS_CERT_TEMPLATE`` [``default``]: the template new certificates are rendered with.
    - ``LMS_CERT_ORGANISATION`` [``None``: ``LMS_ORGANISATION``]: the issuer printed on certificates.
    - ``LMS_CERT_LOGO`` [``None``: the template's own emblem]: image file (PNG, JPEG, SVG) printed
      as the logo; a relative path is taken inside the template folder.
    - ``LMS_CERT_SIGNATORY_NAME`` [``""``] and ``LMS_CERT_SIGNATORY_TITLE`` [``培训负责人``].
    - ``LMS_CERT_BASE_URL`` [``None``: the address of the request that issues]: public address of
      the application (scheme, host, any mount path), printed with the verification URL and QR code.
      Set it in production; commands run outside a request need it.
    - ``LMS_CERT_ALLOWED_HOSTS`` [``()``]: without ``LMS_CERT_BASE_URL``, the request's address is
      printed only when its host is listed here (``name`` for any port, or ``name:port``) or is
      ``SERVER_NAME``; any other ``Host`` header refuses to issue rather than print a forged link.
    - ``LMS_CERT_SERIAL_PREFIX`` [``MLC``]: letters before each serial (``MLC-XXXX-XXXX-C``).
    - ``LMS_CERT_TIMEZONE`` [``Asia/Shanghai``]: the zone issue and expiry dates are counted in.
    - ``LMS_CERT_RENEWAL_DAYS`` [``60``]: a pass this close to expiry starts a new certification
      cycle (a new certificate); earlier passes return the certificate already held.
    - ``LMS_LOGIN_MAX_FAILURES`` [``5``] failed logins of one account from one client (its device
      cookie, else its address) within ``LMS_LOGIN_WINDOW_MINUTES`` [``15``] make that client
      wait ``LMS_LOGIN_DELAY_SECONDS`` [``30``], doubling with each further failure (at most the
      window); other clients of the account are not slowed (``lms.auth.throttle``).
    - ``LMS_SESSION_HOURS`` [``12``]: a login (the plugin's own) lasts at most this long; logout,
      a password change or deactivation ends every session of that person at once.
    - ``LMS_PASSWORD_HASH`` [``scrypt``]: werkzeug's hashing method for the plugin's own
      passwords; a production app refuses anything weaker than scrypt (n ≥ 32768) or PBKDF2 with
      600,000 iterations (``lms.auth.passwords``). The test configuration uses a cheap one.
    - ``LMS_INVITE_HOURS`` [``336``, 14 days]: an invitation (activation slip, e-mail) or password
      reset link stays valid this long; it is used once, and a newer one revokes it
      (``lms.invitations.service``).
    - ``LMS_DEFAULT_LOCALE`` [``zh_CN``]: the interface language (``zh_CN`` or ``en``) when the
      person has not chosen one with the language switch and the browser asks for neither; also
      the language of e-mail reminders. Course content is shown as written. A host that has its
      own Flask-Babel keeps choosing the locale (``lms.i18n.select_locale`` can serve as, or
      inside, its selector).

    The plugin uses the application's Flask-SQLAlchemy instance when there is one (``db=`` picks
    one explicitly), else creates its own from ``SQLALCHEMY_DATABASE_URI``.
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        db: SQLAlchemy | None = None,
        user_adapter: UserAdapter | None = None,
    ) -> None:
        self._db = db
        self._user_adapter = user_adapter
        if app is not None:
            self.init_app(app)

    def user_adapter(self, func: UserAdapter) -> UserAdapter:
        """Decorator registering the host's "who is logged in" hook (see ``lms.auth.identity``)."""
        self._user_adapter = func
        return func

    def init_app(self, app: Flask) -> None:
        if "lms" in app.extensions:
            raise RuntimeError("LMS is already registered on this application.")
        for key, value in DEFAULTS.items():  # every LMS_* key, in one table (lms.defaults)
            app.config.setdefault(key, value)
        app.config.setdefault("LMS_CONTENT_DIR", str(bundled_content_dir()))

        db = self._db or app.extensions.get("sqlalchemy")
        own_engine = db is None
        if db is None:
            app.config.setdefault(
                "SQLALCHEMY_DATABASE_URI", f"sqlite:///{Path(app.instance_path) / 'lms.sqlite3'}"
            )
            Path(app.instance_path).mkdir(parents=True, exist_ok=True)
            db = SQLAlchemy()
            db.init_app(app)
        elif "sqlalchemy" not in app.extensions:
            db.init_app(app)
        app.config.setdefault("LMS_SQLITE_PRAGMAS", own_engine)
        if app.config["LMS_SQLITE_PRAGMAS"]:
            # Only on the engine the plugin created, unless the host asks: its engines are its own.
            with app.app_context():
                for engine in db.engines.values():
                    configure_sqlite(engine, app.config["LMS_SQLITE_BUSY_TIMEOUT_MS"])

        app.extensions["lms"] = LMSState(extension=self, db=db, user_adapter=self._user_adapter)

        if self._user_adapter is None:
            self._init_login(app)
        import lms.csrf as csrf
        import lms.i18n as i18n
        import lms.security as security

        csrf.init_app(app)
        from lms.cli import lms_cli
        from lms.web import register_blueprints

        security.init_app(app)
        i18n.init_app(app)

        register_blueprints(app, app.config["LMS_URL_PREFIX"])
        app.cli.add_command(lms_cli)

        from lms.certificates.fonts import startup_check
        from lms.certificates.issue import look_up_signoffs_with, subscribe

        subscribe()  # passes earn certificates: the quiz engine only announces grades
        from lms.plan import kept
        from lms.plan.records import signoff_for_certificate

        look_up_signoffs_with(signoff_for_certificate)  # a certificate records the plan's sign-off

        kept.subscribe(db)  # kept plan statuses follow every event, in the event's transaction

        startup_check(app)  # logs how to install the certificate font when it is missing

    @staticmethod
    def _init_login(app: Flask) -> None:
        if hasattr(app, "login_manager"):
            raise RuntimeError(
                "The application already has a Flask-Login manager: give LMS a user_adapter "
                "that maps your users to staff records instead of using the LMS login."
            )
        from lms.auth.models import Staff
        from lms.i18n import N_, gettext

        manager = LoginManager()
        manager.login_view = "lms_auth.login"
        manager.login_message = N_("请先登录。")
        manager.localize_callback = gettext

        @manager.user_loader
        def load_user(user_id: str) -> Staff | None:
            from lms.auth.sessions import staff_for_session

            return staff_for_session(user_id)

        manager.init_app(app)
