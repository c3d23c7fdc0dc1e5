"""Question interchange: Moodle GIFT and XML, Aiken, the 题库 spreadsheet and our own YAML bank
format, to and from our data.

Every parser is a pure function ``text -> ParseResult`` (no Flask, no database), so the CLI linter,
the trainer's import wizard and the tests share one implementation. A parse never raises on bad
input: what it cannot use comes back as ``line N: …`` problems, and question types we do not
support (essay, description, cloze) come back as skipped items. Parsed questions are dicts in
the bank format (``id``, ``type``, ``difficulty``, ``section``, ``stem``, type fields, ``feedback``,
``source`` and/or ``sources``) and are checked with :func:`lms.quizzes.bank_file.question_problems`, the one place
the question rules live. ``section`` may be absent: the importer gives those questions a default
lesson section of the target course.

The format-specific mappings are documented in :mod:`.gift`, :mod:`.moodle_xml`, :mod:`.aiken`,
:mod:`.sheet` and :mod:`.yaml_bank`. The spreadsheet is bytes (xlsx or CSV in several encodings):
:func:`parse_upload` takes any format as uploaded bytes; :func:`parse` takes text (CSV for the
sheet). :func:`export_file` writes any format as the bytes of a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lms.quizzes.interchange import aiken, gift, moodle_xml, sheet, yaml_bank
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
    if fmt == "moodlexml":
        return moodle_xml.parse_moodle_xml(text, limits)
    if fmt == "sheet":
        return sheet.parse_sheet(text.encode("utf-8", "surrogatepass"), limits)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def parse_upload(raw: bytes, fmt: str, limits: Limits | None = None) -> ParseResult:
    """Parse an uploaded file: the sheet as its bytes (xlsx, or CSV in UTF-8/UTF-16/GBK), the
    text formats decoded as UTF-8 (raises ``UnicodeDecodeError`` when they are not)."""
    if fmt == "sheet":
        return sheet.parse_sheet(raw, limits or Limits())
    return parse(decode(raw), fmt, limits)


EXPORT_FORMATS = ("gift", "yaml", "moodlexml", "sheet")


def export(questions: Iterable[Mapping[str, Any]], fmt: str, course_slug: str) -> str:
    """Write questions (bank-format dicts) as GIFT, YAML or Moodle XML text."""
    if fmt == "gift":
        return gift.to_gift(questions, category=course_slug)
    if fmt == "yaml":
        return yaml_bank.to_yaml(course_slug, questions)
    if fmt == "moodlexml":
        return moodle_xml.to_moodle_xml(questions, category=course_slug)
    raise ValueError(f"export format must be gift, yaml or moodlexml, not {fmt!r}")


def export_file(questions: Iterable[Mapping[str, Any]], fmt: str, course_slug: str) -> bytes:
    """Any of :data:`EXPORT_FORMATS` as a file's bytes: the sheet as xlsx, the others UTF-8."""
    if fmt == "sheet":
        return sheet.to_xlsx(questions)
    return export(questions, fmt, course_slug).encode("utf-8")


__all__ = [
    "DEFAULT_DIFFICULTY",
    "EXPORT_FORMATS",
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
    "export_file",
    "fold_feedback",
    "generated_id",
    "id_from_title",
    "parse",
    "parse_upload",
    "question_dict",
    "rule_problems",
    "split_lines",
]
