"""Configuration classes for the standalone Mingli app (``lms.create_app``).

They live inside the package so an installed wheel has them (the repository's top-level
``config.py`` re-exports them). A host application that embeds the plugin keeps its own
configuration and only sets the ``LMS_*`` keys it wants to change.
"""

from __future__ import annotations

import os

from sqlalchemy.pool import NullPool


class Config:
    SECRET_KEY = "mingli-dev-only"
    SQLALCHEMY_DATABASE_URI: str | None = None  # filled in by create_app: instance/mingli.sqlite3
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    WTF_CSRF_ENABLED = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # LMS_CONTENT_DIR: unset, so the courses that come with the package are served
    # (``lms.content.bundled``); set MINGLI_LMS_CONTENT_DIR to serve your own.


class DevelopmentConfig(Config):
    DEBUG = True
    # The verification address printed on certificates and in their QR codes: production sets its
    # public address. In development it is the address the app is reached at on this machine, port
    # included (``scripts/serve`` takes ``PORT``; a fixed ``:5000`` here pointed the QR code of any
    # other port's server at nothing). Commands that issue outside a request (``init --demo``) use
    # ``MINGLI_LMS_CERT_BASE_URL``, which ``scripts/serve`` sets from the port it serves on.
    LMS_CERT_BASE_URL: str | None = None
    LMS_CERT_ALLOWED_HOSTS = ("127.0.0.1", "localhost", "[::1]")


class TestingConfig(Config):
    TESTING = True
    LMS_CERT_BASE_URL = "http://127.0.0.1:5000"
    # Tests build many short-lived apps; unpooled connections close as soon as a request ends.
    SQLALCHEMY_ENGINE_OPTIONS = {"poolclass": NullPool}
    WTF_CSRF_ENABLED = False
    SECRET_KEY = "mingli-testing-only"
    # The suite logs in thousands of times: a cheap hash there, scrypt everywhere else (a
    # production app refuses a weak method, see lms.auth.passwords).
    LMS_PASSWORD_HASH = "pbkdf2:sha256:1"


class ProductionConfig(Config):
    """Reads its secrets from the environment; ``create_app`` refuses a weak secret key and a
    missing ``LMS_CERT_BASE_URL`` (set ``MINGLI_LMS_CERT_BASE_URL``)."""

    SESSION_COOKIE_SECURE = True

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("SECRET_KEY", "")
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or None


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
