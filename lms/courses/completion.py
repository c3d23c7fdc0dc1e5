"""Completion rules: what a learner must have done in a course before its quiz may start.

Pure functions over plain values, so the quiz engine, the course page, the plan and the certificate
all ask the same question and get the same answer. A rule is a small dict, as written in
``course.yaml`` under ``completion:`` and stored on the course::

    {"lessons": "all", "min_seconds": 0}      # the default: every lesson completed
    {"lessons": 3, "min_seconds": 60}         # any 3 lessons, each open a minute before "done"
    {"lessons": ["greeting", "phone"]}        # these lessons

A lesson counts when it was marked complete and, with ``min_seconds``, at least that many seconds
passed between the learner first opening it and marking it complete (a click-through does not).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

DEFAULT_RULE: dict[str, Any] = {"lessons": "all", "min_seconds": 0}
MAX_MIN_SECONDS = 86_400


@dataclass(frozen=True)
class LessonRecord:
    """One lesson of the course and what the learner did with it (``None``: not yet)."""

    slug: str
    first_viewed_at: datetime | None = None
    completed_at: datetime | None = None


@dataclass(frozen=True)
class Completion:
    """Where a learner stands against a course's rule."""

    required: int  # lessons the rule asks for
    done: int  # of those, how many count (never more than ``required``)
    total: int  # lessons in the course
    completed: int  # lessons completed at all, counted or not
    missing: tuple[str, ...]  # slugs of required lessons not yet counted (a count rule: any)

    @property
    def holds(self) -> bool:
        return self.done >= self.required

    @property
    def still_needed(self) -> int:
        return self.required - self.done


def rule_problems(value: Any, lesson_slugs: list[str]) -> list[tuple[str | None, str]]:
    """Problems of a ``completion:`` mapping as ``(key or None, problem)``; empty when valid."""
    if not isinstance(value, dict):
        return [(None, "completion must be a mapping (lessons: all, min_seconds: …)")]
    problems: list[tuple[str | None, str]] = []
    for key in sorted(set(value) - set(DEFAULT_RULE), key=str):
        problems.append((key, f"unknown completion key {key!r} (lessons, min_seconds)"))
    lessons = value.get("lessons", "all")
    if isinstance(lessons, bool) or not (
        lessons == "all" or isinstance(lessons, int) or isinstance(lessons, list)
    ):
        problems.append(
            ("lessons", "lessons must be all, a number of lessons, or a list of lesson slugs")
        )
    elif isinstance(lessons, int) and not 0 <= lessons <= len(lesson_slugs):
        problems.append(
            ("lessons", f"lessons must be a whole number 0–{len(lesson_slugs)} (lessons listed)")
        )
    elif isinstance(lessons, list):
        seen: set[Any] = set()
        for slug in lessons:
            if not isinstance(slug, str) or slug not in lesson_slugs:
                problems.append(("lessons", f"{slug!r} is not a lesson of this course"))
            elif slug in seen:
                problems.append(("lessons", f"lesson {slug} listed twice"))
            seen.add(slug if isinstance(slug, str) else repr(slug))
    seconds = value.get("min_seconds", 0)
    if (
        not isinstance(seconds, int)
        or isinstance(seconds, bool)
        or not 0 <= seconds <= MAX_MIN_SECONDS
    ):
        problems.append(("min_seconds", f"min_seconds must be a whole number 0–{MAX_MIN_SECONDS}"))
    return problems


def normalise(value: dict[str, Any]) -> dict[str, Any]:
    """The stored form of a valid rule: both keys present, a list kept in the order written."""
    lessons = value.get("lessons", "all")
    return {
        "lessons": list(lessons) if isinstance(lessons, list) else lessons,
        "min_seconds": int(value.get("min_seconds", 0)),
    }


def counts(record: LessonRecord, min_seconds: int) -> bool:
    """Whether a lesson counts towards the rule: completed, after long enough open."""
    if record.completed_at is None:
        return False
    if not min_seconds:
        return True
    opened = record.first_viewed_at or record.completed_at
    return (record.completed_at - opened).total_seconds() >= min_seconds


def evaluate(rule: dict[str, Any] | None, lessons: list[LessonRecord]) -> Completion:
    """Where a learner stands: ``lessons`` are the course's active lessons, in order.

    A list rule naming a lesson that was since retired asks only for the ones still taught.
    """
    rule = normalise(rule or DEFAULT_RULE)
    seconds = rule["min_seconds"]
    counted = [r.slug for r in lessons if counts(r, seconds)]
    completed = sum(1 for r in lessons if r.completed_at is not None)
    wanted = rule["lessons"]
    if isinstance(wanted, list):
        taught = [r.slug for r in lessons]
        pool = [slug for slug in wanted if slug in taught]
        required = len(pool)
    elif wanted == "all":
        pool = [r.slug for r in lessons]
        required = len(pool)
    else:
        pool = [r.slug for r in lessons]
        required = min(int(wanted), len(pool))
    done = min(sum(1 for slug in pool if slug in counted), required)
    missing = tuple(slug for slug in pool if slug not in counted) if done < required else ()
    return Completion(
        required=required, done=done, total=len(lessons), completed=completed, missing=missing
    )
