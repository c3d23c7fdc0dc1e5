"""What every interchange format shares: the parsed-question model, limits, problems, ids.

The format modules (:mod:`.gift`, :mod:`.aiken`, :mod:`.yaml_bank`, :mod:`.moodle_xml`, :mod:`.sheet`) import this, never the
package, so the package can import them without a cycle.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from lms.formats.markdown import sanitise_html
from lms.quizzes.bank_file import ID_RE, WEIGHT_SLACK, question_problems

FORMATS = ("gift", "aiken", "yaml", "moodlexml", "sheet")
# Moodle questions carry no difficulty; imported ones without it count as medium.
DEFAULT_DIFFICULTY = 2
FIELD_ORDER = (
    "id", "type", "difficulty", "section", "stem", "options", "answer", "steps", "pairs",
    "distractors", "accepted", "partial", "answers", "feedback", "source", "sources",
)  # fmt: skip
OPTION_ORDER = ("text", "correct", "grade", "weight", "feedback")
NUMERICAL_ORDER = ("value", "tolerance", "min", "max", "weight", "feedback")
PAIR_ORDER = ("left", "right")


@dataclass(frozen=True, order=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True, order=True)
class Skipped:
    """A question of a type we do not support: listed for the trainer, never imported."""

    line: int
    kind: str

    def __str__(self) -> str:
        return f"line {self.line}: skipped: {self.kind} questions are not supported"


@dataclass
class ParsedQuestion:
    data: dict[str, Any]
    line: int
    field_lines: dict[str, int] = field(default_factory=dict)
    category: str | None = None
    id_generated: bool = False
    section_assigned: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def key(self) -> str:
        key = self.data.get("id")
        return key if isinstance(key, str) else ""

    def line_of(self, name: str) -> int:
        return self.field_lines.get(name, self.line)


@dataclass(frozen=True)
class Limits:
    """How much one parse may take; ``None`` is no limit (the CLI linter on a trusted file).

    ``clock`` is there so tests can spend the time budget without waiting for it.
    """

    max_questions: int | None = None
    seconds: float | None = None
    clock: Callable[[], float] = time.monotonic


class Budget:
    """One parse's spending against its :class:`Limits`: questions counted, deadline checked."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.seen = 0
        self.deadline = None if limits.seconds is None else limits.clock() + limits.seconds

    def time_is_up(self) -> bool:
        return self.deadline is not None and self.limits.clock() > self.deadline

    def time_problem(self) -> str:
        return (
            f"reading the file took longer than {self.limits.seconds:g} seconds and stopped "
            "here; split it into smaller files (limit: LMS_IMPORT_MAX_SECONDS)"
        )


