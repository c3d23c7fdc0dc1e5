"""Moodle XML and the 题库 spreadsheet (issue #12, items 2, 3, 5, 6): Chinese files written for the
tests, through the parsers, the CLI and the wizard, with the exact counts they must give."""

from __future__ import annotations

import csv
import io
import re
from io import BytesIO

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.db import session
from lms.quizzes.interchange import parse, parse_upload
from lms.quizzes.interchange.gift import parse_gift, to_gift
from lms.quizzes.interchange.moodle_xml import parse_moodle_xml, to_moodle_xml
from lms.quizzes.interchange.sheet import parse_sheet, template_xlsx, to_sheet_rows, to_xlsx
from lms.quizzes.models import Question
from tests.conftest import login
from tests.test_interchange import (
    PROPERTY,
    REAL_BANKS,
    assert_same_questions,
    assert_well_formed,
    bank_questions,
    problems,
    texts,
    valid_questions,
)


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first occurrence of ``needle``."""
    return text[: text.index(needle)].count("\n") + 1


def notes(result) -> list[str]:
    return [str(n) for n in result.notes]


def skipped(result) -> list[str]:
    return [str(s) for s in result.skipped]


# --- Moodle XML -----------------------------------------------------------------------------------

MOODLE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/服务礼仪</text></category>
  </question>
  <question type="multichoice">
    <name><text>礼仪1</text></name>
    <questiontext format="html"><text><![CDATA[<p>客人进门时应当<b>怎样</b>做？</p><script>alert(1)</script>]]></text></questiontext>
    <generalfeedback format="html"><text><![CDATA[<p>先问候，让客人知道自己被看见了。</p>]]></text></generalfeedback>
    <single>true</single>
    <answer fraction="100" format="html"><text><![CDATA[<p>微笑问候</p>]]></text><feedback format="html"><text>对。</text></feedback></answer>
    <answer fraction="0" format="html"><text>低头看手机</text><feedback format="html"><text>客人会觉得被冷落。</text></feedback></answer>
    <answer fraction="0" format="html"><text>视而不见</text></answer>
  </question>
  <question type="multichoice">
    <name><text>礼仪2</text></name>
    <questiontext format="plain_text"><text>哪些是光的三原色？</text></questiontext>
    <single>false</single>
    <answer fraction="33.33333"><text>红</text></answer>
    <answer fraction="33.33333"><text>绿</text></answer>
    <answer fraction="33.33333"><text>蓝</text></answer>
    <answer fraction="-100"><text>黄</text></answer>
    <answer fraction="0"><text>黑</text></answer>
  </question>
  <question type="truefalse">
    <name><text>礼仪3</text></name>
    <questiontext format="moodle_auto_format"><text>微笑是最好的语言。</text></questiontext>
    <answer fraction="100"><text>true</text><feedback><text>材料原话。</text></feedback></answer>
    <answer fraction="0"><text>false</text><feedback><text>再想想。</text></feedback></answer>
  </question>
  <question type="shortanswer">
    <name><text>礼仪4</text></name>
    <questiontext format="html"><text><![CDATA[保持健康的好习惯是每天____。]]></text></questiontext>
    <usecase>0</usecase>
    <answer fraction="100"><text>运动</text></answer>
    <answer fraction="50"><text>锻炼</text><feedback><text>接近了。</text></feedback></answer>
  </question>
  <question type="category">
    <category><text>$course$/top/电话礼仪</text></category>
  </question>
  <question type="matching">
    <name><text>礼仪5</text></name>
    <questiontext format="html"><text>把称呼与场合配对。</text></questiontext>
    <subquestion format="html"><text>正式会议</text><answer><text>先生/女士</text></answer></subquestion>
    <subquestion format="html"><text>同事之间</text><answer><text>名字</text></answer></subquestion>
    <subquestion format="html"><text>对长辈</text><answer><text>您</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text>喂</text></answer></subquestion>
  </question>
  <question type="ordering">
    <name><text>礼仪6</text></name>
    <questiontext format="html"><text>把接听电话的步骤按先后排好。</text></questiontext>
    <layouttype>VERTICAL</layouttype>
    <answer fraction="3"><text>询问来意</text></answer>
    <answer fraction="1"><text>问候</text></answer>
    <answer fraction="2"><text>自报单位</text></answer>
    <answer fraction="4"><text>记录</text></answer>
  </question>
  <question type="essay">
    <name><text>礼仪7</text></name>
    <questiontext format="html"><text>谈谈你对首问负责制的理解。</text></questiontext>
  </question>
  <question type="description">
    <name><text>说明</text></name>
    <questiontext format="html"><text>以下题目请结合案例作答。</text></questiontext>
  </question>
  <question type="multianswer">
    <name><text>完形</text></name>
    <questiontext format="html"><text>{1:SHORTANSWER:=三声}之内接听。</text></questiontext>
  </question>
  <question type="random">
    <name><text>随机</text></name>
  </question>
  <question type="numerical">
    <name><text>数值1</text></name>
    <questiontext format="html"><text>电话铃响几声之内应接听？</text></questiontext>
    <answer fraction="100"><text>3</text><tolerance>0</tolerance></answer>
  </question>
  <question type="multichoice">
    <name><text>礼仪8</text></name>
    <questiontext format="html"><text><![CDATA[<p>图中的站姿哪里不对？<img src="@@PLUGINFILE@@/zhanzi.png"></p>]]></text>
      <file name="zhanzi.png" path="/" encoding="base64">iVBORw0KGgo=</file>
    </questiontext>
    <single>true</single>
    <answer fraction="100"><text>双手插兜</text></answer>
    <answer fraction="0"><text>抬头挺胸</text></answer>
    <answer fraction="0"><text>面带微笑</text></answer>
  </question>
</quiz>
"""


