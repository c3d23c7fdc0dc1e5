"""Numerical questions: the bank rules, reading a typed number, and grading with tolerance, ranges
and partial credit (pure functions, no app)."""

from __future__ import annotations

import math
import random

import pytest

from lms.quizzes.bank_file import question_problems
from lms.quizzes.grading import (
    correct_answer,
    grade,
    learner_view,
    option_feedback,
    parse_answer,
    parse_number,
    present,
    view_answer,
)
from lms.quizzes.review import review_item

NUMERICAL = {
    "type": "numerical",
    "section": "basics#intro",
    "stem": "首问负责制要求几小时内回复？",
    "answers": [
        {"value": 8, "tolerance": 1, "feedback": "八小时之内。"},
        {"min": 3.141, "max": 3.142, "weight": 50, "feedback": "这是圆周率。"},
        {"value": 24, "weight": 25},
    ],
    "feedback": "规范写明八小时。",
}


def question(**changes: object) -> dict:
    return {"id": "num-001", "difficulty": 1, **NUMERICAL, **changes}


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("8", 8.0),
        ("12.0", 12.0),
        ("１２", 12.0),
        ("－３．５", -3.5),
        (" +8 ", 8.0),
        ("1,200", 1200.0),
        ("12,345.5", 12345.5),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("\u22122", -2.0),
        ("3,14", None),  # a decimal comma is ambiguous: not a number
        ("1,20", None),
        ("12个", None),
        ("十二", None),
        ("abc", None),
        ("", None),
        ("1e999", None),
        ("nan", None),
        ("inf", None),
        ("9" * 500, None),
    ],
)
def test_parse_number(typed: str, number: float | None) -> None:
    assert parse_number(typed) == number


@pytest.mark.parametrize(
    ("typed", "score"),
    [
        ("8", 1.0),
        ("7", 1.0),  # value - tolerance is accepted
        ("9", 1.0),
        ("９", 1.0),  # full-width digit
        ("8.0", 1.0),
        ("9.0001", 0.0),
        ("6.99", 0.0),
        ("3.1415", 0.5),  # in the range, weight 50
        ("3.141", 0.5),
        ("3.143", 0.0),
        ("24", 0.25),
        ("二十四", 0.0),
        ("junk", 0.0),
        ("", 0.0),
    ],
)
def test_grade_numerical(typed: str, score: float) -> None:
    for mode in ("proportional", "all_or_nothing"):
        assert grade(NUMERICAL, typed, mode) == score


def test_best_matching_answer_wins() -> None:
    data = {
        **NUMERICAL,
        "answers": [{"value": 10, "tolerance": 5, "weight": 50}, {"value": 10, "tolerance": 1}],
    }
    assert grade(data, "10", "proportional") == 1.0
    assert grade(data, "14", "proportional") == 0.5


def test_float_error_never_costs_a_mark() -> None:
    data = {**NUMERICAL, "answers": [{"value": 0.3, "tolerance": 0.1}]}
    assert grade(data, "0.4", "proportional") == 1.0
    assert grade(data, str(0.1 + 0.1 + 0.1 + 0.1), "proportional") == 1.0
    assert grade(data, "0.41", "proportional") == 0.0


def test_answers_are_stored_as_typed_and_junk_is_no_error() -> None:
    assert parse_answer(NUMERICAL, " 十二 ") == "十二"
    assert parse_answer(NUMERICAL, 8) == "8"
    assert parse_answer(NUMERICAL, 3.5) == "3.5"
    assert parse_answer(NUMERICAL, "  ") is None
    assert grade(NUMERICAL, None, "proportional") == 0.0
    with pytest.raises(ValueError):
        parse_answer(NUMERICAL, ["8"])
    with pytest.raises(ValueError):
        parse_answer(NUMERICAL, "8" * 501)


def test_learner_view_hides_the_answers() -> None:
    presentation = present(NUMERICAL, random.Random(3))
    assert presentation == {}
    view = learner_view(NUMERICAL, presentation)
    assert view == {"type": "numerical", "stem": NUMERICAL["stem"]}
    assert view_answer(NUMERICAL, presentation, "８") == "８"


def test_correct_answer_and_feedback_of_the_matched_answer() -> None:
    assert correct_answer(NUMERICAL) == "8"
    ranged = {**NUMERICAL, "answers": [{"min": 1.5, "max": 2.5}]}
    assert correct_answer(ranged) == "2"
    assert grade(ranged, correct_answer(ranged), "proportional") == 1.0
    assert option_feedback(NUMERICAL, "3.1416") == ["这是圆周率。"]
    assert option_feedback(NUMERICAL, "100") == []
    assert option_feedback(NUMERICAL, "abc") == []


def test_review_shows_the_number_and_the_accepted_values(app) -> None:
    with app.test_request_context():
        item = review_item(NUMERICAL, "３.1415", 0.5)
    assert item["given"] == "３.1415"
    assert item["right"] == "8 ± 1; 3.141 至 3.142 (50%); 24 (25%)"
    assert item["option_feedback"] == ["这是圆周率。"]


def test_a_valid_question_has_no_problems() -> None:
    assert question_problems(question()) == []
    assert question_problems(question(answers=[{"value": -2.5}])) == []


@pytest.mark.parametrize(
    ("answers", "problem"),
    [
        (None, "a numerical question needs 1 to 20 answers"),
        ([], "a numerical question needs 1 to 20 answers"),
        ([{"value": 1}] * 21, "a numerical question needs 1 to 20 answers"),
        (["8"], "answer 1 needs value or min and max"),
        ([{"tolerance": 1}], "answer 1: value is missing"),
        ([{"value": "8"}], "answer 1: value must be a number, not '8'"),
        ([{"value": True}], "answer 1: value must be a number"),
        ([{"value": math.nan}], "answer 1: value must be a finite number, not nan"),
        ([{"value": 1, "tolerance": math.inf}], "answer 1: tolerance must be a finite number"),
        ([{"value": 1, "tolerance": -1}], "answer 1: tolerance must not be negative"),
        ([{"min": 3.2, "max": 3.1}], "answer 1: min 3.2 is more than max 3.1"),
        ([{"min": 3.1}], "answer 1: max is missing"),
        ([{"value": 3, "max": 4}], "answer 1: give value (and tolerance) or min and max"),
        ([{"value": 3, "weight": 0}], "answer 1: weight must be more than 0 and at most 100"),
        ([{"value": 3, "weight": 101}], "answer 1: weight must be more than 0 and at most 100"),
        ([{"value": 3, "weight": 50}], "a numerical question needs an answer with weight 100"),
        ([{"value": 3, "feedback": 5}], "answer 1: feedback must be text"),
        ([{"value": 3, "unit": "kg"}], "answer 1 has unknown field(s) ['unit']"),
    ],
)
def test_bank_rules(answers: object, problem: str) -> None:
    found = question_problems(question(answers=answers))
    assert any(name == "answers" and text.startswith(problem) for name, text in found), found


def test_other_types_fields_are_refused_on_a_numerical_question() -> None:
    found = question_problems(question(accepted=["8"]))
    assert ("accepted", "unknown field 'accepted' for a numerical question") in found


def test_an_integer_too_large_for_a_float_is_no_number() -> None:
    found = question_problems(question(answers=[{"value": 10**400}]))
    assert any(text.startswith("answer 1: value must be a number") for _, text in found), found
