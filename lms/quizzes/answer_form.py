"""Turning the quiz page's form fields into raw answers, one per question position."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from lms.i18n import _
from lms.quizzes.models import Response


def raw_answers(form: MultiDict, responses: list[Response]) -> dict[int, Any]:
    """Field names: ``q<N>`` (choice, text), ``q<N>-step-<i>`` (rank of step i), ``q<N>-left-<i>``.

    A question with a field problem (:func:`field_problems`) is left out: nothing is stored for it.
    """
    answers: dict[int, Any] = {}
    refused = field_problems(form, responses)
    for response in responses:
        if response.position in refused:
            continue
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


def posted_ranks(form: MultiDict, position: int) -> dict[int, str]:
    """The ranks typed for an ordering question, by shown step index (to show them again)."""
    prefix = f"q{position}-step-"
    ranks: dict[int, str] = {}
    for key, value in form.items():
        index = key[len(prefix) :]
        # A step index has a few digits; int() refuses more than 4,300 (a 500 otherwise).
        if key.startswith(prefix) and index.isdigit() and len(index) <= 6:
            ranks[int(index)] = value
    return ranks


def ordering_problem(ranks: list[str], size: int) -> str | None:
    """Why the ranks chosen for an ordering question cannot be an order, or ``None``.

    Nothing chosen is no answer (fine); otherwise every step needs its own number from 1 to
    ``size``: "1" for every step used to be accepted and graded as some order.
    """
    chosen = [rank for rank in ranks if rank != ""]
    if not chosen:
        return None
    if sorted(chosen) != sorted(str(n) for n in range(1, size + 1)):
        return _("请为每一步选择不同的顺序号（1 到 %(count)s 各用一次）。", count=size)
    return None


def field_problems(form: MultiDict, responses: list[Response]) -> dict[int, str]:
    """``{position: message}`` for answers the page's form got wrong, in the reader's language."""
    problems: dict[int, str] = {}
    for response in responses:
        data = response.question_version.data
        if data["type"] == "ordering" and data.get("steps"):
            ranks = posted_ranks(form, response.position)
            problem = ordering_problem(list(ranks.values()), len(data["steps"]))
            if problem:
                problems[response.position] = problem
    return problems
