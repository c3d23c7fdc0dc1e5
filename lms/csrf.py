"""CSRF protection for the LMS's own routes only.

Flask-WTF's ``CSRFProtect(app)`` checks every POST of the whole application, which broke a host's
own JSON API (400 "The CSRF token is missing") the moment the plugin was mounted. The plugin keeps
its own, uninstalled ``CSRFProtect`` and runs its check before the LMS's page blueprints only; the
JSON API checks session callers itself (``lms.api.views``). A host that installed ``CSRFProtect``
itself keeps it (and the API blueprint is exempted from it, as bearer-token calls carry no token).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, current_app
from flask_wtf.csrf import CSRFProtect, generate_csrf

_checker = CSRFProtect()

# What ``CSRFProtect.init_app`` would set app-wide; only missing keys are added, so a host's own
# choices stand (Flask-WTF's forms use the same defaults when the keys are absent).
_DEFAULTS = {
    "WTF_CSRF_ENABLED": True,
    "WTF_CSRF_CHECK_DEFAULT": True,
    "WTF_CSRF_FIELD_NAME": "csrf_token",
    "WTF_CSRF_HEADERS": ["X-CSRFToken", "X-CSRF-Token"],
    "WTF_CSRF_TIME_LIMIT": 3600,
    "WTF_CSRF_SSL_STRICT": True,
}


def init_app(app: Flask) -> None:
    for key, value in _DEFAULTS.items():
        app.config.setdefault(key, value)
    app.config.setdefault("WTF_CSRF_METHODS", {"POST", "PUT", "PATCH", "DELETE"})


def protect() -> None:
    """Refuse a state-changing request without a valid token (``CSRFError``, a 400)."""
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        _checker.protect()


def protect_blueprints(app: Flask, names: Iterable[str]) -> None:
    """Run the check before the named (LMS) blueprints' views, and nowhere else."""
    for name in names:
        app.before_request_funcs.setdefault(name, []).append(protect)


def template_helpers() -> dict:
    """``csrf_token()`` for LMS templates, without adding a global to the host's Jinja."""
    return {"csrf_token": generate_csrf}
