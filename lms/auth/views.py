"""Log in and out with the plugin's own accounts."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from lms.auth import sessions, throttle
from lms.auth.access import public
from lms.auth.forms import LoginForm
from lms.auth.identity import current_staff
from lms.auth.login import authenticate
from lms.i18n import _

bp = Blueprint("lms_auth", __name__)


def _own_login_only() -> None:
    if current_app.extensions["lms"].user_adapter is not None:
        abort(404)


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and "//" not in target:
        return target
    return url_for("lms_courses.dashboard")


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
                sessions.start(staff)
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
        sessions.end(current_staff())
    return redirect(url_for(".login"))
