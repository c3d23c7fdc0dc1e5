"""Issuing, reissuing, revoking and verifying certificates.

Issued means frozen: the PDF is rendered once, at issue, and stored with its SHA-256, the data printed
on it and the versions of the content passed. Nothing here ever rewrites a stored certificate: a
reissue adds the next version and marks the old one superseded; a revocation only stamps it.

Issue-once is the database's job. Two passes at the same moment both render, both try to insert
version 1 of the same cycle, and the unique constraint lets exactly one through; the other rolls
back and returns the winner's certificate.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, has_request_context, request, url_for
from sqlalchemy.exc import IntegrityError

from lms import days
from lms.audit.log import record
from lms.auth.models import Staff
from lms.certificates import dates, serials
from lms.certificates.errors import CertificateRefused
from lms.certificates.fonts import font_report, missing_glyphs
from lms.certificates.models import Certificate
from lms.certificates.signals import certificate_changed
from lms.certificates.templates import (
    CertTemplate,
    load_template,
    render_html,
    render_pdf,
    templates_root,
)
from lms.courses import catalog
from lms.courses.completion import DEFAULT_RULE
from lms.courses.models import Course
from lms.db import session, utcnow
from lms.i18n import _, _l
from lms.quizzes.models import Attempt, Question, QuestionVersion

STATES = ("valid", "expired", "revoked", "superseded", "unknown")
STATE_LABELS = {
    "valid": _l("有效"),
    "expired": _l("已过期"),
    "revoked": _l("已撤销"),
    "superseded": _l("已被新版本取代"),
    "unknown": _l("未找到"),
}
_SERIAL_ATTEMPTS = 3

# Whether a training plan asks for a trainer's practical sign-off for a course, and the person's
# latest passed observation (None while still to come). The plan sits above certificates (it counts
# them as evidence), so it hands its answer down: LMS.init_app registers
# ``plan.records.signoff_for_certificate`` here.
SignoffLookup = Callable[[Staff, Course], tuple[bool, date | None]]
_signoff_lookup: SignoffLookup | None = None


def look_up_signoffs_with(lookup: SignoffLookup) -> None:
    """Register the plan's sign-off look-up (idempotent; called by ``LMS.init_app``)."""
    global _signoff_lookup
    _signoff_lookup = lookup


__all__ = ["CertificateRefused", "issue", "issue_for_attempt", "reissue", "revoke", "verify"]


@dataclass(frozen=True)
class Settings:
    template: str
    organisation: str
    logo: str | None
    signatory_name: str
    signatory_title: str
    base_url: str | None
    serial_prefix: str
    timezone: str | None
    renewal_days: int


def settings() -> Settings:
    c = current_app.config
    return Settings(
        template=c["LMS_CERT_TEMPLATE"],
        organisation=c["LMS_CERT_ORGANISATION"] or c["LMS_ORGANISATION"],
        logo=c["LMS_CERT_LOGO"],
        signatory_name=c["LMS_CERT_SIGNATORY_NAME"],
        signatory_title=c["LMS_CERT_SIGNATORY_TITLE"],
        base_url=c["LMS_CERT_BASE_URL"],
        serial_prefix=c["LMS_CERT_SERIAL_PREFIX"],
        timezone=c["LMS_CERT_TIMEZONE"],
        renewal_days=int(c["LMS_CERT_RENEWAL_DAYS"]),
    )


def today() -> date:
    """The organisation's today (one calendar for the product: ``lms.days``)."""
    return days.today()


def status_of(cert: Certificate, on: date | None = None) -> str:
    """valid / expired / revoked / superseded; a superseded version stays superseded."""
    if cert.superseded_by_id is not None:
        return "superseded"
    if cert.revoked_at is not None:
        return "revoked"
    if cert.expires_on is not None and (on or today()) > cert.expires_on:
        return "expired"
    return "valid"


