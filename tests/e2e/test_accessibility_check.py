"""The axe helper itself: it must fail on a page with known violations, naming rule, node and
summary, and pass a clean page (else the journeys' "0 violations" would prove nothing)."""

from __future__ import annotations

import urllib.parse

import pytest
from playwright.sync_api import Page

from tests.e2e.helpers import (
    AXE,
    REMEMBER_COLOURS,
    axe_results,
    axe_violations,
    check_accessibility,
)

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


# Colours written in every way a computed style can give them back, most of them more than once,
# text that passes and text that fails, over plain, translucent and nested backgrounds.
COLOURS = """<!doctype html><html lang="zh-CN"><head><title>颜色</title><style>
.a { color: #767676; background: #fff; } .b { color: hsl(0.5turn 60% 30%); }
.c { color: oklch(45% 0.1 250); background: rgba(0, 0, 0, 0.05); } .d { opacity: 0.6; }
.e { color: color-mix(in srgb, teal 40%, white); } .f { color: rgb(0 0 0 / 0.5); }
.g { background: #1a1a2e; color: #e0e0e0; } .h { color: transparent; }
</style></head><body><main><h1>颜色</h1>
<p class="a">甲</p><p class="a">甲二</p><p class="b">乙</p><p class="b">乙二</p>
<div class="c"><p>丙</p><p class="a">丙甲</p></div><p class="d">丁</p><p class="d a">丁甲</p>
<p class="e">戊</p><p class="f">己</p><div class="g"><p>庚</p><p class="b">庚乙</p></div>
<p class="h">辛</p><table><tr><th class="a">表头</th><td class="e">格</td></tr></table>
</main></body></html>"""


def contrast_results(results: dict) -> dict:
    """Each node axe looked at for colour contrast: its outcome and what axe measured."""
    return {
        outcome: sorted(
            (" ".join(node["target"]), repr([check.get("data") for check in node["any"]]))
            for rule in results[outcome]
            for node in rule["nodes"]
        )
        for outcome in ("violations", "passes", "incomplete")
    }


def test_remembered_colours_give_exactly_what_axe_gives_alone(page: Page):
    """The helper's one change to axe (each colour text parsed once a page) changes no result."""
    options = {"runOnly": ["color-contrast"]}
    page.goto(data_url(COLOURS))
    helped = contrast_results(axe_results(page, options))
    plain = page.context.new_page()
    plain.goto(data_url(COLOURS))
    plain.evaluate(AXE.axe_script)
    alone = contrast_results(plain.evaluate("o => axe.run(document, o)", options))
    assert alone["violations"] and alone["passes"], alone  # the page tells them apart
    assert helped == alone
    assert plain.evaluate(REMEMBER_COLOURS) is True  # still fits the axe-core in use
    plain.close()
