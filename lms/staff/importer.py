"""Staff import from CSV or XLSX: every row validated first, then all rows written in one transaction.

Files come from HR offices, which means Excel: an ``.xlsx`` workbook (first sheet, first row the
header), a "CSV UTF-8" file, or a plain "CSV" saved by Chinese Excel, which is GBK-encoded. GBK
(read as its superset GB18030) is decoded transparently and the preview says so; anything that is
neither is refused with one clear line. Headers may be the English column names or their Chinese
equivalents (工号, 姓名, …). Every problem is reported as ``line N: column: problem`` (N is the
spreadsheet row), and by default a single bad row means nothing is written.

Reading is bounded, since a few hundred KB of zipped XLSX can declare millions of rows: a list may
have at most ``max_rows`` rows (``LMS_IMPORT_MAX_ROWS``), an XLSX must not unpack to more than
:data:`MAX_XLSX_UNPACKED` bytes nor declare more rows than that, and rows are counted as they stream past, so
reading stops at the limit with one clear ``line N: file:`` error.

An update only touches the columns the file has, so a file without a ``department`` column leaves
departments alone; each changed field is kept in the staff history (``lms_staff_changes``).
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any
from xml.etree.ElementTree import iterparse

import sqlalchemy as sa

from lms.audit.log import record
from lms.auth.models import ROLES, Staff
from lms.auth.roles import refused_roles
from lms.dates import in_range, range_problem
from lms.db import session
from lms.i18n import N_, _
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
XLSX_MAGIC = b"PK\x03\x04"
DEFAULT_MAX_ROWS = 60_000  # LMS_IMPORT_MAX_ROWS
MAX_COLUMNS = 64  # read at most this many columns (plus one, to tell that there are more)
MAX_XLSX_UNPACKED = 64 * 1024 * 1024  # bytes all of a workbook's parts may unpack to
ROW_NUMBER_RE = re.compile(r"([0-9]{1,9})$")
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
GBK_NOTE = N_(
    "文件按 GBK/GB18030 编码读取(中文版 Excel 另存为“CSV”的编码),请在预览中核对姓名是否正确。"
)


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


class FileUnreadable(ValueError):
    """The whole file is unusable; the message is a ``line 1: …`` error."""


def _cell(value: Any) -> str:
    """An XLSX cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cells(values: tuple[Any, ...]) -> list[str]:
    """A row's cells as text, without the empty cells openpyxl pads each row with on the right."""
    end = len(values)
    while end and values[end - 1] is None:
        end -= 1
    return [_cell(v) for v in values[:end]]


def _too_many_rows(line: int, max_rows: int) -> FileUnreadable:
    return FileUnreadable(
        f"line {line}: file: a staff list may have at most {max_rows} rows "
        "(limit: LMS_IMPORT_MAX_ROWS); split it into smaller files"
    )


def _bounded(rows: Iterable[tuple[int, list[str]]], max_rows: int) -> list[tuple[int, list[str]]]:
    """The rows, read one by one and no further than the header plus ``max_rows``."""
    out = []
    for line, cells in rows:
        if len(out) > max_rows:  # the header and max_rows rows are in: this one is too many
            raise _too_many_rows(line, max_rows)
        out.append((line, cells))
    return out


def _check_workbook(data: bytes, max_rows: int) -> None:
    """Refuse a workbook that is too big before openpyxl reads it: parts that unpack to too much,
    or a sheet that declares (or, declaring nothing, holds) more rows than allowed.

    This comes first because openpyxl, opening a sheet that declares no size, reads all of it to
    find one. The sizes checked are those the zip declares; Python's zip reader never inflates a
    part past its declared size, so a part that lies about it fails its check instead of growing.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
            if unpacked > MAX_XLSX_UNPACKED:
                raise FileUnreadable(
                    f"line 1: file: the workbook unpacks to more than {MAX_XLSX_UNPACKED} bytes; "
                    "save it again as .xlsx or as CSV UTF-8, or split it"
                )
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with archive.open(name) as part:
                        _check_sheet(part, max_rows)
    except FileUnreadable:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, SyntaxError):
        return  # a damaged file: openpyxl names the damage below


def _check_sheet(part: IO[bytes], max_rows: int) -> None:
    """A sheet's declared size, or its rows counted as they stream past, against ``max_rows``."""
    rows = 0
    sheet_data = None
    for event, element in iterparse(part, events=("start", "end")):
        tag = element.tag.rsplit("}", 1)[-1]
        if event == "end":
            if tag == "row" and sheet_data is not None:
                sheet_data.clear()  # rows already counted: keep none of them in memory
            continue
        if tag == "dimension":
            match = ROW_NUMBER_RE.search(element.get("ref", ""))
            declared = int(match.group(1)) if match else 0
            if declared > max_rows + 1:
                raise FileUnreadable(
                    f"line 1: file: the sheet declares {declared} rows; a staff list may have at "
                    f"most {max_rows} rows (limit: LMS_IMPORT_MAX_ROWS); split it into smaller files"
                )
            return  # the rows themselves are counted again as they are read
        if tag == "sheetData":
            sheet_data = element
        elif tag == "row":
            rows += 1
            match = ROW_NUMBER_RE.search(element.get("r", ""))
            line = int(match.group(1)) if match else rows
            if max(rows, line) > max_rows + 1:
                raise _too_many_rows(max(rows, line), max_rows)