def test_a_chinese_moodle_xml_file_parses_with_cdata_categories_and_every_type():
    result = parse_moodle_xml(MOODLE_XML)
    assert problems(result) == []
    by_id = {q.key: q for q in result.questions}
    assert len(result.questions) == 8
    assert skipped(result) == [
        f"line {line_of(MOODLE_XML, kind)}: skipped: {name} questions are not supported"
        for kind, name in (
            ('"essay"', "essay"),
            ('"description"', "description"),
            ('"multianswer"', "cloze"),
            ('"random"', "random"),
        )
    ]
    single = [q for q in result.questions if q.data["stem"].startswith("客人进门")][0]
    assert single.data["stem"] == "客人进门时应当怎样做？"  # html cleaned, the script dropped
    assert single.data["feedback"] == "先问候，让客人知道自己被看见了。"
    assert single.data["options"] == [
        {"text": "微笑问候", "correct": True, "feedback": "对。"},
        {"text": "低头看手机", "feedback": "客人会觉得被冷落。"},
        {"text": "视而不见"},
    ]
    assert single.category == "服务礼仪" and single.line == line_of(MOODLE_XML, "礼仪1") - 1
    multiple = [q for q in result.questions if q.data["type"] == "multiple"][0].data
    assert [o["weight"] for o in multiple["options"]] == [33.33333] * 3 + [-100, 0]
    truefalse = [q for q in result.questions if q.data["type"] == "truefalse"][0].data
    assert truefalse["answer"] is True and truefalse["feedback"] == "材料原话。\n再想想。"
    short = [q for q in result.questions if q.data["type"] == "short"][0].data
    assert short["accepted"] == ["运动"] and short["partial"] == [{"text": "锻炼", "weight": 50}]
    matching = [q for q in result.questions if q.data["type"] == "matching"][0]
    assert matching.data["distractors"] == ["喂"] and len(matching.data["pairs"]) == 3
    assert matching.category == "电话礼仪"
    ordering = [q for q in result.questions if q.data["type"] == "ordering"][0].data
    assert ordering["steps"] == ["问候", "自报单位", "询问来意", "记录"]
    assert notes(result) == [
        f"line {line_of(MOODLE_XML, '图中的站姿')}: an image in the text was dropped",
        f"line {line_of(MOODLE_XML, '<file name')}: the embedded file 'zhanzi.png' was dropped",
    ]
    numerical = [q for q in result.questions if q.data["type"] == "numerical"][0]
    assert numerical.data["answers"] == [{"value": 3}] and numerical.category == "电话礼仪"
    assert len(by_id) == 8  # Chinese names make distinct ids


