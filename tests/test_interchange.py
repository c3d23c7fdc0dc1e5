"""GIFT, Aiken and YAML question interchange: pure parsing and writing, no app or database."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.quizzes.bank_file import load_bank, question_problems
from lms.quizzes.interchange import (
    generated_id,
    id_from_title,
    parse,
    question_dict,
    split_lines,
)
from lms.quizzes.interchange.aiken import parse_aiken
from lms.quizzes.interchange.gift import escape, parse_gift, to_gift
from lms.quizzes.interchange.yaml_bank import parse_yaml, to_yaml
from tests.conftest import PROJECT

REAL_BANKS = sorted((PROJECT / "quizzes").glob("*.yaml"))


def one(text: str) -> dict:
    """The single question a GIFT text holds, asserting it parsed without problems."""
    result = parse_gift(text)
    assert [str(p) for p in result.problems] == []
    assert len(result.questions) == 1, result
    return result.questions[0].data


def problems(result) -> list[str]:
    return [str(p) for p in result.problems]


# --- GIFT, one feature at a time -----------------------------------------------------------------


def test_gift_single_choice_with_name_option_and_general_feedback():
    data = one(
        "::Q 1::电话铃响几声之内应接听?{=三声#对。 ~五声#太慢。 ~十声 ####铃响三声之内接听。}"
    )
    assert data == {
        "id": "q-1",
        "type": "single",
        "difficulty": 2,
        "stem": "电话铃响几声之内应接听?",
        "options": [
            {"text": "三声", "correct": True, "feedback": "对。"},
            {"text": "五声", "feedback": "太慢。"},
            {"text": "十声"},
        ],
        "feedback": "铃响三声之内接听。",
    }
    assert "section" not in data  # the importer assigns a default section


def test_gift_answers_may_span_lines():
    data = one("::a::问题\n{\n  =一 # 对\n  ~二\n  ~三\n  #### 解析\n}\n")
    assert data["options"] == [
        {"text": "一", "correct": True, "feedback": "对"},
        {"text": "二"},
        {"text": "三"},
    ]
    assert data["feedback"] == "解析"


def test_gift_weights_make_a_multiple_answer_question():
    data = one("::m::哪些是礼貌用语?{~%50%请 ~%50%谢谢#好 ~%-100%喂 ####请和谢谢。}")
    assert data["type"] == "multiple"
    assert data["options"] == [
        {"text": "请", "correct": True},
        {"text": "谢谢", "correct": True, "feedback": "好"},
        {"text": "喂"},
    ]


def test_gift_weights_100_50_0_make_a_scenario():
    data = one("::s::患者走近。{=停下问候#先顾客 ~%50%点头示意#让人等 ~继续录入#冷落 ####先问候。}")
    assert data["type"] == "scenario"
    assert [(o["grade"], o["feedback"]) for o in data["options"]] == [
        (100, "先顾客"),
        (50, "让人等"),
        (0, "冷落"),
    ]
    assert all(isinstance(o["grade"], int) for o in data["options"])


def test_gift_type_line_makes_a_scenario_without_a_50_reply():
    data = one("// mingli: type scenario\n::s::情境{=好#a ~差#b ~更差#c ####f}")
    assert data["type"] == "scenario"
    assert [o["grade"] for o in data["options"]] == [100, 0, 0]


def test_gift_single_choice_with_any_partial_weight_is_an_imported_scenario():
    """Moodle's single choice with ``~%25%`` answers (its examples file has two)."""
    result = parse_gift("::p::题\n{=一 ~%33.3%二 ~%25%三 ~四}")
    assert problems(result) == []
    data = result.questions[0].data
    assert data["type"] == "scenario"
    assert [o["grade"] for o in data["options"]] == [100, 33.3, 25, 0]
    data["section"] = "basics#intro"  # the import gives the file's or the trainer's section
    assert question_problems(data, require_feedback=False) == []
    # Our own banks keep 100/50/0 with a feedback per reply.
    assert ("options", "reply 2: grade must be 100, 50 or 0") in question_problems(data)


def test_gift_partial_weights_beside_two_right_answers_are_a_problem():
    result = parse_gift("::p::题\n{=一 =二 ~%33.3%三 ####f}")
    assert problems(result) == [
        "line 2: a single-choice question with partial credit needs one answer at 100% and the "
        "others from 0% to 100%; several right answers are written as ~%weight% (a "
        "multiple-answer question)"
    ]
    assert result.questions == []


