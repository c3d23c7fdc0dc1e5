"""Activation and reset pages (public), and HR's invitation actions on the staff list and record."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm

from lms.audit.log import record
from lms.auth import sessions, throttle
from lms.auth.access import public, requires
from lms.auth.identity import current_staff
from lms.auth.models import Staff
from lms.db import session, utcnow
from lms.i18n import _
from lms.invitations import delivery, service
from lms.invitations.forms import CodeForm, ResetRequestForm, SetPasswordForm
from lms.invitations.models import Invitation

bp = Blueprint("lms_invite", __name__)
MAX_SELECTED = 500
# A self-service reset is not sent again within this time: nobody can flood someone's inbox.
RESET_QUIET_MINUTES = 10


def _own_login_only() -> None:
    if current_app.extensions["lms"].user_adapter is not None:
        abort(404)


def _invalid(state: str) -> tuple[str, int]:
    messages = {
        "used": _("这个激活链接已经用过了。如果忘记了密码，请申请重设或联系人力资源部门。"),
        "expired": _("这个激活链接已过期。请联系人力资源部门重新发放。"),
        "revoked": _("这个激活链接已作废(已发放了新的激活单或链接)。请使用最新的一份。"),
        "unknown": _("激活链接无效。请检查链接是否完整，或在激活页面输入工号和激活码。"),
    }
    page = render_template("lms/invitations/invalid.html", message=messages[state])
    return page, 404 if state == "unknown" else 410


def _state(invitation: Invitation | None, staff: Staff | None) -> str:
    if invitation is None or staff is None:
        return "unknown"
    state = invitation.state(utcnow())
    if state == "pending" and service.invitable_problem(staff):
        return "revoked"
    return state


def _done(staff: Staff) -> Response:
    sessions.start(staff)
    flash(_("密码已设置，欢迎！"), "success")
    return redirect(url_for("lms_courses.dashboard"))


@bp.route("/activate/<token>", methods=["GET", "POST"])
@public
def activate(token: str):
    """The QR code's and e-mail's link: set a password, then in (a fresh session) to one's plan."""
    _own_login_only()
    invitation = service.by_token(token)
    staff = session.get(Staff, invitation.staff_id) if invitation else None
    state = _state(invitation, staff)
    if state != "pending":
        return _invalid(state)
    form = SetPasswordForm()
    status = 200
    if form.validate_on_submit():
        problems = service.redeem(invitation, staff, form.password.data)
        if not problems:
            return _done(staff)
        form.password.errors = [*form.password.errors, *problems]
        status = 400
    elif form.errors:
        status = 400
    page = render_template("lms/invitations/activate.html", form=form, person=staff, by_code=False)
    return page, status


@bp.route("/activate", methods=["GET", "POST"])
@public
def activate_by_code():
    """The slip's code typed by hand; wrong codes count as failed logins of that account."""
    _own_login_only()
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        employee_no, address = form.employee_no.data.strip(), request.remote_addr or ""
        client = throttle.client_key(employee_no, address)
        wait = throttle.retry_after(employee_no, client)
        if wait:
            flash(_("尝试次数过多，请 %(seconds)s 秒后再试。", seconds=wait), "error")
            page = render_template("lms/invitations/activate.html", form=form, by_code=True)
            response = Response(page, 429)
            response.headers["Retry-After"] = str(wait)
            return response
        staff, invitation = service.by_code(employee_no, form.code.data)
        if invitation is None:
            throttle.record_failure(employee_no, address, client)
            form.code.errors = [*form.code.errors, _("工号或激活码不正确。")]
            status = 400
        elif _state(invitation, staff) != "pending":
            return _invalid(_state(invitation, staff))
        else:
            problems = service.redeem(invitation, staff, form.password.data)
            if not problems:
                return _done(staff)
            form.password.errors = [*form.password.errors, *problems]
            status = 400
    elif form.errors:
        status = 400
    page = render_template("lms/invitations/activate.html", form=form, by_code=True)
    return page, status