def test_moodle_xml_import_on_the_cli_gives_the_exact_counts(app, runner, tmp_path):
    path = tmp_path / "礼仪.xml"
    path.write_text(MOODLE_XML, encoding="utf-8")
    args = ["lms", "questions", "import", str(path), "--format", "moodlexml", "--course", "basics"]
    done = runner.invoke(args=args)
    assert done.exit_code == 0, done.output
    assert f"{path}:line {line_of(MOODLE_XML, '<file name')}: the embedded file" in done.output
    essay = line_of(MOODLE_XML, 'type="essay"')
    assert f"{path}:line {essay}: skipped: essay" in done.output
    assert done.output.rstrip().endswith(
        "8 imported, 0 new version(s), 0 unchanged, 4 skipped, 0 rejected."
    )
    again = runner.invoke(args=args)
    assert "0 imported, 0 new version(s), 8 unchanged, 4 skipped, 0 rejected." in again.output


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<quiz><question type="truefalse"><questiontext><text>&lol2;</text></questiontext></question></quiz>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="truefalse"><questiontext><text>&secret;</text></questiontext></question></quiz>
"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE quiz SYSTEM "http://example.invalid/evil.dtd">
<quiz/>
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            BILLION_LAUGHS,
            "line 3: the file declares an entity; Moodle XML has none, and entities can expand "
            "into huge or outside content, so the file is refused",
        ),
        (
            EXTERNAL_ENTITY,
            "line 2: the file declares an entity; Moodle XML has none, and entities can expand "
            "into huge or outside content, so the file is refused",
        ),
        (
            EXTERNAL_DTD,
            "line 2: the file refers to an external DTD; Moodle XML has none, so it is refused",
        ),
        ("<quiz><question>", "line 1: the file is not well-formed XML: no element found"),
        ("<html/>", "line 1: a Moodle XML file has <quiz> as its root"),
    ],
)
def test_dangerous_or_broken_xml_is_refused_with_one_clear_problem(text, expected):
    result = parse_moodle_xml(text)
    assert problems(result) == [expected] and result.questions == []


def test_the_billion_laughs_is_refused_on_the_cli_and_nothing_is_imported(app, runner, tmp_path):
    path = tmp_path / "lol.xml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    args = ["lms", "questions", "import", str(path), "--format", "moodlexml", "--course", "basics"]
    done = runner.invoke(args=args)
    assert done.exit_code == 1
    assert f"{path}:line 3: the file declares an entity" in done.output
    assert "nothing was imported" in done.output


def test_moodle_xml_problems_carry_their_line():
    text = """<quiz>
  <question type="multichoice">
    <name><text>x</text></name>
    <questiontext><text>题干</text></questiontext>
    <single>true</single>
    <answer fraction="abc"><text>甲</text></answer>
  </question>
  <question type="multichoice">
    <name><text>y</text></name>
    <questiontext><text>题干二</text></questiontext>
    <single>true</single>
    <answer fraction="40"><text>甲</text></answer>
    <answer fraction="60"><text>乙</text></answer>
  </question>
  <question type="truefalse">
    <questiontext><text>判断</text></questiontext>
    <answer fraction="0"><text>true</text></answer>
  </question>
</quiz>"""
    assert problems(parse_moodle_xml(text)) == [
        "line 6: fraction 'abc' is not a number from -100 to 100",
        "line 8: a one-answer multichoice question needs one answer at fraction 100 and the "
        "others from 0 to 100; several right answers need single = false",
        "line 15: a truefalse question needs the answer true or false at 100%",
    ]


# --- The 题库 spreadsheet -------------------------------------------------------------------------

SHEET_ROWS = [
    ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "难度", "章节"],
    ["单选题", "电话铃响几声之内应接听？", "三声", "五声", "十声", "", "A", "铃响三声之内接听。", "易", "phone#answer"],
    ["多选题", "以下哪些是文明用语？", "请", "谢谢", "喂", "不知道", "AB", "", "中", ""],
    ["判断题", "微笑是最好的语言。", "", "", "", "", "√", "", "1", "greeting#smile"],
    ["填空题", "保持健康的好习惯是每天____。", "", "", "", "", "运动｜%50%锻炼", "", "", ""],
    ["排序题", "把接听电话的步骤按先后排好。", "询问来意", "问候", "记录", "自报单位", "BDAC", "", "难", ""],
    ["问答题", "谈谈你对首问负责制的理解。", "", "", "", "", "", "", "", ""],
    ["单选题", "接待投诉时先做什么？", "倾听", "争辩", "推诿", "", "E", "", "", ""],
    ["论证题", "这是什么题型？", "", "", "", "", "", "", "", ""],
]  # fmt: skip