@pytest.mark.parametrize(
    ("block", "answer"),
    [("T", True), ("TRUE", True), ("F", False), ("FALSE", False), ("true", True), (" F ", False)],
)
def test_gift_true_false_variants(block, answer):
    data = one(f"::tf::微笑是最好的语言。{{{block}####材料原话。}}")
    assert data["type"] == "truefalse"
    assert data["answer"] is answer
    assert data["feedback"] == "材料原话。"


def test_gift_true_false_answer_feedback_is_kept_in_the_general_feedback():
    data = one("::tf::微笑是最好的语言。{TRUE#答错时看到#答对时看到####总的解析}")
    assert data["feedback"] == "总的解析\n答错时看到\n答对时看到"
    assert one("::tf::题{F#错了#对了}")["feedback"] == "错了\n对了"


def test_gift_matching_with_a_distractor():
    data = one("::m::配对{=甲 -> 一 =乙 -> 二 =丙 -> 三 = -> 四 ####按顺序。}")
    assert data["type"] == "matching"
    assert data["pairs"] == [
        {"left": "甲", "right": "一"},
        {"left": "乙", "right": "二"},
        {"left": "丙", "right": "三"},
    ]
    assert data["distractors"] == ["四"]


def test_gift_ordering_is_a_numbered_matching_marked_as_ordering():
    data = one("// mingli: type ordering\n::o::排序{=2 -> 问候 =1 -> 起身 =3 -> 办事 ####先起身。}")
    assert data["type"] == "ordering"
    assert data["steps"] == ["起身", "问候", "办事"]
    result = parse_gift(
        "// mingli: type ordering\n::o::排序\n{=a -> 问候 =b -> 起身 =c -> 办事 ####f}"
    )
    assert problems(result) == [
        "line 3: an ordering question lists its steps as =1 -> first step, =2 -> second …"
    ]


def test_gift_short_answer():
    data = one("::s::首问负责制也叫首问____制。{=责任 =负责#也对 ####首问责任制。}")
    assert data["type"] == "short"
    assert data["accepted"] == ["责任", "负责"]
    assert data["feedback"] == "首问责任制。\n也对"
    result = parse_gift("::s::题{=责任\n=%50%负责 ####f}")
    assert problems(result) == []
    assert result.questions[0].data["partial"] == [{"text": "负责", "weight": 50}]
    result = parse_gift("::s::题{=责任\n=%-50%负责 ####f}")
    assert problems(result) == ["line 2: a short answer's weight must be from 0% to 100%"]


def test_gift_escapes():
    data = one(r"::esc:: a\~b\=c\#d\{e\}f\:g\\h\nnext {=x\=y\-\>z ~z\#w ~v\:u ####fb\{\}}")
    assert data["stem"] == "a~b=c#d{e}f:g\\h\nnext"
    assert [o["text"] for o in data["options"]] == ["x=y\\->z", "z#w", "v:u"]
    assert data["feedback"] == "fb{}"
    assert escape("a~b=c#d{e}f:g\\h\n->") == r"a\~b\=c\#d\{e\}f\:g\\h\n-\>"


def test_gift_comments_are_ignored():
    text = "// 开头的注释\n\n::a::题目 // 这不是注释\n// 整行注释在题中间\n{=一 ~二 ~三 ####f}\n// 结尾\n"
    data = one(text)
    assert data["stem"] == "题目 // 这不是注释"


def test_gift_categories_apply_to_the_questions_after_them():
    text = (
        "$CATEGORY: $course$/服务/投诉\n\n::a::一{=一 ~二 ~三 ####f}\n\n"
        "$CATEGORY: 其他\n::b::二{=一 ~二 ~三 ####f}\n"
    )
    result = parse_gift(text)
    assert problems(result) == []
    assert [(q.key, q.category) for q in result.questions] == [("a", "服务/投诉"), ("b", "其他")]


def test_gift_format_tags():
    assert one("::a::[markdown]**加粗**{=一 ~二 ~三 ####f}")["stem"] == "**加粗**"
    assert one("::a::[plain]<b>原样</b>{=一 ~二 ~三 ####f}")["stem"] == "<b>原样</b>"
    data = one(
        "::a::[html]<p>电话铃响 <b>几声</b><br>之内&amp;接听?</p>{=<i>三声</i> ~五声 ~十声 ####<b>f</b>}"
    )
    assert data["stem"] == "电话铃响 几声\n之内&接听?"
    assert data["options"][0]["text"] == "三声"  # answers inherit the question's format
    assert data["feedback"] == "f"
    per_answer = one("::a::题{=[html]<b>一</b> ~二 ~三 ####f}")
    assert per_answer["options"][0]["text"] == "一"


