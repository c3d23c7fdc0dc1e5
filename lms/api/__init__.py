"""The learner JSON API (``/api/v1`` under the plugin prefix) and its bearer tokens."""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask, prefix: str) -> None:
    from lms.api.views import bp

    app.register_blueprint(bp, url_prefix=prefix.rstrip("/") + "/api/v1")
