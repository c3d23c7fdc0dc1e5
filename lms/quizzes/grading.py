"""Showing, checking and grading quiz answers: pure functions over a question's stored data.

A question's data is its bank mapping minus ``id`` and ``difficulty`` (see ``bank_file``). Nothing
here touches Flask or the database, so the rules are tested directly and shared by the quiz pages,
the JSON API and any re-grading.

Two numberings are in play. Stored and graded answers use a question's *original* indices (the
order in the bank file). The learner never sees those: authors write the right option first and
the steps in the right order, so an original index would give the answer away. ``learner_view``
numbers items by their *shown position* instead; ``parse_answer(..., presentation=...)`` turns
shown positions back into original indices, and ``view_answer`` does the reverse to redisplay a
saved answer.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections.abc import Callable, Mapping
from itertools import pairwise
from typing import Any

PARTIAL_CREDIT_MODES = ("proportional", "all_or_nothing")
WEIGHT_SLACK = 0.01  # as bank_file.WEIGHT_SLACK
MAX_SHORT_ANSWER = 500  # characters; a short answer is a word or phrase, not an essay

_OPTION_TYPES = ("single", "multiple", "scenario")
_TYPES = (*_OPTION_TYPES, "truefalse", "ordering", "matching", "short", "numerical")
MAX_NUMBER_CHARS = 100  # a typed number; anything longer is not one
# A number as learners type it, after NFKC (full-width digits, "．" and "－" are ASCII by then): an
# optional sign, digits with an optional decimal point, an optional exponent. A comma is read only
# as a thousands separator in its proper places ("1,200", "12,345.5"), never as a decimal comma:
# "3,14" is ambiguous (3.14 in Europe, 314 to a Chinese reader), so it is not a number.
_NUMBER_RE = re.compile(
    r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?|[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[+-]?[0-9]+)?"
)
# Relative slack on a numerical answer's bounds, so 0.1 + 0.2 style float error never costs a mark.
_NUMBER_SLACK = 1e-9
_INT_RE = re.compile(r"-?[0-9]+")
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}

# Stripped from both ends of a short answer. NFKC runs first, so full-width forms (,!?;:()) and
# half-width CJK forms (。「」、) have already become these characters. Symbols that change
# meaning (% # - / & *) are deliberately absent: "80%" and "80" are different answers.
_EDGE_PUNCTUATION = (
    ".,!?;:'\"`()[]{}<>"  # ASCII
    "。、“”‘’「」『』《》〈〉【】〔〕〖〗・·"  # CJK
)


def _qtype(data: Mapping[str, Any]) -> str:
    qtype = data.get("type")
    if qtype not in _TYPES:
        raise ValueError(f"unknown question type {qtype!r}")
    return qtype


def _rights(data: Mapping[str, Any]) -> list[str]:
    """The right-hand column of a matching question: each pair's right, then the distractors."""
    return [pair["right"] for pair in data["pairs"]] + list(data.get("distractors") or [])


def _lists(data: Mapping[str, Any]) -> dict[str, int]:
    """The shuffled lists a question type has, with their lengths."""
    qtype = _qtype(data)
    if qtype in _OPTION_TYPES:
        return {"options": len(data["options"])}
    if qtype == "ordering":
        return {"steps": len(data["steps"])}
    if qtype == "matching":
        return {"lefts": len(data["pairs"]), "rights": len(_rights(data))}
    return {}


def _shuffled(size: int, rng: random.Random) -> list[int]:
    order = list(range(size))
    rng.shuffle(order)
    return order


def _rotated(order: list[int], rng: random.Random) -> list[int]:
    """Rotate by 1..n-1 places: no item stays where it was, so an identity order cannot survive."""
    step = rng.randrange(1, len(order))
    return order[step:] + order[:step]


def present(data: dict[str, Any], rng: random.Random) -> dict[str, list[int]]:
    """Shuffle one question for one attempt; stored with the attempt so it is shown the same again.

    An ordering question is never shown already in the right order, and a matching question never
    lines every left up with its own right, since either would hand the learner the answer.
    """
    qtype = _qtype(data)
    if qtype in _OPTION_TYPES:
        return {"options": _shuffled(len(data["options"]), rng)}
    if qtype == "ordering":
        steps = _shuffled(len(data["steps"]), rng)
        if len(steps) >= 2 and steps == sorted(steps):
            steps = _rotated(steps, rng)
        return {"steps": steps}
    if qtype == "matching":
        lefts = _shuffled(len(data["pairs"]), rng)
        rights = _shuffled(len(_rights(data)), rng)
        if len(rights) >= 2 and all(rights[k] == left for k, left in enumerate(lefts)):
            rights = _rotated(rights, rng)
        return {"lefts": lefts, "rights": rights}
    return {}


