"""The bank linter (pure rules on bank data), ``flask lms lint-bank``, and the Chinese typography
check of ``check-content``."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from lms.content.check import check_content
from lms.content.typography import ascii_punctuation, full_width
from lms.quizzes.lint import (
    Item,
    LintSettings,
    blind_guess,
    lint_banks,
    lint_question,
    question_findings,
    quote_support,
)
from tests.conftest import FIXTURE_SEEDS

BANK = "quizzes/demo.yaml"


def single(key: str, texts: list[str], right: int = 0, stem: str = "", **extra) -> Item:
    options = [
        {"text": t, **({"correct": True} if i == right else {})} for i, t in enumerate(texts)
    ]
    data = {"type": "single", "stem": stem or f"{key} 的题干", "options": options, **extra}
    return Item(key, data, 10, BANK)


def truefalse(key: str, answer: bool, stem: str = "") -> Item:
    return Item(
        key, {"type": "truefalse", "stem": stem or f"{key} 判断", "answer": answer}, 20, BANK
    )


def scenario(key: str, replies: list[tuple[str, int]]) -> Item:
    options = [{"text": t, "grade": g, "feedback": "f"} for t, g in replies]
    return Item(key, {"type": "scenario", "stem": f"{key} 情景", "options": options}, 30, BANK)


def short(key: str, accepted: list[str], stem: str = "", **extra) -> Item:
    data = {"type": "short", "stem": stem or f"{key} 填空", "accepted": accepted, **extra}
    return Item(key, data, 40, BANK)


def codes(findings) -> list[tuple[str, str]]:
    return [(f.key, f.code) for f in findings]


# --- per question ----------------------------------------------------------------------------


def test_a_keyed_option_that_is_strictly_longest_is_flagged():
    longest = single("a", ["先起身再问候", "问候", "起身"])
    tied = single("b", ["先起身", "再问候", "起身"])
    shorter = single("c", ["起身", "先起身再问候", "问候"])
    assert codes(question_findings(longest, LintSettings())) == [("a", "key-longest")]
    finding = question_findings(longest, LintSettings())[0]
    assert finding.args == {"length": 6, "next": 2}
    assert str(finding) == (
        "quizzes/demo.yaml:10: [key-longest] a: the keyed option is the longest "
        "(6 characters, the next 2)"
    )
    assert question_findings(tied, LintSettings()) == []
    assert question_findings(shorter, LintSettings()) == []


def test_option_lengths_that_differ_more_than_three_times_are_flagged():
    spread = single("a", ["站", "先起身问候再办事", "起身再说"])
    assert codes(question_findings(spread, LintSettings())) == [("a", "option-spread")]
    assert question_findings(spread, LintSettings(option_spread_max=10)) == []
    # Lengths count characters after NFKC with spaces removed: full-width letters are one each.
    assert question_findings(single("b", ["ＡＢＣ", "a b c", "abc"], 1), LintSettings()) == []


def test_a_best_reply_that_is_strictly_longest_is_flagged():
    flagged = scenario("s", [("先道歉再说明原因", 100), ("请排队", 50), ("不理会", 0)])
    fine = scenario("t", [("先道歉", 100), ("请您排好队", 50), ("不理会", 0)])
    assert codes(question_findings(flagged, LintSettings())) == [("s", "best-longest")]
    assert question_findings(fine, LintSettings()) == []


def test_absolute_words_in_false_statements_are_flagged():
    false_stem = truefalse("f", False, "只要态度好,就不会有投诉。")
    true_stem = truefalse("t", True, "任何时候都要先问候。")
    wrong_option = single("o", ["先起身问候", "所有人都一律排队", "起身再问候"])
    right_option = single("r", ["所有人先问候", "先排队", "先起身"])
    assert codes(question_findings(false_stem, LintSettings())) == [("f", "absolute-word")]
    assert question_findings(true_stem, LintSettings()) == []
    found = question_findings(wrong_option, LintSettings())
    assert codes(found) == [("o", "absolute-word")]
    assert found[0].args == {"option": 2, "words": "一律、所有"}
    assert "absolute-word" not in [f.code for f in question_findings(right_option, LintSettings())]


def test_a_key_that_its_quote_does_not_support_is_flagged():
    quote = {"file": "seed.txt", "quote": "铃响三声之内接听"}
    supported = single("a", ["三声之内接听", "五声之后", "十声以后"], source=quote)
    unsupported = single("b", ["立即回电", "五声之后", "十声以后"], source=quote)
    assert "unsupported-key" not in [f.code for f in question_findings(supported, LintSettings())]
    found = question_findings(unsupported, LintSettings())
    assert ("b", "unsupported-key") in codes(found)
    # A second quote (sources) can support it.
    more = {"sources": [{"file": "seed.txt", "quote": "未接来电应立即回电"}]}
    backed = single("c", ["立即回电", "五声之后", "十声以后"], source=quote, **more)
    assert "unsupported-key" not in [f.code for f in question_findings(backed, LintSettings())]
    # Short answers are alternatives: one supported answer is enough.
    answers = short("d", ["三声", "3 声", "三下"], source=quote)
    assert question_findings(answers, LintSettings()) == []
    assert quote_support("三声之内", ["铃响三声之内接听"]) == 1.0
    assert quote_support("", ["x"]) == 1.0


# --- across questions ------------------------------------------------------------------------


def test_an_answer_written_in_another_stem_is_a_leak():
    answer = short("q1", ["首问负责制", "首问制"], stem="第一位接待的人负责到底,这叫什么制度?")
    other = single("q2", ["对", "错", "不一定"], stem="按首问负责制,你应当怎么做?")
    common = short("q3", ["微笑"], stem="最好的语言是什么?")
    uses_common = truefalse("q4", True, "微笑要自然。")
    keyed = single("q5", ["先起身问候", "坐着", "不理"], stem="顾客来了怎么做?")
    mentions_key = truefalse("q6", True, "先起身问候是礼貌。")
    report = lint_banks({BANK: [answer, other, common, uses_common, keyed, mentions_key]})[BANK]
    leaks = [f for f in report.findings if f.code == "leak"]
    assert sorted((f.key, f.args["other"], f.args["text"]) for f in leaks) == [
        ("q1", "q2", "首问负责制"),
        ("q5", "q6", "先起身问候"),
    ]
    assert report.summary.leaks == 2


def test_near_duplicate_stems_within_and_across_banks():
    a = truefalse("a", True, "顾客走近窗口时,应当先起身问候再办理业务。")
    b = truefalse("b", False, "顾客走近窗口时,应当先起身问候,再办理业务。")
    c = truefalse("c", True, "电话铃响三声之内接听。")
    d = Item(
        "d",
        {"type": "truefalse", "stem": "电话铃响三声之内要接听。", "answer": True},
        5,
        "quizzes/other.yaml",
    )
    reports = lint_banks({BANK: [a, b, c], "quizzes/other.yaml": [d]})
    clones = [f for r in reports.values() for f in r.findings if f.code == "clone"]
    assert sorted((f.path, f.key, f.args["other"]) for f in clones) == [
        ("quizzes/demo.yaml", "b", "a"),  # within a bank: the later one
        ("quizzes/demo.yaml", "c", "d"),  # across banks: both
        ("quizzes/other.yaml", "d", "c"),
    ]
    assert reports[BANK].summary.clones == 2
    assert "c (quizzes/demo.yaml)" in next(f.message for f in clones if f.key == "d")


def test_one_banks_report_alone_is_its_report_in_the_whole_library():
    """``paths`` compares only the pairs a bank's page shows: its report is the same."""
    rng = random.Random(11)
    words = list("服务窗口顾客问候微笑礼仪")
    base = ["".join(rng.choice(words) for _ in range(rng.randint(8, 14))) for _ in range(12)]
    banks: dict[str, list[Item]] = {}
    for n in range(3):
        path = f"quizzes/bank{n}.yaml"
        banks[path] = [
            Item(
                f"b{n}-{i}",
                {
                    "type": "truefalse",
                    "stem": rng.choice(base) + "。" * rng.randint(0, 2),
                    "answer": bool(i % 2),
                },
                i,
                path,
            )  # fmt: skip
            for i in range(15)
        ]
    whole = lint_banks(banks)
    for path in banks:
        clones = [f for f in whole[path].findings if f.code == "clone"]
        assert {f.args["other_path"] for f in clones} == set(banks), "clones within and across"
        assert lint_banks(banks, paths={path}) == {path: whole[path]}


