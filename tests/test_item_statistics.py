"""Item statistics: pure tests on synthetic attempts with numbers worked out by hand, and the page."""

from __future__ import annotations

import math
import re

import pytest
import sqlalchemy as sa

from lms.courses.models import Course
from lms.db import session
from lms.quizzes import statistics
from lms.quizzes.attempts import start_or_resume, submit
from lms.quizzes.models import Attempt
from lms.quizzes.statistics import Choice, ResponseRow, VersionRow, item_statistics, pearson
from tests.conftest import login

SINGLE = {
    "type": "single",
    "stem": "?",
    "options": [{"text": "甲", "correct": True}, {"text": "乙"}, {"text": "丙"}],
}
MULTIPLE = {
    "type": "multiple",
    "stem": "?",
    "options": [
        {"text": "A", "correct": True},
        {"text": "B", "correct": True},
        {"text": "C"},
        {"text": "D"},
    ],
}
SCENARIO = {
    "type": "scenario",
    "stem": "?",
    "options": [
        {"text": "好", "grade": 100, "feedback": "."},
        {"text": "中", "grade": 50, "feedback": "."},
        {"text": "差", "grade": 0, "feedback": "."},
    ],
}
TRUEFALSE = {"type": "truefalse", "stem": "?", "answer": True}
SHORT = {"type": "short", "stem": "?", "accepted": ["首问负责制"]}
ORDERING = {"type": "ordering", "stem": "?", "steps": ["一", "二", "三"]}


def versions(*items: tuple[int, int, int, dict]) -> dict[int, VersionRow]:
    """(version id, question id, version number, data)."""
    return {vid: VersionRow(vid, qid, number, data) for vid, qid, number, data in items}


def rows(attempts: list[list[tuple[int, object, float]]]) -> list[ResponseRow]:
    """One list per attempt of (version id, answer, score)."""
    return [
        ResponseRow(attempt_id, vid, answer, score)
        for attempt_id, responses in enumerate(attempts, 1)
        for vid, answer, score in responses
    ]


def test_pearson_by_hand():
    # x = 1 1 0 0, y = 1 1 1 0: deviations ±.5 and .25 .25 .25 -.75;
    # Sxy = .125 + .125 - .125 + .375 = .5, Sxx = 1, Syy = 3 * .0625 + .5625 = .75
    assert pearson([1, 1, 0, 0], [1, 1, 1, 0]) == pytest.approx(0.5 / math.sqrt(0.75))
    assert pearson([1, 0], [0, 1]) == pytest.approx(-1)
    assert pearson([1, 1, 1], [0, 1, 0]) is None  # no spread in x
    assert pearson([1], [1]) is None


def test_facility_and_discrimination_with_two_question_attempts():
    """With two questions per attempt, the rest of the attempt is the other question's score."""
    vs = versions((11, 1, 1, SINGLE), (21, 2, 1, TRUEFALSE))
    data = rows(
        [
            [(11, 0, 1.0), (21, True, 1.0)],
            [(11, 0, 1.0), (21, True, 1.0)],
            [(11, 1, 0.0), (21, True, 1.0)],
            [(11, 2, 0.0), (21, False, 0.0)],
        ]
    )
    stats = item_statistics(data, vs, min_attempts=4)
    q1, q2 = stats[1].overall, stats[2].overall
    assert q1.attempts == q2.attempts == 4
    assert q1.facility == pytest.approx(0.5)  # (1 + 1 + 0 + 0) / 4
    assert q2.facility == pytest.approx(0.75)  # (1 + 1 + 1 + 0) / 4
    # corr(1 1 0 0, 1 1 1 0) = .5 / sqrt(1 * .75) = 1 / sqrt(3), for both items (symmetric)
    assert q1.discrimination == pytest.approx(1 / math.sqrt(3))
    assert q2.discrimination == pytest.approx(1 / math.sqrt(3))
    assert q1.flags == [] and q2.flags == []
    assert stats[1].versions[1] == q1  # one version: the same numbers


