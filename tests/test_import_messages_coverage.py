"""Every problem, skip and note an import can show has a pattern (issue #12, item 4).

A corpus of broken files, one or more for each message the parsers (GIFT, Aiken, YAML, Moodle XML,
the 题库 sheet) and the question rules (``bank_file.question_problems``) can produce, is parsed and
every message it gives must be known to :func:`lms.quizzes.import_messages.translate`. So that a
new message cannot slip past an old corpus, the parsers' and rules' source is read as well: every
place that writes a message (``result.problem(…)``, ``Problem(…)``, ``Skipped(…)``, a rule's
``(field, "…")``) must have run while the corpus was parsed. Then the wizard itself, with a broken
Moodle XML file and a broken GBK CSV, in Chinese (the default) and in English.
"""

from __future__ import annotations

import ast
import csv
import html as html_lib
import io
import itertools
import re
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from lms import sheets as spreadsheet_reader
from lms.formats import yamlfile
from lms.quizzes import bank_file
from lms.quizzes.import_messages import _SKIPPED_KINDS, _XML_ERRORS, skipped_text, translate
from lms.quizzes.interchange import (
    Limits,
    ParseResult,
    aiken,
    common,
    gift,
    moodle_xml,
    parse,
    parse_upload,
    sheet,
    yaml_bank,
)
from tests.conftest import login

# --- The corpus -----------------------------------------------------------------------------------

GIFT_FILES = [
    "::n1::几声？{#abc}\n\n::n2::范围？{#5..1}\n\n::c1::两个都对？{=甲 =乙 ~丙}\n\n::c2::{=甲 ~乙 ~丙}\n"
    "\n::essay::谈谈体会。{}\n\n只是一段说明文字。\n\n::cloze::填空 {1:SHORTANSWER:=对}\n"
    "\n// mingli: colour red\n::m1::未知标记{T}\n\n::w::权重？{~%70%甲 ~%30%乙 ~丙}\n"
    "\n::d::重复{=甲 ~乙 ~丙}\n\n::d::重复{=甲 ~乙 ~丙}\n\n::x::多个块{=a ~b} {=c}\n"
    "\n::t::判断{T#一#二#三}\n\n::mm::配对{=a -> 1 =b}\n\n::sw::简答{=%150%甲}\n"
    "\n::nw::数值{#=%150%5}\n\n::nt::数值{#=5 ~6}\n\n::sc::单选{=%50%甲 ~乙 =丙}\n"
    "\n::o::题{=甲 ~乙 ~丙\n",
    "::no-end 名称没有结尾{T}\n\n::s::多一个{=a ~b ~c} }\n\n// mingli: difficulty 2\n\n"
    "::q::{???}\n\n::lead::前面有字{abc =a ~b}\n\n::nl::数值{#5 =6}\n"
    "\n::mw::配对{=%50%a -> 1 =b -> 2 =c -> 3}\n"
    "\n// mingli: type ordering\n::ord::排序{=a -> 1 =b -> 2 =c -> 3}\n"
    "\n// mingli: type truefalse\n::tf::类型{=a ~b ~c}\n"
    "\n// mingli: type single\n::sh::类型{=a =b}\n"
    "\n// mingli: type single\n::tfx::类型{T}\n"
    "\n// mingli: type single\n::mx::类型{=a -> 1 =b -> 2 =c -> 3}\n"
    "\n::sp2::部分{=甲 ~%-50%乙 ~丙}\n"
    "\n// mingli: type single\n::sp::部分{=a ~%50%b ~c}\n"
    "\n// mingli: type matching\n::num::数值{#5}\n"
    "\n// mingli: difficulty 1\n// mingli: difficulty 2\n::tw::两次{T}\n"
    "\n// mingli: source {x\n::js::来源{T}\n\n// mingli: sources [x\n::jss::来源{T}\n"
    "\n::many::多{" + " ".join(f"~a{n}" for n in range(101)) + "}\n"
    "\n::manyn::多{#" + " ".join(f"={n}" for n in range(101)) + "}\n"
    "\n::long::" + "长" * 70_000 + "{T}\n",
]
AIKEN_FILES = [
    "题一\nA. 甲\nA. 乙\nANSWER: C\n\nANSWER: A\n\n题二\nANSWER: A\n\n题四\nA. 甲\nB. 乙\n"
    "题五\nA. 甲\nB. 乙\nANSWER: A\n\n题三\nA. 甲\n"
]
YAML_FILES = [
    "course: [x]\nquestions:\n  - 1\n  - id: Bad Id\n    type: numerical\n"
    "    difficulty: 9\n    section: nowhere\n    stem: ''\n    answers:\n"
    "      - {value: 1, min: 2}\n      - {min: 3}\n      - {value: x, weight: 0}\n"
    "      - [1]\n    feedback: 5\n    source: x\n    sources: []\n    excludes: [Bad Id]\n"
    "    extra: 1\n",
    "questions:\n  - id: a\n    id: b\n",
    "- 1\n",
    "questions: []\n",
    "questions:\n  - a: &x 1\n    b: 2\n",
    "questions:\n  - a: *x\n",
    "questions: [\n",
    "? [a]\n: 1\n",
    "d: 2024-13-45\n",
    "a: \x07\n",
]
# Parsed last: the RecursionError it ends in stops the tracing of the corpus (see ``traced``).
DEEP_YAML = "a: " + "[" * 5000 + "]" * 5000 + "\n"


