"""HR pages for staff records: list, one person's record, import with preview, edit, deactivate."""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from lms.auth.access import requires
from lms.auth.identity import current_staff
from lms.auth.models import Staff
from lms.courses import catalog
from lms.i18n import _, _l
from lms.navigation import page_number
from lms.security import accepts_upload
from lms.staff import records
from lms.staff.forms import (
    ROLE_LABELS,
    RolesForm,
    StaffActiveForm,
    StaffEditForm,
    StaffImportConfirmForm,
    StaffImportForm,
)
from lms.staff.importer import department_flags, import_staff, parse_staff_file, plan_import

bp = Blueprint("lms_staff", __name__)
PREVIEW_ROWS = 200
FIELD_LABELS = {
    "name": _l("姓名"),
    "email": _l("邮箱"),
    "department": _l("部门"),
    "position": _l("岗位"),
    "hire_date": _l("入职日期"),
    "manager_no": _l("上级工号"),
    "active": _l("在职"),
    "roles": _l("角色"),
}


# The person page shows the person's plan. The plan sits above staff (it reads staff records), so
# it hands its function down: lms.web registers ``plan.reports.person_plan`` here.
_person_plan: Callable[[Staff], list[Any]] = lambda _person: []  # noqa: E731


def show_plan_with(person_plan: Callable[[Staff], list[Any]]) -> None:
    """Register what the person page shows as the person's plan (called by ``lms.web``)."""
    global _person_plan
    _person_plan = person_plan


@bp.get("/staff/")
@requires("hr", "admin")
def staff_list():
    page = page_number()
    from lms.invitations.service import account_states

    never = request.args.get("never") == "1"
    people, total = records.list_staff(page, never_logged_in=never)
    return render_template(
        "lms/staff/list.html",
        people=people,
        total=total,
        page=page,
        role_labels=ROLE_LABELS,
        account_states=account_states(people),
        never=never,
        own_login=current_app.extensions["lms"].user_adapter is None,
    )


@bp.get("/staff/<employee_no>")
@requires("hr", "admin", owner="employee_no")
def staff_detail(employee_no: str):
    person = records.staff_or_404(employee_no)
    courses = catalog.active_courses()
    progress = catalog.course_progress(person, courses)
    me = current_staff()
    from lms.invitations.service import account_states

    return render_template(
        "lms/staff/detail.html",
        account_state=account_states([person])[person.id] if me.has_role("hr", "admin") else None,
        own_login=current_app.extensions["lms"].user_adapter is None,
        person=person,
        courses=courses,
        progress=progress,
        role_labels=ROLE_LABELS,
        plan=_person_plan(person),
        certificates=records.certificates_of(person),
        history=records.staff_history(person) if me.has_role("hr", "admin") else [],
        field_labels=FIELD_LABELS,
        active_form=StaffActiveForm(),
    )


def _max_rows() -> int:
    return int(current_app.config["LMS_IMPORT_MAX_ROWS"])


def _pack(data: bytes) -> str:
    return base64.b64encode(zlib.compress(data, 9)).decode("ascii")


def _unpack(payload: str) -> bytes | None:
    limit = int(current_app.config["LMS_MAX_IMPORT_BYTES"])
    try:
        inflater = zlib.decompressobj()
        data = inflater.decompress(base64.b64decode(payload, validate=True), limit)
    except (binascii.Error, zlib.error, ValueError):
        return None
    return None if inflater.unconsumed_tail else data