def test_rest_of_attempt_is_the_mean_of_the_other_questions():
    """Attempts of different sizes: the rest is the mean of the others; a lone question is left
    out of the correlation but counts for the facility."""
    vs = versions((11, 1, 1, SINGLE), (21, 2, 1, TRUEFALSE), (31, 3, 1, SCENARIO))
    data = rows(
        [
            [(11, 0, 1.0), (21, True, 1.0), (31, 0, 1.0)],  # rest of Q1 = (1 + 1) / 2 = 1
            [(11, 1, 0.0), (21, False, 0.0), (31, 0, 1.0)],  # (0 + 1) / 2 = .5
            [(11, 0, 1.0), (31, 1, 0.5)],  # .5
            [(11, 2, 0.0), (21, False, 0.0)],  # 0
            [(11, 0, 1.0)],  # no other question: no rest
        ]
    )
    q1 = item_statistics(data, vs, min_attempts=1)[1].overall
    assert q1.attempts == 5
    assert q1.facility == pytest.approx(0.6)  # 3 of 5
    # x = 1 0 1 0, rest = 1 .5 .5 0: Sxy = .25 + 0 + 0 + .25 = .5, Sxx = 1, Syy = .5
    assert q1.discrimination == pytest.approx(0.5 / math.sqrt(0.5))


def test_negative_discrimination_asks_to_check_the_key():
    vs = versions((11, 1, 1, SINGLE), (21, 2, 1, TRUEFALSE))
    data = rows(
        [
            [(11, 0, 1.0), (21, False, 0.0)],
            [(11, 0, 1.0), (21, False, 0.0)],
            [(11, 1, 0.0), (21, True, 1.0)],
            [(11, 1, 0.0), (21, True, 1.0)],
        ]
    )
    stats = item_statistics(data, vs, min_attempts=4)
    assert stats[1].overall.discrimination == pytest.approx(-1)
    assert stats[1].overall.flags == ["check_key"]


def test_no_spread_means_no_discrimination():
    vs = versions((11, 1, 1, SINGLE), (21, 2, 1, TRUEFALSE))
    data = rows([[(11, 0, 1.0), (21, True, 1.0)], [(11, 0, 1.0), (21, False, 0.0)]])
    stats = item_statistics(data, vs, min_attempts=1)
    assert stats[1].overall.discrimination is None  # everybody got Q1 right
    assert stats[1].overall.flags == ["too_easy"]


@pytest.mark.parametrize(
    ("right", "flags"),
    [(0, ["too_hard"]), (1, ["too_hard"]), (2, []), (19, []), (20, ["too_easy"])],
)
def test_facility_flags_at_their_edges(right, flags):
    """20 attempts: 1 right is .05 (too hard), 2 is exactly .1 (fine), 19 is .95 (fine)."""
    vs = versions((11, 1, 1, TRUEFALSE))
    data = rows([[(11, i < right, 1.0 if i < right else 0.0)] for i in range(20)])
    stats = item_statistics(data, vs)
    assert stats[1].overall.facility == pytest.approx(right / 20)
    assert stats[1].overall.flags == flags


def test_too_few_attempts_are_not_judged():
    vs = versions((11, 1, 1, TRUEFALSE))
    nine = rows([[(11, False, 0.0)] for _ in range(statistics.MIN_ATTEMPTS - 1)])
    assert item_statistics(nine, vs)[1].overall.flags == ["few_attempts"]
    ten = rows([[(11, False, 0.0)] for _ in range(statistics.MIN_ATTEMPTS)])
    assert item_statistics(ten, vs)[1].overall.flags == ["too_hard"]


@pytest.mark.parametrize(
    ("facility", "attempts", "suggested"),
    [(0.8, 20, 1), (0.95, 50, 1), (0.79, 20, 2), (0.41, 20, 2), (0.4, 20, 3), (0.0, 20, 3),
     (0.9, 19, None), (0.1, 0, None)],
)  # fmt: skip
def test_suggested_difficulty_from_facility(facility, attempts, suggested):
    assert statistics.suggested_difficulty(facility, attempts) == suggested


