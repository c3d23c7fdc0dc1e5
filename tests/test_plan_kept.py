"""Kept plan statuses: the same pages from the table as from the status function, kept in step with
every kind of event (a property test over generated histories), the refresh and verify commands,
index use on the list queries, and streamed exports."""

from __future__ import annotations

import re
import tracemalloc
from datetime import date, timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms import xlsx
from lms.auth.models import Staff
from lms.certificates import issue
from lms.courses.models import Course, Lesson, LessonProgress
from lms.db import session
from lms.plan import config, kept, records, reports, requirements
from lms.plan.models import DEFAULT_CHECKLIST, KeptStatus, Requirement
from lms.staff.records import set_active, update_staff
from tests import plan_helpers as h
from tests.test_plan_views import AS_OF, _people_in_every_state, hr_client


@pytest.fixture(autouse=True)
def beijing(app):
    app.config["LMS_CERT_TIMEZONE"] = "Asia/Shanghai"


PAGES = [
    f"/lms/plan/?as_of={AS_OF}",
    f"/lms/plan/?as_of={AS_OF}&status=overdue",
    f"/lms/plan/?as_of={AS_OF}&status=certified&department=门诊部",
    f"/lms/plan/?as_of={AS_OF}&sort=urgency",
    f"/lms/plan/?as_of={AS_OF}&sort=-urgency",
    f"/lms/plan/?as_of={AS_OF}&sort=-name&status=expired",
    f"/lms/plan/?as_of={AS_OF}&per_page=3&page=2&sort=urgency",
    f"/lms/plan/overdue?as_of={AS_OF}",
    f"/lms/plan/overdue?as_of={AS_OF}&department=门诊部",
    f"/lms/plan/expiring?as_of={AS_OF}&days=60",
    f"/lms/plan/expiring?as_of={AS_OF}&days=400",
    f"/lms/plan/departments?as_of={AS_OF}",
    f"/lms/plan/departments.svg?as_of={AS_OF}",
    f"/lms/plan/matrix.csv?as_of={AS_OF}",
    f"/lms/plan/matrix.csv?as_of={AS_OF}&sort=urgency&status=overdue",
    f"/lms/plan/overdue.csv?as_of={AS_OF}",
    f"/lms/plan/expiring.csv?as_of={AS_OF}&days=400",
    f"/lms/plan/departments.csv?as_of={AS_OF}",
]


def _bodies(client, rid: int) -> dict[str, str]:
    out = {}
    for url in [*PAGES, f"/lms/plan/?as_of={AS_OF}&sort=req-{rid}"]:
        response = client.get(url)
        assert response.status_code == 200, url
        # The CSRF token differs per session; nothing else may.
        out[url] = re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True))
    return out


