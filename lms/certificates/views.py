"""Certificate pages: the learner's own, HR's list and actions, batch printing, public verification."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from lms.auth.access import LEARNERS, public, requires
from lms.auth.identity import current_staff
from lms.auth.models import Staff
from lms.certificates import batch as batches
from lms.certificates import issue as service
from lms.certificates import queries
from lms.certificates.errors import CertificateRefused
from lms.certificates.fonts import font_report
from lms.certificates.forms import (
    BatchForm,
    CertificateFilterForm,
    ReissueForm,
    RevokeForm,
)
from lms.certificates.models import Certificate, CertificateBatch
from lms.certificates.templates import TemplateProblem, load_template, templates_root
from lms.courses import catalog
from lms.courses.models import Course
from lms.db import session
from lms.i18n import _
from lms.navigation import page_number

bp = Blueprint("lms_certs", __name__)


@bp.app_template_global("lms_course_certificate")
def course_certificate(course: Course) -> Certificate | None:
    """For the course page: the logged-in learner's current certificate for ``course``."""
    staff = current_staff()
    return queries.course_certificate(staff, course) if staff else None


@bp.app_template_filter("lms_cert_status")
def cert_status(cert: Certificate) -> str:
    return str(service.STATE_LABELS[service.status_of(cert)])


def _certificate_or_404(cert_id: int) -> Certificate:
    cert = session.get(Certificate, cert_id)
    if cert is None:
        abort(404)
    return cert


# --- learners -----------------------------------------------------------------------------------


@bp.get("/certificates/mine")
@requires(*LEARNERS)
def mine():
    staff = current_staff()
    return render_template(
        "lms/certificates/mine.html",
        rows=queries.certificates_of(staff),
        claimable=queries.claimable_courses(staff),
        status_of=service.status_of,
        labels=service.STATE_LABELS,
        form=FlaskForm(),
    )


@bp.post("/certificates/claim/<slug>")
@requires(*LEARNERS)
def claim(slug: str):
    course = catalog.course_or_404(slug)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        cert = service.claim(current_staff(), course)
    except CertificateRefused as exc:
        flash(str(exc), "error")
    else:
        flash(_("证书已签发：%(serial)s", serial=cert.serial), "success")
    return redirect(url_for(".mine"))