def test_item_statistics_suggest_a_difficulty_once_there_are_enough_responses():
    data = versions((1, 1, 1, SINGLE))
    easy = item_statistics(rows([[(1, 0, 1.0)]] * 17 + [[(1, 1, 0.0)]] * 3), data)
    assert easy[1].overall.facility == pytest.approx(0.85)
    assert easy[1].overall.suggested_difficulty == 1
    few = item_statistics(rows([[(1, 0, 1.0)]] * 19), data)
    assert few[1].overall.suggested_difficulty is None


def test_how_often_each_option_was_chosen():
    vs = versions((11, 1, 1, SINGLE), (21, 2, 1, MULTIPLE), (31, 3, 1, SCENARIO))
    data = rows(
        [
            [(11, 0, 1.0), (21, [0, 1], 1.0), (31, 0, 1.0)],
            [(11, 0, 1.0), (21, [0, 2], 0.0), (31, 1, 0.5)],
            [(11, 1, 0.0), (21, [1], 0.5), (31, 1, 0.5)],
            [(11, None, 0.0), (21, None, 0.0), (31, 2, 0.0)],
        ]
    )
    stats = item_statistics(data, vs)
    single = stats[1].overall
    assert single.choices == [
        Choice("甲", 2, 0.5, 1.0),
        Choice("乙", 1, 0.25, 0.0),
        Choice("丙", 0, 0.0, 0.0),
    ]
    assert single.unanswered == 1
    multiple = stats[2].overall
    assert [(c.label, c.count, c.credit) for c in multiple.choices] == [
        ("A", 2, 1.0),
        ("B", 2, 1.0),
        ("C", 1, 0.0),
        ("D", 0, 0.0),
    ]
    assert multiple.choices[0].share == pytest.approx(0.5)
    assert [(c.label, c.count, c.credit) for c in stats[3].overall.choices] == [
        ("好", 1, 1.0),
        ("中", 2, 0.5),
        ("差", 1, 0.0),
    ]


def test_distinct_answers_for_other_types_top_few():
    vs = versions((11, 1, 1, SHORT), (21, 2, 1, ORDERING), (31, 3, 1, TRUEFALSE))
    short = ["首问负责制", "首问负责制。", " 首问负责制 ", "首问制", "首问制", "不知道", "x", None]
    scores = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    data = rows([[(11, a, s)] for a, s in zip(short, scores, strict=True)])
    stats = item_statistics(data, vs, top=3)[1].overall
    # normalisation groups the three spellings of the right answer; ties sort by label
    assert stats.choices == [
        Choice("首问负责制", 3, 3 / 8, 1.0),
        Choice("首问制", 2, 2 / 8, 0.0),
        Choice("x", 1, 1 / 8, 0.0),
    ]
    assert (stats.other, stats.unanswered) == (1, 1)  # "不知道" beyond the top 3; one blank

    orders = [[0, 1, 2], [0, 1, 2], [1, 0, 2]]
    data = rows([[(21, o, 1.0 if o == [0, 1, 2] else 0.5)] for o in orders])
    ordering = item_statistics(data, vs)[2].overall
    assert ordering.choices == [
        Choice("一 → 二 → 三", 2, 2 / 3, 1.0),
        Choice("二 → 一 → 三", 1, 1 / 3, 0.5),
    ]
    data = rows([[(31, True, 1.0)], [(31, False, 0.0)], [(31, True, 1.0)]])
    assert [(c.label, c.count) for c in item_statistics(data, vs)[3].overall.choices] == [
        ("正确", 2),
        ("错误", 1),
    ]


