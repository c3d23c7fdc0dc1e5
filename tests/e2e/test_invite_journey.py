"""Journey: HR imports new staff (a near-duplicate department, a repeated row), prints their
activation slips, and one new person activates on a phone and lands on their plan."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import VIEWPORTS
from tests.e2e.helpers import check_accessibility, downloaded, log_in, pdf_text

PASSWORD = "spring-lantern-river"


def staff_csv(tag: str) -> bytes:
    rows = [
        "工号,姓名,部门,岗位",
        f"inv-{tag}-01,钱新来,住院服务中心,护士",  # close to the demo's 住院服务部
        f"inv-{tag}-02,孙小满,住院服务中心,护士",
        f"inv-{tag}-01,钱新来,住院服务中心,护士",  # the same person twice
    ]
    return ("\n".join(rows) + "\n").encode("utf-8")


def upload(page: Page, tag: str, skip_bad: bool) -> None:
    page.goto(page.url.split("/lms/")[0] + "/lms/staff/import")
    check_accessibility(page)
    page.get_by_label(re.compile("^员工名单")).set_input_files(
        files=[{"name": f"invite-{tag}.csv", "mimeType": "text/csv", "buffer": staff_csv(tag)}]
    )
    if skip_bad:
        page.get_by_label("跳过有错误的行，导入其余各行").check()
    page.get_by_role("button", name="预览").click()


def test_hr_invites_new_staff_and_one_activates_on_a_phone(
    page: Page, browser: Browser, live_server, shots
):
    base, _ = live_server
    tag = page.viewport_name
    log_in(page, base, "demo-hr", "hr-demo")
    expect(page.get_by_role("heading", name="培训概况")).to_be_visible()

    upload(page, tag, skip_bad=False)  # the repeated row is named, nothing imported
    expect(page.get_by_role("alert")).to_contain_text(
        f"第 4 行：工号：inv-{tag}-01 已在第 2 行出现"
    )
    upload(page, tag, skip_bad=True)
    expect(page.get_by_role("heading", name=re.compile("导入预览"))).to_be_visible()
    flags = page.locator("#department-flags")
    expect(flags).to_contain_text("住院服务中心")
    shots("import-preview-flags")
    flags.get_by_label(re.compile("改用已有部门“住院服务部”")).check()
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text(re.compile(r"已导入：新增 2 人"))).to_be_visible()
    check_accessibility(page)

    for number in range(1, 10):  # the list is by employee number, 50 to a page
        page.goto(base + f"/lms/staff/?page={number}")
        check_accessibility(page)
        if page.get_by_label(f"选择 inv-{tag}-01").count():
            break
    for n in ("01", "02"):
        page.get_by_label(f"选择 inv-{tag}-{n}").check()
    with page.expect_download() as info:
        page.get_by_role("button", name="打印激活单(PDF)").click()
    pages, text = pdf_text(downloaded(info.value))
    assert pages == 1 and "钱新来" in text and "孙小满" in text and "住院服务部" in text
    code = re.search(rf"inv-{tag}-01.*?激活码[:：]([2-9A-HJ-NP-Z]{{4}}-[2-9A-HJ-NP-Z]{{4}})", text)
    assert code, text

    phone = browser.new_context(viewport=VIEWPORTS["phone"], locale="zh-CN")
    try:
        learner = phone.new_page()
        learner.goto(base + "/lms/login")
        learner.get_by_role("link", name="用激活码激活账号").click()
        check_accessibility(learner)
        learner.get_by_label("工号").fill(f"inv-{tag}-01")
        learner.get_by_label("激活码").fill(code.group(1).lower())
        learner.get_by_label(re.compile("^新密码")).fill(PASSWORD)
        learner.get_by_label("再输入一次").fill(PASSWORD)
        learner.get_by_role("button", name="设置密码并登录").click()
        expect(learner.get_by_text("密码已设置，欢迎！")).to_be_visible()
        expect(learner.get_by_role("heading", name="我的课程")).to_be_visible()
        expect(learner.locator("main")).to_contain_text("我的培训计划")
        check_accessibility(learner)
        width = learner.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page scrolls sideways at 375 px ({width} px)"
    finally:
        phone.close()
