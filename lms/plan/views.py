"""Training-plan pages: HR's matrix, lists, chart, exports and requirements; trainers' sign-offs.

Views stay thin: read the query or form, call ``reports`` / ``requirements`` / ``records``, render.
"""

from __future__ import annotations

import json
from collections.abc import Sized
from datetime import date, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from lms.auth.access import requires
from lms.auth.identity import current_staff
from lms.dates import in_range
from lms.db import session
from lms.i18n import _
from lms.navigation import page_number
from lms.plan import config, exports, records, reports, requirements, xapi
from lms.plan.chart import COLOURS, department_chart
from lms.plan.evidence import audience_label, load_rules
from lms.plan.forms import ExtensionForm, ReasonForm, RequirementForm, SignoffForm
from lms.plan.status import LABELS, STATES
from lms.staff.records import staff_or_404

bp = Blueprint("lms_plan", __name__)
HR = ("hr", "admin")
TRAINERS = ("trainer", "admin")
EXPORT = "<any(csv, xlsx):fmt>"


@bp.context_processor
def _plan_globals() -> dict:
    return {"state_labels": LABELS, "states": STATES, "state_colours": COLOURS}


def _as_of() -> date:
    """The day a page is asked about: ``?as_of=``, or today for a missing or unusable one."""
    raw = request.args.get("as_of", "")
    if raw:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            day = None
        if day is not None and in_range(day):
            return day
        flash(_("日期 %(value)r 无效，已按今天计算。", value=raw), "error")
    return config.today()


def _matrix_query(paginate: bool = True) -> reports.MatrixQuery:
    args = request.args
    return reports.MatrixQuery(
        department=args.get("department") or None,
        position=args.get("position") or None,
        status=args.get("status") or None,
        sort=args.get("sort", "employee_no"),
        page=page_number() if paginate else 1,
        per_page=args.get("per_page", 50, type=int),
        as_of=_as_of(),
    )


def _download(table: exports.Table, fmt: str, name: str, as_of: date) -> Response:
    """The file streamed as it is written: the rows are read from their own connection while
    the response is sent, and every text needing the reader's language was resolved before."""
    body = exports.render(table, fmt, name)
    # A streamed table's length is not known before it is written: only a list's is recorded.
    counted = {"rows": len(table.rows)} if isinstance(table.rows, Sized) else {}
    _record_export(name, fmt, as_of=as_of.isoformat(), **counted)
    filename = f"{name}-{as_of.isoformat()}.{fmt}"
    return Response(
        body,
        mimetype=exports.FORMATS[fmt],
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


def _record_export(name: str, fmt: str, **details) -> None:
    """Who downloaded which list (with its filters): exports carry personal data out."""
    from lms.audit.log import record

    filters = {
        k: v
        for k, v in request.args.items()
        if k in ("department", "position", "status", "days", "since", "until")
    }
    record("plan.export", actor_id=current_staff().id, target_type="export", target_id=name,
           format=fmt, filters=filters, **details)  # fmt: skip
    session.commit()


def _filters() -> dict:
    departments, positions = reports.filter_choices()
    return {"departments": departments, "positions": positions}


@bp.get("/plan/")
@requires(*HR)
def matrix():
    m = reports.matrix(_matrix_query())
    return render_template("lms/plan/matrix.html", m=m, sorts=reports.SORTS, **_filters())


@bp.get(f"/plan/matrix.{EXPORT}")
@requires(*HR)
def matrix_export(fmt: str):
    rules, as_of, rows = reports.matrix_rows(_matrix_query(paginate=False))
    return _download(exports.matrix_table(rules, rows), fmt, "compliance-matrix", as_of)


def _list_args() -> dict:
    return {
        "department": request.args.get("department") or None,
        "position": request.args.get("position") or None,
    }


@bp.get("/plan/overdue")
@requires(*HR)
def overdue():
    as_of = _as_of()
    page = page_number()
    items, total = reports.list_page("overdue", as_of, page, **_list_args())
    return render_template(
        "lms/plan/overdue.html",
        items=items,
        total=total,
        page=page,
        as_of=as_of,
        **_filters(),
    )


@bp.get(f"/plan/overdue.{EXPORT}")
@requires(*HR)
def overdue_export(fmt: str):
    as_of = _as_of()
    rows = reports.list_rows("overdue", as_of, **_list_args())
    return _download(exports.overdue_table(rows, as_of, load_rules()), fmt, "overdue", as_of)


def _days() -> int:
    days = request.args.get("days", type=int)
    if days is None:
        days = int(config.setting("LMS_PLAN_EXPIRING_DAYS"))
    return min(max(days, 0), 3650)


@bp.get("/plan/expiring")
@requires(*HR)
def expiring():
    as_of, days = _as_of(), _days()
    page = page_number()
    items, total = reports.list_page("expiring", as_of, page, days=days, **_list_args())
    return render_template(
        "lms/plan/expiring.html",
        items=items,
        total=total,
        page=page,
        as_of=as_of,
        days=days,
        **_filters(),
    )


@bp.get(f"/plan/expiring.{EXPORT}")
@requires(*HR)
def expiring_export(fmt: str):
    as_of, days = _as_of(), _days()
    rows = reports.list_rows("expiring", as_of, days=days, **_list_args())
    return _download(
        exports.expiring_table(rows, as_of, load_rules()), fmt, f"expiring-{days}d", as_of
    )


@bp.get("/plan/departments")
@requires(*HR)
def departments():
    rows, as_of = reports.department_summary(_as_of())
    return render_template(
        "lms/plan/departments.html", rows=rows, as_of=as_of, chart=department_chart(rows)
    )


@bp.get("/plan/departments.svg")
@requires(*HR)
def departments_svg():
    rows, _ = reports.department_summary(_as_of())
    return Response(str(department_chart(rows)), mimetype="image/svg+xml")


@bp.get(f"/plan/departments.{EXPORT}")
@requires(*HR)
def departments_export(fmt: str):
    rows, as_of = reports.department_summary(_as_of())
    return _download(exports.department_table(rows), fmt, "departments", as_of)


@bp.get("/plan/xapi.json")
@requires(*HR)
def xapi_export():
    def moment(name: str) -> datetime | None:
        raw = request.args.get(name)
        if not raw:
            return None
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            abort(400, f"{name}: {raw!r} is not a date like 2026-03-01")

    statements = xapi.statements(moment("since"), moment("until"))
    body = json.dumps(statements, ensure_ascii=False, indent=1)
    _record_export("xapi", "json", statements=len(statements))
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=xapi-statements.json"},
    )


