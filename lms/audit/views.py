"""The audit log, read-only: there is deliberately no edit or delete route."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm

from lms.audit.models import AuditEntry
from lms.auth import throttle
from lms.auth.access import requires
from lms.auth.identity import current_staff
from lms.auth.models import Staff
from lms.db import session
from lms.i18n import _
from lms.navigation import page_number

bp = Blueprint("lms_audit", __name__)
PER_PAGE = 100


@bp.get("/admin/audit")
@requires("admin")
def audit_log():
    page = page_number()
    rows = session.execute(
        sa.select(AuditEntry, Staff)
        .outerjoin(Staff, Staff.id == AuditEntry.actor_id)
        .order_by(AuditEntry.id.desc())
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    return render_template("lms/audit.html", rows=rows, page=page)


@bp.get("/admin/lockouts")
@requires("admin")
def lockouts():
    """Who must wait before logging in again, from which client, and until when."""
    return render_template(
        "lms/lockouts.html", lockouts=throttle.current_lockouts(), form=FlaskForm()
    )


@bp.post("/admin/lockouts/<employee_no>/lift")
@requires("admin")
def lift_lockout(employee_no: str):
    if FlaskForm().validate_on_submit():
        throttle.lift(employee_no, current_staff().id)
        flash(_("已解除 %(employee_no)s 的登录限制。", employee_no=employee_no), "success")
    return redirect(url_for(".lockouts"))