def test_pages_from_the_kept_table_equal_the_evaluated_pages(app, make_staff, runner):
    people, rid = _people_in_every_state(app, make_staff)
    with app.app_context():
        h.requirement(course_id=h.course_id(), position="导医", department="门诊部",
                      due_days_after_hire=10, recertify_months=24)  # fmt: skip
    client = hr_client(app, make_staff)
    evaluated = _bodies(client, rid)
    result = runner.invoke(args=["lms", "plan", "refresh", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    assert "Kept statuses refreshed as of 2026-03-01" in result.output
    with app.app_context():
        assert kept.usable_for(AS_OF) and not kept.usable_for(AS_OF + timedelta(days=1))
    from_table = _bodies(client, rid)
    for url in evaluated:
        assert from_table[url] == evaluated[url], url
    # The kept rows say what decided them.
    with app.app_context():
        why = dict(
            session.execute(
                sa.select(Staff.employee_no, KeptStatus.evidence)
                .join(Staff, Staff.id == KeptStatus.staff_id)
                .where(KeptStatus.requirement_id == rid)
            ).all()
        )
    assert why["P-exempt"] == "exemption" and why["P-certified"] == "certificate"
    assert why["P-overdue"] == "deadline"


def test_refresh_is_idempotent_and_verify_finds_and_repairs_drift(app, make_staff, runner):
    _people_in_every_state(app, make_staff)
    result = runner.invoke(args=["lms", "plan", "verify"])
    assert result.exit_code == 1 and "run `flask lms plan refresh` first" in result.output
    assert runner.invoke(args=["lms", "plan", "refresh", "--as-of", "2026-03-01"]).exit_code == 0
    assert "not a date" in runner.invoke(args=["lms", "plan", "refresh", "--as-of", "x"]).output

    def rows():
        with app.app_context():
            columns = [
                getattr(KeptStatus, c) for c in ("staff_id", "requirement_id", *kept.COMPARED)
            ]
            return session.execute(sa.select(*columns).order_by(*columns[:2])).all()

    first = rows()
    assert len(first) == 8  # eight people on the one requirement
    assert runner.invoke(args=["lms", "plan", "refresh", "--as-of", "2026-03-01"]).exit_code == 0
    assert rows() == first
    result = runner.invoke(args=["lms", "plan", "verify"])
    assert (
        result.exit_code == 0 and "Checked 8 pair(s) as of 2026-03-01: 0 drifted." in result.output
    )
    with app.app_context():  # drift behind the hooks' back: a raw UPDATE and a raw DELETE
        with app.extensions["lms"].db.engine.begin() as connection:
            some = connection.execute(sa.select(KeptStatus.staff_id).limit(2)).scalars().all()
            connection.execute(
                sa.update(KeptStatus).where(KeptStatus.staff_id == some[0]).values(state="exempt")
            )
            connection.execute(sa.delete(KeptStatus).where(KeptStatus.staff_id == some[1]))
    result = runner.invoke(args=["lms", "plan", "verify"])
    assert result.exit_code == 1
    assert "state 'exempt' ≠" in result.output and "missing (expected" in result.output
    assert "2 drifted" in result.output
    result = runner.invoke(args=["lms", "plan", "verify", "--repair"])
    assert result.exit_code == 0 and "Repaired 2 row(s)." in result.output
    assert rows() == first
    assert "0 drifted" in runner.invoke(args=["lms", "plan", "verify"]).output


def test_remind_refreshes_the_kept_statuses(app, make_staff, runner):
    _people_in_every_state(app, make_staff)
    result = runner.invoke(args=["lms", "remind", "--as-of", "2026-03-01"])
    assert "Kept statuses refreshed as of 2026-03-01" in result.output
    with app.app_context():
        assert kept.kept_day() == AS_OF


# Events keep the table in step -----------------------------------------------------------------


def _no_drift() -> None:
    report = kept.verify()
    assert report.as_of is not None
    assert report.clean, [d.describe() for d in report.drift] + report.urgency


def test_events_through_the_real_routes_keep_the_table_in_step(app, make_staff):
    """Exemption, lift, extension, sign-off, requirement create/edit/retire, staff edit, move and
    deactivation, certificate revocation: zero drift after each, as of today."""
    today = None
    trainer = make_staff(("trainer",), employee_no="T-1")
    client = hr_client(app, make_staff)
    with app.app_context():
        today = config.today()
        learner = h.person(employee_no="L-1", department="门诊部", position="导医",
                           hire_date=today - timedelta(days=40))  # fmt: skip
        other = h.person(employee_no="L-2", department="收费处", position="导医",
                         hire_date=today - timedelta(days=5))  # fmt: skip
        req = h.requirement(needs_signoff=True, checklist=list(DEFAULT_CHECKLIST))
        rid, cid = req.id, req.course_id
        kept.refresh()
        session.commit()
        _no_drift()

    def check() -> None:
        with app.app_context():
            _no_drift()

    assert (
        client.post(f"/lms/plan/people/L-1/{rid}/exempt", data={"reason": "外院"}).status_code
        == 302
    )
    check()
    with app.app_context():
        assert session.get(KeptStatus, (learner.id, rid)).state == "exempt"
    assert client.post(f"/lms/plan/people/L-1/{rid}/lift").status_code == 302
    check()
    due = (today + timedelta(days=30)).isoformat()
    response = client.post(
        f"/lms/plan/people/L-1/{rid}/extend", data={"due_on": due, "reason": "病假"}
    )
    assert response.status_code == 302
    check()
    with app.app_context():
        row = session.get(KeptStatus, (learner.id, rid))
        assert (row.due_on.isoformat(), row.extended, row.evidence) == (due, True, "extension")
        passed = h.attempt(learner.id, today, passed=True)
        cert_id = h.certificate(
            learner.id, today, expires_on=today + timedelta(days=365), attempt_id=passed.id
        ).id
        _no_drift()
        assert session.get(KeptStatus, (learner.id, rid)).signoff_needed
    trainer_client = app.test_client()
    from tests.conftest import login

    login(trainer_client, trainer)
    response = trainer_client.post(
        f"/lms/plan/signoffs/{rid}/L-1",
        data={"observed_on": today.isoformat(), "items": DEFAULT_CHECKLIST, "notes": ""},
    )
    assert response.status_code == 302
    check()
    with app.app_context():
        assert session.get(KeptStatus, (learner.id, rid)).state == "certified"
        actor = session.scalar(sa.select(Staff).where(Staff.employee_no == "HR-1"))
        issue.revoke(session.get(h.Certificate, cert_id), actor, "抄袭")
        _no_drift()
        assert session.get(KeptStatus, (learner.id, rid)).state != "certified"
        # A move out of the audience, and back; a deactivation.
        update_staff(session.get(Staff, other.id), {"department": "门诊部"}, actor)
        _no_drift()
        set_active(session.get(Staff, other.id), False, actor)
        _no_drift()
        assert session.get(KeptStatus, (other.id, rid)) is None
        # Lesson views start a course.
        lesson = session.scalar(sa.select(Lesson.id).join(Course).where(Course.id == cid))
        fresh = h.person(employee_no="L-3", hire_date=today)
        _no_drift()
        session.add(LessonProgress(staff_id=fresh.id, lesson_id=lesson, lesson_version=1))
        session.commit()
        _no_drift()
        assert session.get(KeptStatus, (fresh.id, rid)).state == "in_progress"
    # Requirements: edit, create, retire.
    data = {"course_id": cid, "due_days_after_hire": 3, "window_days": 60,
            "needs_signoff": "y", "checklist": "\n".join(DEFAULT_CHECKLIST)}  # fmt: skip
    assert client.post(f"/lms/plan/requirements/{rid}", data=data).status_code == 302
    check()
    data = {"course_id": cid, "department": "收费处", "due_days_after_hire": 9, "window_days": 0}
    assert client.post("/lms/plan/requirements/new", data=data).status_code == 302
    check()
    assert client.post(f"/lms/plan/requirements/{rid}/retire").status_code == 302
    check()
    with app.app_context():
        assert (
            session.scalar(sa.select(sa.func.count()).where(KeptStatus.requirement_id == rid)) == 0
        )


def test_a_graded_quiz_updates_the_kept_status(app, make_staff):
    """The real quiz route: the grade's transaction and the certificate's carry the new status."""
    from tests.conftest import read_lessons

    with app.app_context():
        today = config.today()
    learner = make_staff(employee_no="Q-1", hire_date=today)
    with app.app_context():
        req = h.requirement()
        kept.refresh()
        session.commit()
        assert session.get(KeptStatus, (learner.id, req.id)).state == "not_started"
    client = app.test_client()
    from tests.conftest import login

    login(client, learner)
    read_lessons(app, learner)
    response = client.post("/lms/courses/basics/quiz")
    assert response.status_code in (200, 302)
    with app.app_context():
        _no_drift()
        assert session.get(KeptStatus, (learner.id, req.id)).state == "in_progress"


# The property: any history of events leaves the table equal to the pure function ---------------

EVENTS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "pass",
                "fail",
                "certificate",
                "revoke",
                "exempt",
                "lift",
                "extend",
                "signoff",
                "move",
                "deactivate",
                "reactivate",
                "hire",
                "edit",
                "retire",
                "new",
                "view",
            ]
        ),  # fmt: skip
        st.integers(min_value=0, max_value=2),  # which person
        st.integers(min_value=0, max_value=400),  # days ago
    ),
    min_size=1,
    max_size=12,
)


