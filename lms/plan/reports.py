"""What HR and learners see of the plan: the matrix, the lists, the department summary, my plan.

When the kept statuses describe the day asked about (``lms.plan.kept``: normally today, after the
daily refresh), the matrix, its filters and sorts, the lists, the counts, the chart and the exports
read them with SQL: a page query and a count query on indexed columns, whatever the number of staff.
Otherwise (a past or future ``as_of``, or nothing kept yet) everything comes from
:func:`lms.plan.evidence.evaluate`, the status function run over everyone. Either way the number of
queries is fixed, and one person's plan is always evaluated directly.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from lms.auth.models import Staff
from lms.courses import catalog, completion
from lms.courses.models import Course, Lesson, LessonProgress
from lms.db import engine, iso_date, session
from lms.i18n import _, _l
from lms.navigation import MAX_PAGE
from lms.plan import config, kept
from lms.plan.evidence import (
    PERSON_COLUMNS,
    Person,
    Rule,
    Statuses,
    evaluate,
    load_rules,
    people_select,
    person_from_row,
)
from lms.plan.models import KeptStatus, PersonUrgency, Signoff
from lms.plan.status import EXEMPT, HOLDING, STATES, PlanStatus, add_days

SORTS = {
    "employee_no": _l("工号"),
    "name": _l("姓名"),
    "department": _l("部门"),
    "position": _l("岗位"),
    "hire_date": _l("入职日期"),
    "urgency": _l("最紧急状态"),
}
MAX_PER_PAGE = 1000


@dataclass
class MatrixQuery:
    department: str | None = None
    position: str | None = None
    status: str | None = None
    sort: str = "employee_no"  # a key of SORTS or "req-<id>"; "-" in front sorts descending
    page: int = 1
    per_page: int = 50
    as_of: date | None = None

    def __post_init__(self) -> None:
        self.page = min(max(self.page, 1), MAX_PAGE)
        self.per_page = min(max(self.per_page, 1), MAX_PER_PAGE)
        if self.status not in STATES:
            self.status = None
        key = self.sort.lstrip("-")
        if key not in SORTS and not (key.startswith("req-") and key[4:].isdigit()):
            self.sort = "employee_no"

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    @property
    def sort_key(self) -> str:
        return self.sort.lstrip("-")


@dataclass
class Matrix:
    query: MatrixQuery
    as_of: date
    rules: list[Rule]
    people: list[Person]
    statuses: Statuses
    total: int

    @property
    def pages(self) -> int:
        return max((self.total + self.query.per_page - 1) // self.query.per_page, 1)


def _sql_order(key: str, descending: bool) -> list:
    column = {
        "employee_no": Staff.employee_no,
        "name": Staff.name,
        "department": sa.func.coalesce(Staff.department, ""),
        "position": sa.func.coalesce(Staff.position, ""),
        "hire_date": sa.func.coalesce(Staff.hire_date, date(1900, 1, 1)),
    }[key]
    first = column.desc() if descending else column.asc()
    return [first, Staff.employee_no.asc()]


def _status_sort(rule_id: int | None, statuses: Statuses):
    """Sort key: most urgent first, then earliest due date; people it does not apply to last."""
    found: dict[int, list[PlanStatus]] = {}
    for (pid, rid), s in statuses.items():
        if s is not None and (rule_id is None or rid == rule_id):
            found.setdefault(pid, []).append(s)

    def key(person: Person) -> tuple:
        mine = found.get(person.id)
        if not mine:
            return (len(STATES), date.max, person.employee_no)
        worst = min(mine, key=lambda s: (s.urgency, s.due_on or date.max))
        return (worst.urgency, worst.due_on or date.max, person.employee_no)

    return key


READ_AHEAD = 2
"""Batches of rows the reader of an export may hold ahead of the writer."""
_BATCH = 1000
_END = object()


def _batches(bind: sa.Engine, stmt: sa.Select) -> Iterator[Any]:
    """The statement's rows a batch at a time (row by row costs a call per row), on a connection
    of its own."""
    with (
        bind.connect() as connection,
        closing(connection.execution_options(yield_per=_BATCH).execute(stmt)) as result,
    ):
        yield from result.partitions()


def streamed(stmt: sa.Select) -> Iterator[Any]:
    """The statement's rows, read in batches on a connection of its own that opens when the first
    row is asked for and closes after the last: an export's body can be written after the request's
    session has gone, without the request's context.

    From a database server the rows are fetched on a thread of their own, at most
    :data:`READ_AHEAD` batches ahead of the caller: the server finds the next rows while the
    caller writes the last ones (the PostgreSQL overdue export at 50,000 staff: ~1.3 s → ~0.9 s).
    SQLite runs inside this process and its rows are built under the GIL, so a second thread only
    adds switching there (measured slower): its rows are read on the caller's thread."""
    bind = engine()

    def rows() -> Iterator[Any]:
        batches: queue.Queue[Any] = queue.Queue(maxsize=READ_AHEAD)
        stop = threading.Event()

        def hand_over(item: Any) -> bool:
            while not stop.is_set():  # the caller may be gone (a download stopped half-way)
                try:
                    batches.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        def read() -> None:
            try:
                for batch in _batches(bind, stmt):
                    if not hand_over(batch):
                        return
            except BaseException as error:  # raised again in the caller, where it is handled
                hand_over(error)
            else:
                hand_over(_END)

        reader = threading.Thread(target=read, name="lms-export-rows", daemon=True)
        reader.start()
        try:
            while (batch := batches.get()) is not _END:
                if isinstance(batch, BaseException):
                    raise batch
                yield from batch
        finally:
            stop.set()
            reader.join()

    def rows_here() -> Iterator[Any]:
        with closing(_batches(bind, stmt)) as batches:  # a stopped download closes it now
            for batch in batches:
                yield from batch

    return rows_here() if bind.dialect.name == "sqlite" else rows()


