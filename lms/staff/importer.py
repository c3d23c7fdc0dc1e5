"""Staff import from CSV or XLSX: every row validated first, then all rows written in one transaction.

Files come from HR offices, which means Excel: an ``.xlsx`` workbook (first sheet, first row the
header), a "CSV UTF-8" file, or a plain "CSV" saved by Chinese Excel, which is GBK-encoded. GBK
(read as its superset GB18030) is decoded transparently and the preview says so; anything that is
neither is refused with one clear line. Headers may be the English column names or their Chinese
equivalents (工号, 姓名, …). Every problem is reported as ``第 N 行：列：问题`` (N is the
spreadsheet row) in the reader's language (the configured one on the command line), and by
default a single bad row means nothing is written. Role cells take the codes or the labels the
interface shows, in either language; a repeated employee number is reported on every repeat, however
broken the rest of the row; a new department whose name is close to an existing one is flagged in
the preview (:func:`close_departments`), where HR keeps it or maps it to the existing one.

Files are read by :func:`lms.sheets.read_rows`, which is bounded: a list may have at most
``max_rows`` rows (``LMS_IMPORT_MAX_ROWS``), an XLSX must not unpack to more than
:data:`lms.sheets.MAX_XLSX_UNPACKED` bytes nor declare more rows than that, and rows are counted as
they stream past, so reading stops at the limit with one clear ``第 N 行：文件：`` error.

An update only touches the columns the file has, so a file without a ``department`` column leaves
departments alone; each changed field is kept in the staff history (``lms_staff_changes``).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from lms import sheets
from lms.audit.log import record
from lms.auth.models import Staff
from lms.auth.roles import refused_roles
from lms.dates import MAX_YEAR, MIN_YEAR, in_range
from lms.db import session
from lms.i18n import _, pgettext
from lms.sheets import DEFAULT_MAX_ROWS, FileUnreadable, read_rows
from lms.staff.models import StaffChange
from lms.staff.roles import change_roles, record_role_change

COLUMNS = (
    "employee_no", "name", "department", "position", "hire_date", "email", "manager_no", "active",
    "roles",
)  # fmt: skip
REQUIRED = ("employee_no", "name")
ALIASES = {
    "工号": "employee_no", "员工编号": "employee_no", "员工号": "employee_no",
    "姓名": "name", "名字": "name",
    "部门": "department", "科室": "department",
    "岗位": "position", "职位": "position",
    "入职日期": "hire_date", "入职时间": "hire_date",
    "邮箱": "email", "电子邮箱": "email", "邮件": "email",
    "上级工号": "manager_no", "直属上级工号": "manager_no", "经理工号": "manager_no",
    "在职": "active", "是否在职": "active", "状态": "active",
    "角色": "roles",
}  # fmt: skip
LIMITS = {"name": 200, "department": 200, "position": 200, "email": 255}
EMPLOYEE_NO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Year first only: 2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日. 03/01/2026 is ambiguous: refused.
DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
TRUE = {"1", "true", "yes", "y", "是", "在职"}
FALSE = {"0", "false", "no", "n", "否", "离职", "停用"}


@dataclass
class StaffRow:
    line: int
    employee_no: str
    name: str
    department: str | None
    position: str | None
    hire_date: date | None
    email: str | None
    manager_no: str | None
    active: bool | None  # None: the file does not say (new staff start active)
    roles: frozenset[str] | None
    present: frozenset[str] = frozenset(COLUMNS)


@dataclass
class ImportResult:
    rows: list[StaffRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth a look, but not blocking
    fatal: bool = False  # the file as a whole is unreadable: --skip-bad cannot help
    created: int = 0
    updated: int = 0  # rows matching an existing record, changed or not
    unchanged: int = 0  # of those, the ones with nothing to change
    skipped: int = 0


def column_label(name: str) -> str:
    """A column (or ``file``/``header``/``row``) as the reader calls it: 工号 or employee_no."""
    labels = {
        "employee_no": pgettext("import column", "工号"),
        "name": pgettext("import column", "姓名"),
        "department": pgettext("import column", "部门"),
        "position": pgettext("import column", "岗位"),
        "hire_date": pgettext("import column", "入职日期"),
        "email": pgettext("import column", "邮箱"),
        "manager_no": pgettext("import column", "上级工号"),
        "active": pgettext("import column", "在职"),
        "roles": pgettext("import column", "角色"),
    }
    return labels[name] if name in labels else sheets.column_label(name)


def problem(line: int, column: str, text: str) -> str:
    """One problem as ``第 N 行：列：问题``, naming the staff file's columns."""
    return sheets.problem(line, column, text, column_label)


def _header(cells: list[str]) -> list[str]:
    out = []
    for cell in cells:
        name = cell.strip().lstrip("\ufeff")
        out.append(ALIASES.get(name, name.lower() if name.isascii() else name))
    return out