def _reset(app) -> dict:
    """A fresh cast for one generated history: three people, two requirements, kept as of today."""
    engine = app.extensions["lms"].db.engine
    from lms.db import Base

    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name.startswith(("lms_plan", "lms_certificates", "lms_attempts", "lms_responses",
                                      "lms_lesson_progress", "lms_staff_changes", "lms_audit")):  # fmt: skip
                connection.execute(table.delete())
        connection.execute(sa.delete(Staff).where(Staff.employee_no.like("G-%")))
    today = config.today()
    people = [
        h.person(
            employee_no=f"G-{n}",
            department=("门诊部", "收费处")[n % 2],
            position="导医",
            hire_date=today - timedelta(days=20 * n),
        )  # fmt: skip
        for n in range(3)
    ]
    reqs = [
        h.requirement(recertify_months=12, needs_signoff=True, checklist=["a"]),
        h.requirement(course_id=h.course_id(), department="门诊部", due_days_after_hire=10),
    ]
    kept.refresh()
    session.commit()
    actor = session.scalar(sa.select(Staff).where(Staff.employee_no == "HR-1"))
    return {"people": [p.id for p in people], "reqs": [r.id for r in reqs], "actor": actor}


def _apply(cast: dict, kind: str, who: int, ago: int) -> None:
    today = config.today()
    on = today - timedelta(days=ago)
    staff = session.get(Staff, cast["people"][who])
    req = session.get(Requirement, cast["reqs"][(who + ago) % len(cast["reqs"])])
    actor = cast["actor"]
    try:
        if kind in ("pass", "fail"):
            h.attempt(staff.id, on, passed=kind == "pass")
        elif kind == "certificate":
            h.certificate(staff.id, on, expires_on=on + timedelta(days=365))
        elif kind == "revoke":
            cert = session.scalar(
                sa.select(h.Certificate).where(
                    h.Certificate.staff_id == staff.id, h.Certificate.revoked_at.is_(None)
                )
            )
            if cert is not None:
                issue.revoke(cert, actor, "测试")
        elif kind == "exempt":
            records.grant_exemption(staff, req, "外院", actor)
        elif kind == "lift":
            records.lift_exemption(staff, req, actor)
        elif kind == "extend":
            records.grant_extension(staff, req, today + timedelta(days=ago % 40), "病假", actor)
        elif kind == "signoff" and req.needs_signoff:
            records.record_signoff(staff, req, today - timedelta(days=ago % 30), set(req.checklist),
                                   "", actor)  # fmt: skip
        elif kind == "move":
            new = "收费处" if staff.department == "门诊部" else "门诊部"
            update_staff(staff, {"department": new}, actor)
        elif kind in ("deactivate", "reactivate"):
            set_active(staff, kind == "reactivate", actor)
        elif kind == "hire":
            update_staff(staff, {"hire_date": on}, actor)
        elif kind == "edit" and req.retired_at is None:
            values = requirements.snapshot(req) | {"due_days_after_hire": ago % 60 + 1,
                                                   "due_date": None, "starts_on": None}  # fmt: skip
            requirements.update_requirement(req, values, actor)
        elif kind == "retire":
            requirements.retire_requirement(req, actor)
        elif kind == "new":
            values = {"course_id": h.course_id(), "position": "导医", "due_days_after_hire": ago % 90,
                      "window_days": 30, "recertify_months": 6}  # fmt: skip
            cast["reqs"].append(requirements.create_requirement(values, actor).id)
        elif kind == "view":
            lesson = session.scalar(sa.select(Lesson.id).limit(1))
            seen = sa.select(LessonProgress.id).where(
                LessonProgress.staff_id == staff.id, LessonProgress.lesson_id == lesson
            )
            if session.scalar(seen) is None:
                session.add(
                    LessonProgress(
                        staff_id=staff.id,
                        lesson_id=lesson,
                        lesson_version=1,
                        first_viewed_at=h.at(on),
                        last_viewed_at=h.at(on),
                    )
                )
                session.commit()
    except (records.RecordRefused, requirements.RequirementInvalid, issue.CertificateRefused):
        session.rollback()


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=EVENTS)
def test_property_any_history_leaves_no_drift(app, make_staff, history):
    with app.app_context():
        if session.scalar(sa.select(Staff.id).where(Staff.employee_no == "HR-1")) is None:
            make_staff(("hr",), employee_no="HR-1")
    with app.app_context():
        cast = _reset(app)
        for kind, who, ago in history:
            _apply(cast, kind, who, ago)
            session.expire_all()
            _no_drift()


