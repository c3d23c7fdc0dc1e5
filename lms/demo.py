"""Demo accounts, one per role, and a demo organisation, so every page shows something real."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from lms.auth.models import Staff
from lms.certificates.errors import CertificateRefused
from lms.certificates.issue import (
    completion_record,
    frozen_certificate,
    issue_for_attempt,
    render_certificate,
)
from lms.courses.models import Course, LessonProgress
from lms.db import session, utcnow
from lms.plan.models import DEFAULT_CHECKLIST, Requirement
from lms.plan.status import add_months, in_audience
from lms.quizzes.models import Attempt
from lms.staff.models import StaffChange

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


# --- the demo organisation -------------------------------------------------------------------
# A hospital service centre of 54 people in six departments, six plan requirements, and histories
# that put every status on screen: certified, expiring soon, expired, overdue, due soon, in
# progress, not started and exempt. Dates count back from the day it is first created.

DEPARTMENTS = [
    # department, code, positions (the first one leads the team and manages the others)
    ("门诊服务中心", "MZ", ["服务组长", "导医", "导医", "导医", "咨询员", "咨询员", "导医", "导医", "咨询员"]),
    ("住院服务部", "ZY", ["护士长", "护士", "护士", "护士", "护士", "陪检员", "护士", "护士", "陪检员"]),
    ("收费处", "SF", ["收费组长", "收费员", "收费员", "收费员", "收费员", "收费员", "收费员", "收费员", "收费员"]),
    ("急诊科", "JZ", ["护士长", "分诊护士", "分诊护士", "护士", "护士", "护士", "分诊护士", "护士", "护士"]),
    ("药剂科", "YJ", ["药房组长", "药师", "药师", "药师", "发药员", "发药员", "药师", "药师", "发药员"]),
    ("客服中心", "KF", ["客服主管", "客服专员", "客服专员", "客服专员", "客服专员", "客服专员", "客服专员", "客服专员", "客服专员"]),
]  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜"
GIVEN = ["静", "洋", "敏", "磊", "婷", "伟", "芳", "军", "丽", "强", "娜", "杰", "霞", "涛", "燕",
         "超", "琳", "斌", "倩", "鹏", "雪", "辉", "玲", "宁", "慧", "晨", "颖", "浩", "欣", "凯"]  # fmt: skip
# course slug (falls back to the courses present), audience, onboarding days, fixed due (days
# from today), recertify months, sign-off needed
REQUIREMENTS = [
    ("etiquette", None, None, 30, None, 24, True),
    ("listening", None, None, 60, None, None, False),
    ("window-service", "收费处", None, 45, None, 12, False),
    ("complaints", "客服中心", None, None, 10, 12, False),
    ("error-prevention", "药剂科", None, 30, None, 12, False),
    ("over-service", "门诊服务中心", "导医", 30, None, 24, False),
]
# What a veteran's history on a course looks like, and a new hire's (by days since hire).
VETERAN = ["certified", "expiring", "certified", "expired", "none", "exempt", "certified", "fail"]
NEW_HIRES = [3, 10, 20, 45, 12, 25]  # days since hire: not started … overdue
DEMO_MARKER = "MZ01"


@dataclass
class DemoOrganisation:
    created: bool
    staff: int
    requirements: int
    attempts: int
    certificates: int


def ensure_demo_organisation(today: date | None = None) -> DemoOrganisation:
    """Create the demo organisation once; later runs change nothing (dates stay as first made)."""
    from lms.plan import config

    today = today or config.today()
    courses = {
        c.slug: c
        for c in session.scalars(
            sa.select(Course).where(Course.retired_at.is_(None)).order_by(Course.position)
        )
    }
    requirements = _ensure_requirements(courses, today)
    existing = session.scalar(sa.select(Staff.id).where(Staff.employee_no == DEMO_MARKER))
    if existing is not None or not courses:
        session.commit()
        return DemoOrganisation(False, 0, len(requirements), 0, 0)
    people = _create_people(today)
    to_issue: list[Attempt] = []
    attempts, certificates = _create_histories(people, requirements, courses, today, to_issue)
    session.commit()
    for attempt in to_issue:
        certificates += _issue(attempt, today)
    return DemoOrganisation(True, len(people), len(requirements), attempts, certificates)


def _issue(attempt: Attempt, today: date) -> int:
    """A pass made today gets its certificate through the certificate module, as a real one would."""
    return 1 if issue_for_attempt(attempt) is not None else 0


def _frozen_certificate(person: Staff, course: Course, attempt: Attempt, passed_on: date) -> int:
    """A past pass's certificate, rendered and frozen like any other (PDF, serial, snapshot)."""
    expires_on = add_months(passed_on, course.validity_months) if course.validity_months else None
    try:
        rendered = render_certificate(
            name=person.name,
            course_title=course.title,
            course_slug=course.slug,
            issued_on=passed_on,
            expires_on=expires_on,
            completion=completion_record(person, course, attempt),
        )
    except CertificateRefused:
        return 0  # no font or no public address configured: the pass still counts in the plan
    session.add(
        frozen_certificate(
            rendered,
            staff_id=person.id,
            course_id=course.id,
            attempt_id=attempt.id,
            cycle=1,
            version=1,
            issued_on=passed_on,
            expires_on=expires_on,
            content_versions={},
        )
    )
    return 1


