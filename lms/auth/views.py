"""Log in and out with the plugin's own accounts."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm

from lms.auth import throttle
from lms.auth.access import public
from lms.auth.forms import LoginForm
from lms.auth.login import authenticate
from lms.i18n import _

bp = Blueprint("lms_auth", __name__)


def _own_login_only() -> None:
    if current_app.extensions["lms"].user_adapter is not None:
        abort(404)


def _safe_next(target: str | None) -> str:
    """A same-site path (no line breaks or control characters: they cannot go in a header)."""
    from lms.web import same_site

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
        if throttle.too_many_failures(employee_no, address):
            flash(_("登录失败次数过多,请稍后再试。"), "error")
            status = 429
        else:
            staff = authenticate(employee_no, form.password.data)
            if staff is not None:
                login_user(staff)
                return redirect(_safe_next(request.args.get("next")))
            throttle.record_failure(employee_no, address)
            flash(_("工号或密码不正确。"), "error")
    elif form.errors:
        status = 400
    return render_template("lms/login.html", form=form), status


@bp.post("/logout")
@public
def logout():
    _own_login_only()
    if FlaskForm().validate_on_submit():
        logout_user()
    return redirect(url_for(".login"))
