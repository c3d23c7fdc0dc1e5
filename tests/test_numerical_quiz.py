"""Numerical questions through the real routes: the quiz page, saving, grading, the review, the
statistics, and the JSON API's view of them."""

from __future__ import annotations

import re
from pathlib import Path

from lms.content.sync import sync_content
from lms.db import session
from lms.quizzes.models import Attempt
from lms.quizzes.statistics import Choice, ResponseRow, VersionRow, item_statistics
from tests.conftest import login
from tests.test_api import Api, mint

BANK = """\
course: basics
questions:
  - id: num-001
    type: numerical
    difficulty: 1
    section: phone#answer
    stem: 电话铃响几声之内应接听？
    answers:
      - value: 3
        feedback: 三声之内。
      - value: 4
        tolerance: 1
        weight: 50
        feedback: 接近了，但规范是三声。
    feedback: 铃响三声之内接听。
    source: {file: seed.txt, quote: 铃响三声之内接听}
  - id: num-002
    type: numerical
    difficulty: 1
    section: greeting#smile
    stem: 圆周率取到千分位是多少？
    answers:
      - min: 3.141
        max: 3.142
    feedback: 在 3.141 和 3.142 之间。
  - id: num-003
    type: numerical
    difficulty: 2
    section: greeting#why
    stem: 一千二百写成数字是多少？
    answers:
      - value: 1200
    feedback: 一千二百即 1200。
"""


def numerical_course(app, content_dir: Path) -> None:
    (content_dir / "quizzes/basics.yaml").write_text(BANK, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir)


def start(client) -> int:
    response = client.post("/lms/courses/basics/quiz")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/attempts/(\d+)", response.location).group(1))


def positions(app, attempt_id: int) -> dict[str, int]:
    """Question key → position on the page."""
    with app.app_context():
        attempt = session.get(Attempt, attempt_id)
        return {r.question_version.question.key: r.position for r in attempt.responses}


def test_a_numerical_quiz_through_the_pages(app, client, make_staff, content_dir):
    numerical_course(app, content_dir)
    login(client, make_staff())
    attempt_id = start(client)
    page = client.get(f"/lms/attempts/{attempt_id}").get_data(as_text=True)
    where = positions(app, attempt_id)
    assert len(where) == 3
    for position in where.values():
        assert re.search(rf'<input type="text" inputmode="decimal" name="q{position}"', page)
    assert "3.141" not in page and "三声之内。" not in page, "no key before grading"

    form = {
        f"q{where['num-001']}": "４",  # full-width, the 50% answer
        f"q{where['num-002']}": "3.1416",
        f"q{where['num-003']}": "1,200",
    }
    saved = client.post(
        f"/lms/attempts/{attempt_id}/save", data=form, headers={"Accept": "application/json"}
    )
    assert saved.get_json() == {"saved": True, "problems": {}}
    page = client.get(f"/lms/attempts/{attempt_id}").get_data(as_text=True)
    assert 'value="４"' in page and 'value="1,200"' in page, "a saved number is shown as typed"

    response = client.post(f"/lms/attempts/{attempt_id}/submit", data=form)
    assert response.location.endswith(f"/attempts/{attempt_id}/result")
    with app.app_context():
        attempt = session.get(Attempt, attempt_id)
        scores = {r.question_version.question.key: r.score for r in attempt.responses}
        assert scores == {"num-001": 0.5, "num-002": 1.0, "num-003": 1.0}
        assert round(attempt.score, 1) == 83.3

    result = client.get(response.location).get_data(as_text=True)
    assert "４" in result  # the learner's number as typed
    assert "接近了，但规范是三声。" in result  # the matched answer's feedback
    assert "部分得分 50%" in result
    assert "3 ± 0" not in result and "正确答案：<span data-content>3; 4 ± 1 (50%)</span>" in result


