"""Moodle XML ⇄ our question data: the format Moodle moves whole banks in.

Reading uses the standard library's expat parser, hardened: a file that declares an entity (the
"billion laughs" expansion, or an external entity reaching for a local file or a URL) is refused
with one problem before any entity is expanded, and external DTDs are never fetched. Every element
remembers its line, so each problem reads ``line N: …``. CDATA sections are read as text.

Mapping, Moodle XML → ours (and back, so an export imports as the very same question):

==================================  ==========  ===============================================
Moodle ``<question type=…>``        our type    notes
==================================  ==========  ===============================================
``multichoice`` ``single=true``     single      fractions 100 / 0
``multichoice`` ``single=true``     scenario    one fraction 100, others 0–100 (or marked
                                                ``type scenario``); per-answer feedback per reply
``multichoice`` ``single=false``    multiple    fraction > 0 is correct; fractions other than
                                                even shares are kept as ``weight``
``truefalse``                       truefalse   per-answer feedback joins the general feedback
``shortanswer``                     short       0 < fraction < 100 goes to ``partial``
``matching``                        matching    a subquestion without text is a distractor
``ordering`` (``qtype_ordering``)   ordering    answers in their right order (by ``fraction``
                                                when it numbers them, else as written)
``numerical``                       numerical   ``{value, tolerance?, weight?, feedback?}`` per
                                                answer
``category``                        —           sets the category of the questions after it
``essay`` ``description`` ``cloze`` —           reported as skipped with their line, as any
``random`` …                                    other type we do not have
==================================  ==========  ===============================================

Text formats: ``html`` (and ``moodle_auto_format`` holding tags) goes through the lessons'
sanitiser, then becomes plain text; ``plain_text`` and ``markdown`` are kept as written. An
embedded image (``<file>`` or ``<img>``) cannot come along: it is dropped and listed as a note.
What Moodle XML has no element for (difficulty, lesson section, sources, the scenario type) travels
in ``<!-- mingli: … -->`` comments inside the question, which Moodle ignores, like GIFT's
``// mingli:`` lines. The ``<name>`` becomes the id as in GIFT; a question without one gets a
stable id made from its stem. Feedback is optional, as in Moodle.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat
from xml.sax.saxutils import escape as xml_escape

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
    weight_text,
    whole_number,
)
from lms.quizzes.interchange.gift import MAX_ANSWERS

MARKER_RE = re.compile(r"^\s*mingli:\s*(\S+)\s*(.*?)\s*$", re.DOTALL)
MARKERS = ("type", "difficulty", "section", "source", "sources")
SUPPORTED = ("multichoice", "truefalse", "shortanswer", "matching", "ordering", "numerical")
SKIPPED_NAMES = {"multianswer": "cloze"}
# Characters XML 1.0 does not allow, even escaped.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TAG_RE = re.compile(r"<[a-zA-Z/!]")
_IMG_RE = re.compile(r"<img\b", re.IGNORECASE)
MAX_DEPTH = 64  # Moodle XML nests a few levels; a deeper file is refused, not walked


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[_Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    comments: list[tuple[int, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def child(self, tag: str) -> _Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def all(self, tag: str) -> list[_Node]:
        return [c for c in self.children if c.tag == tag]

    def value(self, tag: str) -> str:
        """The text of ``<tag><text>…</text></tag>`` or of ``<tag>…</tag>``."""
        node = self.child(tag)
        if node is None:
            return ""
        inner = node.child("text")
        return (inner.text if inner is not None else node.text).strip()


def _read_tree(text: str) -> _Node:
    """The document as nodes with line numbers; raises ``_Refused`` for entities or bad XML."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    root = _Node("", {}, 1)
    stack = [root]

    def refuse_entity(*_args: Any) -> None:
        raise _Refused(
            parser.CurrentLineNumber,
            "the file declares an entity; Moodle XML has none, and entities can expand into "
            "huge or outside content, so the file is refused",
        )

    def external(*_args: Any) -> int:
        raise _Refused(parser.CurrentLineNumber, "the file refers to an external entity; refused")

    def doctype(_name: str, system: str | None, public: str | None, _internal: int) -> None:
        if system or public:
            raise _Refused(
                parser.CurrentLineNumber,
                "the file refers to an external DTD; Moodle XML has none, so it is refused",
            )

    def start(tag: str, attrs: dict[str, str]) -> None:
        if len(stack) > MAX_DEPTH:
            raise _Refused(parser.CurrentLineNumber, f"elements nest deeper than {MAX_DEPTH}")
        node = _Node(tag, attrs, parser.CurrentLineNumber)
        stack[-1].children.append(node)
        stack.append(node)

    def end(_tag: str) -> None:
        stack.pop()

    def data(chunk: str) -> None:
        stack[-1].parts.append(chunk)

    def comment(body: str) -> None:
        stack[-1].comments.append((parser.CurrentLineNumber, body))

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = external
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.CommentHandler = comment
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        raise _Refused(
            exc.lineno or 1, f"the file is not well-formed XML: {expat.ErrorString(exc.code)}"
        ) from None
    except RecursionError:
        raise _Refused(1, "the file nests too deeply") from None
    return root


