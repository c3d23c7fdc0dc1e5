"""Training-plan benchmark: the HR matrix, the overdue list and the XLSX export at 5,000 staff.

    .venv/bin/python bench/plan.py [--staff 5000] [--departments 20] [--repeat 5]

Seeds a fresh SQLite database (or ``MINGLI_BENCH_DATABASE_URL``) with the six real courses, 5,000
staff in 20 departments, 6 requirements and histories (graded attempts, certificates — some in their
window, some lapsed, some revoked —, lesson views, sign-offs, exemptions, extensions, department
moves). Then, logged in as HR through the real routes, it measures each page: median time per
request and the number of SQL statements per request, beside the time of one plain query over the
same table (every staff row) and over the certificates table. Figures go to bench/README.md by hand.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = date(2026, 11, 1)
PASSWORD = "bench-password-1"


def make_app(url: str):
    from lms import create_app

    return create_app(
        {
            "CONFIG_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "LMS_CONTENT_DIR": str(ROOT),
        }
    )


def seed(app, staff_count: int, departments: int) -> dict[str, int]:
    """Bulk inserts (a few statements per table) so seeding takes seconds, not minutes."""
    from lms.auth.models import Staff, StaffRole
    from lms.certificates.models import Certificate
    from lms.content.sync import sync_content
    from lms.courses.models import Course, Lesson, LessonProgress
    from lms.db import Base, session
    from lms.plan.models import DEFAULT_CHECKLIST, Exemption, Extension, Requirement, Signoff
    from lms.plan.status import add_months
    from lms.quizzes.models import Attempt
    from lms.staff.models import StaffChange

    rng = random.Random(20261101)
    with app.app_context():
        engine = app.extensions["lms"].db.engine
        Base.metadata.drop_all(engine)
        Base.metadata.create_all(engine)
        sync_content(ROOT)
        courses = list(session.scalars(sa.select(Course).order_by(Course.position)))
        lessons = {
            c.id: list(session.scalars(sa.select(Lesson.id).where(Lesson.course_id == c.id)))
            for c in courses
        }
        depts = [f"部门{n:02d}" for n in range(1, departments + 1)]
        positions = ["导医", "护士", "收费员", "药师", "客服专员", "组长"]
        hr = Staff(employee_no="bench-hr", name="基准人事", department="人力资源部")
        hr.set_roles({"learner", "hr"})
        hr.set_password(PASSWORD)
        session.add(hr)
        session.flush()
        rows = []
        for n in range(1, staff_count + 1):
            hired = AS_OF - timedelta(
                days=rng.choice([5, 20, 40, 90]) if n % 10 == 0 else rng.randint(120, 3000)
            )
            rows.append(
                {
                    "employee_no": f"S{n:05d}",
                    "name": f"员工{n:05d}",
                    "email": f"s{n:05d}@example.org",
                    "department": depts[n % departments],
                    "position": positions[n % len(positions)],
                    "hire_date": hired,
                    "manager_no": f"S{(n % departments) + 1:05d}",
                    "active": n % 97 != 0,
                    "source": "local",
                }
            )
        session.execute(sa.insert(Staff), rows)
        ids = dict(
            session.execute(
                sa.select(Staff.employee_no, Staff.id).where(Staff.employee_no.like("S%"))
            )
            .tuples()
            .all()
        )
        session.execute(
            sa.insert(StaffRole), [{"staff_id": sid, "role": "learner"} for sid in ids.values()]
        )
        specs = [
            (courses[0], None, None, 30, None, 24, True),
            (courses[1 % len(courses)], None, None, 60, None, None, False),
            (courses[2 % len(courses)], depts[0], None, 45, None, 12, False),
            (
                courses[3 % len(courses)],
                None,
                "客服专员",
                None,
                AS_OF + timedelta(days=10),
                12,
                False,
            ),
            (courses[4 % len(courses)], depts[1], "药师", 30, None, 12, False),
            (courses[5 % len(courses)], None, "导医", 30, None, 24, False),
        ]
        reqs = []
        for course, dept, pos, days, fixed, months, signoff in specs:
            req = Requirement(
                course_id=course.id, department=dept, position=pos, due_days_after_hire=days,
                due_date=fixed, recertify_months=months, window_days=60, needs_signoff=signoff,
                checklist=list(DEFAULT_CHECKLIST) if signoff else [],
                starts_on=AS_OF - timedelta(days=1500),
            )  # fmt: skip
            session.add(req)
            reqs.append(req)
        session.flush()
        attempts, certs, views, signoffs, exemptions, extensions, moves = ([] for _ in range(7))
        serial = 0
        for row in rows:
            sid = ids[row["employee_no"]]
            for req, course in zip(reqs, [s[0] for s in specs], strict=True):
                if (req.department and req.department != row["department"]) or (
                    req.position and req.position != row["position"]
                ):
                    continue
                roll = rng.random()
                if roll < 0.12:
                    continue  # nothing yet
                if roll < 0.25:
                    views.append({"staff_id": sid, "lesson_id": lessons[course.id][0],
                                  "first_viewed_at": datetime(2026, 10, 1), "last_viewed_at": datetime(2026, 10, 2),
                                  "lesson_version": 1})  # fmt: skip
                    continue
                if roll < 0.30:
                    exemptions.append({"staff_id": sid, "requirement_id": req.id, "reason": "外院证书",
                                       "granted_on": date(2026, 1, 5)})  # fmt: skip
                    continue
                passed_on = AS_OF - timedelta(days=rng.randint(10, 1000))
                graded = datetime.combine(passed_on, datetime.min.time()) + timedelta(hours=3)
                for k, score in enumerate((45.0, 88.0) if roll < 0.6 else (91.0,)):
                    attempts.append({"staff_id": sid, "course_id": course.id, "seed": 1,
                                     "started_at": graded - timedelta(days=k, minutes=15),
                                     "submitted_at": graded - timedelta(days=k), "graded_at": graded - timedelta(days=k),
                                     "score": score, "passed": score >= course.pass_mark, "status": "graded"})  # fmt: skip
                serial += 1
                certs.append({"serial": f"B{serial:07d}", "staff_id": sid, "course_id": course.id,
                              "cycle": 1, "issued_on": passed_on,
                              "expires_on": add_months(passed_on, course.validity_months),
                              "revoked_at": datetime(2026, 6, 1) if roll > 0.99 else None,
                              "snapshot": {}})  # fmt: skip
                if req.needs_signoff and roll < 0.85:
                    signoffs.append({"staff_id": sid, "requirement_id": req.id, "observed_on": passed_on,
                                     "passed": True, "items": {}, "notes": ""})  # fmt: skip
                if roll > 0.97:
                    extensions.append({"staff_id": sid, "requirement_id": req.id, "reason": "病假",
                                       "granted_on": AS_OF - timedelta(days=3),
                                       "due_on": AS_OF + timedelta(days=20)})  # fmt: skip
            if rng.random() < 0.03:
                moves.append({"staff_id": sid, "field": "department", "old": depts[0], "new": row["department"],
                              "changed_at": datetime(2026, 9, 1), "source": "import"})  # fmt: skip
        for model, values in [
            (Attempt, attempts), (Certificate, certs), (LessonProgress, views), (Signoff, signoffs),
            (Exemption, exemptions), (Extension, extensions), (StaffChange, moves),
        ]:  # fmt: skip
            for start in range(0, len(values), 5000):
                session.execute(sa.insert(model), values[start : start + 5000])
        session.commit()
        return {
            "staff": staff_count,
            "departments": departments,
            "requirements": len(reqs),
            "attempts": len(attempts),
            "certificates": len(certs),
            "lesson views": len(views),
            "sign-offs": len(signoffs),
            "exemptions": len(exemptions),
            "extensions": len(extensions),
            "moves": len(moves),
        }


def refresh(app) -> str:
    """``flask lms plan refresh --as-of AS_OF``: the kept statuses the HR pages read."""
    from lms.db import session
    from lms.plan import kept

    with app.app_context():
        report = kept.refresh(AS_OF)
        session.commit()
        engine = app.extensions["lms"].db.engine
        if engine.dialect.name == "postgresql":
            # The planner's statistics, as autovacuum gathers them within a minute of a bulk
            # load; measured right after seeding without them, PostgreSQL chose slower plans
            # (status filter 317 ms against 182 ms once analysed).
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
    return f"{report.rows} kept statuses as of {report.as_of} in {report.seconds:.1f} s"


def stream_figures(app, client, url: str) -> tuple[float, float, int]:
    """(seconds to the first chunk, peak traced Python memory in MB, bytes) of one export, read
    chunk by chunk as a server would send it."""
    import tracemalloc

    tracemalloc.start()
    start = time.perf_counter()
    response = client.get(url)
    first, size = None, 0
    for chunk in response.response:
        if first is None:
            first = time.perf_counter() - start
        size += len(chunk)
    response.close()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return first or 0.0, peak / 2**20, size


def existing(app) -> dict[str, int] | None:
    """The sizes of an already seeded database (``--reuse``), creating any table it lacks."""
    from lms.auth.models import Staff
    from lms.certificates.models import Certificate
    from lms.db import Base, session

    with app.app_context():
        Base.metadata.create_all(app.extensions["lms"].db.engine)
        staff = session.scalar(sa.select(sa.func.count()).select_from(Staff)) or 0
        if staff < 2:
            return None
        certs = session.scalar(sa.select(sa.func.count()).select_from(Certificate)) or 0
        return {"staff": staff - 1, "certificates": certs}


class Counter:
    def __init__(self, engine) -> None:
        self.engine, self.count = engine, 0

    def __enter__(self):
        self.count = 0
        sa.event.listen(self.engine, "before_cursor_execute", self._hit)
        return self

    def __exit__(self, *exc) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._hit)

    def _hit(self, *args) -> None:
        self.count += 1


def measure(app, client, url: str, repeat: int) -> tuple[float, int, int]:
    """(median seconds, SQL statements per request, response bytes)."""
    with app.app_context():
        engine = app.extensions["lms"].db.engine
    times, counts, size = [], [], 0
    for _ in range(repeat):
        with Counter(engine) as counter:
            start = time.perf_counter()
            response = client.get(url)
            body = response.get_data()
            times.append(time.perf_counter() - start)
            response.close()
        assert response.status_code == 200, (url, response.status_code)
        counts.append(counter.count)
        size = len(body)
    return statistics.median(times), max(counts), size


def plain_query(app, stmt, repeat: int) -> float:
    from lms.db import session

    times = []
    with app.app_context():
        for _ in range(repeat):
            start = time.perf_counter()
            session.execute(stmt).all()
            times.append(time.perf_counter() - start)
            session.rollback()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--staff", type=int, default=5000)
    parser.add_argument("--departments", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--reuse", action="store_true", help="Keep a seeded MINGLI_BENCH_DATABASE_URL (no reseed)."
    )
    parser.add_argument("--seed-only", action="store_true", help="Seed, then stop.")
    parser.add_argument(
        "--skip-refresh",
        action="store_true",
        help="With --reuse: keep the kept statuses as they are.",
    )
    args = parser.parse_args()

    from lms.auth.models import Staff
    from lms.certificates.models import Certificate

    tmp = tempfile.TemporaryDirectory()
    url = os.environ.get("MINGLI_BENCH_DATABASE_URL") or f"sqlite:///{tmp.name}/bench.sqlite3"
    app = make_app(url)
    start = time.perf_counter()
    sizes = existing(app) if args.reuse else None
    if sizes is None:
        sizes = seed(app, args.staff, args.departments)
    if args.seed_only:
        print(f"Seeded in {time.perf_counter() - start:.1f} s: {sizes}")
        return
    refreshed = "skipped" if args.skip_refresh else refresh(app)
    print(
        f"Seeded in {time.perf_counter() - start:.1f} s: "
        + ", ".join(f"{v} {k}" for k, v in sizes.items())
    )
    print(
        f"Database: {url.split('://')[0]}; Python {platform.python_version()}; {platform.platform()}"
    )
    print(f"Refreshed: {refreshed}")
    client = app.test_client()
    response = client.post("/lms/login", data={"employee_no": "bench-hr", "password": PASSWORD})
    assert response.status_code == 302
    as_of = f"as_of={AS_OF}"
    pages = [
        ("matrix, page 1 (50 people)", f"/lms/plan/?{as_of}"),
        ("matrix, 500 per page", f"/lms/plan/?{as_of}&per_page=500"),
        ("matrix, one department", f"/lms/plan/?{as_of}&department=部门03"),
        ("matrix, status filter (all people)", f"/lms/plan/?{as_of}&status=overdue"),
        ("matrix, sorted by urgency", f"/lms/plan/?{as_of}&sort=urgency"),
        ("overdue list", f"/lms/plan/overdue?{as_of}"),
        ("expiring in 60 days", f"/lms/plan/expiring?{as_of}&days=60"),
        ("department chart", f"/lms/plan/departments?{as_of}"),
        ("matrix XLSX export (all)", f"/lms/plan/matrix.xlsx?{as_of}"),
        ("matrix CSV export (all)", f"/lms/plan/matrix.csv?{as_of}"),
        ("overdue XLSX export", f"/lms/plan/overdue.xlsx?{as_of}"),
        ("expiring XLSX export", f"/lms/plan/expiring.xlsx?{as_of}&days=60"),
    ]
    client.get(pages[0][1]).close()  # warm up
    staff_q = plain_query(
        app,
        sa.select(
            Staff.id,
            Staff.employee_no,
            Staff.name,
            Staff.department,
            Staff.position,
            Staff.hire_date,
        ),
        args.repeat,
    )
    cert_q = plain_query(
        app,
        sa.select(
            Certificate.staff_id,
            Certificate.course_id,
            Certificate.issued_on,
            Certificate.expires_on,
        ),
        args.repeat,
    )
    print()
    print("| request | median ms | SQL statements | × plain staff query | response |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, url_ in pages:
        seconds, statements, size = measure(app, client, url_, args.repeat)
        print(
            f"| {label} | {seconds * 1000:.0f} | {statements} | {seconds / staff_q:.2f}× | {size / 1024:.0f} KB |"
        )
    print(
        f"| plain query: every staff row ({sizes['staff'] + 1}) | {staff_q * 1000:.1f} | 1 | 1× | |"
    )
    print(
        f"| plain query: every certificate row ({sizes['certificates']}) | {cert_q * 1000:.1f} | 1 | {cert_q / staff_q:.1f}× | |"
    )
    print()
    print("| export, read chunk by chunk | first chunk ms | peak traced MB | size |")
    print("| --- | ---: | ---: | ---: |")
    for label, url_ in pages:
        if "export" in label:
            first, peak, size = stream_figures(app, client, url_)
            print(f"| {label} | {first * 1000:.0f} | {peak:.1f} | {size / 1024:.0f} KB |")
    tmp.cleanup()


if __name__ == "__main__":
    main()