def test_clone_detection_stays_fast_on_a_large_bank():
    rng = random.Random(7)
    words = list("服务窗口患者顾客问候微笑礼仪沟通倾听投诉处理核对差错流程规范尊重真诚耐心")
    items = [
        truefalse(
            f"q{i}", bool(i % 2), "".join(rng.choice(words) for _ in range(rng.randint(12, 40)))
        )
        for i in range(500)
    ]
    started = time.perf_counter()
    lint_banks(
        {
            BANK: items,
            "quizzes/other.yaml": [
                Item(f"o{i}", x.data, 1, "quizzes/other.yaml") for i, x in enumerate(items)
            ],
        }
    )
    assert time.perf_counter() - started < 10


# --- per bank --------------------------------------------------------------------------------


def test_blind_guess_follows_its_definition():
    items = [
        single("s1", ["先起身再问候", "问候", "起身"]),  # keyed strictly longest: 1
        single("s2", ["先起身", "再问候", "起身"]),  # keyed tied with one other: 1/2
        single("s3", ["起身", "先起身再问候", "问候"]),  # keyed shorter: 0
        truefalse("t1", False),  # majority key (False): 1
        truefalse("t2", False),  # 1
        truefalse("t3", True),  # 0
        scenario("c1", [("先道歉再说明", 100), ("请排队", 50), ("不理会", 0)]),  # 1
        scenario("c2", [("先道歉", 100), ("请您排队", 50), ("不理不睬", 0)]),  # tie 50/0: 0.25
        short("x1", ["三声"]),  # other types: 0
    ]
    assert blind_guess(items) == pytest.approx((1 + 0.5 + 0 + 1 + 1 + 0 + 1 + 0.25 + 0) / 9)
    assert blind_guess([truefalse("a", True), truefalse("b", False)]) == 0.5
    assert blind_guess([]) == 0.0