def parse_moodle_xml(text: str, limits: Limits | None = None) -> ParseResult:
    """Parse a Moodle XML file; every problem is ``line N: …`` and nothing raises on bad input."""
    result = ParseResult(budget=Budget(limits or Limits()))
    try:
        root = _read_tree(text.removeprefix("\ufeff"))
    except _Refused as exc:
        result.problem(exc.line, exc.message)
        return result.finish()
    quiz = root.children[0] if root.children else None
    if quiz is None or quiz.tag != "quiz":
        result.problem(quiz.line if quiz else 1, "a Moodle XML file has <quiz> as its root")
        return result.finish()
    category: str | None = None
    for node in quiz.children:
        if node.tag != "question":
            result.problem(node.line, f"<{node.tag}> inside <quiz>: only <question> is read")
            continue
        qtype = node.attrs.get("type", "")
        if qtype == "category":
            category = _category(node.value("category")) or None
            continue
        if qtype not in SUPPORTED:
            result.skipped.append(Skipped(node.line, SKIPPED_NAMES.get(qtype, qtype or "untyped")))
            continue
        if not result.next_question(node.line):
            break
        _question(node, qtype, category, result)
    return result.finish()


def _category(path: str) -> str:
    for prefix in ("$course$/", "$system$/", "$module$/", "$cat1$/", "$coursecategory$/"):
        path = path.removeprefix(prefix)
    return path.removeprefix("top/").removeprefix("top").strip().strip("/")


@dataclass
class _Answer:
    fraction: float
    text: str
    feedback: str
    line: int
    node: _Node


def _fmt_text(node: _Node | None, result: ParseResult, default: str = "html") -> str:
    """``<x format=…><text>…</text><file/></x>`` as our plain text; images become notes."""
    if node is None:
        return ""
    inner = node.child("text")
    raw = inner.text if inner is not None else node.text
    fmt = node.attrs.get("format", default)
    for file in node.all("file"):
        name = file.attrs.get("name", "")
        result.notes.append(Problem(file.line, f"the embedded file {name!r} was dropped"))
    if fmt == "html" or (fmt == "moodle_auto_format" and _TAG_RE.search(raw)):
        if _IMG_RE.search(raw):
            result.notes.append(Problem(node.line, "an image in the text was dropped"))
        return html_to_text(raw)
    return raw.strip()


def _fraction(node: _Node, result: ParseResult) -> float | None:
    raw = node.attrs.get("fraction", "0").strip().replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not -100 <= value <= 100:  # also NaN
        result.problem(node.line, f"fraction {raw!r} is not a number from -100 to 100")
        return None
    return value


def _answers(node: _Node, result: ParseResult) -> list[_Answer] | None:
    found = node.all("answer")
    if len(found) > MAX_ANSWERS:
        result.problem(node.line, f"a question holds at most {MAX_ANSWERS} answers")
        return None
    answers = []
    for answer in found:
        fraction = _fraction(answer, result)
        if fraction is None:
            return None
        answers.append(
            _Answer(
                fraction=fraction,
                text=_fmt_text(answer, result, "plain_text"),
                feedback=_fmt_text(answer.child("feedback"), result),
                line=answer.line,
                node=answer,
            )
        )
    return answers


