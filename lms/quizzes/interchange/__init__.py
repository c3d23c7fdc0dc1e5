"""Question interchange: Moodle GIFT, Aiken and our own YAML bank format, to and from our data.

Every parser is a pure function ``text -> ParseResult`` (no Flask, no database), so the CLI linter,
the trainer's import wizard and the tests share one implementation. A parse never raises on bad
input: what it cannot use comes back as ``line N: …`` problems, and question types we do not
support (numerical, essay, description) come back as skipped items. Parsed questions are dicts in
the bank format (``id``, ``type``, ``difficulty``, ``section``, ``stem``, type fields, ``feedback``,
``source`` and/or ``sources``) and are checked with :func:`lms.quizzes.bank_file.question_problems`, the one place
the question rules live. ``section`` may be absent: the importer gives those questions a default
lesson section of the target course.

The format-specific mappings are documented in :mod:`.gift`, :mod:`.aiken` and :mod:`.yaml_bank`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lms.quizzes.bank_file import ID_RE, question_problems

FORMATS = ("gift", "aiken", "yaml")
# Moodle questions carry no difficulty; imported ones without it count as medium.
DEFAULT_DIFFICULTY = 2
FIELD_ORDER = (
    "id", "type", "difficulty", "section", "stem", "options", "answer", "steps", "pairs",
    "distractors", "accepted", "feedback", "source", "sources",
)  # fmt: skip
OPTION_ORDER = ("text", "correct", "grade", "feedback")
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


@dataclass
class ParseResult:
    questions: list[ParsedQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    course: str | None = None  # the course a YAML bank names, if any
    course_line: int = 1

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(max(line, 1), message))

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
        return self


def rule_problems(question: ParsedQuestion) -> list[Problem]:
    """The bank rules as line-numbered problems; a missing section is left to the importer."""
    data = question.data
    found = question_problems(data)
    if "section" not in data:
        found = [(name, text) for name, text in found if name != "section"]
    label = f"{question.key}: " if question.key else ""
    return [Problem(question.line_of(name), f"{label}{text}") for name, text in found]


def _unique_generated_ids(questions: list[ParsedQuestion]) -> None:
    """Two questions with the same generated id (same stem) get -2, -3 …; given ids stay as they are."""
    taken = {q.key for q in questions if not q.id_generated}
    for question in questions:
        if not question.id_generated:
            continue
        base = key = question.key
        n = 1
        while key in taken:
            n += 1
            key = f"{base[:95]}-{n}"
        question.data["id"] = key
        taken.add(key)


def generated_id(basis: str) -> str:
    """A stable id from text: the same question imported twice gets the same id (a new version)."""
    return "q-" + hashlib.sha1(basis.encode("utf-8", "surrogatepass")).hexdigest()[:10]


_SLUG_DROP = re.compile(r"[^a-z0-9_-]+")
_PLAIN_TITLE = re.compile(r"^[a-z0-9_\-\s.:/#]*$")


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
    if isinstance(result.get("pairs"), list):
        result["pairs"] = [
            _ordered(p, PAIR_ORDER) if isinstance(p, Mapping) else p for p in result["pairs"]
        ]
    return result


def question_dict(key: str, difficulty: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """A stored question (its key, difficulty and version data) in the bank format."""
    return canonical({"id": key, "difficulty": difficulty, **data})


def parse(text: str, fmt: str) -> ParseResult:
    """Parse ``text`` in one of :data:`FORMATS`."""
    if fmt == "gift":
        from lms.quizzes.interchange.gift import parse_gift

        return parse_gift(text)
    if fmt == "aiken":
        from lms.quizzes.interchange.aiken import parse_aiken

        return parse_aiken(text)
    if fmt == "yaml":
        from lms.quizzes.interchange.yaml_bank import parse_yaml

        return parse_yaml(text)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def export(questions: Iterable[Mapping[str, Any]], fmt: str, course_slug: str) -> str:
    """Write questions (bank-format dicts) as GIFT or YAML."""
    if fmt == "gift":
        from lms.quizzes.interchange.gift import to_gift

        return to_gift(questions, category=course_slug)
    if fmt == "yaml":
        from lms.quizzes.interchange.yaml_bank import to_yaml

        return to_yaml(course_slug, questions)
    raise ValueError(f"export format must be gift or yaml, not {fmt!r}")


def decode(raw: bytes) -> str:
    """Uploaded bytes as text: UTF-8 (with or without BOM). Raises ``UnicodeDecodeError``."""
    return raw.decode("utf-8-sig")


def split_lines(text: str) -> list[str]:
    """Lines split on line breaks only (``str.splitlines`` would also split on U+2028 etc.)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


__all__ = [
    "DEFAULT_DIFFICULTY",
    "FORMATS",
    "ParseResult",
    "ParsedQuestion",
    "Problem",
    "Skipped",
    "canonical",
    "decode",
    "export",
    "fold_feedback",
    "generated_id",
    "id_from_title",
    "parse",
    "question_dict",
    "rule_problems",
    "split_lines",
]