def parse_staff_file(data: bytes, max_rows: int = DEFAULT_MAX_ROWS) -> ImportResult:
    """Validate every row; each problem names its line and column (:func:`problem`)."""
    result = ImportResult()
    try:
        rows, result.notes = read_rows(data, max_rows)
    except FileUnreadable as exc:
        result.errors.append(str(exc))
        result.fatal = True
        return result
    while rows and not any(rows[0][1]):
        rows.pop(0)
    if not rows:
        result.errors.append(problem(1, "header", _("文件是空的")))
        result.fatal = True
        return result
    header_line, header_cells = rows[0]
    header = _header(header_cells)
    while header and not header[-1]:
        header.pop()  # Excel often leaves empty trailing columns
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h or "(empty)" for h in header if h not in COLUMNS]
    doubled = sorted({h for h in header if header.count(h) > 1 and h in COLUMNS})
    for text, names in (
        (_("缺少列：%(names)s"), missing),
        (_("不认识的列：%(names)s"), unknown),
        (_("重复的列：%(names)s"), doubled),
    ):
        if names:
            listed = _("、").join(column_label(n) if n in COLUMNS else n for n in names)
            result.errors.append(problem(header_line, "header", text % {"names": listed}))
    if result.errors:
        result.fatal = True
        return result
    present = frozenset(header)
    seen: dict[str, int] = {}
    position = header.index("employee_no")
    for line, cells in rows[1:]:
        # A repeated number is reported whatever else is wrong with either row.
        number = cells[position].strip() if position < len(cells) else ""
        repeated = number in seen
        if repeated:
            result.errors.append(
                problem(
                    line,
                    "employee_no",
                    _("%(no)s 已在第 %(first)s 行出现", no=number, first=seen[number]),
                )
            )
        elif number:
            seen[number] = line
        extra = cells[len(header) :]
        if any(extra):
            result.errors.append(problem(line, "row", _("字段比表头多")))
            continue
        row = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}
        if not any(row.values()):
            continue
        parsed = _parse_row(line, row, present, result.errors)
        if parsed is None or repeated:
            continue
        result.rows.append(parsed)
    return result


# The old name, kept for callers and tests written before XLSX support.
parse_staff_csv = parse_staff_file


# Role cells: the codes, or the labels the interface shows in either language (and common synonyms).
ROLE_WORDS = {
    "learner": "learner", "学员": "learner", "员工": "learner",
    "trainer": "trainer", "培训师": "trainer", "讲师": "trainer",
    "hr": "hr", "人事": "hr", "人力资源": "hr", "人力": "hr", "human resources": "hr",
    "admin": "admin", "管理员": "admin", "administrator": "admin", "系统管理员": "admin",
}  # fmt: skip


def parse_roles(cell: str) -> tuple[frozenset[str], list[str]]:
    """(role codes, words not understood) of a role cell like ``学员、培训师`` or ``Learner; HR`` (pure)."""
    words = [w.strip() for w in re.split(r"[;；,，|/、]+", cell) if w.strip()]
    if len(words) == 1 and words[0].lower() not in ROLE_WORDS:
        words = words[0].split()  # "learner trainer": space-separated codes
    roles, unknown = set(), []
    for word in words:
        code = ROLE_WORDS.get(" ".join(word.lower().split()))
        if code:
            roles.add(code)
        else:
            unknown.append(word)
    return frozenset(roles), unknown


def parse_date(text: str) -> date | None:
    match = DATE_RE.match(text)
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _parse_row(
    line: int, row: dict[str, str], present: frozenset[str], errors: list[str]
) -> StaffRow | None:
    count = len(errors)

    def fail(column: str, text: str) -> None:
        errors.append(problem(line, column, text))

    employee_no = row.get("employee_no", "")
    if not employee_no:
        fail("employee_no", _("为空"))
    elif not EMPLOYEE_NO_RE.match(employee_no):
        fail("employee_no", _("“%(value)s”只能包含字母、数字、. _ -", value=employee_no))
    name = row.get("name", "")
    if not name:
        fail("name", _("为空"))
    for column, limit in LIMITS.items():
        if len(row.get(column, "")) > limit:
            fail(column, _("超过 %(limit)s 个字符", limit=limit))
    hire_date = None
    if row.get("hire_date"):
        hire_date = parse_date(row["hire_date"])
        if hire_date is None:
            fail("hire_date", _("“%(value)s”不是 2026-03-01 这样的日期", value=row["hire_date"]))
        elif not in_range(hire_date):
            fail(
                "hire_date",
                _(
                    "“%(value)s”不在 %(first)s 至 %(last)s 年之间",
                    value=row["hire_date"],
                    first=MIN_YEAR,
                    last=MAX_YEAR,
                ),
            )
    email = row.get("email") or None
    if email and not EMAIL_RE.match(email):
        fail("email", _("“%(value)s”不是邮箱地址", value=email))
    manager_no = row.get("manager_no") or None
    if manager_no and not EMPLOYEE_NO_RE.match(manager_no):
        fail("manager_no", _("“%(value)s”不是工号", value=manager_no))
    elif manager_no and manager_no == employee_no:
        fail("manager_no", _("不能是本人的工号"))
    active = None
    if row.get("active"):
        value = row["active"].lower()
        if value not in TRUE | FALSE:
            fail("active", _("“%(value)s”应为 是/否", value=row["active"]))
        active = value in TRUE
    roles = None
    if row.get("roles"):
        roles, unknown = parse_roles(row["roles"])
        if unknown:
            fail("roles", _("不认识的角色：%(roles)s", roles=_("、").join(unknown)))
    if len(errors) != count:
        return None
    return StaffRow(
        line=line,
        employee_no=employee_no,
        name=name,
        department=row.get("department") or None,
        position=row.get("position") or None,
        hire_date=hire_date,
        email=email,
        manager_no=manager_no,
        active=active,
        roles=roles,
        present=present,
    )


