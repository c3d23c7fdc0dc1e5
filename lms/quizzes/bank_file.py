"""Question-bank files (``quizzes/<course-slug>.yaml``) and the rules every question must follow.

The rules live in :func:`question_problems`, shared by the file loader and (later) the authoring forms,
so a question is valid or not in one place.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lms.formats.errors import ContentError
from lms.formats.yamlfile import LinedDict, YamlError, load_yaml
from lms.quizzes.models import QUESTION_TYPES

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
SECTION_RE = re.compile(r"^([a-z0-9][a-z0-9-]*)#([^#\s]+)$")
SCENARIO_GRADES = (0, 50, 100)
# Moodle's rounding slack: three right options of 33.33333% add up to full marks.
WEIGHT_SLACK = 0.01

# Fields kept in a question version, per type (besides the common ones).
TYPE_FIELDS = {
    "single": ("options",),
    "multiple": ("options",),
    "truefalse": ("answer",),
    "ordering": ("steps",),
    "matching": ("pairs", "distractors"),
    "short": ("accepted", "partial"),
    "scenario": ("options",),
    "numerical": ("answers",),
}
COMMON_FIELDS = (
    "id", "type", "difficulty", "section", "stem", "feedback", "source", "sources", "excludes",
)  # fmt: skip


@dataclass
class BankQuestion:
    key: str
    type: str
    difficulty: int
    lesson_slug: str
    anchor: str
    data: dict[str, Any]
    line: int
    section_line: int
    source_line: int
    # One line per entry of ``sources`` (a question may quote several passages).
    sources_lines: list[int] = field(default_factory=list)
    field_lines: dict[str, int] = field(default_factory=dict)  # where each field is written

    @property
    def content_hash(self) -> str:
        return content_hash(self.data)

    def quotes(self) -> list[tuple[dict[str, Any], int]]:
        """Every ``{file, quote}`` of the question with the line it is written on."""
        found = []
        if isinstance(self.data.get("source"), dict):
            found.append((self.data["source"], self.source_line))
        for i, source in enumerate(self.data.get("sources") or []):
            line = self.sources_lines[i] if i < len(self.sources_lines) else self.source_line
            found.append((source, line))
        return found


@dataclass
class BankFile:
    course_slug: str
    path: str
    content_hash: str
    questions: list[BankQuestion] = field(default_factory=list)
    key_lines: dict[str, int] = field(default_factory=dict)


def _text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _is_quote(source: Any) -> bool:
    return isinstance(source, dict) and _text(source.get("file")) and _text(source.get("quote"))


def quotes_of(q: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The passages a question rests on: ``source`` first, then each of ``sources``."""
    found = [q["source"]] if _is_quote(q.get("source")) else []
    sources = q.get("sources")
    if isinstance(sources, list):
        found += [s for s in sources if _is_quote(s)]
    return found


def question_problems(q: dict[str, Any], *, require_feedback: bool = True) -> list[tuple[str, str]]:
    """Return ``(field, problem)`` for everything wrong with one question; empty when it is valid.

    ``require_feedback`` is on for the course's own bank files and the authoring form (our questions
    explain their answer); imports turn it off, because Moodle does not require feedback and a bank
    brought from elsewhere must import as it is (the trainer's list marks those questions).
    """
    problems: list[tuple[str, str]] = []
    qtype = q.get("type")
    if qtype not in QUESTION_TYPES:
        return [("type", f"type must be one of {', '.join(QUESTION_TYPES)}, not {qtype!r}")]
    if not isinstance(q.get("id"), str) or not ID_RE.match(q["id"]):
        problems.append(("id", "id must be lower-case letters, digits, '-' or '_'"))
    if q.get("difficulty") not in (1, 2, 3):
        problems.append(("difficulty", "difficulty must be 1, 2 or 3"))
    if not isinstance(q.get("section"), str) or not SECTION_RE.match(q["section"]):
        problems.append(("section", "section must look like lesson-slug#anchor"))
    if not _text(q.get("stem")):
        problems.append(("stem", "stem is required"))
    feedback = q.get("feedback")
    if require_feedback and not _text(feedback):
        problems.append(("feedback", "feedback is required"))
    elif feedback is not None and not isinstance(feedback, str):
        problems.append(("feedback", "feedback must be text"))
    source = q.get("source")
    if source is not None and not _is_quote(source):
        problems.append(("source", "source needs file and quote"))
    sources = q.get("sources")
    if sources is not None and not (
        isinstance(sources, list) and sources and all(_is_quote(s) for s in sources)
    ):
        problems.append(("sources", "sources must be a list of {file, quote}"))
    excludes = q.get("excludes")
    if excludes is not None and not (
        isinstance(excludes, list)
        and excludes
        and all(isinstance(x, str) and ID_RE.match(x) and x != q.get("id") for x in excludes)
    ):
        problems.append(("excludes", "excludes must be a list of other questions' ids"))
    allowed = set(COMMON_FIELDS) | set(TYPE_FIELDS[qtype])
    for name in q:
        if name not in allowed:
            problems.append((name, f"unknown field {name!r} for a {qtype} question"))
    if qtype == "scenario":
        problems.extend(_check_scenario(q, ours=require_feedback))
    else:
        problems.extend(_TYPE_CHECKS[qtype](q))
    return problems


