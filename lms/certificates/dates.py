"""Calendar arithmetic for issue and expiry dates, in the organisation's time zone."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    """``start`` plus whole months; a day the target month lacks becomes its last day.

    31 January + 1 month is 28 (or 29) February, and 29 February + 12 months is 28 February: a
    certificate never gains days by landing in a shorter month.
    """
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def expiry(issued_on: date, validity_months: int) -> date | None:
    """The last day the certificate is valid; ``None`` when the course sets no validity (0)."""
    return add_months(issued_on, validity_months) if validity_months > 0 else None


def chinese_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