def _xlsx_rows(data: bytes, max_rows: int) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    _check_workbook(data, max_rows)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # style warnings about files from other programs
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileUnreadable(
            f"line 1: file: the workbook cannot be read ({type(exc).__name__}); "
            "save it again as .xlsx or as CSV UTF-8"
        ) from None
    try:
        sheet = book.worksheets[0]
        # Every row the sheet holds, whatever size it declares (a stale declaration must not hide
        # rows), counted as it streams past; cut to MAX_COLUMNS + 1 columns: a cell far to the
        # right cannot make every row thousands of cells wide, yet one past the limit still shows.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
        return _bounded(((n, _cells(values)) for n, values in enumerate(rows, 1)), max_rows)
    finally:
        book.close()


def decode_csv(data: bytes) -> tuple[str, str | None]:
    """(text, note): UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030 from Excel."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        try:
            return data.decode("utf-8-sig"), None
        except UnicodeDecodeError:
            try:
                return data.decode("gb18030"), _(GBK_NOTE)
            except UnicodeDecodeError:
                pass
    raise FileUnreadable(
        "line 1: file: the file is neither UTF-8 nor GBK text; "
        "in Excel choose Save As → “CSV UTF-8(逗号分隔)” or “Excel 工作簿(.xlsx)”"
    )


def _csv_rows(text: str, max_rows: int) -> list[tuple[int, list[str]]]:
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows() -> Iterable[tuple[int, list[str]]]:
        for values in reader:
            yield reader.line_num, [v.strip() for v in values]

    try:
        return _bounded(rows(), max_rows)
    except csv.Error as exc:
        raise FileUnreadable(f"line {reader.line_num}: row: {exc}") from None


def read_rows(
    data: bytes, max_rows: int = DEFAULT_MAX_ROWS
) -> tuple[list[tuple[int, list[str]]], list[str]]:
    """The file's rows as (line number, cells), whatever its kind, and notes about how it was read.

    Raises :class:`FileUnreadable` for a file it cannot read or one with more than ``max_rows``
    rows after the header (counted as read, so reading stops there).
    """
    if data.startswith(XLSX_MAGIC):
        return _xlsx_rows(data, max_rows), []
    if data.startswith(XLS_MAGIC):
        raise FileUnreadable(
            "line 1: file: this is an old Excel .xls workbook; save it as .xlsx or as CSV UTF-8"
        )
    text, note = decode_csv(data)
    return _csv_rows(text, max_rows), [note] if note else []


def _header(cells: list[str]) -> list[str]:
    out = []
    for cell in cells:
        name = cell.strip().lstrip("\ufeff")
        out.append(ALIASES.get(name, name.lower() if name.isascii() else name))
    return out


def parse_staff_file(data: bytes, max_rows: int = DEFAULT_MAX_ROWS) -> ImportResult:
    """Validate every row; problems come back as ``line N: column: problem``."""
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
        result.errors.append("line 1: header: the file is empty")
        result.fatal = True
        return result
    header_line, header_cells = rows[0]
    header = _header(header_cells)
    while header and not header[-1]:
        header.pop()  # Excel often leaves empty trailing columns
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h or "(empty)" for h in header if h not in COLUMNS]
    doubled = sorted({h for h in header if header.count(h) > 1 and h in COLUMNS})
    for problem, names in (
        ("missing column(s)", missing),
        ("unknown column(s)", unknown),
        ("repeated column(s)", doubled),
    ):
        if names:
            result.errors.append(f"line {header_line}: header: {problem} {', '.join(names)}")
    if result.errors:
        result.fatal = True
        return result
    present = frozenset(header)
    seen: dict[str, int] = {}
    for line, cells in rows[1:]:
        extra = cells[len(header) :]
        if any(extra):
            result.errors.append(f"line {line}: row: more fields than the header has")
            continue
        row = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}
        if not any(row.values()):
            continue
        parsed = _parse_row(line, row, present, result.errors)
        if parsed is None:
            continue
        if parsed.employee_no in seen:
            result.errors.append(
                f"line {line}: employee_no: {parsed.employee_no} "
                f"already appears on line {seen[parsed.employee_no]}"
            )
            continue
        seen[parsed.employee_no] = line
        result.rows.append(parsed)
    return result


# The old name, kept for callers and tests written before XLSX support.
parse_staff_csv = parse_staff_file


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

    def fail(column: str, problem: str) -> None:
        errors.append(f"line {line}: {column}: {problem}")

    employee_no = row.get("employee_no", "")
    if not employee_no:
        fail("employee_no", "is empty")
    elif not EMPLOYEE_NO_RE.match(employee_no):
        fail("employee_no", f"{employee_no!r} may hold only letters, digits, '.', '_' and '-'")
    name = row.get("name", "")
    if not name:
        fail("name", "is empty")
    for column, limit in LIMITS.items():
        if len(row.get(column, "")) > limit:
            fail(column, f"is longer than {limit} characters")
    hire_date = None
    if row.get("hire_date"):
        hire_date = parse_date(row["hire_date"])
        if hire_date is None:
            fail("hire_date", f"{row['hire_date']!r} is not a date like 2026-03-01")
        elif not in_range(hire_date):
            fail("hire_date", range_problem(row["hire_date"]))
    email = row.get("email") or None
    if email and not EMAIL_RE.match(email):
        fail("email", f"{email!r} is not an email address")
    manager_no = row.get("manager_no") or None
    if manager_no and not EMPLOYEE_NO_RE.match(manager_no):
        fail("manager_no", f"{manager_no!r} is not an employee number")
    elif manager_no and manager_no == employee_no:
        fail("manager_no", "a person cannot be their own manager")
    active = None
    if row.get("active"):
        value = row["active"].lower()
        if value not in TRUE | FALSE:
            fail("active", f"{row['active']!r} is not yes/no")
        active = value in TRUE
    roles = None
    if row.get("roles"):
        roles = frozenset(r.strip() for r in re.split(r"[;,|\s、,]+", row["roles"]) if r.strip())
        if not roles <= set(ROLES):
            fail("roles", f"unknown role(s) {', '.join(sorted(roles - set(ROLES)))}")
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
        problem = _refusal(row, staff, actor, actor_roles)
        if problem:
            result.errors.append(f"line {row.line}: {problem}")
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
                    f"line {row.line}: manager_no: {row.manager_no} is not a known employee number"
                    + _("(提醒邮件无法抄送这位上级)")
                )
    return planned


def _line_of(problem: str) -> int:
    match = re.match(r"line (\d+):", problem)
    return int(match.group(1)) if match else 0


def _refusal(
    row: StaffRow, staff: Staff | None, actor: Staff | None, actor_roles: frozenset[str] | None
) -> str | None:
    before = staff.roles if staff is not None else frozenset()
    after = row.roles if row.roles is not None else (before if staff else frozenset({"learner"}))
    if staff is not None and actor is not None and staff.id == actor.id:
        if set(after) != set(before):
            return "roles: nobody can change their own roles"
        if row.active is False:
            return "active: nobody can deactivate their own account"
    refused = refused_roles(actor_roles, before, after)
    if refused:
        return f"roles: only an admin can grant or remove {', '.join(sorted(refused))}"
    if staff is not None and staff.active and "admin" in before and row.active is False:
        return "active: an import never deactivates an admin (do it on the person's page)"
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
) -> ImportResult:
    """Import when every row is good (or ``skip_bad``); otherwise write nothing."""
    result = parse_staff_file(data, max_rows)
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
