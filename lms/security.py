"""Security headers on every LMS response; a host's own pages are left as the host sets them."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _is_lms_request() -> bool:
    if request.blueprint and request.blueprint.startswith("lms"):
        return True
    prefix = current_app.config["LMS_URL_PREFIX"].rstrip("/")
    return request.path == prefix or request.path.startswith(prefix + "/")


def add_security_headers(response: Response) -> Response:
    if _is_lms_request():
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