def _xml(*questions: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>\n"


def _mc(body: str, *answers: tuple[str, str], single: str = "true", extra: str = "") -> str:
    rows = "".join(f'<answer fraction="{f}"><text>{t}</text></answer>' for f, t in answers)
    return (
        f'<question type="multichoice">{extra}<name><text>{body}</text></name>'
        f'<questiontext format="plain_text"><text>{body}？</text></questiontext>'
        f"<single>{single}</single>{rows}</question>"
    )


ABC = (("100", "甲"), ("0", "乙"), ("0", "丙"))
XML_FILES = [
    '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY a "x">]>\n<quiz/>\n',
    '<?xml version="1.0"?>\n<!DOCTYPE quiz SYSTEM "http://example.invalid/q.dtd">\n<quiz/>\n',
    "<quiz>" + "<a>" * 70 + "</a>" * 70 + "</quiz>",
    "<quiz><question></quiz>",
    "",
    "<quiz>&nbsp;</quiz>",
    "<quiz></quiz>junk",
    "<quiz a='1' a='2'/>",
    "<quiz><</quiz>",
    "<x:quiz/>",
    "<quiz><![CDATA[ never closed",
    "<root/>",
    _xml(
        "<category><text>x</text></category>",
        '<question type="essay"><questiontext><text>谈谈</text></questiontext></question>',
        '<question type="description"><questiontext><text>说明</text></questiontext></question>',
        '<question type="multianswer"><questiontext><text>{1:SA:=a}</text></questiontext></question>',
        *(
            f'<question type="{kind}"><questiontext><text>x</text></questiontext></question>'
            for kind in (
                "random",
                "randomsamatch",
                "calculated",
                "calculatedsimple",
                "calculatedmulti",
                "ddwtos",
                "gapselect",
                "ddimageortext",
                "ddmarker",
            )
        ),
        "<question><questiontext><text>没有类型</text></questiontext></question>",
        _mc("fraction", ("abc", "甲"), ("0", "乙"), ("0", "丙")),
        _mc("many", *(("0", f"a{n}") for n in range(101))),
        _mc("unknown", *ABC, extra="<!-- mingli: colour red -->"),
        _mc("twice", *ABC, extra="<!-- mingli: difficulty 1 --><!-- mingli: difficulty 2 -->"),
        _mc("json", *ABC, extra="<!-- mingli: source {x -->"),
        _mc("fit", *ABC, extra="<!-- mingli: type matching -->"),
        _mc("partial", ("50", "甲"), ("50", "乙"), ("0", "丙")),
        _mc(
            "single", ("100", "甲"), ("50", "乙"), ("0", "丙"), extra="<!-- mingli: type single -->"
        ),
        _mc("two", ("100", "甲"), ("0", "乙")),
        '<question type="truefalse"><!-- mingli: type scenario --><name><text>tf1</text></name>'
        "<questiontext><text>对吗？</text></questiontext>"
        '<answer fraction="100"><text>true</text></answer>'
        '<answer fraction="0"><text>false</text></answer></question>',
        '<question type="truefalse"><name><text>tf2</text></name>'
        "<questiontext><text>对吗？</text></questiontext>"
        '<answer fraction="50"><text>true</text></answer></question>',
        '<question type="numerical"><name><text>num</text></name>'
        "<questiontext><text>几？</text></questiontext>"
        '<answer fraction="100"><text>abc</text><tolerance>1</tolerance></answer></question>',
        '<question type="multichoice"><name><text>img</text></name>'
        '<questiontext format="html"><text><![CDATA[<p>看图<img src="@@PLUGINFILE@@/a.png"></p>]]>'
        '</text><file name="a.png" encoding="base64">AAAA</file></questiontext>'
        '<answer fraction="100"><text>甲</text></answer><answer fraction="0"><text>乙</text></answer>'
        '<answer fraction="0"><text>丙</text></answer></question>',
    ),
]


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


HEAD = ["题型", "题干", "选项A", "选项B", "选项C", "答案", "分值", "难度", "来源"]
SHEET_ROWS = [
    ["题库", "", ""],
    HEAD + ["备注"],
    ["论证题", "题", "", "", "", "", "", "", ""],
    ["", "没有题型", "", "", "", "", "", "", ""],
    ["单选题", "单", "甲", "乙", "丙", "AB", "", "", ""],
    ["单选题", "单", "甲", "乙", "丙", "", "", "", ""],
    ["单选题", "单", "甲", "乙", "丙", "E", "", "", ""],
    ["多选题", "多", "甲", "乙", "丙", "", "", "", ""],
    ["多选题", "多", "甲", "乙", "丙", "AB", "50｜50", "", ""],
    ["多选题", "多", "甲", "乙", "丙", "AB", "50｜x｜0", "", ""],
    ["情境题", "情", "甲", "乙", "丙", "B", "100｜50｜0", "", ""],
    ["情境题", "情", "甲", "乙", "丙", "B", "50｜50｜0", "", ""],
    ["判断题", "判", "", "", "", "也许", "", "", ""],
    ["填空题", "填", "", "", "", "%0%运动", "", "", ""],
    ["排序题", "排", "甲", "乙", "丙", "AB", "", "", ""],
    ["排序题", "排", "甲", "乙", "丙", "", "", "", ""],
    ["配对题", "配", "甲", "乙｜1", "丙｜2", "", "", "", ""],
    ["数值题", "数", "", "", "", "八", "", "", ""],
    ["数值题", "数", "", "", "", "｜", "", "", ""],
    ["判断题", "判", "", "", "", "对", "", "很难", ""],
    ["判断题", "判", "", "", "", "对", "", "", "{x"],
    ["问答题", "谈谈", "", "", "", "", "", "", ""],
    ["单选题", "", "甲", "乙", "甲", "A", "", "", ""],
]
SHEET_FILES: list[bytes] = [
    _csv(SHEET_ROWS).encode("gbk"),
    _csv([["题干", "答案", "答案"]]).encode("utf-8"),
    b"",
    b"\xd0\xcf\x11\xe0old",
    b"PK\x03\x04broken",
    b"\x00\x01\x02",
    ('"' + "x" * 200_000 + '"\n').encode(),
]
# Messages no file can produce today (the reader refuses first, or only a bug could reach them),
# written out so they are known all the same.
UNREACHABLE = [
    "the file refers to an external entity; refused",  # its declaration is refused first
    "the file nests too deeply",  # expat's own nesting stops at MAX_DEPTH first
    "the file cannot be read as a spreadsheet",
    "the file cannot be read as a spreadsheet (KeyError)",
    "the workbook unpacks to more than 67108864 bytes; save it again as .xlsx or as CSV UTF-8, "
    "or split it",
    "the bank changed during the import (another import?); nothing was imported, please try again",
]


# Places the wizard cannot reach, as the code writes them: the depth limit on libyaml's documents
# (the wizard reads with a time budget, so in Python, whose composer stops at the same depth first,
# as DEEP_YAML shows) and the RecursionError behind both.
OUT_OF_REACH = ["TOO_DEEP, node.start_mark", "YamlError(first_line, TOO_DEEP)"]


def _clock() -> Any:
    ticks = itertools.count()
    return lambda: float(next(ticks))


def _limited(fmt: str, text: str) -> list[ParseResult]:
    """The file past one question, and past the time budget."""
    return [
        parse(text, fmt, Limits(max_questions=1)),
        parse(text, fmt, Limits(seconds=0.5, clock=_clock())),
    ]


RULE_QUESTIONS: list[tuple[dict[str, Any], bool]] = [
    ({"type": "bogus"}, False),
    (
        {
            "id": "Bad", "type": "single", "difficulty": 9, "section": "x", "stem": "",
            "feedback": 5, "source": "x", "sources": [], "excludes": ["Bad"], "extra": 1,
            "options": "x",
        },
        False,
    ),
    ({"id": "a", "type": "truefalse", "answer": "yes"}, True),
    (
        {"type": "single", "options": [
            {"text": ""}, {"text": "a", "zz": 1, "correct": "yes"}, {"text": "a"},
        ]},
        False,
    ),
    ({"type": "multiple", "options": [{"text": "a", "correct": True}, {"text": "b"}, {"text": "c"}]}, False),
    ({"type": "multiple", "options": [{"text": "a", "weight": 50}, {"text": "b"}, {"text": "c"}]}, False),
    (
        {"type": "multiple", "options": [
            {"text": "a", "weight": 200}, {"text": "b", "weight": 50}, {"text": "c", "weight": 0},
        ]},
        False,
    ),
    (
        {"type": "multiple", "options": [
            {"text": "a", "weight": 50, "correct": True}, {"text": "b", "weight": 50, "correct": True},
            {"text": "c", "weight": 10, "correct": True},
        ]},
        False,
    ),
    (
        {"type": "multiple", "options": [
            {"text": "a", "weight": 50, "correct": True}, {"text": "b", "weight": 40, "correct": True},
            {"text": "c", "weight": -100},
        ]},
        False,
    ),
    (
        {"type": "scenario", "options": [
            {"text": "a", "grade": 30, "correct": True}, {"text": "b", "grade": 0}, {"text": "c", "grade": 0},
        ]},
        True,
    ),
    ({"type": "scenario", "options": [{"text": "a", "grade": 150}, {"text": "b"}, {"text": "c"}]}, False),
    ({"type": "ordering", "steps": ["a", "b"]}, False),
    ({"type": "ordering", "steps": ["a", "a", "b"]}, False),
    ({"type": "matching", "pairs": [{}, {}]}, False),
    (
        {"type": "matching", "pairs": [{"left": "a", "right": ""}, {}, {}], "distractors": "x"},
        False,
    ),
    (
        {"type": "matching", "pairs": [
            {"left": "a", "right": "1"}, {"left": "a", "right": "2"}, {"left": "c", "right": "3"},
        ]},
        False,
    ),
    ({"type": "short", "accepted": []}, False),
    ({"type": "short", "accepted": ["a"], "partial": "x"}, False),
    (
        {"type": "short", "accepted": ["a"], "partial": [
            {"text": ""}, {"text": "b", "weight": 100}, {"text": "a", "weight": 50},
        ]},
        False,
    ),
    ({"type": "numerical", "answers": []}, False),
    (
        {"type": "numerical", "answers": [
            1, {"value": 1, "zz": 1}, {"value": 1, "min": 0}, {"tolerance": 1}, {"value": None},
            {"value": float("nan")}, {"value": "x"}, {"min": 2, "max": 1},
            {"value": 1, "tolerance": -1}, {"value": 1, "weight": 0}, {"value": 1, "feedback": 5},
        ]},
        False,
    ),
    ({"type": "numerical", "answers": [{"value": 1, "weight": 50}]}, False),
]  # fmt: skip


def corpus() -> tuple[list[str], list[str]]:
    """(every problem and note message, every skipped kind) the corpus gives."""
    results: list[ParseResult] = []
    for fmt, files in (("gift", GIFT_FILES), ("aiken", AIKEN_FILES), ("yaml", YAML_FILES)):
        for text in files:
            results.append(parse(text, fmt))
        results += _limited(fmt, files[0])
    for text in XML_FILES:
        results.append(parse(text, "moodlexml"))
    results += _limited("moodlexml", XML_FILES[-1])
    for raw in SHEET_FILES:
        results.append(parse_upload(raw, "sheet"))
    many = _csv([HEAD] + [["判断题", f"第{n}题", "", "", "", "对"] for n in range(30)])
    results.append(parse_upload(many.encode(), "sheet", Limits(max_questions=10)))
    results.append(parse_upload(many.encode(), "sheet", Limits(seconds=0.5, clock=_clock())))
    big = sheet.to_xlsx(
        [
            {
                "id": f"q{n}",
                "type": "truefalse",
                "difficulty": 1,
                "stem": f"第{n}题",
                "answer": True,
            }
            for n in range(30)
        ]
    )
    results.append(parse_upload(big, "sheet", Limits(max_questions=10)))
    messages = [p.message for r in results for p in (*r.problems, *r.notes)]
    for question, ours in RULE_QUESTIONS:
        messages += [
            text for _, text in bank_file.question_problems(question, require_feedback=ours)
        ]
    messages += [p.message for p in parse(DEEP_YAML, "yaml").problems]
    messages += UNREACHABLE
    kinds = [s.kind for r in results for s in r.skipped]
    return messages, kinds


def _traced(modules: list[Any], run: Any) -> tuple[Any, dict[str, set[int]]]:
    """``run()`` and the lines of ``modules`` that ran meanwhile."""
    files = {str(Path(m.__file__).resolve()) for m in modules}
    seen: dict[str, set[int]] = {}

    def local(frame: FrameType, event: str, _arg: Any) -> Any:
        if event == "line":
            seen.setdefault(frame.f_code.co_filename, set()).add(frame.f_lineno)
        return local

    def trace(frame: FrameType, _event: str, _arg: Any) -> Any:
        return local if frame.f_code.co_filename in files else None

    before = sys.gettrace()
    sys.settrace(trace)
    try:
        value = run()
    finally:
        sys.settrace(before)
    return value, seen


@pytest.fixture(scope="module")
def traced() -> tuple[list[str], list[str], dict[str, set[int]]]:
    """The corpus, with the lines of the parsers and rules that ran while it was parsed."""
    (messages, kinds), seen = _traced(MODULES, corpus)
    return messages, kinds, seen


MODULES = [gift, aiken, yaml_bank, moodle_xml, sheet, common, bank_file, yamlfile]
WRITERS = {"problem", "Problem", "Skipped", "_RowProblem", "_Refused", "_Stopped", "YamlError",
           "ConstructorError"}  # fmt: skip
RULES = {"question_problems", "_options", "_number_problem", "_numerical_answer"}


def message_sites(module: Any) -> list[tuple[range, str]]:
    """(lines, source) of each place in ``module`` that writes a message for the wizard; the lines
    are those of the simple statement holding it, any of which runs when the message is made."""
    path = Path(module.__file__)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    statements = [n for n in ast.walk(tree) if isinstance(n, ast.stmt)]

    def lines(node: ast.AST) -> range:
        holding = [
            s for s in statements if s.lineno <= node.lineno and node.end_lineno <= s.end_lineno
        ]
        stmt = min(holding, key=lambda s: s.end_lineno - s.lineno)
        body = getattr(stmt, "body", None)
        end = body[0].lineno - 1 if isinstance(body, list) and body else stmt.end_lineno
        return range(stmt.lineno, max(end, stmt.lineno) + 1)

    sites = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in WRITERS:
                sites.append((lines(node), ast.unparse(node)))
    if module is bank_file:  # the rules: every message text in the rule functions
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef) and (
                func.name in RULES or func.name.startswith("_check_")
            ):
                docstring = ast.get_docstring(func) and func.body[0].value
                for node in ast.walk(func):
                    if node is not docstring and (
                        isinstance(node, ast.JoinedStr)
                        or (isinstance(node, ast.Constant) and " " in str(node.value))
                    ):
                        sites.append((lines(node), ast.unparse(node)))
    return sites


