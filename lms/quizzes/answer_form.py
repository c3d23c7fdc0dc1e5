"""Turning the quiz page's form fields into raw answers, one per question position."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from lms.quizzes.models import Response


def raw_answers(form: MultiDict, responses: list[Response]) -> dict[int, Any]:
    """Field names: ``q<N>`` (choice, text), ``q<N>-step-<i>`` (rank of step i), ``q<N>-left-<i>``."""
    answers: dict[int, Any] = {}
    for response in responses:
        name = f"q{response.position}"
        qtype = response.question_version.data["type"]
        if qtype == "multiple":
            if f"{name}-present" in form or name in form:
                answers[response.position] = form.getlist(name)
        elif qtype == "ordering":
            prefix = f"{name}-step-"
            ranks = {
                key[len(prefix) :]: value
                for key, value in form.items()
                if key.startswith(prefix) and value
            }
            if ranks:
                answers[response.position] = _steps_by_rank(ranks)
        elif qtype == "matching":
            pairs = {
                key.rsplit("-", 1)[1]: value
                for key, value in form.items()
                if key.startswith(f"{name}-left-") and value != ""
            }
            if pairs:
                answers[response.position] = pairs
        elif name in form:
            answers[response.position] = form[name]
    return answers


def _steps_by_rank(ranks: dict[str, str]) -> list[int] | str:
    """Step numbers ordered by the rank typed for each; ``"invalid"`` (which grading refuses with a
    reason) when a step or rank is not a whole number, so a hand-made field is never an error."""
    try:
        numbered = {int(step): int(rank) for step, rank in ranks.items()}
    except ValueError:  # not a number, or more digits than int() reads
        return "invalid"
    return [step for step, _ in sorted(numbered.items(), key=lambda kv: kv[1])]