# Index use on the list queries -----------------------------------------------------------------


def _plan(app, stmt) -> str:
    """The database's plan for ``stmt``, as one text."""
    engine = app.extensions["lms"].db.engine
    compiled = stmt.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
            return "\n".join(str(r[-1]) for r in rows)
        connection.exec_driver_sql("SET enable_seqscan = off")  # tiny tables: ask if it can
        rows = connection.exec_driver_sql(f"EXPLAIN {compiled}").all()
        return "\n".join(r[0] for r in rows)


def test_list_queries_use_the_kept_tables_indexes(app, make_staff):
    """The page queries as the pages run them (with their LIMIT)."""
    _people_in_every_state(app, make_staff)
    with app.app_context():
        kept.refresh(AS_OF)
        session.commit()
        query = reports.MatrixQuery(status="overdue", as_of=AS_OF)
        checks = {
            "status filter": (
                reports._kept_select(query).limit(50),
                "ix_lms_plan_statuses_state_staff",
            ),
            "urgency sort": (
                reports._kept_select(reports.MatrixQuery(sort="urgency", as_of=AS_OF)).limit(50),
                "ix_lms_plan_person_urgency_sort",
            ),
            "overdue": (
                reports._with_people(reports._kept_items("overdue", AS_OF, None, None, None)).limit(
                    100
                ),
                "ix_lms_plan_statuses_late_due",
            ),
            "expiring": (
                reports._with_people(reports._kept_items("expiring", AS_OF, 60, None, None)).limit(
                    100
                ),
                "ix_lms_plan_statuses_state_expires",
            ),
            "chart": (
                sa.select(KeptStatus.department, KeptStatus.state, sa.func.count()).group_by(
                    KeptStatus.department, KeptStatus.state
                ),
                "ix_lms_plan_statuses_department_state",
            ),
        }
        for name, (stmt, index) in checks.items():
            plan = _plan(app, stmt)
            assert index in plan, (name, plan)