def _csv(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def _check_sheet(result) -> None:
    assert problems(result) == [
        "line 8: 答案: E is not one of the options ABC",
        "line 9: 题型 '论证题' is not one of 单选题、多选题、判断题、填空题、排序题、数值题、配对题、情境题",
    ]
    assert skipped(result) == ["line 7: skipped: essay questions are not supported"]
    data = [q.data for q in result.questions]
    assert [d["type"] for d in data] == ["single", "multiple", "truefalse", "short", "ordering"]
    assert data[0]["section"] == "phone#answer" and data[0]["difficulty"] == 1
    assert [o.get("correct", False) for o in data[1]["options"]] == [True, True, False, False]
    assert data[2]["answer"] is True and data[2]["difficulty"] == 1
    assert data[3]["partial"] == [{"text": "锻炼", "weight": 50}]
    assert data[4]["steps"] == ["问候", "自报单位", "询问来意", "记录"]
    assert data[4]["difficulty"] == 3


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda rows: _csv(rows).encode("gbk"), id="gbk"),
        pytest.param(lambda rows: _csv(rows).encode("utf-8-sig"), id="utf8-bom"),
        pytest.param(lambda rows: _csv(rows).encode("utf-8"), id="utf8"),
        pytest.param(lambda rows: _csv(rows, "\t").encode("utf-16"), id="utf16-tabs"),
    ],
)
def test_the_sheet_as_csv_in_each_encoding(encode):
    _check_sheet(parse_sheet(encode(SHEET_ROWS)))


def _xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


ALIASED = [
    ["试题内容", "题目类型", "A", "B", "C", "正确答案", "答案解析", "难易度", "所属章节", "分数"],
    ["客人进门时应当怎样做？", "单选题", "微笑问候", "低头看手机", "视而不见", "a", "先问候。", 2, "greeting#why", 2],
    ["首问负责制要求第一位接待的员工负责到底。", "判断题", None, None, None, True, None, 3, None, 1],
    ["'=SUM(A1)是公式吗？", "判断题", None, None, None, "错", None, None, None, 1],
    ["哪些是文明用语？", "多选题", "请", "谢谢", "喂", "A、B", None, "难", None, 2],
]  # fmt: skip


def test_an_xlsx_with_header_aliases():
    result = parse_sheet(_xlsx(ALIASED))
    assert problems(result) == []
    assert notes(result) == ["line 1: column '分数' is not read"]
    data = [q.data for q in result.questions]
    assert [d["type"] for d in data] == ["single", "truefalse", "truefalse", "multiple"]
    assert data[0]["options"][0] == {"text": "微笑问候", "correct": True}
    assert data[0]["feedback"] == "先问候。" and data[0]["difficulty"] == 2
    assert data[1]["answer"] is True and data[1]["difficulty"] == 3
    assert data[2]["stem"] == "=SUM(A1)是公式吗？" and data[2]["answer"] is False


def test_sheet_import_on_the_cli_with_skip_bad_gives_the_exact_counts(app, runner, tmp_path):
    path = tmp_path / "题库.csv"
    path.write_bytes(_csv(SHEET_ROWS).encode("gbk"))
    args = ["lms", "questions", "import", str(path), "--format", "sheet", "--course", "basics"]
    strict = runner.invoke(args=args)
    assert strict.exit_code == 1 and "2 problem(s) found; nothing was imported." in strict.output
    done = runner.invoke(args=[*args, "--skip-bad"])
    assert done.exit_code == 0, done.output
    assert f"{path}:line 7: skipped: essay questions are not supported" in done.output
    assert f"{path}:line 8: 答案: E is not one of the options ABC (rejected)" in done.output
    assert done.output.rstrip().endswith(
        "5 imported, 0 new version(s), 0 unchanged, 1 skipped, 2 rejected."
    )
    with app.app_context():
        count = session.scalar(
            sa.select(sa.func.count(Question.id)).where(Question.origin == "import")
        )
    assert count == 5


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["题干", "答案"], ["x", "A"]], ["line 1: missing column(s): 题型"]),
        ([["题型", "题干", "题目"]], ["line 1: column '题目' is given twice"]),
        (
            [
                ["题型", "题干", "选项A", "选项B", "选项C", "答案"],
                ["排序题", "排", "甲", "乙", "丙", "AB"],
            ],
            [
                "line 2: 答案: a 排序题 lists every option letter once in the right order, "
                "e.g. CBA; not 'AB'"
            ],
        ),
        (
            [
                ["题型", "题干", "答案", "难度"],
                ["判断题", "判", "也许", ""],
                ["判断题", "判", "对", "很难"],
            ],
            [
                "line 2: 答案: a 判断题 is answered 对 or 错 (正确/错误, √/×), not '也许'",
                "line 3: 难度: '很难' is not 易/中/难 or 1–3",
            ],
        ),
        ([], ["line 1: the file is empty: the first row names the columns (题型, 题干, …)"]),
    ],
)
def test_sheet_problems_name_their_row(rows, expected):
    assert problems(parse_sheet(_csv(rows).encode("utf-8"))) == expected