def test_gift_missing_word_stem():
    data = one("::mw::Moodle costs {~lots =nothing ~little ####免费} to download.")
    assert data["stem"] == "Moodle costs ____ to download."


def test_gift_names_become_ids_and_unnamed_questions_get_stable_ids():
    assert id_from_title("CMP 001") == "cmp-001"
    assert id_from_title("cmp-001") == "cmp-001"
    chinese = id_from_title("投诉 第1题")
    assert re.fullmatch(r"1-[0-9a-f]{10}", chinese)
    assert id_from_title("投诉 第2题") != chinese
    text = "无名的题{=一 ~二 ~三 ####f}\n\n无名的题{=甲 ~乙 ~丙 ####f}\n"
    first, second = parse_gift(text).questions
    assert first.key == generated_id("无名的题") and first.id_generated
    assert second.key == first.key + "-2"
    assert parse_gift(text).questions[0].key == first.key  # stable across parses


def test_gift_mingli_lines_carry_difficulty_section_and_source():
    data = one(
        "// mingli: difficulty 3\n// mingli: section greeting#why\n"
        '// mingli: source {"file": "seed.txt", "quote": "先起身问候"}\n'
        "::a::题{=一 ~二 ~三 ####f}"
    )
    assert data["difficulty"] == 3
    assert data["section"] == "greeting#why"
    assert data["source"] == {"file": "seed.txt", "quote": "先起身问候"}


def test_gift_mingli_sources_line_carries_several_quotes():
    sources = [
        {"file": "seed.txt", "quote": "先起身问候"},
        {"file": "seed.txt", "quote": "微笑是最好的语言"},
    ]
    data = one(
        "// mingli: section greeting#why\n"
        '// mingli: source {"file": "seed.txt", "quote": "铃响三声之内接听"}\n'
        f"// mingli: sources {json.dumps(sources, ensure_ascii=False)}\n"
        "::a::题{=一 ~二 ~三 ####f}"
    )
    assert data["source"] == {"file": "seed.txt", "quote": "铃响三声之内接听"}
    assert data["sources"] == sources
    exported = to_gift([{**data, "id": "a", "difficulty": 2}])
    assert f"// mingli: sources {json.dumps(sources, ensure_ascii=False)}" in exported
    assert parse_gift(exported).questions[0].data["sources"] == sources
    bad = parse_gift("// mingli: sources [{bad\n::a::题{=一 ~二 ~三 ####f}")
    assert problems(bad) == ['line 1: sources must be JSON: [{"file": "…", "quote": "…"}, …]']
    empty = parse_gift("// mingli: sources []\n::a::题{=一 ~二 ~三 ####f}")
    assert problems(empty) == ["line 1: a: sources must be a list of {file, quote}"]


def test_gift_blank_lines_separate_questions():
    text = "::a::一{=一 ~二 ~三 ####f}\n   \n\t\n::b::二{T####f}\n\n\n::c::三{F####f}"
    assert [q.key for q in parse_gift(text).questions] == ["a", "b", "c"]


def test_windows_line_endings_and_a_byte_order_mark_are_read():
    text = "\ufeff// 注释\r\n::a::题{=一 ~二 ~三 ####f}\r\n\r\n::b::题二{T####f}\r\n"
    result = parse_gift(text)
    assert problems(result) == [] and [q.line for q in result.questions] == [2, 4]
    aiken = parse_aiken("\ufeff" + AIKEN.replace("\n", "\r\n"))
    assert problems(aiken) == [] and len(aiken.questions) == 2


