"""The import wizard speaks the reader's language: every problem and skip with its line number, in
Chinese by default and in English with the English locale; and the section chosen on the
confirmation is the one applied, whether or not the preview was refreshed."""

from __future__ import annotations

import html as html_lib
import re
from io import BytesIO

import pytest
import sqlalchemy as sa

from lms.db import session
from lms.i18n import _ as gettext_now
from lms.quizzes.import_messages import translate
from lms.quizzes.interchange import parse
from lms.quizzes.models import Question
from tests.conftest import login

BAD_GIFT = """\
::n1::几声？{#abc}

::n2::范围？{#5..1}

::c1::两个都对？{=甲 =乙 ~丙}

::c2::{=甲 ~乙 ~丙}

::essay::谈谈体会。{}

只是一段说明文字。

::cloze::填空 {1:SHORTANSWER:=对}

// mingli: colour red
::m1::未知标记{T}

::w::权重？{~%70%甲 ~%30%乙 ~丙}

::o::题{=甲 ~乙 ~丙

::good::三声？{=三声 ~五声 ~十声}
"""
# Each problem's line and the start of its Chinese and English text.
EXPECTED = [
    (1, "读不出数值答案 'abc'", "cannot read the numerical answer 'abc'"),
    (3, "n2：答案 1：最小值 5 大于最大值 1", "n2: answer 1: min 5 is more than max 1"),
    (5, "c1：单选题必须恰好有一个正确选项", "c1: a single-choice question needs exactly one"),
    (7, "c2：缺少题干", "c2: stem is required"),
    (15, "未知的 mingli: 行“colour”", "unknown mingli: line 'colour'"),
]
SKIPS = [
    (9, "跳过问答题", "skipped an essay question"),
    (11, "跳过说明文字", "skipped a description"),
    (13, "跳过完形填空(cloze)题", "skipped a cloze question"),
]


