"""Reading ``courses/<slug>/course.yaml`` and its Markdown lessons into plain, validated records."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lms.courses.completion import DEFAULT_RULE, normalise, rule_problems
from lms.formats.errors import ContentError
from lms.formats.markdown import RENDERER_VERSION, render_markdown
from lms.formats.yamlfile import LinedDict, LinedList, YamlError, load_yaml

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
QUIZ_DEFAULTS: dict[str, Any] = {
    "pass_mark": 80,
    "questions_per_attempt": 20,
    "time_limit_minutes": 0,
    "max_attempts": 0,
    "cooldown_minutes": 0,
    "partial_credit": "proportional",
    "review_answers": "pass",
    "quiz_layout": "auto",
}
PARTIAL_CREDIT = ("proportional", "all_or_nothing")
# When a learner's result shows the keyed answers (Moodle's "right answer" review option).
REVIEW_ANSWERS = ("pass", "always", "never")
# One question per screen, all on one page, or paged on narrow screens only.
QUIZ_LAYOUTS = ("auto", "paged", "single")


@dataclass
class LessonFile:
    slug: str
    path: str
    title: str
    objectives: list[str]
    minutes: int
    sources: list[dict[str, str]]
    source_lines: list[int]
    body_markdown: str
    body_line: int  # file line where the Markdown body starts
    body_html: str
    toc: list[dict[str, Any]]
    content_hash: str
    title_line: int = 1
    objective_lines: list[int] = field(default_factory=list)


@dataclass
class CourseFile:
    slug: str
    path: str
    title: str
    summary: str
    position: int
    quiz: dict[str, Any]
    validity_months: int
    content_hash: str
    lessons: list[LessonFile] = field(default_factory=list)
    completion: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_RULE))


def _int_in(
    doc: LinedDict, key: str, default: int, low: int, high: int, path: str, errors: list
) -> int:
    value = doc.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        errors.append(
            ContentError(path, doc.line_of(key), f"{key} must be a whole number {low}–{high}")
        )
        return default
    return value


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Return (front matter YAML, Markdown body, body's first line number)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise YamlError(1, "a lesson starts with a '---' line opening its front matter")
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    raise YamlError(1, "front matter is not closed by a '---' line")


def load_lesson(path: Path, slug: str, display: str) -> tuple[LessonFile | None, list]:
    raw = path.read_bytes()
    errors: list[ContentError] = []
    try:
        text = raw.decode("utf-8")
        front, body, body_line = split_front_matter(text)
        meta = load_yaml(front, first_line=2)
    except UnicodeDecodeError:
        return None, [ContentError(display, 1, "file is not UTF-8 text")]
    except YamlError as exc:
        return None, [ContentError(display, exc.line, exc.message)]
    if not isinstance(meta, LinedDict):
        return None, [ContentError(display, 2, "front matter must be a mapping (title: …)")]
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        errors.append(ContentError(display, meta.line_of("title"), "title is required"))
    objectives = meta.get("objectives", [])
    if not isinstance(objectives, list) or not all(isinstance(o, str) for o in objectives):
        errors.append(
            ContentError(display, meta.line_of("objectives"), "objectives is a list of texts")
        )
        objectives = []
    minutes = _int_in(meta, "minutes", 10, 1, 600, display, errors)
    sources = meta.get("sources", [])
    source_lines: list[int] = []
    if not isinstance(sources, LinedList):
        errors.append(ContentError(display, meta.line_of("sources"), "sources is a list"))
        sources = []
    else:
        for item, line in zip(sources, sources.item_lines, strict=True):
            if not (
                isinstance(item, dict)
                and isinstance(item.get("file"), str)
                and isinstance(item.get("quote"), str)
                and item["quote"].strip()
            ):
                errors.append(ContentError(display, line, "each source needs file and quote"))
            source_lines.append(line)
    unknown = set(meta) - {"title", "objectives", "minutes", "sources"}
    for key in sorted(unknown, key=str):
        errors.append(ContentError(display, meta.line_of(key), f"unknown front-matter key {key!r}"))
    if not body.strip():
        errors.append(ContentError(display, body_line, "the lesson has no text"))
    html, toc = render_markdown(body)
    seen: set[str] = set()
    for entry in toc:
        if entry["id"] in seen:
            errors.append(ContentError(display, body_line, f"anchor #{entry['id']} used twice"))
        seen.add(entry["id"])
    if errors:
        return None, errors
    return (
        LessonFile(
            slug=slug,
            path=display,
            title=title.strip(),
            objectives=list(objectives),
            minutes=minutes,
            sources=[{"file": s["file"], "quote": s["quote"]} for s in sources],
            source_lines=source_lines,
            body_markdown=body,
            body_line=body_line,
            body_html=html,
            toc=toc,
            content_hash=hashlib.sha256(RENDERER_VERSION.encode() + raw).hexdigest(),
            title_line=meta.line_of("title"),
            objective_lines=list(getattr(objectives, "item_lines", [])),
        ),
        [],
    )


def load_course(course_dir: Path, root: Path) -> tuple[CourseFile | None, list[ContentError]]:
    path = course_dir / "course.yaml"
    display = str(path.relative_to(root))
    slug = course_dir.name
    if not SLUG_RE.match(slug):
        return None, [ContentError(display, 1, f"folder name {slug!r} is not a valid course slug")]
    raw = path.read_bytes()
    try:
        doc = load_yaml(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, [ContentError(display, 1, "file is not UTF-8 text")]
    except YamlError as exc:
        return None, [ContentError(display, exc.line, exc.message)]
    if not isinstance(doc, LinedDict):
        return None, [ContentError(display, 1, "course.yaml must be a mapping (title: …)")]
    errors: list[ContentError] = []
    title = doc.get("title")
    if not isinstance(title, str) or not title.strip():
        errors.append(ContentError(display, doc.line_of("title"), "title is required"))
    summary = doc.get("summary", "")
    if not isinstance(summary, str):
        errors.append(ContentError(display, doc.line_of("summary"), "summary must be text"))
    position = _int_in(doc, "position", 0, 0, 10_000, display, errors)
    quiz_doc = doc.get("quiz", LinedDict())
    quiz = dict(QUIZ_DEFAULTS)
    if not isinstance(quiz_doc, LinedDict):
        errors.append(ContentError(display, doc.line_of("quiz"), "quiz must be a mapping"))
    else:
        quiz["pass_mark"] = _int_in(quiz_doc, "pass_mark", 80, 1, 100, display, errors)
        quiz["questions_per_attempt"] = _int_in(
            quiz_doc, "questions_per_attempt", 20, 1, 500, display, errors
        )
        for key in ("time_limit_minutes", "max_attempts", "cooldown_minutes"):
            quiz[key] = _int_in(quiz_doc, key, 0, 0, 100_000, display, errors)
        credit = quiz_doc.get("partial_credit", "proportional")
        if credit not in PARTIAL_CREDIT:
            errors.append(
                ContentError(
                    display,
                    quiz_doc.line_of("partial_credit"),
                    f"partial_credit must be one of {', '.join(PARTIAL_CREDIT)}",
                )
            )
        quiz["partial_credit"] = credit
        review = quiz_doc.get("review_answers", "pass")
        if review not in REVIEW_ANSWERS:
            errors.append(
                ContentError(
                    display,
                    quiz_doc.line_of("review_answers"),
                    f"review_answers must be one of {', '.join(REVIEW_ANSWERS)}",
                )
            )
        quiz["review_answers"] = review
        layout = quiz_doc.get("quiz_layout", "auto")
        if layout not in QUIZ_LAYOUTS:
            errors.append(
                ContentError(
                    display,
                    quiz_doc.line_of("quiz_layout"),
                    f"quiz_layout must be one of {', '.join(QUIZ_LAYOUTS)}",
                )
            )
            layout = "auto"
        quiz["quiz_layout"] = layout
        for key in sorted(set(quiz_doc) - set(QUIZ_DEFAULTS), key=str):
            errors.append(ContentError(display, quiz_doc.line_of(key), f"unknown quiz key {key!r}"))
    cert = doc.get("certificate", LinedDict())
    validity = 24
    if not isinstance(cert, LinedDict):
        errors.append(ContentError(display, doc.line_of("certificate"), "must be a mapping"))
    else:
        validity = _int_in(cert, "validity_months", 24, 0, 600, display, errors)
    for key in sorted(
        set(doc) - {"title", "summary", "position", "lessons", "quiz", "certificate", "completion"}
    ):
        errors.append(ContentError(display, doc.line_of(key), f"unknown key {key!r}"))

    course = CourseFile(
        slug=slug,
        path=display,
        title=(title or "").strip() if isinstance(title, str) else "",
        summary=summary if isinstance(summary, str) else "",
        position=position,
        quiz=quiz,
        validity_months=validity,
        content_hash=hashlib.sha256(raw).hexdigest(),
    )
    lessons = doc.get("lessons")
    if not isinstance(lessons, LinedList) or not lessons:
        errors.append(ContentError(display, doc.line_of("lessons"), "lessons: list lesson slugs"))
        return None, errors
    completion = _completion(doc, [s for s in lessons if isinstance(s, str)], display, errors)
    if completion is not None:
        course.completion = completion
    seen: set[str] = set()
    for lesson_slug, line in zip(lessons, lessons.item_lines, strict=True):
        if not isinstance(lesson_slug, str) or not SLUG_RE.match(lesson_slug):
            errors.append(ContentError(display, line, f"{lesson_slug!r} is not a lesson slug"))
            continue
        if lesson_slug in seen:
            errors.append(ContentError(display, line, f"lesson {lesson_slug} listed twice"))
            continue
        seen.add(lesson_slug)
        lesson_path = course_dir / f"{lesson_slug}.md"
        if not lesson_path.is_file():
            errors.append(ContentError(display, line, f"lesson file {lesson_slug}.md not found"))
            continue
        lesson, lesson_errors = load_lesson(
            lesson_path, lesson_slug, str(lesson_path.relative_to(root))
        )
        errors.extend(lesson_errors)
        if lesson:
            course.lessons.append(lesson)
    for stray in sorted(course_dir.glob("*.md")):
        if stray.stem not in seen and stray.name.lower() != "readme.md":
            errors.append(
                ContentError(
                    str(stray.relative_to(root)), 1, "lesson file is not listed in course.yaml"
                )
            )
    return (None if errors else course), errors


def _completion(
    doc: LinedDict, lesson_slugs: list[str], path: str, errors: list[ContentError]
) -> dict[str, Any] | None:
    """The course's ``completion:`` rule, normalised; ``None`` (and errors) when it is invalid."""
    if "completion" not in doc:
        return dict(DEFAULT_RULE)
    value = doc.get("completion")
    problems = rule_problems(value, lesson_slugs)
    for key, problem in problems:
        line = doc.line_of("completion")
        if key is not None and isinstance(value, LinedDict) and key in value:
            line = value.line_of(key)
        errors.append(ContentError(path, line, problem))
    return None if problems else normalise(value)