def _options(q: dict[str, Any], low: int, high: int) -> tuple[list[dict], list[tuple[str, str]]]:
    options = q.get("options")
    if not isinstance(options, list) or not low <= len(options) <= high:
        return [], [("options", f"needs {low} to {high} options")]
    problems = []
    for i, option in enumerate(options, 1):
        if not isinstance(option, dict) or not _text(option.get("text")):
            problems.append(("options", f"option {i} needs text"))
            continue
        extra = set(option) - {"text", "correct", "grade", "weight", "feedback"}
        if extra:
            problems.append(("options", f"option {i} has unknown field(s) {sorted(extra)}"))
        if "correct" in option and not isinstance(option["correct"], bool):
            problems.append(("options", f"option {i}: correct must be true or false"))
    texts = [o["text"] for o in options if isinstance(o, dict) and _text(o.get("text"))]
    if len(set(texts)) != len(texts):
        problems.append(("options", "two options have the same text"))
    return [o for o in options if isinstance(o, dict)], problems


def _check_single(q: dict[str, Any]) -> list[tuple[str, str]]:
    options, problems = _options(q, 3, 6)
    if options and sum(1 for o in options if o.get("correct") is True) != 1:
        problems.append(("options", "a single-choice question needs exactly one correct option"))
    return problems