# Streaming -------------------------------------------------------------------------------------


def test_exports_stream_from_the_kept_table(app, make_staff):
    from openpyxl import load_workbook

    _people_in_every_state(app, make_staff)
    with app.app_context():
        kept.refresh(AS_OF)
        session.commit()
    client = hr_client(app, make_staff)
    response = client.get(f"/lms/plan/matrix.xlsx?as_of={AS_OF}&sort=urgency")
    assert response.is_streamed
    chunks = list(response.response)
    response.close()
    assert len(chunks) > 1 and chunks[0].startswith(b"PK")
    book = load_workbook(BytesIO(b"".join(chunks)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    assert rows[0][:2] == ("工号", "姓名")
    # Most urgent first: overdue since 2000 (HR-1 has no hire date), since February, expired.
    assert [r[0] for r in rows[1:4]] == ["HR-1", "P-overdue", "P-expired"]
    assert rows[2][1] == "'=HYPERLINK(overdue)"  # neutralised
    # A response never read leaves nothing behind (no context pushed, no connection held).
    client.get(f"/lms/plan/overdue.xlsx?as_of={AS_OF}")
    assert client.get(f"/lms/plan/overdue.csv?as_of={AS_OF}").status_code == 200


def test_xlsx_stream_memory_is_flat_in_the_number_of_rows():
    def peak(rows: int) -> int:
        def body():
            for n in range(rows):
                yield [f"S{n:06d}", f"员工{n}", "门诊部", "导医", date(2024, 1, 1)] + [
                    "已认证",
                    date(2026, 5, 1),
                ] * 6

        tracemalloc.start()
        size = sum(len(c) for c in xlsx.stream(["工号"] * 17, body(), "m"))
        result = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert size > 0
        return result

    small, large = peak(2_000), peak(20_000)
    assert large < small * 1.5 + 256 * 1024, (small, large)


def test_statement_counts_from_the_kept_table_do_not_grow_with_staff(app, make_staff):
    _people_in_every_state(app, make_staff)
    client = hr_client(app, make_staff)
    urls = [
        f"/lms/plan/?as_of={AS_OF}&status=overdue",
        f"/lms/plan/?as_of={AS_OF}&sort=urgency",
        f"/lms/plan/overdue?as_of={AS_OF}",
        f"/lms/plan/expiring?as_of={AS_OF}&days=400",
        f"/lms/plan/departments?as_of={AS_OF}",
        f"/lms/plan/matrix.xlsx?as_of={AS_OF}",
        f"/lms/plan/overdue.csv?as_of={AS_OF}",
    ]
    with app.app_context():
        kept.refresh(AS_OF)
        session.commit()
    small = [h.statements(app, client, url) for url in urls]
    with app.app_context():
        h.bulk_staff(300)
        kept.refresh(AS_OF)
        session.commit()
    large = [h.statements(app, client, url) for url in urls]
    assert small == large, (small, large)


def test_xlsx_stream_escapes_cleans_and_keeps_edge_spaces():
    from openpyxl import load_workbook

    from lms.plan.exports import neutralise

    rows = [[" x ", "a&b<c>\x01d", date(2026, 3, 1), 7, None, "=1+1"]] * 3
    data = b"".join(xlsx.stream(["甲", "乙", "丙", "丁", "戊", "己"], rows, "t", text=neutralise))
    book = load_workbook(BytesIO(data), read_only=True)
    got = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    assert got[0] == ("甲", "乙", "丙", "丁", "戊", "己")
    assert got[1][:2] == (" x ", "a&b<c>d") and got[1][2].date() == date(2026, 3, 1)
    assert got[1][3] == 7 and got[1][4] is None and got[1][5] == "'=1+1"
    assert got[3] == got[1]  # the cached cells are the same cells


def _sheet_cells(data: bytes) -> list[list[str]]:
    """An XLSX export's cells as the CSV writes them (ISO dates, numbers as text, "" for empty)."""
    from openpyxl import load_workbook

    book = load_workbook(BytesIO(data), read_only=True)
    rows = [
        ["" if v is None else v.date().isoformat() if hasattr(v, "date") else str(v) for v in row]
        for row in book.worksheets[0].iter_rows(values_only=True)
    ]
    book.close()
    return rows


def _csv_cells(data: bytes) -> list[list[str]]:
    import csv

    return list(csv.reader(data.decode("utf-8-sig").splitlines()))


def test_exports_from_sql_rows_match_the_evaluated_exports_and_the_csv(app, make_staff):
    """The exports write rows straight from the SQL tuples (kept statuses) with per-table cell
    writers: the same cells as the evaluated path, and as the CSV of the same table."""
    from tests.test_plan_views import make_person

    _people_in_every_state(app, make_staff)
    make_person(app, employee_no="P-risky", name="@SUM(A1)", department="+危险部门",
                position="-导医", hire_date=AS_OF - timedelta(days=400), manager_no="P-overdue",
                email="=cmd@example.org")  # fmt: skip
    client = hr_client(app, make_staff)
    urls = [
        f"/lms/plan/matrix.{{}}?as_of={AS_OF}",
        f"/lms/plan/matrix.{{}}?as_of={AS_OF}&sort=-urgency&department=门诊部",
        f"/lms/plan/overdue.{{}}?as_of={AS_OF}",
        f"/lms/plan/expiring.{{}}?as_of={AS_OF}&days=400",
    ]

    def exports() -> list[tuple[list[list[str]], list[list[str]]]]:
        out = []
        for url in urls:
            sheet = client.get(url.format("xlsx"))
            text = client.get(url.format("csv"))
            assert sheet.status_code == text.status_code == 200
            out.append((_sheet_cells(sheet.get_data()), _csv_cells(text.get_data())))
        return out

    evaluated = exports()  # nothing kept yet: the status function over everyone
    with app.app_context():
        kept.refresh(AS_OF)
        session.commit()
        assert kept.usable_for(AS_OF)
    from_kept = exports()
    assert from_kept == evaluated
    for sheet, text in from_kept:
        assert sheet == text and len(sheet) > 1
    matrix, overdue, expiring = from_kept[0][0], from_kept[2][0], from_kept[3][0]
    risky = next(r for r in matrix if r[0] == "P-risky")
    assert risky[1:4] == ["'@SUM(A1)", "'+危险部门", "'-导医"]
    late = {r[0]: r for r in overdue[1:]}
    assert late["P-overdue"][1] == "'=HYPERLINK(overdue)" and late["P-overdue"][-2] == (
        "员工certified(P-certified)"
    )
    assert overdue[0][-3:] == ["逾期天数", "上级", "邮箱"] and int(late["P-overdue"][-3]) > 0
    assert "P-expiring" in {r[0] for r in expiring[1:]}


def test_cells_keep_texts_dates_and_numbers_apart():
    from lms.plan.exports import neutralise

    cells = xlsx.Cells(neutralise)
    assert cells.texts["1"] != cells.numbers[1] == "<c><v>1</v></c>"
    assert cells.dates["2026-03-01"] == cells.dates[date(2026, 3, 1)] != cells.texts["2026-03-01"]
    assert (
        cells.texts[None] == cells.unique("") == cells.dates[None] == cells.numbers[None] == "<c/>"
    )
    assert (
        cells.unique("a&b<c>\x01")
        == cells.texts["a&b<c>\x01"]
        == ('<c t="inlineStr"><is><t>a&amp;b&lt;c&gt;</t></is></c>')
    )
    assert "<t>'=1+1</t>" in cells.unique("=1+1") and "<t>'@x</t>" in cells.texts["@x"]
    assert 'xml:space="preserve"' in cells.unique(" 空格 ")


_CELL_TEXT = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from(list("ab 张\n\t\r=+-@&<>\x01\ufffe")), max_size=6),
)