@dataclass
class ParseResult:
    questions: list[ParsedQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    course: str | None = None  # the course a YAML bank names, if any
    course_line: int = 1
    stopped: bool = False  # reading stopped at a limit: the rest of the file was not read
    # What was read but left behind without stopping the question (an embedded image, say).
    notes: list[Problem] = field(default_factory=list)
    budget: Budget = field(default_factory=lambda: Budget(Limits()), compare=False, repr=False)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(max(line, 1), message))

    def next_question(self, line: int) -> bool:
        """Count a question starting at ``line``; False (and a problem) when over a limit: stop.

        Parsers call this between questions, so the work done before stopping stays bounded.
        """
        budget = self.budget
        budget.seen += 1
        limit = budget.limits.max_questions
        if limit is not None and budget.seen > limit:
            self.problem(
                line,
                f"the file holds more than {limit} questions and was read only up to here; "
                f"split it into files of at most {limit} (limit: LMS_IMPORT_MAX_QUESTIONS)",
            )
            self.stopped = True
            return False
        if budget.time_is_up():
            self.problem(line, budget.time_problem())
            self.stopped = True
            return False
        return True

    def to_json(self) -> dict[str, Any]:
        """Plain data for storing a parse (the import wizard keeps it with its draft).

        A value JSON cannot hold (a YAML date, set, binary, NaN, a non-text key) is stored as its
        text; its question already carries the problem the value caused, so nothing changes.
        """
        return {
            "questions": [
                {
                    "data": _jsonable(q.data),
                    "line": q.line,
                    "field_lines": q.field_lines,
                    "category": q.category,
                    "id_generated": q.id_generated,
                    "problems": [asdict(p) for p in q.problems],
                }
                for q in self.questions
            ],
            "problems": [asdict(p) for p in self.problems],
            "skipped": [asdict(s) for s in self.skipped],
            "course": self.course,
            "course_line": self.course_line,
            "stopped": self.stopped,
            "notes": [asdict(n) for n in self.notes],
        }

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> ParseResult:
        """The parse :meth:`to_json` stored, as it was."""
        return cls(
            questions=[
                ParsedQuestion(
                    data=q["data"],
                    line=q["line"],
                    field_lines=q["field_lines"],
                    category=q["category"],
                    id_generated=q["id_generated"],
                    problems=[Problem(**p) for p in q["problems"]],
                )
                for q in stored["questions"]
            ],
            problems=[Problem(**p) for p in stored["problems"]],
            skipped=[Skipped(**s) for s in stored["skipped"]],
            course=stored["course"],
            course_line=stored["course_line"],
            stopped=stored.get("stopped", False),
            notes=[Problem(**n) for n in stored.get("notes", [])],
        )

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.questions)

    def finish(self) -> ParseResult:
        """Make generated ids unique, then check every question and every id; sort problems."""
        _unique_generated_ids(self.questions)
        first: dict[str, int] = {}
        for question in self.questions:
            question.problems = rule_problems(question)
            key = question.data.get("id")
            if isinstance(key, str):
                if key in first:
                    question.problems.append(
                        Problem(
                            question.line_of("id"),
                            f"duplicate id {key} (first at line {first[key]})",
                        )
                    )
                first.setdefault(key, question.line_of("id"))
            self.problems.extend(question.problems)
        self.problems.sort()
        self.skipped.sort()
        self.notes.sort()
        return self