FIELDS = ("name", "department", "position", "hire_date", "email", "manager_no", "active")


@dataclass
class PlannedRow:
    row: StaffRow
    action: str  # create | update | unchanged
    changes: dict[str, tuple[Any, Any]]
    staff: Staff | None = None


def _wanted(row: StaffRow, staff: Staff | None) -> dict[str, Any]:
    """The values the row sets: only the file's columns for an update; an empty active is "keep"."""
    values = {}
    for name in FIELDS:
        if staff is not None and name not in row.present:
            continue
        value = getattr(row, name)
        if name == "active" and value is None:
            if staff is not None:
                continue
            value = True
        values[name] = value
    return values


def plan_import(result: ImportResult, actor: Staff | None = None) -> list[PlannedRow]:
    """What importing would do to each good row (one query), for the preview.

    Rows the importing person may not apply are moved to ``result.errors``: a role they may not give
    or take (``lms.auth.roles``), a change to their own roles, or deactivating an admin (an admin is
    deactivated one at a time on the person's page, never by a file). ``actor`` ``None`` is the
    command line.
    """
    existing = _existing([r.employee_no for r in result.rows])
    actor_roles = actor.roles if actor is not None else None
    planned, kept = [], []
    for row in result.rows:
        staff = existing.get(row.employee_no)
        refusal = _refusal(row, staff, actor, actor_roles)
        if refusal:
            result.errors.append(problem(row.line, *refusal))
            continue
        kept.append(row)
        wanted = _wanted(row, staff)
        if staff is None:
            planned.append(PlannedRow(row, "create", {k: (None, v) for k, v in wanted.items()}))
            continue
        changes = {k: (getattr(staff, k), v) for k, v in wanted.items() if getattr(staff, k) != v}
        if row.roles is not None and set(row.roles) != set(staff.roles):
            changes["roles"] = (sorted(staff.roles), sorted(row.roles))
        planned.append(PlannedRow(row, "update" if changes else "unchanged", changes, staff))
    if len(kept) != len(result.rows):
        result.errors.sort(key=_line_of)
        result.rows = kept
    known = set(existing) | {r.employee_no for r in result.rows}
    if result.rows:
        managers = {r.manager_no for r in result.rows if r.manager_no} - known
        found = set(
            session.scalars(sa.select(Staff.employee_no).where(Staff.employee_no.in_(managers)))
        )
        for row in result.rows:
            if row.manager_no and row.manager_no in managers - found:
                result.notes.append(
                    problem(
                        row.line,
                        "manager_no",
                        _(
                            "%(no)s 不是已知的工号(提醒邮件无法抄送这位上级)",
                            no=row.manager_no,
                        ),
                    )
                )
    return planned


def _line_of(text: str) -> int:
    match = re.search(r"\d+", text)  # 第 N 行 / line N: the first number is the line
    return int(match.group(0)) if match else 0


