"""HR's home at the LMS root (issue #14, part 3)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from lms.plan.home import home_counts
from lms.plan.status import CERTIFIED, DUE_SOON, EXPIRING_SOON, NOT_STARTED, OVERDUE, PlanStatus
from tests import plan_helpers as h
from tests.conftest import login

AS_OF = date(2026, 3, 1)


def test_home_counts_is_pure():
    statuses = [
        PlanStatus(OVERDUE, due_on=AS_OF - timedelta(days=3)),
        PlanStatus(NOT_STARTED, due_on=AS_OF + timedelta(days=30)),
        PlanStatus(DUE_SOON, due_on=AS_OF + timedelta(days=2)),
        PlanStatus(NOT_STARTED, due_on=AS_OF + timedelta(days=31)),  # not yet
        PlanStatus(EXPIRING_SOON, expires_on=AS_OF + timedelta(days=60)),
        PlanStatus(CERTIFIED, expires_on=AS_OF + timedelta(days=61)),
        PlanStatus(CERTIFIED),
    ]
    counts = home_counts(statuses, AS_OF)
    assert (counts.overdue, counts.due_soon, counts.expiring) == (1, 2, 1)


def _number(html: str, ident: str) -> int:
    return int(re.search(rf'id="{ident}">(\d+)<', html).group(1))


def test_hr_lands_on_the_home_and_the_learner_dashboard_is_one_click_away(app, client, make_staff):
    today = date.today()
    with app.app_context():
        h.requirement()  # due 30 days after hire
        h.person(employee_no="L1", department="门诊部", hire_date=today - timedelta(days=60))
        h.person(employee_no="L2", department="门诊部", hire_date=today - timedelta(days=10))
        h.person(employee_no="L3", department="收费处", hire_date=today - timedelta(days=40))
        h.person(employee_no="H1", department="门诊部", source="host", hire_date=today)
    hr = make_staff(("hr",), department="人事", hire_date=today)
    login(client, hr)
    html = client.get("/lms/").get_data(as_text=True)
    assert "培训概况" in html
    assert _number(html, "count-overdue") == 2  # L1, L3
    assert _number(html, "count-due") == 3  # L2, H1 and HR themselves
    assert _number(html, "count-never") == 3  # L1-L3; host accounts and HR (logged in) not
    assert _number(html, "count-invited") == 0
    assert "门诊部" in html and "收费处" in html  # departments behind
    assert 'href="/lms/learn"' in html
    learner = client.get("/lms/learn")
    assert learner.status_code == 200 and "我的课程" in learner.get_data(as_text=True)


def test_invitations_pending_and_activation_change_the_counts(
    app, client, make_staff, runner, tmp_path
):
    app.config["LMS_PLAN_SITE_URL"] = "https://lms.example.org"
    with app.app_context():
        h.person(employee_no="N1", department="门诊部")
    runner.invoke(args=["lms", "invite", "--out", str(tmp_path / "s.pdf")])
    login(client, make_staff(("admin",)))
    html = client.get("/lms/").get_data(as_text=True)
    assert _number(html, "count-invited") == 1 and _number(html, "count-never") == 1


def test_learners_keep_their_dashboard_at_the_root(client, make_staff):
    login(client, make_staff())
    html = client.get("/lms/").get_data(as_text=True)
    assert "培训概况" not in html and "我的课程" in html


def test_recent_certificates_are_listed(app, client, make_staff):
    with app.app_context():
        holder = h.person(employee_no="C1", name="证书人", department="门诊部")
        h.certificate(holder.id, date.today())
    login(client, make_staff(("hr",)))
    html = client.get("/lms/").get_data(as_text=True)
    assert "证书人" in html and "最近签发的证书" in html


def test_the_never_logged_in_list_is_one_click_from_home(app, client, make_staff):
    with app.app_context():
        h.person(employee_no="NEW1", department="门诊部")
        h.person(employee_no="HOST1", department="门诊部", source="host")
    old = make_staff(employee_no="OLD1")  # has a password, never logged in either
    login(client, make_staff(("hr",), employee_no="HR01"))
    assert 'href="/lms/staff/?never=1"' in client.get("/lms/").get_data(as_text=True)
    page = client.get("/lms/staff/?never=1").get_data(as_text=True)
    listing = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "NEW1" in listing and old.employee_no in listing
    assert "HOST1" not in listing and "HR01" not in listing  # the host's; logged in
    assert "HOST1" in client.get("/lms/staff/").get_data(as_text=True)


def test_the_home_counts_from_the_kept_statuses_equal_the_evaluated_ones(app):
    """At 50,000 staff the home reads three SQL counts; they must say what the pure counting says."""
    from lms.plan import kept
    from lms.plan.home import kept_counts
    from lms.plan.reports import plan_items

    today = date.today()
    with app.app_context():
        h.requirement()  # due 30 days after hire
        for n, days in enumerate((90, 45, 31, 29, 20, 1, 0)):
            h.person(employee_no=f"K{n}", hire_date=today - timedelta(days=days))
        holder = h.person(employee_no="K9", hire_date=today - timedelta(days=400))
        h.certificate(  # expiring within 60 days
            holder.id, today - timedelta(days=340), expires_on=today + timedelta(days=25)
        )
        assert kept_counts(today) is None  # nothing kept yet: the page evaluates
        kept.refresh(today)
        from_sql = kept_counts(today)
        evaluated = home_counts((i.status for i in plan_items(today, None, None, bool)), today)
    assert from_sql == evaluated
    assert from_sql.overdue >= 2 and from_sql.due_soon >= 2 and from_sql.expiring == 1, from_sql
