"""Staff CSV import: good files import, any bad row is named and nothing is written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.audit.models import AuditEntry
from lms.auth.models import Staff
from lms.db import session
from lms.staff.importer import parse_staff_csv
from tests.conftest import login
from tests.english import english  # noqa: F401 - a fixture

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


@pytest.mark.usefixtures("english")
def test_parse_reports_every_bad_row_with_line_and_column():
    result = parse_staff_csv(BAD)
    assert result.errors == [
        "line 3: employee_no: is empty",
        "line 4: hire_date: '01/09/2026' is not a date like 2026-03-01",
        "line 5: email: 'not-an-email' is not an email address",
        "line 5: active: 'maybe' is not yes/no",
        "line 6: employee_no: N001 already appears on line 2",
    ]


@pytest.mark.usefixtures("english")
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
    app.config["LMS_DEFAULT_LOCALE"] = "en"  # the English wording
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
    assert "第 3 行：工号：为空" in html  # the interface language
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


# --- Bounded reading: no staff list can hold a worker ------------------------------------------------


def _bomb(empty_rows: int, dimension: str | None) -> bytes:
    """An XLSX whose sheet holds a header, one person and then ``empty_rows`` empty rows: a few
    KB zipped. ``dimension`` is what the sheet declares (None: no declaration, as some tools)."""
    import io
    import zipfile

    from tests.test_staff_records import xlsx

    source = zipfile.ZipFile(io.BytesIO(xlsx([["employee_no", "name"], ["N1", "甲"]])))
    sheet = source.read("xl/worksheets/sheet1.xml").decode()
    filler = "".join(f'<row r="{n}"/>' for n in range(3, 3 + empty_rows))
    sheet = sheet.replace("</row></sheetData>", "</row>" + filler + "</sheetData>")
    declared = f'<dimension ref="{dimension}" />' if dimension else ""
    sheet = re.sub(r'<dimension ref="[^"]*" />', declared, sheet)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = sheet.encode() if item.filename == "xl/worksheets/sheet1.xml" else None
            target.writestr(item.filename, data or source.read(item.filename))
    return out.getvalue()


@pytest.mark.usefixtures("english")
def test_an_xlsx_declaring_too_many_rows_is_refused_before_reading_them():
    from lms.staff.importer import parse_staff_file

    result = parse_staff_file(_bomb(10, "A1:B2000000"), max_rows=100)
    assert result.fatal and result.errors == [
        "line 1: file: the sheet declares 2000000 rows; a staff list may have at most 100 rows "
        "(limit: LMS_IMPORT_MAX_ROWS); split it into smaller files"
    ]


@pytest.mark.usefixtures("english")
def test_an_xlsx_of_many_empty_rows_is_read_only_up_to_the_row_limit(monkeypatch):
    from lms import sheets
    from lms.staff import importer

    cells = []
    real = sheets._cell
    monkeypatch.setattr(sheets, "_cell", lambda v: cells.append(1) or real(v))
    # The sheet declares two rows but holds 20,000: a declaration does not hide rows, and the
    # rows it does not declare are counted as they stream past.
    result = importer.parse_staff_file(_bomb(20_000, "A1:B2"), max_rows=100)
    assert result.fatal and result.errors == [
        "line 102: file: a staff list may have at most 100 rows (limit: LMS_IMPORT_MAX_ROWS); "
        "split it into smaller files"
    ]
    assert len(cells) <= 102 * (sheets.MAX_COLUMNS + 1)  # streaming stopped at the limit


@pytest.mark.usefixtures("english")
def test_an_xlsx_declaring_nothing_is_counted_before_openpyxl_opens_it():
    from lms.staff.importer import parse_staff_file

    result = parse_staff_file(_bomb(20_000, None), max_rows=100)
    assert result.fatal and result.errors == [
        "line 102: file: a staff list may have at most 100 rows (limit: LMS_IMPORT_MAX_ROWS); "
        "split it into smaller files"
    ]


@pytest.mark.usefixtures("english")
def test_an_xlsx_that_unpacks_to_too_much_is_refused_unopened(monkeypatch):
    from lms import sheets
    from lms.staff import importer

    monkeypatch.setattr(sheets, "MAX_XLSX_UNPACKED", 1000)
    result = importer.parse_staff_file(_bomb(10, None))
    assert result.fatal and result.errors[0].startswith(
        "line 1: file: the workbook unpacks to more than 1000 bytes"
    )


def test_a_csv_over_the_row_limit_is_refused_and_the_web_page_says_so(app, client, make_staff):
    app.config["LMS_DEFAULT_LOCALE"] = "en"  # the English wording
    from io import BytesIO

    rows = "".join(f"N{n:03d},某{n}\n" for n in range(5))
    result = parse_staff_csv(("employee_no,name\n" + rows).encode(), max_rows=3)
    assert result.fatal and result.errors == [  # outside a request: the source language
        "第 5 行：文件：一份名单最多 3 行(上限：LMS_IMPORT_MAX_ROWS)，请拆分成较小的文件"
    ]
    app.config["LMS_IMPORT_MAX_ROWS"] = 3
    login(client, make_staff(("hr",)))
    response = client.post(
        "/lms/staff/import",
        data={"file": (BytesIO(("employee_no,name\n" + rows).encode()), "staff.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "at most 3 rows" in response.get_data(as_text=True)
    with app.app_context():
        assert "N000" not in staff_numbers()