# Writers that never reach the wizard (the bank files' own loader, the CLI's check-content; the
# exporters' refusals) or whose message is listed in UNREACHABLE.
NOT_IMPORT = ("load_bank", "question_to_", "to_sheet", "_cells", "from_json")


def test_every_message_the_corpus_gives_has_a_pattern(traced):
    messages, kinds, _seen = traced
    assert len(messages) > 150
    unknown = sorted({m for m in messages if translate(m) is None})
    assert unknown == []
    assert set(kinds) <= set(_SKIPPED_KINDS), "a skipped type without a name of its own"


def test_expat_errors_in_the_corpus_have_their_own_words(traced):
    messages, _kinds, _seen = traced
    details = {
        m.split(": ", 1)[1] for m in messages if m.startswith("the file is not well-formed XML: ")
    }
    assert len(details) >= 6
    assert details <= set(_XML_ERRORS)


def test_every_place_that_writes_a_message_ran_in_the_corpus(traced):
    """A new message in a parser or rule needs a broken file here (and so a pattern)."""
    _messages, _kinds, seen = traced
    assert not_reached(MODULES, seen) == []


def not_reached(modules: list[Any], seen: dict[str, set[int]]) -> list[str]:
    """The message-writing places of ``modules`` that did not run (nor are listed as out of reach)."""
    missed = []
    for module in modules:
        ran = seen.get(str(Path(module.__file__).resolve()), set())
        source = Path(module.__file__).read_text(encoding="utf-8").splitlines()
        for lines, text in message_sites(module):
            if ran.intersection(lines) or any(m in text for m in (*UNREACHABLE, *OUT_OF_REACH)):
                continue
            if _inside(source, lines[0], NOT_IMPORT):
                continue
            missed.append(f"{Path(module.__file__).name}:{lines[0]}: {text[:90]}")
    return missed


