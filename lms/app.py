"""The standalone application: a bare Flask app whose only content is the LMS."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, redirect, url_for
from flask_migrate import Migrate
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.extension import LMS, PACKAGE_DIR


def create_app(config: str | dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` names a class in ``config.py`` or is a dict of overrides (tests).

    Without it, ``MINGLI_CONFIG`` in the environment picks the class (default: development).
    """
    import config as config_module

    app = Flask("lms", instance_path=os.environ.get("MINGLI_INSTANCE_PATH") or None)
    overrides: dict[str, Any] = {}
    if isinstance(config, dict):
        overrides = config
        name = overrides.get("CONFIG_NAME", "testing")
    else:
        name = config or os.environ.get("MINGLI_CONFIG", "development")
    if name not in config_module.CONFIGS:
        raise RuntimeError(
            f"Unknown configuration {name!r}: use one of {list(config_module.CONFIGS)}"
        )
    app.config.from_object(config_module.CONFIGS[name]())
    app.config.from_prefixed_env("MINGLI")
    app.config.update(overrides)

    if name == "production" and app.config["SECRET_KEY"] in config_module.WEAK_SECRET_KEYS:
        raise RuntimeError(
            "Refusing to start: set SECRET_KEY in the environment to a long random value "
            '(python -c "import secrets; print(secrets.token_hex(32))").'
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