def test_unreadable_sheets_are_one_clear_problem():
    assert problems(parse_sheet(b"\xd0\xcf\x11\xe0old")) == [
        "line 1: this is an old Excel .xls workbook; save it as .xlsx or as CSV UTF-8"
    ]
    assert problems(parse_sheet(b"PK\x03\x04broken")) == [
        "line 1: the workbook cannot be read (BadZipFile); save it again as .xlsx or as CSV UTF-8"
    ]


def test_the_template_parses_and_its_ordering_row_is_written_out_of_order():
    result = parse_sheet(template_xlsx())
    assert problems(result) == [] and len(result.questions) == 5
    ordering = result.questions[-1].data
    assert ordering["steps"] == ["倾听", "致歉", "解决", "跟进"]


def test_export_neutralises_formulas_and_the_reader_takes_the_apostrophe_off():
    question = {
        "id": "f-1", "type": "truefalse", "difficulty": 2, "section": "greeting#why",
        "stem": "=1+1", "answer": True, "feedback": "@cmd",
    }  # fmt: skip
    header, rows = to_sheet_rows([question])
    assert rows[0][header.index("题干")] == "'=1+1"
    assert rows[0][header.index("解析")] == "'@cmd"
    result = parse_sheet(to_xlsx([question]))
    assert problems(result) == []
    assert result.questions[0].data == question


# --- The wizard -----------------------------------------------------------------------------------


def _upload(client, raw: bytes, name: str, fmt: str, **extra):
    return client.post(
        "/lms/trainer/import",
        data={"file": (BytesIO(raw), name), "fmt": fmt, "course": "basics", **extra},
        content_type="multipart/form-data",
    )


def test_the_wizard_imports_an_xlsx_sheet(app, make_staff):
    client = app.test_client()
    login(client, make_staff(("trainer",)))
    page = client.get("/lms/trainer/import").get_data(as_text=True)
    assert 'value="sheet"' in page and 'value="moodlexml"' in page
    assert "/lms/trainer/import/sheet-template.xlsx" in page
    response = _upload(client, _xlsx(ALIASED), "题库.xlsx", "sheet")
    assert response.status_code == 302, response.get_data(as_text=True)
    token = re.search(r"draft=([\w-]+)", response.location).group(1)
    html = client.get(f"/lms/trainer/import/preview?draft={token}").get_data(as_text=True)
    assert (
        "确认导入" in html and "第 1 行：列 &#39;分数&#39; 没有读取" in html
    )  # the reader's language
    done = client.post(
        "/lms/trainer/import/confirm",
        data={"draft": token, "section": "greeting#smile"},
        follow_redirects=True,
    )
    assert done.status_code == 200
    assert "新增 4 题" in done.get_data(as_text=True)


def test_the_wizard_reports_the_moodle_xml_skips_and_notes(app, make_staff):
    client = app.test_client()
    login(client, make_staff(("trainer",)))
    response = _upload(client, MOODLE_XML.encode(), "礼仪.xml", "moodlexml")
    token = re.search(r"draft=([\w-]+)", response.location).group(1)
    html = client.get(f"/lms/trainer/import/preview?draft={token}").get_data(as_text=True)
    essay = line_of(MOODLE_XML, 'type="essay"')
    assert f"第 {essay} 行：跳过问答题，明礼不支持这种题型" in html  # the reader's language
    assert "嵌入的文件 &#39;zhanzi.png&#39; 已舍弃" in html
    assert "分类" in html and "服务礼仪" in html


def test_a_broken_upload_is_a_page_with_the_problem_never_a_500(app, make_staff):
    client = app.test_client()
    login(client, make_staff(("trainer",)))
    for raw, fmt in ((b"PK\x03\x04junk", "sheet"), (BILLION_LAUGHS.encode(), "moodlexml")):
        response = _upload(client, raw, "x", fmt)
        assert response.status_code == 302
        html = client.get(response.location).get_data(as_text=True)
        assert "整份文件不会导入" in html


def test_template_and_exports_download(app, make_staff):
    client = app.test_client()
    login(client, make_staff(("trainer",)))
    template = client.get("/lms/trainer/import/sheet-template.xlsx")
    assert template.status_code == 200 and template.data.startswith(b"PK")
    assert problems(parse_sheet(template.data)) == []
    sheet = client.get("/lms/trainer/courses/basics/export?format=sheet")
    xml = client.get("/lms/trainer/courses/basics/export?format=moodlexml")
    assert sheet.status_code == xml.status_code == 200
    assert "basics-sheet.xlsx" in sheet.headers["Content-Disposition"]
    from_sheet = parse_upload(sheet.data, "sheet")
    from_xml = parse_upload(xml.data, "moodlexml")
    assert problems(from_sheet) == problems(from_xml) == []
    assert_same_questions(
        [q.data for q in from_sheet.questions], [q.data for q in from_xml.questions]
    )