def test_every_message_of_the_import_service_has_a_pattern(app):
    """The course's own checks (sections, ids owned by the bank file, another course's bank)."""
    import sqlalchemy as sa

    from lms.courses.models import Course
    from lms.db import session
    from lms.quizzes import importer

    bad_gift = (
        "// mingli: section nowhere#x\n::a1::题{=甲 ~乙 ~丙}\n\n"
        "// mingli: section phone#nowhere\n::a2::题{=甲 ~乙 ~丙}\n\n::bas-001::题{=甲 ~乙 ~丙}\n"
    )
    question = {"id": "x", "type": "truefalse", "difficulty": 1, "stem": "题", "answer": True}

    def run() -> list[str]:
        course = session.scalar(sa.select(Course).where(Course.slug == "basics"))
        found = []
        for text, fmt, skip in (
            (bad_gift, "gift", False),
            (bad_gift, "gift", True),
            ("course: other\nquestions:\n  - 1\n", "yaml", False),
            ("只是一段说明文字。\n", "gift", False),
            ("只是一段说明文字。\n", "gift", True),
        ):
            found += [
                p.message
                for p in importer.preview_import(text, fmt, course, skip_bad=skip).problems
            ]
        for questions in ([], [question, question]):
            with pytest.raises(importer.ImportRejected) as refused:
                importer.import_questions(course, questions, None)
            found += [p.message for p in refused.value.problems]
        return found

    with app.app_context():
        messages, seen = _traced([importer], run)
    messages.append(
        "no section given, and the course has none to assign"
    )  # a course with no lesson
    assert len(messages) >= 10
    assert sorted({m for m in messages if translate(m) is None}) == []
    missed = not_reached([importer], seen)
    assert [m for m in missed if "course has none to assign" not in m] == []


