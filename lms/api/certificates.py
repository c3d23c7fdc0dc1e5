"""Public verification of a certificate serial, as the API shows it.

A thin translation of the certificates service's own ``verify`` (the same rules as the public
verification page: serial normalisation and check character, status, what may be shown), so the
two can never disagree. Anyone may call it: it tells only the status, the holder's name and course
as printed, and the dates.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from lms.certificates import issue

STATUSES = issue.STATES  # valid, expired, revoked, superseded, unknown
# Why a serial is unknown: not a serial at all, a typo caught by the check character, or no such one.
PROBLEMS = ("malformed", "mistyped", "not_found")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def verify_certificate(serial: str) -> dict[str, Any]:
    result = issue.verify(serial)
    return {
        "serial": result.serial,
        "status": result.state,
        "problem": result.problem or None,
        "name": result.name or None,
        "course_title": result.course or None,
        "issued_on": _day(result.issued_on),
        "expires_on": _day(result.expires_on),
        "revoked_on": _day(result.revoked_on),
    }
