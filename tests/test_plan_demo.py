"""The demo organisation: big enough to look real, every status on screen, safe to run again."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from lms.auth.models import Staff
from lms.certificates.models import Certificate
from lms.db import session
from lms.plan.reports import MatrixQuery, matrix
from lms.plan.status import STATES


def test_init_demo_builds_an_organisation_once(app, runner, monkeypatch, client):
    # The schema comes from create_all here (the migration for the plan tables is generated later).
    monkeypatch.setattr("lms.migrate.upgrade_database", lambda: None)
    first = runner.invoke(args=["lms", "init", "--demo"])
    assert first.exit_code == 0, first.output
    assert "demo-learner" in first.output and "Demo organisation: 58 staff" in first.output
    with app.app_context():
        staff = session.scalar(sa.select(sa.func.count(Staff.id)))
        departments = session.scalar(sa.select(sa.func.count(sa.distinct(Staff.department))))
        certificates = session.scalar(sa.select(sa.func.count(Certificate.id)))
        assert staff >= 54 and departments >= 6 and certificates > 20
        m = matrix(MatrixQuery(per_page=1000), paginate=False)
        seen = Counter(s.state for s in m.statuses.values() if s is not None)
        assert set(seen) == set(STATES), seen
    second = runner.invoke(args=["lms", "init", "--demo"])
    assert second.exit_code == 0, second.output
    assert "Demo organisation already present" in second.output
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Staff.id))) == staff
        assert session.scalar(sa.select(sa.func.count(Certificate.id))) == certificates
    # The four demo accounts still log in, and the learner has a plan on the dashboard.
    response = client.post(
        "/lms/login", data={"employee_no": "demo-learner", "password": "learner-demo"}
    )
    assert response.status_code == 302
    assert "我的培训计划" in client.get("/lms/").get_data(as_text=True)
    hr = app.test_client()
    hr.post("/lms/login", data={"employee_no": "demo-hr", "password": "hr-demo"})
    page = hr.get("/lms/plan/").get_data(as_text=True)
    assert 'class="st st-overdue"' in page and "门诊服务中心" in page
    # Every demo certificate is a real one: a stored PDF and a serial that verifies.
    with app.app_context():
        from lms.certificates.issue import verify

        demo_certificates = session.scalars(sa.select(Certificate)).all()
        assert all(c.pdf and c.sha256 for c in demo_certificates)
        assert {verify(c.serial).state for c in demo_certificates} <= {"valid", "expired"}
    # HR's certificate list (where batch printing starts) renders, on the first page and the next.
    assert hr.get("/lms/certificates/").status_code == 200
    assert hr.get("/lms/certificates/?page=2").status_code == 200
