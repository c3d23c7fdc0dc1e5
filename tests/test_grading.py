"""Quiz grading rules: shuffling, the learner's view, answer parsing, scoring and normalisation."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from lms.quizzes.grading import (
    MAX_SHORT_ANSWER,
    correct_answer,
    grade,
    learner_view,
    normalise_short,
    option_feedback,
    parse_answer,
    present,
    view_answer,
)

BANKS = sorted((Path(__file__).resolve().parent.parent / "quizzes").glob("*.yaml"))
MODES = ("proportional", "all_or_nothing")
LEAK_KEYS = {"correct", "grade", "accepted", "feedback", "source", "answer", "pairs", "section"}
SOURCE = {"file": "001_seed.txt", "quote": "原文引用不应出现"}

SINGLE = {
    "type": "single",
    "section": "grooming#hair",
    "stem": "后发____。",
    "options": [
        {"text": "不触领", "correct": True, "feedback": "正确:不触领。"},
        {"text": "不过肩", "feedback": "过肩太长了。"},
        {"text": "不及眉"},
        {"text": "不及耳", "correct": False},
    ],
    "feedback": "规范原文是后发不触领。",
    "source": SOURCE,
}
MULTIPLE = {
    "type": "multiple",
    "section": "grooming#hair",
    "stem": "哪些做法正确?",
    "options": [
        {"text": "微笑", "correct": True},
        {"text": "问候", "correct": True, "feedback": "问候让对方感到被重视。"},
        {"text": "起身", "correct": True},
        {"text": "打断", "feedback": "打断对方是不良习惯。"},
        {"text": "玩手机", "correct": False},
    ],
    "feedback": "前三项正确。",
    "source": SOURCE,
}
SCENARIO = {
    "type": "scenario",
    "section": "listen#real",
    "stem": "家属问:几点下班?",
    "options": [
        {"text": "五点半,您要办哪一项?", "grade": 100, "feedback": "听出了真实含意。"},
        {"text": "五点半。", "grade": 50, "feedback": "只回答了字面。"},
        {"text": "自己看墙上。", "grade": 0, "feedback": "把人推开。"},
    ],
    "feedback": "寻找真实含意。",
    "source": SOURCE,
}
TRUEFALSE = {
    "type": "truefalse",
    "section": "listen#ratio",
    "stem": "倾听时应当一言不发。",
    "answer": False,
    "feedback": "不要用沉默代替听。",
    "source": SOURCE,
}
ORDERING = {
    "type": "ordering",
    "section": "clarify#confirm",
    "stem": "将澄清步骤排序。",
    "steps": ["听完", "复述", "确认", "解决"],
    "feedback": "先理解再解决。",
    "source": SOURCE,
}
MATCHING = {
    "type": "matching",
    "section": "habits#eleven",
    "stem": "将表现与习惯配对。",
    "pairs": [
        {"left": "嘴上嗯嗯", "right": "假装注意"},
        {"left": "只挑听得懂的", "right": "略去难懂的东西"},
        {"left": "提高嗓门", "right": "被激怒"},
    ],
    "distractors": ["寻找真实含意"],
    "feedback": "四个干扰项之外都是不良习惯。",
    "source": SOURCE,
}
SHORT = {
    "type": "short",
    "section": "why#ratio",
    "stem": "你应该花____%的时间去听。",
    "accepted": ["80", "百分之八十", "Eighty"],
    "feedback": "花 80% 的时间去听。",
    "source": SOURCE,
}
ALL = {
    "single": SINGLE,
    "multiple": MULTIPLE,
    "scenario": SCENARIO,
    "truefalse": TRUEFALSE,
    "ordering": ORDERING,
    "matching": MATCHING,
    "short": SHORT,
}
SIZES = {
    "single": {"options": 4},
    "multiple": {"options": 5},
    "scenario": {"options": 3},
    "truefalse": {},
    "ordering": {"steps": 4},
    "matching": {"lefts": 3, "rights": 4},
    "short": {},
}


def ordering(n: int) -> dict[str, Any]:
    return {**ORDERING, "steps": [f"第{i}步" for i in range(n)]}


def keys_in(value: object) -> set[str]:
    """Every mapping key anywhere in a JSON-like value."""
    if isinstance(value, dict):
        return set(value) | set().union(*(keys_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_in(v) for v in value))
    return set()


def scalars_in(value: object) -> list[object]:
    """Every non-container value anywhere in a JSON-like value."""
    if isinstance(value, dict):
        return [x for v in value.values() for x in scalars_in(v)]
    if isinstance(value, list):
        return [x for v in value for x in scalars_in(v)]
    return [value]


def secret_texts(data: dict[str, Any]) -> list[str]:
    """Texts that only the grader and the review page may see."""
    texts = [data["feedback"]]
    if data.get("source"):
        texts += [data["source"]["file"], data["source"]["quote"]]
    texts += [o["feedback"] for o in data.get("options", []) if o.get("feedback")]
    texts += data.get("accepted", [])
    return [t for t in texts if t not in data["stem"]]


# ---------------------------------------------------------------- present


@pytest.mark.parametrize("qtype", list(ALL))
def test_present_covers_every_index_once(qtype):
    for seed in range(200):
        shown = present(ALL[qtype], random.Random(seed))
        assert set(shown) == set(SIZES[qtype])
        for name, size in SIZES[qtype].items():
            assert sorted(shown[name]) == list(range(size))


@pytest.mark.parametrize("qtype", list(ALL))
def test_present_is_deterministic_and_json_safe(qtype):
    for seed in (0, 1, 42, 2**40):
        first = present(ALL[qtype], random.Random(seed))
        assert present(ALL[qtype], random.Random(seed)) == first
        assert json.loads(json.dumps(first)) == first


@pytest.mark.parametrize("qtype", ["single", "multiple", "scenario", "ordering", "matching"])
def test_present_actually_shuffles(qtype):
    shown = {json.dumps(present(ALL[qtype], random.Random(seed))) for seed in range(50)}
    assert len(shown) > 1


@pytest.mark.parametrize("qtype", ["truefalse", "short"])
def test_present_has_nothing_to_shuffle(qtype):
    assert present(ALL[qtype], random.Random(1)) == {}


@pytest.mark.parametrize("n", [2, 3, 4, 7])
def test_ordering_is_never_shown_in_the_right_order(n):
    seen = set()
    for seed in range(500):
        steps = present(ordering(n), random.Random(seed))["steps"]
        assert steps != list(range(n))
        seen.add(tuple(steps))
    # every wrong order is still possible for small n, so the fix-up does not bias one order
    if n <= 4:
        assert len(seen) == len(list(itertools.permutations(range(n)))) - 1


def test_ordering_with_one_step_is_left_alone():
    assert present(ordering(1), random.Random(3)) == {"steps": [0]}


@pytest.mark.parametrize("distractors", [[], ["干扰项"]])
def test_matching_never_lines_every_pair_up(distractors):
    data = {**MATCHING, "distractors": distractors}
    for seed in range(500):
        shown = present(data, random.Random(seed))
        assert not all(shown["rights"][k] == left for k, left in enumerate(shown["lefts"]))


def test_present_rejects_unknown_type():
    with pytest.raises(ValueError, match="unknown question type"):
        present({**SINGLE, "type": "essay"}, random.Random(0))


# ---------------------------------------------------------------- learner_view


def test_learner_view_shows_options_in_shown_order():
    view = learner_view(SINGLE, {"options": [2, 0, 3, 1]})
    assert view == {
        "type": "single",
        "stem": "后发____。",
        "options": [
            {"index": 0, "text": "不及眉"},
            {"index": 1, "text": "不触领"},
            {"index": 2, "text": "不及耳"},
            {"index": 3, "text": "不过肩"},
        ],
    }


def test_learner_view_of_ordering_and_matching():
    assert learner_view(ORDERING, {"steps": [3, 1, 0, 2]})["steps"] == [
        {"index": 0, "text": "解决"},
        {"index": 1, "text": "复述"},
        {"index": 2, "text": "听完"},
        {"index": 3, "text": "确认"},
    ]
    view = learner_view(MATCHING, {"lefts": [2, 0, 1], "rights": [3, 1, 0, 2]})
    assert [x["text"] for x in view["lefts"]] == ["提高嗓门", "嘴上嗯嗯", "只挑听得懂的"]
    assert [x["text"] for x in view["rights"]] == [
        "寻找真实含意",
        "略去难懂的东西",
        "假装注意",
        "被激怒",
    ]
    assert [x["index"] for x in view["rights"]] == [0, 1, 2, 3]


@pytest.mark.parametrize("qtype", ["truefalse", "short"])
def test_learner_view_of_unshuffled_types_is_just_the_stem(qtype):
    assert learner_view(ALL[qtype], {}) == {"type": qtype, "stem": ALL[qtype]["stem"]}


@pytest.mark.parametrize("qtype", list(ALL))
def test_learner_view_leaks_nothing(qtype):
    data = ALL[qtype]
    shown_texts = {o["text"] for o in data.get("options", [])}
    for seed in range(20):
        view = learner_view(data, present(data, random.Random(seed)))
        blob = json.dumps(view, ensure_ascii=False)
        assert not keys_in(view) & LEAK_KEYS
        assert keys_in(view) <= {
            "type",
            "stem",
            "options",
            "steps",
            "lefts",
            "rights",
            "index",
            "text",
        }
        for text in secret_texts(data):
            if text not in shown_texts:
                assert text not in blob, text
        assert not any(isinstance(v, bool) for v in scalars_in(view))  # no correct: true


@pytest.mark.parametrize("qtype", ["single", "scenario"])
def test_learner_view_numbers_do_not_reveal_the_right_option(qtype):
    # authors write the right option first; the number the page sees must not follow it there
    data = ALL[qtype]
    right_text = data["options"][correct_answer(data)]["text"]
    positions = set()
    for seed in range(50):
        view = learner_view(data, present(data, random.Random(seed)))
        positions |= {o["index"] for o in view["options"] if o["text"] == right_text}
    assert len(positions) > 1


def test_learner_view_numbers_do_not_reveal_the_right_order():
    for seed in range(50):
        view = learner_view(ORDERING, present(ORDERING, random.Random(seed)))
        assert [s["index"] for s in view["steps"]] == [0, 1, 2, 3]
        assert [s["text"] for s in view["steps"]] != ORDERING["steps"]


@pytest.mark.parametrize(
    ("data", "presentation", "message"),
    [
        (SINGLE, {}, "'options'"),
        (SINGLE, {"options": [0, 1, 2]}, "each of the 4"),
        (SINGLE, {"options": [0, 1, 2, 2]}, "each of the 4"),
        (SINGLE, {"options": [0, 1, 2, 4]}, "each of the 4"),
        (SINGLE, {"options": [False, True, 2, 3]}, "each of the 4"),
        (SINGLE, {"options": "0123"}, "each of the 4"),
        (SINGLE, None, "mapping"),
        (ORDERING, {"options": [0, 1, 2, 3]}, "'steps'"),
        (MATCHING, {"lefts": [0, 1, 2]}, "'rights'"),
        (MATCHING, {"lefts": [0, 1, 2], "rights": [0, 1, 2]}, "each of the 4"),
    ],
)
def test_learner_view_rejects_a_presentation_that_does_not_fit(data, presentation, message):
    with pytest.raises(ValueError, match=message):
        learner_view(data, presentation)


# ---------------------------------------------------------------- parse_answer


@pytest.mark.parametrize(
    ("data", "raw", "expected"),
    [
        (SINGLE, 2, 2),
        (SINGLE, "2", 2),
        (SINGLE, " 3 ", 3),
        (SINGLE, 1.0, 1),
        (SCENARIO, "0", 0),
        (MULTIPLE, [3, 0], [0, 3]),
        (MULTIPLE, ["1", "3"], [1, 3]),
        (MULTIPLE, ("4",), [4]),
        (MULTIPLE, "2", [2]),
        (MULTIPLE, 2, [2]),
        (TRUEFALSE, True, True),
        (TRUEFALSE, False, False),
        (TRUEFALSE, "true", True),
        (TRUEFALSE, " False ", False),
        (TRUEFALSE, "1", True),
        (TRUEFALSE, "0", False),
        (TRUEFALSE, "yes", True),
        (TRUEFALSE, 0, False),
        (ORDERING, [2, 0, 3, 1], [2, 0, 3, 1]),
        (ORDERING, ["3", "2", "1", "0"], [3, 2, 1, 0]),
        (MATCHING, {"0": 1, "1": 0, "2": 3}, {"0": 1, "1": 0, "2": 3}),
        (MATCHING, {"2": "2", "0": "0"}, {"0": 0, "2": 2}),
        (MATCHING, {0: 0, 1: "1"}, {"0": 0, "1": 1}),
        (MATCHING, {"0": 3, "1": 3}, {"0": 3, "1": 3}),  # a wrong answer, not a malformed one
        (MATCHING, {"0": "", "1": "2", "2": None}, {"1": 2}),
        (SHORT, " 80 ", "80"),
        (SHORT, "首问负责制。", "首问负责制。"),
        (SHORT, 80, "80"),
    ],
)
def test_parse_answer_coerces(data, raw, expected):
    parsed = parse_answer(data, raw)
    assert parsed == expected
    assert type(parsed) is type(expected)
    assert parse_answer(data, parsed) == parsed  # parsing is idempotent


@pytest.mark.parametrize("qtype", list(ALL))
@pytest.mark.parametrize("raw", [None, "", "   ", [], (), {}])
def test_parse_answer_returns_none_when_nothing_was_answered(qtype, raw):
    assert parse_answer(ALL[qtype], raw) is None


def test_parse_answer_of_a_matching_with_only_blank_rows_is_none():
    assert parse_answer(MATCHING, {"0": "", "1": None, "2": " "}) is None


@pytest.mark.parametrize(
    ("data", "raw", "message"),
    [
        (SINGLE, 4, "option 4 is out of range"),
        (SINGLE, -1, "option -1 is out of range"),
        (SINGLE, "9", "out of range"),
        (SINGLE, "two", "must be a number"),
        (SINGLE, "1.5", "must be a number"),
        (SINGLE, "1_0", "must be a number"),
        (SINGLE, 1.5, "must be a number"),
        (SINGLE, True, "must be a number"),
        (SINGLE, [1], "exactly one"),
        (SINGLE, {"0": 1}, "exactly one"),
        (SCENARIO, 3, "out of range"),
        (MULTIPLE, [0, 5], "option 5 is out of range"),
        (MULTIPLE, [1, 1], "more than once"),
        (MULTIPLE, ["1", 1], "more than once"),
        (MULTIPLE, [0, "x"], "must be a number"),
        (MULTIPLE, [None], "must be a number"),
        (MULTIPLE, {"0": 1}, "must be a number"),
        (TRUEFALSE, "maybe", "true or false"),
        (TRUEFALSE, 2, "true or false"),
        (TRUEFALSE, [True], "true or false"),
        (ORDERING, [0, 1, 2], "all 4 steps"),
        (ORDERING, [0, 1, 2, 3, 3], "more than once"),
        (ORDERING, [0, 1, 1, 3], "more than once"),
        (ORDERING, [0, 1, 2, 4], "step 4 is out of range"),
        (ORDERING, "0123", "expected a list"),
        (ORDERING, 2, "expected a list"),
        (MATCHING, [1, 0, 2], "maps left items"),
        (MATCHING, "0:1", "maps left items"),
        (MATCHING, {"3": 0}, "left item 3 is out of range"),
        (MATCHING, {"a": 0}, "left item must be a number"),
        (MATCHING, {"0": 4}, "right item 4 is out of range"),
        (MATCHING, {"0": "x"}, "right item must be a number"),
        (MATCHING, {"0": [1]}, "right item must be a number"),
        (MATCHING, {"1": 0, 1: 2}, "more than once"),
        (MATCHING, {"1": "", "01": 2}, "more than once"),
        (SHORT, ["80"], "must be text"),
        (SHORT, True, "must be text"),
        (SHORT, "八" * (MAX_SHORT_ANSWER + 1), f"at most {MAX_SHORT_ANSWER}"),
    ],
)
def test_parse_answer_rejects_malformed_input(data, raw, message):
    with pytest.raises(ValueError, match=message):
        parse_answer(data, raw)


def test_parse_answer_rejects_unknown_type():
    with pytest.raises(ValueError, match="unknown question type"):
        parse_answer({**SINGLE, "type": "essay"}, 1)


def test_parse_answer_maps_shown_positions_back_to_bank_indices():
    presentation = {"options": [2, 0, 3, 1]}
    assert parse_answer(SINGLE, "1", presentation=presentation) == 0
    assert parse_answer(SINGLE, 0, presentation=presentation) == 2
    presentation = {"options": [4, 3, 2, 1, 0]}
    assert parse_answer(MULTIPLE, ["0", "4"], presentation=presentation) == [0, 4]
    assert parse_answer(MULTIPLE, [1, 2], presentation=presentation) == [2, 3]
    assert parse_answer(ORDERING, [2, 1, 3, 0], presentation={"steps": [3, 1, 0, 2]}) == [
        0,
        1,
        2,
        3,
    ]
    presentation = {"lefts": [2, 0, 1], "rights": [3, 1, 0, 2]}
    # shown left 0 is bank left 2 ("提高嗓门"); shown right 3 is bank right 2 ("被激怒")
    answer = parse_answer(MATCHING, {"0": 3, "1": 2, "2": 1}, presentation=presentation)
    assert answer == {"0": 0, "1": 1, "2": 2}
    assert grade(MATCHING, answer, "all_or_nothing") == 1.0
    assert parse_answer(TRUEFALSE, "false", presentation={}) is False
    assert parse_answer(SHORT, "八十", presentation={}) == "八十"


def test_parse_answer_checks_the_presentation_too():
    with pytest.raises(ValueError, match="presentation"):
        parse_answer(SINGLE, 1, presentation={"options": [0, 1]})
    with pytest.raises(ValueError, match="out of range"):
        parse_answer(SINGLE, 4, presentation={"options": [3, 2, 1, 0]})


@pytest.mark.parametrize("qtype", list(ALL))
def test_view_answer_inverts_parse_answer(qtype):
    data = ALL[qtype]
    for seed in range(30):
        presentation = present(data, random.Random(seed))
        answer = correct_answer(data)
        shown = view_answer(data, presentation, answer)
        assert json.loads(json.dumps(shown)) == shown
        assert parse_answer(data, shown, presentation=presentation) == answer
    assert view_answer(data, present(data, random.Random(0)), None) is None


def test_view_answer_points_at_the_same_texts():
    data = {**MULTIPLE, "options": MULTIPLE["options"][:4]}
    presentation = {"options": [2, 0, 3, 1]}
    view = learner_view(data, presentation)
    shown = view_answer(data, presentation, [0, 3])
    assert shown == [1, 2]
    assert sorted(view["options"][i]["text"] for i in shown) == ["微笑", "打断"]


# ---------------------------------------------------------------- grade


@pytest.mark.parametrize("qtype", list(ALL))
@pytest.mark.parametrize("mode", MODES)
def test_unanswered_scores_zero(qtype, mode):
    assert grade(ALL[qtype], None, mode) == 0.0


@pytest.mark.parametrize("mode", MODES)
def test_grade_single(mode):
    assert grade(SINGLE, 0, mode) == 1.0
    assert grade(SINGLE, "0", mode) == 1.0  # grade accepts form input too
    for wrong in (1, 2, 3):
        assert grade(SINGLE, wrong, mode) == 0.0


@pytest.mark.parametrize("mode", MODES)
def test_grade_scenario_uses_the_reply_grade(mode):
    assert [grade(SCENARIO, i, mode) for i in range(3)] == [1.0, 0.5, 0.0]


@pytest.mark.parametrize("mode", MODES)
def test_grade_truefalse(mode):
    assert grade(TRUEFALSE, False, mode) == 1.0
    assert grade(TRUEFALSE, "false", mode) == 1.0
    assert grade(TRUEFALSE, True, mode) == 0.0
    assert grade({**TRUEFALSE, "answer": True}, "true", mode) == 1.0


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("given", "score"),
    [
        ("80", 1.0),
        ("  80。", 1.0),
        ("８０", 1.0),
        ("「80」", 1.0),
        ("百分之八十!", 1.0),
        ("eighty", 1.0),
        ("ＥＩＧＨＴＹ", 1.0),
        ("80%", 0.0),
        ("8 0", 0.0),
        ("70", 0.0),
    ],
)
def test_grade_short(mode, given, score):
    assert grade(SHORT, given, mode) == score


@pytest.mark.parametrize(
    ("chosen", "proportional", "all_or_nothing"),
    [
        ([0, 1, 2], 1.0, 1.0),
        ([2, 1, 0], 1.0, 1.0),
        ([0, 1], 2 / 3, 0.0),
        ([0], 1 / 3, 0.0),
        ([0, 1, 2, 3], 1 - 1 / 2, 0.0),
        ([0, 1, 3], 2 / 3 - 1 / 2, 0.0),
        ([0, 3], 0.0, 0.0),  # 1/3 - 1/2 is floored at 0
        ([3, 4], 0.0, 0.0),
        ([0, 1, 2, 3, 4], 0.0, 0.0),  # ticking everything earns nothing
    ],
)
def test_grade_multiple(chosen, proportional, all_or_nothing):
    assert grade(MULTIPLE, chosen, "proportional") == pytest.approx(proportional)
    assert grade(MULTIPLE, chosen, "all_or_nothing") == all_or_nothing


@pytest.mark.parametrize(
    ("order", "proportional", "all_or_nothing"),
    [
        ([0, 1, 2, 3], 1.0, 1.0),
        ([1, 2, 3, 0], 2 / 3, 0.0),  # 1-2 and 2-3 kept together
        ([0, 1, 3, 2], 1 / 3, 0.0),
        ([2, 3, 0, 1], 2 / 3, 0.0),
        ([3, 2, 1, 0], 0.0, 0.0),
        ([1, 0, 3, 2], 0.0, 0.0),
    ],
)
def test_grade_ordering(order, proportional, all_or_nothing):
    assert grade(ORDERING, order, "proportional") == pytest.approx(proportional)
    assert grade(ORDERING, order, "all_or_nothing") == all_or_nothing


@pytest.mark.parametrize(
    ("answer", "proportional", "all_or_nothing"),
    [
        ({"0": 0, "1": 1, "2": 2}, 1.0, 1.0),
        ({"2": 2, "0": 0, "1": 1}, 1.0, 1.0),
        ({"0": 0, "1": 1, "2": 3}, 2 / 3, 0.0),  # the distractor is never right
        ({"0": 0, "1": 1}, 2 / 3, 0.0),  # a row left blank
        ({"0": 1, "1": 0, "2": 2}, 1 / 3, 0.0),
        ({"0": 0, "1": 0, "2": 0}, 1 / 3, 0.0),
        ({"0": 3, "1": 3, "2": 3}, 0.0, 0.0),
    ],
)
def test_grade_matching(answer, proportional, all_or_nothing):
    assert grade(MATCHING, answer, "proportional") == pytest.approx(proportional)
    assert grade(MATCHING, answer, "all_or_nothing") == all_or_nothing


def test_grade_matching_without_distractors():
    data = {k: v for k, v in MATCHING.items() if k != "distractors"}
    assert grade(data, {"0": 0, "1": 1, "2": 2}, "all_or_nothing") == 1.0
    with pytest.raises(ValueError, match="right item 3 is out of range"):
        grade(data, {"0": 3}, "proportional")


@pytest.mark.parametrize("mode", MODES)
def test_every_possible_answer_scores_between_zero_and_one(mode):
    for n in range(1, 6):
        for chosen in itertools.combinations(range(5), n):
            assert 0.0 <= grade(MULTIPLE, list(chosen), mode) <= 1.0
    for order in itertools.permutations(range(4)):
        score = grade(ORDERING, list(order), mode)
        assert 0.0 <= score <= 1.0
        assert (score == 1.0) == (list(order) == [0, 1, 2, 3])
    for rights in itertools.product(range(4), repeat=3):
        answer = {str(i): r for i, r in enumerate(rights)}
        assert 0.0 <= grade(MATCHING, answer, mode) <= 1.0


def test_grade_rejects_unknown_partial_credit():
    with pytest.raises(ValueError, match="partial_credit"):
        grade(SINGLE, 0, "half")
    with pytest.raises(ValueError, match="partial_credit"):
        grade(SINGLE, None, "")


def test_grade_rejects_malformed_answers():
    with pytest.raises(ValueError, match="out of range"):
        grade(SINGLE, 7, "proportional")
    with pytest.raises(ValueError, match="all 4 steps"):
        grade(ORDERING, [0, 1], "proportional")


# ---------------------------------------------------------------- normalise_short


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  首问负责制。", "首问负责制"),
        ("首问负责制", "首问负责制"),
        ("ＡＢＣ", "abc"),
        ("ａｂｃ", "abc"),
        ("８０", "80"),
        ("AbC", "abc"),
        ("Straße", "strasse"),
        ("「首问负责制」", "首问负责制"),
        ("《服务礼仪》", "服务礼仪"),
        ("【首问】", "首问"),
        ("“倾听”", "倾听"),
        ("‘倾听’", "倾听"),
        ('"listen"', "listen"),
        ("(倾听)", "倾听"),
        ("（倾听）", "倾听"),
        ("倾听,", "倾听"),
        ("倾听\uff0c", "倾听"),  # full-width comma
        ("倾听、", "倾听"),
        ("倾听!?", "倾听"),
        ("倾听\uff01\uff1f", "倾听"),  # full-width ! ?
        ("倾听;:", "倾听"),
        ("倾听\uff1b\uff1a", "倾听"),  # full-width ; :
        ("\uff3b倾听\uff3d\uff02", "倾听"),  # full-width [ ] "
        ("\uff64倾听\uff65", "倾听"),  # half-width 、 and ・
        ("倾听……", "倾听"),
        ("｢倾听｣｡", "倾听"),  # half-width CJK brackets and full stop
        ("\u3000倾听\u3000", "倾听"),  # ideographic space
        ("「 首问 」。", "首问"),
        ("first   come\tfirst\nserved", "first come first served"),
        ("先到  先得", "先到 先得"),
        ("80%", "80%"),
        ("-5", "-5"),
        ("#1", "#1"),
        ("A.B.C.", "a.b.c"),
        ("倾,听", "倾,听"),  # punctuation inside is kept
        ("。。。", ""),
        ("", ""),
    ],
)
def test_normalise_short(text, expected):
    assert normalise_short(text) == expected


# ---------------------------------------------------------------- correct_answer, option_feedback


def test_correct_answer_per_type():
    assert correct_answer(SINGLE) == 0
    assert correct_answer({**SINGLE, "options": SINGLE["options"][::-1]}) == 3
    assert correct_answer(MULTIPLE) == [0, 1, 2]
    assert correct_answer(SCENARIO) == 0
    assert correct_answer({**SCENARIO, "options": SCENARIO["options"][::-1]}) == 2
    assert correct_answer(TRUEFALSE) is False
    assert correct_answer(ORDERING) == [0, 1, 2, 3]
    assert correct_answer(MATCHING) == {"0": 0, "1": 1, "2": 2}
    assert correct_answer(SHORT) == "80"


def test_option_feedback_follows_the_choice():
    assert option_feedback(SINGLE, 0) == ["正确:不触领。"]
    assert option_feedback(SINGLE, "1") == ["过肩太长了。"]
    assert option_feedback(SINGLE, 2) == []
    assert option_feedback(SINGLE, None) == []
    assert option_feedback(MULTIPLE, [3, 1, 0]) == [
        "问候让对方感到被重视。",
        "打断对方是不良习惯。",
    ]
    assert option_feedback(MULTIPLE, [0, 2]) == []
    assert option_feedback(SCENARIO, 1) == ["只回答了字面。"]
    for qtype in ("truefalse", "ordering", "matching", "short"):
        assert option_feedback(ALL[qtype], correct_answer(ALL[qtype])) == []


def test_option_feedback_skips_blank_feedback():
    data = {
        **SINGLE,
        "options": [{**SINGLE["options"][0], "feedback": "  "}, *SINGLE["options"][1:]],
    }
    assert option_feedback(data, 0) == []


# ---------------------------------------------------------------- the real banks


def bank_questions() -> list[Any]:
    params = []
    for path in BANKS:
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            data = {k: v for k, v in item.items() if k not in ("id", "difficulty")}
            params.append(pytest.param(data, id=item["id"]))
    return params


def test_real_banks_are_found():
    assert len(BANKS) >= 6
    assert len(bank_questions()) > 300


@pytest.mark.parametrize("data", bank_questions())
def test_real_bank_question(data):
    right = correct_answer(data)
    assert parse_answer(data, right) == right
    assert parse_answer(data, json.loads(json.dumps(right))) == right
    for mode in MODES:
        assert grade(data, right, mode) == 1.0
    for seed in (0, 1, 2):
        presentation = present(data, random.Random(seed))
        view = learner_view(data, presentation)
        assert not keys_in(view) & LEAK_KEYS
        blob = json.dumps(view, ensure_ascii=False)
        assert data["feedback"] not in blob
        for option in data.get("options", []):
            if option.get("feedback"):
                assert option["feedback"] not in blob
        shown = view_answer(data, presentation, right)
        assert parse_answer(data, shown, presentation=presentation) == right
        if data["type"] == "ordering":
            assert [s["text"] for s in view["steps"]] != data["steps"]
