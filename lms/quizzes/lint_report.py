"""The bank linter on the trainer's pages: stored questions as lint items, findings as sentences
in the reader's language.

The rules are :mod:`lms.quizzes.lint` (pure); this module loads what they look at from the database
(the active questions of the active courses, so near-duplicates across courses are found too) and
says what a finding means. Findings are advice: nothing here blocks a save.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup, escape

from lms.courses.models import Course
from lms.db import session
from lms.i18n import _, _l, content, pgettext
from lms.quizzes.lint import BankReport, Finding, Item, LintSettings, lint_banks, lint_question
from lms.quizzes.models import Question, QuestionBank

# One sentence per finding code; values in %(…)s come from Finding.args.
TEXTS = {
    "key-longest": _l(
        "正确选项是最长的一项(%(length)s 字，其次 %(next)s 字)：只挑最长的就能答对。"
    ),
    "option-spread": _l("选项长短悬殊(%(shortest)s 到 %(longest)s 字)。"),
    "best-longest": _l("100 分的回应是最长的一项(%(length)s 字，其次 %(next)s 字)。"),
    "absolute-word": _l("错误的说法(%(where)s)用了绝对化的词 %(words)s，容易被猜出是错的。"),
    "leak": _l("答案写在了 %(other)s 的题干里。"),
    "gives-away": _l("题干里写出了 %(other)s 的答案。"),
    "clone": _l("题干与 %(other)s 的题干相似度 %(ratio)s%%。"),
    "unsupported-key": _l(
        "答案只有 %(share)s%% 能在出处引文中找到：请核对引文，或用 sources 补充引文。"
    ),
    "bank-single-longest": _l("单选题中正确选项最长的占 %(value)s%%(上限 %(bar)s%%)。"),
    "bank-true-share": _l(
        "判断题中答案为“正确”的占 %(value)s%%(应在 %(low)s%% 到 %(high)s%% 之间)。"
    ),
    "bank-scenario-longest": _l("情景题中 100 分回应最长的占 %(value)s%%(上限 %(bar)s%%)。"),
    "bank-blind-guess": _l(
        "不学课程、只靠挑最长的选项和回应、判断题猜多数答案，可得 %(value)s%%(上限 %(bar)s%%)。"
    ),
}


def settings() -> LintSettings:
    return LintSettings.from_config(current_app.config)


def stored_items() -> dict[str, list[Item]]:
    """The active questions of every active course, by course slug (two queries)."""
    rows = session.execute(
        sa.select(Course.slug, Question)
        .join(QuestionBank, QuestionBank.course_id == Course.id)
        .join(Question, Question.bank_id == QuestionBank.id)
        .where(Course.retired_at.is_(None), Question.retired_at.is_(None))
        .order_by(Course.position, Question.key)
    )
    banks: dict[str, list[Item]] = {}
    for slug, question in rows:
        data = {"id": question.key, **question.versions[-1].data}
        banks.setdefault(slug, []).append(Item(question.key, data, 0, slug))
    return banks


def course_report(course: Course) -> BankReport:
    """The linter's report on a course's active questions (clones across courses included)."""
    banks = stored_items()
    banks.setdefault(course.slug, [])
    return lint_banks(banks, settings(), paths={course.slug})[course.slug]


def question_warnings(course: Course, q: dict[str, Any]) -> list[Finding]:
    """The warnings for one question (bank format, with ``id``) among the course's others."""
    bank = stored_items().get(course.slug, [])
    return lint_question(Item(q["id"], q, 0, course.slug), bank, settings())


def describe(finding: Finding, *, quote: bool = False) -> Markup:
    """The finding as a sentence in the reader's language. ``quote`` adds the answer text it is
    about (leaks, unsupported keys), as written; off where answers must not show (a flash above
    the preview, which hides answers until asked)."""
    values: dict[str, Any] = dict(finding.args)
    if "words" in values:
        values["words"] = content(values["words"])
    if finding.code == "absolute-word":
        option = values.get("option")
        values["where"] = _("第 %(n)s 个选项", n=option) if option else pgettext("lint", "题干")
    template = TEXTS.get(finding.code)
    if template is None:
        return Markup.escape(finding.message)
    sentence = Markup(escape(str(template))) % values  # like i18n.fill
    if quote and finding.args.get("text"):
        sentence += Markup(" ") + content(f"“{finding.args['text']}”")
    return sentence


def by_question(report: BankReport) -> dict[str, list[Finding]]:
    found: dict[str, list[Finding]] = {}
    for finding in report.findings:
        if finding.key:
            found.setdefault(finding.key, []).append(finding)
    return found