def test_gift_file_mixing_supported_and_unsupported_types():
    text = (
        "// 混合文件\n"  # 1
        "::num::1+1 等于几?{#2:0}\n"  # 2
        "\n"
        "::s1::电话铃响几声之内应接听?{=三声 ~五声 ~十声 ####三声。}\n"  # 4
        "\n"
        "::essay::请写一段自我介绍。{}\n"  # 6
        "\n"
        "只是一段说明文字,没有答案。\n"  # 8
        "\n"
        "::tf::微笑是最好的语言。{T####材料原话。}\n"  # 10
        "\n"
        "::range::温度?{#20..30}\n"  # 12
        "\n"
        "::essay2::谈谈体会 {####写满三百字}\n"  # 14
        "\n"
        "::m::配对{=甲 -> 一 =乙 -> 二 =丙 -> 三 ####f}\n"  # 16
    )
    result = parse_gift(text)
    assert problems(result) == []
    assert [q.key for q in result.questions] == ["num", "s1", "tf", "range", "m"]
    assert [q.data["answers"] for q in result.questions if q.data["type"] == "numerical"] == [
        [{"value": 2, "tolerance": 0}],
        [{"min": 20, "max": 30}],
    ]
    assert [str(s) for s in result.skipped] == [
        "line 6: skipped: essay questions are not supported",
        "line 8: skipped: description questions are not supported",
        "line 14: skipped: essay questions are not supported",
    ]


def test_gift_problems_carry_exact_line_numbers():
    text = (
        "::a::问题一{\n"  # 1
        "=对\n"  # 2
        "=也对\n"  # 3
        "~错\n"  # 4
        "####解析\n"  # 5
        "}\n"  # 6
        "\n"  # 7
        "// mingli: difficulty 7\n"  # 8
        "::c::问题三\n"  # 9
        "{=一 ~二 ~三}\n"  # 10
        "\n"  # 11
        "::d::没有闭合 {\n"  # 12
        "=一\n"  # 13
        "\n"  # 14
        "// mingli: source {bad json\n"  # 15
        "::e::题{=x ~y ~z ####f}\n"  # 16
        "\n"  # 17
        "::a::重名{T####f}\n"  # 18
        "\n"  # 19
        "::f::{=x ~y ~z ####f}\n"  # 20
        "\n"  # 21
        "::g::两个块 {T} 和 {F}\n"  # 22
        "\n"  # 23
        "::h::类型不明 {abc}\n"  # 24
        "\n"  # 25
        "::i::多选时有文字在前 {abc ~x ~y}\n"  # 26
        "\n"  # 27
        "// mingli: colour blue\n"  # 28
        "::j::题{T####f}\n"  # 29
        "\n"  # 30
        "// mingli: section greeting#why\n"  # 31
    )
    result = parse_gift(text)
    assert problems(result) == [
        "line 2: a: a single-choice question needs exactly one correct option",
        "line 8: c: difficulty must be 1, 2 or 3",
        "line 12: the answer block { has no closing }",
        'line 15: source must be JSON: {"file": "…", "quote": "…"}',
        "line 18: duplicate id a (first at line 1)",
        "line 20: f: stem is required",
        "line 22: a question has one answer block; write a literal brace as \\{ or \\}",
        "line 24: cannot tell the question type: the answer block needs =, ~, -> or T/F",
        "line 26: text before the first = or ~ in the answer block (write = and ~ in text as \\= \\~)",
        "line 28: unknown mingli: line 'colour' (use type, difficulty, section, source, sources)",
        "line 31: a mingli: line must come just above its question",
    ]


def test_gift_a_type_line_that_does_not_fit_the_block_is_a_problem():
    result = parse_gift("// mingli: type matching\n::a::题\n{T####f}")
    assert problems(result) == [
        "line 3: mingli: type matching does not fit this answer block (truefalse)"
    ]


# --- Aiken ---------------------------------------------------------------------------------------

AIKEN = """电话铃响几声之内应接听?
A. 三声
B) 五声
C．十声
ANSWER: A
微笑的作用是?
A、拉近距离
B、浪费时间
C、显得不专业
D、没有作用
ANSWER: a
"""


def test_aiken_questions():
    result = parse_aiken(AIKEN)
    assert problems(result) == []
    first, second = result.questions
    assert first.data == {
        "id": generated_id("电话铃响几声之内应接听?"),
        "type": "single",
        "difficulty": 2,
        "stem": "电话铃响几声之内应接听?",
        "options": [{"text": "三声", "correct": True}, {"text": "五声"}, {"text": "十声"}],
        "feedback": "正确答案是「三声」。",
    }
    assert (first.line, second.line) == (1, 6)
    assert second.data["options"][0] == {"text": "拉近距离", "correct": True}
    assert parse_aiken(AIKEN).questions[0].key == first.key  # stable ids