def _inside(source: list[str], line: int, names: tuple[str, ...]) -> bool:
    """Whether ``line`` is inside a function whose name starts with one of ``names``."""
    for number in range(line - 1, -1, -1):
        match = re.match(r"\s*def (\w+)", source[number])
        if match:
            return match.group(1).startswith(names)
    return False


def test_the_readers_refusals_are_all_worded_for_the_sheet():
    """Every ``FileUnreadable`` reason the spreadsheet reader raises has the sheet's wording."""
    text = Path(spreadsheet_reader.__file__).read_text(encoding="utf-8")
    reasons = set(re.findall(r'reason="(\w+)"', text))
    assert reasons and reasons <= set(sheet.UNREADABLE)
    samples = {"error": "BadZipFile", "max": 10, "rows": 31, "bytes": 67108864}
    for wording in sheet.UNREADABLE.values():
        assert translate(wording.format(**samples)) is not None, wording


def test_a_skipped_type_without_a_name_is_named_as_the_file_names_it(app):
    from lms.quizzes.interchange import Skipped

    with app.test_request_context():
        assert skipped_text(Skipped(4, "qtype_wordselect")) == (
            "第 4 行：跳过“qtype_wordselect”类型的题目，明礼不支持这种题型"
        )
        assert skipped_text(Skipped(5, "random")).startswith("第 5 行：跳过随机抽题(random)")