def test_bank_bars_are_errors_and_the_summary_holds_the_figures():
    items = [
        single("s1", ["先起身再问候", "问候", "起身"]),
        single("s2", ["起身", "先起身再问候", "问候"]),
        truefalse("t1", True),
        truefalse("t2", True),
        truefalse("t3", False),
        scenario("c1", [("先道歉", 100), ("请您排队", 50), ("不理会", 0)]),
    ]
    report = lint_banks({BANK: items})[BANK]
    summary = report.summary
    assert (summary.single, summary.single_longest) == (2, 0.5)
    assert (summary.truefalse, summary.true_share) == (3, pytest.approx(2 / 3))
    assert (summary.scenario, summary.scenario_longest) == (1, 0.0)
    # The longest reply of c1 is the 50-point one.
    assert summary.blind_guess == pytest.approx((1 + 0 + 1 + 1 + 0 + 0.5) / 6)
    assert summary.failed == ["bank-single-longest", "bank-true-share", "bank-blind-guess"]
    assert [(f.code, f.level, f.line) for f in report.errors] == [
        ("bank-single-longest", "error", 1),
        ("bank-true-share", "error", 1),
        ("bank-blind-guess", "error", 1),
    ]
    assert all(f.level == "warning" for f in report.findings if f.key)
    relaxed = LintSettings(single_longest_max=0.5, true_share_max=0.7, blind_guess_max=0.6)
    assert lint_banks({BANK: items}, relaxed)[BANK].errors == []
    # No question of a type: no figure, no bar.
    only_short = lint_banks({BANK: [short("x", ["三声"])]})[BANK].summary
    assert (only_short.single_longest, only_short.true_share, only_short.failed) == (None, None, [])


def test_settings_come_from_lms_lint_config_keys():
    settings = LintSettings.from_config(
        {"LMS_LINT_BLIND_GUESS_MAX": 0.3, "LMS_LINT_CLONE_RATIO": 0.9, "OTHER": 1}
    )
    assert (settings.blind_guess_max, settings.clone_ratio) == (0.3, 0.9)
    assert settings.single_longest_max == LintSettings().single_longest_max


def test_one_question_is_linted_against_the_rest_of_its_bank():
    bank = [
        short("q1", ["首问负责制"], stem="这叫什么制度?"),
        truefalse("q2", True, "顾客走近窗口时,应当先起身问候再办理业务。"),
    ]
    new = truefalse("new", True, "按首问负责制,顾客走近窗口时应当先起身问候再办理业务。")
    found = lint_question(new, bank)
    assert sorted(codes(found)) == [("new", "clone"), ("new", "gives-away")]
    # The question itself in the bank (same key) is not compared with itself.
    assert lint_question(bank[1], bank) == []


# --- flask lms lint-bank, check-content ------------------------------------------------------


def test_lint_bank_prints_findings_and_a_summary_and_fails_on_a_bar(runner):
    result = runner.invoke(args=["lms", "lint-bank"])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert (
        "quizzes/basics.yaml:1: [bank-true-share] 100% of true/false questions are keyed True (bar: 35%–65%)"
        in lines
    )
    assert any(
        line.startswith("quizzes/basics.yaml:31: [best-longest] bas-004: ") for line in lines
    )
    header = next(line for line in lines if line.startswith("bank "))
    assert "single longest-keyed" in header and "blind guess" in header
    row = next(line for line in lines if line.startswith("quizzes/basics.yaml "))
    assert row.split()[1:4] == ["4", "0%", "of"]
    assert "FAIL true-share, scenario-longest" in row
    assert "bank-level bar(s) failed" in result.output


