"""Staff CSV import: good files import, any bad row is named and nothing is written."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from lms.audit.models import AuditEntry
from lms.auth.models import Staff
from lms.db import session
from lms.staff.importer import parse_staff_csv
from tests.conftest import login

GOOD = (
    "employee_no,name,department,position,hire_date,email,manager_no,active,roles\n"
    "N001,陈静,门诊部,导医,2026-09-01,chen@example.org,M01,yes,learner\n"
    "N002,刘洋,收费处,收费员,2026-10-15,,M01,,\n"
).encode()
BAD = (
    "employee_no,name,department,position,hire_date,email,manager_no,active\n"
    "N001,陈静,门诊部,导医,2026-09-01,,,\n"
    ",无工号,门诊部,导医,2026-09-01,,,\n"
    "N003,王明,门诊部,导医,01/09/2026,,,\n"
    "N004,赵丽,门诊部,导医,,not-an-email,,maybe\n"
    "N001,重复,门诊部,导医,,,,\n"
).encode()


def staff_numbers() -> list[str]:
    return sorted(session.scalars(sa.select(Staff.employee_no)))


def test_parse_reports_every_bad_row_with_line_and_column():
    result = parse_staff_csv(BAD)
    assert result.errors == [
        "line 3: employee_no: is empty",
        "line 4: hire_date: '01/09/2026' is not a date like 2026-03-01",
        "line 5: email: 'not-an-email' is not an email address",
        "line 5: active: 'maybe' is not yes/no",
        "line 6: employee_no: N001 already appears on line 2",
    ]


def test_parse_rejects_a_bad_header():
    assert parse_staff_csv(b"number,fullname\n1,x\n").errors == [
        "line 1: header: missing column(s) employee_no, name",
        "line 1: header: unknown column(s) number, fullname",
    ]


def test_cli_imports_a_good_file(app, runner, tmp_path: Path):
    path = tmp_path / "staff.csv"
    path.write_bytes(GOOD)
    result = runner.invoke(args=["lms", "import-staff", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported 2 new and 0 updated staff." in result.output
    with app.app_context():
        chen = session.scalar(sa.select(Staff).where(Staff.employee_no == "N001"))
        assert chen.name == "陈静" and str(chen.hire_date) == "2026-09-01"
        assert chen.roles == {"learner"} and chen.manager_no == "M01"
        assert session.scalar(sa.select(AuditEntry.action)) == "staff.import"


def test_cli_bad_file_imports_nothing(app, runner, tmp_path: Path):
    path = tmp_path / "staff.csv"
    path.write_bytes(BAD)
    result = runner.invoke(args=["lms", "import-staff", str(path)])
    assert result.exit_code == 1
    assert f"{path}: line 4: hire_date:" in result.output
    assert "nothing was imported" in result.output
    with app.app_context():
        assert staff_numbers() == []


def test_cli_skip_bad_imports_the_good_rows(app, runner, tmp_path: Path):
    path = tmp_path / "staff.csv"
    path.write_bytes(BAD)
    result = runner.invoke(args=["lms", "import-staff", "--skip-bad", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert staff_numbers() == ["N001"]


def test_reimport_updates_instead_of_duplicating(app, runner, tmp_path: Path):
    path = tmp_path / "staff.csv"
    path.write_bytes(GOOD)
    runner.invoke(args=["lms", "import-staff", str(path)])
    path.write_bytes(GOOD.replace("陈静".encode(), "陈静怡".encode()))
    result = runner.invoke(args=["lms", "import-staff", str(path)])
    assert "Imported 0 new and 2 updated staff." in result.output
    with app.app_context():
        assert staff_numbers() == ["N001", "N002"]
        assert session.scalar(sa.select(Staff.name).where(Staff.employee_no == "N001")) == "陈静怡"


def test_web_import_shows_errors_and_writes_nothing(app, client, make_staff):
    from io import BytesIO

    login(client, make_staff(("hr",)))
    response = client.post(
        "/lms/staff/import",
        data={"file": (BytesIO(BAD), "staff.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "line 3: employee_no: is empty" in html
    with app.app_context():
        assert "N001" not in staff_numbers()
    response = client.post(
        "/lms/staff/import",
        data={"file": (BytesIO(GOOD), "staff.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and "导入预览" in response.get_data(as_text=True)
    with app.app_context():
        assert "N001" not in staff_numbers()  # a preview writes nothing
    payload = re.search(
        r'name="payload" type="hidden" value="([^"]+)"', response.get_data(as_text=True)
    )
    response = client.post("/lms/staff/import/confirm", data={"payload": payload.group(1)})
    assert response.status_code == 302
    with app.app_context():
        assert {"N001", "N002"} <= set(staff_numbers())


def test_web_import_refuses_other_file_types(client, make_staff):
    from io import BytesIO

    login(client, make_staff(("hr",)))
    response = client.post(
        "/lms/staff/import",
        data={"file": (BytesIO(b"MZ\x90\x00"), "staff.exe")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "只接受 .csv 文件" in response.get_data(as_text=True)


def test_web_import_refuses_a_file_over_the_size_limit(app, client, make_staff):
    from io import BytesIO

    app.config["LMS_MAX_IMPORT_BYTES"] = 1024
    login(client, make_staff(("hr",)))
    big = GOOD + b"N999," + "很长".encode() * 600 + b"\n"
    response = client.post(
        "/lms/staff/import",
        data={"file": (BytesIO(big), "staff.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "文件太大" in response.get_data(as_text=True)
