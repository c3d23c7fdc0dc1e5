"""HR and trainer plan pages through the real routes: requirements, matrix, lists, chart, records."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from lms.audit.models import AuditEntry
from lms.auth.models import Staff
from lms.certificates.models import Certificate
from lms.db import session
from lms.plan import config
from lms.plan.models import Exemption, Extension, Requirement, Signoff
from tests import plan_helpers as h
from tests.conftest import login, read_lessons, set_completion
from tests.english import english  # noqa: F401 - a fixture

AS_OF = date(2026, 3, 1)
HIRED = date(2026, 1, 5)  # onboarding due 2026-02-04: overdue on AS_OF


@pytest.fixture(autouse=True)
def beijing(app):
    app.config["LMS_CERT_TIMEZONE"] = "Asia/Shanghai"


def make_person(app, **fields) -> Staff:
    with app.app_context():
        return h.person(**fields)


def hr_client(app, make_staff):
    client = app.test_client()
    login(client, make_staff(("hr",), employee_no="HR-1", name="张人事"))
    return client


def html(response) -> str:
    return response.get_data(as_text=True)


def test_hr_adds_changes_and_retires_a_requirement_and_it_is_audited(app, make_staff):
    client = hr_client(app, make_staff)
    with app.app_context():
        cid = h.course_id()
    response = client.post(
        "/lms/plan/requirements/new",
        data={"course_id": cid, "window_days": 60, "department": "门诊部"},
    )
    assert response.status_code == 400
    assert "请填写入职后天数或固定截止日期" in html(response)
    response = client.post(
        "/lms/plan/requirements/new",
        data={
            "course_id": cid,
            "department": "门诊部",
            "due_days_after_hire": 30,
            "window_days": 60,
            "recertify_months": 12,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        req = session.scalar(sa.select(Requirement))
        assert (req.department, req.position, req.recertify_months) == ("门诊部", None, 12)
        assert req.starts_on == config.today()
        rid = req.id
    # The same course for the same audience twice is refused.
    response = client.post(
        "/lms/plan/requirements/new",
        data={"course_id": cid, "department": "门诊部", "due_days_after_hire": 7, "window_days": 0},
    )
    assert response.status_code == 400 and "已有一条在用的要求" in html(response)
    response = client.post(
        f"/lms/plan/requirements/{rid}",
        data={
            "course_id": cid,
            "department": "门诊部",
            "due_days_after_hire": 45,
            "window_days": 30,
            "recertify_months": 12,
        },
    )
    assert response.status_code == 302
    page = html(client.get(f"/lms/plan/requirements/{rid}"))
    assert "due_days_after_hire" in page and "30 → 45" in page
    assert client.post(f"/lms/plan/requirements/{rid}/retire").status_code == 302
    with app.app_context():
        req = session.get(Requirement, rid)
        assert req.retired_at is not None and req.due_days_after_hire == 45
        actions = list(session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))
        assert actions == [
            "plan.requirement.create",
            "plan.requirement.update",
            "plan.requirement.retire",
        ]
        update = session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "plan.requirement.update")
        )
        assert update.details["changes"]["due_days_after_hire"] == [30, 45]
    # Retired: still listed, never deleted, no longer editable.
    assert "已停用" in html(client.get("/lms/plan/requirements"))
    response = client.post(
        f"/lms/plan/requirements/{rid}",
        data={"course_id": cid, "due_days_after_hire": 10, "window_days": 0},
    )
    assert response.status_code == 400 and "已停用的要求不能修改" in html(response)
    assert not any(r.endpoint.endswith("delete") for r in app.url_map.iter_rules())


def test_changing_a_requirement_recomputes_but_never_rewrites_history(app, make_staff):
    client = hr_client(app, make_staff)
    person = make_person(app, employee_no="N001", department="门诊部", hire_date=HIRED)
    with app.app_context():
        req = h.requirement()
        h.certificate(person.id, date(2025, 1, 10), expires_on=date(2027, 1, 10))
        rid, cid = req.id, req.course_id
    matrix = html(client.get(f"/lms/plan/?as_of={AS_OF}"))
    assert 'class="st st-certified"' in matrix
    client.post(
        f"/lms/plan/requirements/{rid}",
        data={
            "course_id": cid,
            "due_days_after_hire": 30,
            "window_days": 60,
            "recertify_months": 12,
        },
    )
    matrix = html(client.get(f"/lms/plan/?as_of={AS_OF}"))
    assert 'class="st st-expired"' in matrix and 'class="st st-certified"' not in matrix
    with app.app_context():
        cert = session.scalar(sa.select(Certificate))
        assert (cert.issued_on, cert.expires_on) == (date(2025, 1, 10), date(2027, 1, 10))


def _people_in_every_state(app, make_staff):
    """One person per state on one requirement (as of AS_OF)."""
    people = {}
    for key, dept in [
        ("overdue", "门诊部"),
        ("due_soon", "门诊部"),
        ("not_started", "收费处"),
        ("in_progress", "收费处"),
        ("certified", "门诊部"),
        ("expiring", "收费处"),
        ("expired", "门诊部"),
        ("exempt", "收费处"),
    ]:
        hired = {"due_soon": AS_OF - timedelta(days=25), "not_started": AS_OF, "in_progress": AS_OF}
        people[key] = make_person(
            app,
            employee_no=f"P-{key}",
            name=f"=HYPERLINK({key})" if key == "overdue" else f"员工{key}",
            department=dept,
            position="导医",
            hire_date=hired.get(key, HIRED),
            manager_no="P-certified",
            email=f"{key}@example.org",
        )
    with app.app_context():
        req = h.requirement(recertify_months=12, window_days=60)
        h.attempt(people["in_progress"].id, AS_OF, passed=False)
        h.certificate(people["certified"].id, date(2026, 2, 1))
        h.certificate(people["expiring"].id, date(2025, 4, 1))
        h.certificate(people["expired"].id, date(2025, 2, 1))
        session.add(
            Exemption(
                staff_id=people["exempt"].id,
                requirement_id=req.id,
                reason="外院同等证书",
                granted_on=date(2026, 2, 1),
            )
        )
        session.commit()
        rid = req.id
    return people, rid


def test_matrix_colours_filters_sorts_and_pages(app, make_staff):
    people, rid = _people_in_every_state(app, make_staff)
    client = hr_client(app, make_staff)
    page = html(client.get(f"/lms/plan/?as_of={AS_OF}"))
    for state in (
        "overdue", "due_soon", "not_started", "in_progress", "certified", "expiring_soon",
        "expired", "exempt",
    ):  # fmt: skip
        assert f'class="st st-{state}"' in page, state
    # Filter by department and by status.
    page = html(client.get(f"/lms/plan/?as_of={AS_OF}&department=收费处"))
    assert "P-not_started" in page and "P-overdue" not in page
    page = html(client.get(f"/lms/plan/?as_of={AS_OF}&status=overdue"))
    assert "P-overdue" in page and "P-certified" not in page
    # Sort by the requirement's status: the most urgent first.
    page = html(client.get(f"/lms/plan/?as_of={AS_OF}&sort=req-{rid}"))
    order = re.findall(r">P-(\w+)</a>", page)
    assert order[:3] == ["overdue", "expired", "due_soon"]
    page = html(client.get(f"/lms/plan/?as_of={AS_OF}&sort=-name"))
    order = re.findall(r">P-(\w+)</a>", page)
    assert (order[0], order[-1]) == ("not_started", "overdue")  # "员工n…" > "员工c…" > "=…"
    # Paging: 3 per page.
    first = html(client.get(f"/lms/plan/?as_of={AS_OF}&per_page=3"))
    second = html(client.get(f"/lms/plan/?as_of={AS_OF}&per_page=3&page=2"))
    assert len(re.findall(r'href="/lms/plan/people/', first)) == 3 and "第 2 / 3 页" in second
    assert "HR-1" in html(client.get(f"/lms/plan/?as_of={AS_OF}&per_page=3&page=1"))


def test_overdue_and_expiring_lists(app, make_staff):
    _people_in_every_state(app, make_staff)
    client = hr_client(app, make_staff)
    page = html(client.get(f"/lms/plan/overdue?as_of={AS_OF}"))
    assert "P-overdue" in page and "P-expired" in page and "P-due_soon" not in page
    assert "员工certified" in page  # the manager's name
    page = html(client.get(f"/lms/plan/expiring?as_of={AS_OF}&days=60"))
    assert "P-expiring" in page and "P-certified" not in page
    page = html(client.get(f"/lms/plan/expiring?as_of={AS_OF}&days=400"))
    assert "P-expiring" in page and "P-certified" in page


def test_exports_neutralise_formula_cells(app, make_staff):
    from io import BytesIO

    from openpyxl import load_workbook

    _people_in_every_state(app, make_staff)
    client = hr_client(app, make_staff)
    for endpoint in ("matrix", "overdue"):
        response = client.get(f"/lms/plan/{endpoint}.csv?as_of={AS_OF}")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].endswith(f"{AS_OF}.csv")
        text = response.get_data().decode("utf-8-sig")
        assert "'=HYPERLINK(overdue)" in text
        assert not re.search(r"(^|,)[=+\-@]", text, re.M)
        response = client.get(f"/lms/plan/{endpoint}.xlsx?as_of={AS_OF}")
        assert response.mimetype.endswith("spreadsheetml.sheet")
        book = load_workbook(BytesIO(response.get_data()), read_only=True)
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        book.close()
        cells = [c for row in rows for c in row if isinstance(c, str)]
        assert "'=HYPERLINK(overdue)" in cells
        assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
        if endpoint == "overdue":
            # HR-1 has no hire date: due 30 days after the requirement started (2000-01-01).
            assert rows[0][:2] == ("工号", "姓名")
            assert [r[0] for r in rows[1:]] == ["HR-1", "P-expired", "P-overdue"]
    response = client.get(f"/lms/plan/expiring.xlsx?as_of={AS_OF}&days=60")
    assert response.status_code == 200
    response = client.get(f"/lms/plan/departments.csv?as_of={AS_OF}")
    text = response.get_data().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("部门,人数,要求项,已完成,完成率(%)")
    assert "门诊部" in text and "收费处" in text


def test_department_chart_is_a_real_svg(app, make_staff):
    _people_in_every_state(app, make_staff)
    client = hr_client(app, make_staff)
    page = html(client.get(f"/lms/plan/departments?as_of={AS_OF}"))
    assert "<svg" in page and "各部门培训完成率" in page
    response = client.get(f"/lms/plan/departments.svg?as_of={AS_OF}")
    assert response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.get_data(as_text=True))
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "门诊部" in texts and "收费处" in texts and "HR" not in texts
    assert len(list(root.iter(f"{ns}rect"))) > 8
    # 门诊部: certified 1 of (overdue, due soon, certified, expired) → 25%.
    assert "25%" in texts


def test_exemption_and_extensions_are_rows_not_overwrites(app, make_staff):
    client = hr_client(app, make_staff)
    person = make_person(app, employee_no="N001", department="门诊部", hire_date=HIRED)
    with app.app_context():
        rid = h.requirement().id
    url = f"/lms/plan/people/N001/{rid}"
    response = client.post(f"{url}/exempt", data={"reason": "  "})
    assert response.status_code == 302
    assert "豁免需要填写原因" in html(client.get("/lms/plan/people/N001"))
    with app.app_context():
        today = config.today()
        assert session.scalar(sa.select(sa.func.count(Exemption.id))) == 0
    first, second = today + timedelta(days=10), today + timedelta(days=20)
    client.post(f"{url}/extend", data={"due_on": first.isoformat(), "reason": "病假"})
    client.post(f"{url}/extend", data={"due_on": second.isoformat(), "reason": "病假延长"})
    page = html(client.get("/lms/plan/people/N001"))
    assert f"截止 {second}(已延期)" in page
    assert "病假延长" in page and "延至 " + first.isoformat() in page
    client.post(f"{url}/exempt", data={"reason": "外院同等证书"})
    assert "豁免原因：外院同等证书" in html(client.get("/lms/plan/people/N001"))
    client.post(f"{url}/lift")
    with app.app_context():
        assert [e.due_on for e in session.scalars(sa.select(Extension))] == [first, second]
        exemption = session.scalar(sa.select(Exemption))
        assert exemption.revoked_on == today and exemption.reason == "外院同等证书"
        actions = set(session.scalars(sa.select(AuditEntry.action)))
        assert {"plan.extension.grant", "plan.exemption.grant", "plan.exemption.lift"} <= actions
    assert person.employee_no == "N001"


def test_trainer_signoff_completes_certification(app, make_staff):
    trainer = make_staff(("trainer",), employee_no="T-1", name="王培训")
    person = make_staff(employee_no="N001", department="门诊部", hire_date=HIRED)
    with app.app_context():
        req = h.requirement(needs_signoff=True, checklist=["八齿微笑", "起身接待"])
        rid = req.id
        h.attempt(person.id, config.today(), passed=True)
    client = app.test_client()
    login(client, trainer)
    page = html(client.get(f"/lms/plan/signoffs?requirement={rid}"))
    assert "N001" in page and "待签核" in page
    url = f"/lms/plan/signoffs/{rid}/N001"
    today = date.today()
    response = client.post(
        url, data={"observed_on": today.isoformat(), "items": ["八齿微笑"], "notes": "未起身"}
    )
    assert response.status_code == 302
    response = client.post(
        url,
        data={"observed_on": (today + timedelta(days=3)).isoformat(), "items": ["八齿微笑"]},
    )
    assert response.status_code == 400 and "观察日期不能晚于今天" in html(response)
    client.post(url, data={"observed_on": today.isoformat(), "items": ["八齿微笑", "起身接待"]})
    with app.app_context():
        rows = list(session.scalars(sa.select(Signoff).order_by(Signoff.id)))
        assert [r.passed for r in rows] == [False, True]
        assert rows[0].items == {"八齿微笑": True, "起身接待": False}
        assert rows[0].observer_id == trainer.id and rows[0].notes == "未起身"
    learner = app.test_client()
    login(learner, person)
    assert "已认证" in html(learner.get("/lms/"))


def test_my_plan_on_the_dashboard_is_ordered_by_urgency(app, content_dir, make_staff):
    set_completion(app, content_dir, "")  # the default rule: both lessons before the quiz
    person = make_staff(employee_no="N001", department="门诊部", hire_date=date(2020, 1, 1))
    read_lessons(app, person)
    with app.app_context():
        # The quiz is passed, but the first also needs a sign-off: overdue; the second holds.
        h.requirement(due_date=date(2020, 3, 1), needs_signoff=True, checklist=["微笑"])
        h.requirement(department="门诊部", recertify_months=120)
        h.certificate(person.id, config.today() - timedelta(days=5))
        h.requirement(position="护士")  # not for this person
    client = app.test_client()
    login(client, person)
    page = html(client.get("/lms/"))
    assert "我的培训计划" in page
    labels = re.findall(r'class="plan-badge st-(\w+)"', page)
    assert labels == ["overdue", "certified"]
    assert "截止 2020-03-01" in page and '<progress class="progress" max="4" value="3"' in page
    assert "3 / 3 步" in page and "3 / 4 步" in page  # 2 lessons + quiz (+ sign-off)
    assert "2 / 2 课" in page


def test_plan_steps_count_only_lessons_read_even_when_certified(app, content_dir, make_staff):
    """A certificate from before the completion rule (2 of 6 read) no longer shows every step."""
    set_completion(app, content_dir, "")
    person = make_staff(employee_no="N002", department="门诊部", hire_date=date(2020, 1, 1))
    with app.app_context():
        h.requirement(department="门诊部", recertify_months=120)
        h.certificate(person.id, config.today() - timedelta(days=5))
    client = app.test_client()
    login(client, person)
    page = html(client.get("/lms/"))
    assert re.findall(r'class="plan-badge st-(\w+)"', page) == ["certified"]
    assert "1 / 3 步" in page and "0 / 2 课" in page  # the quiz only: no lesson was read
    client.post("/lms/courses/basics/greeting/complete")
    page = html(client.get("/lms/"))
    assert "2 / 3 步" in page and "1 / 2 课" in page
    # A rule asking for one lesson: one lesson step, and it is done.
    set_completion(app, content_dir, "  lessons: 1\n")
    assert "2 / 2 步" in html(client.get("/lms/"))


def test_learners_see_only_their_own_plan_and_trainers_no_matrix(app, make_staff):
    me = make_staff(employee_no="N001")
    make_person(app, employee_no="N002")
    trainer = make_staff(("trainer",))
    client = app.test_client()
    login(client, me)
    assert client.get("/lms/plan/people/N001").status_code == 200
    assert client.get("/lms/plan/people/N002").status_code == 403
    assert client.get("/lms/plan/").status_code == 403
    assert client.get("/lms/plan/matrix.xlsx").status_code == 403
    other = app.test_client()
    login(other, trainer)
    assert other.get("/lms/plan/signoffs").status_code == 200
    assert other.get("/lms/plan/overdue").status_code == 403
    assert other.post("/lms/plan/people/N001/1/exempt", data={"reason": "x"}).status_code == 403


def _histories(app, first: int, last: int, rule_ids: list[int]) -> None:
    """Certificates, attempts, sign-offs, exemptions, extensions and moves for people B<first…last>."""
    from lms.quizzes.models import Attempt
    from lms.staff.models import StaffChange

    with app.app_context():
        ids = list(
            session.scalars(
                sa.select(Staff.id).where(
                    Staff.employee_no.between(f"B{first:05d}", f"B{last:05d}")
                )
            )
        )
        cid = h.course_id()
        rows = {Certificate: [], Attempt: [], Signoff: [], Exemption: [], Extension: []}
        rows[StaffChange] = []
        for n, sid in enumerate(ids):
            rows[Attempt].append(
                {
                    "staff_id": sid,
                    "course_id": cid,
                    "seed": 1,
                    "status": "graded",
                    "passed": n % 2 == 0,
                    "score": 80.0,
                    "graded_at": h.at(date(2025, 6, 1)),
                    "started_at": h.at(date(2025, 6, 1)),
                }  # fmt: skip
            )
            if n % 3 == 0:
                rows[Certificate].append(
                    {
                        "serial": f"S{sid:08d}",
                        "staff_id": sid,
                        "course_id": cid,
                        "cycle": 1,
                        "issued_on": date(2025, 6, 1),
                        "snapshot": {},
                    }  # fmt: skip
                )
            rid = rule_ids[n % len(rule_ids)]
            rows[Signoff].append(
                {
                    "staff_id": sid,
                    "requirement_id": rid,
                    "observed_on": date(2025, 6, 2),
                    "passed": True,
                    "items": {},
                }  # fmt: skip
            )
            if n % 5 == 0:
                rows[Exemption].append(
                    {
                        "staff_id": sid,
                        "requirement_id": rid,
                        "reason": "x",
                        "granted_on": date(2025, 1, 1),
                    }  # fmt: skip
                )
            if n % 7 == 0:
                rows[Extension].append(
                    {
                        "staff_id": sid,
                        "requirement_id": rid,
                        "reason": "x",
                        "granted_on": date(2026, 2, 1),
                        "due_on": date(2026, 4, 1),
                    }  # fmt: skip
                )
                rows[StaffChange].append(
                    {
                        "staff_id": sid,
                        "field": "department",
                        "old": "收费处",
                        "new": "门诊部",
                        "changed_at": h.at(date(2026, 1, 20)),
                        "source": "import",
                    }  # fmt: skip
                )
        for model, values in rows.items():
            if values:
                session.execute(sa.insert(model), values)
        session.commit()


def test_matrix_statement_count_does_not_grow_with_people(app, make_staff):
    client = hr_client(app, make_staff)
    with app.app_context():
        rule_ids = [
            h.requirement().id,
            h.requirement(department="门诊部", needs_signoff=True, checklist=["微笑"]).id,
            h.requirement(position="导医", due_date=date(2026, 6, 30), recertify_months=12).id,
        ]
        h.bulk_staff(10)
    _histories(app, 1, 10, rule_ids)
    urls = [
        f"/lms/plan/?as_of={AS_OF}&per_page=1000",
        f"/lms/plan/?as_of={AS_OF}&per_page=1000&status=overdue&sort=urgency",
        f"/lms/plan/?as_of={AS_OF}&per_page=1000&department=门诊部&sort=-department",
        f"/lms/plan/overdue?as_of={AS_OF}",
        f"/lms/plan/matrix.xlsx?as_of={AS_OF}",
    ]
    small = [h.statements(app, client, url) for url in urls]
    small_page = html(client.get(urls[0]))
    with app.app_context():
        session.execute(
            sa.insert(Staff),
            [
                {
                    "employee_no": f"B{n:05d}",
                    "name": f"批量{n}",
                    "position": "导医",
                    "department": "门诊部" if n % 2 else "收费处",
                    "hire_date": HIRED,
                    "active": True,
                    "source": "local",
                }  # fmt: skip
                for n in range(11, 1001)
            ],
        )
        session.commit()
    _histories(app, 11, 1000, rule_ids)
    large = [h.statements(app, client, url) for url in urls]
    assert large == small, list(zip(urls, small, large, strict=True))
    large_page = html(client.get(urls[0]))
    assert large_page.count("<tr>") > 10 * small_page.count("<tr>") > 0
    assert all(n < 20 for n in small), small


def test_no_self_signoff_and_no_ancient_observation_dates(app, make_staff):
    """Issue 17 item 13: a trainer cannot sign off their own practical; dates are bounded."""
    trainer = make_staff(("trainer", "learner"), employee_no="T-1", department="门诊部")
    other = make_staff(("trainer",), employee_no="T-2")
    with app.app_context():
        rid = h.requirement(needs_signoff=True, checklist=["八齿微笑"]).id
    client = app.test_client()
    login(client, trainer)
    today = date.today().isoformat()
    own = client.post(
        f"/lms/plan/signoffs/{rid}/T-1", data={"observed_on": today, "items": ["八齿微笑"]}
    )
    assert own.status_code == 400 and "不能为自己签核实操" in html(own)
    other_client = app.test_client()
    login(other_client, other)
    ancient = other_client.post(
        f"/lms/plan/signoffs/{rid}/T-1", data={"observed_on": "2001-01-01", "items": ["八齿微笑"]}
    )
    assert ancient.status_code == 400 and "观察日期不能早于" in html(ancient)
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Signoff.id))) == 0
    app.config["LMS_PLAN_SELF_SIGNOFF"] = True  # a tiny team may allow it; the audit says so
    own = client.post(
        f"/lms/plan/signoffs/{rid}/T-1", data={"observed_on": today, "items": ["八齿微笑"]}
    )
    assert own.status_code == 302
    with app.app_context():
        entry = session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "plan.signoff.record")
        )
        assert entry.details["self_signoff"] is True


# --- Extreme dates: any stored date, and no typed one outside 1901-2199 ---------------------------

FAR = date(9999, 12, 31)
EARLY = date(1, 1, 1)


def test_people_stored_with_extreme_dates_leave_every_page_working(app, make_staff):
    """A hire date of 9999-12-31 (once importable) made the plan, its exports and the staff and
    sign-off pages answer 500: status arithmetic past the calendar's end now clamps."""
    with app.app_context():
        onboarding = h.requirement(needs_signoff=True, checklist=["八齿微笑"], recertify_months=120)
        fixed = h.requirement(due_date=FAR, due_days_after_hire=3650, recertify_months=120)
        h.person(employee_no="FAR-1", hire_date=FAR, department="门诊部")
        early = h.person(employee_no="EARLY-1", hire_date=EARLY, department="门诊部")
        certified = h.person(employee_no="CERT-1", hire_date=HIRED)
        passed = h.attempt(certified.id, date(2026, 2, 1), passed=True)
        h.certificate(certified.id, date(2026, 2, 1), expires_on=FAR, attempt_id=passed.id)
        session.add_all(
            [
                Extension(
                    staff_id=early.id, requirement_id=fixed.id, granted_on=EARLY, due_on=FAR,
                    reason="x",
                ),
                Signoff(
                    staff_id=certified.id, requirement_id=onboarding.id, observed_on=FAR,
                    passed=True, items={"八齿微笑": True},
                ),
            ]
        )  # fmt: skip
        session.commit()
        onboarding_id = onboarding.id
    client = app.test_client()
    login(client, make_staff(("hr", "trainer", "admin")))
    paths = [
        "/lms/plan/", "/lms/plan/?sort=urgency", "/lms/plan/?sort=hire_date",
        "/lms/plan/?sort=-hire_date&status=overdue", "/lms/plan/matrix.csv", "/lms/plan/matrix.xlsx",
        "/lms/plan/overdue", "/lms/plan/overdue.csv", "/lms/plan/expiring", "/lms/plan/expiring.xlsx",
        "/lms/plan/expiring?days=3650", "/lms/plan/departments", "/lms/plan/departments.svg",
        "/lms/plan/departments.csv", "/lms/staff/", "/lms/plan/signoffs",
        f"/lms/plan/signoffs?requirement={onboarding_id}",
    ]  # fmt: skip
    for number in ("FAR-1", "EARLY-1", "CERT-1"):
        paths += [
            f"/lms/staff/{number}",
            f"/lms/plan/people/{number}",
            f"/lms/plan/signoffs/{onboarding_id}/{number}",
        ]
    for as_of in ("9999-12-31", "0001-01-01", "2199-12-31", "1901-01-01"):
        paths += [f"/lms/plan/{page}?as_of={as_of}" for page in ("", "overdue", "expiring")]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
    with app.app_context():
        from lms.plan.reminders import due_digests

        for day in (date(2026, 3, 1), date(2199, 12, 31)):
            due_digests(day)  # the reminder run sees the same people


