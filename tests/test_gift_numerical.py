"""Numerical questions in GIFT and YAML: Moodle's forms read ({#8:1}, {#3.141..3.142}, several
answers with partial credit and feedback), problems with their line, and export round trips."""

from __future__ import annotations

import sqlalchemy as sa

from lms.db import session
from lms.quizzes import grading
from lms.quizzes.interchange import export, parse
from lms.quizzes.interchange.common import canonical
from lms.quizzes.models import Question

GIFT = """\
// 数值题的几种写法
::tol::电话铃响几声之内应接听？{#3:1}

::range::圆周率取到千分位？{#3.141..3.142}

::several::首问负责制是哪一年推行的？{#
=2008:0#完全正确。
=%50%2008:2#差不多。
=%0%1900#差太远了。
####二〇〇八年。
}

::negative::零下五度写作？{#-5}

::fb::一打是几个？{#12#一打是十二个。}
"""


def by_key(text: str) -> dict[str, dict]:
    result = parse(text, "gift")
    assert [str(p) for p in result.problems] == []
    assert result.skipped == []
    return {q.key: q.data for q in result.questions}


def test_moodle_numerical_forms_are_read():
    found = by_key(GIFT)
    assert found["tol"]["answers"] == [{"value": 3, "tolerance": 1}]
    assert found["range"]["answers"] == [{"min": 3.141, "max": 3.142}]
    assert found["several"]["answers"] == [
        {"value": 2008, "tolerance": 0, "feedback": "完全正确。"},
        {"value": 2008, "tolerance": 2, "weight": 50, "feedback": "差不多。"},
    ]
    # A 0% answer earns what any other number earns; its feedback joins the general feedback.
    assert found["several"]["feedback"] == "二〇〇八年。\n差太远了。"
    assert found["negative"]["answers"] == [{"value": -5}]
    assert found["fb"]["answers"] == [{"value": 12, "feedback": "一打是十二个。"}]
    assert {d["type"] for d in found.values()} == {"numerical"}
    several = found["several"]
    assert grading.grade(several, "２００８", "proportional") == 1.0
    assert grading.grade(several, "2009", "proportional") == 0.5
    assert grading.grade(several, "1900", "proportional") == 0.0


def test_bad_numerical_blocks_are_problems_with_their_line():
    text = (
        "::a::几？{#abc}\n"  # 1
        "\n"
        "::b::范围？{#5..1}\n"  # 3
        "\n"
        "::c::误差？{#5:-1}\n"  # 5
        "\n"
        "::d::错答？{#=5 ~6}\n"  # 7
        "\n"
        "::e::只有部分分？{#=%50%5}\n"  # 9
        "\n"
        "::f::太大？{#1e999}\n"  # 11
        "\n"
        "::g::多行{#\n"  # 13
        "=5\n"
        "=%50%x:1\n"  # 15
        "}\n"
        "\n"
        "::h::权重？{#=%150%5}\n"  # 18
    )
    result = parse(text, "gift")
    assert [str(p) for p in result.problems] == [
        "line 1: cannot read the numerical answer 'abc': write 8, 8:1 (8 with a tolerance of 1) "
        "or 3.141..3.142 (a range)",
        "line 3: b: answer 1: min 5 is more than max 1",
        "line 5: c: answer 1: tolerance must not be negative",
        "line 7: a numerical question lists its answers with = (write ~ in text as \\~)",
        "line 9: e: a numerical question needs an answer with weight 100",
        "line 11: cannot read the numerical answer '1e999': write 8, 8:1 (8 with a tolerance of "
        "1) or 3.141..3.142 (a range)",
        "line 15: cannot read the numerical answer 'x:1': write 8, 8:1 (8 with a tolerance of 1) "
        "or 3.141..3.142 (a range)",
        "line 18: a numerical answer's weight must be from 0% to 100%",
    ]


def test_gift_export_round_trip():
    questions = [
        {
            "id": "num-1",
            "type": "numerical",
            "difficulty": 1,
            "section": "phone#answer",
            "stem": "几声？答案:写数字#{}",
            "answers": [
                {"value": 3, "feedback": "三声之内#规范。"},
                {"value": 4, "tolerance": 1, "weight": 50},
                {"value": 0.1, "tolerance": 0},
                {"min": -3.141, "max": 3.1415926535, "weight": 33.33333, "feedback": "范围"},
            ],
            "feedback": "铃响三声之内接听。",
            "source": {"file": "seed.txt", "quote": "铃响三声之内接听"},
        }
    ]
    text = export(questions, "gift", "basics")
    assert "=%50%4:1" in text and "=-3.141..3.1415926535" not in text
    back = parse(text, "gift")
    assert [str(p) for p in back.problems] == []
    assert [q.data for q in back.questions] == [canonical(q) for q in questions]
    again = parse(export([q.data for q in back.questions], "gift", "basics"), "gift")
    assert [q.data for q in again.questions] == [q.data for q in back.questions]


def test_yaml_export_round_trip_and_yaml_problems():
    question = {
        "id": "num-1",
        "type": "numerical",
        "difficulty": 2,
        "section": "phone#answer",
        "stem": "几声？",
        "answers": [{"max": 3.142, "min": 3.141, "feedback": "对"}, {"value": 3, "weight": 10}],
    }
    text = export([question], "yaml", "basics")
    assert "  - min: 3.141\n    max: 3.142\n" in text  # the bank file's field order
    back = parse(text, "yaml")
    assert [str(p) for p in back.problems] == []
    assert [q.data for q in back.questions] == [canonical(question)]
    bad = (
        "questions:\n"
        "  - id: n1\n"
        "    type: numerical\n"
        "    difficulty: 1\n"
        "    stem: 几？\n"
        "    answers:\n"
        "      - value: .nan\n"  # 7
        "      - value: .inf\n"
        "        weight: 50\n"
    )
    result = parse(bad, "yaml")
    assert [str(p) for p in result.problems] == [
        "line 6: n1: answer 1: value must be a finite number, not nan",
        "line 6: n1: answer 2: value must be a finite number, not inf",
    ]
    stored = result.to_json()  # the wizard keeps the parse as JSON: NaN cannot go there raw
    assert stored["questions"][0]["data"]["answers"][0]["value"] == "nan"


def test_cli_imports_and_exports_numerical_questions(app, runner, tmp_path):
    path = tmp_path / "numerical.gift"
    path.write_text(GIFT, encoding="utf-8")
    result = runner.invoke(
        args=["lms", "questions", "import", str(path), "--format", "gift", "--course", "basics"]
    )
    assert result.exit_code == 0, result.output
    assert "5 imported, 0 new version(s), 0 unchanged, 0 skipped, 0 rejected" in result.output
    with app.app_context():
        types = session.scalars(sa.select(Question.type).where(Question.origin == "import"))
        assert set(types) == {"numerical"}
    out = runner.invoke(
        args=["lms", "questions", "export", "--course", "basics", "--format", "gift"]
    )
    assert out.exit_code == 0, out.output
    assert "::range::圆周率取到千分位？{\n#\n=3.141..3.142\n}" in out.output
    again = parse(out.output, "gift")
    assert [str(p) for p in again.problems] == []
    assert {q.key for q in again.questions} >= {"tol", "range", "several", "negative", "fb"}