LAST = kept.LAST


def _kept_select(query: MatrixQuery) -> sa.Select:
    """The matrix's people, filtered and ordered, for the kept statuses (SQL does it all)."""
    stmt = people_select(department=query.department, position=query.position)
    if query.status is not None:
        having = sa.select(KeptStatus.staff_id).where(KeptStatus.state == query.status)
        stmt = stmt.where(Staff.id.in_(having))
    key, descending = query.sort_key, query.descending
    if key == "urgency" or key.startswith("req-"):
        if key == "urgency":
            stmt = stmt.join(PersonUrgency, PersonUrgency.staff_id == Staff.id)
            # The urgency table's own index orders it: (sort_key, employee_no).
            if descending:
                return stmt.order_by(
                    PersonUrgency.sort_key.desc(), PersonUrgency.employee_no.desc()
                )
            return stmt.order_by(PersonUrgency.sort_key.asc(), PersonUrgency.employee_no.asc())
        one = sa.orm.aliased(KeptStatus)
        stmt = stmt.outerjoin(
            one, sa.and_(one.staff_id == Staff.id, one.requirement_id == int(key[4:]))
        )
        column = sa.func.coalesce(one.sort_key, LAST)
        if descending:
            return stmt.order_by(column.desc(), Staff.employee_no.desc())
        return stmt.order_by(column.asc(), Staff.employee_no.asc())
    return stmt.order_by(*_sql_order(key, descending))


def kept_statuses(people: list[Person], rules: list[Rule]) -> Statuses:
    """The kept statuses of these people (one query); ``None`` where a rule does not apply."""
    out: Statuses = {(p.id, r.id): None for p in people for r in rules}
    if people:
        for row in session.execute(
            sa.select(
                KeptStatus.staff_id, *(getattr(KeptStatus, c) for c in kept.STATUS_FIELDS)
            ).where(KeptStatus.staff_id.in_([p.id for p in people]))
        ):
            if (row.staff_id, row.requirement_id) in out:
                out[(row.staff_id, row.requirement_id)] = kept.status_of(row)
    return out


