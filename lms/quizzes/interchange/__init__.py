"""Question interchange: Moodle GIFT, Aiken and our own YAML bank format, to and from our data.

Every parser is a pure function ``text -> ParseResult`` (no Flask, no database), so the CLI linter,
the trainer's import wizard and the tests share one implementation. A parse never raises on bad
input: what it cannot use comes back as ``line N: …`` problems, and question types we do not
support (essay, description, cloze) come back as skipped items. Parsed questions are dicts in
the bank format (``id``, ``type``, ``difficulty``, ``section``, ``stem``, type fields, ``feedback``,
``source`` and/or ``sources``) and are checked with :func:`lms.quizzes.bank_file.question_problems`, the one place
the question rules live. ``section`` may be absent: the importer gives those questions a default
lesson section of the target course.

The format-specific mappings are documented in :mod:`.gift`, :mod:`.aiken` and :mod:`.yaml_bank`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lms.quizzes.interchange import aiken, gift, yaml_bank
from lms.quizzes.interchange.common import (  # noqa: F401  (the package's public names)
    DEFAULT_DIFFICULTY,
    FORMATS,
    Budget,
    Limits,
    ParsedQuestion,
    ParseResult,
    Problem,
    Skipped,
    canonical,
    decode,
    fold_feedback,
    generated_id,
    id_from_title,
    question_dict,
    rule_problems,
    split_lines,
)


def parse(text: str, fmt: str, limits: Limits | None = None) -> ParseResult:
    """Parse ``text`` in one of :data:`FORMATS`, within ``limits`` (default: none)."""
    limits = limits or Limits()
    if fmt == "gift":
        return gift.parse_gift(text, limits)
    if fmt == "aiken":
        return aiken.parse_aiken(text, limits)
    if fmt == "yaml":
        return yaml_bank.parse_yaml(text, limits)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def export(questions: Iterable[Mapping[str, Any]], fmt: str, course_slug: str) -> str:
    """Write questions (bank-format dicts) as GIFT or YAML."""
    if fmt == "gift":
        return gift.to_gift(questions, category=course_slug)
    if fmt == "yaml":
        return yaml_bank.to_yaml(course_slug, questions)
    raise ValueError(f"export format must be gift or yaml, not {fmt!r}")


__all__ = [
    "DEFAULT_DIFFICULTY",
    "FORMATS",
    "Budget",
    "Limits",
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
