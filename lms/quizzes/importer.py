"""Importing questions into a course's bank, and exporting a bank: the service behind the CLI and
the trainer's import wizard.

``preview_import`` parses and checks everything against the course (no writes), so the trainer
sees every problem before anything changes; ``import_questions`` checks again inside its one
transaction and writes all questions or none. Imported questions have ``origin="import"``, so
``sync-content`` leaves them alone; a question from the course's bank file is never overwritten
by an import (its file is where it changes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from lms.audit.log import record
from lms.auth.models import Staff
from lms.courses.models import Course
from lms.db import session
from lms.quizzes.bank_file import SECTION_RE, content_hash, version_data
from lms.quizzes.interchange import (
    Limits,
    ParsedQuestion,
    ParseResult,
    Problem,
    Skipped,
    canonical,
    export_file,
    parse,
    parse_upload,
    question_dict,
    rule_problems,
)
from lms.quizzes.models import Question, QuestionBank, QuestionVersion

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


class ImportRejected(Exception):
    """Nothing was imported; ``problems`` says why, each as ``line N: …``."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class ImportPreview:
    course: Course
    fmt: str
    result: ParseResult
    default_section: str | None
    problems: list[Problem] = field(default_factory=list)
    actions: dict[str, str] = field(default_factory=dict)  # key -> create | update | unchanged
    skip_bad: bool = False
    # With ``skip_bad``: the problems that keep questions out, and how many questions they reject.
    rejected: list[Problem] = field(default_factory=list)
    rejected_count: int = 0
    importable: list[ParsedQuestion] = field(default_factory=list)

    @property
    def questions(self) -> list[ParsedQuestion]:
        return self.result.questions

    @property
    def skipped(self) -> list[Skipped]:
        return self.result.skipped

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.importable)

    def count(self, action: str) -> int:
        return sum(1 for a in self.actions.values() if a == action)


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: int = 0  # unsupported types (essay, description, cloze)
    rejected: int = 0  # invalid questions left out with ``skip_bad``

    def summary(self) -> str:
        return (
            f"{len(self.created)} imported, {len(self.updated)} new version(s), "
            f"{len(self.unchanged)} unchanged, {self.skipped} skipped, {self.rejected} rejected"
        )


def course_sections(course: Course) -> list[str]:
    """Every ``lesson#anchor`` a question of this course may point at, in teaching order."""
    return [
        f"{lesson.slug}#{entry['id']}" for lesson in course.active_lessons for entry in lesson.toc
    ]


def _bank(course: Course) -> QuestionBank | None:
    return session.scalar(sa.select(QuestionBank).where(QuestionBank.course_id == course.id))


def _action(question: Question | None, data: Mapping[str, Any]) -> str:
    if question is None:
        return CREATE
    unchanged = (
        question.retired_at is None
        and question.versions
        and question.versions[-1].content_hash == content_hash(version_data(data))
        and question.difficulty == data["difficulty"]
    )
    return UNCHANGED if unchanged else UPDATE


def _course_problems(
    course: Course, questions: Sequence[ParsedQuestion], bank: QuestionBank | None
) -> list[Problem]:
    """What only the target course can tell: sections that exist, ids owned by its bank file."""
    found = _course_problems_of(course, questions, bank)
    return [problem for question in questions for problem in found[id(question)]]


def _course_problems_of(
    course: Course, questions: Sequence[ParsedQuestion], bank: QuestionBank | None
) -> dict[int, list[Problem]]:
    """:func:`_course_problems` per question (keyed by ``id(question)``), for ``skip_bad``."""
    anchors = {lesson.slug: lesson.anchors for lesson in course.active_lessons}
    existing = {q.key: q for q in bank.questions} if bank else {}
    found: dict[int, list[Problem]] = {}
    for question in questions:
        problems = found.setdefault(id(question), [])
        label = f"{question.key}: " if question.key else ""
        section = question.data.get("section")
        match = SECTION_RE.match(section) if isinstance(section, str) else None
        if match:
            lesson, anchor = match.groups()
            if lesson not in anchors:
                problems.append(
                    Problem(
                        question.line_of("section"),
                        f"{label}course {course.slug} has no lesson {lesson!r}",
                    )
                )
            elif anchor not in anchors[lesson]:
                problems.append(
                    Problem(
                        question.line_of("section"),
                        f"{label}lesson {lesson} has no section #{anchor}",
                    )
                )
        clash = existing.get(question.key)
        if clash is not None and clash.origin == "file":
            problems.append(
                Problem(
                    question.line_of("id"),
                    f"{label}this id belongs to a question of quizzes/{course.slug}.yaml, which "
                    "is changed in that file, not by an import; give the question another id",
                )
            )
    return found