def _ensure_requirements(courses: dict[str, Course], today: date) -> list[Requirement]:
    slugs = list(courses)
    made = []
    for n, (slug, dept, position, days, fixed, months, signoff) in enumerate(REQUIREMENTS):
        if not slugs:
            break
        course = courses.get(slug) or courses[slugs[n % len(slugs)]]
        req = session.scalar(
            sa.select(Requirement).where(
                Requirement.course_id == course.id,
                Requirement.department.is_(None)
                if dept is None
                else Requirement.department == dept,
                Requirement.position.is_(None)
                if position is None
                else Requirement.position == position,
            )
        )
        if req is None:
            req = Requirement(
                course_id=course.id,
                department=dept,
                position=position,
                due_days_after_hire=days,
                due_date=today + timedelta(days=fixed) if fixed is not None else None,
                recertify_months=months,
                window_days=60,
                needs_signoff=signoff,
                checklist=list(DEFAULT_CHECKLIST) if signoff else [],
                starts_on=today - timedelta(days=3 * 365),
                note="演示数据",
                created_at=utcnow() - timedelta(days=3 * 365),
            )
            session.add(req)
            session.flush()
        if req not in made:  # with few courses, two specs can land on the same requirement
            made.append(req)
    return made


def _create_people(today: date) -> list[Staff]:
    people = []
    n = 0
    for department, code, positions in DEPARTMENTS:
        manager_no = f"{code}01"
        for k, position in enumerate(positions, 1):
            n += 1
            employee_no = f"{code}{k:02d}"
            new_hire = k >= 7  # the last three of each team joined recently
            if new_hire:
                hired = today - timedelta(days=NEW_HIRES[(n + k) % len(NEW_HIRES)])
            else:
                hired = today - timedelta(days=400 + 97 * ((n * 7) % 19))
            staff = Staff(
                employee_no=employee_no,
                name=SURNAMES[n % len(SURNAMES)]
                + GIVEN[(n * 7) % len(GIVEN)]
                + ("" if n % 3 else GIVEN[(n * 11) % len(GIVEN)]),
                email=f"{employee_no.lower()}@example.org",
                department=department,
                position=position,
                hire_date=hired,
                manager_no=None if k == 1 else manager_no,
                active=not (code == "ZY" and k == 9),  # one leaver, kept with her history
            )
            staff.set_roles({"learner"})
            session.add(staff)
            people.append(staff)
    session.flush()
    # One person moved from 门诊服务中心 to 收费处 five weeks ago: history kept, clock restarted.
    moved = next(p for p in people if p.employee_no == "SF05")
    session.add(
        StaffChange(
            staff_id=moved.id,
            field="department",
            old="门诊服务中心",
            new="收费处",
            changed_at=utcnow() - timedelta(days=35),
            source="demo",
            reason="调岗",
        )
    )
    # The demo accounts join the organisation: the learner is a new 导医 with a plan to show.
    accounts = {
        s.employee_no: s
        for s in session.scalars(
            sa.select(Staff).where(Staff.employee_no.in_([a[0] for a in DEMO_ACCOUNTS]))
        )
    }
    for employee_no, staff in accounts.items():
        staff.email = staff.email or f"{employee_no}@example.org"
        staff.hire_date = staff.hire_date or today - timedelta(days=700)
        if employee_no == "demo-learner":
            staff.hire_date = today - timedelta(days=20)
            staff.manager_no = "MZ01"
            staff.department, staff.position = "门诊服务中心", "导医"
    people.extend(accounts.values())
    return people