def _jsonable(value: Any) -> Any:
    """``value`` with anything JSON (and PostgreSQL's JSON) cannot hold turned into text."""
    if isinstance(value, Mapping):
        return {k if isinstance(k, str) else str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    return str(value)


def rule_problems(question: ParsedQuestion) -> list[Problem]:
    """The bank rules as line-numbered problems; a missing section is left to the importer.

    Feedback is optional here (as in Moodle): an imported question without it still imports."""
    data = question.data
    found = question_problems(data, require_feedback=False)
    if "section" not in data:
        found = [(name, text) for name, text in found if name != "section"]
    label = f"{question.key}: " if question.key else ""
    return [Problem(question.line_of(name), f"{label}{text}") for name, text in found]


def _unique_generated_ids(questions: list[ParsedQuestion]) -> None:
    """Two questions with the same generated id (same stem) get -2, -3 …; given ids stay as they are.

    Each stem remembers the last number it used, so a file repeating one stem thousands of times
    takes steps in proportion to its length, not to its square.
    """
    taken = {q.key for q in questions if not q.id_generated}
    last: dict[str, int] = {}
    for question in questions:
        if not question.id_generated:
            continue
        base = key = question.key
        n = last.get(base, 1)
        if n > 1:
            key = f"{base[:95]}-{n}"
        while key in taken:
            n += 1
            key = f"{base[:95]}-{n}"
        last[base] = n
        question.data["id"] = key
        taken.add(key)


def generated_id(basis: str) -> str:
    """A stable id from text: the same question imported twice gets the same id (a new version)."""
    return "q-" + hashlib.sha1(basis.encode("utf-8", "surrogatepass")).hexdigest()[:10]


_SLUG_DROP = re.compile(r"[^a-z0-9_-]+")
_PLAIN_TITLE = re.compile(r"^[a-z0-9_\-\s.:/#]*$")


def id_derived(title: str | None) -> bool:
    """Whether a question's id is made by us (no name, or a name that is not an id as it stands):
    such ids get -2, -3 … when two questions share one, as Moodle lets two questions share a
    name; a name that is an id already is the trainer's, and a second use of it is a problem."""
    return not title or not ID_RE.match(title)


def id_from_title(title: str) -> str:
    """A question name as an id: ``CMP 001`` → ``cmp-001``.

    A name with letters an id cannot hold (Chinese, say) keeps its ASCII part and gains a short hash
    of the whole name, so two such names never collapse into one id.
    """
    if ID_RE.match(title):
        return title
    folded = unicodedata.normalize("NFKC", title).strip().lower()
    slug = re.sub(r"-{2,}", "-", _SLUG_DROP.sub("-", folded)).strip("-_")
    if slug and _PLAIN_TITLE.match(folded):
        return slug[:100]
    digest = generated_id(title)[2:]
    return f"{slug[:88]}-{digest}" if slug else f"q-{digest}"


def fold_feedback(*parts: str | None) -> str:
    """Feedback a type cannot hold per answer joins the general feedback, so nothing is lost."""
    seen: list[str] = []
    for part in parts:
        text = (part or "").strip()
        if text and text not in seen:
            seen.append(text)
    return "\n".join(seen)


def _ordered(mapping: Mapping[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    result = {name: mapping[name] for name in order if name in mapping}
    result.update((name, value) for name, value in mapping.items() if name not in result)
    return result


def canonical(question: Mapping[str, Any]) -> dict[str, Any]:
    """Fields in the bank file's order (options: text, correct/grade, feedback): stable exports."""
    result = _ordered(question, FIELD_ORDER)
    if isinstance(result.get("options"), list):
        result["options"] = [
            _ordered(o, OPTION_ORDER) if isinstance(o, Mapping) else o for o in result["options"]
        ]
    if isinstance(result.get("answers"), list):
        result["answers"] = [
            _ordered(a, NUMERICAL_ORDER) if isinstance(a, Mapping) else a for a in result["answers"]
        ]
    if isinstance(result.get("pairs"), list):
        result["pairs"] = [
            _ordered(p, PAIR_ORDER) if isinstance(p, Mapping) else p for p in result["pairs"]
        ]
    return result


def question_dict(key: str, difficulty: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """A stored question (its key, difficulty and version data) in the bank format."""
    return canonical({"id": key, "difficulty": difficulty, **data})


def decode(raw: bytes) -> str:
    """Uploaded bytes as text: UTF-8 (with or without BOM). Raises ``UnicodeDecodeError``."""
    return raw.decode("utf-8-sig")


def split_lines(text: str) -> list[str]:
    """Lines split on line breaks only (``str.splitlines`` would also split on U+2028 etc.)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def html_to_text(text: str) -> str:
    """HTML as our plain text: cleaned by the lessons' sanitiser first (so a script's or style's
    content is dropped, not kept as words), then line breaks for blocks, tags removed."""
    text = sanitise_html(text)
    text = re.sub(r"(?i)<br\s*/?>|</p\s*>|</div\s*>|</li\s*>", "\n", text)
    text = html.unescape(re.sub(r"<[^>]*>", "", text))
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def whole_number(weight: float) -> int | float:
    """``50`` rather than ``50.0``; other values as they are."""
    return int(weight) if weight == int(weight) else weight


def default_shares(weights: list[float]) -> bool:
    """Whether a multiple answer's weights are the even shares (rights +100/n, wrongs -100/m) that
    our unweighted grading gives anyway; only other weights are kept on the options."""
    rights = sum(1 for w in weights if w > 0)
    wrongs = len(weights) - rights
    if not rights or not wrongs:
        return False
    return all(abs(w - (100 / rights if w > 0 else -100 / wrongs)) <= WEIGHT_SLACK for w in weights)


def weight_text(value: float) -> str:
    """A weight as GIFT and Moodle write it: ``33.33333``, ``50``."""
    return f"{value:.5f}".rstrip("0").rstrip(".")


def one_answer_type(weights: list[float]) -> str | None:
    """The type a one-answer choice question's weights make: ``single`` (100 and 0), ``scenario``
    (one answer at 100, the others from 0 to 100: Moodle's single choice with partial credit), or
    ``None`` when they make neither (GIFT and Moodle XML report it, each in its own words)."""
    if all(w in (0, 100) for w in weights):
        return "single"
    if all(0 <= w <= 100 for w in weights) and weights.count(100) == 1:
        return "scenario"
    return None
