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
import functools
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from lms import xlsx
from lms.i18n import _
from lms.plan.evidence import Rule
from lms.plan.reports import DepartmentRow, ListRow, MatrixRow, cell_parts
from lms.plan.status import LABELS, STATES

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FIRST = frozenset(FORMULA_STARTS)
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class Table:
    """An export: its headers and rows, and how a row becomes cells.

    ``rows`` may be any source rows (the reports' tuples, read as they stream); ``values`` turns
    one into its cell values (the CSV and the XLSX column widths), ``xml`` into its XLSX
    ``<row>`` directly (:class:`xlsx.Cells`), skipping a list of values per row. Without them a
    row is its own values and the writer's generic path writes it."""

    headers: list[str]
    rows: Iterable[Any]
    values: Callable[[Any], Sequence[Any]] | None = None
    xml: Callable[[Any], str] | None = None


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
    values = table.values
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow([neutralise(h) for h in table.headers])
    for n, row in enumerate(table.rows, 1):
        writer.writerow([_csv_value(v) for v in (values(row) if values else row)])
        if n % CSV_FLUSH_ROWS == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def csv_bytes(table: Table) -> bytes:
    return b"".join(csv_stream(table))


def xlsx_stream(table: Table, title: str) -> Iterator[bytes]:
    # Neutralised inside the writer, once per distinct text it caches rather than once per cell.
    return xlsx.stream(
        [neutralise(h) for h in table.headers],
        table.rows,
        title,
        text=neutralise,
        row_xml=table.xml,
        values=table.values,
    )


def xlsx_bytes(table: Table, title: str) -> bytes:
    return b"".join(xlsx_stream(table, title))


def render(table: Table, fmt: str, title: str) -> Iterator[bytes]:
    """The file in chunks, written as the table's rows are read."""
    return csv_stream(table) if fmt == "csv" else xlsx_stream(table, title)


def _cells() -> xlsx.Cells:
    """Cell XML with formulas neutralised (only a text starting with one of ``FORMULA_STARTS``
    changes)."""
    return xlsx.Cells(neutralise, "".join(FORMULA_STARTS))


def _labels() -> dict[str, str]:
    """The status labels in the reader's language, resolved while the request is there (the rows
    are written after it)."""
    return {s: str(LABELS[s]) for s in STATES}


def _audiences(rules: Iterable[Rule]) -> dict[int, str]:
    return {r.id: r.audience for r in rules}


def _person_headers() -> list[str]:
    return [_("工号"), _("姓名"), _("部门"), _("岗位"), _("入职日期")]


def _person_xml(cells: xlsx.Cells, number: Any, name: Any, department: Any, position: Any,
                hired: Any) -> str:  # fmt: skip
    """The five person cells: numbers and names seldom repeat, departments and positions do."""
    texts = cells.texts
    return cells.uniques(number, name) + texts[department] + texts[position] + cells.dates[hired]


def matrix_table(rules: list[Rule], rows: Iterable[MatrixRow]) -> Table:
    """One row per person: their cells, then status and deadline (or expiry) per requirement.

    ``rows``: ``reports.matrix_rows``, each cell a ``reports.cell_key`` or ``None`` (the rule
    does not apply). Each distinct cell's two columns are made once, XML and values alike."""
    headers = _person_headers() + [
        f"{r.course_title}({r.audience}){suffix}"
        for r in rules
        for suffix in ("", " " + _("截止/到期"))
    ]
    not_applicable, labels = _("不适用"), _labels()
    cells = _cells()
    texts, dates = cells.texts, cells.dates
    label_xml = {state: texts[label] for state, label in labels.items()}
    pair_values: dict[str, tuple[str, date | None]] = {}

    def values_of(key: str | None) -> tuple[str, date | None]:
        if key is None:
            return not_applicable, None
        pair = pair_values.get(key)
        if pair is None:
            state, day = cell_parts(key)
            pair = pair_values[key] = (labels[state], day)
        return pair

    def pair_of(key: str) -> str:
        state, day = cell_parts(key)
        return label_xml[state] + dates[day]

    # A cell key's two cells, made once per distinct key (None: the rule does not apply).
    pairs = xlsx.Made(pair_of, {None: texts[not_applicable] + cells.EMPTY}).__getitem__

    def values(row: MatrixRow) -> list[Any]:
        out = list(row[:5])
        for key in row[5:]:
            out += values_of(key)
        return out

    def xml(row: MatrixRow) -> str:
        return f"<row>{_person_xml(cells, *row[:5])}{''.join(map(pairs, row[5:]))}</row>"

    return Table(headers, rows, values, xml)


