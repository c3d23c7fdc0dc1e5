"""Trainer authoring through the real routes: every question type, field errors, versions, preview,
retire and restore, quiz settings."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.audit.models import AuditEntry
from lms.content.sync import sync_content
from lms.courses.models import Course
from lms.db import session
from lms.quizzes import authoring
from lms.quizzes.attempts import start_or_resume, submit
from lms.quizzes.bank_file import BankQuestion
from lms.quizzes.models import Attempt, Question
from tests.conftest import login

BASE = "/lms/trainer/courses/basics"
COMMON = {
    "section": "greeting#smile",
    "difficulty": "2",
    "feedback": "解析:微笑要自然。",
    "source_file": "seed.txt",
    "source_quote": "微笑是最好的语言",
}

# One valid form per type: what a trainer would type, blank spare rows included.
VALID: dict[str, dict[str, str]] = {
    "single": {
        "stem": "单选:窗口服务最好的语言是什么?",
        "options-0-text": "微笑",
        "options-0-correct": "y",
        "options-0-feedback": "对,微笑是最好的语言。",
        "options-1-text": "沉默",
        "options-2-text": "手势",
        "options-3-text": "",
    },
    "multiple": {
        "stem": "多选:哪些做法体现礼貌?",
        "options-0-text": "起身问候",
        "options-0-correct": "y",
        "options-1-text": "面带微笑",
        "options-1-correct": "y",
        "options-2-text": "埋头录入",
        "options-3-text": "",
    },
    "truefalse": {"stem": "判断:问候可以省略。", "answer": "false"},
    "ordering": {"stem": "排序:接待的步骤。", "steps": "起身\r\n问候\r\n\r\n办事\r\n"},
    "matching": {
        "stem": "匹配:把说法改成更好的说法。",
        "pairs-0-left": "你等着",
        "pairs-0-right": "请您稍等",
        "pairs-1-left": "不知道",
        "pairs-1-right": "我帮您问一下",
        "pairs-2-left": "找别人去",
        "pairs-2-right": "我带您去找负责的同事",
        "pairs-3-left": "",
        "pairs-3-right": "",
        "distractors": "随便你",
    },
    "short": {"stem": "简答:三个字的服务原则叫什么?", "accepted": "首问制\n首问负责制"},
    "scenario": {
        "stem": "情景:顾客排队很久,生气地拍桌子。你怎么回应?",
        "options-0-text": "先致歉并说明原因",
        "options-0-grade": "100",
        "options-0-feedback": "先处理情绪,再处理事情。",
        "options-1-text": "请他排好队",
        "options-1-grade": "50",
        "options-1-feedback": "规则没错,但没有回应情绪。",
        "options-2-text": "不理会",
        "options-2-grade": "0",
        "options-2-feedback": "冷落会让矛盾升级。",
    },
    "numerical": {
        "stem": "数值:电话铃响几声之内接听?",
        "answers-0-value": "３",
        "answers-0-feedback": "三声之内。",
        "answers-1-value": "4",
        "answers-1-tolerance": "1",
        "answers-1-weight": "50",
        "answers-2-min": "2.5",
        "answers-2-max": "3.5",
        "answers-2-weight": "25",
        "answers-3-value": "",
    },
}

# One invalid change per type, and the error it must show next to the field.
INVALID: dict[str, tuple[dict[str, str], str, str]] = {
    "single": ({"options-1-correct": "y"}, "单选题必须恰好有一个正确选项", ""),
    "multiple": ({"options-1-correct": ""}, "多选题至少需要两个正确选项和一个错误选项", ""),
    "truefalse": ({"answer": ""}, "请选择“正确”或“错误”", "answer"),
    "ordering": ({"steps": "起身\n问候"}, "排序题至少需要 3 个步骤", "steps"),
    "matching": (
        {"pairs-2-left": "", "pairs-2-right": ""},
        "匹配题至少需要 3 组配对",
        "",
    ),
    "short": ({"accepted": "  "}, "简答题至少需要一个可接受的答案", "accepted"),
    "scenario": ({"options-1-feedback": ""}, "每个回应都需要自己的反馈", "options-1-feedback"),
    "numerical": (
        {"answers-2-min": "3.5", "answers-2-max": "2.5"},
        "最小值不能大于最大值",
        "answers-2-min",
    ),
}


@pytest.fixture
def trainer(app, make_staff, client):
    staff = make_staff(("learner", "trainer"))
    login(client, staff)
    return staff


def form(qtype: str, **changes: str) -> dict[str, str]:
    data = {**COMMON, **VALID[qtype], "submit": "保存"}
    data.update(changes)
    return {k: v for k, v in data.items() if v != "" or not k.endswith("correct")}


def text(response) -> str:
    body = response.get_data(as_text=True)
    response.close()
    return body


def question(app, key: str) -> Question:
    with app.app_context():
        q = session.scalar(sa.select(Question).where(Question.key == key))
        for v in q.versions:
            _ = v.data
        session.expunge_all()
        return q


def audit(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = list(session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))
        session.expunge_all()
        return rows


def invalid_field(page: str, name: str) -> bool:
    return re.search(rf'<(?:input|textarea|select)[^>]*aria-invalid="true"[^>]*name="{name}"', page)


@pytest.mark.parametrize("qtype", list(VALID))
def test_create_a_valid_question_of_each_type(app, client, trainer, qtype):
    response = client.post(f"{BASE}/questions/new/{qtype}", data=form(qtype))
    assert response.status_code == 302, text(response)
    assert response.location.endswith(f"{BASE}/questions/basics-ui-001/preview")
    q = question(app, "basics-ui-001")
    assert (q.type, q.origin, q.current_version, q.difficulty) == (qtype, "ui", 1, 2)
    assert (q.lesson_slug, q.anchor) == ("greeting", "smile")
    data = q.versions[0].data
    assert data["stem"] == VALID[qtype]["stem"]
    assert data["source"] == {"file": "seed.txt", "quote": "微笑是最好的语言"}
    assert q.versions[0].created_by_id == trainer.id
    assert q.versions[0].content_hash == authoring.content_hash(data)
    if qtype == "ordering":
        assert data["steps"] == ["起身", "问候", "办事"]  # CRLF and blank lines are not steps
    if qtype in ("single", "multiple"):
        assert len(data["options"]) == 3  # the blank spare row is not an option
    (entry,) = audit(app, "question.create")
    assert entry.actor_id == trainer.id
    assert entry.details["key"] == "basics-ui-001"
    assert (entry.details["before_version"], entry.details["after_version"]) == (None, 1)
    # The new question is in the list and can be drawn like any other.
    assert "basics-ui-001" in text(client.get(f"{BASE}/questions"))


@pytest.mark.parametrize("qtype", list(INVALID))
def test_invalid_input_shows_field_errors_and_keeps_what_was_typed(app, client, trainer, qtype):
    changes, message, field_name = INVALID[qtype]
    response = client.post(f"{BASE}/questions/new/{qtype}", data=form(qtype, **changes))
    page = text(response)
    assert response.status_code == 400
    assert message in page
    if field_name:
        assert invalid_field(page, field_name), field_name
    assert VALID[qtype]["stem"] in page  # nothing typed is lost
    for name, value in {**VALID[qtype], **changes}.items():
        if name.endswith("-text") and value:
            assert f'value="{value}"' in page
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count()).select_from(Question)) == 4


def test_the_bank_page_shows_the_linters_findings(client, trainer):
    page = text(client.get(f"{BASE}/questions"))
    assert "题库检查" in page
    # The fixture bank: one true/false question, keyed True; its scenario's best reply is longest.
    row = re.search(r"判断题：答案为“正确”的比例</td>(.*?)</tr>", page, re.S).group(1)
    assert "100%" in row and "35%–65%" in row and 'class="fail">未达标' in row
    row = re.search(r"单选题：正确选项是最长一项的比例</td>(.*?)</tr>", page, re.S).group(1)
    assert "0%" in row and 'class="pass">达标' in row
    assert "盲猜得分" in page and "58%" in page
    assert "100 分的回应是最长的一项(11 字，其次 10 字)。" in page
    assert '<a class="tag lint-warning" href="#lint-bas-004">1 条提醒</a>' in page
    assert '<li id="lint-bas-004">' in page


def test_saving_a_question_shows_its_warnings_and_still_saves_it(app, client, trainer):
    data = form("single", **{"options-0-text": "自然的微笑"})
    response = client.post(f"{BASE}/questions/new/single", data=data)
    assert response.status_code == 302, text(response)
    assert question(app, "basics-ui-001").current_version == 1  # saved despite the warnings
    page = text(client.get(response.location))
    flash = re.search(r'<p class="flash flash-warning"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert flash.startswith("已保存，但请留意：")
    assert "正确选项是最长的一项(5 字，其次 2 字)：只挑最长的就能答对。" in flash
    assert "答案只有 25% 能在出处引文中找到" in flash and "自然的微笑" not in flash

    # An edit that nearly repeats another stem is saved too, and says so.
    edit = _form_from_page(text(client.get(f"{BASE}/questions/basics-ui-001/edit")))
    edit.update({"stem": "电话铃响几声之内要接听?", "options-0-text": "微笑"})
    response = client.post(f"{BASE}/questions/basics-ui-001/edit", data=edit)
    assert response.status_code == 302, text(response)
    assert question(app, "basics-ui-001").current_version == 2
    page = text(client.get(response.location))
    assert "题干与 bas-001 的题干相似度 92%。" in page
    assert "正确选项是最长的一项" not in page

    # A question without any warning gets none.
    clean = form("truefalse", stem="起身问候能让顾客感到被重视。", answer="true")
    page = text(client.post(f"{BASE}/questions/new/truefalse", data=clean, follow_redirects=True))
    assert "已新建题目 basics-ui-002。" in page and "flash-warning" not in page


def test_row_errors_point_at_the_row(client, trainer):
    data = form("single", **{"options-1-text": "", "options-1-feedback": "没写选项"})
    page = text(client.post(f"{BASE}/questions/new/single", data=data))
    assert "请填写内容" in page
    assert invalid_field(page, "options-1-text")
    assert 'value="没写选项"' in page


def test_common_fields_are_checked(app, client, trainer):
    data = form(
        "truefalse",
        key="Bad Key!",
        section="greeting#nowhere",
        stem="",
        feedback="",
        source_quote="",
    )
    page = text(client.post(f"{BASE}/questions/new/truefalse", data=data))
    assert invalid_field(page, "key") and "编号只能用小写字母" in page
    assert invalid_field(page, "section") and "本课程没有课节 greeting#nowhere" in page
    assert invalid_field(page, "stem") and "请填写题干" in page
    assert invalid_field(page, "feedback") and "请填写解析" in page
    assert invalid_field(page, "source_quote") and "出处需同时填写" in page
    # The section the trainer chose is still selected, marked as missing.
    assert re.search(
        r'selected[^>]*value="greeting#nowhere"|value="greeting#nowhere"[^>]*selected', page
    )


def test_a_trainer_chosen_id_must_be_unused(app, client, trainer):
    page = text(
        client.post(f"{BASE}/questions/new/truefalse", data=form("truefalse", key="bas-001"))
    )
    assert "编号 bas-001 已被使用" in page and invalid_field(page, "key")
    response = client.post(f"{BASE}/questions/new/truefalse", data=form("truefalse", key="my-q-1"))
    assert response.status_code == 302
    assert question(app, "my-q-1").origin == "ui"
    # Automatic ids count on from the highest one used.
    client.post(f"{BASE}/questions/new/short", data=form("short", key="basics-ui-007")).close()
    client.post(f"{BASE}/questions/new/short", data=form("short")).close()
    assert question(app, "basics-ui-008").type == "short"


def test_section_choices_are_the_lessons_anchors(client, trainer):
    page = text(client.get(f"{BASE}/questions/new/single"))
    for value in ("greeting#why", "greeting#smile", "greeting#recap", "phone#answer"):
        assert f'value="{value}"' in page
    assert 'optgroup label="问候与微笑"' in page


def test_more_rows_keeps_the_input(client, trainer):
    data = form("matching", more="再加一行")
    del data["submit"]
    response = client.post(f"{BASE}/questions/new/matching", data=data)
    page = text(response)
    assert response.status_code == 200
    assert 'name="pairs-4-left"' in page and 'value="我帮您问一下"' in page


def _four_question_attempt(app, make_staff) -> int:
    """A learner's graded attempt that drew every question of the fixture bank (version 1)."""
    learner = make_staff(("learner",))
    with app.test_request_context():
        session.get(Course, 1).questions_per_attempt = 4
        session.commit()
        attempt = start_or_resume(learner, session.get(Course, 1), seed=7)
        submit(attempt)
        return attempt.id


