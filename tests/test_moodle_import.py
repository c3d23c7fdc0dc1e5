"""Importing what Moodle imports (issue #12, part 1): optional feedback, weighted multiple answers,
partial short answers, skipped essay/description/cloze, ``--skip-bad`` in the CLI and the wizard."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.courses.catalog import course_or_404
from lms.db import session
from lms.quizzes import grading
from lms.quizzes.bank_file import question_problems
from lms.quizzes.importer import preview_import
from lms.quizzes.interchange import parse
from lms.quizzes.interchange.gift import to_gift
from lms.quizzes.models import Question
from lms.quizzes.review import review_item
from tests.conftest import login

# Eight ordinary questions as a Chinese trainer writes them: five without any #feedback.
CHINESE_GIFT = """$CATEGORY: 服务礼仪

::礼仪1::客人进门时应当怎样？{=微笑问候 ~低头看手机 ~视而不见}

::礼仪2::电话铃响几声之内应接听？{=三声#对。 ~五声 ~十声 ####铃响三声之内接听。}

::礼仪3::微笑是最好的语言。{T}

::礼仪4::以下哪些是文明用语？{
~%50%请
~%50%谢谢
~%-100%喂
}

::礼仪5::保持健康的好习惯是每天____。{=运动 =%50%锻炼}

::礼仪6::把称呼与场合配对。{
=正式会议 -> 先生/女士
=同事之间 -> 名字
=对长辈 -> 您
}

::礼仪7::接待投诉时先做什么？{=倾听 ~争辩 ~推诿 ####先听完客人的话。}

::礼仪8::首问负责制要求第一位接待的员工负责到底。{TRUE####材料原话。}

::礼仪9::电话铃响几声之内应接听？{#3:0}
"""

# Modelled on Moodle's own GIFT examples (question/format/gift/examples.txt), written from the
# documented syntax.
MOODLE_GIFT = """// true/false
::Q1:: 1+1=2 {T}

// multiple choice with specified feedback for right and wrong answers
::Q2:: What's between orange and green in the spectrum?
{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow }

// fill-in-the-blank
::Q3:: Two plus {=two =2} equals four.

// matching
::Q4:: Which animal eats which food? { =cat -> cat food =dog -> dog food =cow -> grass }

// math range question
::Q5:: What is a number from 1 to 5? {#3:2}

// multiple choice with multiple right answers
::Q7:: What two people are entombed in Grant's tomb? {
   ~%-100%No one
   ~%50%Grant
   ~%50%Grant's wife
   ~%-100%Grant's father
}

// three right answers of a third each
::Q8:: Which are primary colours of light? {
   ~%33.33333%red
   ~%33.33333%green
   ~%33.33333%blue
   ~%-50%yellow
   ~%-50%black
}

// short answer with partial credit
::Q9:: Who's buried in Grant's tomb? {=Grant =%50%Ulysses S. Grant#Half credit}

// essay
::Q10:: Write a short biography of Dag Hammarskjöld. {}

// description
::Q11:: You can use your pencil and paper for these next math questions.

// formats and escapes
::Q12::[html]<p>Is <b>this</b> right?<script>alert(1)</script></p>{TRUE}

::Q13:: Which sign means \\{braces\\} \\= and \\#? {=\\{ \\} ~\\= ~\\#}
"""


def test_chinese_gift_with_five_questions_without_feedback_imports_all_eight_and_the_numerical(
    app, runner, tmp_path
):
    path = tmp_path / "礼仪.gift"
    path.write_text(CHINESE_GIFT, encoding="utf-8")
    result = runner.invoke(
        args=["lms", "questions", "import", str(path), "--format", "gift", "--course", "basics"]
    )
    assert result.exit_code == 0, result.output
    assert "9 imported, 0 new version(s), 0 unchanged, 0 skipped, 0 rejected" in result.output
    with app.app_context():
        imported = [
            q.versions[-1].data
            for q in session.scalars(sa.select(Question).where(Question.origin == "import"))
        ]
    assert len(imported) == 9
    numerical = next(d for d in imported if d["type"] == "numerical")
    assert numerical["answers"] == [{"value": 3, "tolerance": 0}]
    short = next(d for d in imported if d["type"] == "short")
    assert short["accepted"] == ["运动"]
    assert short["partial"] == [{"text": "锻炼", "weight": 50}]
    assert sum(1 for d in imported if not d.get("feedback")) == 6
    multiple = next(d for d in imported if d["type"] == "multiple")
    assert [o.get("correct", False) for o in multiple["options"]] == [True, True, False]
    assert grading.grade(short, "锻炼", "proportional") == 0.5


def test_moodle_examples_import_every_supported_question_and_report_the_skipped(app):
    result = parse(MOODLE_GIFT, "gift")
    assert [str(p) for p in result.problems] == []
    by_id = {q.key: q.data for q in result.questions}
    assert sorted(by_id) == ["q1", "q12", "q13", "q2", "q3", "q4", "q5", "q7", "q8", "q9"]
    assert by_id["q5"]["answers"] == [{"value": 3, "tolerance": 2}]
    assert [(s.line, s.kind) for s in result.skipped] == [
        (38, "essay"),
        (41, "description"),
    ]
    assert by_id["q7"]["options"][0] == {"text": "No one", "weight": -100}
    assert by_id["q7"]["options"][1] == {"text": "Grant", "correct": True, "weight": 50}
    assert "weight" not in by_id["q8"]["options"][0]  # even thirds: our ordinary grading
    assert by_id["q9"]["accepted"] == ["Grant"]
    assert by_id["q9"]["partial"] == [{"text": "Ulysses S. Grant", "weight": 50}]
    assert by_id["q9"]["feedback"] == "Half credit"
    assert by_id["q12"]["stem"] == "Is this right?"  # sanitised: the script's text is gone
    assert [o["text"] for o in by_id["q13"]["options"]] == ["{ }", "=", "#"]
    assert by_id["q2"]["options"][0]["feedback"] == "right; good!"
    with app.app_context():
        preview = preview_import(MOODLE_GIFT, "gift", course_or_404("basics"))
        assert preview.ok, preview.problems
        assert len(preview.importable) == 10


def test_cloze_questions_are_skipped_with_their_line_and_the_rest_imports():
    text = "::a::题{T}\n\n::c::填空 {1:MULTICHOICE:=甲~乙} 和 {1:SHORTANSWER:=丙}\n\n::b::题二{F}\n"
    result = parse(text, "gift")
    assert result.ok and [q.key for q in result.questions] == ["a", "b"]
    assert [str(s) for s in result.skipped] == [
        "line 3: skipped: cloze questions are not supported"
    ]


def test_weighted_multiple_answers_are_graded_as_moodle_grades_them():
    data = {
        "type": "multiple",
        "stem": "?",
        "options": [
            {"text": "a", "correct": True, "weight": 50},
            {"text": "b", "correct": True, "weight": 50},
            {"text": "c", "weight": -100},
            {"text": "d", "weight": 0},
        ],
    }
    assert grading.grade(data, [0, 1], "proportional") == 1.0
    assert grading.grade(data, [0], "proportional") == 0.5
    assert grading.grade(data, [0, 3], "all_or_nothing") == 0.5  # the author's weights decide
    assert grading.grade(data, [0, 2], "proportional") == 0.0  # floored at 0
    assert grading.grade(data, [0, 1, 3], "proportional") == 1.0
    thirds = {
        "type": "multiple",
        "stem": "?",
        "options": [{"text": t, "correct": True, "weight": 33.33333} for t in "abc"]
        + [{"text": "d", "weight": -50}],
    }
    assert grading.grade(thirds, [0, 1, 2], "proportional") == 1.0  # 99.99999 is full marks
    assert grading.grade(thirds, [0, 1, 2, 3], "proportional") == pytest.approx(0.4999999)
    assert grading.grade(thirds, [0], "proportional") == pytest.approx(0.3333333)
    capped = {**thirds, "options": [*thirds["options"][:3], {"text": "d", "weight": 0}]}
    assert grading.grade(capped, [0, 1, 2, 3], "proportional") == 1.0


def test_partial_short_answers_earn_their_weight():
    data = {
        "type": "short",
        "stem": "?",
        "accepted": ["运动"],
        "partial": [{"text": "锻炼", "weight": 50}, {"text": "走路", "weight": 25}],
    }
    assert grading.grade(data, " 运动。", "all_or_nothing") == 1.0
    assert grading.grade(data, "锻炼", "all_or_nothing") == 0.5
    assert grading.grade(data, "走路", "proportional") == 0.25
    assert grading.grade(data, "睡觉", "proportional") == 0.0


def _multiple(**option_weights: float) -> dict:
    return {
        "id": "m",
        "type": "multiple",
        "difficulty": 2,
        "section": "greeting#smile",
        "stem": "?",
        "options": [
            {"text": t, "weight": w, **({"correct": True} if w > 0 else {})}
            for t, w in option_weights.items()
        ],
    }


def test_bank_rules_for_weights_and_feedback():
    good = _multiple(a=50, b=50, c=-100)
    assert question_problems(good, require_feedback=False) == []
    assert ("feedback", "feedback is required") in question_problems(good)  # bank files
    assert question_problems(_multiple(a=50, b=25, c=-100), require_feedback=False) == [
        ("options", "the positive weights must add up to 100, not 75")
    ]
    assert question_problems(_multiple(a=150, b=50, c=-100), require_feedback=False) == [
        ("options", "option 1: weight must be a number from -100 to 100")
    ]
    half = _multiple(a=50, b=50, c=-100)
    del half["options"][2]["weight"]
    assert question_problems(half, require_feedback=False) == [
        ("options", "when one option has a weight, every option needs one")
    ]
    wrong_flag = _multiple(a=50, b=50, c=-100)
    wrong_flag["options"][2]["correct"] = True
    assert question_problems(wrong_flag, require_feedback=False) == [
        ("options", "option 3: correct must be true exactly when the weight is positive")
    ]
    short = {
        "id": "s",
        "type": "short",
        "difficulty": 2,
        "section": "greeting#smile",
        "stem": "?",
        "accepted": ["运动"],
        "partial": [{"text": "锻炼", "weight": 100}],
    }
    assert question_problems(short, require_feedback=False) == [
        ("partial", "partial answer 1: weight must be between 0 and 100 (exclusive)")
    ]


def test_weights_survive_a_gift_round_trip():
    questions = [
        {**_multiple(a=50, b=50, c=-100, d=0), "feedback": "f"},
        {
            "id": "s",
            "type": "short",
            "difficulty": 2,
            "section": "greeting#smile",
            "stem": "?",
            "accepted": ["运动"],
            "partial": [{"text": "锻炼", "weight": 33.5}],
        },
    ]
    result = parse(to_gift(questions), "gift")
    assert result.ok, result.problems
    assert [q.data for q in result.questions] == questions


def test_the_review_of_a_question_without_feedback_shows_the_key_and_the_section():
    data = {"type": "truefalse", "stem": "题", "answer": True, "section": "greeting#smile"}
    item = review_item(data, False, 0.0)
    assert (item["right"], item["feedback"], item["section"]) == ("正确", "", "greeting#smile")


BAD_AND_GOOD = """::ok-1::客人进门时应当怎样？{=微笑问候 ~低头看手机 ~视而不见}

::bad-1::两个正确答案？{=甲 =乙 ~丙}

::ok-2::微笑是最好的语言。{T}

::bad-2::没有右括号{=甲 ~乙

::essay::谈谈你的体会。{}
"""


def _cli(runner, path: Path, *extra: str):
    return runner.invoke(
        args=["lms", "questions", "import", str(path), "--format", "gift", "--course", "basics"]
        + list(extra)
    )


def test_skip_bad_on_the_cli_imports_the_valid_and_lists_the_rejected(app, runner, tmp_path):
    path = tmp_path / "mixed.gift"
    path.write_text(BAD_AND_GOOD, encoding="utf-8")
    strict = _cli(runner, path)
    assert strict.exit_code == 1 and "nothing was imported" in strict.output
    dry = _cli(runner, path, "--skip-bad", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "2 question(s) valid" in dry.output and "1 skipped, 2 rejected" in dry.output
    with app.app_context():
        assert (
            session.scalar(sa.select(sa.func.count(Question.id)).where(Question.origin == "import"))
            == 0
        )
    done = _cli(runner, path, "--skip-bad")
    assert done.exit_code == 0, done.output
    assert (
        f"{path}:line 3: bad-1: a single-choice question needs exactly one correct option "
        "(rejected)" in done.output
    )
    assert f"{path}:line 7: the answer block {{ has no closing }} (rejected)" in done.output
    assert f"{path}:line 9: skipped: essay questions are not supported" in done.output
    assert done.output.rstrip().endswith(
        "2 imported, 0 new version(s), 0 unchanged, 1 skipped, 2 rejected."
    )
    with app.app_context():
        keys = set(session.scalars(sa.select(Question.key).where(Question.origin == "import")))
    assert keys == {"ok-1", "ok-2"}


def test_skip_bad_in_the_wizard(app, make_staff):
    client = app.test_client()
    login(client, make_staff(("trainer",)))
    page = client.get("/lms/trainer/import").get_data(as_text=True)
    assert 'name="skip_bad"' in page
    response = client.post(
        "/lms/trainer/import",
        data={
            "file": (BytesIO(BAD_AND_GOOD.encode()), "mixed.gift"),
            "fmt": "gift",
            "course": "basics",
            "skip_bad": "y",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and "skip_bad=1" in response.location
    token = re.search(r"draft=([\w-]+)", response.location).group(1)
    strict = client.get(f"/lms/trainer/import/preview?draft={token}").get_data(as_text=True)
    assert "确认导入" not in strict and "skip_bad=1" in strict  # offers the choice
    html = client.get(f"/lms/trainer/import/preview?draft={token}&skip_bad=1").get_data(
        as_text=True
    )
    assert "拒收的题目" in html and "确认导入" in html
    assert "第 3 行：bad-1：单选题必须恰好有一个正确选项" in html
    assert 'name="skip_bad" type="hidden" value="1"' in html
    done = client.post(
        "/lms/trainer/import/confirm",
        data={"draft": token, "section": "greeting#smile", "skip_bad": "1"},
        follow_redirects=True,
    )
    text = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "新增 2 题" in text and "跳过 1 题，拒收 2 题" in text
    assert "无解析" in text  # the list marks questions without feedback
    with app.app_context():
        keys = set(session.scalars(sa.select(Question.key).where(Question.origin == "import")))
    assert keys == {"ok-1", "ok-2"}


def test_without_skip_bad_the_wizard_stays_all_or_nothing(app, make_staff):
    client = app.test_client()
    login(client, make_staff(("trainer",)))
    response = client.post(
        "/lms/trainer/import",
        data={
            "file": (BytesIO(BAD_AND_GOOD.encode()), "mixed.gift"),
            "fmt": "gift",
            "course": "basics",
        },
        content_type="multipart/form-data",
    )
    token = re.search(r"draft=([\w-]+)", response.location).group(1)
    forced = client.post("/lms/trainer/import/confirm", data={"draft": token})
    assert forced.status_code == 400
    with app.app_context():
        assert (
            session.scalar(sa.select(sa.func.count(Question.id)).where(Question.origin == "import"))
            == 0
        )


WEIGHTED_GIFT = """::w-multi::哪些是文明用语？{
~%50%请
~%50%谢谢
~%-100%喂
~%0%嗯
}

::w-short::保持健康的好习惯是每天____。{=运动 =%50%锻炼}
"""


def test_the_authoring_form_keeps_and_edits_weights(app, make_staff, tmp_path):
    from tests.test_authoring import _form_from_page

    with app.app_context():
        from lms.quizzes.importer import import_questions

        preview = preview_import(WEIGHTED_GIFT, "gift", course_or_404("basics"))
        import_questions(course_or_404("basics"), preview.importable, None)
    client = app.test_client()
    login(client, make_staff(("trainer",)))
    base = "/lms/trainer/courses/basics/questions"
    for key in ("w-multi", "w-short"):
        page = client.get(f"{base}/{key}/edit").get_data(as_text=True)
        data = _form_from_page(page)
        assert data["feedback"] == ""
        refused = client.post(f"{base}/{key}/edit", data=data)  # our own questions explain
        assert refused.status_code == 400 and "请填写解析" in refused.get_data(as_text=True)
        data["feedback"] = "补上的解析。"
        if key == "w-short":
            data["partial"] = "锻炼 | 40\n走路 | 25"
        done = client.post(f"{base}/{key}/edit", data=data)
        assert done.status_code == 302, done.get_data(as_text=True)
    with app.app_context():
        stored = {
            q.key: q.versions[-1].data
            for q in session.scalars(sa.select(Question).where(Question.origin == "import"))
        }
    assert [o.get("weight") for o in stored["w-multi"]["options"]] == [50, 50, -100, 0]
    assert [o.get("correct", False) for o in stored["w-multi"]["options"]] == [
        True,
        True,
        False,
        False,
    ]
    assert stored["w-short"]["partial"] == [
        {"text": "锻炼", "weight": 40},
        {"text": "走路", "weight": 25},
    ]
    # A weight that breaks Moodle's rule is refused in the trainer's language.
    page = client.get(f"{base}/w-multi/edit").get_data(as_text=True)
    data = _form_from_page(page)
    data["options-1-weight"] = "20"
    refused = client.post(f"{base}/w-multi/edit", data=data)
    assert refused.status_code == 400 and "正的权重加起来须为 100" in refused.get_data(as_text=True)
