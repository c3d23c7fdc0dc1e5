"""Events the quiz engine announces; higher layers (certificates, the plan) subscribe.

The quiz engine does not know certificates exist: it says an attempt was graded, and whoever cares
acts on it. Receivers run after the grade is committed, so nothing they do can undo it.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent by ``quizzes.attempts.submit`` once a grade is committed; keyword ``attempt``.
attempt_graded = _signals.signal("lms.attempt-graded")