# Requirements ------------------------------------------------------------------------------


@bp.get("/plan/requirements")
@requires(*HR)
def requirement_list():
    return render_template(
        "lms/plan/requirements.html",
        rows=requirements.list_requirements(),
        audience_label=audience_label,
        form=FlaskForm(),
    )


def _requirement_form(req=None) -> RequirementForm:
    form = RequirementForm(obj=req)
    if req is None and request.method == "GET":
        form.window_days.data = int(config.setting("LMS_PLAN_WINDOW_DAYS"))
    if req is not None and request.method == "GET":
        form.checklist.data = "\n".join(req.checklist or [])
    courses = reports.course_choices()
    form.course_id.choices = [SelectChoice(c.id, c.title) for c in courses]
    if req is not None and req.course_id not in {c.id for c in courses}:
        form.course_id.choices.append(
            SelectChoice(req.course_id, _("(已停用课程 #%(id)s)", id=req.course_id))
        )
    return form


def _show_errors(form: RequirementForm, errors: dict[str, str]) -> None:
    for name, problem in errors.items():
        getattr(form, name).errors = [*getattr(form, name).errors, problem]


@bp.route("/plan/requirements/new", methods=["GET", "POST"])
@requires(*HR)
def requirement_new():
    form = _requirement_form()
    if form.validate_on_submit():
        try:
            req = requirements.create_requirement(form.values(), current_staff())
        except requirements.RequirementInvalid as exc:
            _show_errors(form, exc.errors)
        else:
            flash(_("已新增培训要求。"), "success")
            return redirect(url_for(".requirement_edit", requirement_id=req.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "lms/plan/requirement_form.html", form=form, req=None, history=[], **_filters()
    ), status


@bp.route("/plan/requirements/<lms_id:requirement_id>", methods=["GET", "POST"])
@requires(*HR)
def requirement_edit(requirement_id: int):
    req = requirements.requirement_or_404(requirement_id)
    form = _requirement_form(req)
    if form.validate_on_submit():
        try:
            changes = requirements.update_requirement(req, form.values(), current_staff())
        except requirements.RequirementInvalid as exc:
            _show_errors(form, exc.errors)
        else:
            flash(
                _("已保存；所有人的状态已按新规则重新计算。") if changes else _("没有改动。"),
                "success",
            )
            return redirect(url_for(".requirement_edit", requirement_id=req.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "lms/plan/requirement_form.html",
        form=form,
        req=req,
        history=requirements.requirement_history(req),
        retire_form=FlaskForm(),
        **_filters(),
    ), status


@bp.post("/plan/requirements/<lms_id:requirement_id>/retire")
@requires(*HR)
def requirement_retire(requirement_id: int):
    req = requirements.requirement_or_404(requirement_id)
    if FlaskForm().validate_on_submit() and requirements.retire_requirement(req, current_staff()):
        flash(_("已停用这项要求；已有的记录全部保留。"), "success")
    return redirect(url_for(".requirement_list"))


# One person's plan, exemptions and extensions ----------------------------------------------


@bp.get("/plan/people/<employee_no>")
@requires(*HR, owner="employee_no")
def person(employee_no: str):
    staff = staff_or_404(employee_no)
    as_of = _as_of()
    me = current_staff()
    return render_template(
        "lms/plan/person.html",
        person=staff,
        items=reports.person_plan(staff, as_of),
        as_of=as_of,
        history=records.history(staff),
        labels={r.id: r.label for r in load_rules(include_retired=True)},
        can_manage=me.has_role(*HR),
        exempt_form=ReasonForm(),
        extend_form=ExtensionForm(),
        lift_form=FlaskForm(),
    )


def _person_and_requirement(employee_no: str, requirement_id: int):
    return staff_or_404(employee_no), requirements.requirement_or_404(requirement_id)


def _back(employee_no: str):
    return redirect(url_for(".person", employee_no=employee_no))


@bp.post("/plan/people/<employee_no>/<lms_id:requirement_id>/exempt")
@requires(*HR)
def exempt(employee_no: str, requirement_id: int):
    staff, req = _person_and_requirement(employee_no, requirement_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("豁免需要填写原因。"), "error")
        return _back(employee_no)
    try:
        records.grant_exemption(staff, req, form.reason.data, current_staff())
    except records.RecordRefused as exc:
        flash(str(exc), "error")
    else:
        flash(_("已豁免。"), "success")
    return _back(employee_no)


@bp.post("/plan/people/<employee_no>/<lms_id:requirement_id>/lift")
@requires(*HR)
def lift_exemption(employee_no: str, requirement_id: int):
    staff, req = _person_and_requirement(employee_no, requirement_id)
    if FlaskForm().validate_on_submit() and records.lift_exemption(staff, req, current_staff()):
        flash(_("已取消豁免(记录保留)。"), "success")
    return _back(employee_no)


@bp.post("/plan/people/<employee_no>/<lms_id:requirement_id>/extend")
@requires(*HR)
def extend(employee_no: str, requirement_id: int):
    staff, req = _person_and_requirement(employee_no, requirement_id)
    form = ExtensionForm()
    if not form.validate_on_submit():
        flash(_("延期需要填写新的截止日期和原因。"), "error")
        return _back(employee_no)
    try:
        records.grant_extension(staff, req, form.due_on.data, form.reason.data, current_staff())
    except records.RecordRefused as exc:
        flash(str(exc), "error")
    else:
        flash(_("已延期至 %(date)s。", date=form.due_on.data), "success")
    return _back(employee_no)


# Trainers: practical sign-offs --------------------------------------------------------------


@bp.get("/plan/signoffs")
@requires(*TRAINERS)
def signoffs():
    rules = [r for r in load_rules() if r.needs_signoff]
    chosen = request.args.get("requirement", type=int)
    rule = next((r for r in rules if r.id == chosen), rules[0] if rules else None)
    people = []
    if rule is not None:
        people = reports.signoff_candidates(
            rule, request.args.get("department") or None, config.today()
        )
    return render_template(
        "lms/plan/signoffs.html", rules=rules, rule=rule, people=people, **_filters()
    )


@bp.route("/plan/signoffs/<lms_id:requirement_id>/<employee_no>", methods=["GET", "POST"])
@requires(*TRAINERS)
def signoff(requirement_id: int, employee_no: str):
    staff, req = _person_and_requirement(employee_no, requirement_id)
    if not req.needs_signoff or req.retired_at is not None:
        flash(_("这项要求不需要(或已不再需要)实操签核。"), "error")
        return redirect(url_for(".signoffs"))
    form = SignoffForm()
    form.items.choices = [SelectChoice(i, i) for i in req.checklist]
    if request.method == "GET":
        form.observed_on.data = config.today()
    if form.validate_on_submit():
        try:
            row = records.record_signoff(
                staff,
                req,
                form.observed_on.data,
                set(form.items.data or []),
                form.notes.data,
                current_staff(),
            )
        except records.RecordRefused as exc:
            form.observed_on.errors = [*form.observed_on.errors, str(exc)]
        else:
            flash(
                _("已记录：全部检查项通过。")
                if row.passed
                else _("已记录：有检查项未通过，需再次观察。"),
                "success",
            )
            return redirect(url_for(".signoffs", requirement=req.id))
    rule = load_rules(include_retired=True, ids=[req.id])[0]
    return render_template(
        "lms/plan/signoff.html",
        form=form,
        person=staff,
        rule=rule,
        past=[s for s, _ in records.history(staff)["signoffs"] if s.requirement_id == req.id],
    ), (400 if request.method == "POST" else 200)