@given(st.lists(_CELL_TEXT, max_size=4))
def test_texts_side_by_side_are_the_cells_one_by_one(values):
    """``Cells.uniques`` decides with one search for several texts; whatever they hold (formula
    starts, spaces at the ends, characters to escape or drop, empty ones), its cells are those
    ``unique`` writes one by one."""
    from lms.plan.exports import FORMULA_STARTS, neutralise

    cells = xlsx.Cells(neutralise, "".join(FORMULA_STARTS))
    assert cells.uniques(*values) == "".join(cells.unique(v) for v in values)


def test_only_the_lms_sessions_are_hooked_not_every_sqlalchemy_session(app):
    """A plugin touches only what is its own: a host's other sessions carry no LMS listener."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from lms.plan import kept

    assert not event.contains(Session, "after_flush", kept._after_flush)
    assert not event.contains(Session, "before_commit", kept._before_commit)
    assert event.contains(app.extensions["lms"].db.session, "before_commit", kept._before_commit)


def _numbers(up_to: int) -> sa.Select:
    n = sa.select(sa.literal(1).label("i")).cte("n", recursive=True)
    n = n.union_all(sa.select(n.c.i + 1).where(n.c.i < up_to))
    return sa.select(n.c.i)


def _readers() -> list:
    import threading

    return [t for t in threading.enumerate() if t.name == "lms-export-rows"]


def test_rows_read_ahead_arrive_whole_and_in_order(app):
    """Exports read their rows in batches — from a database server on a thread a few batches
    ahead —; the caller gets every row in the statement's order, and no reader is left after."""
    with app.app_context():
        assert [row[0] for row in reports.streamed(_numbers(3500))] == list(range(1, 3501))
    assert not _readers()


