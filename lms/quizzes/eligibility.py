"""May the learner start another attempt now? Pure: the course's limits and the graded history in,
the answer with its reason, the attempts left and the cool-down's end out.

The course page, the result page and :func:`lms.quizzes.attempts.begin` all ask this one function, so
the button a learner sees and the server's refusal never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Eligibility:
    """``reason`` is ``None`` (allowed), ``"limit"`` (every attempt used) or ``"cooldown"``."""

    allowed: bool
    reason: str | None
    attempts_left: int | None  # None: no limit
    ready_at: datetime | None  # when the cool-down ends (UTC, naive like the stored times)


def retake(
    max_attempts: int,
    cooldown_minutes: int,
    graded_at: Sequence[datetime | None],
    now: datetime,
) -> Eligibility:
    """Whether a new attempt may start at ``now`` given the graded attempts' times (oldest first).

    A limit of 0 means unlimited attempts, a cool-down of 0 none. The limit wins over the
    cool-down: waiting does not help once every attempt is used.
    """
    left = max(0, max_attempts - len(graded_at)) if max_attempts else None
    if left == 0:
        return Eligibility(False, "limit", 0, None)
    times = [t for t in graded_at if t is not None]
    if cooldown_minutes and times:
        ready = max(times) + timedelta(minutes=cooldown_minutes)
        if now < ready:
            return Eligibility(False, "cooldown", left, ready)
    return Eligibility(True, None, left, None)
