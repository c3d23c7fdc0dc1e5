"""Nobody grants a role above their own; imports never touch the importer's roles or an admin's
account; every role change is kept per person with before and after (issue 17, item 1)."""

from __future__ import annotations

import re
from io import BytesIO

import sqlalchemy as sa

from lms.audit.models import AuditEntry
from lms.auth.models import Staff
from lms.auth.roles import grantable, refused_roles
from lms.db import session
from lms.staff.models import StaffChange
from tests.conftest import login

HEADER = "employee_no,name,roles,active\n"


def roles_of(employee_no: str) -> set[str]:
    staff = session.scalar(sa.select(Staff).where(Staff.employee_no == employee_no))
    return set(staff.roles) if staff else set()


def upload(client, rows: str, skip_bad: bool = False):
    data = {"file": (BytesIO((HEADER + rows).encode()), "staff.csv")}
    if skip_bad:
        data["skip_bad"] = "y"
    response = client.post("/lms/staff/import", data=data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    match = re.search(r'name="payload" type="hidden" value="([^"]+)"', html)
    return response, html, match.group(1) if match else None


def test_the_rule_hr_grants_only_learner_and_trainer():
    assert grantable({"hr", "learner"}) == {"learner", "trainer"}
    assert grantable({"admin"}) == {"learner", "trainer", "hr", "admin"}
    assert grantable({"trainer", "learner"}) == frozenset()
    assert grantable(None) == {"learner", "trainer", "hr", "admin"}  # the command line
    assert refused_roles({"hr"}, {"learner"}, {"learner", "trainer"}) == frozenset()
    assert refused_roles({"hr"}, {"learner", "admin"}, {"learner"}) == {"admin"}  # no demoting


def test_hr_cannot_make_itself_admin_through_an_import(app, client, make_staff):
    app.config["LMS_DEFAULT_LOCALE"] = "en"  # the English wording
    hr = make_staff(("learner", "hr"), employee_no="demo-hr")
    make_staff(("learner", "admin"), employee_no="demo-admin")
    login(client, hr)
    response, html, payload = upload(
        client,
        "demo-hr,张人事,learner;hr;admin,\n"
        "demo-admin,管理员,learner,no\n"
        "new-admin,新管理员,admin,\n",
    )
    assert response.status_code == 400 and payload is None
    assert "line 2: roles: nobody can change their own roles" in html
    assert "line 3: roles: only an admin can grant or remove admin" in html
    assert "line 4: roles: only an admin can grant or remove admin" in html
    with app.app_context():
        assert roles_of("demo-hr") == {"learner", "hr"}
        assert roles_of("demo-admin") == {"learner", "admin"}
        assert roles_of("new-admin") == set()


def test_the_confirm_step_checks_again_so_a_forged_payload_grants_nothing(app, client, make_staff):
    """The preview is skipped by posting a payload straight to confirm, as an attacker would."""
    import base64
    import zlib

    login(client, make_staff(("learner", "hr"), employee_no="demo-hr"))
    data = (HEADER + "demo-hr,张人事,learner;hr;admin,\n").encode()
    payload = base64.b64encode(zlib.compress(data)).decode()
    response = client.post("/lms/staff/import/confirm", data={"payload": payload})
    assert response.status_code == 400
    with app.app_context():
        assert roles_of("demo-hr") == {"learner", "hr"}


def test_an_import_never_deactivates_an_admin_even_by_an_admin(app, runner, make_staff, tmp_path):
    app.config["LMS_DEFAULT_LOCALE"] = "en"  # the English wording
    make_staff(("learner", "admin"), employee_no="boss")
    path = tmp_path / "staff.csv"
    path.write_text(HEADER + "boss,老板,,no\n", encoding="utf-8")
    result = runner.invoke(args=["lms", "import-staff", str(path)])
    assert "line 2: active: an import never deactivates an admin" in result.output
    with app.app_context():
        assert session.scalar(sa.select(Staff.active).where(Staff.employee_no == "boss"))


def test_hr_grants_trainer_and_the_change_is_kept_per_person(app, client, make_staff):
    app.config["LMS_DEFAULT_LOCALE"] = "en"  # the English wording
    hr = make_staff(("learner", "hr"))
    make_staff(("learner",), employee_no="N100")
    login(client, hr)
    response, html, payload = upload(client, "N100,王明,learner;trainer,\nN101,新人,admin,\n", True)
    assert response.status_code == 200 and payload
    assert "line 3: roles: only an admin can grant or remove admin" in html
    response = client.post("/lms/staff/import/confirm", data={"payload": payload, "skip_bad": "1"})
    assert response.status_code == 302
    with app.app_context():
        assert roles_of("N100") == {"learner", "trainer"}
        assert roles_of("N101") == set()  # the refused row was skipped
        staff_id = session.scalar(sa.select(Staff.id).where(Staff.employee_no == "N100"))
        change = session.scalar(
            sa.select(StaffChange).where(
                StaffChange.staff_id == staff_id, StaffChange.field == "roles"
            )
        )
        assert (change.old, change.new, change.source) == ("learner", "learner, trainer", "import")
        entry = session.scalar(
            sa.select(AuditEntry).where(
                AuditEntry.action == "staff.roles", AuditEntry.target_id == "N100"
            )
        )
        assert entry.actor_id == hr.id
        assert entry.details["before"] == ["learner"]
        assert entry.details["after"] == ["learner", "trainer"]
    page = client.get("/lms/staff/N100").get_data(as_text=True)
    assert "learner, trainer" in page  # the history on the person's page shows it


def test_admin_may_grant_hr_through_an_import(app, client, make_staff):
    login(client, make_staff(("learner", "admin")))
    response, html, payload = upload(client, "N200,周敏,learner;hr,\n")
    assert response.status_code == 200, html
    assert client.post("/lms/staff/import/confirm", data={"payload": payload}).status_code == 302
    with app.app_context():
        assert roles_of("N200") == {"learner", "hr"}
        assert session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(
                AuditEntry.action == "staff.roles", AuditEntry.target_id == "N200"
            )
        )


def test_the_roles_form_records_history_and_refuses_own_roles(app, client, make_staff):
    admin = make_staff(("learner", "admin"))
    other = make_staff(("learner",))
    login(client, admin)
    response = client.post(
        f"/lms/staff/{other.employee_no}/roles", data={"roles": ["learner", "hr"]}
    )
    assert response.status_code == 302
    response = client.post(f"/lms/staff/{admin.employee_no}/roles", data={"roles": ["learner"]})
    assert response.status_code == 400
    with app.app_context():
        assert roles_of(admin.employee_no) == {"learner", "admin"}
        assert (
            session.scalar(
                sa.select(StaffChange.new).where(
                    StaffChange.staff_id == other.id, StaffChange.field == "roles"
                )
            )
            == "hr, learner"
        )


def test_hr_cannot_deactivate_an_admin_on_the_web(app, client, make_staff):
    admin = make_staff(("learner", "admin"))
    login(client, make_staff(("learner", "hr")))
    client.post(f"/lms/staff/{admin.employee_no}/deactivate", data={"reason": "x"})
    with app.app_context():
        assert session.scalar(sa.select(Staff.active).where(Staff.id == admin.id))