def status_clause(status: str, on: date) -> Any:
    """The SQL condition for one status, matching :func:`status_of`."""
    current = sa.and_(Certificate.superseded_by_id.is_(None), Certificate.revoked_at.is_(None))
    if status == "superseded":
        return Certificate.superseded_by_id.is_not(None)
    if status == "revoked":
        return sa.and_(Certificate.superseded_by_id.is_(None), Certificate.revoked_at.is_not(None))
    if status == "expired":
        return sa.and_(current, Certificate.expires_on < on)
    if status == "valid":
        return sa.and_(
            current, sa.or_(Certificate.expires_on.is_(None), Certificate.expires_on >= on)
        )
    if status == "current":  # what may be printed: neither revoked nor superseded
        return current
    raise ValueError(f"unknown status {status!r}")


# --- rendering one certificate --------------------------------------------------------------------


def verify_url(serial: str) -> str:
    """The public verification address printed on the certificate and encoded in its QR code.

    ``LMS_CERT_BASE_URL`` when set (production requires it). Otherwise the request's own address,
    but only when its host is one the application names (``LMS_CERT_ALLOWED_HOSTS`` or
    ``SERVER_NAME``): a client's arbitrary ``Host`` header never reaches a frozen certificate.
    """
    path = f"{current_app.config['LMS_URL_PREFIX'].rstrip('/')}/verify/{serial}"
    base = current_app.config["LMS_CERT_BASE_URL"]
    if base:
        return base.rstrip("/") + path
    if has_request_context() and host_allowed(request.host, allowed_hosts()):
        return url_for("lms_certs.verify", serial=serial, _external=True)
    raise CertificateRefused(
        _(
            "无法确定证书上的核验网址：请设置 LMS_CERT_BASE_URL（例如 https://lms.example.cn），"
            "或把本站的主机名加入 LMS_CERT_ALLOWED_HOSTS。"
        )
    )


def allowed_hosts() -> list[str]:
    hosts = list(current_app.config.get("LMS_CERT_ALLOWED_HOSTS") or ())
    if current_app.config.get("SERVER_NAME"):
        hosts.append(current_app.config["SERVER_NAME"])
    return hosts


def host_allowed(host: str, allowed: list[str]) -> bool:
    """``host`` (``name[:port]``) matches an entry exactly, or its name matches a port-less entry."""
    host = host.strip().lower()
    name = _split_host(host)[0]
    for entry in allowed:
        entry = entry.strip().lower()
        entry_name, entry_port = _split_host(entry)
        if host == entry or (name and entry_port is None and name == entry_name):
            return True
    return False


def _split_host(host: str) -> tuple[str, int | None]:
    try:
        parts = urlsplit("//" + host)
        return parts.hostname or "", parts.port
    except ValueError:  # a port that is not a number
        return "", None


def qr_data_uri(url: str) -> str:
    import segno

    return segno.make(url, error="m", micro=False).svg_data_uri(border=0, dark="#1f2933")


def _logo(template: CertTemplate, configured: str | None) -> tuple[str | None, str]:
    """The configured logo as a ``data:`` URI (WeasyPrint may not read files outside the template)."""
    if not configured:
        return None, ""
    path = Path(configured)
    if not path.is_absolute():
        path = template.folder / path
    try:
        data = path.read_bytes()
    except OSError:
        raise CertificateRefused(
            _("找不到证书标志文件 %(path)s(LMS_CERT_LOGO)。", path=path)
        ) from None
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    encoded = base64.b64encode(data).decode("ascii")
    return f"data:{mime};base64,{encoded}", hashlib.sha256(data).hexdigest()


def check_printable(template: CertTemplate, fields: dict[str, str]) -> None:
    """Refuse rather than print an empty box: every character needs a glyph in the template font."""
    report = font_report(template.font)
    if not report.ok:
        raise CertificateRefused(report.problem)
    for label, text in fields.items():
        missing = missing_glyphs(text, template.font)
        if missing:
            chars = _("、").join(f"“{ch}”(U+{ord(ch):04X})" for ch in missing)
            raise CertificateRefused(
                _(
                    "%(label)s“%(text)s”中的 %(chars)s 在证书字体 %(font)s 中没有字形，"
                    "打印出来会是空白方框，因此未签发证书。请核对信息，或请管理员安装含有这些字的字体。",
                    label=label,
                    text=text,
                    chars=chars,
                    font=template.font,
                )
            )