def _markers(node: _Node, result: ParseResult) -> tuple[dict[str, Any], dict[str, int], bool]:
    meta: dict[str, Any] = {}
    lines: dict[str, int] = {}
    ok = True
    for line, body in node.comments:
        match = MARKER_RE.match(body)
        if not match:
            continue
        key, value = match.group(1), match.group(2)
        if key not in MARKERS:
            result.problem(line, f"unknown mingli: comment {key!r} (use {', '.join(MARKERS)})")
            ok = False
        elif key in meta:
            result.problem(line, f"mingli: {key} is given twice (first at line {lines[key]})")
            ok = False
        elif key == "difficulty":
            meta[key] = int(value) if re.fullmatch(r"[0-9]{1,3}", value) else value
        elif key in ("source", "sources"):
            try:
                meta[key] = json.loads(value)
            except (ValueError, RecursionError):
                result.problem(line, f"mingli: {key} must be JSON")
                ok = False
        else:
            meta[key] = value
        lines.setdefault(key, line)
    return meta, lines, ok


def _question(node: _Node, qtype: str, category: str | None, result: ParseResult) -> None:
    before = len(result.problems)
    meta, lines, ok = _markers(node, result)
    if not ok:
        return
    lines.update(
        id=node.line, stem=_line(node, "questiontext"), feedback=_line(node, "generalfeedback")
    )
    general = _fmt_text(node.child("generalfeedback"), result)
    data: dict[str, Any] = {"type": None}
    wanted = meta.get("type")
    if qtype == "matching":
        lines["pairs"] = lines["distractors"] = _line(node, "subquestion")
        _matching(node, data, general, result)
    else:
        answers = _answers(node, result)
        if answers is None:
            return
        first = answers[0].line if answers else node.line
        if qtype == "multichoice":
            lines["options"] = first
            _choice(node, answers, data, wanted, general, result)
        elif qtype == "truefalse":
            lines["answer"] = first
            _truefalse(node, answers, data, general, result)
        elif qtype == "shortanswer":
            lines["accepted"] = lines["partial"] = first
            _short(answers, data, general)
        elif qtype == "ordering":
            lines["steps"] = first
            _ordering(node, answers, data, general, result)
        else:
            lines["answers"] = first
            _numerical(node, answers, data, general, result)
    if data["type"] is None or len(result.problems) > before:
        return
    if wanted is not None and wanted != data["type"]:
        result.problem(node.line, f"mingli: type {wanted} does not fit this {qtype} question")
        return
    stem = _fmt_text(node.child("questiontext"), result)
    title = node.value("name")
    data["id"] = id_from_title(title) if title else generated_id(stem or qtype)
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
            line=node.line,
            field_lines=lines,
            category=category,
            id_generated=id_derived(title),
        )
    )


def _line(node: _Node, tag: str) -> int:
    child = node.child(tag)
    return child.line if child is not None else node.line


def _truthy(text: str) -> bool:
    return text.strip().lower() in ("true", "1", "yes")


def _choice(
    node: _Node,
    answers: list[_Answer],
    data: dict[str, Any],
    wanted: str | None,
    general: str,
    result: ParseResult,
) -> None:
    single = _truthy(node.value("single") or "true")
    weights = [a.fraction for a in answers]
    if wanted is None:
        if not single:
            wanted = "multiple"
        elif one_answer_type(weights):
            wanted = one_answer_type(weights)
        else:
            result.problem(
                node.line,
                "a one-answer multichoice question needs one answer at fraction 100 and the "
                "others from 0 to 100; several right answers need single = false",
            )
            return
    if wanted not in ("single", "multiple", "scenario"):
        result.problem(node.line, f"mingli: type {wanted} does not fit this multichoice question")
        return
    if wanted == "single" and any(w not in (0, 100) for w in weights):
        result.problem(node.line, "a single-choice question has no partial credit")
        return
    weighted = wanted == "multiple" and not default_shares(weights)
    options = []
    for answer in answers:
        option: dict[str, Any] = {"text": answer.text}
        if wanted == "scenario":
            option["grade"] = whole_number(answer.fraction)
        elif answer.fraction > 0 if wanted == "multiple" else answer.fraction == 100:
            option["correct"] = True
        if weighted:
            option["weight"] = whole_number(answer.fraction)
        if answer.feedback:
            option["feedback"] = answer.feedback
        options.append(option)
    data.update(type=wanted, options=options, feedback=general)