@bp.route("/password/reset", methods=["GET", "POST"])
@public
def reset_request():
    """Anyone may ask; the answer is the same whether or not the address belongs to someone."""
    _own_login_only()
    form = ResetRequestForm()
    if not form.validate_on_submit():
        page = render_template("lms/invitations/reset_request.html", form=form, sent=False)
        return page, 400 if form.errors else 200
    address = form.email.data.strip().lower()
    people = list(
        session.scalars(
            sa.select(Staff).where(
                sa.func.lower(Staff.email) == address,
                Staff.active.is_(True),
                Staff.source != "host",
            )
        )
    )
    quiet_since = utcnow() - timedelta(minutes=RESET_QUIET_MINUTES)
    recent = set(
        session.scalars(
            sa.select(Invitation.staff_id).where(
                Invitation.staff_id.in_([p.id for p in people]),
                Invitation.channel == "email",
                Invitation.created_at >= quiet_since,
            )
        )
    )
    people = [p for p in people if p.id not in recent]
    if people:
        issued = service.issue(people, channel="email", actor_id=None)
        try:
            sent = delivery.send_emails(issued)
        except (smtplib.SMTPException, OSError, delivery.DeliveryProblem) as exc:
            session.rollback()
            current_app.logger.warning("Password reset e-mail not sent: %s", exc)
        else:
            if sent:
                session.commit()
            else:
                session.rollback()
    page = render_template("lms/invitations/reset_request.html", form=form, sent=True)
    return page, 200


def _selected() -> list[str]:
    numbers = [n.strip() for n in request.form.getlist("employee_no") if n.strip()]
    return list(dict.fromkeys(numbers))[:MAX_SELECTED]


@bp.post("/staff/invitations")
@requires("hr", "admin")
def invite_selected():
    """From the staff list or a record: slips PDF (download) or e-mails for the chosen people."""
    _own_login_only()
    back = url_for("lms_staff.staff_list")
    if not FlaskForm().validate_on_submit():
        abort(400)
    numbers = _selected()
    if not numbers:
        flash(_("请先勾选要邀请的员工。"), "error")
        return redirect(back)
    me = current_staff()
    people, problems = service.select_people(employee_nos=numbers, actor_roles=me.roles)
    for problem in problems[:20]:
        flash(problem, "error")
    action = request.form.get("action")
    if action == "email":
        with_email = [p for p in people if p.email]
        if len(with_email) < len(people):
            flash(_("%(count)s 人没有邮箱，请为他们打印激活单。", count=len(people) - len(with_email)),
                  "error")  # fmt: skip
        if not with_email:
            return redirect(back)
        issued = service.issue(with_email, channel="email", actor_id=me.id)
        try:
            sent = delivery.send_emails(issued)
        except (smtplib.SMTPException, OSError, delivery.DeliveryProblem) as exc:
            session.rollback()
            flash(_("邮件发送失败，未发出任何邀请：%(error)s", error=str(exc)), "error")
            return redirect(back)
        unsent = [i for i in issued if i not in sent]
        for item in unsent:  # a refused address: nothing reached anyone
            item.invitation.revoked_at = utcnow()
        record("invitation.email", actor_id=me.id, target_type="staff", count=len(sent))
        session.commit()
        flash(_("已发送 %(count)s 封激活邮件。", count=len(sent)), "success")
        return redirect(back)
    if action != "slips":
        abort(400)
    if not people:
        return redirect(back)
    issued = service.issue(people, channel="slip", actor_id=me.id)
    try:
        pdf = delivery.slips_pdf(issued)
    except delivery.DeliveryProblem as exc:
        session.rollback()
        flash(str(exc), "error")
        return redirect(back)
    record("invitation.print", actor_id=me.id, target_type="staff", count=len(issued))
    session.commit()
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = "attachment; filename=activation-slips.pdf"
    response.headers["Cache-Control"] = "no-store"  # the slips carry live codes
    return response


@bp.post("/staff/<employee_no>/invitation/revoke")
@requires("hr", "admin")
def revoke_invitation(employee_no: str):
    person = session.scalar(sa.select(Staff).where(Staff.employee_no == employee_no))
    if person is None:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if service.revoke(person, actor_id=current_staff().id):
        session.commit()
        flash(_("激活链接已作废。"), "success")
    else:
        flash(_("没有待使用的激活链接。"), "success")
    return redirect(url_for("lms_staff.staff_detail", employee_no=employee_no))