def _kept_matrix(query: MatrixQuery, as_of: date, rules: list[Rule]) -> Matrix:
    stmt = _kept_select(query)
    total = session.scalar(
        sa.select(sa.func.count()).select_from(
            stmt.order_by(None).with_only_columns(Staff.id).subquery()
        )
    )
    stmt = stmt.limit(query.per_page).offset((query.page - 1) * query.per_page)
    people = [person_from_row(row) for row in session.execute(stmt)]
    return Matrix(query, as_of, rules, people, kept_statuses(people, rules), total or 0)


def _as_stored(column: Any) -> Any:
    """A date column read as the driver gives it: ISO text on SQLite (SQLAlchemy's text-to-date
    conversion of ~170,000 values, a few thousand distinct, showed in the matrix export; the writer
    converts each distinct text once), a ``date`` on PostgreSQL."""
    return sa.type_coerce(column, sa.String)


PersonCells = tuple[str, str, str | None, str | None, date | str | None]
"""A person in an export: employee number, name, department, position, hire date (a ``date``, or
its ISO text as SQLite stores it)."""

MatrixRow = tuple[Any, ...]
"""A row of the matrix export: the five :data:`PersonCells`, then one :func:`cell_key` per rule
(``None`` where the rule does not apply)."""


def _person_cells(p: Person) -> PersonCells:
    return (p.employee_no, p.name, p.department, p.position, p.hire_date)


def cell_key(state: str, day: date | None) -> str:
    """A matrix cell as one text, ``"overdue|2026-10-01"`` (state, then the deadline in force or
    else the expiry, if any): the export writes each distinct cell once, and SQL builds the same
    text (:func:`_cell_key_sql`)."""
    return f"{state}|{day.isoformat() if day else ''}"


def cell_parts(key: str) -> tuple[str, date | None]:
    """The state and the date a :func:`cell_key` holds."""
    state, _, day = key.partition("|")
    return state, date.fromisoformat(day) if day else None


def _cell_key_sql(kept_status: Any) -> Any:
    day = iso_date(sa.func.coalesce(kept_status.due_on, kept_status.expires_on))
    return kept_status.state + "|" + sa.func.coalesce(day, "")


def matrix_rows(query: MatrixQuery) -> tuple[list[Rule], date, Iterator[MatrixRow]]:
    """Every row of the matrix in order, for the exports (:data:`MatrixRow`: one per person).

    From the kept statuses this is one query read as it streams (constant memory), taken as plain
    tuples: the database turns each person's statuses into one column per rule (a ``GROUP BY``
    with one ``MAX(CASE …)`` per rule), so a row is a person, not a person × requirement pair.
    Otherwise the whole matrix is evaluated first.
    """
    as_of = query.as_of or config.today()
    rules = load_rules()
    if not kept.usable_for(as_of):
        m = matrix(query, paginate=False)
        return (
            m.rules,
            m.as_of,
            (
                (
                    *_person_cells(p),
                    *(
                        None
                        if (s := m.statuses.get((p.id, r.id))) is None
                        else cell_key(s.state, s.due_on or s.expires_on)
                        for r in m.rules
                    ),
                )
                for p in m.people
            ),
        )
    key = _cell_key_sql(KeptStatus)
    pivot = (
        sa.select(
            KeptStatus.staff_id,
            *(
                sa.func.max(sa.case((KeptStatus.requirement_id == r.id, key))).label(f"r{n}")
                for n, r in enumerate(rules)
            ),
        )
        .group_by(KeptStatus.staff_id)
        .subquery()
    )
    stmt = (
        _kept_select(query)
        .with_only_columns(
            Staff.employee_no,
            Staff.name,
            Staff.department,
            Staff.position,
            _as_stored(Staff.hire_date),
            *(pivot.c[f"r{n}"] for n in range(len(rules))),
        )
        .outerjoin(pivot, pivot.c.staff_id == Staff.id)
    )
    return rules, as_of, streamed(stmt)


