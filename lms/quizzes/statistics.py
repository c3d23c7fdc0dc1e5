"""Item statistics, as Moodle's quiz statistics report them: is each question doing its job?

For every question (all its versions together, and each version alone), from graded attempts:

- **attempts**: how many graded responses there are;
- **facility index**: the mean score (0–1); near 0 nobody gets it, near 1 everybody does;
- **discrimination index**: the correlation between the score on this item and the score on the rest
  of the attempt. Positive means stronger learners do better on it; negative usually means a wrong
  key or a misleading question. ``None`` when it is undefined (fewer than two attempts, or no spread
  in either score). The rest of the attempt is the *mean* score of the other questions, not their
  sum, so attempts drawn when the course asked a different number of questions stay comparable
  (with equal-size attempts the correlation is the same as Moodle's);
- **choices**: how often each option was chosen (option types), or the most frequent distinct
  answers (other types; short answers after the usual normalisation);
- **flags**: ``too_hard`` (facility < 0.1), ``too_easy`` (> 0.95), ``check_key`` (negative
  discrimination), or ``few_attempts`` when there are too few to judge (then nothing else is flagged).
- **suggested difficulty**: 1 (facility ≥ 0.8), 3 (≤ 0.4) or 2, once there are at least
  ``SUGGEST_MIN_ATTEMPTS`` responses, to compare with the difficulty the author stated.

:func:`item_statistics` is pure; :func:`course_statistics` loads a course's data in a constant number
of queries and calls it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from lms.courses.models import Course
from lms.db import session
from lms.i18n import _, _l
from lms.quizzes import grading
from lms.quizzes.models import Attempt, Question, QuestionBank, Response
from lms.quizzes.review import describe

MIN_ATTEMPTS = 10
TOO_HARD = 0.1
TOO_EASY = 0.95
TOP_ANSWERS = 5
SUGGEST_MIN_ATTEMPTS = 20
EASY_FACILITY = 0.8  # at or above: difficulty 1
HARD_FACILITY = 0.4  # at or below: difficulty 3
FLAG_LABELS = {
    "too_hard": _l("太难"),
    "too_easy": _l("太容易"),
    "check_key": _l("请检查答案"),
    "few_attempts": _l("作答太少，暂不判断"),
}
_OPTION_TYPES = ("single", "multiple", "scenario")
_EPSILON = 1e-12


@dataclass(frozen=True)
class ResponseRow:
    """One graded answer: which attempt, which question version, what was answered, its score."""

    attempt_id: int
    version_id: int
    answer: Any
    score: float


@dataclass(frozen=True)
class VersionRow:
    id: int
    question_id: int
    version: int
    data: dict[str, Any]


@dataclass(frozen=True)
class Choice:
    label: str
    count: int
    share: float  # of the item's attempts
    # What the choice earns: for an option, its key (1 right, 0 wrong, a scenario grade / 100);
    # for an answer, the mean score it got.
    credit: float | None


@dataclass(frozen=True)
class ItemStats:
    attempts: int
    facility: float
    discrimination: float | None
    choices: list[Choice]
    unanswered: int
    other: int  # answers left out of ``choices`` beyond the top few
    flags: list[str]

    @property
    def suggested_difficulty(self) -> int | None:
        return suggested_difficulty(self.facility, self.attempts)


@dataclass(frozen=True)
class QuestionStats:
    question_id: int
    overall: ItemStats
    versions: dict[int, ItemStats]  # version number -> statistics of that version alone


@dataclass
class _Sample:
    score: float
    rest: float | None  # mean score of the attempt's other questions; None if it had no others
    answer: Any


@dataclass
class _Tally:
    """Counts for one version, or merged for a question; options keep their bank order."""

    options: dict[str, list[float]] = field(default_factory=dict)  # label -> [count, credit]
    answers: dict[str, list[float]] = field(default_factory=dict)  # label -> [count, score sum]
    unanswered: int = 0

    def merge(self, other: _Tally) -> None:
        for label, (count, credit) in other.options.items():
            self.options.setdefault(label, [0, credit])[0] += count
        for label, (count, total) in other.answers.items():
            entry = self.answers.setdefault(label, [0, 0.0])
            entry[0] += count
            entry[1] += total
        self.unanswered += other.unanswered


def suggested_difficulty(
    facility: float, attempts: int, *, least: int = SUGGEST_MIN_ATTEMPTS
) -> int | None:
    """The difficulty (1 easy, 2 medium, 3 hard) the learners' results point to; None with fewer
    than ``least`` responses, too few to contradict what the author stated."""
    if attempts < least:
        return None
    if facility >= EASY_FACILITY:
        return 1
    if facility <= HARD_FACILITY:
        return 3
    return 2


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Correlation coefficient; None when undefined (under two points or no spread)."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx < _EPSILON or syy < _EPSILON:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return sxy / math.sqrt(sxx * syy)


def _option_credit(qtype: str, option: Mapping[str, Any]) -> float:
    if qtype == "scenario":
        return option.get("grade", 0) / 100
    if "weight" in option:
        return max(0.0, option["weight"] / 100)
    return 1.0 if option.get("correct") is True else 0.0


def _answer_label(data: dict[str, Any], answer: Any) -> str:
    if data["type"] == "short":
        return grading.normalise_short(str(answer))
    if data["type"] == "numerical":
        # "８", "8.0" and "8" are one answer; text that is no number is counted as written.
        number = grading.parse_number(str(answer))
        if number is None:
            return grading.normalise_short(str(answer))
        return grading.format_number(number)
    try:
        return describe(data, answer)
    except (KeyError, IndexError, TypeError, ValueError):
        return _("(无法识别的答案 %(answer)r)", answer=answer)


def _tally(data: dict[str, Any], samples: list[_Sample]) -> _Tally:
    tally = _Tally()
    qtype = data["type"]
    if qtype in _OPTION_TYPES:
        texts = [option["text"] for option in data["options"]]
        for option in data["options"]:
            tally.options.setdefault(option["text"], [0, _option_credit(qtype, option)])
    for sample in samples:
        if sample.answer is None:
            tally.unanswered += 1
        elif qtype in _OPTION_TYPES:
            chosen = sample.answer if isinstance(sample.answer, list) else [sample.answer]
            for index in chosen:
                if isinstance(index, int) and 0 <= index < len(texts):
                    tally.options[texts[index]][0] += 1
        else:
            entry = tally.answers.setdefault(_answer_label(data, sample.answer), [0, 0.0])
            entry[0] += 1
            entry[1] += sample.score
    return tally


def _flags(attempts: int, facility: float, discrimination: float | None, least: int) -> list[str]:
    if attempts < least:
        return ["few_attempts"]
    flags = []
    if facility < TOO_HARD:
        flags.append("too_hard")
    elif facility > TOO_EASY:
        flags.append("too_easy")
    if discrimination is not None and discrimination < -1e-9:
        flags.append("check_key")
    return flags


def _stats(samples: list[_Sample], tally: _Tally, least: int, top: int) -> ItemStats:
    n = len(samples)
    facility = sum(s.score for s in samples) / n
    paired = [s for s in samples if s.rest is not None]
    discrimination = pearson([s.score for s in paired], [s.rest for s in paired])
    choices = [
        Choice(label, int(count), count / n, credit)
        for label, (count, credit) in tally.options.items()
    ]
    ranked = sorted(tally.answers.items(), key=lambda kv: (-kv[1][0], kv[0]))
    choices += [
        Choice(label, int(count), count / n, total / count)
        for label, (count, total) in ranked[:top]
    ]
    return ItemStats(
        attempts=n,
        facility=facility,
        discrimination=discrimination,
        choices=choices,
        unanswered=tally.unanswered,
        other=int(sum(count for _, (count, _) in ranked[top:])),
        flags=_flags(n, facility, discrimination, least),
    )


def item_statistics(
    responses: Iterable[ResponseRow],
    versions: Mapping[int, VersionRow],
    *,
    min_attempts: int = MIN_ATTEMPTS,
    top: int = TOP_ANSWERS,
) -> dict[int, QuestionStats]:
    """Statistics per question id, from every graded response of the attempts concerned.

    ``responses`` must hold *all* responses of each attempt (the rest-of-attempt score needs them);
    those whose version is not in ``versions`` count towards their attempt but get no statistics.
    """
    responses = list(responses)
    totals: dict[int, float] = defaultdict(float)
    sizes: dict[int, int] = defaultdict(int)
    for r in responses:
        totals[r.attempt_id] += r.score
        sizes[r.attempt_id] += 1
    by_version: dict[int, list[_Sample]] = defaultdict(list)
    for r in responses:
        if r.version_id not in versions:
            continue
        size = sizes[r.attempt_id]
        rest = (totals[r.attempt_id] - r.score) / (size - 1) if size > 1 else None
        by_version[r.version_id].append(_Sample(r.score, rest, r.answer))

    per_question: dict[int, list[VersionRow]] = defaultdict(list)
    for version_id in by_version:
        row = versions[version_id]
        per_question[row.question_id].append(row)
    result = {}
    for question_id, rows in per_question.items():
        rows.sort(key=lambda row: row.version, reverse=True)  # latest first: its option order leads
        merged, pooled, each = _Tally(), [], {}
        for row in rows:
            samples = by_version[row.id]
            tally = _tally(row.data, samples)
            each[row.version] = _stats(samples, tally, min_attempts, top)
            merged.merge(tally)
            pooled.extend(samples)
        result[question_id] = QuestionStats(
            question_id=question_id,
            overall=_stats(pooled, merged, min_attempts, top),
            versions=dict(sorted(each.items())),
        )
    return result


def course_statistics(course: Course) -> tuple[list[Question], dict[int, QuestionStats]]:
    """The course's questions (with versions) and their statistics, in three queries in all."""
    questions = list(
        session.scalars(
            sa.select(Question)
            .join(QuestionBank, QuestionBank.id == Question.bank_id)
            .where(QuestionBank.course_id == course.id)
            .order_by(Question.key)
        )
    )  # versions follow in one selectin query
    versions = {
        v.id: VersionRow(v.id, q.id, v.version, v.data) for q in questions for v in q.versions
    }
    rows = session.execute(
        sa.select(
            Response.attempt_id, Response.question_version_id, Response.answer, Response.score
        )
        .join(Attempt, Attempt.id == Response.attempt_id)
        .where(
            Attempt.course_id == course.id,
            Attempt.status == "graded",
            Response.score.is_not(None),
        )
    )
    responses = [ResponseRow(a, v, answer, score) for a, v, answer, score in rows]
    return questions, item_statistics(responses, versions)