def _department_key(name: str) -> str:
    """What a department name is compared by: NFKC (full-width → half-width), case, no spaces."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


CLOSE_RATIO = 0.7


def close_departments(new: str, existing: Iterable[str]) -> list[str]:
    """Existing departments whose names are close to the new name ``new``, closest first (pure).

    Close means equal once width, case and spaces are ignored, one name inside the other, or a
    difflib ratio (2·matching characters / all characters) of at least 0.7. That flags
    住院服务中心 beside 住院服务部 (0.73) and a one-character slip in a name of four characters
    or more, but not 门诊部 beside 急诊部 (0.67): three-character names that differ in one
    character are usually different departments. A flag only asks HR to look; nothing is refused.
    """
    key = _department_key(new)
    scored = []
    for name in existing:
        other = _department_key(name)
        if not other or other == key and name == new:
            continue
        if other == key or (min(len(key), len(other)) >= 2 and (key in other or other in key)):
            scored.append((1.0, name))
            continue
        ratio = difflib.SequenceMatcher(None, key, other, autojunk=False).ratio()
        if ratio >= CLOSE_RATIO:
            scored.append((ratio, name))
    return [name for _ratio, name in sorted(scored, key=lambda pair: (-pair[0], pair[1]))]


@dataclass(frozen=True)
class DepartmentFlag:
    """A department the file would create whose name is close to existing ones."""

    name: str
    close: tuple[str, ...]
    lines: tuple[int, ...]


def department_flags(rows: list[StaffRow]) -> list[DepartmentFlag]:
    """New departments of the file close to existing ones (one query), for the preview."""
    existing = set(
        session.scalars(sa.select(Staff.department).where(Staff.department.is_not(None)).distinct())
    )
    lines: dict[str, list[int]] = {}
    for row in rows:
        if row.department and row.department not in existing:
            lines.setdefault(row.department, []).append(row.line)
    flags = []
    for name, at in lines.items():
        close = close_departments(name, existing)
        if close:
            flags.append(DepartmentFlag(name, tuple(close[:3]), tuple(at)))
    return flags


def apply_department_map(result: ImportResult, mapping: dict[str, str]) -> None:
    """Put the existing department HR chose in place of a new name, row by row."""
    for row in result.rows:
        if row.department in mapping and mapping[row.department]:
            row.department = mapping[row.department]


def _refusal(
    row: StaffRow, staff: Staff | None, actor: Staff | None, actor_roles: frozenset[str] | None
) -> tuple[str, str] | None:
    """(column, problem) when the importing person may not apply the row."""
    before = staff.roles if staff is not None else frozenset()
    after = row.roles if row.roles is not None else (before if staff else frozenset({"learner"}))
    if staff is not None and actor is not None and staff.id == actor.id:
        if set(after) != set(before):
            return "roles", _("不能修改自己的角色")
        if row.active is False:
            return "active", _("不能停用自己的账号")
    refused = refused_roles(actor_roles, before, after)
    if refused:
        return "roles", _(
            "只有管理员可以授予或撤销：%(roles)s", roles=_("、").join(sorted(refused))
        )
    if staff is not None and staff.active and "admin" in before and row.active is False:
        return "active", _("导入从不停用管理员(请在此人的页面上操作)")
    return None


def _existing(numbers: list[str]) -> dict[str, Staff]:
    found: dict[str, Staff] = {}
    for start in range(0, len(numbers), 500):  # keep the IN list well inside database limits
        chunk = numbers[start : start + 500]
        found.update(
            (s.employee_no, s)
            for s in session.scalars(sa.select(Staff).where(Staff.employee_no.in_(chunk)))
        )
    return found


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)[:255]


def import_staff(
    data: bytes,
    *,
    skip_bad: bool = False,
    actor_id: int | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    department_map: dict[str, str] | None = None,
) -> ImportResult:
    """Import when every row is good (or ``skip_bad``); otherwise write nothing.

    ``department_map`` puts an existing department in place of a new name the preview flagged.
    """
    result = parse_staff_file(data, max_rows)
    if department_map:
        apply_department_map(result, department_map)
    if result.errors and (not skip_bad or result.fatal):
        return result
    actor = session.get(Staff, actor_id) if actor_id is not None else None
    try:
        plan = plan_import(result, actor)
        if result.errors and not skip_bad:
            session.rollback()
            return result
        result.skipped = len(result.errors)
        for planned in plan:
            row = planned.row
            if planned.action == "unchanged":
                result.updated += 1  # matched an existing record: counted as updated, …
                result.unchanged += 1  # … of which this many needed no change
                continue
            if planned.action == "create":
                staff = Staff(employee_no=row.employee_no)
                session.add(staff)
                staff.set_roles(row.roles or {"learner"})
                result.created += 1
            else:
                staff = planned.staff
                result.updated += 1
            for name, (old, new) in planned.changes.items():
                if name == "roles":
                    continue
                setattr(staff, name, new)
                if planned.action == "update":
                    session.add(
                        StaffChange(
                            staff_id=staff.id,
                            field=name,
                            old=_text(old),
                            new=_text(new),
                            changed_by_id=actor_id,
                            source="import",
                        )
                    )
            if planned.action == "update" and "roles" in planned.changes:
                change_roles(staff, set(row.roles), actor_id, source="import")
            elif planned.action == "create" and set(staff.roles) != {"learner"}:
                session.flush()
                record_role_change(staff, [], sorted(staff.roles), actor_id, source="import")
        record(
            "staff.import",
            actor_id=actor_id,
            target_type="staff",
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            skipped=result.skipped,
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result