def matrix(query: MatrixQuery, *, paginate: bool = True) -> Matrix:
    """People × active requirements, filtered, sorted and (unless exporting) one page of it."""
    as_of = query.as_of or config.today()
    rules = load_rules()
    if paginate and kept.usable_for(as_of):
        return _kept_matrix(query, as_of, rules)
    base = people_select(department=query.department, position=query.position)
    key = query.sort_key
    in_python = query.status is not None or key == "urgency" or key.startswith("req-")
    if not in_python:
        total = session.scalar(
            sa.select(sa.func.count()).select_from(base.order_by(None).subquery())
        )
        stmt = base.order_by(*_sql_order(key, query.descending))
        if paginate:
            stmt = stmt.limit(query.per_page).offset((query.page - 1) * query.per_page)
        people, statuses = evaluate(stmt, rules, as_of, one_page=paginate)
        return Matrix(query, as_of, rules, people, statuses, total or 0)
    # Filtering or sorting by status needs everyone's status first: still the same queries.
    people, statuses = evaluate(base.order_by(Staff.employee_no), rules, as_of)
    if query.status is not None:
        wanted = query.status
        having = {pid for (pid, _), s in statuses.items() if s is not None and s.state == wanted}
        people = [p for p in people if p.id in having]
    if key == "urgency" or key.startswith("req-"):
        rule_id = int(key[4:]) if key.startswith("req-") else None
        people.sort(key=_status_sort(rule_id, statuses), reverse=query.descending)
    else:
        people.sort(key=lambda p: (_plain_key(p, key), p.employee_no), reverse=query.descending)
    total = len(people)
    if paginate:
        start = (query.page - 1) * query.per_page
        people = people[start : start + query.per_page]
    shown = {p.id for p in people}
    statuses = {k: v for k, v in statuses.items() if k[0] in shown}
    return Matrix(query, as_of, rules, people, statuses, total)


def _plain_key(person: Person, key: str) -> str:
    value = getattr(person, key)
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Item:
    """One person on one requirement, for the lists, the exports and the reminders."""

    person: Person
    rule: Rule
    status: PlanStatus
    manager: Person | None = None


def plan_items(
    as_of: date, department: str | None, position: str | None, keep: Callable[[PlanStatus], bool]
) -> list[Item]:
    """Every (person, requirement) whose status passes ``keep``, with the person's manager."""
    rules = load_rules()
    people, statuses = evaluate(
        people_select(department=department, position=position).order_by(Staff.employee_no),
        rules,
        as_of,
    )
    by_id = {p.id: p for p in people}
    rule_by_id = {r.id: r for r in rules}
    items = [
        Item(by_id[pid], rule_by_id[rid], s)
        for (pid, rid), s in statuses.items()
        if s is not None and keep(s)
    ]
    return with_managers(items)


def with_managers(items: list[Item]) -> list[Item]:
    """Attach each person's manager, found by employee number in one query."""
    numbers = {i.person.manager_no for i in items if i.person.manager_no}
    if not numbers:
        return items
    managers = {
        row.employee_no: person_from_row(row)
        for row in session.execute(
            sa.select(*PERSON_COLUMNS).where(Staff.employee_no.in_(sorted(numbers)))
        )
    }
    return [
        Item(i.person, i.rule, i.status, managers.get(i.person.manager_no or "")) for i in items
    ]


def overdue(
    as_of: date | None = None, department: str | None = None, position: str | None = None
) -> list[Item]:
    """Everyone past a deadline in force, longest overdue first."""
    as_of = as_of or config.today()
    items = plan_items(as_of, department, position, lambda s: s.is_late(as_of))
    return sorted(items, key=lambda i: (i.status.due_on, i.person.employee_no, i.rule.id))


def expiring(
    as_of: date | None = None,
    days: int | None = None,
    department: str | None = None,
    position: str | None = None,
) -> list[Item]:
    """Certifications still valid that end within ``days`` of ``as_of``, soonest first."""
    as_of = as_of or config.today()
    days = int(config.setting("LMS_PLAN_EXPIRING_DAYS")) if days is None else days
    until = add_days(as_of, days)
    items = plan_items(
        as_of,
        department,
        position,
        lambda s: s.state in HOLDING and s.expires_on is not None and s.expires_on <= until,
    )
    return sorted(items, key=lambda i: (i.status.expires_on, i.person.employee_no, i.rule.id))