def test_editing_makes_a_new_version_and_old_attempts_keep_theirs(app, client, trainer, make_staff):
    attempt_id = _four_question_attempt(app, make_staff)
    page = text(client.get(f"{BASE}/questions/bas-001/edit"))
    assert "这道题来自题库文件" in page and "sync-content" in page
    assert 'value="三声"' in page and 'name="base_version" type="hidden" value="1"' in page

    data = {
        "section": "phone#answer",
        "difficulty": "1",
        "stem": "电话铃响几声之内必须接听?",
        "options-0-text": "三声",
        "options-0-correct": "y",
        "options-1-text": "五声",
        "options-2-text": "十声",
        "feedback": "铃响三声之内接听。",
        "source_file": "seed.txt",
        "source_quote": "铃响三声之内接听",
        "base_version": "1",
        "submit": "保存",
    }
    response = client.post(f"{BASE}/questions/bas-001/edit", data=data)
    assert response.status_code == 302, text(response)
    q = question(app, "bas-001")
    assert (q.current_version, q.origin) == (2, "ui")
    assert [v.data["stem"] for v in q.versions] == [
        "电话铃响几声之内应接听?",
        "电话铃响几声之内必须接听?",
    ]
    (entry,) = audit(app, "question.edit")
    assert entry.details["before_version"] == 1 and entry.details["after_version"] == 2
    assert entry.details["changes"] == ["stem"]
    assert (entry.details["origin_before"], entry.details["origin_after"]) == ("file", "ui")
    with app.app_context():
        attempt = session.get(Attempt, attempt_id)
        versions = {r.question_version.question.key: r.question_version for r in attempt.responses}
        assert versions["bas-001"].version == 1
        assert versions["bas-001"].data["stem"] == "电话铃响几声之内应接听?"

    # Saving the same content again adds nothing.
    response = client.post(f"{BASE}/questions/bas-001/edit", data={**data, "base_version": "2"})
    assert response.status_code == 302
    assert question(app, "bas-001").current_version == 2
    assert len(audit(app, "question.edit")) == 1