# --- The wizard -----------------------------------------------------------------------------------

BROKEN_XML = _xml(
    _mc("好题", *ABC),
    '<question type="essay"><questiontext><text>谈谈</text></questiontext></question>',
    _mc("fraction", ("abc", "甲"), ("0", "乙"), ("0", "丙")),
    _mc("partial", ("50", "甲"), ("50", "乙"), ("0", "丙")),
    '<question type="truefalse"><name><text>tf2</text></name>'
    "<questiontext><text>对吗？</text></questiontext>"
    '<answer fraction="50"><text>true</text></answer></question>',
    '<question type="random"><questiontext><text>x</text></questiontext></question>',
    _mc("two", ("100", "甲"), ("0", "乙")),
    '<question type="multichoice"><name><text>img</text></name>'
    '<questiontext format="html"><text><![CDATA[<p>看图<img src="a.png"></p>]]></text>'
    '<file name="a.png" encoding="base64">AAAA</file></questiontext>'
    '<answer fraction="100"><text>甲</text></answer><answer fraction="0"><text>乙</text></answer>'
    '<answer fraction="0"><text>丙</text></answer></question>',
)
XML_LINE = {  # each message's line in BROKEN_XML
    "essay": 4, "fraction": 5, "partial": 6, "truefalse": 7, "random": 8, "two": 9, "img": 10,
}  # fmt: skip
XML_EXPECTED = {
    "zh_CN": [
        "第 4 行：跳过问答题，明礼不支持这种题型",
        "第 5 行：fraction 'abc' 不是 -100 到 100 之间的数",
        "第 6 行：单选的 multichoice 题需要一个 fraction 为 100 的答案",
        "第 7 行：truefalse 题需要一个 fraction 为 100 的答案，写 true 或 false",
        "第 8 行：跳过随机抽题(random)，明礼不支持这种题型",
        "第 9 行：two：需要 3 到 6 个选项",
        "第 10 行：嵌入的文件 'a.png' 已舍弃",
        "第 10 行：文字中的图片已舍弃",
    ],
    "en": [
        "line 4: skipped an essay question",
        "line 5: fraction 'abc' is not a number from -100 to 100",
        "line 6: a one-answer multichoice question needs one answer at fraction 100",
        "line 7: a truefalse question needs the answer true or false at 100%",
        "line 8: skipped a random question",
        "line 9: two: Needs 3 to 6 options",  # the authoring form's wording
        "line 10: the embedded file 'a.png' was dropped",
        "line 10: an image in the text was dropped",
    ],
}
BROKEN_SHEET = _csv(
    [
        ["服务礼仪题库"],
        ["题型", "题干", "选项A", "选项B", "选项C", "答案", "难度", "备注"],
        ["单选题", "电话铃响几声之内应接听？", "三声", "五声", "十声", "A", "易", ""],
        ["单选题", "接待投诉时先做什么？", "倾听", "争辩", "推诿", "E", "", ""],
        ["判断题", "微笑是最好的语言。", "", "", "", "也许", "", ""],
        ["问答题", "谈谈你对首问负责制的理解。", "", "", "", "", "", ""],
        ["论证题", "这是什么题型？", "", "", "", "", "", ""],
        ["判断题", "首问负责。", "", "", "", "对", "很难", ""],
    ]
).encode("gbk")
SHEET_EXPECTED = {
    "zh_CN": [
        "第 1 行：表头上方的行没有读取",
        "第 1 行：文件按 GBK/GB18030 编码读取",
        "第 2 行：列 '备注' 没有读取",
        "第 4 行：答案：E 不在选项 ABC 之中",
        "第 5 行：答案：判断题的答案写 对 或 错(正确/错误、√/×)，不能是 '也许'",
        "第 6 行：跳过问答题，明礼不支持这种题型",
        "第 7 行：题型 '论证题' 不是 单选题、多选题",
        "第 8 行：难度：'很难' 不是 易/中/难 或 1–3",
    ],
    "en": [
        "line 1: a row above the header is not read",
        "line 1: the file was read as GBK/GB18030",
        "line 2: column '备注' is not read",
        "line 4: 答案: E is not one of the options ABC",
        "line 5: 答案: a true/false question is answered true or false (T/F, √/×), not '也许'",
        "line 6: skipped an essay question",
        "line 7: the question type '论证题' is not one of 单选题、多选题",
        "line 8: 难度: '很难' is not a difficulty: write 1, 2 or 3",
    ],
}


