"""The audit log, read-only: there is deliberately no edit or delete route.

HR reads the entries about people, the plan, certificates, imports and invitations; admins read all
(``audit.labels``). Times are shown in the organisation's zone (``LMS_CERT_TIMEZONE``), and the
date filters are days of that calendar. The CSV export is itself recorded.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from lms.audit import labels
from lms.audit.log import record
from lms.audit.models import AuditEntry
from lms.auth import throttle
from lms.auth.access import requires
from lms.auth.identity import current_staff
from lms.auth.models import Staff
from lms.dates import in_range
from lms.days import zone
from lms.db import session
from lms.i18n import _
from lms.navigation import page_number

bp = Blueprint("lms_audit", __name__)
PER_PAGE = 100
MAX_EXPORT_ROWS = 50_000


def _day(name: str) -> date | None:
    raw = (request.args.get(name) or "").strip()
    try:
        day = date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return day if day and in_range(day) else None


def _utc(day: date) -> datetime:
    """Local midnight of ``day`` as a naive UTC timestamp (how entries are stored)."""
    return datetime.combine(day, time(), zone()).astimezone(UTC).replace(tzinfo=None)


def _filters() -> dict:
    return {
        "person": (request.args.get("person") or "").strip()[:64],
        "action": (request.args.get("action") or "").strip()[:64],
        "date_from": _day("date_from"),
        "date_to": _day("date_to"),
    }


def _query(f: dict) -> sa.Select:
    """The entries this reader may see that pass the filters, newest first."""
    actor = sa.orm.aliased(Staff)
    query = (
        sa.select(AuditEntry, actor)
        .outerjoin(actor, actor.id == AuditEntry.actor_id)
        .where(labels.visible_to(current_staff().roles))
    )
    if f["person"]:
        query = query.where(
            sa.or_(AuditEntry.target_id == f["person"], actor.employee_no == f["person"])
        )
    if f["action"]:
        query = query.where(AuditEntry.action == f["action"])
    if f["date_from"]:
        query = query.where(AuditEntry.at >= _utc(f["date_from"]))
    if f["date_to"]:
        query = query.where(AuditEntry.at < _utc(f["date_to"] + timedelta(days=1)))
    return query.order_by(AuditEntry.id.desc())


def local_time(moment: datetime) -> str:
    return moment.replace(tzinfo=UTC).astimezone(zone()).strftime("%Y-%m-%d %H:%M:%S")


@bp.get("/admin/audit")
@requires("hr", "admin")
def audit_log():
    page = page_number()
    f = _filters()
    rows = session.execute(_query(f).offset((page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    roles = current_staff().roles
    actions = sorted(
        (code for code in labels.ACTION_LABELS if labels.may_read(code, roles)), key=labels.label
    )
    return render_template(
        "lms/audit.html",
        rows=rows,
        page=page,
        filters=f,
        actions=actions,
        label=labels.label,
        details_text=labels.details_text,
        local_time=local_time,
        zone_name=str(zone()),
        args={k: v for k, v in request.args.items() if k != "page"},
    )


@bp.get("/admin/audit.csv")
@requires("hr", "admin")
def audit_export():
    f = _filters()
    rows = session.execute(_query(f).limit(MAX_EXPORT_ROWS)).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [_("时间"), _("操作人工号"), _("操作人"), _("操作"), _("操作代码"), _("对象"), _("详情")]
    )
    for entry, actor in rows:
        cells = [
            local_time(entry.at),
            actor.employee_no if actor else "",
            actor.name if actor else _("系统"),
            labels.label(entry.action),
            entry.action,
            f"{entry.target_type} {entry.target_id}".strip(),
            labels.details_text(entry.details),
        ]
        writer.writerow([_neutral(c) for c in cells])
    me = current_staff()
    record("audit.export", actor_id=me.id, target_type="export", target_id="audit",
           rows=len(rows), filters={k: str(v) for k, v in f.items() if v})  # fmt: skip
    session.commit()
    body = "\ufeff" + out.getvalue()  # Excel reads UTF-8 with a BOM
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit-log.csv"},
    )


def _neutral(cell: str) -> str:
    """A cell Excel will not run as a formula (``= + - @`` first)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") else cell


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
