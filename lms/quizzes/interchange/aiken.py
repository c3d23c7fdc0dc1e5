"""Aiken → our question data (single choice only; Aiken can express nothing else).

The Moodle format::

    服务窗口工作的基本原则是？
    A. 公开、公平、公正
    B. 先来后到
    C. 有求必应
    ANSWER: A

A question is its stem line(s), then options ``A.`` / ``A)`` (full-width ``A．`` ``A）`` ``A、``
too), then ``ANSWER: X``. Blank lines between questions are optional. Aiken has no names,
feedback, difficulty or sections, so: the id is made from the stem (stable, so importing the same
file again gives new versions, not copies); the feedback names the right option (every one of our
questions needs feedback, and the learner's review shows it); difficulty is
:data:`~lms.quizzes.interchange.DEFAULT_DIFFICULTY`; the section is the importer's default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lms.quizzes.interchange.common import (
    DEFAULT_DIFFICULTY,
    Budget,
    Limits,
    ParsedQuestion,
    ParseResult,
    canonical,
    generated_id,
    split_lines,
)

OPTION_RE = re.compile(r"^([A-Z])\s*(?:[.)]\s+|[．）、]\s*)(.*)$")
ANSWER_RE = re.compile(r"^ANSWER\s*[:：]\s*(.*?)\s*$", re.IGNORECASE)


@dataclass
class _Draft:
    line: int
    stem: list[str]
    options: list[tuple[str, str, int]] = field(default_factory=list)  # letter, text, line


def parse_aiken(text: str, limits: Limits | None = None) -> ParseResult:
    """Parse an Aiken file; every problem is ``line N: …`` and nothing raises on bad input.

    Reading stops at the first question past ``limits`` (see :class:`Limits`).
    """
    result = ParseResult(budget=Budget(limits or Limits()))
    draft: _Draft | None = None
    for number, raw in enumerate(split_lines(text.removeprefix("\ufeff")), 1):
        line = raw.strip()
        if not line:
            continue
        if draft is None:
            if ANSWER_RE.match(line):
                result.problem(number, "ANSWER: without a question above it")
            elif not result.next_question(number):
                return result.finish()
            else:
                draft = _Draft(number, [line])
            continue
        answer = ANSWER_RE.match(line)
        option = OPTION_RE.match(line)
        if answer:
            _finish(draft, answer.group(1), number, result)
            draft = None
        elif option:
            letter, body = option.group(1), option.group(2).strip()
            if any(letter == seen for seen, _, _ in draft.options):
                result.problem(number, f"option {letter} is given twice")
            draft.options.append((letter, body, number))
        elif not draft.options:
            draft.stem.append(line)
        else:
            result.problem(draft.line, "this question has no ANSWER: line")
            if not result.next_question(number):
                return result.finish()
            draft = _Draft(number, [line])
    if draft is not None:
        result.problem(draft.line, "this question has no ANSWER: line")
    return result.finish()


def _finish(draft: _Draft, letter: str, line: int, result: ParseResult) -> None:
    if not draft.options:
        result.problem(draft.line, "a question needs options A. B. C. … before ANSWER:")
        return
    letter = letter.upper()
    letters = [seen for seen, _, _ in draft.options]
    if letter not in letters:
        result.problem(line, f"ANSWER: {letter or '(empty)'} is not one of the options")
        return
    stem = "\n".join(draft.stem)
    options = []
    right = ""
    for seen, body, _ in draft.options:
        option: dict[str, object] = {"text": body}
        if seen == letter:
            option["correct"] = True
            right = body
        options.append(option)
    data = {
        "id": generated_id(stem),
        "type": "single",
        "difficulty": DEFAULT_DIFFICULTY,
        "stem": stem,
        "options": options,
        "feedback": f"正确答案是「{right}」。" if right else "",
    }
    result.questions.append(
        ParsedQuestion(
            data=canonical(data),
            line=draft.line,
            field_lines={"options": draft.options[0][2], "feedback": line},
            id_generated=True,
        )
    )


__all__ = ["parse_aiken"]
