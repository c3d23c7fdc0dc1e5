"""The audit log, read-only: there is deliberately no edit or delete route."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template

from lms.audit.models import AuditEntry
from lms.auth.access import requires
from lms.auth.models import Staff
from lms.db import session
from lms.web import page_number

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
