"""Describing answers in words for the result page (the learner's, and the right one)."""

from __future__ import annotations

from typing import Any

from lms.i18n import _, pgettext
from lms.quizzes import grading


def describe(data: dict[str, Any], answer: Any) -> str:
    if answer is None:
        return _("(未作答)")
    qtype = data["type"]
    if qtype in ("single", "scenario"):
        return data["options"][answer]["text"]
    if qtype == "multiple":
        return ";".join(data["options"][i]["text"] for i in sorted(answer))
    if qtype == "truefalse":
        return pgettext("true/false", "正确") if answer else _("错误")
    if qtype == "ordering":
        return " → ".join(data["steps"][i] for i in answer)
    if qtype == "matching":
        rights = [p["right"] for p in data["pairs"]] + list(data.get("distractors", []))
        return ";".join(
            f"{data['pairs'][int(left)]['left']} — {rights[right]}"
            for left, right in sorted(answer.items(), key=lambda kv: int(kv[0]))
        )
    return str(answer)


def numerical_key(data: dict[str, Any]) -> str:
    """A numerical question's accepted answers in words: ``8 ± 1; 3.141 至 3.142 (50%)``.

    The review shows every accepted value or range, not one number, since any of them earns marks."""
    parts = []
    for answer in data["answers"]:
        if "value" in answer:
            text = grading.format_number(answer["value"])
            if answer.get("tolerance"):
                text += f" ± {grading.format_number(answer['tolerance'])}"
        else:
            text = _(
                "%(min)s 至 %(max)s",
                min=grading.format_number(answer["min"]),
                max=grading.format_number(answer["max"]),
            )
        weight = answer.get("weight", 100)
        if weight != 100:
            text += f" ({grading.format_number(weight)}%)"
        parts.append(text)
    return "; ".join(parts)


def shows_answers(policy: str, passed: bool | None) -> bool:
    """Whether a graded attempt's review may show the keyed answers (the course's review policy).

    Showing them after a failed attempt lets blank retakes harvest a whole bank, so by default
    (``pass``) a failed attempt shows which questions were wrong, the feedback and the lesson
    sections, and the keyed answers only once the learner has passed.
    """
    if policy == "always":
        return True
    if policy == "never":
        return False
    return bool(passed)


def _right(data: dict[str, Any]) -> str:
    if data["type"] == "numerical":
        return numerical_key(data)
    return describe(data, grading.correct_answer(data))


def review_item(
    data: dict[str, Any], answer: Any, score: float | None, *, answers: bool = True
) -> dict[str, Any]:
    """One question of the review; ``right`` is ``None`` when the policy hides the keyed answer."""
    return {
        "stem": data["stem"],
        "type": data["type"],
        "given": describe(data, answer),
        "right": _right(data) if answers else None,
        "feedback": data.get("feedback", ""),
        "option_feedback": grading.option_feedback(data, answer),
        "score": score or 0.0,
        "section": data["section"],
    }
