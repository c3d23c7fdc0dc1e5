"""Stand-ins for slow parts, for tests that do not look at what those parts make.

Kept apart from ``conftest.py`` so that a served app (``tests.live``) can use them without
loading the test fixtures.
"""

from __future__ import annotations

import hashlib
import io

from flask import Flask


def blank_pdf(template: object, html: str) -> bytes:
    """A valid one-page PDF standing in for a rendered certificate, different for each HTML."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=842, height=595)
    writer.add_metadata({"/Subject": hashlib.sha256(html.encode()).hexdigest()})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def app_with_blank_certificates() -> Flask:
    """``lms:create_app()`` issuing every certificate with :func:`blank_pdf`, for a served app
    whose test counts certificates but reads none (``gunicorn(..., blank_certificates=True)``)."""
    from lms import create_app
    from lms.certificates import issue

    issue.render_pdf = blank_pdf
    return create_app()
