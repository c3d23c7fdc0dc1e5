"""Log in and out with the plugin's own accounts."""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm

from lms.auth import sessions, throttle
from lms.auth.access import public
from lms.auth.forms import LoginForm
from lms.auth.identity import current_staff
from lms.auth.login import authenticate
from lms.i18n import _
from lms.navigation import same_site

bp = Blueprint("lms_auth", __name__)


def _own_login_only() -> None:
    if current_app.extensions["lms"].user_adapter is not None:
        abort(404)


def _safe_next(target: str | None) -> str:
    """A same-site path (no line breaks or control characters: they cannot go in a header)."""
    if target and "//" in target:
        return url_for("lms_courses.dashboard")
    return same_site(target)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    _own_login_only()
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        employee_no, address = form.employee_no.data.strip(), request.remote_addr or ""
        client = throttle.client_key(employee_no, address)
        wait = throttle.retry_after(employee_no, client)
        if wait:
            flash(_("登录失败次数过多，请 %(seconds)s 秒后再试。", seconds=wait), "error")
            response = make_response(render_template("lms/login.html", form=form), 429)
            response.headers["Retry-After"] = str(wait)
            return response
        staff = authenticate(employee_no, form.password.data)
        if staff is not None:
            sessions.start(staff)
            response = redirect(_safe_next(request.args.get("next")))
            _remember_device(response, staff.employee_no)
            return response
        throttle.record_failure(employee_no, address, client)
        flash(_("工号或密码不正确。"), "error")
    elif form.errors:
        status = 400
    return render_template("lms/login.html", form=form), status


def _remember_device(response: Response, employee_no: str) -> None:
    """A signed cookie naming this browser for this account: its failures count apart from others'."""
    token = throttle.device_token(employee_no, secrets.token_urlsafe(16))
    response.set_cookie(
        throttle.DEVICE_COOKIE,
        token,
        max_age=365 * 24 * 3600,
        path=current_app.config["LMS_URL_PREFIX"] or "/",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )


@bp.post("/logout")
@public
def logout():
    _own_login_only()
    if FlaskForm().validate_on_submit():
        sessions.end(current_staff())
    return redirect(url_for(".login"))