def _orders(data: Mapping[str, Any], presentation: object) -> dict[str, list[int]]:
    """Check a stored presentation against the question: each list a permutation of its indices."""
    sizes = _lists(data)
    if not sizes:
        return {}
    if not isinstance(presentation, Mapping):
        raise ValueError("presentation must be a mapping")
    orders = {}
    for name, size in sizes.items():
        order = presentation.get(name)
        if (
            not isinstance(order, list)
            or any(isinstance(i, bool) or not isinstance(i, int) for i in order)
            or sorted(order) != list(range(size))
        ):
            raise ValueError(f"presentation {name!r} must list each of the {size} items once")
        orders[name] = order
    return orders


def learner_view(data: dict[str, Any], presentation: dict[str, Any]) -> dict[str, Any]:
    """What the quiz page and API may show before grading: texts in shown order, nothing more.

    Each item's ``index`` is its shown position, not its index in the bank, so neither the right
    option nor the right order can be read off the numbers. Submit those positions and convert them
    with ``parse_answer(data, raw, presentation=presentation)``.
    """
    qtype = _qtype(data)
    orders = _orders(data, presentation)
    view: dict[str, Any] = {"type": qtype, "stem": data["stem"]}
    if qtype in _OPTION_TYPES:
        texts = [option["text"] for option in data["options"]]
        view["options"] = _shown(texts, orders["options"])
    elif qtype == "ordering":
        view["steps"] = _shown(data["steps"], orders["steps"])
    elif qtype == "matching":
        view["lefts"] = _shown([pair["left"] for pair in data["pairs"]], orders["lefts"])
        view["rights"] = _shown(_rights(data), orders["rights"])
    return view


def _shown(texts: list[str], order: list[int]) -> list[dict[str, Any]]:
    return [{"index": position, "text": texts[i]} for position, i in enumerate(order)]