def test_lint_bank_passes_when_the_bars_are_met(app, runner):
    app.config.update(
        LMS_LINT_TRUE_SHARE_MAX=1.0, LMS_LINT_SCENARIO_LONGEST_MAX=1.0, LMS_LINT_BLIND_GUESS_MAX=0.6
    )
    result = runner.invoke(args=["lms", "lint-bank", "--course", "basics"])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output.splitlines()[-1]
    missing = runner.invoke(args=["lms", "lint-bank", "--course", "nope"])
    assert missing.exit_code == 1 and "No bank for the course 'nope'" in missing.output


def test_check_content_prints_linter_findings_as_warnings_and_still_passes(runner):
    result = runner.invoke(args=["lms", "check-content"])
    assert result.exit_code == 0, result.output
    assert "quizzes/basics.yaml:1: warning: [bank-true-share]" in result.output
    assert "bank linter warning(s); see flask lms lint-bank." in result.output
    assert "Content is valid." in result.output


# --- Chinese typography ----------------------------------------------------------------------


def test_ascii_punctuation_after_han_is_found_and_fixed():
    assert ascii_punctuation("你好,世界!ok, fine: 3:4 问题?") == [(2, ","), (5, "!"), (22, "?")]
    assert full_width("你好,世界!ok, fine; 要点:一;二?") == "你好，世界！ok, fine; 要点：一；二？"
    assert ascii_punctuation("“引号”,括号),") == []


def test_typography_check_reports_file_and_line_only_when_asked(content_dir: Path, runner, app):
    # The fixture content is written with ASCII punctuation in places.
    problems = [str(e) for e in check_content(content_dir, FIXTURE_SEEDS, typography=True)]
    assert (
        "courses/basics/greeting.md:13: ASCII ',' after a Chinese character ('客走近窗口时,'): write '，'"
        in problems
    )
    assert (
        "quizzes/basics.yaml:7: ASCII '?' after a Chinese character ('声之内应接听?'): write '？'"
        in problems
    )
    assert any(
        p.startswith("quizzes/basics.yaml:35: ASCII ','") and "and 1 more" in p for p in problems
    )
    assert check_content(content_dir, FIXTURE_SEEDS) == []
    # Quotes keep the seed's own punctuation: they are not checked.
    assert not any(":14:" in p or ":22:" in p for p in problems if p.startswith("quizzes/"))

    assert runner.invoke(args=["lms", "check-content"]).exit_code == 0
    app.config["LMS_CHECK_TYPOGRAPHY"] = True
    strict = runner.invoke(args=["lms", "check-content"])
    assert strict.exit_code == 1
    assert "quizzes/basics.yaml:7: ASCII '?' after a Chinese character" in strict.output


def test_typography_check_on_small_content_in_tmp_path(tmp_path: Path):
    course = tmp_path / "courses" / "demo"
    course.mkdir(parents=True)
    (course / "course.yaml").write_text("title: 演示\nsummary: 演示课程。\nlessons:\n  - one\n")
    (course / "one.md").write_text(
        "---\ntitle: 第一课:问候\nobjectives:\n  - 说出要点。\n  - 会问候;会微笑\nsources: []\n---\n\n"
        "## 开始 {#start}\n\n正文没有问题。\n\n英文 a,b 不算:但这句算。\n"
    )
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "quizzes" / "demo.yaml").write_text(
        "course: demo\nquestions:\n"
        "  - id: d-1\n    type: matching\n    difficulty: 1\n    section: one#start\n"
        "    stem: 把说法配对。\n"
        "    pairs:\n      - {left: 你等着, right: 请您稍等!}\n"
        "      - {left: 不知道, right: 我帮您问一下}\n      - {left: 找别人, right: 我带您去}\n"
        "    feedback: 好。\n"
        "    source: {file: x.txt, quote: 原文,照抄!}\n"
    )
    problems = [str(e) for e in check_content(tmp_path, None, typography=True)]
    assert problems == [
        "courses/demo/one.md:2: ASCII ':' after a Chinese character ('第一课:'): write '：'",
        "courses/demo/one.md:5: ASCII ';' after a Chinese character ('会问候;'): write '；'",
        "courses/demo/one.md:13: ASCII ':' after a Chinese character ('a,b 不算:'): write '：'",
        "quizzes/demo.yaml:8: ASCII '!' after a Chinese character ('请您稍等!'): write '！'",
    ]
