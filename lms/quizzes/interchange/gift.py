r"""Moodle GIFT ⇄ our question data.

Reading follows Moodle's GIFT reader: questions are separated by blank lines; lines starting with
``//`` are comments; ``$CATEGORY: a/b`` sets the category of the questions after it; ``::name::``
names a question; ``[html]`` / ``[markdown]`` / ``[plain]`` / ``[moodle]`` set the text format
(HTML is cleaned by the lessons' sanitiser, then turned into plain text; the others are kept as
written); the answer block ``{…}`` holds
``=right`` and ``~wrong`` answers, ``%50%`` weights, ``#feedback`` per answer and ``####general
feedback``; text after the block makes a "missing word" stem (the block becomes ``____``).
Escapes: ``\~ \= \# \{ \} \: \\`` and ``\n`` (a line break), plus ``\>`` (our export writes a
literal ``->`` as ``-\>`` so it is never read as a matching arrow).

Mapping, GIFT → ours (and back, so an export imports as the very same question):

============  ==============================================  =====================================
our type      GIFT                                            notes
============  ==============================================  =====================================
single        ``{=right ~wrong ~wrong}``                      weights only 100 / 0
multiple      ``{~%50%a ~%50%b ~%-100%c}``                    no ``=``; weight > 0 means correct;
                                                              weights other than even shares are
                                                              kept as ``weight`` on every option;
                                                              export: rights share +100, wrongs -100
                                                              (or the options' own weights)
scenario      ``{=best#fb ~%50%ok#fb ~poor#fb}``              grade = weight (100 / 50 / 0); Moodle
                                                              reads it as single choice with partial
                                                              credit, which is what a scenario is
truefalse     ``{T}`` ``{TRUE}`` ``{F}`` ``{FALSE}``          ``#wrong#right`` feedback is folded
                                                              into the general feedback
matching      ``{=left -> right … = -> distractor}``          3+ pairs; an empty left = distractor
ordering      ``{=1 -> first step =2 -> second step …}``      a matching question on the positions,
                                                              marked ``// mingli: type ordering``
short         ``{=answer =other answer =%50%half}``           0 < weight < 100 goes to ``partial``;
                                                              0% answers keep only their feedback
numerical     ``{#8:1}`` ``{#3.141..3.142}``                  ``answers``: value and tolerance, or
              ``{#=8:0#fb =%50%8:2#fb}``                      min and max; a weight below 100 is
                                                              partial credit; 0% answers keep only
                                                              their feedback; ``~`` is refused
============  ==============================================  =====================================

Without a ``type`` marker a choice block is: *multiple* when it has no ``=`` and two or more
positive (or any negative) weights; *single* when every weight is 100 or 0; *scenario* when every
weight is 100, 50 or 0. Per-answer feedback that a type cannot hold (true/false, matching, short)
is added to the general feedback, so nothing the author wrote is lost.

What GIFT has no syntax for travels in comment lines just above the question, which Moodle
ignores::

    // mingli: difficulty 2
    // mingli: section six-steps#cautions
    // mingli: source {"file": "000_x.txt", "quote": "…"}
    // mingli: sources [{"file": "000_x.txt", "quote": "…"}, {"file": "001_y.txt", "quote": "…"}]
    // mingli: type scenario

A question without ``difficulty`` gets :data:`~lms.quizzes.interchange.DEFAULT_DIFFICULTY`; one
without ``section`` gets the importer's default section. ``::name::`` becomes the id (normalised
to lower-case letters, digits, ``-`` and ``_``); a question without a name gets a stable id made
from its stem. Essay (``{}``), description (no block) and cloze (``{1:MULTICHOICE:…}``) questions
are skipped. Feedback is optional, as in Moodle.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lms.quizzes.interchange.common import (
    DEFAULT_DIFFICULTY,
    Budget,
    Limits,
    ParsedQuestion,
    ParseResult,
    Problem,
    Skipped,
    canonical,
    default_shares,
    fold_feedback,
    generated_id,
    html_to_text,
    id_derived,
    id_from_title,
    one_answer_type,
    split_lines,
    weight_text,
    whole_number,
)

ESCAPABLE = frozenset("\\~=#{}:>")
FORMAT_RE = re.compile(r"\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
WEIGHT_RE = re.compile(r"%(-?[0-9]{1,3}(?:[.,][0-9]+)?)%")
MARKER_RE = re.compile(r"^//\s*mingli:\s*(\S+)\s*(.*?)\s*$")
# An embedded answer of a cloze (multianswer) question: {1:MULTICHOICE:…}, {:SA:…}, {2:NM:…}.
CLOZE_RE = re.compile(
    r"\{[0-9]*:(?:MULTICHOICE|MULTIRESPONSE|SHORTANSWER|NUMERICAL|MC|MR|SA|MW|NM)"
    r"(?:_[A-Z]+)?:",
    re.IGNORECASE,
)
CATEGORY_RE = re.compile(r"^\s*\$CATEGORY:\s*(.*?)\s*$")
TRUTH = {"T": True, "TRUE": True, "F": False, "FALSE": False}
MARKERS = ("type", "difficulty", "section", "source", "sources")
CHOICE_TYPES = ("single", "multiple", "scenario")
BLANK = "____"
# Far above any real question (3-6 options, a few pairs or accepted answers); a block past it is
# refused before its answers are built, so one huge block cannot hold a worker.
MAX_ANSWERS = 100
# Likewise for one question's text (real ones are a few hundred characters): a longer question is
# refused before its text is taken apart character by character.
MAX_QUESTION_CHARS = 65_536


@dataclass(frozen=True)
class _Span:
    """Text with its escapes resolved, remembering which characters were escaped (literal).

    Structure (``{ } = ~ # -> :: ####``) is only ever looked for among unescaped characters.
    """

    chars: str
    lit: tuple[bool, ...]
    src: tuple[int, ...]  # offset of each character in the question text, for line numbers

    @classmethod
    def of(cls, raw: str) -> _Span:
        chars: list[str] = []
        lit: list[bool] = []
        src: list[int] = []
        i = 0
        while i < len(raw):
            char = raw[i]
            if char == "\\" and i + 1 < len(raw) and (raw[i + 1] in ESCAPABLE or raw[i + 1] == "n"):
                chars.append("\n" if raw[i + 1] == "n" else raw[i + 1])
                lit.append(True)
                src.append(i)
                i += 2
                continue
            chars.append(char)
            lit.append(False)
            src.append(i)
            i += 1
        return cls("".join(chars), tuple(lit), tuple(src))

    def __len__(self) -> int:
        return len(self.chars)

    def cut(self, start: int, end: int | None = None) -> _Span:
        return _Span(self.chars[start:end], self.lit[start:end], self.src[start:end])

    def find(self, sub: str, start: int = 0) -> int:
        i = self.chars.find(sub, start)
        while i >= 0 and any(self.lit[i : i + len(sub)]):
            i = self.chars.find(sub, i + 1)
        return i

    def startswith(self, sub: str) -> bool:
        return self.chars.startswith(sub) and not any(self.lit[: len(sub)])

    def strip(self) -> _Span:
        """Trim unescaped white space (an escaped ``\\n`` at either end is content)."""
        start, end = 0, len(self.chars)
        while start < end and self.chars[start].isspace() and not self.lit[start]:
            start += 1
        while end > start and self.chars[end - 1].isspace() and not self.lit[end - 1]:
            end -= 1
        return self.cut(start, end)

    def offset(self, default: int) -> int:
        return self.src[0] if self.src else default


@dataclass
class _Answer:
    marker: str  # "=" or "~"
    weight: float | None
    text: str
    feedback: str
    line: int
    arrow: tuple[str, str] | None  # (left, right) when the text holds a matching arrow


class _Reader:
    """One question's text: finds lines for offsets and turns spans into plain text."""

    def __init__(self, body: list[tuple[int, str]]) -> None:
        self.lines = [number for number, _ in body]
        self.starts: list[int] = []
        offset = 0
        for _, line in body:
            self.starts.append(offset)
            offset += len(line) + 1
        self.span = _Span.of("\n".join(line for _, line in body))
        self.fmt = "moodle"

    def line(self, offset: int) -> int:
        return self.lines[max(bisect_right(self.starts, offset) - 1, 0)]

    def line_of(self, span: _Span, default: int) -> int:
        return self.line(span.src[0]) if span.src else default

    def plain(self, span: _Span, *, tags: bool = True) -> str:
        """Stripped text in our format: a leading format tag applies; HTML becomes plain text."""
        span = span.strip()
        fmt = self.fmt
        match = FORMAT_RE.match(span.chars) if tags else None
        if match:
            fmt = match.group(1).lower()
            span = span.cut(match.end()).strip()
        text = span.chars
        if fmt == "html":
            text = html_to_text(text)
        return text


def parse_gift(text: str, limits: Limits | None = None) -> ParseResult:
    """Parse a GIFT file; every problem is ``line N: …`` and nothing raises on bad input.

    Reading stops at the first question past ``limits`` (see :class:`Limits`).
    """
    result = ParseResult(budget=Budget(limits or Limits()))
    category: str | None = None
    for block in _blocks(split_lines(text.removeprefix("\ufeff"))):
        markers: list[tuple[int, str, str]] = []
        body: list[tuple[int, str]] = []
        for number, line in block:
            stripped = line.strip()
            if stripped.startswith("//"):
                match = MARKER_RE.match(stripped)
                if match:
                    markers.append((number, match.group(1), match.group(2)))
                continue
            body.append((number, line))
        if body:
            match = CATEGORY_RE.match(body[0][1])
            if match:
                category = _category(match.group(1))
                body = body[1:]
        if not body:
            if markers:
                result.problem(markers[0][0], "a mingli: line must come just above its question")
            continue
        if not result.next_question(body[0][0]):
            break
        size = sum(len(line) + 1 for _, line in body) - 1
        if size > MAX_QUESTION_CHARS:
            result.problem(
                body[0][0],
                f"a question may be at most {MAX_QUESTION_CHARS} characters long; "
                f"this one has {size}",
            )
            continue
        _question(_Reader(body), markers, category, result)
    return result.finish()


def _blocks(lines: list[str]) -> Iterable[list[tuple[int, str]]]:
    block: list[tuple[int, str]] = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            block.append((number, line))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _category(path: str) -> str:
    for prefix in ("$course$/", "$system$/", "$module$/", "$cat1$/"):
        path = path.removeprefix(prefix)
    return path.strip()


def _question(
    reader: _Reader, markers: list[tuple[int, str, str]], category: str | None, result: ParseResult
) -> None:
    span = reader.span.strip()
    first_line = reader.line_of(span, reader.lines[0])
    lines: dict[str, int] = {"id": first_line, "stem": first_line}
    title: str | None = None
    if span.startswith("::"):
        end = span.find("::", 2)
        if end < 0:
            result.problem(first_line, "the question name has no closing ::")
            return
        title = span.cut(2, end).strip().chars
        span = span.cut(end + 2).strip()
        lines["stem"] = reader.line_of(span, first_line)
    match = FORMAT_RE.match(span.chars)
    if match:
        reader.fmt = match.group(1).lower()
        span = span.cut(match.end())
    if CLOZE_RE.search(span.chars):
        result.skipped.append(Skipped(first_line, "cloze"))
        return
    opening = span.find("{")
    if opening < 0:
        result.skipped.append(Skipped(first_line, "description"))
        return
    closing = span.find("}", opening + 1)
    if closing < 0:
        result.problem(reader.line(span.src[opening]), "the answer block { has no closing }")
        return
    inner = span.find("{", opening + 1)
    if 0 <= inner < closing or span.find("{", closing + 1) >= 0:
        where = inner if 0 <= inner < closing else span.find("{", closing + 1)
        result.problem(
            reader.line(span.src[where]),
            "a question has one answer block; write a literal brace as \\{ or \\}",
        )
        return
    stray = span.find("}", closing + 1)
    if stray >= 0:
        result.problem(reader.line(span.src[stray]), "a } without its {; write it as \\}")
        return
    block_line = reader.line(span.src[opening])
    before, after = span.cut(0, opening), span.cut(closing + 1)
    stem = reader.plain(before, tags=False)
    if after.strip().chars:
        stem = (before.chars + BLANK + after.chars).strip()
        if reader.fmt == "html":
            stem = html_to_text(stem)
    block = span.cut(opening + 1, closing)

    general = None
    cut = block.find("####")
    if cut >= 0:
        general = block.cut(cut + 4)
        lines["feedback"] = reader.line_of(general, block_line)
        block = block.cut(0, cut)
    block = block.strip()
    if not block.chars:
        result.skipped.append(Skipped(first_line, "essay"))
        return
    meta, ok = _markers(markers, lines, result)
    if not ok:
        return
    data: dict[str, Any] = {"type": None}
    general_text = reader.plain(general) if general is not None else ""
    wanted = meta.get("type")
    problems_before = len(result.problems)
    if block.startswith("#"):
        lines["answers"] = block_line
        numerical = _numerical(reader, block.cut(1), block_line, result)
        if numerical is not None and _expect(wanted, "numerical", block_line, result):
            answers, folded = numerical
            data.update(
                type="numerical", answers=answers, feedback=fold_feedback(general_text, *folded)
            )
    elif block.find("~") >= 0:
        answers = _answers(reader, block, block_line, result)
        if answers is not None:
            lines["options"] = answers[0].line if answers else block_line
            _choice(data, answers, wanted, general_text, block_line, result)
    elif block.find("=") >= 0 and block.find("->") >= 0:
        answers = _answers(reader, block, block_line, result)
        if answers is not None:
            first = answers[0].line if answers else block_line
            lines.update(pairs=first, steps=first, distractors=first)
            _matching(data, answers, wanted, general_text, block_line, result)
    else:
        head_end = block.find("#")
        head = (block.cut(0, head_end) if head_end >= 0 else block).strip().chars
        if head.upper() in TRUTH:
            lines["answer"] = block_line
            parts = _split(block, "#")[1:]
            if len(parts) > 2:
                result.problem(block_line, "true/false takes at most two # feedbacks")
            data["type"] = "truefalse"
            data["answer"] = TRUTH[head.upper()]
            data["feedback"] = fold_feedback(general_text, *(reader.plain(p) for p in parts))
            _expect(wanted, "truefalse", block_line, result)
        elif block.find("=") >= 0:
            answers = _answers(reader, block, block_line, result)
            if answers is not None:
                lines["accepted"] = answers[0].line if answers else block_line
                _short(data, answers, wanted, general_text, result)
        else:
            result.problem(
                block_line,
                "cannot tell the question type: the answer block needs =, ~, -> or T/F",
            )
            return
    if data["type"] is None or len(result.problems) > problems_before:
        return

    data["id"] = id_from_title(title) if title else generated_id(stem or span.chars)
    data["difficulty"] = meta.get("difficulty", DEFAULT_DIFFICULTY)
    if "section" in meta:
        data["section"] = meta["section"]
    data["stem"] = stem
    for key in ("source", "sources"):
        if key in meta:
            data[key] = meta[key]
    if not data.get("feedback"):
        data.pop("feedback", None)
    result.questions.append(
        ParsedQuestion(
            data=canonical(data),
            line=first_line,
            field_lines=lines,
            category=category,
            id_generated=id_derived(title),
        )
    )


def _markers(
    markers: list[tuple[int, str, str]], lines: dict[str, int], result: ParseResult
) -> tuple[dict[str, Any], bool]:
    meta: dict[str, Any] = {}
    ok = True
    for number, key, value in markers:
        if key not in MARKERS:
            result.problem(number, f"unknown mingli: line {key!r} (use {', '.join(MARKERS)})")
            ok = False
            continue
        if key in meta:
            result.problem(number, f"mingli: {key} is given twice (first at line {lines[key]})")
            ok = False
            continue
        lines[key] = number
        if key == "difficulty":
            meta[key] = int(value) if re.fullmatch(r"[0-9]{1,3}", value) else value
        elif key in ("source", "sources"):
            try:
                meta[key] = json.loads(value)
            except (ValueError, RecursionError):
                shape = '{"file": "…", "quote": "…"}'
                shape = shape if key == "source" else f"[{shape}, …]"
                result.problem(number, f"{key} must be JSON: {shape}")
                ok = False
        else:
            meta[key] = value
    return meta, ok


def _split(span: _Span, sep: str) -> list[_Span]:
    parts = []
    start = 0
    while True:
        at = span.find(sep, start)
        if at < 0:
            parts.append(span.cut(start))
            return parts
        parts.append(span.cut(start, at))
        start = at + len(sep)


def _answers(
    reader: _Reader, block: _Span, block_line: int, result: ParseResult
) -> list[_Answer] | None:
    marks = [i for i, c in enumerate(block.chars) if c in "=~" and not block.lit[i]]
    if len(marks) > MAX_ANSWERS:
        result.problem(
            block_line,
            f"an answer block holds at most {MAX_ANSWERS} answers; this one has {len(marks)}",
        )
        return None
    lead = block.cut(0, marks[0] if marks else len(block)).strip()
    if lead.chars:
        result.problem(
            reader.line_of(lead, block_line),
            "text before the first = or ~ in the answer block (write = and ~ in text as \\= \\~)",
        )
        return None
    answers = []
    for mark, end in zip(marks, [*marks[1:], len(block)], strict=True):
        piece = block.cut(mark + 1, end)
        line = reader.line(block.src[mark])
        body = piece.strip()
        weight = None
        match = WEIGHT_RE.match(body.chars)
        if match:
            weight = float(match.group(1).replace(",", "."))
            body = body.cut(match.end())
        cut = body.find("#")
        text, feedback = (body.cut(0, cut), body.cut(cut + 1)) if cut >= 0 else (body, None)
        answers.append(
            _Answer(
                marker=block.chars[mark],
                weight=weight,
                text=reader.plain(text),
                feedback=reader.plain(feedback) if feedback is not None else "",
                line=line,
                arrow=_arrow(reader, text),
            )
        )
    return answers


def _arrow(reader: _Reader, text: _Span) -> tuple[str, str] | None:
    at = text.find("->")
    if at < 0:
        return None
    return reader.plain(text.cut(0, at)), reader.plain(text.cut(at + 2))


def _expect(wanted: str | None, actual: str, line: int, result: ParseResult) -> bool:
    if wanted is not None and wanted != actual:
        result.problem(line, f"mingli: type {wanted} does not fit this answer block ({actual})")
        return False
    return True


def _choice(
    data: dict[str, Any],
    answers: list[_Answer],
    wanted: str | None,
    general: str,
    line: int,
    result: ParseResult,
) -> None:
    weights = [
        a.weight if a.weight is not None else (100.0 if a.marker == "=" else 0.0) for a in answers
    ]
    if wanted is None:
        positive = [w for w in weights if w > 0]
        has_right = any(a.marker == "=" for a in answers)
        if not has_right and (len(positive) >= 2 or any(w < 0 for w in weights)):
            wanted = "multiple"
        elif one_answer_type(weights):
            wanted = one_answer_type(weights)
        else:
            result.problem(
                line,
                "a single-choice question with partial credit needs one answer at 100% and the "
                "others from 0% to 100%; several right answers are written as ~%weight% (a "
                "multiple-answer question)",
            )
            return
    elif wanted not in CHOICE_TYPES:
        _expect(wanted, "single, multiple or scenario", line, result)
        return
    if wanted == "single" and any(w not in (0, 100) for w in weights):
        result.problem(line, "a single-choice question has no partial credit: use = and ~ only")
        return
    weighted = wanted == "multiple" and not default_shares(weights)
    options = []
    for answer, weight in zip(answers, weights, strict=True):
        option: dict[str, Any] = {"text": answer.text}
        if wanted == "scenario":
            option["grade"] = whole_number(weight)
        elif weight > 0 if wanted == "multiple" else weight == 100:
            option["correct"] = True
        if weighted:
            option["weight"] = whole_number(weight)
        if answer.feedback:
            option["feedback"] = answer.feedback
        options.append(option)
    data.update(type=wanted, options=options, feedback=general)


def _matching(
    data: dict[str, Any],
    answers: list[_Answer],
    wanted: str | None,
    general: str,
    line: int,
    result: ParseResult,
) -> None:
    pairs, distractors = [], []
    for answer in answers:
        arrow = answer.arrow
        if arrow is None:
            result.problem(answer.line, "each matching answer is written =left -> right")
            return
        if answer.weight not in (None, 100):
            result.problem(answer.line, "matching answers take no weights")
            return
        left, right = arrow
        if left:
            pairs.append({"left": left, "right": right})
        else:
            distractors.append(right)
    feedback = fold_feedback(general, *(a.feedback for a in answers))
    if wanted == "ordering":
        numbers = [p["left"] for p in pairs]
        if distractors or sorted(numbers, key=_rank) != [str(n) for n in range(1, len(pairs) + 1)]:
            result.problem(
                line, "an ordering question lists its steps as =1 -> first step, =2 -> second …"
            )
            return
        steps = [p["right"] for p in sorted(pairs, key=lambda p: _rank(p["left"]))]
        data.update(type="ordering", steps=steps, feedback=feedback)
        return
    if not _expect(wanted, "matching", line, result):
        return
    data.update(type="matching", pairs=pairs, feedback=feedback)
    if distractors:
        data["distractors"] = distractors


_NUM = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
NUMERICAL_RANGE_RE = re.compile(rf"({_NUM})\s*\.\.\s*({_NUM})")
NUMERICAL_VALUE_RE = re.compile(rf"({_NUM})(?:\s*:\s*({_NUM}))?")


def _numerical(
    reader: _Reader, block: _Span, block_line: int, result: ParseResult
) -> tuple[list[dict[str, Any]], list[str]] | None:
    """A numerical block after its ``#``: one answer (``8:1``, ``3.141..3.142``) or several written
    ``=%50%8:2#feedback``. A 0% answer earns nothing, as any other number: only its feedback is
    kept (in the general feedback). Returns the answers and that feedback, or None (a problem)."""
    body = block.strip()
    if body.find("~") >= 0:
        result.problem(
            reader.line_of(body, block_line),
            "a numerical question lists its answers with = (write ~ in text as \\~)",
        )
        return None
    marks = [i for i, c in enumerate(body.chars) if c == "=" and not body.lit[i]]
    if len(marks) > MAX_ANSWERS:
        result.problem(
            block_line,
            f"an answer block holds at most {MAX_ANSWERS} answers; this one has {len(marks)}",
        )
        return None
    if marks:
        lead = body.cut(0, marks[0]).strip()
        if lead.chars:
            result.problem(
                reader.line_of(lead, block_line),
                "text before the first = in a numerical answer block",
            )
            return None
        pieces = [
            (body.cut(m + 1, end), reader.line(body.src[m]))
            for m, end in zip(marks, [*marks[1:], len(body)], strict=True)
        ]
    else:
        pieces = [(body, reader.line_of(body, block_line))]
    answers: list[dict[str, Any]] = []
    folded: list[str] = []
    for piece, line in pieces:
        piece = piece.strip()
        weight = 100.0
        match = WEIGHT_RE.match(piece.chars)
        if match:
            weight = float(match.group(1).replace(",", "."))
            piece = piece.cut(match.end())
        cut = piece.find("#")
        number, feedback = (piece.cut(0, cut), piece.cut(cut + 1)) if cut >= 0 else (piece, None)
        answer = _numerical_answer(number.strip().chars)
        if answer is None:
            result.problem(
                line,
                f"cannot read the numerical answer {number.strip().chars!r}: write 8, 8:1 "
                "(8 with a tolerance of 1) or 3.141..3.142 (a range)",
            )
            return None
        text = reader.plain(feedback) if feedback is not None else ""
        if not 0 <= weight <= 100:
            result.problem(line, "a numerical answer's weight must be from 0% to 100%")
            return None
        if weight == 0:
            folded.append(text)
            continue
        if weight != 100:
            answer["weight"] = whole_number(weight)
        if text:
            answer["feedback"] = text
        answers.append(answer)
    return answers, folded


def _numerical_answer(text: str) -> dict[str, Any] | None:
    """``8`` → value; ``8:1`` → value and tolerance; ``3.141..3.142`` → min and max."""
    ranged = NUMERICAL_RANGE_RE.fullmatch(text)
    if ranged:
        low, high = _finite(ranged.group(1)), _finite(ranged.group(2))
        return None if low is None or high is None else {"min": low, "max": high}
    plain = NUMERICAL_VALUE_RE.fullmatch(text)
    if not plain:
        return None
    value = _finite(plain.group(1))
    if value is None:
        return None
    if plain.group(2) is None:
        return {"value": value}
    tolerance = _finite(plain.group(2))
    return None if tolerance is None else {"value": value, "tolerance": tolerance}


def _finite(text: str) -> int | float | None:
    number = float(text)
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return whole_number(number)


def _rank(text: str) -> int:
    return int(text) if re.fullmatch(r"[0-9]{1,6}", text) else -1


def _short(
    data: dict[str, Any],
    answers: list[_Answer],
    wanted: str | None,
    general: str,
    result: ParseResult,
) -> None:
    accepted: list[str] = []
    partial: list[dict[str, Any]] = []
    for answer in answers:
        weight = 100.0 if answer.weight is None else answer.weight
        if not 0 <= weight <= 100:
            result.problem(answer.line, "a short answer's weight must be from 0% to 100%")
            return
        if weight == 100:
            accepted.append(answer.text)
        elif weight > 0:
            partial.append({"text": answer.text, "weight": whole_number(weight)})
        # a 0% answer earns nothing, as any other answer: only its feedback is kept
    if not _expect(wanted, "short", answers[0].line if answers else 1, result):
        return
    data.update(
        type="short",
        accepted=accepted,
        feedback=fold_feedback(general, *(a.feedback for a in answers)),
    )
    if partial:
        data["partial"] = partial


# ---------------------------------------------------------------------------------------------
# Writing


def escape(text: str) -> str:
    r"""GIFT-escape a text: ``\ ~ = # { } :`` get a backslash, line breaks become ``\n``."""
    out = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        out = out.replace(char, "\\" + char)
    out = out.replace("->", "-\\>").replace("\r\n", "\n").replace("\n", "\\n")
    if FORMAT_RE.match(out):
        out = "[moodle]" + out  # a text that itself starts with [html] must not be read as a tag
    return out


def _answer_text(text: str, weight: str | None = None, *, default: str = "100") -> str:
    """An answer's text after its marker; one that starts like a weight (``%5%…``) gets its weight
    written out, so the text's own ``%5%`` is not read as one."""
    if weight is None and WEIGHT_RE.match(text):
        weight = default
    return (f"%{weight}%" if weight is not None else "") + escape(text)


def _numeral(value: float) -> str:
    """A number exactly as stored (``repr`` round-trips a float), ``8`` rather than ``8.0``."""
    return str(whole_number(value)) if isinstance(value, float) else str(value)


def _feedback(option: Mapping[str, Any]) -> str:
    text = option.get("feedback")
    return f"#{escape(text)}" if isinstance(text, str) and text.strip() else ""


def question_to_gift(question: Mapping[str, Any]) -> str:
    """One question (bank format, valid) as a GIFT block with its mingli: lines."""
    qtype = question["type"]
    out = [f"// mingli: difficulty {question.get('difficulty', DEFAULT_DIFFICULTY)}"]
    if question.get("section"):
        out.append(f"// mingli: section {question['section']}")
    for key in ("source", "sources"):
        if question.get(key) is not None:
            out.append(f"// mingli: {key} " + json.dumps(question[key], ensure_ascii=False))
    if qtype in ("scenario", "ordering"):
        out.append(f"// mingli: type {qtype}")
    out.append(f"::{escape(question['id'])}::{escape(question['stem'])}{{")
    options = question.get("options") or []
    if qtype == "single":
        for option in options:
            right = option.get("correct") is True
            text = _answer_text(option["text"], default="100" if right else "0")
            out.append(("=" if right else "~") + text + _feedback(option))
    elif qtype == "multiple":
        rights = sum(1 for o in options if o.get("correct") is True)
        wrongs = len(options) - rights
        for option in options:
            share = 100 / rights if option.get("correct") is True else -100 / wrongs
            share = option.get("weight", share)
            out.append("~" + _answer_text(option["text"], weight_text(share)) + _feedback(option))
    elif qtype == "scenario":
        for option in options:
            grade = option["grade"]
            weight = None if grade in (0, 100) else weight_text(grade)
            text = _answer_text(option["text"], weight, default=weight_text(grade))
            out.append(("=" if grade == 100 else "~") + text + _feedback(option))
    elif qtype == "truefalse":
        out.append("TRUE" if question["answer"] else "FALSE")
    elif qtype == "matching":
        for pair in question["pairs"]:
            out.append(f"={_answer_text(pair['left'])} -> {escape(pair['right'])}")
        for distractor in question.get("distractors") or []:
            out.append(f"= -> {escape(distractor)}")
    elif qtype == "ordering":
        for number, step in enumerate(question["steps"], 1):
            out.append(f"={number} -> {escape(step)}")
    elif qtype == "numerical":
        out.append("#")
        for answer in question["answers"]:
            weight = answer.get("weight", 100)
            mark = "=" if weight == 100 else f"=%{weight_text(weight)}%"
            if "value" in answer:
                number = _numeral(answer["value"])
                if "tolerance" in answer:
                    number += f":{_numeral(answer['tolerance'])}"
            else:
                number = f"{_numeral(answer['min'])}..{_numeral(answer['max'])}"
            out.append(mark + number + _feedback(answer))
    elif qtype == "short":
        for accepted in question["accepted"]:
            out.append("=" + _answer_text(accepted))
        for partial in question.get("partial") or []:
            out.append("=" + _answer_text(partial["text"], weight_text(partial["weight"])))
    else:
        raise ValueError(f"cannot write a {qtype!r} question as GIFT")
    if question.get("feedback"):
        out.append("####" + escape(question["feedback"]))
    out.append("}")
    return "\n".join(out)


def to_gift(questions: Iterable[Mapping[str, Any]], *, category: str | None = None) -> str:
    """Questions in GIFT, readable by Moodle and by :func:`parse_gift` (which gives them back)."""
    out = [
        "// Mingli question bank, GIFT format. The mingli: comment lines carry what GIFT has no",
        "// syntax for (difficulty, lesson section, sources, ordering and scenario questions).",
        "",
    ]
    if category:
        out += [f"$CATEGORY: {category}", ""]
    for question in questions:
        out += [question_to_gift(question), ""]
    return "\n".join(out)


__all__ = ["Problem", "escape", "parse_gift", "question_to_gift", "to_gift"]
