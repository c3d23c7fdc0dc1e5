"""Demo accounts, one per role, so a newcomer can try every part of the product at once."""

from __future__ import annotations

import sqlalchemy as sa

from lms.auth.models import Staff
from lms.db import session

DEMO_ACCOUNTS = [
    # employee_no, password, name, department, position, roles
    ("demo-learner", "learner-demo", "李新员", "门诊服务中心", "导医", {"learner"}),
    ("demo-trainer", "trainer-demo", "王培训", "培训部", "培训师", {"learner", "trainer"}),
    ("demo-hr", "hr-demo", "张人事", "人力资源部", "人事专员", {"learner", "hr"}),
    ("demo-admin", "admin-demo", "赵管理", "信息中心", "系统管理员", {"learner", "admin"}),
]


def ensure_demo_accounts() -> list[tuple[str, str, str]]:
    """Create the demo accounts that are missing; returns (employee_no, password, roles) to print."""
    shown = []
    for employee_no, password, name, department, position, roles in DEMO_ACCOUNTS:
        staff = session.scalar(sa.select(Staff).where(Staff.employee_no == employee_no))
        if staff is None:
            staff = Staff(
                employee_no=employee_no, name=name, department=department, position=position
            )
            staff.set_roles(roles)
            session.add(staff)
        staff.set_password(password)
        staff.active = True
        shown.append((employee_no, password, ", ".join(sorted(roles))))
    session.commit()
    return shown
