"""CSV and XLSX downloads of the HR views, safe to open in a spreadsheet.

A text cell that starts with ``= + - @`` (or a tab or carriage return) would run as a formula in
Excel or WPS; such cells get a leading apostrophe, so they show as the text they are. CSV files are
UTF-8 with a byte-order mark so that Excel opens Chinese correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from lms.i18n import _
from lms.plan import xlsx
from lms.plan.reports import DepartmentRow, Item, Matrix
from lms.plan.status import LABELS, STATES

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

Table = tuple[list[str], list[list[Any]]]


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(table: Table) -> bytes:
    headers, rows = table
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow(
            [
                "" if v is None else neutralise(v.isoformat() if isinstance(v, date) else v)
                for v in row
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(table: Table, title: str) -> bytes:
    headers, rows = table
    return xlsx.workbook(
        [neutralise(h) for h in headers], [[neutralise(v) for v in row] for row in rows], title
    )


def render(table: Table, fmt: str, title: str) -> bytes:
    return csv_bytes(table) if fmt == "csv" else xlsx_bytes(table, title)


def _person_headers() -> list[str]:
    return [_("工号"), _("姓名"), _("部门"), _("岗位"), _("入职日期")]


def _person_cells(item_person: Any) -> list[Any]:
    p = item_person
    return [p.employee_no, p.name, p.department, p.position, p.hire_date]


def matrix_table(m: Matrix) -> Table:
    headers = _person_headers() + [
        f"{r.course_title}({r.audience}){suffix}"
        for r in m.rules
        for suffix in ("", " " + _("截止/到期"))
    ]
    rows = []
    for person in m.people:
        row = _person_cells(person)
        for rule in m.rules:
            status = m.statuses.get((person.id, rule.id))
            if status is None:
                row += [_("不适用"), None]
            else:
                row += [status.label, status.due_on or status.expires_on]
        rows.append(row)
    return headers, rows


def overdue_table(items: Sequence[Item], as_of: date) -> Table:
    headers = _person_headers() + [
        _("课程"),
        _("适用范围"),
        _("状态"),
        _("截止日期"),
        _("逾期天数"),
        _("上级"),
        _("邮箱"),
    ]
    rows = [
        _person_cells(i.person)
        + [
            i.rule.course_title,
            i.rule.audience,
            i.status.label,
            i.status.due_on,
            (as_of - i.status.due_on).days if i.status.due_on else None,
            f"{i.manager.name}({i.manager.employee_no})" if i.manager else i.person.manager_no,
            i.person.email,
        ]
        for i in items
    ]
    return headers, rows


def expiring_table(items: Sequence[Item], as_of: date) -> Table:
    headers = _person_headers() + [
        _("课程"),
        _("适用范围"),
        _("状态"),
        _("认证日期"),
        _("到期日期"),
        _("剩余天数"),
    ]
    rows = [
        _person_cells(i.person)
        + [
            i.rule.course_title,
            i.rule.audience,
            i.status.label,
            i.status.certified_on,
            i.status.expires_on,
            (i.status.expires_on - as_of).days if i.status.expires_on else None,
        ]
        for i in items
    ]
    return headers, rows


def department_table(rows: Iterable[DepartmentRow]) -> Table:
    headers = [_("部门"), _("人数"), _("要求项"), _("已完成"), _("完成率(%)")]
    headers += [str(LABELS[s]) for s in STATES]
    body = [
        [r.department, r.people, r.assigned, r.holding, round(100 * r.completion, 1)]
        + [r.counts[s] for s in STATES]
        for r in rows
    ]
    return headers, body
