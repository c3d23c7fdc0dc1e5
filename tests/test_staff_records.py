"""Staff records: XLSX and Excel-encoded CSV import with exact errors, preview, edit, deactivate."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from lms.audit.models import AuditEntry
from lms.auth.models import Staff
from lms.db import session
from lms.sheets import GBK_NOTE
from lms.staff.importer import parse_staff_file
from lms.staff.models import StaffChange
from tests import plan_helpers as h
from tests.conftest import login
from tests.english import english  # noqa: F401 - a fixture

HEADER = "employee_no,name,department,position,hire_date,email,manager_no,active\n"
GOOD = (
    HEADER
    + "N001,陈静,门诊部,导医,2026-09-01,chen@example.org,M01,在职\nN002,刘洋,收费处,收费员,,,,\n"
)


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    return [
        tuple(r)
        for r in session.execute(
            sa.select(Staff.employee_no, Staff.name, Staff.department, Staff.active).order_by(
                Staff.employee_no
            )
        )
    ]


def test_gbk_csv_from_excel_is_read_and_says_so():
    result = parse_staff_file(GOOD.encode("gbk"))
    assert result.errors == []
    assert [r.name for r in result.rows] == ["陈静", "刘洋"]
    assert result.notes == [GBK_NOTE]
    assert parse_staff_file(GOOD.encode("utf-8-sig")).notes == []


def test_chinese_headers_year_first_dates_and_tab_separated_utf16():
    text = "工号\t姓名\t部门\t入职日期\n N001 \t陈静\t门诊部\t2026/9/1\nN002\t刘洋\t门诊部\t2026年10月8日\n"
    result = parse_staff_file(text.encode("utf-16"))
    assert result.errors == []
    assert [(r.employee_no, r.hire_date) for r in result.rows] == [
        ("N001", date(2026, 9, 1)),
        ("N002", date(2026, 10, 8)),
    ]
    assert result.rows[0].present == {"employee_no", "name", "department", "hire_date"}


@pytest.mark.usefixtures("english")
def test_bad_files_get_exact_errors():
    cases = {
        # Neither UTF-8 nor GBK (Latin-1 bytes that GB18030 cannot decode either).
        b"employee_no,name\nN001,Jos\xe9\n": [
            "line 1: file: the file is neither UTF-8 nor GBK text; in Excel choose Save As → "
            "“CSV UTF-8 (Comma delimited)” or “Excel Workbook (.xlsx)”"
        ],
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest": [
            "line 1: file: this is an old Excel .xls workbook; save it as .xlsx or as CSV UTF-8"
        ],
        b"PK\x03\x04broken": [
            "line 1: file: the workbook cannot be read (BadZipFile); save it again as .xlsx or as "
            "CSV UTF-8"
        ],
        "employee_no,department\nN001,门诊部\n".encode(): [
            "line 1: header: missing column(s) name"
        ],
        "工号,姓名,工号\nN001,陈静,N001\n".encode(): [
            "line 1: header: repeated column(s) employee_no"
        ],
        (HEADER + "N001,陈静,,,,,,\nN001,陈静二,,,,,,\n").encode(): [
            "line 3: employee_no: N001 already appears on line 2"
        ],
        (HEADER + "N001,陈静,,,2026-02-30,,,\nN002,刘洋,,,01/09/2026,,N002,\n").encode(): [
            "line 2: hire_date: '2026-02-30' is not a date like 2026-03-01",
            "line 3: hire_date: '01/09/2026' is not a date like 2026-03-01",
            "line 3: manager_no: a person cannot be their own manager",
        ],
        b"": ["line 1: header: the file is empty"],
    }
    for data, errors in cases.items():
        assert parse_staff_file(data).errors == errors, data[:40]


def test_xlsx_import_with_date_cells_and_numbers(app, runner, tmp_path):
    path = tmp_path / "staff.xlsx"
    path.write_bytes(
        xlsx(
            [
                ["工号", "姓名", "部门", "岗位", "入职日期", "邮箱", "上级工号", "在职"],
                [
                    1001,
                    "陈静",
                    "门诊部",
                    "导医",
                    datetime(2026, 9, 1),
                    "chen@example.org",
                    None,
                    True,
                ],
                ["1002", "刘洋", "收费处", "收费员", "2026-10-15", None, 1001, "否"],
                [None, None, None, None, None, None, None, None],
            ]
        )
    )
    result = runner.invoke(args=["lms", "import-staff", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported 2 new and 0 updated staff." in result.output
    with app.app_context():
        liu = session.scalar(sa.select(Staff).where(Staff.employee_no == "1002"))
        assert (liu.manager_no, liu.active, liu.hire_date) == ("1001", False, date(2026, 10, 15))


def test_bad_xlsx_names_spreadsheet_rows_and_changes_nothing(app, runner, tmp_path):
    app.config["LMS_DEFAULT_LOCALE"] = "en"  # the English wording
    with app.app_context():
        h.person(employee_no="N001", name="陈静", department="门诊部")
        before = snapshot()
    path = tmp_path / "staff.xlsx"
    path.write_bytes(
        xlsx(
            [
                ["employee_no", "name", "department", "hire_date", "email"],
                ["N001", "陈静", "收费处", date(2026, 1, 1), None],
                ["N002", "", "门诊部", "下周一", "nobody"],
            ]
        )
    )
    result = runner.invoke(args=["lms", "import-staff", str(path)])
    assert result.exit_code == 1
    assert f"{path}: line 3: name: is empty" in result.output
    assert f"{path}: line 3: hire_date: '下周一' is not a date like 2026-03-01" in result.output
    assert f"{path}: line 3: email: 'nobody' is not an email address" in result.output
    with app.app_context():
        assert snapshot() == before
        assert session.scalar(sa.select(sa.func.count(StaffChange.id))) == 0


def test_web_import_previews_then_confirms_and_keeps_history(app, client, make_staff):
    login(client, make_staff(("hr",), employee_no="HR-1"))
    with app.app_context():
        h.person(employee_no="N001", name="陈静", department="门诊部", position="导医")
    # Only employee_no, name and department: position stays as it was.
    data = "工号,姓名,部门\nN001,陈静,收费处\nN003,王明,门诊部\n".encode("gbk")
    response = client.post(
        "/lms/staff/import",
        data={"file": (BytesIO(data), "名单.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "将新增 <strong>1</strong> 人，更新 <strong>1</strong> 人" in page
    assert "部门:门诊部 → 收费处" in page and GBK_NOTE in page
    with app.app_context():
        assert [r[2] for r in snapshot()] == [None, "门诊部"]  # HR-1 and N001: nothing written
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/lms/staff/import/confirm", data={"payload": payload})
    assert response.status_code == 302
    with app.app_context():
        chen = session.scalar(sa.select(Staff).where(Staff.employee_no == "N001"))
        assert (chen.department, chen.position) == ("收费处", "导医")
        change = session.scalar(sa.select(StaffChange))
        assert (change.field, change.old, change.new, change.source) == (
            "department",
            "门诊部",
            "收费处",
            "import",
        )
    # A tampered payload is refused and writes nothing.
    response = client.post("/lms/staff/import/confirm", data={"payload": "not-base64!"})
    assert response.status_code == 302 and response.location.endswith("/lms/staff/import")


def test_web_import_with_errors_shows_them_and_writes_nothing(app, client, make_staff):
    app.config["LMS_DEFAULT_LOCALE"] = "en"  # the English wording
    login(client, make_staff(("hr",)))
    with app.app_context():
        before = snapshot()
    data = (HEADER + "N001,陈静,,,2026-02-30,,,\n").encode()
    response = client.post(
        "/lms/staff/import",
        data={"file": (BytesIO(data), "staff.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "line 2: hire_date: &#39;2026-02-30&#39; is not a date" in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert snapshot() == before


def test_hr_edits_and_deactivates_keeping_history_and_certificates(app, client, make_staff):
    hr = make_staff(("hr",), employee_no="HR-1", name="张人事")
    login(client, hr)
    with app.app_context():
        chen = h.person(
            employee_no="N001", name="陈静", department="门诊部", hire_date=date(2026, 1, 5)
        )
        h.requirement(department="收费处")
        h.certificate(chen.id, date(2026, 2, 1), revoked=True)
    response = client.post(
        "/lms/staff/N001/edit",
        data={"name": "陈静", "department": "收费处", "position": "收费员", "manager_no": "N001"},
    )
    assert response.status_code == 400 and "不能把本人设为自己的上级" in response.get_data(
        as_text=True
    )
    response = client.post(
        "/lms/staff/N001/edit",
        data={
            "name": "陈静",
            "department": "收费处",
            "position": "收费员",
            "hire_date": "2026-01-05",
            "reason": "调岗",
        },  # fmt: skip
    )
    assert response.status_code == 302
    # Moved into 收费处: its requirement applies, counted from the move, not from the hire date.
    with app.app_context():
        from lms.plan.config import today

        due = today() + timedelta(days=30)
    assert f"截止 {due}" in client.get("/lms/plan/people/N001").get_data(as_text=True)
    response = client.post("/lms/staff/N001/deactivate", data={"reason": "离职"})
    assert response.status_code == 302
    page = client.get("/lms/staff/N001").get_data(as_text=True)
    assert "停用" in page and "调岗" in page and "离职" in page and "T0000" in page
    with app.app_context():
        changes = [
            (c.field, c.old, c.new)
            for c in session.scalars(sa.select(StaffChange).order_by(StaffChange.id))
        ]
        assert changes == [
            ("department", "门诊部", "收费处"),
            ("position", None, "收费员"),
            ("active", "yes", "no"),
        ]
        actions = list(session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))
        assert actions == ["staff.update", "staff.deactivate"]
    # Deactivated: out of the matrix, certificate kept.
    assert "N001" not in client.get("/lms/plan/").get_data(as_text=True)
    client.post("/lms/staff/N001/reactivate", data={})
    assert "N001" in client.get("/lms/plan/").get_data(as_text=True)
    # HR cannot lock themselves out.
    client.post("/lms/staff/HR-1/deactivate", data={})
    with app.app_context():
        assert session.get(Staff, hr.id).active
