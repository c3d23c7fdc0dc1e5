"""Security headers on every LMS response, and a size limit on every LMS request; a host's own
pages and requests are left as the host sets them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, abort, current_app, request

View = TypeVar("View", bound=Callable)

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


def accepts_upload(view: View) -> View:
    """Mark a view that takes a file: its requests may be as large as ``LMS_MAX_IMPORT_BYTES``."""
    view.lms_accepts_upload = True  # type: ignore[attr-defined]
    return view


def limit_request_size() -> None:
    """Refuse an oversized body before anything reads it (an anonymous 300 MB POST is a 413), and
    text carrying NUL characters (a 400).

    Runs for the LMS's blueprints only (registered under their names), so a host's routes keep the
    host's own limits. Upload views get the import limit plus room for the form around the file.
    """
    c = current_app.config
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "lms_accepts_upload", False):
        # A confirmed staff import posts the file back base64-encoded: 4/3 of its size.
        limit = int(c["LMS_MAX_IMPORT_BYTES"]) * 4 // 3 + 64 * 1024
    else:
        limit = int(c["LMS_MAX_REQUEST_BYTES"])
    if request.content_length is not None and request.content_length > limit:
        abort(413)
    request.max_content_length = limit  # also bounds a body sent without a length
    request.max_form_memory_size = limit
    request.max_form_parts = int(c["LMS_MAX_FORM_PARTS"])
    if _carries_nul():
        abort(400)


def _carries_nul() -> bool:
    """A NUL character in the path, a query or form value, or a JSON body.

    No text a person types holds one, and PostgreSQL refuses it in any text column, so it would
    reach the database as an error (a 500) rather than a clear 400. Uploaded files are not text
    fields and are left to their importers.
    """
    if "\x00" in request.path:
        return True
    for values in (request.args, request.form if request.method != "GET" else {}):
        for key, value in values.items(multi=True) if values else ():
            if "\x00" in key or "\x00" in value:
                return True
    if request.is_json:
        body = request.get_data(cache=True)
        return b"\x00" in body or b"\\u0000" in body.lower()
    return False


def limit_blueprints(app: Flask, names: list[str]) -> None:
    for name in names:
        app.before_request_funcs.setdefault(name, []).insert(0, limit_request_size)
