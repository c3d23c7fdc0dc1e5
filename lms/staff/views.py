"""HR pages for staff records: list, one person's record, CSV import, role changes."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from lms.auth.access import requires
from lms.auth.identity import current_staff
from lms.courses import catalog
from lms.staff import records
from lms.staff.forms import ROLE_LABELS, RolesForm, StaffImportForm
from lms.staff.importer import import_staff

bp = Blueprint("lms_staff", __name__)


@bp.get("/staff/")
@requires("hr", "admin")
def staff_list():
    page = max(request.args.get("page", 1, type=int), 1)
    people, total = records.list_staff(page)
    return render_template(
        "lms/staff/list.html", people=people, total=total, page=page, role_labels=ROLE_LABELS
    )


@bp.get("/staff/<employee_no>")
@requires("hr", "admin", owner="employee_no")
def staff_detail(employee_no: str):
    person = records.staff_or_404(employee_no)
    courses = catalog.active_courses()
    progress = catalog.course_progress(person, courses)
    return render_template(
        "lms/staff/detail.html",
        person=person,
        courses=courses,
        progress=progress,
        role_labels=ROLE_LABELS,
    )


@bp.route("/staff/import", methods=["GET", "POST"])
@requires("hr", "admin")
def staff_import():
    form = StaffImportForm()
    result = None
    if form.validate_on_submit():
        data = form.file.data.read()
        result = import_staff(data, skip_bad=form.skip_bad.data, actor_id=current_staff().id)
        if result.created or result.updated:
            flash(f"已导入:新增 {result.created} 人,更新 {result.updated} 人。", "success")
            if not result.errors:
                return redirect(url_for(".staff_list"))
        else:
            flash("名单有错误,未导入任何记录。请修正后重新上传。", "error")
    status = 400 if form.errors or (result and result.errors) else 200
    return render_template("lms/staff/import.html", form=form, result=result), status


@bp.route("/staff/<employee_no>/roles", methods=["GET", "POST"])
@requires("admin")
def staff_roles(employee_no: str):
    person = records.staff_or_404(employee_no)
    form = RolesForm(roles=sorted(person.roles))
    if form.validate_on_submit():
        records.change_roles(person, set(form.roles.data), current_staff())
        flash("角色已更新。", "success")
        return redirect(url_for(".staff_detail", employee_no=employee_no))
    return render_template("lms/staff/roles.html", person=person, form=form)