def test_aiken_problems_carry_line_numbers():
    text = (
        "第一题\nA. 甲\nB. 乙\nC. 丙\nANSWER: D\n"  # 1-5
        "\nANSWER: B\n"  # 7
        "第三题\nA. x\nB. y\nC. z\n"  # 8-11
        "第四题\nA. 1\nB. 2\n"  # 12-14
        "ANSWER: A\n"  # 15
        "第五题\nA. 1\nA. 2\nB. 3\nANSWER: A\n"  # 16-20
    )
    result = parse_aiken(text)
    assert problems(result) == [
        "line 5: ANSWER: D is not one of the options",
        "line 7: ANSWER: without a question above it",
        "line 8: this question has no ANSWER: line",
        f"line 13: {generated_id('第四题')}: needs 3 to 6 options",
        f"line 17: {generated_id('第五题')}: a single-choice question needs exactly one correct option",
        "line 18: option A is given twice",
    ]


# --- YAML ----------------------------------------------------------------------------------------


def test_yaml_bank_without_sections_parses_and_keeps_line_numbers():
    text = (
        "course: basics\n"  # 1
        "questions:\n"  # 2
        "  - id: x-1\n"  # 3
        "    type: single\n"  # 4
        "    difficulty: 1\n"  # 5
        "    stem: 问题\n"  # 6
        "    options:\n"  # 7
        "      - text: 一\n"  # 8
        "        correct: true\n"
        "      - text: 二\n"
        "      - text: 三\n"
        "    feedback: 解析\n"  # 12
        "  - id: x-2\n"  # 13
        "    type: essay\n"  # 14
        "    stem: 写\n"
        "  - 只是文字\n"  # 16
        "  - id: x-3\n"  # 17
        "    type: truefalse\n"
        "    difficulty: 4\n"  # 19
        "    stem: 对吗\n"
        "    answer: true\n"
        "    feedback: 是\n"
        "    colour: red\n"  # 23
    )
    result = parse_yaml(text)
    assert result.course == "basics"
    assert [q.key for q in result.questions] == ["x-1", "x-2", "x-3"]
    assert result.questions[0].problems == []
    assert problems(result) == [
        "line 14: x-2: type must be one of single, multiple, truefalse, ordering, matching, "
        "short, scenario, numerical, not 'essay'",
        "line 16: a question is a mapping",
        "line 19: x-3: difficulty must be 1, 2 or 3",
        "line 23: x-3: unknown field 'colour' for a truefalse question",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "course: x\nquestions: [a\n",
            "line 3: YAML syntax: expected ',' or ']', but got '<stream end>'",
        ),
        ("", "line 1: a bank file is a mapping with course and questions"),
        ("course: x\n", "line 1: questions list is empty"),
        ("a: 2024-13-45\n", "line 1: YAML value: month must be in 1..12"),
    ],
)
def test_yaml_unreadable_files_are_problems_not_crashes(text, expected):
    assert problems(parse_yaml(text)) == [expected]


def test_yaml_a_value_of_the_wrong_kind_is_a_problem_not_a_crash():
    text = (
        "questions:\n  - id: x\n    type: single\n    difficulty: 1\n    stem: s\n"
        "    options: [{text: [1, 2], correct: true}, {text: b}, {text: c}]\n    feedback: f\n"
    )
    assert problems(parse_yaml(text)) == ["line 6: x: option 1 needs text"]


# --- Round trips -----------------------------------------------------------------------------------


def bank_questions(path: Path) -> tuple[str, list[dict]]:
    bank, errors = load_bank(path, path.name)
    assert errors == []
    return bank.course_slug, [question_dict(q.key, q.difficulty, q.data) for q in bank.questions]


def assert_same_questions(before: list[dict], after: list[dict]) -> None:
    assert [q["id"] for q in after] == [q["id"] for q in before]
    for a, b in zip(before, after, strict=True):
        for name in sorted(set(a) | set(b)):
            assert b.get(name) == a.get(name), f"{a['id']}: {name}"


@pytest.mark.parametrize("path", REAL_BANKS, ids=lambda p: p.stem)
def test_every_real_bank_round_trips_through_gift(path):
    slug, questions = bank_questions(path)
    assert {q["type"] for q in questions} >= {"single", "multiple", "truefalse", "scenario"}
    text = to_gift(questions, category=slug)
    result = parse_gift(text)
    assert problems(result) == [] and result.skipped == []
    assert {q.category for q in result.questions} == {slug}
    assert_same_questions(questions, [q.data for q in result.questions])


