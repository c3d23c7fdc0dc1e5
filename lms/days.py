"""The organisation's calendar: one time zone and one "today" for the whole product.

Timestamps are stored in UTC; days — a certificate's issue date, a due date, "today" on the plan, a
revocation date — are counted on the organisation's calendar, ``LMS_CERT_TIMEZONE`` (Asia/Shanghai
by default). Between 16:00 and 24:00 UTC it is already tomorrow in Beijing: with two calendars a
certificate issued "today" was once in the plan's future.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app


def zone_named(name: str | None) -> tzinfo:
    """The zone called ``name``; UTC for none or an unknown name."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def zone() -> tzinfo:
    """The organisation's time zone (``LMS_CERT_TIMEZONE``)."""
    return zone_named(current_app.config.get("LMS_CERT_TIMEZONE"))


def today() -> date:
    """Today on the organisation's calendar."""
    return datetime.now(zone()).date()


def local_date(moment: datetime, tz: tzinfo | None = None) -> date:
    """The calendar day of a stored timestamp (naive means UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(tz or zone()).date()


def local_time(moment: datetime, tz: tzinfo | None = None) -> datetime:
    """A stored timestamp (naive means UTC) on the organisation's clock, for showing to people:
    the UI shows every time in one zone, the one its dates are counted in."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(tz or zone())


def show_time(moment: datetime | None, tz: tzinfo | None = None, *, seconds: bool = False) -> str:
    """``YYYY-MM-DD HH:MM`` (``:SS`` with ``seconds``) on the organisation's clock; empty for none."""
    if moment is None:
        return ""
    return local_time(moment, tz).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