@bp.get("/certificates/<lms_id:cert_id>/download")
@requires(*LEARNERS)
def download(cert_id: int):
    """The stored PDF, exactly as issued: its holder may download it, and so may HR."""
    cert = _certificate_or_404(cert_id)
    staff = current_staff()
    is_hr = staff.has_role("hr", "admin")
    if cert.staff_id != staff.id and not is_hr:
        abort(403)
    if not is_hr and service.status_of(cert) in ("revoked", "superseded"):
        abort(410)
    response = send_file(
        io.BytesIO(cert.pdf or b""),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=_("证书-%(serial)s.pdf", serial=cert.serial),
        etag=cert.sha256 or False,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# --- HR -----------------------------------------------------------------------------------------


def _filter_form() -> CertificateFilterForm:
    form = CertificateFilterForm(request.args)
    form.department.choices = [SelectChoice("", _("全部部门"))] + [
        SelectChoice(d, d) for d in queries.departments()
    ]
    form.course.choices = [SelectChoice("", _("全部课程"))] + [
        SelectChoice(c.slug, c.title) for c in queries.courses()
    ]
    return form


@bp.get("/certificates/")
@requires("hr", "admin")
def certificates():
    form = _filter_form()
    valid = form.validate()
    f = queries.ListFilter(
        q=form.q.data or "",
        department=form.department.data or "",
        course=form.course.data or "",
        status=form.status.data if form.status.data in service.STATE_LABELS else "",
        issued_from=form.issued_from.data if valid else None,
        issued_to=form.issued_to.data if valid else None,
    )
    page = page_number()
    rows, total = queries.hr_list(f, page)
    batch_form = BatchForm(
        formdata=None,
        prefix="batch",
        department=f.department,
        course=f.course,
        issued_from=f.issued_from,
        issued_to=f.issued_to,
        format="pdf",
    )
    batch_filter = batches.BatchFilter(
        course=f.course or None,
        department=f.department or None,
        issued_from=f.issued_from,
        issued_to=f.issued_to,
    )
    recent = list(
        session.scalars(sa.select(CertificateBatch).order_by(CertificateBatch.id.desc()).limit(5))
    )
    return render_template(
        "lms/certificates/list.html",
        form=form,
        rows=rows,
        total=total,
        page=page,
        per_page=queries.PER_PAGE,
        batch_form=batch_form,
        printable=batches.count(batch_filter),
        batch_filter=batch_filter,
        recent=recent,
        batch_status=batches.batch_status,
        font_problem=_font_problem(),
        attention=queries.needs_attention(),
    )


def _font_problem() -> str:
    try:
        template = load_template(current_app.config["LMS_CERT_TEMPLATE"], templates_root())
    except TemplateProblem as exc:
        return str(exc)
    return font_report(template.font).problem


def _detail(cert: Certificate, revoke_form: RevokeForm, reissue_form: ReissueForm, status=200):
    return (
        render_template(
            "lms/certificates/detail.html",
            cert=cert,
            person=session.get(Staff, cert.staff_id),
            course=session.get(Course, cert.course_id),
            status=service.status_of(cert),
            labels=service.STATE_LABELS,
            versions=queries.versions_of(cert),
            revoke_form=revoke_form,
            reissue_form=reissue_form,
        ),
        status,
    )


@bp.get("/certificates/<lms_id:cert_id>")
@requires("hr", "admin")
def detail(cert_id: int):
    cert = _certificate_or_404(cert_id)
    return _detail(
        cert,
        RevokeForm(formdata=None, prefix="revoke"),
        ReissueForm(formdata=None, prefix="reissue"),
    )


@bp.post("/certificates/<lms_id:cert_id>/revoke")
@requires("hr", "admin")
def revoke(cert_id: int):
    cert = _certificate_or_404(cert_id)
    form = RevokeForm(prefix="revoke")
    if not form.validate_on_submit():
        return _detail(cert, form, ReissueForm(formdata=None, prefix="reissue"), 400)
    try:
        service.revoke(cert, current_staff(), form.reason.data)
    except CertificateRefused as exc:
        flash(str(exc), "error")
        return _detail(cert, form, ReissueForm(formdata=None, prefix="reissue"), 409)
    flash(_("证书 %(serial)s 已撤销。", serial=cert.serial), "success")
    return redirect(url_for(".detail", cert_id=cert.id))


@bp.post("/certificates/<lms_id:cert_id>/reissue")
@requires("hr", "admin")
def reissue(cert_id: int):
    cert = _certificate_or_404(cert_id)
    form = ReissueForm(prefix="reissue")
    if not form.validate_on_submit():
        return _detail(cert, RevokeForm(formdata=None, prefix="revoke"), form, 400)
    try:
        new = service.reissue(cert, current_staff(), form.reason.data)
    except CertificateRefused as exc:
        flash(str(exc), "error")
        return _detail(cert, RevokeForm(formdata=None, prefix="revoke"), form, 409)
    flash(
        _(
            "已补发新版本 %(new)s；旧版本 %(old)s 显示为已被取代。",
            new=new.serial,
            old=cert.serial,
        ),
        "success",
    )
    return redirect(url_for(".detail", cert_id=new.id))


# --- batches ------------------------------------------------------------------------------------


@bp.post("/certificates/batches")
@requires("hr", "admin")
def batch_create():
    form = BatchForm(prefix="batch")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for(".certificates"))
    f = batches.BatchFilter(
        course=form.course.data or None,
        department=form.department.data or None,
        issued_from=form.issued_from.data,
        issued_to=form.issued_to.data,
    )
    try:
        job = batches.create_batch(f, form.format.data, current_staff())
    except CertificateRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for(".certificates"))
    batches.start_in_background(current_app._get_current_object(), job.id)
    return redirect(url_for(".batch", batch_id=job.id))


def _batch_or_404(batch_id: int) -> CertificateBatch:
    job = session.get(CertificateBatch, batch_id)
    if job is None:
        abort(404)
    return job


def _batch_json(job: CertificateBatch) -> dict:
    status = batches.batch_status(job)
    return {
        "status": status,
        "done": job.done,
        "total": job.total,
        "error": job.error
        or (_("任务中断(服务器可能已重启)，请重新发起。") if status != job.status else None),
        "download_url": url_for(".batch_download", batch_id=job.id) if status == "done" else None,
    }


@bp.get("/certificates/batches/<lms_id:batch_id>")
@requires("hr", "admin")
def batch(batch_id: int):
    job = _batch_or_404(batch_id)
    return render_template(
        "lms/certificates/batch.html",
        job=job,
        state=_batch_json(job),
        described=batches.BatchFilter.from_params(job.params).describe(),
    )


@bp.get("/certificates/batches/<lms_id:batch_id>/status")
@requires("hr", "admin")
def batch_status(batch_id: int):
    response = jsonify(_batch_json(_batch_or_404(batch_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/certificates/batches/<lms_id:batch_id>/download")
@requires("hr", "admin")
def batch_download(batch_id: int):
    job = _batch_or_404(batch_id)
    if batches.batch_status(job) != "done" or job.result is None:
        abort(404)
    return send_file(
        io.BytesIO(job.result),
        mimetype="application/pdf" if job.format == "pdf" else "application/zip",
        as_attachment=True,
        download_name=batches.download_name(job),
        max_age=0,
    )


# --- public verification ------------------------------------------------------------------------


@bp.get("/verify/")
@public
def verify_form():
    """The page people reach without a QR code: type the serial, then see the answer."""
    typed = re.sub(r"[^0-9A-Za-z\- ]", "", request.args.get("serial", ""))[:40].strip()
    if typed:
        return redirect(url_for(".verify", serial=typed.replace(" ", "-")))
    return render_template("lms/certificates/verify.html", result=None)


@bp.get("/verify/<serial>")
@public
def verify(serial: str):
    result = service.verify(serial)
    status = 404 if result.state == "unknown" else 200
    return render_template("lms/certificates/verify.html", result=result), status