@pytest.mark.parametrize("path", REAL_BANKS, ids=lambda p: p.stem)
def test_every_real_bank_round_trips_through_yaml(path, tmp_path):
    slug, questions = bank_questions(path)
    text = to_yaml(slug, questions)
    result = parse_yaml(text)
    assert problems(result) == [] and result.course == slug
    assert_same_questions(questions, [q.data for q in result.questions])
    # The export is a valid bank file too: check-content and sync-content read it.
    copy = tmp_path / f"{slug}.yaml"
    copy.write_text(text, encoding="utf-8")
    assert_same_questions(questions, bank_questions(copy)[1])


def test_the_real_banks_cover_every_question_type():
    types = {q["type"] for path in REAL_BANKS for q in bank_questions(path)[1]}
    assert types == {"single", "multiple", "truefalse", "ordering", "matching", "short", "scenario"}


# --- Property-based: arbitrary input never crashes a parser ----------------------------------------

GIFT_ALPHABET = "{}=~#:%->\\/\n []$TFabc12 中文.\t"
GIFT_PIECES = [
    "::", "{", "}", "=", "~", "#", "####", "->", "%50%", "%-100%", "\\", "\\n", "//", "// mingli: ",
    "type ", "ordering", "scenario", "difficulty 2", "section a#b", "source {", "$CATEGORY: ", "T",
    "FALSE", "[html]", "<b>", "\n", "\n\n", " ", "1", "答案", "{#", "{}",
]  # fmt: skip
AIKEN_PIECES = ["题目", "A. ", "B) ", "C．", "D、", "ANSWER: ", "A", "b", "\n", "\n\n", " ", "选项"]
YAML_PIECES = [
    "course: ", "questions:", "\n", "  - ", "    ", "id: ", "type: ", "single", "short",
    "options:", "text: ", "correct: ", "true", "[", "]", "{", "}", ": ", "- ", "'", '"', "&a", "*a",
    "!!", "2024-13-45", "#", "accepted:", "pairs:", "left: ", "x", "中文", "|", ">",
]  # fmt: skip
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LINE_RE = re.compile(r"^line ([0-9]+): ")


def texts(pieces: list[str], alphabet: str | None = None):
    joined = st.lists(st.sampled_from(pieces), max_size=40).map("".join)
    free = st.text(alphabet=alphabet, max_size=200) if alphabet else st.text(max_size=200)
    return st.one_of(joined, free, st.text(max_size=200))


def assert_well_formed(result, text: str) -> None:
    import json

    json.dumps(result.to_json(), allow_nan=False)  # the wizard stores every parse as JSON
    last = len(split_lines(text)) + 1  # the parsers' lines: \r\n, \n and a lone \r end one
    for item in [*result.problems, *result.skipped]:
        match = LINE_RE.match(str(item))
        assert match and 1 <= int(match.group(1)) <= last, str(item)
    for question in result.questions:
        assert isinstance(question.data, dict)
        if not question.problems and "section" in question.data:
            assert question_problems(question.data) == []


@PROPERTY
@given(texts(GIFT_PIECES, GIFT_ALPHABET))
def test_gift_parser_never_raises(text):
    assert_well_formed(parse_gift(text), text)


@PROPERTY
@given(texts(AIKEN_PIECES))
def test_aiken_parser_never_raises(text):
    assert_well_formed(parse_aiken(text), text)


@PROPERTY
@given(texts(YAML_PIECES))
def test_yaml_parser_never_raises(text):
    assert_well_formed(parse_yaml(text), text)


# --- Property-based: any valid question survives export and import --------------------------------

TEXT = st.text(
    alphabet=st.sampled_from(list("ab中文 {}=~#:%->\\[]/\n0123456789html$")),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip() == s and s.strip() != "")


def _unique(elements, min_size, max_size):
    return st.lists(elements, min_size=min_size, max_size=max_size, unique=True)


