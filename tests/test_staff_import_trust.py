"""Staff imports HR can trust (issue #14, part 2): problems in the interface language with the row,
role labels in both languages, near-duplicate departments flagged, repeated numbers always reported."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
import sqlalchemy as sa

from lms.auth.models import Staff
from lms.db import session
from lms.staff.importer import close_departments, parse_roles, parse_staff_file
from tests.conftest import login
from tests.english import english  # noqa: F401 - a fixture


def test_role_cells_take_codes_and_labels_in_both_languages():
    assert parse_roles("学员、培训师") == (frozenset({"learner", "trainer"}), [])
    assert parse_roles("人事；管理员") == (frozenset({"hr", "admin"}), [])
    assert parse_roles("人力资源") == (frozenset({"hr"}), [])
    assert parse_roles("Learner, HR") == (frozenset({"learner", "hr"}), [])
    assert parse_roles("Administrator / Trainer") == (frozenset({"admin", "trainer"}), [])
    assert parse_roles("learner trainer") == (frozenset({"learner", "trainer"}), [])
    assert parse_roles("学员、老板") == (frozenset({"learner"}), ["老板"])


def test_repeated_numbers_are_reported_whatever_else_is_wrong():
    data = (
        "工号,姓名,入职日期\n"
        "N001,,2026-01-01\n"  # bad (no name): the number is still taken
        "N001,李明,2026-01-01\n"  # a good row repeating it
        "N001,王芳,yesterday\n"  # a bad row repeating it: both problems reported
    ).encode()
    errors = parse_staff_file(data).errors
    assert "第 2 行：姓名：为空" in errors
    assert "第 3 行：工号：N001 已在第 2 行出现" in errors
    assert "第 4 行：工号：N001 已在第 2 行出现" in errors
    assert "第 4 行：入职日期：“yesterday”不是 2026-03-01 这样的日期" in errors
    assert parse_staff_file(data).rows == []


@pytest.mark.usefixtures("english")
def test_problems_in_english_when_the_interface_is_english():
    data = "employee_no,name,roles\nN001,Li,学员\nN002,Wang,boss\n".encode()
    assert parse_staff_file(data).errors == ["line 3: roles: unknown role(s) boss"]


def test_close_departments_is_pure_and_justified():
    existing = ["住院服务部", "门诊部", "护理部", "信息科"]
    assert close_departments("住院服务中心", existing) == ["住院服务部"]
    assert close_departments("急诊部", existing) == []  # 3 characters, one differs: a different one
    assert close_departments("护理部门", existing) == ["护理部"]  # one inside the other
    assert close_departments("信息科 ", existing) == ["信息科"]  # spaces, width and case ignored
    assert close_departments("ＩＴ部", ["it部"]) == ["it部"]
    assert close_departments("后勤保障部", existing) == []


def _upload(client, text: str, **extra):
    return client.post(
        "/lms/staff/import",
        data={"file": (BytesIO(text.encode()), "staff.csv"), **extra},
        content_type="multipart/form-data",
    )


def _confirm_fields(html: str) -> dict[str, str]:
    fields = dict(re.findall(r'name="(payload|filename|skip_bad)"[^>]*value="([^"]*)"', html))
    for name, value in re.findall(r'id="(payload|filename|skip_bad)"[^>]*value="([^"]*)"', html):
        fields.setdefault(name, value)
    return {k: v.replace("&#43;", "+").replace("&#x2B;", "+") for k, v in fields.items()}


def test_preview_flags_a_near_duplicate_department_and_hr_maps_it(app, client, make_staff):
    make_staff(department="住院服务部", employee_no="OLD1")
    login(client, make_staff(("hr",)))
    preview = _upload(client, "工号,姓名,部门\nN001,李明,住院服务中心\nN002,王芳,住院服务中心\n")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "相近的部门名称" in html
    assert 'name="department-0" value="住院服务部"' in html and "第 2、3 行" in html
    fields = _confirm_fields(html)
    unanswered = client.post("/lms/staff/import/confirm", data=fields)
    assert unanswered.status_code == 400 and "请为每个相近的部门名称选择" in unanswered.get_data(
        as_text=True
    )
    with app.app_context():
        assert session.scalar(sa.select(Staff).where(Staff.employee_no == "N001")) is None
    forged = client.post("/lms/staff/import/confirm", data=fields | {"department-0": "别的部门"})
    assert forged.status_code == 400
    done = client.post("/lms/staff/import/confirm", data=fields | {"department-0": "住院服务部"})
    assert done.status_code == 302
    with app.app_context():
        departments = set(
            session.scalars(
                sa.select(Staff.department).where(Staff.employee_no.in_(["N001", "N002"]))
            )
        )
        assert departments == {"住院服务部"}


def test_hr_may_keep_the_new_department(app, client, make_staff):
    make_staff(department="住院服务部", employee_no="OLD1")
    login(client, make_staff(("hr",)))
    html = _upload(client, "工号,姓名,部门\nN001,李明,住院服务中心\n").get_data(as_text=True)
    fields = _confirm_fields(html) | {"department-0": "__new__"}
    assert client.post("/lms/staff/import/confirm", data=fields).status_code == 302
    with app.app_context():
        person = session.scalar(sa.select(Staff).where(Staff.employee_no == "N001"))
        assert person.department == "住院服务中心"


def test_web_problems_in_the_readers_language(app, client, make_staff):
    login(client, make_staff(("hr",)))
    bad = "工号,姓名,角色\nN001,李明,学员\nN001,王芳,老板\n"
    chinese = _upload(client, bad).get_data(as_text=True)
    assert (
        "第 3 行：工号：N001 已在第 2 行出现" in chinese
        and "第 3 行：角色：不认识的角色：老板" in chinese
    )
    client.post("/lms/language", data={"locale": "en", "next": "/lms/staff/import"})
    english_page = _upload(client, bad).get_data(as_text=True)
    assert "line 3: employee_no: N001 already appears on line 2" in english_page
    assert "line 3: roles: unknown role(s) 老板" in english_page


def test_interface_role_labels_import(app, client, make_staff):
    login(client, make_staff(("admin",)))
    html = _upload(client, "工号,姓名,角色\nN001,李明,学员、培训师\nN002,王芳,人事\n").get_data(
        as_text=True
    )
    fields = _confirm_fields(html)
    assert client.post("/lms/staff/import/confirm", data=fields).status_code == 302
    with app.app_context():
        roles = {
            s.employee_no: s.roles
            for s in session.scalars(
                sa.select(Staff).where(Staff.employee_no.in_(["N001", "N002"]))
            )
        }
    assert roles == {"N001": {"learner", "trainer"}, "N002": {"hr"}}


def test_cli_warns_of_a_close_department_and_maps_it(app, runner, make_staff, tmp_path):
    make_staff(department="住院服务部", employee_no="OLD1")
    path = tmp_path / "staff.csv"
    path.write_text("工号,姓名,部门\nN001,李明,住院服务中心\n", encoding="utf-8")
    result = runner.invoke(
        args=["lms", "import-staff", str(path), "--map-department", "住院服务中心=住院服务部"]
    )
    assert result.exit_code == 0, result.output
    assert "相近" not in result.output
    path.write_text("工号,姓名,部门\nN002,王芳,住院服务中心\n", encoding="utf-8")
    warned = runner.invoke(args=["lms", "import-staff", str(path)])
    assert "第 2 行：部门：新部门“住院服务中心”与已有部门“住院服务部”相近" in warned.output
    bad = runner.invoke(args=["lms", "import-staff", str(path), "--map-department", "nonsense"])
    assert bad.exit_code != 0 and "NEW=EXISTING" in bad.output
    with app.app_context():
        assert (
            session.scalar(sa.select(Staff.department).where(Staff.employee_no == "N001"))
            == "住院服务部"
        )