def _truefalse(
    node: _Node, answers: list[_Answer], data: dict[str, Any], general: str, result: ParseResult
) -> None:
    right = [a for a in answers if a.fraction == 100]
    if len(right) != 1 or right[0].text.lower() not in ("true", "false"):
        result.problem(node.line, "a truefalse question needs the answer true or false at 100%")
        return
    data.update(
        type="truefalse",
        answer=right[0].text.lower() == "true",
        feedback=fold_feedback(general, *(a.feedback for a in answers)),
    )


def _short(answers: list[_Answer], data: dict[str, Any], general: str) -> None:
    accepted, partial = [], []
    for answer in answers:
        if answer.fraction == 100:
            accepted.append(answer.text)
        elif answer.fraction > 0:
            partial.append({"text": answer.text, "weight": whole_number(answer.fraction)})
        # a 0% (or negative) answer earns nothing, as any other answer: only its feedback is kept
    data.update(
        type="short",
        accepted=accepted,
        feedback=fold_feedback(general, *(a.feedback for a in answers)),
    )
    if partial:
        data["partial"] = partial


def _matching(node: _Node, data: dict[str, Any], general: str, result: ParseResult) -> None:
    pairs, distractors = [], []
    for sub in node.all("subquestion"):
        left = _fmt_text(sub, result)
        right = _fmt_text(sub.child("answer"), result, "plain_text")
        if left:
            pairs.append({"left": left, "right": right})
        else:
            distractors.append(right)
    data.update(type="matching", pairs=pairs, feedback=general)
    if distractors:
        data["distractors"] = distractors


def _ordering(
    node: _Node, answers: list[_Answer], data: dict[str, Any], general: str, result: ParseResult
) -> None:
    positions = [a.fraction for a in answers]
    if len(set(positions)) == len(positions):  # fractions number the steps: that is their order
        answers = sorted(answers, key=lambda a: a.fraction)
    data.update(
        type="ordering",
        steps=[a.text for a in answers],
        feedback=fold_feedback(general, *(a.feedback for a in answers)),
    )


def _numerical(
    node: _Node, answers: list[_Answer], data: dict[str, Any], general: str, result: ParseResult
) -> None:
    """Moodle's answers as the numerical type's: ``{value, tolerance?, weight?, feedback?}``."""
    out = []
    folded = []
    for answer in answers:
        if answer.text.strip() == "*" or answer.fraction <= 0:
            folded.append(answer.feedback)  # "any other answer": only its feedback is kept
            continue
        value = _float(answer.text)
        tolerance_text = answer.node.value("tolerance") or "0"
        tolerance = _float(tolerance_text)
        if value is None or tolerance is None or tolerance < 0:
            result.problem(
                answer.line, f"answer {answer.text!r} ± {tolerance_text!r} is not a number"
            )
            return
        item: dict[str, Any] = {"value": whole_number(value)}
        if tolerance:
            item["tolerance"] = whole_number(tolerance)
        if answer.fraction != 100:
            item["weight"] = whole_number(answer.fraction)
        if answer.feedback:
            item["feedback"] = answer.feedback
        out.append(item)
    data.update(type="numerical", answers=out, feedback=fold_feedback(general, *folded))


def _float(text: str) -> float | None:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


# ---------------------------------------------------------------------------------------------
# Writing


def _x(text: str) -> str:
    return xml_escape(_ILLEGAL.sub("", text))


def _text(tag: str, text: str, fmt: str = "plain_text", indent: str = "    ") -> str:
    return f'{indent}<{tag} format="{fmt}"><text>{_x(text)}</text></{tag}>'


def _comment(key: str, value: str) -> str:
    # "--" may not appear in an XML comment; in JSON it only occurs inside strings.
    safe = _ILLEGAL.sub("", value).replace("--", "-\\u002d")
    return f"    <!-- mingli: {key} {safe} -->"


def _answer(fraction: float, text: str, feedback: str = "", extra: str = "") -> str:
    fb = _text("feedback", feedback, indent="") if feedback else ""
    return (
        f'    <answer fraction="{weight_text(fraction)}" format="plain_text">'
        f"<text>{_x(text)}</text>{extra}{fb}</answer>"
    )


