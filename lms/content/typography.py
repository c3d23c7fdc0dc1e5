"""Chinese typography: after a Chinese character, punctuation is full-width (，：；？！), not ASCII.

``check-content`` runs :func:`check_typography` when ``LMS_CHECK_TYPOGRAPHY`` is true. Quotes from
the seeds are not checked: they live in their own ``source``/``sources`` fields and must stay
verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lms.content.library import Library
from lms.formats.errors import ContentError

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# An ASCII , : ; ? ! directly after a Han character.
ASCII_AFTER_HAN = re.compile(f"(?<=[{HAN}])[,:;?!]")
FULL_WIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}


def ascii_punctuation(text: str) -> list[tuple[int, str]]:
    """``(offset, character)`` of every ASCII ``,:;?!`` that directly follows a Han character."""
    return [(m.start(), m.group(0)) for m in ASCII_AFTER_HAN.finditer(text or "")]


def full_width(text: str) -> str:
    """The text with those characters made full-width (what an author should write)."""
    return ASCII_AFTER_HAN.sub(lambda m: FULL_WIDTH[m.group(0)], text)


def _problems(path: str, texts: Iterable[tuple[int, str]]) -> list[ContentError]:
    errors = []
    for line, text in texts:
        found = ascii_punctuation(text if isinstance(text, str) else "")
        if not found:
            continue
        offset, char = found[0]
        context = text[max(0, offset - 6) : offset + 1]
        more = f" and {len(found) - 1} more" if len(found) > 1 else ""
        errors.append(
            ContentError(
                path,
                line,
                f"ASCII {char!r} after a Chinese character ({context!r}{more}): "
                f"write {FULL_WIDTH[char]!r}",
            )
        )
    return errors


def _question_texts(data: dict) -> list[tuple[str, str]]:
    """``(field, text)`` of everything a learner reads in a question (not its quotes)."""
    texts = [("stem", data.get("stem")), ("feedback", data.get("feedback"))]
    for option in data.get("options") or []:
        texts += [("options", option.get("text")), ("options", option.get("feedback"))]
    texts += [("steps", s) for s in data.get("steps") or []]
    for pair in data.get("pairs") or []:
        texts += [("pairs", pair.get("left")), ("pairs", pair.get("right"))]
    texts += [("distractors", d) for d in data.get("distractors") or []]
    return [(name, text) for name, text in texts if isinstance(text, str)]


def check_typography(lib: Library) -> list[ContentError]:
    """``file:line: problem`` for ASCII ``,:;?!`` after Chinese characters in lesson titles,
    objectives and bodies, and in question stems, options, feedback, steps and pairs."""
    errors = []
    for course in lib.courses:
        for lesson in course.lessons:
            lines = lesson.objective_lines or [lesson.title_line] * len(lesson.objectives)
            texts = [(lesson.title_line, lesson.title), *zip(lines, lesson.objectives, strict=True)]
            for offset, body_line in enumerate(lesson.body_markdown.split("\n")):
                texts.append((lesson.body_line + offset, body_line))
            errors.extend(_problems(lesson.path, texts))
    for bank in lib.banks.values():
        for q in bank.questions:
            lines = q.field_lines
            texts = [(lines.get(name, q.line), text) for name, text in _question_texts(q.data)]
            errors.extend(_problems(bank.path, texts))
    return errors