@dataclass
class Rendered:
    serial: str
    template: CertTemplate
    html: str
    pdf: bytes
    snapshot: dict[str, Any]


def render_certificate(
    *,
    name: str,
    course_title: str,
    course_slug: str,
    issued_on: date,
    expires_on: date | None,
    completion: dict[str, Any],
    version: int = 1,
    reissued_on: date | None = None,
) -> Rendered:
    """Check, then render one certificate with a fresh serial (nothing is stored here).

    ``completion`` (from :func:`completion_record`) is what the statement on the certificate is
    worded from, and is kept in the snapshot with the rule and its version.
    """
    conf = settings()
    template = load_template(conf.template, templates_root())
    check_printable(
        template,
        {
            _("姓名"): name,
            _("课程名称"): course_title,
            _("机构名称"): conf.organisation,
            _("签发人"): conf.signatory_name,
            _("签发人职务"): conf.signatory_title,
        },
    )
    serial = serials.new_serial(conf.serial_prefix)
    url = verify_url(serial)
    logo, logo_sha256 = _logo(template, conf.logo)
    context = {
        "cert": {
            "serial": serial,
            "name": name,
            "course": course_title,
            "issued": dates.chinese_date(issued_on),
            "expires": dates.chinese_date(expires_on),
            "version": version,
            "reissued": dates.chinese_date(reissued_on),
            "completion": completion,
        },
        "org": {"name": conf.organisation, "logo": logo},
        "signatory": {"name": conf.signatory_name, "title": conf.signatory_title},
        "verify_url": url,
        "qr": qr_data_uri(url),
    }
    html = render_html(template, context)
    pdf = render_pdf(template, html)
    snapshot = {
        "name": name,
        "course_title": course_title,
        "course_slug": course_slug,
        "issued_on": issued_on.isoformat(),
        "expires_on": expires_on.isoformat() if expires_on else None,
        "reissued_on": reissued_on.isoformat() if reissued_on else None,
        "version": version,
        "serial": serial,
        "verify_url": url,
        "organisation": conf.organisation,
        "signatory_name": conf.signatory_name,
        "signatory_title": conf.signatory_title,
        "logo_sha256": logo_sha256,
        "font": template.font,
        "completion": completion,
    }
    return Rendered(serial=serial, template=template, html=html, pdf=pdf, snapshot=snapshot)


def frozen_certificate(rendered: Rendered, **fields: Any) -> Certificate:
    """The row that keeps a rendering for good: PDF, its SHA-256, HTML and the printed data."""
    return Certificate(
        serial=rendered.serial,
        template=rendered.template.name,
        template_version=rendered.template.version,
        snapshot=rendered.snapshot,
        html=rendered.html,
        pdf=rendered.pdf,
        sha256=hashlib.sha256(rendered.pdf).hexdigest(),
        **fields,
    )


# --- issuing ----------------------------------------------------------------------------------


def _latest_current(staff_id: int, course_id: int) -> Certificate | None:
    return session.scalar(
        sa.select(Certificate)
        .where(
            Certificate.staff_id == staff_id,
            Certificate.course_id == course_id,
            Certificate.superseded_by_id.is_(None),
        )
        .order_by(Certificate.cycle.desc(), Certificate.version.desc())
        .limit(1)
    )


def _current_in_cycle(staff_id: int, course_id: int, cycle: int) -> Certificate | None:
    return session.scalar(
        sa.select(Certificate)
        .where(
            Certificate.staff_id == staff_id,
            Certificate.course_id == course_id,
            Certificate.cycle == cycle,
        )
        .order_by(Certificate.version.desc())
        .limit(1)
    )