# Lists from the kept statuses: a page query and a count query, or one streamed query -----------

LIST_PAGE = 100


def _kept_items(kind: str, as_of: date, days: int | None, department: str | None,
                position: str | None) -> sa.Select:  # fmt: skip
    """The overdue (``kind="overdue"``) or expiring list as one statement, in the list's order."""
    stmt = sa.select(KeptStatus.staff_id).select_from(KeptStatus)
    if kind == "overdue":
        stmt = stmt.where(KeptStatus.late == sa.true())  # "=", not "IS": an index can serve it
        order = [KeptStatus.due_on]
    else:
        until = add_days(
            as_of, int(config.setting("LMS_PLAN_EXPIRING_DAYS")) if days is None else days
        )
        stmt = stmt.where(
            KeptStatus.expires_on.is_not(None),
            KeptStatus.expires_on <= until,
            KeptStatus.state.in_(sorted(HOLDING)),
        )
        order = [KeptStatus.expires_on]
    if department:
        stmt = stmt.where(KeptStatus.department == department)
    if position:
        stmt = stmt.where(KeptStatus.position == position)
    return stmt.order_by(*order, Staff.employee_no, KeptStatus.requirement_id)


def _count(stmt: sa.Select) -> int:
    return session.scalar(stmt.with_only_columns(sa.func.count()).order_by(None)) or 0


def _with_people(stmt: sa.Select) -> sa.Select:
    return stmt.with_only_columns(
        *PERSON_COLUMNS, *(getattr(KeptStatus, c) for c in kept.STATUS_FIELDS)
    ).join(Staff, Staff.id == KeptStatus.staff_id)


def _items_from(rows: Any, rules: dict[int, Rule]) -> Iterator[Item]:
    # Rows are read by position (the select's order: person, then status).
    people, fields = len(PERSON_COLUMNS), len(kept.STATUS_FIELDS)
    for row in rows:
        rule = rules.get(row[people])  # requirement_id comes first among the status fields
        if rule is None:
            continue
        status = kept.status_from(row[people + 1 : people + fields])
        yield Item(Person(*row[:people]), rule, status, None)


def list_page(
    kind: str,
    as_of: date,
    page: int,
    *,
    days: int | None = None,
    department: str | None = None,
    position: str | None = None,
) -> tuple[list[Item], int]:
    """One page of the overdue or expiring list, and how many items the whole list has."""
    if not kept.usable_for(as_of):
        if kind == "overdue":
            items = overdue(as_of, department, position)
        else:
            items = expiring(as_of, days, department, position)
        return items[(page - 1) * LIST_PAGE : page * LIST_PAGE], len(items)
    stmt = _kept_items(kind, as_of, days, department, position)
    total = _count(stmt)
    stmt = _with_people(stmt).limit(LIST_PAGE).offset((page - 1) * LIST_PAGE)
    rules = {r.id: r for r in load_rules()}
    return with_managers(list(_items_from(session.execute(stmt), rules))), total


ListRow = tuple[
    str, str, str | None, str | None, date | str | None, str | None, str | None,
    int, str, date | str | None, date | str | None, date | str | None, str | None, str | None,
]  # fmt: skip
"""One item of a list in an export, by position: employee number, name, department, position,
hire date, e-mail, manager's number as recorded; requirement id, state, due date, certified on,
expires on; the manager's name and number when the manager is on file. Dates may be the ISO
text SQLite stores (:func:`_as_stored`)."""


def _list_row(i: Item) -> ListRow:
    p, s, m = i.person, i.status, i.manager
    return (p.employee_no, p.name, p.department, p.position, p.hire_date, p.email, p.manager_no,
            i.rule.id, s.state, s.due_on, s.certified_on, s.expires_on,
            m.name if m else None, m.employee_no if m else None)  # fmt: skip


