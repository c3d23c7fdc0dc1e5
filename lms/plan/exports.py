"""CSV and XLSX downloads of the HR views, safe to open in a spreadsheet.

A text cell that starts with ``= + - @`` (or a tab or carriage return) would run as a formula in
Excel or WPS; such cells get a leading apostrophe, so they show as the text they are. CSV files are
UTF-8 with a byte-order mark so that Excel opens Chinese correctly.

Both formats are written row by row as the response is sent (:func:`render` is a generator): the
rows come from a streamed query over the kept statuses, so memory stays flat in the number of rows
and the first bytes leave at once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from lms.i18n import _
from lms.plan import xlsx
from lms.plan.evidence import Person, Rule
from lms.plan.reports import DepartmentRow, Item
from lms.plan.status import LABELS, STATES

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FIRST = frozenset(FORMULA_STARTS)
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

Table = tuple[list[str], Iterable[list[Any]]]
CSV_FLUSH_ROWS = 500


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in _FIRST:
        return "'" + value
    return value


def _csv_value(value: Any) -> Any:
    return (
        "" if value is None else neutralise(value.isoformat() if isinstance(value, date) else value)
    )


def csv_stream(table: Table) -> Iterator[bytes]:
    """The CSV file in chunks of a few hundred rows (UTF-8 with a byte-order mark)."""
    headers, rows = table
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow([neutralise(h) for h in headers])
    for n, row in enumerate(rows, 1):
        writer.writerow([_csv_value(v) for v in row])
        if n % CSV_FLUSH_ROWS == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def csv_bytes(table: Table) -> bytes:
    return b"".join(csv_stream(table))


def xlsx_stream(table: Table, title: str) -> Iterator[bytes]:
    headers, rows = table
    # Neutralised inside the writer, once per distinct text it caches rather than once per cell.
    return xlsx.stream([neutralise(h) for h in headers], rows, title, text=neutralise)


def xlsx_bytes(table: Table, title: str) -> bytes:
    return b"".join(xlsx_stream(table, title))


def render(table: Table, fmt: str, title: str) -> Iterator[bytes]:
    """The file in chunks, written as the table's rows are read."""
    return csv_stream(table) if fmt == "csv" else xlsx_stream(table, title)


def _labels() -> dict[str, str]:
    """The status labels in the reader's language, resolved while the request is there (the rows
    are written after it)."""
    return {s: str(LABELS[s]) for s in STATES}


def _audiences(rules: Iterable[Rule]) -> dict[int, str]:
    return {r.id: r.audience for r in rules}


def _person_headers() -> list[str]:
    return [_("工号"), _("姓名"), _("部门"), _("岗位"), _("入职日期")]


def _person_cells(item_person: Any) -> list[Any]:
    p = item_person
    return [p.employee_no, p.name, p.department, p.position, p.hire_date]


def matrix_table(rules: list[Rule], rows: Iterable[tuple[Person, dict]]) -> Table:
    """One row per person: their cells, then status and deadline (or expiry) per requirement.

    ``rows``: ``(person, {rule id: (state, deadline or expiry)})`` (``reports.matrix_rows``)."""
    headers = _person_headers() + [
        f"{r.course_title}({r.audience}){suffix}"
        for r in rules
        for suffix in ("", " " + _("截止/到期"))
    ]
    not_applicable, labels = _("不适用"), _labels()

    def body() -> Iterator[list[Any]]:
        for person, statuses in rows:
            row = _person_cells(person)
            for rule in rules:
                cell = statuses.get(rule.id)
                if cell is None:
                    row += [not_applicable, None]
                else:  # (state, deadline or expiry)
                    row += [labels[cell[0]], cell[1]]
            yield row

    return headers, body()


def overdue_table(items: Iterable[Item], as_of: date, rules: Iterable[Rule] = ()) -> Table:
    """``rules``: every rule the items may name, so their audiences are worded before streaming."""
    headers = _person_headers() + [
        _("课程"),
        _("适用范围"),
        _("状态"),
        _("截止日期"),
        _("逾期天数"),
        _("上级"),
        _("邮箱"),
    ]
    labels, audiences = _labels(), _audiences(rules)
    rows = (
        _person_cells(i.person)
        + [
            i.rule.course_title,
            audiences.get(i.rule.id) or i.rule.audience,
            labels[i.status.state],
            i.status.due_on,
            (as_of - i.status.due_on).days if i.status.due_on else None,
            f"{i.manager.name}({i.manager.employee_no})" if i.manager else i.person.manager_no,
            i.person.email,
        ]
        for i in items
    )
    return headers, rows


def expiring_table(items: Iterable[Item], as_of: date, rules: Iterable[Rule] = ()) -> Table:
    headers = _person_headers() + [
        _("课程"),
        _("适用范围"),
        _("状态"),
        _("认证日期"),
        _("到期日期"),
        _("剩余天数"),
    ]
    labels, audiences = _labels(), _audiences(rules)
    rows = (
        _person_cells(i.person)
        + [
            i.rule.course_title,
            audiences.get(i.rule.id) or i.rule.audience,
            labels[i.status.state],
            i.status.certified_on,
            i.status.expires_on,
            (i.status.expires_on - as_of).days if i.status.expires_on else None,
        ]
        for i in items
    )
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