def _is_weight(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and -100 <= value <= 100


def _check_multiple(q: dict[str, Any]) -> list[tuple[str, str]]:
    options, problems = _options(q, 3, 8)
    weighted = [o for o in options if "weight" in o]
    if weighted:
        return problems + _check_weights(options, len(weighted))
    right = sum(1 for o in options if o.get("correct") is True)
    if options and (right < 2 or right == len(options)):
        problems.append(
            (
                "options",
                "a multiple-answer question needs at least two correct and one wrong option",
            )
        )
    return problems


def _check_weights(options: list[dict], weighted: int) -> list[tuple[str, str]]:
    """Moodle's weighted multiple answer: each option a weight from -100 to 100 (percent of the
    mark), the positive ones adding up to 100, and ``correct`` exactly on the positive ones."""
    if weighted != len(options):
        return [("options", "when one option has a weight, every option needs one")]
    problems = []
    for i, option in enumerate(options, 1):
        weight = option["weight"]
        if not _is_weight(weight):
            problems.append(("options", f"option {i}: weight must be a number from -100 to 100"))
        elif (option.get("correct") is True) != (weight > 0):
            problems.append(
                ("options", f"option {i}: correct must be true exactly when the weight is positive")
            )
    if problems:
        return problems
    positive = [o["weight"] for o in options if o["weight"] > 0]
    if not positive or len(positive) == len(options):
        problems.append(
            ("options", "a multiple-answer question needs a positive and a zero or negative weight")
        )
    elif abs(sum(positive) - 100) > WEIGHT_SLACK:
        problems.append(
            ("options", f"the positive weights must add up to 100, not {sum(positive):g}")
        )
    return problems


def _check_scenario(q: dict[str, Any], ours: bool = True) -> list[tuple[str, str]]:
    """Our own scenarios (bank files, the form) grade replies 100/50/0 and explain each one; an
    imported one is Moodle's single choice with partial credit: any grade from 0 to 100 (Moodle's
    ``~%25%``), feedback optional."""
    options, problems = _options(q, 3, 5)
    for i, option in enumerate(options, 1):
        grade = option.get("grade")
        if ours and grade not in SCENARIO_GRADES:
            problems.append(("options", f"reply {i}: grade must be 100, 50 or 0"))
        elif not ours and not (_is_weight(grade) and 0 <= grade <= 100):
            problems.append(("options", f"reply {i}: grade must be a number from 0 to 100"))
        if ours and not _text(option.get("feedback")):
            problems.append(("options", f"reply {i}: each reply needs its own feedback"))
        if "correct" in option:
            problems.append(("options", f"reply {i}: scenario replies use grade, not correct"))
    if options and sum(1 for o in options if o.get("grade") == 100) != 1:
        problems.append(("options", "a scenario needs exactly one best reply (grade 100)"))
    return problems


def _check_truefalse(q: dict[str, Any]) -> list[tuple[str, str]]:
    if not isinstance(q.get("answer"), bool):
        return [("answer", "answer must be true or false")]
    return []


def _check_ordering(q: dict[str, Any]) -> list[tuple[str, str]]:
    steps = q.get("steps")
    if not isinstance(steps, list) or len(steps) < 3 or not all(_text(s) for s in steps):
        return [("steps", "an ordering question needs 3 or more steps")]
    if len(set(steps)) != len(steps):
        return [("steps", "two steps have the same text")]
    return []


def _check_matching(q: dict[str, Any]) -> list[tuple[str, str]]:
    pairs = q.get("pairs")
    if not isinstance(pairs, list) or len(pairs) < 3:
        return [("pairs", "a matching question needs 3 or more pairs")]
    problems = []
    for i, pair in enumerate(pairs, 1):
        if not isinstance(pair, dict) or not (_text(pair.get("left")) and _text(pair.get("right"))):
            problems.append(("pairs", f"pair {i} needs left and right"))
    distractors = q.get("distractors", [])
    if not isinstance(distractors, list) or not all(_text(d) for d in distractors):
        problems.append(("distractors", "distractors must be a list of texts"))
    if not problems:
        lefts = [p["left"] for p in pairs]
        rights = [p["right"] for p in pairs] + list(distractors)
        if len(set(lefts)) != len(lefts) or len(set(rights)) != len(rights):
            problems.append(("pairs", "left items and right items must each be unique"))
    return problems


def _check_short(q: dict[str, Any]) -> list[tuple[str, str]]:
    accepted = q.get("accepted")
    if not isinstance(accepted, list) or not accepted or not all(_text(a) for a in accepted):
        return [("accepted", "a short-answer question needs at least one accepted answer")]
    partial = q.get("partial")
    if partial is None:
        return []
    if not isinstance(partial, list) or not partial:
        return [("partial", "partial must be a list of {text, weight}")]
    problems = []
    for i, item in enumerate(partial, 1):
        if (
            not isinstance(item, dict)
            or set(item) != {"text", "weight"}
            or not _text(item.get("text"))
        ):
            problems.append(("partial", f"partial answer {i} needs text and weight"))
        elif not _is_weight(item["weight"]) or not 0 < item["weight"] < 100:
            problems.append(
                ("partial", f"partial answer {i}: weight must be between 0 and 100 (exclusive)")
            )
        elif item["text"] in accepted:
            problems.append(("partial", f"partial answer {i} is already an accepted answer"))
    return problems


# A numerical answer is a value with an optional tolerance, or a range (Moodle's {#8:1}, {#3.1..3.2}).
NUMERICAL_FIELDS = ("value", "tolerance", "min", "max", "weight", "feedback")
MAX_NUMERICAL_ANSWERS = 20


def is_number(value: Any) -> bool:
    """A finite int or float (not a bool, not NaN or infinity, not an integer too large for a
    float): the only numbers a key may hold."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int of hundreds of digits, as YAML reads one
        return False


def _check_numerical(q: dict[str, Any]) -> list[tuple[str, str]]:
    """One or more answers, each ``value`` (± ``tolerance`` ≥ 0) or ``min``..``max``, with a weight
    0 < w ≤ 100 (default 100); at least one at 100, so a learner can earn full marks."""
    answers = q.get("answers")
    if not isinstance(answers, list) or not 1 <= len(answers) <= MAX_NUMERICAL_ANSWERS:
        return [
            (
                "answers",
                f"a numerical question needs 1 to {MAX_NUMERICAL_ANSWERS} answers "
                "(value and tolerance, or min and max)",
            )
        ]
    problems: list[tuple[str, str]] = []
    full = False
    for i, answer in enumerate(answers, 1):
        if not isinstance(answer, dict):
            problems.append(("answers", f"answer {i} needs value or min and max"))
            continue
        extra = set(answer) - set(NUMERICAL_FIELDS)
        if extra:
            problems.append(("answers", f"answer {i} has unknown field(s) {sorted(extra)}"))
        problems.extend(("answers", f"answer {i}: {p}") for p in _numerical_answer(answer))
        weight = answer.get("weight", 100)
        if not (is_number(weight) and 0 < weight <= 100):
            problems.append(("answers", f"answer {i}: weight must be more than 0 and at most 100"))
        elif weight == 100:
            full = True
        feedback = answer.get("feedback")
        if feedback is not None and not isinstance(feedback, str):
            problems.append(("answers", f"answer {i}: feedback must be text"))
    if not problems and not full:
        problems.append(("answers", "a numerical question needs an answer with weight 100"))
    return problems


def _number_problem(name: str, value: Any) -> str | None:
    if value is None:
        return f"{name} is missing"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{name} must be a finite number, not {value}"
    if not is_number(value):
        return f"{name} must be a number, not {value!r}"
    return None


def _numerical_answer(answer: dict[str, Any]) -> list[str]:
    """What is wrong with one answer's numbers (the weight and feedback are checked apart)."""
    ranged = "min" in answer or "max" in answer
    if ranged and ("value" in answer or "tolerance" in answer):
        return ["give value (and tolerance) or min and max, not both"]
    if not ranged and "value" not in answer:
        return ["value is missing (or give min and max)"]
    names = ("min", "max") if ranged else ("value", "tolerance")
    found = [
        p
        for name in names
        if (name != "tolerance" or "tolerance" in answer)
        and (p := _number_problem(name, answer.get(name)))
    ]
    if found:
        return found
    if ranged and answer["min"] > answer["max"]:
        return [f"min {answer['min']} is more than max {answer['max']}"]
    if not ranged and answer.get("tolerance", 0) < 0:
        return ["tolerance must not be negative"]
    return []


_TYPE_CHECKS = {
    "single": _check_single,
    "multiple": _check_multiple,
    "truefalse": _check_truefalse,
    "ordering": _check_ordering,
    "matching": _check_matching,
    "short": _check_short,
    "scenario": _check_scenario,
    "numerical": _check_numerical,
}


def version_data(question: Mapping[str, Any]) -> dict[str, Any]:
    """What a question version stores: the question minus its id and difficulty, as plain JSON."""
    return {k: _plain(v) for k, v in question.items() if k not in ("id", "difficulty")}


def content_hash(data: Mapping[str, Any]) -> str:
    """One digest for a version's data, wherever it comes from (file, browser, import)."""
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def _plain(value: Any) -> Any:
    """Strip the line bookkeeping so stored data is ordinary JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_bank(path: Path, display: str) -> tuple[BankFile | None, list[ContentError]]:
    raw = path.read_bytes()
    errors: list[ContentError] = []
    try:
        doc = load_yaml(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, [ContentError(display, 1, "file is not UTF-8 text")]
    except YamlError as exc:
        return None, [ContentError(display, exc.line, exc.message)]
    if not isinstance(doc, LinedDict):
        return None, [
            ContentError(display, 1, "a bank file is a mapping with course and questions")
        ]
    bank = BankFile(
        course_slug=path.stem, path=display, content_hash=hashlib.sha256(raw).hexdigest()
    )
    if doc.get("course") != path.stem:
        errors.append(ContentError(display, doc.line_of("course"), f"course must be {path.stem!r}"))
    questions = doc.get("questions")
    if not isinstance(questions, list) or not questions:
        errors.append(ContentError(display, doc.line_of("questions"), "questions list is empty"))
        return None, errors
    for item in questions:
        if not isinstance(item, LinedDict):
            errors.append(
                ContentError(display, doc.line_of("questions"), "a question is a mapping")
            )
            continue
        for name, problem in question_problems(item):
            errors.append(ContentError(display, item.line_of(name), f"{item.get('id')}: {problem}"))
        key = item.get("id")
        if isinstance(key, str):
            if key in bank.key_lines:
                errors.append(
                    ContentError(
                        display,
                        item.line,
                        f"duplicate id {key} (first at line {bank.key_lines[key]})",
                    )
                )
            bank.key_lines.setdefault(key, item.line)
        match = SECTION_RE.match(item.get("section") or "")
        if match and isinstance(key, str):
            data = version_data(item)
            bank.questions.append(
                BankQuestion(
                    key=key,
                    type=item["type"],
                    difficulty=item.get("difficulty", 1),
                    lesson_slug=match.group(1),
                    anchor=match.group(2),
                    data=data,
                    line=item.line,
                    section_line=item.line_of("section"),
                    source_line=item.line_of("source"),
                    sources_lines=list(getattr(item.get("sources"), "item_lines", [])),
                    field_lines={str(k): n for k, n in item.key_lines.items()},
                )
            )
    for item in questions:  # an exclusion names a question of the same bank
        if isinstance(item, LinedDict) and isinstance(item.get("excludes"), list):
            for other in item["excludes"]:
                if isinstance(other, str) and other not in bank.key_lines:
                    errors.append(
                        ContentError(
                            display,
                            item.line_of("excludes"),
                            f"{item.get('id')}: excludes {other}, which is not in this bank",
                        )
                    )
    return (None if errors else bank), errors