def import_limits() -> Limits:
    """The configured bounds on one question file: questions, and seconds of parsing."""
    config = current_app.config
    return Limits(
        max_questions=int(config["LMS_IMPORT_MAX_QUESTIONS"]),
        seconds=float(config["LMS_IMPORT_MAX_SECONDS"]),
    )


def preview_import(
    text: str | bytes,
    fmt: str,
    course: Course,
    *,
    default_section: str | None = None,
    skip_bad: bool = False,
    category_sections: Mapping[str, str] | None = None,
) -> ImportPreview:
    """Parse ``text`` (within :func:`import_limits`) and check it against ``course``; writes nothing.

    Questions that name no section get ``default_section`` (default: the course's first section);
    a ``default_section`` that is not a section of the course raises ``ValueError``. Bytes are an
    uploaded file (:func:`~lms.quizzes.interchange.parse_upload`; the sheet is always bytes).
    """
    sections = course_sections(course)
    if default_section is not None and default_section not in sections:
        raise ValueError(f"{default_section!r} is not a section of course {course.slug}")
    limits = import_limits()
    result = (
        parse_upload(text, fmt, limits) if isinstance(text, bytes) else parse(text, fmt, limits)
    )
    return preview_parsed(
        result,
        fmt,
        course,
        default_section,
        skip_bad=skip_bad,
        category_sections=category_sections,
    )


def preview_parsed(
    result: ParseResult,
    fmt: str,
    course: Course,
    default_section: str | None = None,
    *,
    skip_bad: bool = False,
    category_sections: Mapping[str, str] | None = None,
) -> ImportPreview:
    """:func:`preview_import` for a file parsed before (the wizard's draft keeps its parse).

    ``category_sections`` maps a file's categories (GIFT ``$CATEGORY``, Moodle XML ``category``)
    to sections of the course: a question that names no section of its own gets its category's;
    a section that is not one of the course's raises ``ValueError``.

    Without ``skip_bad`` any problem stops the whole file (``problems``); with it, the valid
    questions are ``importable`` and the invalid ones are listed in ``rejected``, and only what
    concerns the whole file (another course's bank, a file read only in part) stops it.
    """
    sections = course_sections(course)
    if default_section is None:
        default_section = sections[0] if sections else None
    elif default_section not in sections:
        raise ValueError(f"{default_section!r} is not a section of course {course.slug}")
    mapping = dict(category_sections or {})
    for category, section in mapping.items():
        if section not in sections:
            raise ValueError(
                f"{section!r} (for category {category!r}) is not a section of course {course.slug}"
            )
    preview = ImportPreview(
        course=course, fmt=fmt, result=result, default_section=default_section, skip_bad=skip_bad
    )
    fatal: list[Problem] = []
    if result.course is not None and result.course != course.slug:
        fatal.append(
            Problem(
                result.course_line,
                f"this is the bank of course {result.course!r}, not {course.slug!r}",
            )
        )
    own: dict[int, list[Problem]] = {id(q): list(q.problems) for q in result.questions}
    for question in result.questions:
        if "section" not in question.data and question.category in mapping:
            question.data = canonical({**question.data, "section": mapping[question.category]})
        if "section" not in question.data:
            if default_section is None:
                own[id(question)].append(
                    Problem(question.line, "no section given, and the course has none to assign")
                )
                continue
            question.data = canonical({**question.data, "section": default_section})
            question.section_assigned = True
    bank = _bank(course)
    for key, found in _course_problems_of(course, result.questions, bank).items():
        own[key] += found
    # Problems of no parsed question: blocks that could not be read as a question at all.
    attached = {p for q in result.questions for p in q.problems}
    loose = [p for p in result.problems if p not in attached]
    if result.stopped:
        fatal += loose  # the file was read only in part: importing "the rest" is not an option
        loose = []
    good = [q for q in result.questions if not own[id(q)]]
    bad = [q for q in result.questions if own[id(q)]]
    if skip_bad:
        preview.importable = good
        preview.rejected = sorted(set(loose + [p for q in bad for p in own[id(q)]]))
        preview.rejected_count = len(bad) + len({p.line for p in loose})
        problems = fatal
        if not good:  # nothing to import: every reason is a reason for that
            problems = fatal + preview.rejected or [
                Problem(1, "the file holds no question that can be imported")
            ]
    else:
        preview.importable = list(result.questions)
        problems = fatal + loose + [p for q in bad for p in own[id(q)]]
        if not result.questions and not problems:
            problems.append(Problem(1, "the file holds no question that can be imported"))
    existing = {q.key: q for q in bank.questions} if bank else {}
    for question in preview.importable:
        if question.key and isinstance(question.data.get("difficulty"), int):
            preview.actions[question.key] = _action(existing.get(question.key), question.data)
    preview.problems = sorted(set(problems))
    return preview