@pytest.mark.parametrize("typed", ["9999-12-31", "1900-12-31", "2200-01-01", "0001-01-01"])
def test_dates_outside_1901_to_2199_are_refused_on_every_form(app, make_staff, typed):
    with app.app_context():
        req = h.requirement(needs_signoff=True, checklist=["八齿微笑"])
        person = h.person(employee_no="P-1", hire_date=HIRED)
        req_id = req.id
    client = app.test_client()
    login(client, make_staff(("hr", "trainer", "admin")))
    message = "请填写 1901 至 2199 年之间的日期。"
    edit = client.post("/lms/staff/P-1/edit", data={"name": "某人", "hire_date": typed})
    assert edit.status_code == 400 and message in html(edit)
    new = client.post(
        "/lms/plan/requirements/new",
        data={"course_id": h_course(app), "due_date": typed, "window_days": 60},
    )
    assert new.status_code == 400 and message in html(new)
    starts = client.post(
        "/lms/plan/requirements/new",
        data={"course_id": h_course(app), "due_days_after_hire": 30, "starts_on": typed,
              "window_days": 60},
    )  # fmt: skip
    assert starts.status_code == 400 and message in html(starts)
    signoff = client.post(
        f"/lms/plan/signoffs/{req_id}/P-1", data={"observed_on": typed, "items": ["八齿微笑"]}
    )
    assert signoff.status_code == 400 and message in html(signoff)
    client.post(f"/lms/plan/people/P-1/{req_id}/extend", data={"due_on": typed, "reason": "出差"})
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Extension.id))) == 0
        assert session.scalar(sa.select(sa.func.count(Signoff.id))) == 0
        assert session.get(Staff, person.id).hire_date == HIRED
    shown = client.get(f"/lms/plan/overdue?as_of={typed}")
    assert shown.status_code == 200 and "已按今天计算" in html(shown)


def h_course(app) -> int:
    with app.app_context():
        return h.course_id()


@pytest.mark.usefixtures("english")
def test_a_staff_list_with_a_date_outside_1901_to_2199_is_refused():
    from lms.staff.importer import parse_staff_file

    result = parse_staff_file(
        b"employee_no,name,hire_date\nN1,a,9999-12-31\nN2,b,1900-01-01\nN3,c,2199-12-31\n"
    )
    assert result.errors == [
        "line 2: hire_date: '9999-12-31' is outside the years 1901 to 2199",
        "line 3: hire_date: '1900-01-01' is outside the years 1901 to 2199",
    ]