# --- Round trips ----------------------------------------------------------------------------------


def _sheet_csv(questions) -> bytes:
    header, rows = to_sheet_rows(questions)
    return _csv([header, *rows]).encode("utf-8-sig")


WRITERS = {
    "gift": lambda slug, qs: parse_gift(to_gift(qs, category=slug)),
    "moodlexml": lambda slug, qs: parse_moodle_xml(to_moodle_xml(qs, category=slug)),
    "sheet-xlsx": lambda slug, qs: parse_sheet(to_xlsx(qs)),
    "sheet-csv": lambda slug, qs: parse_sheet(_sheet_csv(qs)),
}


@pytest.mark.parametrize("fmt", list(WRITERS))
@pytest.mark.parametrize("path", REAL_BANKS, ids=lambda p: p.stem)
def test_every_real_bank_round_trips(path, fmt):
    slug, questions = bank_questions(path)
    result = WRITERS[fmt](slug, questions)
    assert problems(result) == [] and result.skipped == [] and result.notes == []
    assert_same_questions(questions, [q.data for q in result.questions])


@pytest.mark.parametrize("fmt", ["gift", "moodlexml", "sheet"])
def test_a_real_bank_exported_and_imported_into_an_empty_course_is_the_same(
    app, runner, tmp_path, fmt
):
    """Through the CLI both ways: a real bank (its sections moved to the fixture course's) into the
    fixture course, whose bank holds none of its ids, then exported again."""
    from lms.quizzes.interchange import export_file

    _, questions = bank_questions(REAL_BANKS[0])
    sections = ["greeting#why", "greeting#smile", "greeting#recap", "phone#answer", "phone#recap"]
    questions = [{**q, "section": sections[n % 5]} for n, q in enumerate(questions)]
    path = tmp_path / f"bank.{fmt}"
    path.write_bytes(export_file(questions, fmt, "basics"))
    args = ["lms", "questions", "import", str(path), "--format", fmt, "--course", "basics"]
    done = runner.invoke(args=args)
    assert done.exit_code == 0, done.output
    assert f"{len(questions)} imported, 0 new version(s)" in done.output
    out = tmp_path / f"again.{fmt}"
    exported = runner.invoke(
        args=[
            "lms",
            "questions",
            "export",
            "--course",
            "basics",
            "--format",
            fmt,
            "--out",
            str(out),
        ]
    )
    assert exported.exit_code == 0, exported.output
    again = parse_upload(out.read_bytes(), fmt)
    mine = {q["id"] for q in questions}
    assert_same_questions(questions, [q.data for q in again.questions if q.key in mine])


@settings(max_examples=150, deadline=None)
@given(valid_questions())
def test_any_valid_question_round_trips_through_moodle_xml_and_the_sheet(question):
    for result in (
        parse_moodle_xml(to_moodle_xml([question])),
        parse_sheet(to_xlsx([question])),
        parse_sheet(_sheet_csv([question])),
    ):
        assert problems(result) == []
        assert len(result.questions) == 1
        assert_same_questions([question], [result.questions[0].data])


# --- Importers never crash --------------------------------------------------------------------------

XML_PIECES = [
    "<quiz>", "</quiz>", '<question type="multichoice">', '<question type="truefalse">',
    '<question type="matching">', '<question type="ordering">', '<question type="shortanswer">',
    '<question type="category">', "</question>", "<answer fraction=\"100\">", '<answer fraction="x">',
    "<answer>", "</answer>", "<text>", "</text>", "<![CDATA[", "]]>", "<single>false</single>",
    "<subquestion>", "</subquestion>", "<name>", "</name>", "<questiontext format=\"html\">",
    "</questiontext>", "<!-- mingli: type scenario -->", "<!-- mingli: difficulty 9 -->", "true",
    "中文", "&amp;", "&lt;p&gt;", "<!DOCTYPE q [", "<!ENTITY a \"b\">", "]>", "&a;", "\n", " ",
]  # fmt: skip


@PROPERTY
@given(texts(XML_PIECES))
def test_the_moodle_xml_parser_never_raises(text):
    assert_well_formed(parse_moodle_xml(text), text)


SHEET_CELLS = st.sampled_from(
    ["题型", "题干", "选项A", "选项B", "答案", "解析", "难度", "章节", "分值", "来源", "单选题",
     "多选题", "判断题", "填空题", "排序题", "数值题", "配对题", "情境题", "问答题", "A", "AB",
     "BA", "对", "x｜y", "%50%a", "100｜50｜0", "1", "难", "a#b", "{", "[1]", "", "=1", "'=1",
     "8±1", "1..2"]
)  # fmt: skip


