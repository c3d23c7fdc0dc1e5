"""Dates that people type: only years 1901 to 2199 are taken.

A date far outside working life is a typo (9999-12-31, 0001-01-01, a year typed twice), and before
this rule such a hire date imported fine and then broke every HR page that did arithmetic with it.
Every input path checks the range: staff import, the staff, requirement, extension and sign-off
forms, and the ``as_of`` a plan page is asked about. The plan's status arithmetic also clamps at the
calendar's ends (:func:`lms.plan.status.add_days`), so a date stored some other way breaks nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms.validators import ValidationError

from lms.i18n import _

MIN_YEAR = 1901
MAX_YEAR = 2199


def in_range(day: date) -> bool:
    """Whether ``day`` falls in the years people may type (1901 to 2199)."""
    return MIN_YEAR <= day.year <= MAX_YEAR


def range_problem(text: str) -> str:
    """The importers' ``column: problem`` wording for a date outside the range."""
    return f"{text!r} is outside the years {MIN_YEAR} to {MAX_YEAR}"


class SaneDate:
    """WTForms validator for a ``DateField``: the date must be within 1901 to 2199."""

    def __call__(self, form: Any, field: Any) -> None:
        if isinstance(field.data, date) and not in_range(field.data):
            raise ValidationError(
                _("请填写 %(first)s 至 %(last)s 年之间的日期。", first=MIN_YEAR, last=MAX_YEAR)
            )


__all__ = ["MAX_YEAR", "MIN_YEAR", "SaneDate", "in_range", "range_problem"]
