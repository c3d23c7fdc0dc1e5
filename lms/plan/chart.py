"""The per-department completion chart, drawn on the server as SVG (no script, no CDN).

One horizontal bar per department, split by status in the plan's order of urgency, with the
completion rate at its end. Text is escaped; the SVG is embedded in the page and also served alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from lms.i18n import _
from lms.plan.reports import DepartmentRow
from lms.plan.status import LABELS, STATES

COLOURS = {
    "overdue": "#b42318",
    "expired": "#e04f16",
    "due_soon": "#f79009",
    "expiring_soon": "#84cc16",
    "in_progress": "#2e90fa",
    "not_started": "#98a2b3",
    "certified": "#067647",
    "exempt": "#d0d5dd",
}
# Holding states are drawn first (left), then the rest, so the green part reads as "done".
DRAW_ORDER = ("certified", "expiring_soon", "exempt", "in_progress", "not_started", "due_soon",
              "expired", "overdue")  # fmt: skip

LABEL_W, BAR_W, VALUE_W, ROW_H, BAR_H, TOP = 170, 520, 70, 30, 20, 10


def department_chart(rows: Sequence[DepartmentRow], title: str | None = None) -> Markup:
    assert set(DRAW_ORDER) == set(STATES)
    title = title or _("各部门培训完成率")
    legend_h = 30
    height = TOP + len(rows) * ROW_H + legend_h + 10
    width = LABEL_W + BAR_W + VALUE_W
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="chart-title">',
        f'<title id="chart-title">{escape(title)}</title>',
        # Presentation attributes, not a <style> element: the LMS's CSP allows no inline styles.
        '<g font-family="Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif" '
        'font-size="13" fill="#1f2933">',
    ]
    for n, row in enumerate(rows):
        y = TOP + n * ROW_H
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{y + BAR_H - 5}" text-anchor="end" data-content="">'
            f"{escape(_clip(row.department))}</text>"
        )
        x = float(LABEL_W)
        total = row.assigned or 1
        for state in DRAW_ORDER:
            count = row.counts[state]
            if not count:
                continue
            w = BAR_W * count / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR_H}" '
                f'fill="{COLOURS[state]}"><title>{escape(row.department)} · '
                f"{escape(LABELS[state])}:{count}</title></rect>"
            )
            x += w
        parts.append(
            f'<text font-weight="700" x="{LABEL_W + BAR_W + 8}" y="{y + BAR_H - 5}">'
            f"{100 * row.completion:.0f}%</text>"
        )
    y = TOP + len(rows) * ROW_H + 8
    x = 0.0
    for state in DRAW_ORDER:
        parts.append(
            f'<rect x="{x:.0f}" y="{y}" width="12" height="12" fill="{COLOURS[state]}"/>'
            f'<text x="{x + 16:.0f}" y="{y + 11}">{escape(LABELS[state])}</text>'
        )
        x += 16 + _text_width(str(LABELS[state])) + 16
    parts.append("</g></svg>")
    return Markup("".join(parts))


def _text_width(text: str) -> float:
    """Rough width at 13 px: CJK characters are square, Latin letters about half as wide."""
    return sum(14 if ord(c) >= 0x2E80 else 7.5 for c in text)


def _clip(text: str, limit: int = 12) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
