"""Spotting learners whose attempts look like answer harvesting, for the trainer's statistics page.

Harvesting means submitting (nearly) blank attempts to read the review, then passing with what it
showed. The review policy hides keyed answers until a pass, so this is a second line: a trainer sees
who did it and can talk to them. The rule is pure; ``course_suspects`` loads its input in one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from lms.auth.models import Staff
from lms.courses.models import Course
from lms.db import session
from lms.quizzes.models import Attempt, Response

BLANK_SHARE = 0.2  # an attempt with fewer than this share of questions answered is "near blank"
MIN_BLANK = 2  # this many near-blank attempts is suspicious on its own
QUICK_FAILS = 3  # … as is a pass right after this many failures …
QUICK_HOURS = 24  # … all within this many hours


@dataclass(frozen=True)
class AttemptFacts:
    staff_id: int
    graded_at: datetime
    passed: bool
    answered: int
    questions: int


@dataclass(frozen=True)
class Suspect:
    staff_id: int
    attempts: int
    blank: int
    reason: str  # "blank" | "quick_pass"


def suspects(facts: Iterable[AttemptFacts]) -> list[Suspect]:
    """Learners with ≥ ``MIN_BLANK`` near-blank attempts, or a pass right after ``QUICK_FAILS``
    failures within ``QUICK_HOURS``."""
    by_person: dict[int, list[AttemptFacts]] = defaultdict(list)
    for fact in facts:
        by_person[fact.staff_id].append(fact)
    found = []
    for staff_id, rows in sorted(by_person.items()):
        rows.sort(key=lambda f: f.graded_at)
        blank = sum(1 for f in rows if f.questions and f.answered / f.questions < BLANK_SHARE)
        if blank >= MIN_BLANK:
            found.append(Suspect(staff_id, len(rows), blank, "blank"))
            continue
        for i, row in enumerate(rows):
            before = rows[max(0, i - QUICK_FAILS) : i]
            if (
                row.passed
                and len(before) == QUICK_FAILS
                and not any(f.passed for f in before)
                and row.graded_at - before[0].graded_at <= timedelta(hours=QUICK_HOURS)
            ):
                found.append(Suspect(staff_id, len(rows), blank, "quick_pass"))
                break
    return found


def course_suspects(course: Course) -> list[tuple[Suspect, Staff]]:
    """The course's suspects with their staff records (two queries)."""
    answered = sa.func.sum(sa.case((Response.answer.is_(None), 0), else_=1))
    rows = session.execute(
        sa.select(
            Attempt.staff_id,
            Attempt.graded_at,
            Attempt.passed,
            answered,
            sa.func.count(Response.id),
        )
        .join(Response, Response.attempt_id == Attempt.id)
        .where(Attempt.course_id == course.id, Attempt.status == "graded")
        .group_by(Attempt.id, Attempt.staff_id, Attempt.graded_at, Attempt.passed)
    ).all()
    facts = [
        AttemptFacts(s, g, bool(p), int(a or 0), int(n)) for s, g, p, a, n in rows if g is not None
    ]
    found = suspects(facts)
    people = {
        s.id: s
        for s in session.scalars(sa.select(Staff).where(Staff.id.in_([f.staff_id for f in found])))
    }
    return [(f, people[f.staff_id]) for f in found if f.staff_id in people]
