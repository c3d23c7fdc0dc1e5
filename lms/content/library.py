"""The whole content tree: every course with its lessons and its bank, checked against each other."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lms.courses.content_files import CourseFile, load_course
from lms.formats.errors import ContentError
from lms.quizzes.bank_file import BankFile, load_bank


@dataclass
class Library:
    root: Path
    courses: list[CourseFile] = field(default_factory=list)
    banks: dict[str, BankFile] = field(default_factory=dict)
    errors: list[ContentError] = field(default_factory=list)


def load_library(root: Path) -> Library:
    """Read ``root/courses`` and ``root/quizzes``; every fault is collected, none raised."""
    lib = Library(root=root)
    courses_dir = root / "courses"
    if courses_dir.is_dir():
        for course_dir in sorted(p for p in courses_dir.iterdir() if p.is_dir()):
            if not (course_dir / "course.yaml").is_file():
                lib.errors.append(
                    ContentError(str(course_dir.relative_to(root)), 1, "course.yaml is missing")
                )
                continue
            course, errors = load_course(course_dir, root)
            lib.errors.extend(errors)
            if course:
                lib.courses.append(course)
    known = {c.slug: c for c in lib.courses}
    quizzes_dir = root / "quizzes"
    first_seen: dict[str, str] = {}
    if quizzes_dir.is_dir():
        for path in sorted(quizzes_dir.glob("*.yaml")):
            display = str(path.relative_to(root))
            bank, errors = load_bank(path, display)
            lib.errors.extend(errors)
            if bank is None:
                continue
            course = known.get(bank.course_slug)
            if course is None:
                if (courses_dir / bank.course_slug).is_dir():
                    continue  # the course itself failed to load and has reported why
                lib.errors.append(ContentError(display, 1, f"no course {bank.course_slug!r}"))
                continue
            anchors = {lesson.slug: {e["id"] for e in lesson.toc} for lesson in course.lessons}
            for q in bank.questions:
                if q.key in first_seen:
                    lib.errors.append(
                        ContentError(
                            display, q.line, f"id {q.key} is also used in {first_seen[q.key]}"
                        )
                    )
                first_seen.setdefault(q.key, display)
                if q.lesson_slug not in anchors:
                    lib.errors.append(
                        ContentError(
                            display, q.section_line, f"{q.key}: no lesson {q.lesson_slug!r}"
                        )
                    )
                elif q.anchor not in anchors[q.lesson_slug]:
                    lib.errors.append(
                        ContentError(
                            display,
                            q.section_line,
                            f"{q.key}: lesson {q.lesson_slug} has no section #{q.anchor}",
                        )
                    )
            lib.banks[bank.course_slug] = bank
    return lib
