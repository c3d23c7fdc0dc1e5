"""Journey 4: an administrator reads the audit log and the login lockouts, on both widths, each
page checked by axe (as every journey's pages are)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.helpers import check_accessibility, log_in


def test_admin_reads_the_audit_log_and_the_lockouts(page: Page, live_server, shots):
    base, _ = live_server
    log_in(page, base, "demo-admin", "admin-demo")
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_role("link", name="审计日志").click()
    expect(page.get_by_role("heading", name="审计日志")).to_be_visible()
    shots("audit")
    nav.get_by_role("link", name="登录限制").click()
    expect(page.get_by_role("heading", name="登录限制")).to_be_visible()
    check_accessibility(page)
    nav.get_by_role("link", name="员工").click()
    check_accessibility(page)
    page.goto(f"{base}/lms/staff/demo-learner")  # a person's record
    expect(page.get_by_role("heading", name="李新员")).to_be_visible()
    check_accessibility(page)

    # The skip link is the first stop of the keyboard, shown when focused, and leads to the page.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0, "visible on focus"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