def list_rows(
    kind: str,
    as_of: date,
    *,
    days: int | None = None,
    department: str | None = None,
    position: str | None = None,
) -> Iterator[ListRow]:
    """The whole overdue or expiring list as :data:`ListRow` tuples, for the exports: one query
    on the kept statuses read as it streams, selecting only the columns an export shows (no
    objects per row), or the evaluated list when they do not describe ``as_of``."""
    if not kept.usable_for(as_of):
        if kind == "overdue":
            return map(_list_row, overdue(as_of, department, position))
        return map(_list_row, expiring(as_of, days, department, position))
    boss = sa.orm.aliased(Staff)
    stmt = (
        _kept_items(kind, as_of, days, department, position)
        .with_only_columns(
            Staff.employee_no,
            Staff.name,
            Staff.department,
            Staff.position,
            _as_stored(Staff.hire_date),
            Staff.email,
            Staff.manager_no,
            KeptStatus.requirement_id,
            KeptStatus.state,
            _as_stored(KeptStatus.due_on),
            _as_stored(KeptStatus.certified_on),
            _as_stored(KeptStatus.expires_on),
            boss.name,
            boss.employee_no,
        )  # fmt: skip
        .join(Staff, Staff.id == KeptStatus.staff_id)
        .outerjoin(boss, boss.employee_no == Staff.manager_no)
        .where(KeptStatus.requirement_id.in_(sorted(r.id for r in load_rules())))
    )
    return streamed(stmt)


@dataclass
class DepartmentRow:
    department: str
    people: int = 0
    counts: Counter = field(default_factory=Counter)

    @property
    def assigned(self) -> int:
        return sum(self.counts.values())

    @property
    def holding(self) -> int:
        return sum(self.counts[s] for s in HOLDING)

    @property
    def completion(self) -> float:
        """Share of required items held, exemptions left out of the count."""
        due = self.assigned - self.counts[EXEMPT]
        return self.holding / due if due else 1.0


def _kept_departments() -> list[DepartmentRow]:
    """Counts per department and state: two grouped queries on indexed columns."""
    unassigned = _("(未分配部门)")
    rows: dict[str, DepartmentRow] = {}
    for department, people in session.execute(
        sa.select(Staff.department, sa.func.count())
        .where(Staff.active.is_(True))
        .group_by(Staff.department)
    ):
        name = department or unassigned
        rows.setdefault(name, DepartmentRow(name)).people += people
    for department, state, count in session.execute(
        sa.select(KeptStatus.department, KeptStatus.state, sa.func.count()).group_by(
            KeptStatus.department, KeptStatus.state
        )
    ):
        name = department or unassigned
        rows.setdefault(name, DepartmentRow(name)).counts[state] += count
    return list(rows.values())


def department_summary(as_of: date | None = None) -> tuple[list[DepartmentRow], date]:
    as_of = as_of or config.today()
    if kept.usable_for(as_of):
        ordered = sorted(_kept_departments(), key=lambda r: (-r.completion, r.department))
        return [r for r in ordered if r.assigned], as_of
    rules = load_rules()
    people, statuses = evaluate(people_select(), rules, as_of)
    rows: dict[str, DepartmentRow] = {}
    dept_of = {p.id: p.department or _("(未分配部门)") for p in people}
    for p in people:
        rows.setdefault(dept_of[p.id], DepartmentRow(dept_of[p.id])).people += 1
    for (pid, _rule), status in statuses.items():
        if status is not None:
            rows[dept_of[pid]].counts[status.state] += 1
    ordered = sorted(rows.values(), key=lambda r: (-r.completion, r.department))
    return [r for r in ordered if r.assigned], as_of