@functools.lru_cache(maxsize=4096)
def _day(value: date | str) -> date:
    """A date of a list row: SQLite's rows carry the stored ISO text (``reports._as_stored``)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _list_table(kind: str, rows: Iterable[ListRow], as_of: date, rules: Iterable[Rule]) -> Table:
    """The overdue (``kind="overdue"``) or expiring list's table: person, course, audience,
    state, then the list's own columns."""
    labels, audiences = _labels(), _audiences(rules)
    rule_by_id = {r.id: r for r in rules}
    cells = _cells()
    # Course and audience of each requirement, and each state's label: one piece of XML each.
    rule_xml = {
        rid: cells.texts[r.course_title] + cells.texts[audiences.get(rid) or r.audience]
        for rid, r in rule_by_id.items()
    }
    texts, dates = cells.texts, cells.dates
    label_xml = {state: texts[label] for state, label in labels.items()}

    def days_to(day: date | str | None) -> int | None:
        """Days overdue since a deadline, or left until an expiry."""
        if not day:
            return None
        return (as_of - _day(day)).days if kind == "overdue" else (_day(day) - as_of).days

    def days(row: ListRow) -> int | None:
        return days_to(row[9] if kind == "overdue" else row[11])

    # The deadline or expiry with its day count: two cells made once per date.
    dated = xlsx.Made(lambda day: dates[day] + cells.numbers[days_to(day)]).__getitem__

    def manager(row: ListRow) -> str | None:
        return f"{row[12]}({row[13]})" if row[13] is not None else row[6]

    def rule_of(row: ListRow) -> Rule:
        rule = rule_by_id.get(row[7])
        if rule is None:  # an evaluated item names a rule loaded with it
            raise LookupError(row[7])
        return rule

    if kind == "overdue":

        def values(row: ListRow) -> list[Any]:
            rule = rule_of(row)
            return [*row[:5], rule.course_title, audiences.get(rule.id) or rule.audience,
                    labels[row[8]], row[9], days(row), manager(row), row[5]]  # fmt: skip

        def xml(row: ListRow) -> str:
            number, name, department, position, hired, email = row[:6]
            boss = manager(row)
            if cells.plain(number, name, boss, email):  # nearly always: one search for four texts
                o, between, c = cells.OPEN, cells.BETWEEN, cells.CLOSE
                return (f"<row>{o}{number}{between}{name}{c}{texts[department]}{texts[position]}"
                        f"{dates[hired]}{rule_xml[row[7]]}{label_xml[row[8]]}{dated(row[9])}"
                        f"{o}{boss}{between}{email}{c}</row>")  # fmt: skip
            return (f"<row>{_person_xml(cells, *row[:5])}{rule_xml[row[7]]}{label_xml[row[8]]}"
                    f"{dated(row[9])}{cells.uniques(boss, email)}</row>")  # fmt: skip

    else:

        def values(row: ListRow) -> list[Any]:
            rule = rule_of(row)
            return [*row[:5], rule.course_title, audiences.get(rule.id) or rule.audience,
                    labels[row[8]], row[10], row[11], days(row)]  # fmt: skip

        def xml(row: ListRow) -> str:
            return (f"<row>{_person_xml(cells, *row[:5])}{rule_xml[row[7]]}{label_xml[row[8]]}"
                    f"{dates[row[10]]}{dated(row[11])}</row>")  # fmt: skip

    return Table([], rows, values, xml)


def overdue_table(rows: Iterable[ListRow], as_of: date, rules: Iterable[Rule] = ()) -> Table:
    """``rows``: ``reports.list_rows("overdue", …)``; ``rules``: every rule the rows may name, so
    their audiences are worded before streaming."""
    table = _list_table("overdue", rows, as_of, list(rules))
    table.headers = _person_headers() + [
        _("课程"),
        _("适用范围"),
        _("状态"),
        _("截止日期"),
        _("逾期天数"),
        _("上级"),
        _("邮箱"),
    ]
    return table


def expiring_table(rows: Iterable[ListRow], as_of: date, rules: Iterable[Rule] = ()) -> Table:
    """``rows``: ``reports.list_rows("expiring", …)``."""
    table = _list_table("expiring", rows, as_of, list(rules))
    table.headers = _person_headers() + [
        _("课程"),
        _("适用范围"),
        _("状态"),
        _("认证日期"),
        _("到期日期"),
        _("剩余天数"),
    ]
    return table


def department_table(rows: Iterable[DepartmentRow]) -> Table:
    headers = [_("部门"), _("人数"), _("要求项"), _("已完成"), _("完成率(%)")]
    headers += [str(LABELS[s]) for s in STATES]
    body = [
        [r.department, r.people, r.assigned, r.holding, round(100 * r.completion, 1)]
        + [r.counts[s] for s in STATES]
        for r in rows
    ]
    return Table(headers, body)