def _as_parsed(questions: Sequence[ParsedQuestion | Mapping[str, Any]]) -> list[ParsedQuestion]:
    """Plain dicts are accepted too; their "line" is their position in the list."""
    return [
        q if isinstance(q, ParsedQuestion) else ParsedQuestion(data=canonical(dict(q)), line=n)
        for n, q in enumerate(questions, 1)
    ]


def _check(course: Course, items: list[ParsedQuestion], bank: QuestionBank | None) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for item in items:
        problems += rule_problems(item)
        if "section" not in item.data:
            problems.append(Problem(item.line, f"{item.key}: section is required"))
        if item.key in first:
            problems.append(
                Problem(item.line, f"duplicate id {item.key} (first at line {first[item.key]})")
            )
        first.setdefault(item.key, item.line)
    return problems + _course_problems(course, items, bank)


def import_questions(
    course: Course,
    questions: Sequence[ParsedQuestion | Mapping[str, Any]],
    actor: Staff | None,
    *,
    fmt: str = "",
    filename: str = "",
    skipped: int = 0,
    rejected: int = 0,
) -> ImportReport:
    """Write ``questions`` into the course's bank in one transaction: all of them, or none.

    A new id creates a question; an id already in the bank (browser-authored or imported before)
    gets a new version when its content changed, so past attempts keep what learners saw. Raises
    ``ImportRejected`` (nothing written) when any question is invalid or owned by the bank file.
    """
    items = _as_parsed(questions)
    report = ImportReport(skipped=skipped, rejected=rejected)
    actor_id = actor.id if actor is not None else None
    try:
        bank = _bank(course)
        problems = _check(course, items, bank)
        if not items:
            problems.append(Problem(1, "there are no questions to import"))
        if problems:
            raise ImportRejected(problems)
        if bank is None:
            bank = QuestionBank(course_id=course.id)
            session.add(bank)
            session.flush()
        existing = {q.key: q for q in bank.questions}
        for item in items:
            data = item.data
            key = data["id"]
            question = existing.get(key)
            action = _action(question, data)
            if action == UNCHANGED:
                report.unchanged.append(key)
                continue
            if question is None:
                question = Question(bank=bank, key=key, current_version=0, origin="import")
                session.add(question)
                report.created.append(key)
            else:
                report.updated.append(key)
            lesson_slug, anchor = SECTION_RE.match(data["section"]).groups()
            question.type = data["type"]
            question.difficulty = data["difficulty"]
            question.lesson_slug = lesson_slug
            question.anchor = anchor
            question.origin = "import"
            question.retired_at = None
            data_to_store = version_data(data)
            digest = content_hash(data_to_store)
            if not question.versions or question.versions[-1].content_hash != digest:
                # A new version, never an edit: attempts keep pointing at what the learner saw.
                question.current_version += 1
                question.versions.append(
                    QuestionVersion(
                        version=question.current_version,
                        data=data_to_store,
                        content_hash=digest,
                        created_by_id=actor_id,
                    )
                )
        record(
            "questions.import",
            actor_id=actor_id,
            target_type="course",
            target_id=course.slug,
            format=fmt,
            file=filename,
            created=report.created,
            updated=report.updated,
            unchanged=len(report.unchanged),
            skipped=skipped,
            rejected=rejected,
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ImportRejected(
            [
                Problem(
                    1,
                    "the bank changed during the import (another import?); nothing was "
                    "imported, please try again",
                )
            ]
        ) from None
    except BaseException:
        session.rollback()
        raise
    return report


def bank_questions(course: Course) -> list[dict[str, Any]]:
    """The course's active questions (current versions) in the bank format, in bank order."""
    bank = _bank(course)
    if bank is None:
        return []
    active = sorted((q for q in bank.questions if q.retired_at is None), key=lambda q: q.id)
    return [question_dict(q.key, q.difficulty, q.versions[-1].data) for q in active if q.versions]


def export_course(course: Course, fmt: str) -> bytes:
    """The course's bank as a file (GIFT, YAML, Moodle XML or the 题库 xlsx); importing it
    again gives the same questions."""
    return export_file(bank_questions(course), fmt, course.slug)