@dataclass(frozen=True)
class PlanItem:
    rule: Rule
    status: PlanStatus
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def plan_steps(rule: Rule, status: PlanStatus, standing: completion.Completion) -> tuple[int, int]:
    """``(done, total)`` steps: the lessons the course's completion rule asks for, the quiz, and
    the sign-off when the requirement needs one.

    Counted from what was done, the same way the course page and the quiz start count lessons, so
    "n / N 步" never claims lessons the learner has not read; only an exemption fills every step.
    """
    total = standing.required + 1 + (1 if rule.needs_signoff else 0)
    if status.state == EXEMPT:
        return total, total
    quiz = 1 if status.quiz_passed or status.state in HOLDING else 0
    signoff = 1 if rule.needs_signoff and not status.signoff_needed else 0
    return min(standing.done + quiz + signoff, total), total


def person_plan(staff: Staff, as_of: date | None = None) -> list[PlanItem]:
    """One person's requirements, most urgent first, with how far along each course they are."""
    as_of = as_of or config.today()
    rules = load_rules()
    people, statuses = evaluate(
        people_select(active_only=False).where(Staff.id == staff.id), rules, as_of, one_page=True
    )
    if not people:
        return []
    applying = [(r, statuses[(staff.id, r.id)]) for r in rules if statuses[(staff.id, r.id)]]
    if not applying:
        return []
    course_ids = {r.course_id for r, _ in applying}
    courses = {c.id: c for c in session.scalars(sa.select(Course).where(Course.id.in_(course_ids)))}
    progress = {
        row.lesson_id: row
        for row in session.scalars(
            sa.select(LessonProgress)
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .where(LessonProgress.staff_id == staff.id, Lesson.course_id.in_(course_ids))
        )
    }
    items = []
    for rule, status in applying:
        course = courses[rule.course_id]
        standing = completion.evaluate(
            course.completion, catalog.records_from(course.active_lessons, progress)
        )
        items.append(PlanItem(rule, status, *plan_steps(rule, status, standing)))
    items.sort(
        key=lambda i: (
            i.status.urgency,
            i.status.due_on or i.status.expires_on or date.max,
            i.rule.course_title,
        )
    )
    return items


def filter_choices() -> tuple[list[str], list[str]]:
    """Departments and positions of active staff, for the filter menus."""
    departments = session.scalars(
        sa.select(Staff.department)
        .where(Staff.active.is_(True), Staff.department.is_not(None))
        .distinct()
        .order_by(Staff.department)
    )
    positions = session.scalars(
        sa.select(Staff.position)
        .where(Staff.active.is_(True), Staff.position.is_not(None))
        .distinct()
        .order_by(Staff.position)
    )
    return list(departments), list(positions)


def course_choices() -> list[Course]:
    return list(
        session.scalars(
            sa.select(Course).where(Course.retired_at.is_(None)).order_by(Course.position)
        )
    )


@dataclass(frozen=True)
class Candidate:
    person: Person
    status: PlanStatus
    last_observed: date | None
    last_passed: bool | None


def signoff_candidates(rule: Rule, department: str | None, as_of: date) -> list[Candidate]:
    """The audience of a sign-off requirement: who still needs one first, then by name."""
    stmt = people_select(department=department or rule.department, position=rule.position).order_by(
        Staff.employee_no
    )
    if department and rule.department and department != rule.department:
        return []
    people, statuses = evaluate(stmt, [rule], as_of)
    latest: dict[int, tuple[date, bool]] = {}
    for staff_id, observed_on, passed in session.execute(
        sa.select(Signoff.staff_id, Signoff.observed_on, Signoff.passed)
        .where(
            Signoff.requirement_id == rule.id,
            Signoff.staff_id.in_(stmt.with_only_columns(Staff.id).order_by(None)),
        )
        .order_by(Signoff.observed_on, Signoff.id)
    ):
        latest[staff_id] = (observed_on, passed)
    out = []
    for person in people:
        status = statuses[(person.id, rule.id)]
        if status is None:
            continue
        seen = latest.get(person.id)
        out.append(Candidate(person, status, seen[0] if seen else None, seen[1] if seen else None))
    out.sort(key=lambda c: (not c.status.signoff_needed, c.status.urgency, c.person.employee_no))
    return out
