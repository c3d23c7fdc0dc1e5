"""Completions as xAPI statements, for organisations that keep a learning record store.

Each graded quiz attempt becomes a ``passed`` or ``failed`` statement on the course's assessment,
and each certificate that stands (neither revoked nor reissued) a ``completed`` statement on the course, with score
and duration. Statement ids are derived from the record they describe, so exporting twice and
posting both to an LRS stores each statement once. People are identified by an account (employee
number at the site), never by e-mail address.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, request

from lms.auth.models import Staff
from lms.certificates.models import Certificate
from lms.courses.models import Course
from lms.db import session
from lms.plan import config
from lms.quizzes.models import Attempt

VERBS = {
    "passed": ("http://adlnet.gov/expapi/verbs/passed", "通过"),
    "failed": ("http://adlnet.gov/expapi/verbs/failed", "未通过"),
    "completed": ("http://adlnet.gov/expapi/verbs/completed", "完成"),
}
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
ASSESSMENT_TYPE = "http://adlnet.gov/expapi/activities/assessment"
NAMESPACE = uuid.UUID("5b0c7c1e-6a51-4f3e-9a7e-6d696e676c69")


def site_url() -> str:
    site = config.setting("LMS_PLAN_SITE_URL")
    if not site and has_request_context():
        site = request.url_root
    return (site or "http://localhost").rstrip("/")


def iso_duration(seconds: float) -> str:
    total = max(int(round(seconds)), 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    out = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return out + (f"{secs}S" if secs or out == "PT" else "")


def _timestamp(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


def statements(since: datetime | None = None, until: datetime | None = None) -> list[dict]:
    """Statements for attempts graded, and certificates issued, in [since, until) (UTC)."""
    site = site_url()
    base = f"{site}{current_app.config['LMS_URL_PREFIX']}"
    out: list[dict] = []

    attempts = (
        sa.select(Attempt, Staff.employee_no, Staff.name, Course.slug, Course.title)
        .join(Staff, Staff.id == Attempt.staff_id)
        .join(Course, Course.id == Attempt.course_id)
        .where(Attempt.status == "graded", Attempt.graded_at.is_not(None))
        .order_by(Attempt.graded_at, Attempt.id)
    )
    if since:
        attempts = attempts.where(Attempt.graded_at >= since)
    if until:
        attempts = attempts.where(Attempt.graded_at < until)
    by_attempt: dict[int, Attempt] = {}
    for attempt, employee_no, name, slug, title in session.execute(attempts):
        by_attempt[attempt.id] = attempt
        verb = "passed" if attempt.passed else "failed"
        course_iri = f"{base}/courses/{slug}/"
        out.append(
            _statement(
                f"attempt/{attempt.id}",
                site,
                employee_no,
                name,
                verb,
                {"id": f"{course_iri}quiz", "type": ASSESSMENT_TYPE, "name": f"{title} 测验"},
                _result(attempt, success=bool(attempt.passed)),
                attempt.graded_at,
                parent=course_iri,
            )
        )

    certificates = (
        sa.select(Certificate, Staff.employee_no, Staff.name, Course.slug, Course.title)
        .join(Staff, Staff.id == Certificate.staff_id)
        .join(Course, Course.id == Certificate.course_id)
        .where(Certificate.revoked_at.is_(None), Certificate.superseded_by_id.is_(None))
        .order_by(Certificate.created_at, Certificate.id)
    )
    if since:
        certificates = certificates.where(Certificate.created_at >= since)
    if until:
        certificates = certificates.where(Certificate.created_at < until)
    rows = session.execute(certificates).all()
    missing = {c.attempt_id for c, *_ in rows if c.attempt_id and c.attempt_id not in by_attempt}
    if missing:
        by_attempt.update(
            (a.id, a) for a in session.scalars(sa.select(Attempt).where(Attempt.id.in_(missing)))
        )
    for cert, employee_no, name, slug, title in rows:
        attempt = by_attempt.get(cert.attempt_id) if cert.attempt_id else None
        result: dict[str, Any] = (
            _result(attempt, success=True) if attempt else {"success": True, "completion": True}
        )
        out.append(
            _statement(
                # One completion per certification cycle: a reissue keeps the statement id.
                f"completion/{cert.staff_id}/{cert.course_id}/{cert.cycle}",
                site,
                employee_no,
                name,
                "completed",
                {"id": f"{base}/courses/{slug}/", "type": COURSE_TYPE, "name": title},
                result,
                cert.created_at,
                extra={"certificate": cert.serial},
            )
        )
    out.sort(key=lambda s: s["timestamp"])
    return out


def _result(attempt: Attempt, *, success: bool) -> dict[str, Any]:
    result: dict[str, Any] = {"success": success, "completion": True}
    if attempt.score is not None:
        result["score"] = {
            "scaled": round(attempt.score / 100, 4),
            "raw": attempt.score,
            "min": 0,
            "max": 100,
        }
    end = attempt.submitted_at or attempt.graded_at
    if end and attempt.started_at:
        result["duration"] = iso_duration((end - attempt.started_at) / timedelta(seconds=1))
    return result


def _statement(
    key: str,
    site: str,
    employee_no: str,
    name: str,
    verb: str,
    activity: dict[str, str],
    result: dict[str, Any],
    moment: datetime,
    *,
    parent: str | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, Any]:
    verb_id, verb_zh = VERBS[verb]
    context: dict[str, Any] = {"platform": "Mingli", "language": "zh-CN"}
    if parent:
        context["contextActivities"] = {"parent": [{"objectType": "Activity", "id": parent}]}
    if extra:
        context["extensions"] = {f"{site}/xapi/{k}": v for k, v in extra.items()}
    return {
        "id": str(uuid.uuid5(NAMESPACE, f"{site}/{key}/{verb}")),
        "actor": {
            "objectType": "Agent",
            "name": name,
            "account": {"homePage": site, "name": employee_no},
        },
        "verb": {"id": verb_id, "display": {"en-US": verb, "zh-CN": verb_zh}},
        "object": {
            "objectType": "Activity",
            "id": activity["id"],
            "definition": {"type": activity["type"], "name": {"zh-CN": activity["name"]}},
        },
        "result": result,
        "context": context,
        "timestamp": _timestamp(moment),
    }