@bp.route("/staff/import", methods=["GET", "POST"])
@accepts_upload
@requires("hr", "admin")
def staff_import():
    """Upload → preview: nothing is written until the preview is confirmed."""
    form = StaffImportForm()
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_template("lms/staff/import.html", form=form, result=None), status
    limit = int(current_app.config["LMS_MAX_IMPORT_BYTES"])
    data = form.file.data.stream.read(limit + 1)
    if len(data) > limit:
        form.file.errors.append(_("文件太大：最多 %(kb)s KB。请拆分后分批导入。", kb=limit // 1024))
        return render_template("lms/staff/import.html", form=form, result=None), 400
    return _preview(data, form.file.data.filename, bool(form.skip_bad.data), form)


NEW_DEPARTMENT = "__new__"  # the choice "keep the new department name" in the preview


def _preview(data: bytes, filename: str, skip_bad: bool, form=None, choices_missing=False):
    """The preview page (or the upload page with the file's errors); writes nothing."""
    result = parse_staff_file(data, _max_rows())
    planned = plan_import(result, current_staff()) if not result.fatal else []
    if result.errors and (not skip_bad or result.fatal):
        flash(_("名单有错误，未导入任何记录。请修正后重新上传。"), "error")
        form = form or StaffImportForm()
        return render_template("lms/staff/import.html", form=form, result=result), 400
    confirm = StaffImportConfirmForm(
        payload=_pack(data), filename=filename, skip_bad="1" if skip_bad else ""
    )
    page = render_template(
        "lms/staff/import_preview.html",
        result=result,
        planned=planned[:PREVIEW_ROWS],
        counts={
            a: sum(1 for p in planned if p.action == a) for a in ("create", "update", "unchanged")
        },
        total=len(planned),
        confirm=confirm,
        filename=filename,
        field_labels=FIELD_LABELS,
        flags=department_flags(result.rows),
        new_department=NEW_DEPARTMENT,
        choices_missing=choices_missing,
    )
    return page, 400 if choices_missing else 200


def _department_choices(data: bytes) -> dict[str, str] | None:
    """HR's answer for each flagged department: ``{new name: existing name or ""}``; ``None`` when
    one is unanswered or names something the preview did not offer."""
    result = parse_staff_file(data, _max_rows())
    mapping = {}
    for index, flag in enumerate(department_flags(result.rows)):
        choice = request.form.get(f"department-{index}", "")
        if choice == NEW_DEPARTMENT:
            mapping[flag.name] = ""
        elif choice in flag.close:
            mapping[flag.name] = choice
        else:
            return None
    return mapping


@bp.post("/staff/import/confirm")
@accepts_upload
@requires("hr", "admin")
def staff_import_confirm():
    form = StaffImportConfirmForm()
    data = _unpack(form.payload.data or "") if form.validate_on_submit() else None
    if data is None:
        flash(_("预览已失效，请重新上传名单。"), "error")
        return redirect(url_for(".staff_import"))
    mapping = _department_choices(data)
    if mapping is None:
        flash(_("请为每个相近的部门名称选择：保留新部门，或改用已有部门。"), "error")
        return _preview(data, form.filename.data or "", bool(form.skip_bad.data), None, True)
    result = import_staff(
        data,
        skip_bad=bool(form.skip_bad.data),
        actor_id=current_staff().id,
        max_rows=_max_rows(),
        department_map=mapping,
    )
    if result.errors and not result.skipped:
        # The file was valid at preview time; the database changed since (or the form was edited).
        flash(_("名单有错误，未导入任何记录。"), "error")
        return render_template("lms/staff/import.html", form=StaffImportForm(), result=result), 400
    counts = {
        "created": result.created,
        "updated": result.updated - result.unchanged,
        "unchanged": result.unchanged,
    }
    message = _(
        "已导入：新增 %(created)s 人，更新 %(updated)s 人，无变化 %(unchanged)s 人。", **counts
    )
    if result.skipped:
        message += " " + _("跳过了有错误的 %(count)s 行。", count=result.skipped)
    flash(message, "success")
    return redirect(url_for(".staff_list"))


@bp.route("/staff/<employee_no>/edit", methods=["GET", "POST"])
@requires("hr", "admin")
def staff_edit(employee_no: str):
    person = records.staff_or_404(employee_no)
    form = StaffEditForm(obj=person)
    if form.validate_on_submit():
        values = {
            name: getattr(form, name).data
            for name in ("name", "email", "department", "position", "hire_date", "manager_no")
        }
        try:
            changes = records.update_staff(person, values, current_staff(), form.reason.data or "")
        except records.StaffEditRefused as exc:
            form.manager_no.errors = [*form.manager_no.errors, str(exc)]
        else:
            flash(_("已保存。") if changes else _("没有改动。"), "success")
            return redirect(url_for(".staff_detail", employee_no=employee_no))
    status = 400 if request.method == "POST" else 200
    return render_template("lms/staff/edit.html", person=person, form=form), status


@bp.post("/staff/<employee_no>/deactivate")
@requires("hr", "admin")
def staff_deactivate(employee_no: str):
    return _set_active(employee_no, False)


@bp.post("/staff/<employee_no>/reactivate")
@requires("hr", "admin")
def staff_reactivate(employee_no: str):
    return _set_active(employee_no, True)


def _set_active(employee_no: str, active: bool):
    person = records.staff_or_404(employee_no)
    form = StaffActiveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if records.set_active(person, active, current_staff(), form.reason.data or ""):
            flash(_("已恢复在职。") if active else _("已停用；学习记录与证书全部保留。"), "success")
    except records.StaffEditRefused as exc:
        flash(str(exc), "error")
    return redirect(url_for(".staff_detail", employee_no=employee_no))


@bp.route("/staff/<employee_no>/roles", methods=["GET", "POST"])
@requires("admin")
def staff_roles(employee_no: str):
    person = records.staff_or_404(employee_no)
    form = RolesForm(roles=sorted(person.roles))
    if form.validate_on_submit():
        try:
            records.change_roles(person, set(form.roles.data), current_staff())
        except records.StaffEditRefused as exc:
            form.roles.errors = [*form.roles.errors, str(exc)]
        else:
            flash(_("角色已更新。"), "success")
            return redirect(url_for(".staff_detail", employee_no=employee_no))
    status = 400 if request.method == "POST" else 200
    return render_template("lms/staff/roles.html", person=person, form=form), status
