"""The audit log for HR (issue #14, part 4): scope, labels, local time, filters, CSV, recorded events."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import sqlalchemy as sa

from lms.audit.labels import details_text, label, may_read
from lms.audit.log import record
from lms.audit.models import AuditEntry
from lms.db import session
from tests import plan_helpers as h
from tests.conftest import login


def _table(response) -> str:
    """The log's rows only (the action filter lists every label)."""
    html = response.get_data(as_text=True)
    return html[html.index("<tbody>") : html.index("</tbody>")]


def test_labels_and_scope_are_pure():
    assert may_read("staff.import", {"hr"}) and may_read("invitation.print", {"hr"})
    assert not may_read("auth.login_failed", {"hr"}) and may_read("auth.login_failed", {"admin"})
    assert label("no.such.code") == "no.such.code"
    assert details_text({"before": ["learner"], "n": 2}) == "before: learner; n: 2"


def test_hr_reads_its_entries_in_local_time_with_labels(app, client, make_staff):
    with app.app_context():
        for action, target in (("staff.update", "N1"), ("auth.login_failed", "N1"),
                               ("certificate.revoke", "N2")):  # fmt: skip
            entry = record(action, target_type="staff", target_id=target, reason="测试")
            entry.at = datetime(2026, 3, 1, 17, 30)  # 01:30 on 2 March in Shanghai
        session.commit()
    login(client, make_staff(("hr",)))
    page = client.get("/lms/admin/audit").get_data(as_text=True)
    html = _table(client.get("/lms/admin/audit"))
    assert "修改员工信息" in html and "撤销证书" in html
    assert "登录失败" not in html  # logins are the admins' business
    assert "2026-03-02 01:30:00" in html and "Asia/Shanghai" in page
    assert "reason: 测试" in html and "{&#34;" not in html  # no raw JSON
    by_person = _table(client.get("/lms/admin/audit?person=N2"))
    assert "撤销证书" in by_person and "修改员工信息" not in by_person
    by_action = _table(client.get("/lms/admin/audit?action=staff.update"))
    assert "修改员工信息" in by_action and "撤销证书" not in by_action
    by_day = client.get("/lms/admin/audit?date_from=2026-03-02&date_to=2026-03-02")
    assert "修改员工信息" in _table(by_day)
    before = _table(client.get("/lms/admin/audit?date_to=2026-03-01"))
    assert "修改员工信息" not in before  # the local day, not the UTC one
    assert client.get("/lms/admin/audit?date_from=not-a-date&page=99999").status_code == 200


def test_admin_reads_everything_and_english_labels(app, client, make_staff):
    with app.app_context():
        record("auth.login_failed", target_type="login", target_id="X")
        session.commit()
    login(client, make_staff(("admin",)))
    client.post("/lms/language", data={"locale": "en", "next": "/lms/"})
    assert "Failed login" in _table(client.get("/lms/admin/audit"))


def test_csv_export_is_filtered_neutralised_and_recorded(app, client, make_staff):
    with app.app_context():
        record("staff.update", target_type="staff", target_id="N1", name="=HYPERLINK()")
        record("auth.login_failed", target_type="login", target_id="N1")
        session.commit()
    login(client, make_staff(("hr",)))
    response = client.get("/lms/admin/audit.csv?person=N1")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][0] == "时间" and len(rows) == 2
    assert rows[1][3] == "修改员工信息" and rows[1][4] == "staff.update"
    assert "=HYPERLINK" in rows[1][6] and not rows[1][6].startswith("=")
    with app.app_context():
        assert session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "audit.export"))


def test_learners_cannot_read_the_log(client, make_staff):
    login(client, make_staff())
    assert client.get("/lms/admin/audit").status_code == 403
    assert client.get("/lms/admin/audit.csv").status_code == 403


def test_plan_exports_are_recorded(app, client, make_staff):
    with app.app_context():
        h.requirement()
    hr = make_staff(("hr",))
    login(client, hr)
    assert client.get("/lms/plan/overdue.csv?department=门诊部").status_code == 200
    assert client.get("/lms/plan/xapi.json").status_code == 200
    with app.app_context():
        exports = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "plan.export").order_by(AuditEntry.id)
        ).all()
        assert [e.target_id for e in exports] == ["overdue", "xapi"]
        assert exports[0].actor_id == hr.id and exports[0].details["filters"] == {
            "department": "门诊部"
        }
