"""The axe helper itself: it must fail on a page with known violations, naming rule, node and
summary, and pass a clean page (else the journeys' "0 violations" would prove nothing)."""

from __future__ import annotations

import urllib.parse

import pytest
from playwright.sync_api import Page

from tests.e2e.helpers import axe_violations, check_accessibility

BAD = """<!doctype html><html lang="zh-CN"><head><title>坏页面</title></head><body><main>
<h1>坏页面</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" id="no-alt">
<p style="color:#bbb;background:#fff" id="faint">看不清的字</p>
<table><tr><th id="empty-th"></th><td>1</td></tr></table>
</main></body></html>"""

GOOD = """<!doctype html><html lang="zh-CN"><head><title>好页面</title></head><body><main>
<h1>好页面</h1><p>清楚的字。</p></main></body></html>"""


def data_url(html: str) -> str:
    return "data:text/html;charset=utf-8," + urllib.parse.quote(html)


def test_the_helper_fails_listing_each_violation(page: Page):
    page.goto(data_url(BAD))
    found = axe_violations(page)
    assert any(v.startswith("image-alt: #no-alt: ") for v in found), found
    assert any(v.startswith("color-contrast: #faint: ") for v in found), found
    assert any(v.startswith("empty-table-header: #empty-th: ") for v in found), found
    with pytest.raises(AssertionError) as failure:
        check_accessibility(page)
    message = str(failure.value)
    assert "image-alt: #no-alt: Images must have alternative text" in message
    assert "violation(s) on data:text/html" in message


def test_the_helper_passes_a_clean_page(page: Page):
    page.goto(data_url(GOOD))
    assert axe_violations(page) == []
    check_accessibility(page)
