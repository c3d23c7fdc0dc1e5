"""Journey 3: HR imports new staff, adds a requirement for their department, watches the compliance
matrix change, and prints a batch of certificates."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.e2e.helpers import check_accessibility, downloaded, log_in, pdf_text

COURSE_TITLE = "投诉处理"  # courses/complaints
DUE_DAYS = 30
LEARNER = "李新员"  # demo-learner, 门诊服务中心: the demo issues them a certificate today


def new_staff(tag: str) -> list[tuple[str, str, int, str]]:
    """(employee no, name, days since hire, status expected with a 30-day onboarding rule)."""
    return [
        (f"e2e-{tag}-01", "周晓新", 60, "已逾期"),
        (f"e2e-{tag}-02", "吴晨光", 20, "即将到期"),  # due in 10 days: within the 14 "due soon"
        (f"e2e-{tag}-03", "郑雨桐", 3, "未开始"),
    ]


def staff_csv(department: str, people: list[tuple[str, str, int, str]]) -> bytes:
    today = date.today()
    lines = ["工号,姓名,部门,岗位,入职日期"]
    for employee_no, name, days, _ in people:
        lines.append(f"{employee_no},{name},{department},导医,{today - timedelta(days=days)}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def import_staff(page: Page, tag: str, department: str, people, shots) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="员工").click()
    check_accessibility(page)
    page.get_by_role("link", name="导入员工名单").click()
    expect(page.get_by_role("heading", name="导入员工名单")).to_be_visible()
    check_accessibility(page)
    page.get_by_label(re.compile("^员工名单")).set_input_files(
        files=[
            {"name": f"new-staff-{tag}.csv", "mimeType": "text/csv",
             "buffer": staff_csv(department, people)}
        ]
    )  # fmt: skip
    page.get_by_role("button", name="预览").click()
    expect(page.get_by_role("heading", name=re.compile("导入预览"))).to_be_visible()
    expect(page.locator("main")).to_contain_text(re.compile(r"将新增\s*3\s*人"))
    for employee_no, name, _, _ in people:
        row = page.get_by_role("row").filter(has_text=employee_no)
        expect(row).to_contain_text(name)
        expect(row).to_contain_text("新增")
    shots("staff-import-preview")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text(re.compile(r"已导入：新增 3 人"))).to_be_visible()
    check_accessibility(page)


def open_matrix_for(page: Page, department: str) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="培训计划").click()
    expect(page.get_by_role("heading", name=re.compile("合规矩阵"))).to_be_visible()
    check_accessibility(page)  # the whole organisation's matrix
    filters = page.locator("form.filters")
    filters.locator("select[name=department]").select_option(department)
    filters.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"[?&]department="))
    check_accessibility(page)


def requirement_column(page: Page, department: str) -> int | None:
    """Index of the matrix column of the requirement whose audience is ``department``."""
    headers = page.locator("table.matrix thead th")
    for i in range(headers.count()):
        th = headers.nth(i)
        if COURSE_TITLE in th.inner_text() and th.locator("small").inner_text() == department:
            return i
    return None


def add_requirement(page: Page, department: str, shots) -> None:
    page.get_by_role("navigation", name="培训计划").get_by_role("link", name="培训要求").click()
    check_accessibility(page)
    page.get_by_role("link", name="新增培训要求").click()
    expect(page.get_by_role("heading", name="新增培训要求")).to_be_visible()
    page.get_by_label("课程").select_option(label=COURSE_TITLE)
    page.get_by_label(re.compile("^部门")).fill(department)
    page.get_by_label(re.compile("^入职后多少天内完成")).fill(str(DUE_DAYS))
    # In force since long ago, so people hired before today are already counted from their hire.
    page.get_by_label(re.compile("^开始执行日期")).fill("2020-01-01")
    shots("requirement-form")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已新增培训要求")).to_be_visible()
    check_accessibility(page)


def print_batch(page: Page, tag: str, shots) -> None:
    fmt = "pdf" if tag == "desktop" else "zip"
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="证书").click()
    expect(page.get_by_role("heading", name=re.compile("证书管理"))).to_be_visible()
    check_accessibility(page)
    # Today's certificates of the learner's department: the ones issued through the app.
    filters = page.locator("form.filters")
    filters.get_by_label("部门", exact=True).select_option("门诊服务中心")
    filters.get_by_label("发证日期从").fill(date.today().isoformat())
    filters.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"[?&]issued_from=\d{4}-"))
    expect(page.get_by_role("row").filter(has_text=LEARNER).first).to_be_visible()
    check_accessibility(page)
    batch = page.locator("section.card", has=page.get_by_role("heading", name="批量打印"))
    count = int(re.search(r"共\s*(\d+)\s*份", batch.inner_text()).group(1))
    assert count >= 1
    batch.get_by_label("合并为一个 PDF" if fmt == "pdf" else re.compile("^ZIP")).check()
    batch.get_by_role("button", name="开始批量打印").click()
    expect(page.get_by_role("heading", name=re.compile(r"批量打印 #\d+"))).to_be_visible()
    check_accessibility(page)  # while it runs
    link = page.get_by_role("link", name="下载结果")
    expect(link).to_be_visible(timeout=60_000)
    expect(page.get_by_role("status").filter(has_text="已完成")).to_contain_text(f"{count} 份")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", str(count))
    shots("batch-done")
    with page.expect_download() as download_info:
        link.click()
    data = downloaded(download_info.value)
    if fmt == "pdf":
        pages, text = pdf_text(data)
        assert pages >= count, (pages, count)
        assert LEARNER in text, text
    else:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            pdfs = [n for n in names if n.endswith(".pdf")]
            assert "register.csv" in names and len(pdfs) == count, names
            register = archive.read("register.csv").decode("utf-8-sig")
            assert LEARNER in register, register
            mine = next(n for n in pdfs if LEARNER in n)
            pages, text = pdf_text(archive.read(mine))
        assert pages >= 1 and LEARNER in text, text


def test_hr_imports_staff_sets_a_requirement_and_prints_certificates(
    page: Page, live_server, shots
):
    base, _ = live_server
    tag = page.viewport_name
    department = f"演练部-{tag}"
    people = new_staff(tag)
    log_in(page, base, "demo-hr", "hr-demo")
    import_staff(page, tag, department, people, shots)

    # The new people are in the matrix, but no requirement names their department yet.
    open_matrix_for(page, department)
    rows = page.locator("table.matrix tbody tr")
    expect(rows).to_have_count(len(people))
    assert requirement_column(page, department) is None

    add_requirement(page, department, shots)
    open_matrix_for(page, department)
    column = requirement_column(page, department)
    assert column is not None, "the new requirement has its column"
    for employee_no, _, days, state in people:
        cell = rows.filter(has_text=employee_no).locator("td").nth(column)
        expect(cell).to_contain_text(state)
        due = date.today() - timedelta(days=days) + timedelta(days=DUE_DAYS)
        expect(cell).to_contain_text(due.isoformat())
    shots("matrix")
    matrix_keeps_names_in_view(page)

    tour_plan_pages(page, department, people, shots)
    print_batch(page, tag, shots)


def matrix_keeps_names_in_view(page: Page) -> None:
    """Scrolled sideways on a phone, the matrix still shows whose row it is."""
    wrap = page.locator(".table-wrap", has=page.locator("table.matrix"))
    first = page.locator("table.matrix tbody tr").first.locator("td").first
    before = first.bounding_box()["x"]
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    assert abs(first.bounding_box()["x"] - before) < 2, "the first column stays put"


def tour_plan_pages(page: Page, department: str, people, shots) -> None:
    """Every list of the training plan, and one person's plan, each checked by axe."""
    plan_nav = page.get_by_role("navigation", name="培训计划")
    plan_nav.get_by_role("link", name="逾期名单").click()
    expect(page.get_by_role("heading", name=re.compile("逾期名单"))).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=people[0][0]).first).to_be_visible()
    shots("overdue")
    if page.viewport_name == "phone":  # one card per row, each value under its column's name
        cell = page.get_by_role("row").filter(has_text=people[0][0]).first.get_by_role("cell").first
        assert cell.evaluate("td => getComputedStyle(td, '::before').content") == '"工号"'
    plan_nav.get_by_role("link", name="即将到期").click()
    expect(page.get_by_role("heading", name=re.compile("到期的认证"))).to_be_visible()
    check_accessibility(page)
    plan_nav.get_by_role("link", name="部门完成率").click()
    expect(page.get_by_role("heading", name="各部门完成率")).to_be_visible()
    shots("departments")
    open_matrix_for(page, department)
    page.get_by_role("link", name=people[0][0]).click()
    expect(page.get_by_role("heading", name=re.compile("的培训计划"))).to_be_visible()
    check_accessibility(page)