def test_statistics_per_version_and_across_versions():
    """Version 2 fixed the key (乙 is right now) and replaced 丙 with 丁."""
    v2 = {
        "type": "single",
        "stem": "?",
        "options": [{"text": "甲"}, {"text": "乙", "correct": True}, {"text": "丁"}],
    }
    vs = versions((11, 1, 1, SINGLE), (12, 1, 2, v2), (21, 2, 1, TRUEFALSE))
    data = rows(
        [
            [(11, 1, 0.0), (21, True, 1.0)],  # v1: chose 乙, marked wrong by the bad key
            [(11, 0, 1.0), (21, False, 0.0)],
            [(12, 1, 1.0), (21, True, 1.0)],  # v2: 乙, now right
            [(12, 2, 0.0), (21, False, 0.0)],  # v2: 丁
        ]
    )
    stats = item_statistics(data, vs, min_attempts=2)[1]
    assert list(stats.versions) == [1, 2]
    one, two = stats.versions[1], stats.versions[2]
    assert (one.attempts, one.facility, one.discrimination) == (2, 0.5, pytest.approx(-1))
    assert one.flags == ["check_key"]
    assert (two.attempts, two.facility, two.discrimination) == (2, 0.5, pytest.approx(1))
    assert two.flags == []
    overall = stats.overall
    # pooled: x = 0 1 1 0 against the other item 1 0 1 0 -> Sxy = 0, so r = 0
    assert (overall.attempts, overall.facility) == (4, 0.5)
    assert overall.discrimination == pytest.approx(0)
    assert overall.flags == []
    # options merged by text; the latest version's order and key lead, older-only options follow
    assert [(c.label, c.count, c.credit) for c in overall.choices] == [
        ("甲", 1, 0.0),
        ("乙", 2, 1.0),
        ("丁", 1, 0.0),
        ("丙", 0, 0.0),
    ]


def test_responses_of_unknown_versions_still_count_towards_the_rest():
    vs = versions((11, 1, 1, SINGLE))
    data = rows([[(11, 0, 1.0), (99, None, 1.0)], [(11, 1, 0.0), (99, None, 0.0)]])
    stats = item_statistics(data, vs, min_attempts=1)
    assert list(stats) == [1]
    assert stats[1].overall.discrimination == pytest.approx(1)


# ----- the page ---------------------------------------------------------------------------------


def _graded_attempts(app, make_staff, learners: int) -> None:
    with app.test_request_context():
        course = session.scalar(sa.select(Course).where(Course.slug == "basics"))
        course.questions_per_attempt = 4  # every attempt answers every question
        session.commit()
        for n in range(learners):
            staff = make_staff(("learner",))
            submit(start_or_resume(staff, course, seed=n))


def _queries_for(app, client, url: str) -> int:
    count = 0

    def counter(*_args) -> None:
        nonlocal count
        count += 1

    with app.app_context():
        engine = app.extensions["lms"].db.engine
    sa.event.listen(engine, "before_cursor_execute", counter)
    try:
        response = client.get(url)
        assert response.status_code == 200
        response.close()
    finally:
        sa.event.remove(engine, "before_cursor_execute", counter)
    return count


def test_the_statistics_page(app, client, make_staff):
    login(client, make_staff(("trainer",)))
    url = "/lms/trainer/courses/basics/statistics"
    page = client.get(url)
    body = page.get_data(as_text=True)
    page.close()
    assert "还没有人作答过这道题" in body

    _graded_attempts(app, make_staff, 2)
    few = _queries_for(app, client, url)
    _graded_attempts(app, make_staff, 10)
    many = _queries_for(app, client, url)
    assert few == many, "the statistics page must not query per question or per attempt"

    with app.app_context():
        assert session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 12
    page = client.get(url)
    body = page.get_data(as_text=True)
    page.close()
    for key in ("bas-001", "bas-002", "bas-003", "bas-004"):
        assert f'id="stat-{key}"' in body
    assert "太难" in body  # nobody answered anything: every facility is 0
    assert "三声" in body  # how often each option was chosen
    assert "建议 3" not in body  # 12 attempts: too few to suggest a difficulty

    _graded_attempts(app, make_staff, 8)
    page = client.get(url)
    body = page.get_data(as_text=True)
    page.close()
    row = re.search(r'<tr id="stat-bas-001".*?</tr>', body, re.S).group(0)
    # Stated 1, but nobody got it right in 20 attempts: the page suggests 3.
    assert re.search(r"<td>1 / <span class=\"tag difficulty-differs\">建议 3</span></td>", row), row
