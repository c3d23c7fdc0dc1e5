"""The learner JSON API (``/api/v1`` under the plugin prefix) and its bearer tokens."""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask, prefix: str) -> None:
    from lms.api.tokens import authenticate_request
    from lms.api.views import bp
    from lms.auth.identity import add_authenticator

    add_authenticator(authenticate_request)  # bearer tokens identify API callers
    app.register_blueprint(bp, url_prefix=prefix.rstrip("/") + "/api/v1")
