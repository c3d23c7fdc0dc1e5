"""Staff import from CSV: every row validated first, then all rows written in one transaction."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from lms.audit.log import record
from lms.auth.models import ROLES, Staff
from lms.db import session

COLUMNS = (
    "employee_no", "name", "department", "position", "hire_date", "email", "manager_no", "active",
    "roles",
)  # fmt: skip
REQUIRED = ("employee_no", "name")
EMPLOYEE_NO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TRUE = {"1", "true", "yes", "y", "是", "在职"}
FALSE = {"0", "false", "no", "n", "否", "离职"}


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
    active: bool
    roles: frozenset[str] | None


@dataclass
class ImportResult:
    rows: list[StaffRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    skipped: int = 0


def parse_staff_csv(data: bytes) -> ImportResult:
    """Validate every row; problems come back as ``line N: column: problem``."""
    result = ImportResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append("line 1: the file is not UTF-8 text (save it as CSV UTF-8)")
        return result
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        result.errors.append(f"line 1: header: missing column(s) {', '.join(missing)}")
        return result
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        result.errors.append(f"line 1: header: unknown column(s) {', '.join(unknown)}")
        return result
    reader.fieldnames = header
    seen: dict[str, int] = {}
    try:
        for raw in reader:
            line = reader.line_num
            if None in raw:
                result.errors.append(f"line {line}: row: more fields than the header has")
                continue
            row = {k: (v or "").strip() for k, v in raw.items()}
            if not any(row.values()):
                continue
            parsed = _parse_row(line, row, result.errors)
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
    except csv.Error as exc:
        result.errors.append(f"line {reader.line_num}: row: {exc}")
    return result


def _parse_row(line: int, row: dict[str, str], errors: list[str]) -> StaffRow | None:
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
    elif len(name) > 200:
        fail("name", "is longer than 200 characters")
    hire_date = None
    if row.get("hire_date"):
        try:
            hire_date = date.fromisoformat(row["hire_date"])
        except ValueError:
            fail("hire_date", f"{row['hire_date']!r} is not a date like 2026-03-01")
    email = row.get("email") or None
    if email and not EMAIL_RE.match(email):
        fail("email", f"{email!r} is not an email address")
    active = True
    if row.get("active"):
        value = row["active"].lower()
        if value not in TRUE | FALSE:
            fail("active", f"{row['active']!r} is not yes/no")
        active = value in TRUE
    roles = None
    if row.get("roles"):
        roles = frozenset(r.strip() for r in re.split(r"[;,|\s]+", row["roles"]) if r.strip())
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
        manager_no=row.get("manager_no") or None,
        active=active,
        roles=roles,
    )


def import_staff(
    data: bytes, *, skip_bad: bool = False, actor_id: int | None = None
) -> ImportResult:
    """Import when every row is good (or ``skip_bad``); otherwise write nothing."""
    result = parse_staff_csv(data)
    header_broken = any(e.startswith("line 1: header") or "UTF-8" in e for e in result.errors)
    if result.errors and (not skip_bad or header_broken):
        return result
    result.skipped = len(result.errors)
    try:
        numbers = [r.employee_no for r in result.rows]
        existing = {
            s.employee_no: s
            for s in session.scalars(sa.select(Staff).where(Staff.employee_no.in_(numbers)))
        }
        for row in result.rows:
            staff = existing.get(row.employee_no)
            if staff is None:
                staff = Staff(employee_no=row.employee_no)
                session.add(staff)
                staff.set_roles(row.roles or {"learner"})
                result.created += 1
            else:
                result.updated += 1
                if row.roles is not None:
                    staff.set_roles(row.roles)
            staff.name = row.name
            staff.department = row.department
            staff.position = row.position
            staff.hire_date = row.hire_date
            staff.email = row.email
            staff.manager_no = row.manager_no
            staff.active = row.active
        record(
            "staff.import",
            actor_id=actor_id,
            target_type="staff",
            created=result.created,
            updated=result.updated,
            skipped=result.skipped,
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result