def upload(client, text: str, fmt: str = "gift", name: str = "bank.gift", skip_bad: bool = False):
    data = {"file": (BytesIO(text.encode()), name), "fmt": fmt, "course": "basics"}
    if skip_bad:
        data["skip_bad"] = "y"
    response = client.post("/lms/trainer/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return re.search(r"draft=([\w-]+)", response.location).group(1)


def listed(page: str) -> list[str]:
    """The texts of the wizard's problem and skip lists."""
    lists = re.findall(r'<ul class="[^"]*import-lines[^"]*"[^>]*>(.*?)</ul>', page, re.S)
    return [html_lib.unescape(li) for ul in lists for li in re.findall(r"<li>(.*?)</li>", ul)]


@pytest.fixture
def trainer_client(app, make_staff):
    client = app.test_client()
    login(client, make_staff(("trainer",)))
    return client


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_problems_and_skips_in_the_interface_language(app, trainer_client, locale):
    client = trainer_client
    if locale == "en":
        client.post("/lms/language", data={"locale": "en", "next": "/lms/"})
    token = upload(client, BAD_GIFT)
    page = client.get(f"/lms/trainer/import/preview?draft={token}").get_data(as_text=True)
    items = listed(page)
    which = 1 if locale == "zh_CN" else 2
    prefix = "第 {} 行：" if locale == "zh_CN" else "line {}: "
    for expected in (*EXPECTED, *SKIPS):
        wanted = prefix.format(expected[0]) + expected[which]
        assert any(item.casefold().startswith(wanted.casefold()) for item in items), wanted
    for item in items:
        assert re.match(r"第 \d+ 行：" if locale == "zh_CN" else r"line \d+: ", item), item
        if locale == "zh_CN":  # no English sentence left over
            assert re.search(r"[\u4e00-\u9fff]", item.split("：", 1)[1]), item
        else:
            assert not re.search(r"[\u4e00-\u9fff]", item.replace("“", "").split("'")[0]), item


def test_rejected_questions_are_listed_in_the_interface_language(app, trainer_client):
    token = upload(trainer_client, BAD_GIFT, skip_bad=True)
    page = trainer_client.get(f"/lms/trainer/import/preview?draft={token}&skip_bad=1")
    items = listed(page.get_data(as_text=True))
    assert "第 3 行：n2：答案 1：最小值 5 大于最大值 1" in items
    assert "第 20 行：答案块的 { 缺少结尾的 }" in items


def test_every_problem_the_parsers_report_for_bad_files_is_known():
    files = {
        "gift": BAD_GIFT
        + "\n::d::重复{=甲 ~乙 ~丙}\n\n::d::重复{=甲 ~乙 ~丙}\n\n::x::多个块{=a ~b} {=c}\n"
        + "\n::t::判断{T#一#二#三}\n\n::mm::配对{=a -> 1 =b}\n\n::sw::简答{=%150%甲}\n"
        + "\n::nw::数值{#=%150%5}\n\n::nt::数值{#=5 ~6}\n\n::sc::单选{=%50%甲 ~乙 =丙}\n",
        "aiken": "题一\nA. 甲\nA. 乙\nANSWER: C\n\nANSWER: A\n\n题二\nANSWER: A\n\n题三\nA. 甲\n",
        "yaml": "course: [x]\nquestions:\n  - 1\n  - id: Bad Id\n    type: numerical\n"
        "    difficulty: 9\n    section: nowhere\n    stem: ''\n    answers:\n"
        "      - {value: 1, min: 2}\n      - {min: 3}\n      - {value: x, weight: 0}\n"
        "      - [1]\n    feedback: 5\n    source: x\n    sources: []\n    excludes: [Bad Id]\n"
        "    extra: 1\n",
        "yaml-keys": "questions:\n  - id: a\n    id: b\n",
    }
    unknown = []
    for fmt, text in files.items():
        result = parse(text, fmt.split("-")[0])
        assert result.problems, fmt
        unknown += [str(p) for p in result.problems if translate(p.message) is None]
    assert unknown == []


def confirm_form(page: str) -> dict[str, str]:
    """The confirmation form's fields as a browser would post them (the selected option)."""
    form = re.search(
        r'<form method="post" action="/lms/trainer/import/confirm".*?</form>', page, re.S
    )
    assert form, "the preview offers the confirmation"
    body = form.group(0)
    fields = {}
    for tag in re.findall(r"<input[^>]*>", body):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and 'type="submit"' not in tag:
            fields[name.group(1)] = html_lib.unescape(value.group(1)) if value else ""
    select = re.search(r'<select[^>]*name="section"[^>]*>(.*?)</select>', body, re.S)
    assert select, "the section is chosen in the confirmation form itself"
    chosen = re.search(
        r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select.group(1)
    )
    fields["section"] = next(g for g in chosen.groups() if g)
    return fields


NO_SECTION = "::imp-s1::电话铃响几声之内应接听？{=三声 ~五声 ~十声}\n"


def section_of(app, key: str) -> tuple[str, str]:
    with app.app_context():
        question = session.scalar(sa.select(Question).where(Question.key == key))
        return question.lesson_slug, question.anchor


def test_a_section_changed_without_a_new_preview_is_applied(app, trainer_client):
    token = upload(trainer_client, NO_SECTION)
    page = trainer_client.get(f"/lms/trainer/import/preview?draft={token}").get_data(as_text=True)
    fields = confirm_form(page)
    assert fields["section"] == "greeting#why"  # the course's first section, as previewed
    fields["section"] = "phone#answer"  # changed in the same form, then "确认导入" at once
    done = trainer_client.post("/lms/trainer/import/confirm", data={**fields, "submit": "确认导入"})
    assert done.status_code == 302, done.get_data(as_text=True)
    assert section_of(app, "imp-s1") == ("phone", "answer")


def test_the_refresh_button_previews_the_chosen_section(app, trainer_client):
    token = upload(trainer_client, NO_SECTION)
    page = trainer_client.get(f"/lms/trainer/import/preview?draft={token}").get_data(as_text=True)
    fields = {**confirm_form(page), "section": "greeting#smile", "refresh": "重新预览"}
    response = trainer_client.post("/lms/trainer/import/confirm", data=fields)
    assert response.status_code == 302 and "section=greeting%23smile" in response.location
    assert "imp-s1" not in {q for q in _keys(app)}, "a refresh imports nothing"
    again = trainer_client.get(response.location).get_data(as_text=True)
    assert confirm_form(again)["section"] == "greeting#smile"
    assert "<code>greeting#smile</code>" in again
    bad = trainer_client.post(
        "/lms/trainer/import/confirm", data={**fields, "section": "phone#nowhere"}
    )
    assert bad.status_code == 400


def _keys(app) -> set[str]:
    with app.app_context():
        return set(session.scalars(sa.select(Question.key)))


def test_translation_needs_no_request(app):
    """The parsers never touch Flask: their messages are plain English until displayed."""
    result = parse("::a::题{#abc}\n", "gift")
    assert str(result.problems[0]).startswith("line 1: cannot read the numerical answer")
    with app.test_request_context():
        assert gettext_now("第 %(line)s 行：%(problem)s", line=1, problem="x") == "第 1 行：x"
