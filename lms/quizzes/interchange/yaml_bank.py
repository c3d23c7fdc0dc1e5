"""Our own YAML bank format (``quizzes/<course>.yaml``, see ``courses/README.md``) as interchange.

Reading uses the bank files' line-aware YAML loader and the same question rules, so a file that
``flask lms check-content`` accepts imports unchanged. Two differences suit imports: ``course``
may be left out (if present, the importer checks it names the target course) and a question may
leave out ``section`` (the importer assigns its default section).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from lms.formats.yamlfile import LinedDict, LinedList, YamlError, load_yaml
from lms.quizzes.interchange.common import Budget, Limits, ParsedQuestion, ParseResult, canonical


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def parse_yaml(text: str, limits: Limits | None = None) -> ParseResult:
    """Parse a YAML bank; every problem is ``line N: …`` and nothing raises on bad input.

    Within ``limits`` (see :class:`Limits`): the time budget is checked while the YAML is read,
    the question count before questions are taken from it.
    """
    budget = Budget(limits or Limits())
    result = ParseResult(budget=budget)

    def stop() -> str | None:
        return budget.time_problem() if budget.time_is_up() else None

    try:
        doc = load_yaml(text.removeprefix("\ufeff"), stop=stop)
    except YamlError as exc:
        result.problem(exc.line, exc.message)
        return result.finish()
    if not isinstance(doc, LinedDict):
        result.problem(1, "a bank file is a mapping with course and questions")
        return result.finish()
    course = doc.get("course")
    result.course_line = doc.line_of("course")
    if course is not None:
        if isinstance(course, str):
            result.course = course
        else:
            result.problem(result.course_line, "course must be a course slug")
    questions = doc.get("questions")
    if not isinstance(questions, list) or not questions:
        result.problem(doc.line_of("questions"), "questions list is empty")
        return result.finish()
    lines = questions.item_lines if isinstance(questions, LinedList) else []
    for index, item in enumerate(questions):
        line = lines[index] if index < len(lines) else doc.line_of("questions")
        if not result.next_question(line):
            break
        if not isinstance(item, LinedDict):
            result.problem(line, "a question is a mapping")
            continue
        result.questions.append(
            ParsedQuestion(
                data=canonical(_plain(item)),
                line=item.line,
                field_lines={str(k): v for k, v in item.key_lines.items()},
            )
        )
    return result.finish()


def _dump(value: Any) -> str:
    return yaml.dump(
        value,
        Dumper=yaml.SafeDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1_000_000,
    )


def to_yaml(course_slug: str, questions: Iterable[Mapping[str, Any]]) -> str:
    """A bank file for ``course_slug``: loadable by ``flask lms check-content`` and by
    :func:`parse_yaml`."""
    out = [
        f"# Question bank for the course {course_slug!r}, exported by Mingli.",
        _dump({"course": course_slug}).rstrip("\n"),
        "questions:",
    ]
    for question in questions:
        out.append("")
        out.append(_dump([canonical(question)]).rstrip("\n"))
    return "\n".join(out) + "\n"


__all__ = ["parse_yaml", "to_yaml"]
