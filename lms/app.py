"""The standalone application: a bare Flask app whose only content is the LMS."""

from __future__ import annotations

import math
import os
from collections import Counter
from typing import Any

from flask import Flask, redirect, url_for
from flask_migrate import Migrate
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.auth.passwords import DEFAULT_METHOD, weak_method_problem
from lms.extension import LMS, PACKAGE_DIR
from lms.settings import CONFIGS

# Placeholders seen in examples and tutorials; compared case-insensitively.
WEAK_SECRET_KEYS = {
    "", "dev", "development", "changeme", "change-me", "secret", "secret-key", "secretkey",
    "mingli-dev-only", "mingli-testing-only", "your-secret-key", "please-change-me", "default",
}  # fmt: skip
MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 100


def secret_key_problem(key: object) -> str | None:
    """Why a production secret key is unsafe, or ``None``: sessions and CSRF tokens rest on it."""
    if not isinstance(key, str | bytes) or not key:
        return "is not set"
    text = key.decode("latin-1") if isinstance(key, bytes) else key
    if text.strip().lower() in WEAK_SECRET_KEYS:
        return "is a well-known placeholder"
    if len(text) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    counts = Counter(text)
    bits = -sum(n * math.log2(n / len(text)) for n in counts.values())  # Shannon, whole key
    if bits < MIN_SECRET_BITS:
        return "is too predictable (too few different characters)"
    return None


def create_app(config: str | dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` names a class in ``config.py`` or is a dict of overrides (tests).

    Without it, ``MINGLI_CONFIG`` in the environment picks the class (default: development).
    """
    app = Flask("lms", instance_path=os.environ.get("MINGLI_INSTANCE_PATH") or None)
    overrides: dict[str, Any] = {}
    if isinstance(config, dict):
        overrides = config
        name = overrides.get("CONFIG_NAME", "testing")
    else:
        name = config or os.environ.get("MINGLI_CONFIG", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"Unknown configuration {name!r}: use one of {list(CONFIGS)}")
    app.config.from_object(CONFIGS[name]())
    app.config.from_prefixed_env("MINGLI")
    app.config.update(overrides)

    if name == "production":
        problem = secret_key_problem(app.config.get("SECRET_KEY"))
        if problem:
            raise RuntimeError(
                f"Refusing to start: SECRET_KEY {problem}. Set it in the environment to a long "
                'random value (python -c "import secrets; print(secrets.token_hex(32))").'
            )
        weak = weak_method_problem(app.config.get("LMS_PASSWORD_HASH") or DEFAULT_METHOD)
        if weak:
            raise RuntimeError(f"Refusing to start: {weak}.")
        if not app.config.get("LMS_CERT_BASE_URL"):
            raise RuntimeError(
                "Refusing to start: set LMS_CERT_BASE_URL (MINGLI_LMS_CERT_BASE_URL in the "
                "environment) to the public address printed on certificates, e.g. "
                "https://lms.example.cn; it is never taken from a request's Host header."
            )
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{app.instance_path}/mingli.sqlite3"

    if app.config.get("PROXY_FIX"):
        # Behind a reverse proxy: trust one hop's X-Forwarded-For/Proto/Host/Prefix headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_prefix=1)

    lms = LMS(app)
    Migrate(app, app.extensions["lms"].db, directory=str(PACKAGE_DIR / "migrations"))
    del lms

    @app.get("/")
    def index():  # the standalone app has nothing but the LMS
        return redirect(url_for("lms_courses.dashboard"))

    return app