def test_an_unchanged_file_question_saves_no_version(app, client, trainer):
    """The form writes a file question back exactly: opening and saving it changes nothing."""
    for key in ("bas-001", "bas-002", "bas-003", "bas-004"):
        page = text(client.get(f"{BASE}/questions/{key}/edit"))
        data = _form_from_page(page)
        response = client.post(f"{BASE}/questions/{key}/edit", data=data)
        assert response.status_code == 302, text(response)
        q = question(app, key)
        assert (q.current_version, q.origin) == (1, "file"), key
    assert audit(app, "question.edit") == []


def _form_from_page(page: str) -> dict[str, str]:
    """The values the edit page was filled with, as a browser would post them."""
    data: dict[str, str] = {"submit": "保存"}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) in ("more", "submit"):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) in ("checkbox", "radio"):
            if "checked" in tag:
                data[name.group(1)] = value.group(1) if value else "y"
        else:
            data[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[name] = body.replace("&#34;", '"').replace("&amp;", "&").lstrip("\r\n")
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', options)
        data[name] = chosen.group(1) if chosen else ""
    return data


def test_editing_a_question_with_several_quotes_keeps_them(app, client, trainer, content_dir):
    path = content_dir / "quizzes/basics.yaml"
    path.write_text(
        path.read_text().replace(
            "    source: {file: seed.txt, quote: 微笑是最好的语言}\n",
            "    source: {file: seed.txt, quote: 微笑是最好的语言}\n"
            "    sources:\n      - {file: seed.txt, quote: 先起身问候}\n",
            1,
        )
    )
    with app.app_context():
        sync_content(content_dir)
    page = text(client.get(f"{BASE}/questions/bas-002/edit"))
    assert "先起身问候" in page
    data = _form_from_page(page)
    response = client.post(f"{BASE}/questions/bas-002/edit", data=data)
    assert response.status_code == 302, text(response)
    assert question(app, "bas-002").current_version == 2  # unchanged content: no new version
    client.post(f"{BASE}/questions/bas-002/edit", data={**data, "stem": "微笑最好吗?"}).close()
    saved = question(app, "bas-002").versions[-1].data
    assert saved["stem"] == "微笑最好吗?"
    assert saved["source"] == {"file": "seed.txt", "quote": "微笑是最好的语言"}
    assert saved["sources"] == [{"file": "seed.txt", "quote": "先起身问候"}]
    preview = text(client.get(f"{BASE}/questions/bas-002/preview?answers=1"))
    assert "先起身问候" in preview and "微笑是最好的语言" in preview
    bad = text(client.post(f"{BASE}/questions/bas-002/edit", data={**data, "more_sources": "[]"}))
    assert "其他出处的格式不对" in bad


def test_a_concurrent_edit_is_not_overwritten_silently(app, client, trainer):
    page = text(client.get(f"{BASE}/questions/bas-002/edit"))
    stale = _form_from_page(page)
    first = {**stale, "stem": "微笑是最好的语言吗?"}
    assert client.post(f"{BASE}/questions/bas-002/edit", data=first).status_code == 302
    second = {**stale, "stem": "微笑真的是最好的语言。"}
    response = client.post(f"{BASE}/questions/bas-002/edit", data=second)
    page = text(response)
    assert response.status_code == 400
    assert "已被保存为第 2 版" in page and "微笑真的是最好的语言。" in page
    assert 'name="base_version" type="hidden" value="2"' in page
    # Having seen the conflict, saving again is deliberate.
    again = client.post(f"{BASE}/questions/bas-002/edit", data={**second, "base_version": "2"})
    assert again.status_code == 302
    assert question(app, "bas-002").current_version == 3


def _create(client, qtype: str) -> str:
    response = client.post(f"{BASE}/questions/new/{qtype}", data=form(qtype))
    assert response.status_code == 302, text(response)
    return response.location.rsplit("/", 2)[-2]


# Texts that give an answer away, per type; the preview may show them only when asked.
SECRETS = {
    "single": ["对,微笑是最好的语言。"],
    "multiple": [],
    "truefalse": [],
    "ordering": ["起身 → 问候 → 办事"],
    "matching": ["你等着 — 请您稍等"],
    "short": ["首问负责制", "首问制"],
    "scenario": ["先处理情绪,再处理事情。", "规则没错,但没有回应情绪。", "100%"],
    "numerical": ["3; 4 ± 1 (50%); 2.5 至 3.5 (25%)", "三声之内。"],
}


@pytest.mark.parametrize("qtype", list(VALID))
def test_preview_shows_the_learner_view_without_answers(app, client, trainer, qtype):
    key = _create(client, qtype)
    page = text(client.get(f"{BASE}/questions/{key}/preview"))
    assert VALID[qtype]["stem"] in page
    assert 'id="q1"' in page  # the learner's question markup
    for secret in [COMMON["feedback"], "正确答案", "✓", *SECRETS[qtype]]:
        assert secret not in page, secret
    shown = text(client.get(f"{BASE}/questions/{key}/preview?answers=1"))
    for secret in [COMMON["feedback"], "正确答案", *SECRETS[qtype]]:
        assert secret in shown, secret


def test_preview_is_shuffled_like_an_attempt_with_a_fixed_seed(client, trainer):
    first = text(client.get(f"{BASE}/questions/bas-003/preview"))
    again = text(client.get(f"{BASE}/questions/bas-003/preview"))
    token = re.compile(r'name="csrf_token"[^>]*>')  # signed with the time: differs across seconds
    assert token.sub("", first) == token.sub("", again)
    steps = re.findall(r"</select> (\S+)\n", first)
    assert sorted(steps) == sorted(["起身", "问候", "办事"])
    assert steps != ["起身", "问候", "办事"]  # never shown in the right order


def test_preview_of_an_old_version(app, client, trainer):
    page = _form_from_page(text(client.get(f"{BASE}/questions/bas-002/edit")))
    client.post(f"{BASE}/questions/bas-002/edit", data={**page, "stem": "新题干。"}).close()
    old = text(client.get(f"{BASE}/questions/bas-002/preview?version=1"))
    assert "微笑是最好的语言。" in old and "当前为第 2 版" in old
    assert client.get(f"{BASE}/questions/bas-002/preview?version=9").status_code == 404


def test_retire_and_restore(app, client, trainer):
    response = client.post(f"{BASE}/questions/bas-003/retire")
    assert response.status_code == 302
    q = question(app, "bas-003")
    assert q.retired_at is not None
    listing = text(client.get(f"{BASE}/questions"))
    assert "<td>bas-003" not in listing and "<td>bas-001" in listing
    listing = text(client.get(f"{BASE}/questions?retired=1"))
    assert '<td>bas-003 <span class="tag">已停用</span>' in listing
    client.post(f"{BASE}/questions/bas-003/retire").close()  # twice: still one entry
    (entry,) = audit(app, "question.retire")
    assert entry.details["key"] == "bas-003"
    assert entry.details["before_version"] == entry.details["after_version"] == 1

    assert client.post(f"{BASE}/questions/bas-003/restore").status_code == 302
    assert question(app, "bas-003").retired_at is None
    (entry,) = audit(app, "question.restore")
    assert entry.details["key"] == "bas-003"


def test_list_filters(client, trainer):
    page = text(client.get(f"{BASE}/questions?type=ordering"))
    assert "bas-003" in page and "bas-001" not in page
    page = text(client.get(f"{BASE}/questions?lesson=phone"))
    assert "bas-001" in page and "bas-002" not in page


def test_unknown_things_are_404(client, trainer):
    assert client.get(f"{BASE}/questions/new/essay").status_code == 404
    assert client.get(f"{BASE}/questions/nope/edit").status_code == 404
    assert client.get("/lms/trainer/courses/nope/questions/bas-001/preview").status_code == 404


def test_a_learner_cannot_author(app, make_staff):
    client = app.test_client()
    login(client, make_staff(("learner",)))
    assert client.post(f"{BASE}/questions/new/single", data=form("single")).status_code == 403
    assert client.post(f"{BASE}/questions/bas-001/retire").status_code == 403


def test_quiz_settings(app, client, trainer, content_dir: Path):
    page = text(client.get(f"{BASE}/settings"))
    assert "course.yaml" in page and "会覆盖这里保存的值" in page
    bad = {
        "questions_per_attempt": "0",
        "pass_mark": "101",
        "time_limit_minutes": "-1",
        "max_attempts": "abc",
        "cooldown_minutes": "5",
        "partial_credit": "all_or_nothing",
    }
    response = client.post(f"{BASE}/settings", data=bad)
    page = text(response)
    assert response.status_code == 400
    assert "须在 1 到 500 之间" in page and "须在 1 到 100 之间" in page
    assert "须在 0 到 100000 之间" in page
    assert 'value="5"' in page  # what was typed stays
    good = {**bad, "questions_per_attempt": "2", "pass_mark": "90", "time_limit_minutes": "0"}
    good["max_attempts"] = "3"
    assert client.post(f"{BASE}/settings", data=good).status_code == 302
    with app.app_context():
        course = session.scalar(sa.select(Course).where(Course.slug == "basics"))
        assert (course.questions_per_attempt, course.pass_mark, course.max_attempts) == (2, 90, 3)
        assert (course.time_limit_minutes, course.cooldown_minutes) == (0, 5)
        assert course.partial_credit == "all_or_nothing"
    (entry,) = audit(app, "course.quiz_settings")
    assert entry.details["before"]["pass_mark"] == 60 and entry.details["after"]["pass_mark"] == 90
    assert "partial_credit" in entry.details["after"]
    assert client.post(f"{BASE}/settings", data=good).status_code == 302  # unchanged: no entry
    assert len(audit(app, "course.quiz_settings")) == 1

    # As the page says: a later change to course.yaml wins on sync.
    path = content_dir / "courses/basics/course.yaml"
    path.write_text(path.read_text().replace("pass_mark: 60", "pass_mark: 70"))
    with app.app_context():
        sync_content(content_dir)
        assert session.scalar(sa.select(Course.pass_mark).where(Course.slug == "basics")) == 70


def test_pages_link_up(client, trainer):
    banks = text(client.get("/lms/trainer/"))
    assert f"{BASE}/settings" in banks and f"{BASE}/statistics" in banks
    listing = text(client.get(f"{BASE}/questions"))
    for qtype in VALID:
        assert f"{BASE}/questions/new/{qtype}" in listing
    assert f"{BASE}/questions/bas-001/edit" in listing


def test_content_hash_matches_the_bank_files():
    data = {"type": "truefalse", "stem": "题干", "answer": True, "section": "a#b"}
    bank_question = BankQuestion("k", "truefalse", 1, "a", "b", data, 1, 1, 1)
    assert authoring.content_hash(data) == bank_question.content_hash


def test_sync_leaves_a_question_edited_in_the_browser_alone(app, client, trainer, content_dir):
    data = _form_from_page(text(client.get(f"{BASE}/questions/bas-002/edit")))
    client.post(f"{BASE}/questions/bas-002/edit", data={**data, "stem": "网页上改过。"}).close()
    path = content_dir / "quizzes/basics.yaml"
    path.write_text(path.read_text().replace("材料原话。", "材料原话:微笑是最好的语言。"))
    with app.app_context():
        sync_content(content_dir)
    q = question(app, "bas-002")
    assert (q.origin, q.versions[-1].data["stem"]) == ("ui", "网页上改过。")


def test_every_question_of_the_real_banks_survives_the_form(app):
    """Opening any shipped question in its form and saving it gives back the same question."""
    from lms.quizzes.bank_file import load_bank, question_problems
    from lms.quizzes.forms import QUESTION_FORMS
    from tests.conftest import PROJECT

    paths = sorted((PROJECT / "quizzes").glob("*.yaml"))
    assert paths
    for path in paths:
        bank, errors = load_bank(path, path.name)
        assert bank is not None, errors
        for item in bank.questions:
            form_class = QUESTION_FORMS[item.type]
            with app.test_request_context():
                edit = form_class(data=form_class.initial(item.data, item.difficulty))
                q = edit.question(item.key)
            assert q["difficulty"] == item.difficulty
            assert authoring.version_data(q) == authoring.canonical(item.data), item.key
            assert question_problems(q) == [], item.key


def test_a_numerical_question_is_written_and_edited_with_several_answers(app, client, trainer):
    key = _create(client, "numerical")
    data = question(app, key).versions[0].data
    assert data["answers"] == [
        {"value": 3, "feedback": "三声之内。"},  # the full-width digit is read as 3
        {"value": 4, "tolerance": 1, "weight": 50},
        {"min": 2.5, "max": 3.5, "weight": 25},
    ]
    page = text(client.get(f"{BASE}/questions/{key}/edit"))
    assert 'name="answers-0-value" type="text" value="3"' in page
    assert 'name="answers-2-min" type="text" value="2.5"' in page
    assert 'name="answers-3-value"' in page, "a spare row to add an answer"
    edit = _form_from_page(page)
    edit.update({"answers-3-value": "1,200", "answers-3-weight": "10"})
    response = client.post(f"{BASE}/questions/{key}/edit", data=edit)
    assert response.status_code == 302, text(response)
    q = question(app, key)
    assert q.current_version == 2
    assert q.versions[1].data["answers"][3] == {"value": 1200, "weight": 10}


@pytest.mark.parametrize(
    ("changes", "message", "field_name"),
    [
        ({"answers-0-value": "三"}, "请填写一个数", "answers-0-value"),
        ({"answers-1-tolerance": "-1"}, "误差不能是负数", "answers-1-tolerance"),
        ({"answers-1-weight": "0"}, "权重须大于 0，且不超过 100", "answers-1-weight"),
        ({"answers-2-min": ""}, "范围的最小值和最大值都要填写", "answers-2-min"),
        ({"answers-1-min": "1", "answers-1-max": "2"}, "数值(加误差)和范围只能填一种", ""),
        ({"answers-0-weight": "90"}, "至少要有一个权重为 100 的答案", ""),
        ({"answers-0-value": "nan"}, "请填写一个数", "answers-0-value"),
    ],
)
def test_numerical_problems_point_at_the_answer(app, client, trainer, changes, message, field_name):
    response = client.post(f"{BASE}/questions/new/numerical", data=form("numerical", **changes))
    page = text(response)
    assert response.status_code == 400
    assert message in page
    if field_name:
        assert invalid_field(page, field_name), field_name
    for name, value in changes.items():
        if value:
            assert f'name="{name}" type="text" value="{value}"' in page  # nothing typed is lost