def test_a_download_stopped_half_way_stops_its_reader(app):
    """A client that goes away mid-download closes the body: the reading stops (the reader
    thread ends, on a server) and its connection goes back to the pool at once, however many
    rows were still to come."""
    with app.app_context():
        engine = app.extensions["lms"].db.engine
        pool = {"out": 0, "in": 0}
        sa.event.listen(engine, "checkout", lambda *a: pool.__setitem__("out", pool["out"] + 1))
        sa.event.listen(engine, "checkin", lambda *a: pool.__setitem__("in", pool["in"] + 1))
        rows = reports.streamed(_numbers(50_000))
        first = [next(rows)[0] for _ in range(10)]
        assert first == list(range(1, 11))
        assert bool(_readers()) == (engine.dialect.name != "sqlite")
        rows.close()
        assert not _readers()
        assert pool == {"out": 1, "in": 1}


def test_a_failing_statement_fails_the_caller_not_a_thread(app):
    with app.app_context():
        broken = sa.select(sa.column("no_such_column")).select_from(sa.table("lms_staff"))
        with pytest.raises(sa.exc.DBAPIError):
            list(reports.streamed(broken))
    assert not _readers()


def test_the_writers_spaces_are_every_character_python_calls_a_space():
    """A text ending in any such character needs ``xml:space="preserve"``: the set the writer
    checks the ends of texts against is the whole of ``str.isspace``."""
    import sys

    assert set(xlsx._SPACES) == {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()}
