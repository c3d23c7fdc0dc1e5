"""The plugin's own login sessions: started fresh, bounded in time, revocable on the server.

Flask's session is a signed cookie held by the browser, so the server cannot delete it. Instead the
cookie names the person's ``session_generation``; logout, a password change and deactivation bump
it, and every cookie carrying the old number stops working — a copied cookie included. A login
also starts a new session (new CSRF secret) and records when it began, so no cookie outlives
``LMS_SESSION_HOURS``.
"""

from __future__ import annotations

import time

from flask import current_app
from flask import session as cookie
from flask_login import login_user, logout_user

from lms.auth.models import Staff
from lms.db import session, utcnow

LOGIN_AT = "lms_login_at"
KEEP = ("lms_locale",)  # the language chosen before logging in stays chosen


def _fresh_session() -> None:
    kept = {key: cookie[key] for key in KEEP if key in cookie}
    cookie.clear()  # drops the CSRF secret and anything an earlier visitor left in the cookie
    cookie.update(kept)


def start(staff: Staff) -> None:
    """Log in with a new session: nothing of the anonymous session carries over but the language."""
    _fresh_session()
    login_user(staff)
    cookie[LOGIN_AT] = int(time.time())
    staff.last_login_at = utcnow()
    session.commit()


def end(staff: Staff | None) -> None:
    """Log out here and everywhere: the person's other cookies stop working too."""
    if staff is not None:
        staff.end_sessions()
        session.commit()
    logout_user()
    _fresh_session()


def staff_for_session(user_id: str) -> Staff | None:
    """Flask-Login's loader: the person, if the cookie's generation is current and not too old."""
    ident, _, generation = user_id.partition(".")
    if not ident.isdigit() or not generation.isdigit():
        return None  # includes cookies from before generations existed
    started = cookie.get(LOGIN_AT)
    max_age = float(current_app.config["LMS_SESSION_HOURS"]) * 3600
    if not isinstance(started, int) or not 0 <= time.time() - started <= max_age:
        return None
    staff = session.get(Staff, int(ident))
    if staff is None or (staff.session_generation or 0) != int(generation):
        return None
    return staff
