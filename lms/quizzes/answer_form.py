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
            ranks = {
                int(key.rsplit("-", 1)[1]): value
                for key, value in form.items()
                if key.startswith(f"{name}-step-") and value
            }
            if ranks:
                try:
                    answers[response.position] = [
                        step for step, _ in sorted(ranks.items(), key=lambda kv: int(kv[1]))
                    ]
                except ValueError:
                    answers[response.position] = "invalid"
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