def _next_cycle(latest: Certificate | None, attempt: Attempt, on: date, renewal_days: int) -> int:
    """The cycle this pass earns, or 0 when the person already holds its certificate.

    A new cycle starts after a revocation (for a pass made after it) or once the current certificate
    is within ``renewal_days`` of expiring (for a pass made inside that window).
    """
    if latest is None:
        return 1
    passed_at = attempt.graded_at or utcnow()
    if latest.revoked_at is not None:
        if passed_at <= latest.revoked_at:
            raise CertificateRefused(
                _("这次通过所获的证书已被撤销；需要重新通过测验才能再次获得证书。")
            )
        return latest.cycle + 1
    if latest.expires_on is not None and (latest.expires_on - on).days < renewal_days:
        window_opens = latest.expires_on.toordinal() - renewal_days
        if passed_at.date().toordinal() < window_opens:
            raise CertificateRefused(_("这次通过早于续证期，不能用来换发新证书；请重新通过测验。"))
        return latest.cycle + 1
    return 0


def _content_versions(course: Course, attempt: Attempt) -> dict[str, Any]:
    version_ids = [r.question_version_id for r in attempt.responses]
    rows = session.execute(
        sa.select(Question.key, QuestionVersion.version, QuestionVersion.id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .where(QuestionVersion.id.in_(version_ids))
    ).all()
    by_id = {row.id: {"key": row.key, "version": row.version} for row in rows}
    return {
        "attempt_id": attempt.id,
        "score": attempt.score,
        "lessons": [{"slug": les.slug, "version": les.version} for les in course.active_lessons],
        "questions": [by_id[v] for v in version_ids if v in by_id],
    }


def completion_record(staff: Staff, course: Course, attempt: Attempt) -> dict[str, Any]:
    """What was required and done for this certificate, as printed on it and kept in its snapshot.

    Lessons completed (and how many the course's rule required, with the rule and its version),
    the passed quiz, and the trainer's practical sign-off when a training plan for the course asks
    for one (``signoff_on``: the latest passed observation so far, ``None`` when still to come).
    """
    done = catalog.completion_of(staff, course)
    records = catalog.lesson_records(staff, course)
    if _signoff_lookup is None:
        raise RuntimeError("no sign-off look-up registered: LMS.init_app registers the plan's")
    plan_asks, signoff_on = _signoff_lookup(staff, course)
    return {
        "rule": dict(course.completion or DEFAULT_RULE),
        "rule_version": course.completion_version,
        "lessons_total": done.total,
        "lessons_required": done.required,
        "lessons_completed": done.completed,
        "lessons": [r.slug for r in records if r.completed_at is not None],
        "quiz_passed": bool(attempt.passed),
        "attempt_id": attempt.id,
        "score": attempt.score,
        "signoff_required": bool(plan_asks),
        "signoff_on": signoff_on.isoformat() if signoff_on else None,
    }


def issue(staff: Staff, course: Course, attempt: Attempt) -> Certificate:
    """The certificate this passed attempt earns: the one already held, or a newly issued one."""
    if not attempt.passed or attempt.staff_id != staff.id or attempt.course_id != course.id:
        raise CertificateRefused(_("只有本人通过的测验才能获得证书。"))
    conf = settings()
    on = today()
    cycle = _next_cycle(_latest_current(staff.id, course.id), attempt, on, conf.renewal_days)
    if cycle == 0:
        return _latest_current(staff.id, course.id)
    content_versions = _content_versions(course, attempt)
    completion = completion_record(staff, course, attempt)
    expires_on = dates.expiry(on, course.validity_months)
    for _try in range(_SERIAL_ATTEMPTS):
        # Rendered before the transaction writes anything: no lock is held for the ~0.1 s it takes.
        rendered = render_certificate(
            name=staff.name,
            course_title=course.title,
            course_slug=course.slug,
            issued_on=on,
            expires_on=expires_on,
            completion=completion,
        )
        cert = frozen_certificate(
            rendered,
            staff_id=staff.id,
            course_id=course.id,
            attempt_id=attempt.id,
            cycle=cycle,
            version=1,
            issued_on=on,
            expires_on=expires_on,
            content_versions=content_versions,
        )
        session.add(cert)
        record(
            "certificate.issue",
            target_type="certificate",
            target_id=cert.serial,
            employee_no=staff.employee_no,
            course=course.slug,
            cycle=cycle,
            attempt_id=attempt.id,
        )
        try:
            session.commit()
            return cert
        except IntegrityError:
            session.rollback()
            existing = _current_in_cycle(staff.id, course.id, cycle)
            if existing is not None:
                return existing  # a concurrent pass issued it first
            # Otherwise the serial collided (one chance in a trillion): draw another.
    raise CertificateRefused(_("证书编号冲突，请稍后重试。"))


ISSUE_FAILED = "certificate.issue_failed"


def issue_for_attempt(attempt: Attempt) -> Certificate | None:
    """Issue for a pass, after grading commits: a certificate problem never undoes the grade.

    A refusal (missing font or glyph, missing template, no verification address) is logged and
    recorded (``certificate.issue_failed``), so HR sees the pass under "needs attention" and the
    learner can claim the certificate later from "my certificates", where the reason is shown.
    Any other error is logged with its traceback and recorded the same way: the learner's grade
    and result page stand, and the failure is in front of HR rather than swallowed.
    """
    if not attempt.passed:
        return None
    try:
        staff = session.get(Staff, attempt.staff_id)
        course = session.get(Course, attempt.course_id)
        return issue(staff, course, attempt)
    except CertificateRefused as exc:
        session.rollback()
        current_app.logger.warning("No certificate for attempt %s: %s", attempt.id, exc)
        _record_failure(attempt, str(exc))
        return None
    except Exception as exc:
        session.rollback()
        current_app.logger.exception("Certificate for attempt %s failed", attempt.id)
        _record_failure(attempt, f"{type(exc).__name__}: {exc}"[:500])
        return None


def _record_failure(attempt: Attempt, reason: str) -> None:
    record(
        ISSUE_FAILED,
        target_type="attempt",
        target_id=attempt.id,
        staff_id=attempt.staff_id,
        course_id=attempt.course_id,
        reason=reason,
    )
    session.commit()


def on_attempt_graded(_sender: object, attempt: Attempt, **_extra: object) -> None:
    """Receiver of ``quizzes.signals.attempt_graded`` (connected by ``subscribe``)."""
    issue_for_attempt(attempt)


def subscribe() -> None:
    """Issue certificates for passes: idempotent, called by ``LMS.init_app``."""
    from lms.quizzes.signals import attempt_graded

    attempt_graded.connect(on_attempt_graded)


def latest_pass(staff: Staff, course: Course) -> Attempt | None:
    return session.scalar(
        sa.select(Attempt)
        .where(
            Attempt.staff_id == staff.id,
            Attempt.course_id == course.id,
            Attempt.status == "graded",
            Attempt.passed.is_(True),
        )
        .order_by(Attempt.graded_at.desc(), Attempt.id.desc())
        .limit(1)
    )


def claim(staff: Staff, course: Course) -> Certificate:
    """Issue now for the learner's latest pass (after a refusal was fixed, e.g. a font installed)."""
    attempt = latest_pass(staff, course)
    if attempt is None:
        raise CertificateRefused(_("您还没有通过本课程的测验。"))
    return issue(staff, course, attempt)


# --- reissue and revocation -----------------------------------------------------------------------


def reissue(cert: Certificate, actor: Staff, reason: str) -> Certificate:
    """A new version with today's name, template and logo; the old version shows as superseded.

    The dates, cycle and content passed carry over: it is the same qualification, printed again.
    """
    reason = (reason or "").strip()
    if not reason:
        raise CertificateRefused(_("请填写补发原因。"))
    if cert.superseded_by_id is not None:
        raise CertificateRefused(_("该证书已有新版本，请对最新版本操作。"))
    if cert.revoked_at is not None:
        raise CertificateRefused(_("已撤销的证书不能补发。"))
    staff = session.get(Staff, cert.staff_id)
    course = session.get(Course, cert.course_id)
    rendered = render_certificate(
        name=staff.name,
        course_title=course.title,
        course_slug=course.slug,
        issued_on=cert.issued_on,
        expires_on=cert.expires_on,
        # The same qualification: what was done then, not now. A certificate from before completion
        # records has its facts taken today (the snapshot says so with ``recorded_at_reissue``).
        completion=(cert.snapshot or {}).get("completion")
        or _completion_now(staff, course, cert.attempt_id),
        version=cert.version + 1,
        reissued_on=today(),
    )
    new = frozen_certificate(
        rendered,
        staff_id=cert.staff_id,
        course_id=cert.course_id,
        attempt_id=cert.attempt_id,
        cycle=cert.cycle,
        version=cert.version + 1,
        issued_on=cert.issued_on,
        expires_on=cert.expires_on,
        content_versions=cert.content_versions,
    )
    old_id, old_serial = cert.id, cert.serial
    try:
        session.add(new)
        session.flush()
        claimed = session.execute(
            sa.update(Certificate)
            .where(
                Certificate.id == old_id,
                Certificate.superseded_by_id.is_(None),
                Certificate.revoked_at.is_(None),
            )
            .values(superseded_by_id=new.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not claimed:
            raise CertificateRefused(_("该证书刚被他人补发或撤销，请刷新后再试。"))
        record(
            "certificate.reissue",
            actor_id=actor.id,
            target_type="certificate",
            target_id=old_serial,
            new_serial=new.serial,
            version=new.version,
            reason=reason,
        )
        certificate_changed.send(current_app._get_current_object(), certificate=cert)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise CertificateRefused(_("该证书刚被他人补发，请刷新后再试。")) from None
    except CertificateRefused:
        session.rollback()
        raise
    session.refresh(cert)
    return new


def _completion_now(staff: Staff, course: Course, attempt_id: int | None) -> dict[str, Any]:
    attempt = session.get(Attempt, attempt_id) if attempt_id else None
    if attempt is None:
        attempt = Attempt(passed=True)
    return completion_record(staff, course, attempt) | {"recorded_at_reissue": True}


def revoke(cert: Certificate, actor: Staff, reason: str) -> None:
    """Stamp the certificate revoked (kept, never deleted) and log who did it and why."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateRefused(_("请填写撤销原因。"))
    if cert.superseded_by_id is not None:
        raise CertificateRefused(_("该证书已有新版本，请对最新版本操作。"))
    now = utcnow()
    claimed = session.execute(
        sa.update(Certificate)
        .where(Certificate.id == cert.id, Certificate.revoked_at.is_(None))
        .where(Certificate.superseded_by_id.is_(None))
        .values(revoked_at=now, revoke_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        session.rollback()
        raise CertificateRefused(_("该证书已被撤销或已有新版本。"))
    record(
        "certificate.revoke",
        actor_id=actor.id,
        target_type="certificate",
        target_id=cert.serial,
        reason=reason,
    )
    certificate_changed.send(current_app._get_current_object(), certificate=cert)
    session.commit()
    session.refresh(cert)


# --- verification ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    state: str  # one of STATES
    serial: str
    name: str = ""
    course: str = ""
    issued_on: date | None = None
    expires_on: date | None = None
    revoked_on: date | None = None
    problem: str = ""  # for unknown: malformed | mistyped | not_found

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])


def find_by_serial(text: str) -> Certificate | None:
    try:
        serial = serials.normalise(text, current_app.config["LMS_CERT_SERIAL_PREFIX"])
    except serials.SerialInvalid:
        return None
    return session.scalar(sa.select(Certificate).where(Certificate.serial == serial))


def verify(text: str) -> Verification:
    """What the public verification page says about a serial: only name, course, dates and state."""
    try:
        serial = serials.normalise(text, current_app.config["LMS_CERT_SERIAL_PREFIX"])
    except serials.SerialInvalid as exc:
        return Verification(state="unknown", serial=text[:40], problem=exc.reason)
    cert = session.scalar(sa.select(Certificate).where(Certificate.serial == serial))
    if cert is None:
        return Verification(state="unknown", serial=serial, problem="not_found")
    snap = cert.snapshot or {}
    revoked_at: datetime | None = cert.revoked_at
    return Verification(
        state=status_of(cert),
        serial=serial,
        name=snap.get("name", ""),
        course=snap.get("course_title", ""),
        issued_on=cert.issued_on,
        expires_on=cert.expires_on,
        revoked_on=days.local_date(revoked_at) if revoked_at else None,
    )