@st.composite
def valid_questions(draw) -> dict:
    qtype = draw(
        st.sampled_from(
            ["single", "multiple", "truefalse", "ordering", "matching", "short", "scenario"]
        )
    )
    question = {
        "id": draw(st.from_regex(r"[a-z0-9][a-z0-9_-]{0,8}", fullmatch=True)),
        "type": qtype,
        "difficulty": draw(st.sampled_from([1, 2, 3])),
        "section": "greeting#why",
        "stem": draw(TEXT),
    }
    feedback = st.one_of(st.none(), TEXT)
    if qtype in ("single", "multiple", "scenario"):
        low, high = {"single": (3, 6), "multiple": (3, 8), "scenario": (3, 5)}[qtype]
        texts_ = draw(_unique(TEXT, low, high))
        options = []
        for text in texts_:
            option = {"text": text}
            note = draw(feedback) if qtype != "scenario" else draw(TEXT)
            if note:
                option["feedback"] = note
            options.append(option)
        if qtype == "single":
            options[draw(st.integers(0, len(options) - 1))]["correct"] = True
        elif qtype == "multiple":
            rights = draw(st.integers(2, len(options) - 1))
            for option in draw(st.permutations(options))[:rights]:
                option["correct"] = True
        else:
            best = draw(st.integers(0, len(options) - 1))
            for i, option in enumerate(options):
                option["grade"] = 100 if i == best else draw(st.sampled_from([0, 50]))
                option.setdefault("feedback", "f")
        question["options"] = [
            {k: o[k] for k in ("text", "correct", "grade", "feedback") if k in o} for o in options
        ]
    elif qtype == "truefalse":
        question["answer"] = draw(st.booleans())
    elif qtype == "ordering":
        question["steps"] = draw(_unique(TEXT, 3, 6))
    elif qtype == "matching":
        lefts = draw(_unique(TEXT, 3, 5))
        rights = draw(_unique(TEXT, len(lefts), len(lefts) + 2))
        question["pairs"] = [{"left": a, "right": b} for a, b in zip(lefts, rights, strict=False)]
        if len(rights) > len(lefts):
            question["distractors"] = rights[len(lefts) :]
    else:
        question["accepted"] = draw(_unique(TEXT, 1, 4))
    question["feedback"] = draw(TEXT)
    if draw(st.booleans()):
        question["source"] = {"file": draw(TEXT), "quote": draw(TEXT)}
    if draw(st.booleans()):
        quote = st.fixed_dictionaries({"file": TEXT, "quote": TEXT})
        question["sources"] = draw(st.lists(quote, min_size=1, max_size=3))
    assert question_problems(question) == [], question
    return question


@settings(max_examples=200, deadline=None)
@given(valid_questions())
def test_any_valid_question_round_trips_through_gift_and_yaml(question):
    for text, fmt in ((to_gift([question]), "gift"), (to_yaml("basics", [question]), "yaml")):
        result = parse(text, fmt)
        assert problems(result) == [], text
        assert len(result.questions) == 1, text
        assert_same_questions([question], [result.questions[0].data])


# --- Limits: no file can hold a worker for long -----------------------------------------------------

AIKEN_ONE = "同一个题干?\nA. 是\nB. 否\nC. 不知道\nANSWER: A\n\n"
GIFT_ONE = "同一个题干?{=是 ~否 ~不知道 ####因为。}\n\n"
YAML_ONE = (
    "  - id: q{n}\n    type: truefalse\n    difficulty: 2\n    stem: 题{n}\n"
    "    answer: true\n    feedback: 因为。\n"
)


def many(fmt: str, count: int) -> str:
    if fmt == "aiken":
        return AIKEN_ONE * count
    if fmt == "gift":
        return GIFT_ONE * count
    return "questions:\n" + "".join(YAML_ONE.format(n=n) for n in range(count))


def _line_events(function, run) -> int:
    """How many lines of ``function`` ran during ``run()``: an operation count, not a timing.

    ``function`` may also be a module: then lines of any code in that file count.
    """
    import sys

    code = getattr(function, "__code__", None)
    filename = getattr(function, "__file__", None)
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if frame.f_code is not code and frame.f_code.co_filename != filename:
            return None
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        run()
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize("fmt", ["aiken", "gift"])
def test_ids_for_repeated_stems_are_made_in_linear_steps(fmt):
    from lms.quizzes import interchange

    def steps(count: int) -> int:
        return _line_events(
            interchange.common._unique_generated_ids, lambda: parse(many(fmt, count), fmt)
        )

    small, large = steps(200), steps(800)
    assert large < 5 * small  # four times the questions: about four times the steps, not sixteen
    result = parse(many(fmt, 3), fmt)
    ids = [q.key for q in result.questions]
    assert ids[1:] == [f"{ids[0]}-2", f"{ids[0]}-3"]