def _create_histories(
    people: list[Staff],
    requirements: list[Requirement],
    courses: dict[str, Course],
    today: date,
    to_issue: list[Attempt],
) -> tuple[int, int]:
    from lms.plan.models import Exemption, Extension, Signoff

    by_course: dict[int, list[Requirement]] = {}
    for req in requirements:
        by_course.setdefault(req.course_id, []).append(req)
    course_by_id = {c.id: c for c in courses.values()}
    observer = session.scalar(sa.select(Staff).where(Staff.employee_no == "demo-trainer"))
    hr = session.scalar(sa.select(Staff).where(Staff.employee_no == "demo-hr"))
    attempts = certificates = 0
    for i, person in enumerate(people):
        for j, (course_id, reqs) in enumerate(by_course.items()):
            mine = [r for r in reqs if in_audience(r, person.department, person.position)]  # type: ignore[arg-type]
            if not mine:
                continue
            course = course_by_id[course_id]
            months = min((r.recertify_months or course.validity_months) for r in mine) or 24
            veteran = (today - person.hire_date).days > 90
            if person.employee_no == "demo-learner":
                story = ["in_progress", "certified", "none"][j % 3]
            elif veteran:
                story = VETERAN[(i + 3 * j) % len(VETERAN)]
            else:
                story = ["none", "in_progress", "certified", "fail"][(i + j) % 4]
            if story == "exempt":
                for r in mine:
                    session.add(
                        Exemption(
                            staff_id=person.id,
                            requirement_id=r.id,
                            reason="已持有外院同等培训证书",
                            granted_on=today - timedelta(days=120),
                            created_by_id=hr.id if hr else None,
                        )
                    )
                continue
            if story == "none":
                if not veteran and (i + j) % 3 == 0:
                    for r in mine:
                        session.add(
                            Extension(
                                staff_id=person.id,
                                requirement_id=r.id,
                                due_on=today + timedelta(days=21),
                                reason="病假两周",
                                granted_on=today - timedelta(days=2),
                                created_by_id=hr.id if hr else None,
                            )
                        )
                continue
            if story in ("in_progress", "fail"):
                lesson = course.active_lessons[0] if course.active_lessons else None
                if lesson is not None:
                    session.add(
                        LessonProgress(
                            staff_id=person.id,
                            lesson_id=lesson.id,
                            first_viewed_at=utcnow() - timedelta(days=2),
                            last_viewed_at=utcnow() - timedelta(days=1),
                            completed_at=utcnow() - timedelta(days=1),
                        )
                    )
                if story == "fail":
                    _attempt(person, course, utcnow() - timedelta(days=1), 40.0)
                    attempts += 1
                continue
            # Passed: when depends on the story, so the certificate is valid, in its window, or lapsed.
            if story == "certified" and person.employee_no == "demo-learner":
                passed_on = today
            elif story == "certified":
                passed_on = today - timedelta(days=30 + 11 * ((i + j) % 20))
                if not veteran:
                    passed_on = min(passed_on, today - timedelta(days=2))
                    passed_on = max(passed_on, person.hire_date)
            elif story == "expiring":
                passed_on = add_months(today, -months) + timedelta(days=25)
            else:  # expired
                passed_on = add_months(today, -months) - timedelta(days=20 + 5 * (i % 6))
            moment = datetime.combine(passed_on, datetime.min.time()) + timedelta(hours=2)
            _attempt(person, course, moment - timedelta(days=3), 40.0)
            attempt = _attempt(person, course, moment, 80.0 + (i * 7 + j) % 20)
            attempts += 2
            if person.employee_no == "demo-learner":
                to_issue.append(attempt)  # issued after the commit, by the certificate module
                continue
            certificates += _frozen_certificate(person, course, attempt, passed_on)
            for r in mine:
                if r.needs_signoff:
                    session.add(
                        Signoff(
                            staff_id=person.id,
                            requirement_id=r.id,
                            observed_on=passed_on,
                            observer_id=observer.id if observer else None,
                            items={item: True for item in r.checklist},
                            passed=True,
                            notes="演示：现场观察通过",
                        )
                    )
    return attempts, certificates


def _attempt(person: Staff, course: Course, graded_at: datetime, score: float) -> Attempt:
    attempt = Attempt(
        staff_id=person.id,
        course_id=course.id,
        seed=person.id * 1000 + course.id,
        started_at=graded_at - timedelta(minutes=14, seconds=20),
        submitted_at=graded_at,
        graded_at=graded_at,
        score=score,
        passed=score >= course.pass_mark,
        status="graded",
    )
    session.add(attempt)
    session.flush()
    return attempt