@PROPERTY
@given(st.lists(st.lists(SHEET_CELLS, max_size=8), max_size=6))
def test_the_sheet_parser_never_raises_on_any_rows(rows):
    result = parse_sheet(_csv(rows).encode("utf-8"))
    json_ok = result.to_json()
    assert isinstance(json_ok, dict)
    for question in result.questions:
        assert isinstance(question.data, dict)


@PROPERTY
@given(st.binary(max_size=300))
def test_the_sheet_parser_never_raises_on_any_bytes(raw):
    result = parse_sheet(raw)
    assert isinstance(result.to_json(), dict)
    result = parse_sheet(b"PK\x03\x04" + raw)
    assert problems(result) and not result.questions


@PROPERTY
@given(st.binary(max_size=300))
def test_every_upload_parser_never_raises_on_any_bytes(raw):
    for fmt in ("gift", "aiken", "yaml", "moodlexml"):
        try:
            result = parse_upload(raw, fmt)
        except UnicodeDecodeError:
            continue  # the CLI and the wizard turn this into their "not UTF-8" message
        assert isinstance(result.to_json(), dict)


# --- Numerical: the type lands with the numerical branch -------------------------------------------

NUMERICAL_XML = """<quiz>
  <question type="numerical">
    <name><text>num-1</text></name>
    <questiontext format="html"><text>圆周率保留两位小数是多少？</text></questiontext>
    <answer fraction="100"><text>3.14</text><tolerance>0.005</tolerance><feedback><text>对。</text></feedback></answer>
    <answer fraction="50"><text>3</text><tolerance>0</tolerance></answer>
  </question>
</quiz>"""


def test_moodle_xml_numerical_questions_give_the_numerical_shape():
    result = parse_moodle_xml(NUMERICAL_XML)
    assert problems(result) == [] and result.skipped == []
    data = result.questions[0].data
    assert data["type"] == "numerical"
    assert data["answers"] == [
        {"value": 3.14, "tolerance": 0.005, "feedback": "对。"},
        {"value": 3, "weight": 50},
    ]


def test_sheet_numerical_rows_give_the_numerical_shape():
    rows = [["题型", "题干", "答案"], ["数值题", "圆周率约等于多少？", "3.14±0.01｜%50%3..3.2"]]
    result = parse_sheet(_csv(rows).encode("utf-8"))
    assert problems(result) == [] and result.skipped == []
    assert result.questions[0].data["answers"] == [
        {"value": 3.14, "tolerance": 0.01},
        {"min": 3, "max": 3.2, "weight": 50},
    ]


def test_numerical_questions_round_trip_through_moodle_xml_and_the_sheet():
    question = {
        "id": "num-2", "type": "numerical", "difficulty": 2, "section": "greeting#why",
        "stem": "一年有几个月？", "answers": [{"value": 12}, {"value": 12, "tolerance": 1, "weight": 50}],
    }  # fmt: skip
    for result in (parse_moodle_xml(to_moodle_xml([question])), parse_sheet(to_xlsx([question]))):
        assert problems(result) == []
        assert result.questions[0].data == question


def test_parse_takes_the_sheet_as_csv_text():
    result = parse(_csv(SHEET_ROWS), "sheet")
    assert len(result.questions) == 5


def test_categories_map_to_sections_on_the_cli(app, runner, tmp_path):
    path = tmp_path / "礼仪.xml"
    path.write_text(MOODLE_XML, encoding="utf-8")
    args = ["lms", "questions", "import", str(path), "--format", "moodlexml", "--course", "basics"]
    wrong = runner.invoke(args=[*args, "--category-section", "服务礼仪=greeting#nowhere"])
    assert wrong.exit_code == 2 and "is not a section of course basics" in wrong.output
    done = runner.invoke(
        args=[
            *args,
            "--category-section",
            "服务礼仪=greeting#smile",
            "--category-section",
            "电话礼仪=phone#answer",
            "--section",
            "greeting#recap",
        ]
    )
    assert done.exit_code == 0, done.output
    with app.app_context():
        sections = {
            q.key: f"{q.lesson_slug}#{q.anchor}"
            for q in session.scalars(sa.select(Question).where(Question.origin == "import"))
        }
    assert sorted(sections.values()) == ["greeting#smile"] * 4 + ["phone#answer"] * 4
    gift = tmp_path / "c.gift"
    gift.write_text("$CATEGORY: $course$/其他\n\n::c-1::微笑是最好的语言。{T}\n", encoding="utf-8")
    other = runner.invoke(
        args=["lms", "questions", "import", str(gift), "--format", "gift", "--course", "basics",
              "--category-section", "其他=phone#recap"]
    )  # fmt: skip
    assert other.exit_code == 0, other.output
    with app.app_context():
        question = session.scalar(sa.select(Question).where(Question.key == "c-1"))
        assert (question.lesson_slug, question.anchor) == ("phone", "recap")


