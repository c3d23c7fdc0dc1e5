"""Training-plan settings, read from the app's ``LMS_PLAN_*`` and ``LMS_MAIL_*`` keys.

The defaults live here rather than in ``LMS.init_app`` so a host sets only what it changes:

- ``LMS_PLAN_DUE_SOON_DAYS`` [14]: a due date this close (or closer) makes an item "due soon".
- ``LMS_PLAN_WINDOW_DAYS`` [60]: the recertification window offered for a new requirement.
- ``LMS_PLAN_EXPIRING_DAYS`` [60]: the default horizon of the expiring-certificates list.
- ``LMS_PLAN_REMIND_BEFORE_DAYS`` [(30, 7, 1, 0)]: reminders this many days before the due date.
- ``LMS_PLAN_REMIND_OVERDUE_EVERY_DAYS`` [7]: then one every this many days while overdue.
- ``LMS_PLAN_REMIND_MANAGER`` [True]: copy the person's manager once an item is overdue.
- ``LMS_PLAN_HR_EMAILS`` [()]: where the HR summary goes; empty means every active HR account.
- The plan counts days on the product's one calendar, ``LMS_CERT_TIMEZONE`` (``lms.days``).
- ``LMS_PLAN_SITE_URL`` [None]: the public address, for links in e-mails and xAPI activity ids.
- ``LMS_PLAN_SELF_SIGNOFF`` [False]: may a trainer sign off their own practical requirement (tiny
  teams only; such sign-offs are marked in the audit log).
- ``LMS_PLAN_SIGNOFF_MAX_AGE_DAYS`` [365]: the oldest observation date a sign-off accepts.
- ``LMS_MAIL_HOST`` [localhost], ``LMS_MAIL_PORT`` [25], ``LMS_MAIL_USERNAME``,
  ``LMS_MAIL_PASSWORD``, ``LMS_MAIL_USE_TLS`` [False: STARTTLS], ``LMS_MAIL_USE_SSL`` [False],
  ``LMS_MAIL_SENDER`` [mingli@localhost], ``LMS_MAIL_TIMEOUT`` [30 seconds].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from flask import current_app

from lms import days
from lms.defaults import DEFAULTS

# Defaults are in the one table of LMS_* settings.


def setting(key: str) -> Any:
    return current_app.config.get(key, DEFAULTS[key])


@dataclass(frozen=True)
class Schedule:
    before_days: tuple[int, ...]
    overdue_every_days: int
    copy_manager: bool


def schedule() -> Schedule:
    before = tuple(sorted({int(d) for d in setting("LMS_PLAN_REMIND_BEFORE_DAYS")}, reverse=True))
    return Schedule(
        before_days=before,
        overdue_every_days=max(int(setting("LMS_PLAN_REMIND_OVERDUE_EVERY_DAYS")), 1),
        copy_manager=bool(setting("LMS_PLAN_REMIND_MANAGER")),
    )


# One calendar for the whole product (``lms.days``): a certificate issued "today" is today in
# the plan too.
timezone = days.zone
today = days.today


def local_date(moment: datetime | None, tz: tzinfo | None = None) -> date | None:
    """The calendar day of a stored naive-UTC timestamp (``None`` stays ``None``)."""
    return days.local_date(moment, tz) if moment is not None else None


def local_dates(tz: tzinfo | None = None) -> Callable[[datetime | None], date | None]:
    """:func:`local_date` for many timestamps: the zone's offset is looked up once per hour."""
    zone = tz or timezone()
    offsets: dict[tuple[date, int], timedelta] = {}

    def convert(moment: datetime | None) -> date | None:
        if moment is None:
            return None
        key = (moment.date(), moment.hour)
        offset = offsets.get(key)
        if offset is None:
            offset = offsets[key] = moment.replace(tzinfo=UTC).astimezone(zone).utcoffset()
        return (moment + offset).date()

    return convert