@pytest.mark.parametrize("fmt", ["aiken", "gift", "yaml"])
def test_a_file_with_too_many_questions_is_refused_at_the_limit(fmt):
    from lms.quizzes.interchange import Limits

    result = parse(many(fmt, 30), fmt, Limits(max_questions=10))
    assert len(result.questions) <= 10
    assert any(
        "more than 10 questions" in p.message and "LMS_IMPORT_MAX_QUESTIONS" in p.message
        for p in result.problems
    ), problems(result)
    assert not result.ok
    assert problems(parse(many(fmt, 10), fmt, Limits(max_questions=10))) == []


@pytest.mark.parametrize("fmt", ["aiken", "gift", "yaml"])
def test_a_parse_stops_when_its_time_budget_is_spent(fmt):
    from lms.quizzes.interchange import Limits

    ticks = iter(range(1_000_000))  # a clock that moves one second each time it is read

    result = parse(many(fmt, 50), fmt, Limits(seconds=5, clock=lambda: next(ticks)))
    assert len(result.questions) < 50
    found = [p for p in result.problems if "took longer than 5 seconds" in p.message]
    assert found and found[0].line > 1, problems(result)
    assert not result.ok


def test_one_huge_answer_block_is_refused_before_its_answers_are_read():
    block = "题?{" + "=a\n~b\n" * 600 + "####因为。}\n"
    result = parse_gift(block)
    assert problems(result) == [
        "line 1: an answer block holds at most 100 answers; this one has 1200"
    ]


def laughs(levels: int) -> str:
    """The "billion laughs": each level names the one below ten times; 580 bytes reach 10**7."""
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, levels):
        lines.append(f"l{n}: &l{n} [" + ",".join([f"*l{n - 1}"] * 10) + "]")
    return "\n".join(lines) + f"\nquestions: [*l{levels - 1}]\n"


def test_yaml_aliases_are_refused_before_anything_is_built():
    from lms.formats.yamlfile import YamlError, load_yaml

    result = parse_yaml(laughs(4))
    assert problems(result) == [
        "line 1: YAML anchors (&l0) and aliases are not allowed: write each value out in full"
    ]
    assert result.questions == []
    with pytest.raises(YamlError) as excinfo:
        load_yaml("a: 1\nb: *a\n")
    assert str(excinfo.value).startswith("line 2: YAML aliases (*a) are not allowed")


def test_one_huge_gift_question_is_refused_before_it_is_read():
    stem = "很长的题干" * 14_000  # 70,000 characters on one line
    result = parse_gift(
        f"::big::{stem}{{=是 ~否 ~不知道 ####因为。}}\n\n::ok::题?{{T####因为。}}\n"
    )
    assert problems(result) == [
        "line 1: a question may be at most 65536 characters long; this one has 70027"
    ]
    assert [q.key for q in result.questions] == ["ok"]


def test_a_parse_result_survives_storage_unchanged():
    from lms.quizzes.interchange import ParseResult

    for text, fmt in ((many("gift", 3), "gift"), (BAD_AIKEN, "aiken"), (many("yaml", 2), "yaml")):
        result = parse(text, fmt)
        again = ParseResult.from_json(result.to_json())
        assert again == result


BAD_AIKEN = "题?\nA. 是\nANSWER: C\n\n题二?\nA. 是\nB. 否\nANSWER: B\n\n{}\n"


def test_gift_questions_sharing_a_name_get_distinct_ids_as_moodle_imports_both():
    text = (
        "::Jesus' hometown::Jesus Christ was from {~Jerusalem ~%25%Bethlehem =Nazareth}.\n\n"
        "::Jesus' hometown:: Jesus Christ was from {=Nazareth =%75%Nazereth}.\n"
    )
    result = parse_gift(text)
    assert problems(result) == []
    first, second = (q.key for q in result.questions)
    assert first.startswith("jesus-hometown-") and second == f"{first}-2"


def test_gift_a_name_that_is_an_id_used_twice_is_still_a_problem():
    result = parse_gift("::cmp-001::甲{T}\n\n::cmp-001::乙{F}\n")
    assert problems(result) == ["line 3: duplicate id cmp-001 (first at line 1)"]