def test_the_wizard_maps_categories_to_sections(app, make_staff):
    client = app.test_client()
    login(client, make_staff(("trainer",)))
    response = _upload(client, MOODLE_XML.encode(), "礼仪.xml", "moodlexml")
    token = re.search(r"draft=([\w-]+)", response.location).group(1)
    html = client.get(f"/lms/trainer/import/preview?draft={token}").get_data(as_text=True)
    assert 'name="category-0"' in html and 'name="category-1"' in html
    chosen = client.get(
        f"/lms/trainer/import/preview?draft={token}&category-0=greeting%23smile"
        "&category-1=phone%23answer&category-2=nowhere%23x"
    ).get_data(as_text=True)
    # carried to the confirm form, where the choice can still change
    assert re.search(r'name="category-0">.*?<option value="greeting#smile" selected>', chosen, re.S)
    tampered = client.post(
        "/lms/trainer/import/confirm",
        data={"draft": token, "section": "greeting#recap", "category-0": "greeting#nowhere"},
    )
    assert tampered.status_code == 400
    done = client.post(
        "/lms/trainer/import/confirm",
        data={
            "draft": token,
            "section": "greeting#recap",
            "category-0": "greeting#smile",
            "category-1": "phone#answer",
        },
        follow_redirects=True,
    )
    assert done.status_code == 200 and "新增 8 题" in done.get_data(as_text=True)
    with app.app_context():
        sections = sorted(
            f"{q.lesson_slug}#{q.anchor}"
            for q in session.scalars(sa.select(Question).where(Question.origin == "import"))
        )
    assert sections == ["greeting#smile"] * 4 + ["phone#answer"] * 4


def test_a_question_the_sheet_cannot_hold_is_a_clear_refusal_not_a_500(app, make_staff, runner):
    from lms.courses.catalog import course_or_404
    from lms.quizzes.importer import import_questions

    steps = [f"第{n}步" for n in range(1, 28)]
    question = {
        "id": "long-1", "type": "ordering", "difficulty": 2, "section": "greeting#why",
        "stem": "二十七个步骤。", "steps": steps,
    }  # fmt: skip
    with pytest.raises(ValueError, match="more than 26 options"):
        to_xlsx([question])
    with app.app_context():
        import_questions(course_or_404("basics"), [question], None)
    client = app.test_client()
    login(client, make_staff(("trainer",)))
    response = client.get("/lms/trainer/courses/basics/export?format=sheet", follow_redirects=True)
    assert response.status_code == 200 and "无法按这种格式导出" in response.get_data(as_text=True)
    cli = runner.invoke(
        args=["lms", "questions", "export", "--course", "basics", "--format", "sheet"]
    )
    assert cli.exit_code == 1 and "long-1: more than 26 options" in cli.output
    xml = client.get("/lms/trainer/courses/basics/export?format=moodlexml")
    assert parse_upload(xml.data, "moodlexml").questions[-1].data["steps"] == steps


def test_a_title_row_above_the_header_is_noted_and_skipped():
    rows = [
        ["服务礼仪题库", "", ""],
        [],
        ["题型", "题干", "答案"],
        ["判断题", "微笑是最好的语言。", "对"],
    ]
    result = parse_sheet(_xlsx(rows))
    assert problems(result) == [] and len(result.questions) == 1
    assert result.questions[0].line == 4
    assert notes(result) == ["line 1: a row above the header is not read"]


def test_a_sheet_past_the_question_limit_is_refused_where_reading_stopped():
    from lms.quizzes.interchange import Limits

    rows = [["题型", "题干", "答案"]] + [["判断题", f"第{n}题", "对"] for n in range(30)]
    limit = "(limit: LMS_IMPORT_MAX_QUESTIONS); split it into smaller files"
    for raw, expected in (
        (_csv(rows).encode("utf-8"), f"line 12: a question sheet may have at most 10 rows {limit}"),
        (
            _xlsx(rows),  # the workbook declares its size: refused before openpyxl reads it
            f"line 1: the sheet declares 31 rows; a question sheet may have at most 10 rows {limit}",
        ),
    ):
        result = parse_sheet(raw, Limits(max_questions=10))
        assert result.stopped and result.questions == []
        assert problems(result) == [expected]