def _is_empty(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip() == ""
    if isinstance(raw, list | tuple | Mapping):
        return len(raw) == 0
    return False


def _index(value: object, size: int, what: str) -> int:
    """One index from JSON (int) or a form (digit string), checked against the list's length."""
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number, not {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INT_RE.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        raise ValueError(f"{what} must be a number, not {value!r}")
    if not 0 <= number < size:
        raise ValueError(f"{what} {number} is out of range (0 to {size - 1})")
    return number


def _index_list(raw: object, size: int, what: str) -> list[int]:
    if not isinstance(raw, list | tuple):
        raise ValueError(f"expected a list of {what}s, not {type(raw).__name__}")
    indices = [_index(value, size, what) for value in raw]
    if len(set(indices)) != len(indices):
        raise ValueError(f"the same {what} is given more than once")
    return indices


def parse_answer(
    data: dict[str, Any], raw: object, *, presentation: dict[str, Any] | None = None
) -> object | None:
    """Check and coerce a submitted answer into the stored format; None when nothing was answered.

    Accepts JSON values and form strings ("2", ["1", "3"], "true", {"0": "4"}). Raises
    ``ValueError`` for anything malformed or out of range, so a bad request never reaches grading.
    Indices are original (bank) indices, unless ``presentation`` is given: then they are shown
    positions from ``learner_view`` and are mapped back to original indices.
    """
    qtype = _qtype(data)
    orders = _orders(data, presentation) if presentation is not None else None
    if _is_empty(raw):
        return None

    def original(name: str, index: int) -> int:
        return orders[name][index] if orders is not None else index

    if qtype in ("single", "scenario"):
        if isinstance(raw, list | tuple | Mapping):
            raise ValueError("choose exactly one option")
        return original("options", _index(raw, len(data["options"]), "option"))
    if qtype == "multiple":
        items = list(raw) if isinstance(raw, list | tuple) else [raw]
        chosen = _index_list(items, len(data["options"]), "option")
        return sorted(original("options", i) for i in chosen)
    if qtype == "truefalse":
        return _truth(raw)
    if qtype == "ordering":
        size = len(data["steps"])
        steps = _index_list(raw, size, "step")
        if len(steps) != size:
            raise ValueError(f"an ordering must list all {size} steps, each once")
        return [original("steps", i) for i in steps]
    if qtype == "matching":
        return _matching(data, raw, original)
    if qtype == "numerical":
        return _typed_number(raw)
    return _short(raw)


def _truth(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = raw.strip().casefold()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise ValueError(f"a true/false answer must be true or false, not {raw!r}")


def _matching(
    data: Mapping[str, Any], raw: object, original: Callable[[str, int], int]
) -> dict[str, int] | None:
    if not isinstance(raw, Mapping):
        raise ValueError(f"a matching answer maps left items to right items, not {raw!r}")
    lefts, rights = len(data["pairs"]), len(_rights(data))
    seen: set[int] = set()
    matched: dict[int, int] = {}
    for key, value in raw.items():
        left = original("lefts", _index(key, lefts, "left item"))
        if left in seen:
            raise ValueError(f"left item {key!r} is matched more than once")
        seen.add(left)
        if _is_empty(value):
            continue  # an unanswered row; the others still count
        matched[left] = original("rights", _index(value, rights, "right item"))
    if not matched:
        return None
    return {str(left): matched[left] for left in sorted(matched)}


def _short(raw: object) -> str:
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        raise ValueError(f"a short answer must be text, not {type(raw).__name__}")
    text = raw.strip()
    if len(text) > MAX_SHORT_ANSWER:
        raise ValueError(f"a short answer may be at most {MAX_SHORT_ANSWER} characters")
    return text


def _typed_number(raw: object) -> str:
    """A numerical answer is stored as typed (the review shows it so); grading reads the number.

    Text that is not a number is still an answer, graded 0, never a refused request."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = format_number(raw)
    if not isinstance(raw, str):
        raise ValueError(f"a numerical answer must be a number or text, not {type(raw).__name__}")
    text = raw.strip()
    if len(text) > MAX_SHORT_ANSWER:
        raise ValueError(f"a numerical answer may be at most {MAX_SHORT_ANSWER} characters")
    return text


def parse_number(text: str) -> float | None:
    """The number a learner typed, or None when the text is not one.

    Full-width digits and signs count ("１２" is 12, "－３．５" is -3.5), as do "12.0", "+12",
    "1e3" and thousands separators ("1,200" is 1200); a decimal comma ("3,14"), units ("12个"),
    Chinese numerals and anything non-finite do not.
    """
    folded = unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-").casefold()
    folded = "".join(folded.split()) if len(folded) <= MAX_NUMBER_CHARS else ""
    if not _NUMBER_RE.fullmatch(folded):
        return None
    number = float(folded.replace(",", ""))
    return number if math.isfinite(number) else None


def format_number(value: float) -> str:
    """A number as people write it: ``8`` not ``8.0``, ``3.141`` as it was given."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def numerical_bounds(answer: Mapping[str, Any]) -> tuple[float, float]:
    """The closed interval one numerical answer accepts: ``value ± tolerance`` or ``min..max``."""
    if "min" in answer or "max" in answer:
        return answer["min"], answer["max"]
    tolerance = abs(answer.get("tolerance", 0))
    return answer["value"] - tolerance, answer["value"] + tolerance


def numerical_match(data: Mapping[str, Any], number: float) -> Mapping[str, Any] | None:
    """The best-weighted answer that accepts ``number`` (the first of equals), or None."""
    best: Mapping[str, Any] | None = None
    for answer in data["answers"]:
        low, high = numerical_bounds(answer)
        slack = _NUMBER_SLACK * max(1.0, abs(low), abs(high))
        if low - slack <= number <= high + slack and (
            best is None or answer.get("weight", 100) > best.get("weight", 100)
        ):
            best = answer
    return best


def grade_numerical(data: Mapping[str, Any], answer: str) -> float:
    """The weight of the best answer the typed number matches; 0 for no match or no number.

    The weights are the author's grading, so the quiz's partial-credit mode does not change them."""
    number = parse_number(answer)
    if number is None:
        return 0.0
    match = numerical_match(data, number)
    return match.get("weight", 100) / 100 if match is not None else 0.0


def view_answer(
    data: dict[str, Any], presentation: dict[str, Any], answer: object | None
) -> object:
    """A stored answer in shown positions, to redisplay it on the page (inverse of parse_answer)."""
    orders = _orders(data, presentation)
    answer = parse_answer(data, answer)
    if answer is None:
        return None
    shown = {
        name: {i: position for position, i in enumerate(order)} for name, order in orders.items()
    }
    qtype = _qtype(data)
    if qtype in ("single", "scenario"):
        return shown["options"][answer]
    if qtype == "multiple":
        return sorted(shown["options"][i] for i in answer)
    if qtype == "ordering":
        return [shown["steps"][i] for i in answer]
    if qtype == "matching":
        pairs = {
            shown["lefts"][int(left)]: shown["rights"][right] for left, right in answer.items()
        }
        return {str(left): pairs[left] for left in sorted(pairs)}
    return answer


def normalise_short(text: str) -> str:
    """Fold a short answer so typing differences do not count: width, edge punctuation, case.

    "  首问负责制。" and "首问负责制" compare equal, as do "ＡＢＣ" and "abc".
    """
    text = unicodedata.normalize("NFKC", text)
    text = unicodedata.normalize("NFKC", text.casefold())
    text = " ".join(text.split())
    return text.strip(_EDGE_PUNCTUATION + " ")


def grade(data: dict[str, Any], answer: object | None, partial_credit: str) -> float:
    """Score one answer from 0 to 1; partial_credit only changes multiple, ordering and matching."""
    if partial_credit not in PARTIAL_CREDIT_MODES:
        raise ValueError(f"partial_credit must be one of {', '.join(PARTIAL_CREDIT_MODES)}")
    qtype = _qtype(data)
    answer = parse_answer(data, answer)
    if answer is None:
        return 0.0
    proportional = partial_credit == "proportional"
    if qtype == "single":
        return 1.0 if data["options"][answer].get("correct") is True else 0.0
    if qtype == "scenario":
        return data["options"][answer]["grade"] / 100
    if qtype == "truefalse":
        return 1.0 if answer == data["answer"] else 0.0
    if qtype == "short":
        return grade_short(data, answer)
    if qtype == "numerical":
        return grade_numerical(data, answer)
    if qtype == "multiple":
        if any("weight" in option for option in data["options"]):
            return grade_weighted(data, set(answer))
        return _grade_multiple(data, set(answer), proportional)
    if qtype == "ordering":
        if answer == sorted(answer):
            return 1.0
        if not proportional:
            return 0.0
        adjacent = sum(1 for a, b in pairwise(answer) if b == a + 1)
        return adjacent / (len(answer) - 1)
    # matching: left i belongs with right i
    right = sum(1 for left, chosen in answer.items() if int(left) == chosen)
    if right == len(data["pairs"]):
        return 1.0
    return right / len(data["pairs"]) if proportional else 0.0


def grade_short(data: Mapping[str, Any], answer: str) -> float:
    """An accepted answer earns full marks; a ``partial`` one its weight (Moodle's ``=%50%…``).

    The weights are the author's grading, so the quiz's partial-credit mode does not change them
    (as with a scenario's 50-point reply)."""
    given = normalise_short(answer)
    if any(normalise_short(a) == given for a in data["accepted"]):
        return 1.0
    weights = [
        p["weight"] for p in data.get("partial") or [] if normalise_short(p["text"]) == given
    ]
    return max(weights) / 100 if weights else 0.0


def grade_weighted(data: Mapping[str, Any], chosen: set[int]) -> float:
    """Moodle's multiple answer with weights: the sum of the chosen options' weights, floored at 0
    and capped at 100 (a sum within ``WEIGHT_SLACK`` of 100 is full marks: 3 × 33.33333)."""
    total = sum(data["options"][i]["weight"] for i in chosen)
    if total >= 100 - WEIGHT_SLACK:
        return 1.0
    return max(0.0, total / 100)


def _grade_multiple(data: Mapping[str, Any], chosen: set[int], proportional: bool) -> float:
    """Moodle-style: each right choice earns 1/rights, each wrong one costs 1/wrongs, floor 0."""
    correct = {i for i, option in enumerate(data["options"]) if option.get("correct") is True}
    if chosen == correct:
        return 1.0
    if not proportional:
        return 0.0
    wrong = len(data["options"]) - len(correct)
    score = len(chosen & correct) / len(correct) - len(chosen - correct) / wrong
    return max(0.0, score)


def correct_answer(data: dict[str, Any]) -> object:
    """The right answer in the stored answer format, for review pages and self-checks."""
    qtype = _qtype(data)
    if qtype == "single":
        return next(i for i, o in enumerate(data["options"]) if o.get("correct") is True)
    if qtype == "multiple":
        return [i for i, o in enumerate(data["options"]) if o.get("correct") is True]
    if qtype == "scenario":
        return next(i for i, o in enumerate(data["options"]) if o.get("grade") == 100)
    if qtype == "truefalse":
        return data["answer"]
    if qtype == "ordering":
        return list(range(len(data["steps"])))
    if qtype == "matching":
        return {str(i): i for i in range(len(data["pairs"]))}
    if qtype == "numerical":
        best = next(a for a in data["answers"] if a.get("weight", 100) == 100)
        low, high = numerical_bounds(best)
        return format_number(best["value"] if "value" in best else (low + high) / 2)
    return data["accepted"][0]


def option_feedback(data: dict[str, Any], answer: object | None) -> list[str]:
    """The feedback written for the options the learner chose, to explain their own choice (for a
    numerical question: the feedback of the answer their number matched)."""
    qtype = _qtype(data)
    if qtype == "numerical":
        number = parse_number(answer) if isinstance(answer, str) else None
        match = numerical_match(data, number) if number is not None else None
        text = match.get("feedback") if match is not None else None
        return [text] if isinstance(text, str) and text.strip() else []
    if qtype not in _OPTION_TYPES:
        return []
    answer = parse_answer(data, answer)
    if answer is None:
        return []
    chosen = answer if isinstance(answer, list) else [answer]
    texts = (data["options"][i].get("feedback") for i in chosen)
    return [text for text in texts if isinstance(text, str) and text.strip()]