def test_junk_and_blank_numbers_score_zero_without_an_error(app, client, make_staff, content_dir):
    numerical_course(app, content_dir)
    login(client, make_staff())
    attempt_id = start(client)
    where = positions(app, attempt_id)
    form = {f"q{where['num-001']}": "三声", f"q{where['num-002']}": "3,14"}
    response = client.post(f"/lms/attempts/{attempt_id}/submit", data=form)
    assert response.status_code == 302
    result = client.get(response.location).get_data(as_text=True)
    assert "三声" in result and "3,14" in result and "(未作答)" in result
    with app.app_context():
        assert session.get(Attempt, attempt_id).score == 0.0


def test_the_accepted_range_is_shown_in_english(app, client, make_staff, content_dir):
    numerical_course(app, content_dir)
    login(client, make_staff())
    client.post("/lms/language", data={"locale": "en", "next": "/lms/"})
    attempt_id = start(client)
    where = positions(app, attempt_id)
    form = {f"q{where['num-001']}": "3", f"q{where['num-003']}": "1200"}
    client.post(f"/lms/attempts/{attempt_id}/submit", data=form)  # passed: keys are shown
    result = client.get(f"/lms/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "<span data-content>3.141 to 3.142</span>" in result


def test_the_api_takes_a_number_and_reviews_it(app, runner, make_staff, content_dir):
    numerical_course(app, content_dir)
    learner = make_staff()
    api = Api(app, mint(runner, learner.employee_no))
    attempt = api.post("/courses/basics/attempts").json
    where = positions(app, attempt["id"])
    shown = {q["position"]: q for q in attempt["questions"]}
    assert shown[where["num-002"]]["type"] == "numerical"
    assert "answers" not in shown[where["num-002"]]
    for key, typed in (("num-001", 3), ("num-002", "３.1415"), ("num-003", "一千二")):
        saved = api.put(f"/attempts/{attempt['id']}/answers/{where[key]}", json={"answer": typed})
        assert saved.status == 200, saved.json
    graded = api.post(f"/attempts/{attempt['id']}/submit").json
    assert round(graded["score"], 1) == 66.7
    items = {i["position"]: i for i in api.get(f"/attempts/{attempt['id']}/result").json["items"]}
    assert items[where["num-001"]]["answer"] == "3"
    assert items[where["num-002"]]["given"] == "３.1415"
    assert items[where["num-003"]]["score"] == 0.0


def test_statistics_group_the_same_number_however_it_was_typed():
    data = {
        "type": "numerical",
        "stem": "?",
        "answers": [{"value": 8, "tolerance": 1}],
    }
    vs = {11: VersionRow(11, 1, 1, data)}
    typed = ["8", "８", "8.0", "9", "十", "十", None]
    scores = [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    data_rows = [
        ResponseRow(attempt, 11, answer, score)
        for attempt, (answer, score) in enumerate(zip(typed, scores, strict=True), 1)
    ]
    stats = item_statistics(data_rows, vs)[1].overall
    assert stats.choices[:3] == [
        Choice("8", 3, 3 / 7, 1.0),
        Choice("十", 2, 2 / 7, 0.0),
        Choice("9", 1, 1 / 7, 1.0),
    ]
    assert stats.unanswered == 1


def test_the_trainers_pages_show_numerical_questions(app, client, make_staff, content_dir):
    numerical_course(app, content_dir)
    login(client, make_staff(("learner", "trainer")))
    attempt_id = start(client)
    where = positions(app, attempt_id)
    client.post(f"/lms/attempts/{attempt_id}/submit", data={f"q{where['num-002']}": "３.1415"})
    base = "/lms/trainer/courses/basics"
    listing = client.get(f"{base}/questions?type=numerical").get_data(as_text=True)
    assert "num-001" in listing and "数值题" in listing
    sheet = client.get(f"{base}/questions/num-002/preview?answers=1").get_data(as_text=True)
    assert "3.141 至 3.142" in sheet and 'inputmode="decimal"' in sheet
    stats = client.get(f"{base}/statistics")
    assert stats.status_code == 200
    assert "3.1415" in stats.get_data(as_text=True)  # the typed number, folded
