"""Question import and export through the real CLI and the trainer's import wizard."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.audit.models import AuditEntry
from lms.courses.catalog import course_or_404
from lms.db import session
from lms.quizzes.import_drafts import ImportDraft
from lms.quizzes.importer import (
    ImportRejected,
    bank_questions,
    import_questions,
    preview_import,
)
from lms.quizzes.interchange import parse
from lms.quizzes.models import Question, QuestionBank, QuestionVersion
from tests.conftest import login

GIFT = """// 两道新题,没有注明课节
::imp-001::电话铃响几声之内应接听?{
=三声#对。
~五声
~十声
####铃响三声之内接听。
}

// mingli: section greeting#smile
// mingli: difficulty 1
::imp-002::微笑是最好的语言。{TRUE####材料原话。}

::essay::谈谈你对微笑服务的体会。{}
"""
BAD_GIFT = """::imp-001::电话铃响几声之内应接听?{
=三声
=五声
~十声
####解析
}

::imp-002::{T}
"""
AIKEN = "电话铃响几声之内应接听?\nA. 三声\nB. 五声\nC. 十声\nANSWER: A\n"


def keys(app) -> dict[str, str]:
    with app.app_context():
        return {q.key: q.origin for q in session.scalars(sa.select(Question))}


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return (
            session.scalar(sa.select(sa.func.count(Question.id))),
            session.scalar(sa.select(sa.func.count(QuestionVersion.id))),
            session.scalar(
                sa.select(sa.func.count(AuditEntry.id)).where(
                    AuditEntry.action == "questions.import"
                )
            ),
        )


def write(tmp_path: Path, text: str, name: str = "bank.gift") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def cli_import(runner, path: Path, *extra: str, fmt: str = "gift"):
    return runner.invoke(
        args=[
            "lms",
            "questions",
            "import",
            str(path),
            "--format",
            fmt,
            "--course",
            "basics",
            *extra,
        ]
    )


# --- service ---------------------------------------------------------------------------------------


def test_preview_assigns_the_default_section_and_writes_nothing(app):
    with app.app_context():
        course = course_or_404("basics")
        preview = preview_import(GIFT, "gift", course)
        assert preview.ok, preview.problems
        first, second = preview.questions
        assert (first.data["section"], first.section_assigned) == ("greeting#why", True)
        assert (second.data["section"], second.section_assigned) == ("greeting#smile", False)
        assert preview.actions == {"imp-001": "create", "imp-002": "create"}
        assert [str(s) for s in preview.skipped] == [
            "line 13: skipped: essay questions are not supported"
        ]
        chosen = preview_import(GIFT, "gift", course, default_section="phone#answer")
        assert chosen.questions[0].data["section"] == "phone#answer"
        with pytest.raises(ValueError):
            preview_import(GIFT, "gift", course, default_section="phone#nowhere")
    assert "imp-001" not in keys(app)


def test_preview_checks_sections_and_ids_against_the_course(app):
    text = (
        "// mingli: section nolesson#x\n::imp-a::题{T####f}\n\n"  # 1-2
        "// mingli: section greeting#nowhere\n::imp-b::题{T####f}\n\n"  # 4-5
        "::bas-001::题{T####f}\n"  # 7: the fixture bank file's question
    )
    with app.app_context():
        preview = preview_import(text, "gift", course_or_404("basics"))
    assert [str(p) for p in preview.problems] == [
        "line 1: imp-a: course basics has no lesson 'nolesson'",
        "line 4: imp-b: lesson greeting has no section #nowhere",
        "line 7: bas-001: this id belongs to a question of quizzes/basics.yaml, which is changed "
        "in that file, not by an import; give the question another id",
    ]


def test_a_yaml_bank_of_another_course_is_refused(app):
    text = "course: etiquette\nquestions:\n  - id: x\n    type: truefalse\n    difficulty: 1\n    stem: s\n    answer: true\n    feedback: f\n"
    with app.app_context():
        preview = preview_import(text, "yaml", course_or_404("basics"))
    assert [str(p) for p in preview.problems] == [
        "line 1: this is the bank of course 'etiquette', not 'basics'"
    ]


def test_import_writes_versions_with_origin_import_and_an_audit_entry(app, make_staff):
    trainer = make_staff(("trainer",))
    with app.app_context():
        course = course_or_404("basics")
        preview = preview_import(GIFT, "gift", course)
        report = import_questions(course, preview.questions, trainer, fmt="gift", filename="b.gift")
        assert (report.created, report.updated, report.unchanged) == (
            ["imp-001", "imp-002"],
            [],
            [],
        )
        question = session.scalar(sa.select(Question).where(Question.key == "imp-002"))
        assert (question.origin, question.type, question.difficulty) == ("import", "truefalse", 1)
        assert (question.lesson_slug, question.anchor, question.current_version) == (
            "greeting",
            "smile",
            1,
        )
        assert question.versions[0].created_by_id == trainer.id
        assert question.versions[0].data == {
            "type": "truefalse",
            "section": "greeting#smile",
            "stem": "微笑是最好的语言。",
            "answer": True,
            "feedback": "材料原话。",
        }
        entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "questions.import"))
        assert (entry.actor_id, entry.target_id) == (trainer.id, "basics")
        assert entry.details["created"] == ["imp-001", "imp-002"]

        # The same file again changes nothing; a changed question gets a new version.
        again = import_questions(course, preview_import(GIFT, "gift", course).questions, trainer)
        assert again.unchanged == ["imp-001", "imp-002"]
        changed = GIFT.replace("材料原话。", "材料原话,要记住。")
        report = import_questions(
            course, preview_import(changed, "gift", course).questions, trainer
        )
        assert (report.updated, report.unchanged) == (["imp-002"], ["imp-001"])
        session.refresh(question)
        assert question.current_version == 2
        assert [v.data["feedback"] for v in question.versions] == [
            "材料原话。",
            "材料原话,要记住。",
        ]


def test_import_is_all_or_nothing(app, make_staff, monkeypatch):
    trainer = make_staff(("trainer",))
    before = counts(app)
    with app.app_context():
        course = course_or_404("basics")
        good = preview_import(GIFT, "gift", course).questions
        broken = [*good, {**good[0].data, "id": "imp-003", "options": []}]
        with pytest.raises(ImportRejected) as rejected:
            import_questions(course, broken, trainer)
        assert [str(p) for p in rejected.value.problems] == [
            "line 3: imp-003: needs 3 to 6 options"
        ]
        clash = [*good, {**good[0].data, "id": "bas-001"}]
        with pytest.raises(ImportRejected):
            import_questions(course, clash, trainer)

        # A failure half-way through (here: while writing the audit entry) writes nothing either.
        def fail(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr("lms.quizzes.importer.record", fail)
        with pytest.raises(RuntimeError):
            import_questions(course, good, trainer)
    assert counts(app) == before
    assert "imp-001" not in keys(app)


def test_import_creates_the_bank_when_the_course_has_none(app, make_staff):
    with app.app_context():
        course = course_or_404("basics")
        session.execute(sa.delete(QuestionVersion))
        session.execute(sa.delete(Question))
        session.execute(sa.delete(QuestionBank))
        session.commit()
        report = import_questions(course, preview_import(AIKEN, "aiken", course).questions, None)
        assert len(report.created) == 1
        bank = session.scalar(sa.select(QuestionBank).where(QuestionBank.course_id == course.id))
        assert [q.origin for q in bank.questions] == ["import"]


def test_sync_content_leaves_imported_questions_alone(app, content_dir):
    from lms.content.sync import sync_content

    with app.app_context():
        course = course_or_404("basics")
        import_questions(course, preview_import(GIFT, "gift", course).questions, None)
        bank = content_dir / "quizzes" / "basics.yaml"
        bank.write_text(bank.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        sync_content(content_dir)
        question = session.scalar(sa.select(Question).where(Question.key == "imp-001"))
        assert question.retired_at is None and question.origin == "import"


# --- CLI -------------------------------------------------------------------------------------------


def test_cli_dry_run_reports_and_writes_nothing(app, runner, tmp_path):
    path = write(tmp_path, GIFT)
    before = counts(app)
    result = cli_import(runner, path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"{path}:line 13: skipped: essay questions are not supported" in result.output
    assert "2 question(s) valid for basics: 2 new" in result.output
    assert "dry run" in result.output
    assert counts(app) == before


def test_cli_prints_every_problem_with_file_and_line_and_exits_1(app, runner, tmp_path):
    path = write(tmp_path, BAD_GIFT)
    before = counts(app)
    result = cli_import(runner, path)
    assert result.exit_code == 1
    assert (
        f"{path}:line 2: imp-001: a single-choice question needs exactly one correct option"
        in result.output
    )
    assert f"{path}:line 8: imp-002: stem is required" in result.output
    assert "2 problem(s) found; nothing was imported." in result.output
    assert counts(app) == before
    dry = cli_import(runner, path, "--dry-run")
    assert dry.exit_code == 1 and f"{path}:line 2:" in dry.output


def test_cli_imports_aiken_and_yaml_and_rejects_non_utf8(app, runner, tmp_path):
    result = cli_import(runner, write(tmp_path, AIKEN, "a.txt"), fmt="aiken")
    assert result.exit_code == 0, result.output
    assert "Imported into basics: 1 imported, 0 new version(s)" in result.output
    yaml_text = (
        "course: basics\nquestions:\n  - id: imp-y\n    type: ordering\n    difficulty: 2\n"
        "    section: phone#answer\n    stem: 排序\n    steps: [一, 二, 三]\n    feedback: f\n"
    )
    result = cli_import(runner, write(tmp_path, yaml_text, "b.yaml"), fmt="yaml")
    assert result.exit_code == 0, result.output
    assert keys(app)["imp-y"] == "import"
    latin = tmp_path / "latin.gift"
    latin.write_bytes("::a::caf\xe9{T####f}".encode("latin-1"))
    result = cli_import(runner, latin)
    assert result.exit_code == 1
    assert f"{latin}:line 1: the file is not UTF-8 text" in result.output


def test_cli_section_option_and_unknown_course(app, runner, tmp_path):
    path = write(tmp_path, GIFT)
    bad = cli_import(runner, path, "--section", "phone#nowhere")
    assert bad.exit_code == 2 and "not a section of course basics" in bad.output
    result = cli_import(runner, path, "--section", "phone#answer")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert (
            session.scalar(sa.select(Question).where(Question.key == "imp-001")).anchor == "answer"
        )
    missing = runner.invoke(
        args=["lms", "questions", "import", str(path), "--format", "gift", "--course", "nope"]
    )
    assert missing.exit_code == 1 and "No course 'nope'" in missing.output


@pytest.mark.parametrize("fmt", ["gift", "yaml"])
def test_cli_export_then_import_gives_back_the_same_questions(app, runner, tmp_path, fmt):
    assert cli_import(runner, write(tmp_path, GIFT)).exit_code == 0
    with app.app_context():
        expected = bank_questions(course_or_404("basics"))
    assert {"bas-001", "imp-001", "imp-002"} <= {q["id"] for q in expected}

    stdout = runner.invoke(
        args=["lms", "questions", "export", "--course", "basics", "--format", fmt]
    )
    assert stdout.exit_code == 0, stdout.output
    out = tmp_path / f"export.{fmt}"
    to_file = runner.invoke(
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
    assert to_file.exit_code == 0
    assert out.read_text(encoding="utf-8") == stdout.stdout

    parsed = parse(stdout.stdout, fmt)
    assert parsed.problems == []
    assert [q.data for q in parsed.questions] == expected  # field by field, every type

    # Importing the export again: the imported questions are unchanged, the file ones refused.
    only_imported = [q for q in parsed.questions if q.key.startswith("imp-")]
    with app.app_context():
        report = import_questions(course_or_404("basics"), only_imported, None)
    assert report.unchanged == ["imp-001", "imp-002"]
    again = cli_import(runner, out, fmt=fmt)
    assert (
        again.exit_code == 1
        and "bas-001: this id belongs to a question of quizzes/basics.yaml" in again.output
    )


# --- web wizard ------------------------------------------------------------------------------------


def upload(
    client, text: str | bytes, fmt: str = "gift", course: str = "basics", name: str = "bank.gift"
):
    raw = text.encode() if isinstance(text, str) else text
    return client.post(
        "/lms/trainer/import",
        data={"file": (BytesIO(raw), name), "fmt": fmt, "course": course},
        content_type="multipart/form-data",
    )


def draft_token(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return re.search(r"draft=([\w-]+)", response.location).group(1)


def test_wizard_preview_then_confirm(app, make_staff):
    client = app.test_client()
    login(client, make_staff(("trainer",)))
    page = client.get("/lms/trainer/import")
    assert page.status_code == 200 and "导入题目" in page.get_data(as_text=True)
    token = draft_token(upload(client, GIFT))

    preview = client.get(f"/lms/trainer/import/preview?draft={token}")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "电话铃响几声之内应接听?" in html and "微笑是最好的语言。" in html
    assert "✓</span> 三声" in html  # the right option is marked
    assert "第 13 行：跳过问答题，明礼不支持这种题型" in html
    assert "默认课节" in html and "确认导入" in html
    assert "imp-001" not in keys(app)  # previewing writes nothing

    # Another default section: the preview shows it, and the confirm step carries it.
    again = client.get(f"/lms/trainer/import/preview?draft={token}&section=phone%23answer")
    assert 'value="phone#answer"' in again.get_data(as_text=True)
    done = client.post(
        "/lms/trainer/import/confirm", data={"draft": token, "section": "phone#answer"}
    )
    assert done.status_code == 302 and done.location.endswith(
        "/lms/trainer/courses/basics/questions"
    )
    with app.app_context():
        question = session.scalar(sa.select(Question).where(Question.key == "imp-001"))
        assert (question.origin, question.lesson_slug, question.anchor) == (
            "import",
            "phone",
            "answer",
        )
        assert session.scalar(sa.select(sa.func.count(ImportDraft.id))) == 0  # used up
    assert counts(app)[2] == 1
    # The draft is gone: confirming twice imports nothing more.
    twice = client.post(
        "/lms/trainer/import/confirm", data={"draft": token, "section": "phone#answer"}
    )
    assert twice.status_code == 302 and twice.location.endswith("/lms/trainer/import")
    assert counts(app)[2] == 1


def test_wizard_lists_problems_and_will_not_import_them(app, make_staff):
    client = app.test_client()
    login(client, make_staff(("trainer",)))
    token = draft_token(upload(client, BAD_GIFT))
    html = client.get(f"/lms/trainer/import/preview?draft={token}").get_data(as_text=True)
    assert "第 2 行：imp-001：单选题必须恰好有一个正确选项" in html
    assert "第 8 行：imp-002：缺少题干" in html
    assert "确认导入" not in html
    before = counts(app)
    forced = client.post("/lms/trainer/import/confirm", data={"draft": token})
    assert forced.status_code == 400
    assert "第 2 行：imp-001" in forced.get_data(as_text=True)
    assert counts(app) == before


def test_wizard_confirm_trusts_nothing_from_the_browser(app, make_staff):
    owner, other = make_staff(("trainer",)), make_staff(("trainer",))
    client = app.test_client()
    login(client, owner)
    token = draft_token(upload(client, GIFT))
    before = counts(app)

    # A section the course does not have, and made-up question data alongside.
    tampered = client.post(
        "/lms/trainer/import/confirm",
        data={"draft": token, "section": "phone#evil", "questions": '[{"id": "x"}]'},
    )
    assert tampered.status_code == 400
    # A made-up token, and another trainer using the owner's token.
    made_up = client.post("/lms/trainer/import/confirm", data={"draft": "x" * 43})
    assert made_up.status_code == 302 and made_up.location.endswith("/lms/trainer/import")
    thief = app.test_client()
    login(thief, other)
    stolen = thief.post("/lms/trainer/import/confirm", data={"draft": token})
    assert stolen.status_code == 302 and stolen.location.endswith("/lms/trainer/import")
    assert thief.get(f"/lms/trainer/import/preview?draft={token}").status_code == 302
    assert counts(app) == before

    # Extra fields are ignored: what gets imported is the stored upload as parsed at upload.
    done = client.post(
        "/lms/trainer/import/confirm",
        data={"draft": token, "stem": "篡改", "options": "x"},
    )
    assert done.status_code == 302
    with app.app_context():
        stems = {q.key: q.versions[-1].data["stem"] for q in session.scalars(sa.select(Question))}
    assert stems["imp-001"] == "电话铃响几声之内应接听?"


def test_wizard_rejects_oversized_and_non_utf8_files(app, make_staff):
    client = app.test_client()
    login(client, make_staff(("admin",)))
    app.config["LMS_MAX_IMPORT_BYTES"] = 100
    big = upload(client, GIFT * 3)
    assert big.status_code == 400 and "文件太大" in big.get_data(as_text=True)
    app.config["LMS_MAX_IMPORT_BYTES"] = 2 * 1024 * 1024
    latin = upload(client, "::a::caf\xe9{T####f}".encode("latin-1"))
    assert latin.status_code == 400 and "UTF-8" in latin.get_data(as_text=True)
    missing = client.post("/lms/trainer/import", data={"fmt": "gift", "course": "basics"})
    assert missing.status_code == 400
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(ImportDraft.id))) == 0


def test_the_upload_is_parsed_once_and_preview_and_confirm_reuse_that_parse(
    app, make_staff, monkeypatch
):
    from lms.quizzes.interchange import gift

    calls = []
    real = gift.parse_gift
    monkeypatch.setattr(gift, "parse_gift", lambda *a, **k: calls.append(1) or real(*a, **k))
    client = app.test_client()
    login(client, make_staff(("trainer",)))
    token = draft_token(upload(client, GIFT))
    for _reload in range(3):
        assert client.get(f"/lms/trainer/import/preview?draft={token}").status_code == 200
    again = client.get(f"/lms/trainer/import/preview?draft={token}&section=phone%23answer")
    assert again.status_code == 200
    done = client.post(
        "/lms/trainer/import/confirm", data={"draft": token, "section": "phone#answer"}
    )
    assert done.status_code == 302
    assert len(calls) == 1  # at upload; reloading the preview and confirming parse nothing
    assert "imp-001" in keys(app)


def test_wizard_and_cli_refuse_a_file_over_the_question_limit(app, make_staff, runner, tmp_path):
    app.config["LMS_IMPORT_MAX_QUESTIONS"] = 2
    three = "".join(f"::lim-{n}::题{n}?{{=是 ~否 ~不知道 ####因为。}}\n\n" for n in range(3))
    client = app.test_client()
    login(client, make_staff(("trainer",)))
    token = draft_token(upload(client, three))
    html = client.get(f"/lms/trainer/import/preview?draft={token}").get_data(as_text=True)
    assert "第 5 行：文件超过 2 题，只读到这里" in html
    assert "确认导入" not in html
    forced = client.post("/lms/trainer/import/confirm", data={"draft": token})
    assert forced.status_code == 400
    result = cli_import(runner, write(tmp_path, three))
    assert result.exit_code == 1 and "bank.gift:line 5: the file holds more than 2" in result.output
    assert "lim-0" not in keys(app)


def test_yaml_values_json_cannot_hold_are_kept_as_problems_not_errors(app, make_staff):
    odd = (
        "questions:\n"
        "  - id: odd-1\n    type: truefalse\n    difficulty: 2\n    stem: 2024-01-01\n"
        "    answer: true\n    feedback: !!binary aGVsbG8=\n    source: {2024-01-02: .nan}\n"
        "  - id: odd-2\n    type: short\n    difficulty: .inf\n    stem: 题\n"
        "    accepted: !!set {a, b}\n    feedback: 2024-01-01 10:00:00\n"
    )
    client = app.test_client()
    login(client, make_staff(("trainer",)))
    token = draft_token(upload(client, odd, fmt="yaml", name="odd.yaml"))
    page = client.get(f"/lms/trainer/import/preview?draft={token}")
    assert page.status_code == 200
    assert "第 5 行：odd-1：缺少题干" in page.get_data(as_text=True)
    assert client.post("/lms/trainer/import/confirm", data={"draft": token}).status_code == 400
    assert "odd-1" not in keys(app)


def test_wizard_aiken_and_yaml_uploads(app, make_staff):
    client = app.test_client()
    login(client, make_staff(("trainer",)))
    token = draft_token(upload(client, AIKEN, fmt="aiken", name="a.txt"))
    html = client.get(f"/lms/trainer/import/preview?draft={token}").get_data(as_text=True)
    assert "正确答案是「三声」。" in html and "自动编号" in html
    token = draft_token(
        upload(client, "course: etiquette\nquestions: []\n", fmt="yaml", name="b.yaml")
    )
    html = client.get(f"/lms/trainer/import/preview?draft={token}").get_data(as_text=True)
    assert "第 2 行：questions 列表是空的" in html


@pytest.mark.parametrize("fmt", ["gift", "yaml"])
def test_export_download(app, make_staff, fmt):
    client = app.test_client()
    login(client, make_staff(("trainer",)))
    response = client.get(f"/lms/trainer/courses/basics/export?format={fmt}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    parsed = parse(response.get_data(as_text=True), fmt)
    with app.app_context():
        assert [q.data for q in parsed.questions] == bank_questions(course_or_404("basics"))
    assert client.get("/lms/trainer/courses/basics/export?format=docx").status_code == 400
    banks = client.get("/lms/trainer/").get_data(as_text=True)
    assert (
        "/lms/trainer/import" in banks
        and f"/lms/trainer/courses/basics/export?format={fmt}" in banks
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/lms/trainer/import"),
        ("POST", "/lms/trainer/import"),
        ("GET", "/lms/trainer/import/preview"),
        ("POST", "/lms/trainer/import/confirm"),
        ("GET", "/lms/trainer/courses/basics/export"),
    ],
)
def test_only_trainers_and_admins_may_import_or_export(app, make_staff, method, path):
    for role, allowed in (("learner", False), ("hr", False), ("trainer", True), ("admin", True)):
        client = app.test_client()
        login(client, make_staff((role,)))
        response = client.open(path, method=method, data={})
        assert (response.status_code != 403) is allowed, (role, response.status_code)
        response.close()
    anonymous = app.test_client().open(path, method=method)
    assert anonymous.status_code == 302 and "/lms/login" in anonymous.location