def question_to_xml(question: Mapping[str, Any]) -> str:
    """One question (bank format, valid) as a Moodle XML ``<question>``."""
    qtype = question["type"]
    moodle = {
        "single": "multichoice", "multiple": "multichoice", "scenario": "multichoice",
        "truefalse": "truefalse", "short": "shortanswer", "matching": "matching",
        "ordering": "ordering", "numerical": "numerical",
    }.get(qtype)  # fmt: skip
    if moodle is None:
        raise ValueError(f"cannot write a {qtype!r} question as Moodle XML")
    out = [f'  <question type="{moodle}">']
    out.append(_comment("difficulty", str(question.get("difficulty", DEFAULT_DIFFICULTY))))
    if question.get("section"):
        out.append(_comment("section", question["section"]))
    for key in ("source", "sources"):
        if question.get(key) is not None:
            out.append(_comment(key, json.dumps(question[key], ensure_ascii=False)))
    if qtype == "scenario":
        out.append(_comment("type", "scenario"))
    out.append(f"    <name><text>{_x(question['id'])}</text></name>")
    out.append(_text("questiontext", question["stem"]))
    out.append(_text("generalfeedback", question.get("feedback") or ""))
    out.append("    <defaultgrade>1</defaultgrade>")
    options = question.get("options") or []
    if qtype in ("single", "multiple", "scenario"):
        out.append(f"    <single>{'false' if qtype == 'multiple' else 'true'}</single>")
        out.append("    <shuffleanswers>true</shuffleanswers>")
        rights = sum(1 for o in options if o.get("correct") is True)
        wrongs = len(options) - rights
        for option in options:
            right = option.get("correct") is True
            if qtype == "scenario":
                fraction = option["grade"]
            elif qtype == "single":
                fraction = 100 if right else 0
            else:
                fraction = option.get("weight", 100 / rights if right else -100 / wrongs)
            out.append(_answer(fraction, option["text"], option.get("feedback") or ""))
    elif qtype == "truefalse":
        out.append(_answer(100 if question["answer"] else 0, "true"))
        out.append(_answer(0 if question["answer"] else 100, "false"))
    elif qtype == "short":
        out.append("    <usecase>0</usecase>")
        for accepted in question["accepted"]:
            out.append(_answer(100, accepted))
        for partial in question.get("partial") or []:
            out.append(_answer(partial["weight"], partial["text"]))
    elif qtype == "matching":
        out.append("    <shuffleanswers>true</shuffleanswers>")
        items = [(p["left"], p["right"]) for p in question["pairs"]]
        items += [("", d) for d in question.get("distractors") or []]
        for left, right in items:
            out.append(
                f'    <subquestion format="plain_text"><text>{_x(left)}</text>'
                f"<answer><text>{_x(right)}</text></answer></subquestion>"
            )
    elif qtype == "ordering":
        out.append("    <layouttype>VERTICAL</layouttype>")
        out.append("    <selecttype>ALL</selecttype>")
        out.append("    <selectcount>0</selectcount>")
        out.append("    <gradingtype>ABSOLUTE_POSITION</gradingtype>")
        for number, step in enumerate(question["steps"], 1):
            out.append(_answer(number, step))
    else:
        for item in question["answers"]:
            if "value" in item:
                value, tolerance = item["value"], item.get("tolerance", 0)
            else:
                value = (item["min"] + item["max"]) / 2
                tolerance = (item["max"] - item["min"]) / 2
            extra = f"<tolerance>{weight_text(tolerance)}</tolerance>"
            out.append(
                _answer(
                    item.get("weight", 100), weight_text(value), item.get("feedback") or "", extra
                )
            )
    out.append("  </question>")
    return "\n".join(out)


def to_moodle_xml(questions: Iterable[Mapping[str, Any]], *, category: str | None = None) -> str:
    """Questions as a Moodle XML file, readable by Moodle and by :func:`parse_moodle_xml`."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    out.append(
        "<!-- Mingli question bank. The mingli: comments carry what Moodle XML has no element "
        "for (difficulty, lesson section, sources, scenario questions). -->"
    )
    if category:
        out += [
            '  <question type="category">',
            f"    <category><text>$course$/top/{_x(category)}</text></category>",
            "  </question>",
        ]
    for question in questions:
        out.append(question_to_xml(question))
    out.append("</quiz>")
    return "\n".join(out) + "\n"


__all__ = ["parse_moodle_xml", "question_to_xml", "to_moodle_xml"]