def listed(page: str) -> list[str]:
    """The texts of the wizard's problem, skip and note lists."""
    lists = re.findall(r'<ul class="[^"]*import-lines[^"]*"[^>]*>(.*?)</ul>', page, re.S)
    return [html_lib.unescape(li) for ul in lists for li in re.findall(r"<li>(.*?)</li>", ul)]


def _preview(app, make_staff, raw: bytes, name: str, fmt: str, locale: str) -> list[str]:
    client = app.test_client()
    login(client, make_staff(("trainer",)))
    if locale == "en":
        client.post("/lms/language", data={"locale": "en", "next": "/lms/"})
    response = client.post(
        "/lms/trainer/import",
        data={"file": (io.BytesIO(raw), name), "fmt": fmt, "course": "basics"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.location)
    assert page.status_code == 200
    return listed(page.get_data(as_text=True))


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize(
    ("raw", "name", "fmt", "expected"),
    [
        pytest.param(BROKEN_XML.encode(), "题库.xml", "moodlexml", XML_EXPECTED, id="moodlexml"),
        pytest.param(BROKEN_SHEET, "题库.csv", "sheet", SHEET_EXPECTED, id="gbk-csv"),
    ],
)
def test_the_wizard_shows_every_problem_skip_and_note_in_the_interface_language(
    app, make_staff, raw, name, fmt, expected, locale
):
    items = _preview(app, make_staff, raw, name, fmt, locale)
    for wanted in expected[locale]:
        assert any(item.startswith(wanted) for item in items), (wanted, "\n".join(items))
    assert len(set(items)) == len(expected[locale]), items
    for item in items:
        if locale == "zh_CN":
            number, rest = re.fullmatch(r"第 (\d+) 行：(.*)", item, re.S).groups()
            # no English sentence left: what is not Chinese is quoted from the file or a keyword
            words = re.sub(
                r"'[^']*'|fraction|multichoice|truefalse|true|false|[a-z]+\.png", "", rest
            )
            assert not re.search(r"[a-z]{3,} [a-z]{3,}", words), item
        else:
            number, rest = re.fullmatch(r"line (\d+): (.*)", item, re.S).groups()
            assert not re.search(r"[\u4e00-\u9fff]", re.sub(r"'[^']*'|^\S+: |of .*$", "", rest)), (
                item
            )
        assert int(number) >= 1
