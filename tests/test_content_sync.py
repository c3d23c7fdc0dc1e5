"""Loading content files into the database: idempotent, versioned, all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.content.sync import sync_content
from lms.courses.models import Course, Lesson
from lms.db import session
from lms.formats.errors import ContentInvalid
from lms.quizzes.models import Question, QuestionVersion


def counts() -> dict[str, int]:
    return {
        model.__name__: session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Course, Lesson, Question, QuestionVersion)
    }


def snapshot() -> list[tuple]:
    rows = session.execute(
        sa.select(Lesson.slug, Lesson.version, Lesson.content_hash, Lesson.updated_at)
    ).all()
    return sorted(rows)


def test_fixture_content_is_loaded(app):
    with app.app_context():
        course = session.scalar(sa.select(Course).where(Course.slug == "basics"))
        assert course.title == "服务基础"
        assert course.pass_mark == 60 and course.questions_per_attempt == 3
        assert course.time_limit_minutes == 10 and course.validity_months == 12
        assert [lesson.slug for lesson in course.lessons] == ["greeting", "phone"]
        greeting = course.lessons[0]
        assert '<h2 id="smile">微笑</h2>' in greeting.body_html
        assert {"id": "smile", "title": "微笑", "level": 2} in greeting.toc
        assert counts() == {"Course": 1, "Lesson": 2, "Question": 4, "QuestionVersion": 4}


def test_second_sync_changes_nothing(app, content_dir: Path):
    with app.app_context():
        before = (counts(), snapshot())
        report = sync_content(content_dir)
        assert not report.changed
        assert (counts(), snapshot()) == before


def test_changed_lesson_updates_record_and_version(app, content_dir: Path):
    path = content_dir / "courses/basics/phone.md"
    path.write_text(
        path.read_text().replace(
            "铃响三声之内接听。\n\n##", "铃响三声之内接听,先报科室名称。\n\n##"
        )
    )
    with app.app_context():
        report = sync_content(content_dir)
        assert report.updated == ["lesson basics/phone"]
        lesson = session.scalar(sa.select(Lesson).where(Lesson.slug == "phone"))
        assert lesson.version == 2
        assert "先报科室名称" in lesson.body_html


def test_removed_files_are_retired_not_deleted(app, content_dir: Path):
    (content_dir / "courses/basics/phone.md").unlink()
    course_yaml = content_dir / "courses/basics/course.yaml"
    course_yaml.write_text(course_yaml.read_text().replace("  - phone\n", ""))
    bank = content_dir / "quizzes/basics.yaml"
    text = bank.read_text()
    bank.write_text(text[: text.index("  - id: bas-002")])  # keep only bas-001 …
    bank.write_text(bank.read_text().replace("phone#answer", "greeting#smile"))
    with app.app_context():
        report = sync_content(content_dir)
        assert "lesson basics/phone" in report.retired
        phone = session.scalar(sa.select(Lesson).where(Lesson.slug == "phone"))
        assert phone is not None and phone.retired_at is not None
        retired = session.scalars(sa.select(Question.key).where(Question.retired_at.is_not(None)))
        assert sorted(retired) == ["bas-002", "bas-003", "bas-004"]
        assert counts()["Question"] == 4


def test_edited_question_gets_a_new_version_and_keeps_the_old(app, content_dir: Path):
    bank = content_dir / "quizzes/basics.yaml"
    bank.write_text(bank.read_text().replace("电话铃响几声之内应接听?", "电话铃响几声内必须接听?"))
    with app.app_context():
        sync_content(content_dir)
        question = session.scalar(sa.select(Question).where(Question.key == "bas-001"))
        assert question.current_version == 2
        assert [v.data["stem"] for v in question.versions] == [
            "电话铃响几声之内应接听?",
            "电话铃响几声内必须接听?",
        ]


@pytest.mark.parametrize(
    ("relative", "mangle", "expected"),
    [
        (
            "courses/basics/course.yaml",
            lambda t: t.replace("quiz:\n  pass_mark: 60", "quiz:\n  pass_mark: [60"),
            "courses/basics/course.yaml:",
        ),
        (
            "courses/basics/course.yaml",
            lambda t: t.replace("pass_mark: 60", "pass_mark: 160"),
            "courses/basics/course.yaml:8: pass_mark must be a whole number 1–100",
        ),
        (
            "courses/basics/greeting.md",
            lambda t: t.replace("minutes: 5", "minutes: 5\n  bad indent: [x"),
            "courses/basics/greeting.md:",
        ),
        (
            "courses/basics/greeting.md",
            lambda t: t.replace("title: 问候与微笑\n", ""),
            "courses/basics/greeting.md:2: title is required",
        ),
        (
            "quizzes/basics.yaml",
            lambda t: t.replace("        correct: true\n", "", 1),
            "quizzes/basics.yaml:8: bas-001: a single-choice question needs exactly one correct option",
        ),
        (
            "quizzes/basics.yaml",
            lambda t: t.replace("section: greeting#smile", "section: greeting#nowhere"),
            "quizzes/basics.yaml:18: bas-002: lesson greeting has no section #nowhere",
        ),
    ],
)
def test_bad_content_names_file_and_line_and_writes_nothing(
    app, content_dir: Path, relative: str, mangle, expected: str
):
    path = content_dir / relative
    path.write_text(mangle(path.read_text()))
    # A valid change elsewhere must not be written either: loading is all-or-nothing.
    other = content_dir / "courses/basics/phone.md"
    other.write_text(other.read_text().replace("及时接听。", "及时接听,礼貌应答。"))
    with app.app_context():
        before = (counts(), snapshot())
        with pytest.raises(ContentInvalid) as excinfo:
            sync_content(content_dir)
        messages = [str(e) for e in excinfo.value.errors]
        assert any(m.startswith(expected) for m in messages), messages
        assert (counts(), snapshot()) == before


def test_cli_sync_reports_errors_and_exits_non_zero(app, runner, content_dir: Path):
    path = content_dir / "courses/basics/phone.md"
    path.write_text(path.read_text().replace("---\ntitle", "---\ntitle: [broken\ntitle", 1))
    result = runner.invoke(args=["lms", "sync-content"])
    assert result.exit_code == 1
    assert "courses/basics/phone.md:3: YAML syntax" in result.output
    assert "the database was not changed" in result.output


def test_an_alias_in_lesson_front_matter_names_file_and_line(app, runner, content_dir: Path):
    path = content_dir / "courses/basics/phone.md"
    path.write_text(path.read_text().replace("---\ntitle", "---\nx: &x [1, 2]\ny: *x\ntitle", 1))
    result = runner.invoke(args=["lms", "sync-content"])
    assert result.exit_code == 1
    assert "courses/basics/phone.md:2: YAML anchors (&x) and aliases are not allowed" in (
        result.output
    )


def test_cli_sync_twice(app, runner):
    first = runner.invoke(args=["lms", "sync-content"])
    assert first.exit_code == 0, first.output
    assert "0 created, 0 updated, 0 retired" in first.output


def test_questions_authored_in_the_browser_survive_a_sync(app, content_dir: Path):
    from lms.quizzes.models import QuestionBank

    with app.app_context():
        bank = session.scalar(sa.select(QuestionBank))
        question = Question(bank=bank, key="ui-001", type="truefalse", origin="ui")
        question.versions.append(
            QuestionVersion(version=1, data={"type": "truefalse"}, content_hash="x")
        )
        session.add(question)
        session.commit()
    path = content_dir / "quizzes/basics.yaml"
    path.write_text(path.read_text().replace("材料原话。", "材料原话:微笑是最好的语言。"))
    with app.app_context():
        sync_content(content_dir)
        kept = session.scalar(sa.select(Question).where(Question.key == "ui-001"))
        assert kept.retired_at is None


@pytest.mark.parametrize(
    ("mangle", "expected"),
    [
        # An option whose text is a list once crashed the duplicate check with a TypeError.
        (
            lambda t: t.replace("      - text: 五声\n", "      - text: [五声, 六声]\n"),
            "quizzes/basics.yaml:8: bas-001: option 2 needs text",
        ),
        # A value PyYAML cannot build (an impossible date) once escaped as a ValueError.
        (
            lambda t: t.replace("course: basics", "course: basics\nupdated: 2024-13-45"),
            "quizzes/basics.yaml:1: YAML value",
        ),
        (lambda t: t + "deep: " + "[" * 2000 + "]" * 2000 + "\n", "quizzes/basics.yaml:"),
        # An alias repeats a value without writing it out: refused, so none can blow up.
        (
            lambda t: t.replace("course: basics", "course: &c basics\nalso: *c"),
            "quizzes/basics.yaml:1: YAML anchors (&c) and aliases are not allowed",
        ),
    ],
)
def test_malformed_banks_are_reported_not_crashed_on(app, content_dir: Path, mangle, expected):
    bank = content_dir / "quizzes/basics.yaml"
    bank.write_text(mangle(bank.read_text()))
    with app.app_context(), pytest.raises(ContentInvalid) as excinfo:
        sync_content(content_dir)
    messages = [str(e) for e in excinfo.value.errors]
    assert any(m.startswith(expected) for m in messages), messages


def test_a_question_with_several_quotes_syncs_them_all(app, content_dir: Path):
    bank = content_dir / "quizzes/basics.yaml"
    bank.write_text(
        bank.read_text().replace(
            "    source: {file: seed.txt, quote: 先起身问候}\n",
            "    sources:\n      - {file: seed.txt, quote: 先起身问候}\n"
            "      - {file: seed.txt, quote: 微笑是最好的语言}\n",
            1,
        )
    )
    with app.app_context():
        report = sync_content(content_dir)
        assert report.updated == ["question bas-003"]
        question = session.scalar(sa.select(Question).where(Question.key == "bas-003"))
        data = question.versions[-1].data
        assert "source" not in data
        assert data["sources"] == [
            {"file": "seed.txt", "quote": "先起身问候"},
            {"file": "seed.txt", "quote": "微笑是最好的语言"},
        ]
        assert question.current_version == 2
