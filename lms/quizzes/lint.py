"""The bank linter: does a bank measure learning, or can a test-wise guesser pass it?

Pure functions over bank data (questions in the bank format, as ``bank_file`` yields them); no
Flask, no database. Callers build the :class:`LintSettings` from the ``LMS_LINT_*`` keys
(:meth:`LintSettings.from_config`) and turn findings into text: :attr:`Finding.message` in English
for the command line, :attr:`Finding.args` for a translated page.

Per question (warnings): the keyed option of a single-choice question is strictly the longest
(``key-longest``); options whose lengths differ more than ``option_spread`` times
(``option-spread``); the best scenario reply is strictly the longest (``best-longest``); a false
statement (a false true/false stem, a wrong option) uses an absolute word such as 总是 or 一律
(``absolute-word``); a key appears word for word in another stem of the bank (``leak``; for one
question being written: ``gives-away`` when its stem holds another question's key); two stems are
near-duplicates, within a bank or across banks (``clone``); the key shares too little with the
quotes it rests on (``unsupported-key``; true/false, ordering and matching are not checked).

Per bank (errors, each a bar): the share of single-choice questions keyed on the longest option,
the share of true/false questions keyed True, the share of scenarios whose best reply is the
longest, and the blind-guess estimate (:func:`blind_guess`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Protocol

from lms.quizzes.bank_file import BankFile, quotes_of


class Library(Protocol):
    """What :func:`lint_library` reads of a loaded content tree (``lms.content.library.Library``,
    which sits above the quizzes)."""

    @property
    def banks(self) -> Mapping[str, BankFile]: ...


# Words that make a statement sweeping; test-wise learners read them as "this one is false".
ABSOLUTE_WORDS = (
    "只要", "一切", "一律", "所有", "总是", "从不", "从来", "绝对", "完全", "任何", "凡是",
    "都不", "永远", "一概", "无论如何",
)  # fmt: skip
# A short answer shorter than this (after normalising) is too common a word ("客户", "微笑") to
# call its use in another stem a leak.
SHORT_LEAK_MIN_CHARS = 3
_SPACE_AND_PUNCT = re.compile(r"[\s\W_]+")

CONFIG_KEYS = {
    "single_longest_max": "LMS_LINT_SINGLE_LONGEST_MAX",
    "option_spread_max": "LMS_LINT_OPTION_SPREAD_MAX",
    "true_share_min": "LMS_LINT_TRUE_SHARE_MIN",
    "true_share_max": "LMS_LINT_TRUE_SHARE_MAX",
    "scenario_longest_max": "LMS_LINT_SCENARIO_LONGEST_MAX",
    "blind_guess_max": "LMS_LINT_BLIND_GUESS_MAX",
    "clone_ratio": "LMS_LINT_CLONE_RATIO",
    "leak_min_chars": "LMS_LINT_LEAK_MIN_CHARS",
    "quote_overlap_min": "LMS_LINT_QUOTE_OVERLAP_MIN",
}


@dataclass(frozen=True)
class LintSettings:
    """The linter's thresholds; each has a config key ``LMS_LINT_*`` (see :data:`CONFIG_KEYS`)."""

    single_longest_max: float = 0.35
    option_spread_max: float = 3.0
    true_share_min: float = 0.35
    true_share_max: float = 0.65
    scenario_longest_max: float = 0.45
    blind_guess_max: float = 0.40
    clone_ratio: float = 0.8
    leak_min_chars: int = 4
    quote_overlap_min: float = 0.3

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LintSettings:
        """The settings from an app's config; keys it does not set keep their defaults."""
        given = {name: config[key] for name, key in CONFIG_KEYS.items() if key in config}
        return cls(**given)


@dataclass(frozen=True)
class Item:
    """One question to lint: its id, its data in the bank format, where it is written."""

    key: str
    data: Mapping[str, Any]
    line: int = 0
    path: str = ""


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    code: str
    key: str  # the question's id; "" for a bank-level finding
    message: str = field(compare=False)
    level: str = field(default="warning", compare=False)  # "error": a bank-level bar failed
    args: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        prefix = f"{self.key}: " if self.key else ""
        return f"{self.path}:{self.line}: [{self.code}] {prefix}{self.message}"


@dataclass
class BankSummary:
    """The bank's figures; a share is None when the bank has no question of that type."""

    path: str
    questions: int = 0
    single: int = 0
    single_longest: float | None = None
    truefalse: int = 0
    true_share: float | None = None
    scenario: int = 0
    scenario_longest: float | None = None
    blind_guess: float = 0.0
    leaks: int = 0
    clones: int = 0
    failed: list[str] = field(default_factory=list)  # codes of the bank-level bars it fails


@dataclass
class BankReport:
    summary: BankSummary
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]


def items_of(bank: BankFile) -> list[Item]:
    """A loaded bank file's questions as lint items."""
    return [Item(q.key, {"id": q.key, **q.data}, q.line, bank.path) for q in bank.questions]


# ----- text helpers ---------------------------------------------------------------------------


def normalise(text: Any) -> str:
    """NFKC with whitespace removed: how lengths are counted and texts compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text if isinstance(text, str) else ""))


def _bare(text: Any) -> str:
    """Normalised, punctuation removed too: for overlap measures."""
    return _SPACE_AND_PUNCT.sub(
        "", unicodedata.normalize("NFKC", text if isinstance(text, str) else "")
    )


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def bigrams(text: str) -> set[str]:
    """Character bigrams; a one-character text is its own single gram."""
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _options(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    options = data.get("options")
    return [o for o in options if isinstance(o, Mapping)] if isinstance(options, list) else []


def _longest(lengths: list[int]) -> list[int]:
    """Indices of the longest items (several when tied)."""
    top = max(lengths, default=0)
    return [i for i, n in enumerate(lengths) if n == top]


def keyed_longest(data: Mapping[str, Any]) -> float:
    """For a single-choice question: 1 if the keyed option is strictly the longest, 1/k if it is
    one of k tied longest, else 0 (what "pick the longest" earns on it)."""
    options = _options(data)
    lengths = [len(normalise(o.get("text"))) for o in options]
    top = _longest(lengths)
    return next((1 / len(top) for i in top if options[i].get("correct") is True), 0.0)


def best_reply_longest(data: Mapping[str, Any]) -> float:
    """For a scenario: the grade (0–1) of the strictly longest reply; ties average their grades."""
    options = _options(data)
    lengths = [len(normalise(o.get("text"))) for o in options]
    top = _longest(lengths)
    if not top:
        return 0.0
    return sum(options[i].get("grade", 0) for i in top) / len(top) / 100


def _strictly_longest(data: Mapping[str, Any], keyed: Any) -> tuple[bool, int, int]:
    """Whether the option ``keyed`` picks is strictly longest; its length and the next one's."""
    options = _options(data)
    lengths = [len(normalise(o.get("text"))) for o in options]
    mine = [n for o, n in zip(options, lengths, strict=True) if keyed(o)]
    others = [n for o, n in zip(options, lengths, strict=True) if not keyed(o)]
    if len(mine) != 1 or not others:
        return False, 0, 0
    return mine[0] > max(others), mine[0], max(others)


def _is_key(option: Mapping[str, Any]) -> bool:
    return option.get("correct") is True


def _is_best(option: Mapping[str, Any]) -> bool:
    return option.get("grade") == 100


def key_texts(data: Mapping[str, Any]) -> list[str]:
    """The texts that are "the answer": correct options, the best reply, accepted answers."""
    qtype = data.get("type")
    if qtype in ("single", "multiple"):
        return [o["text"] for o in _options(data) if _is_key(o) and isinstance(o.get("text"), str)]
    if qtype == "scenario":
        return [o["text"] for o in _options(data) if _is_best(o) and isinstance(o.get("text"), str)]
    if qtype == "short":
        accepted = data.get("accepted")
        return [a for a in accepted if isinstance(a, str)] if isinstance(accepted, list) else []
    return []


def quote_support(text: str, quotes: Iterable[str]) -> float:
    """Share of the text's character bigrams found in the quotes (0–1; punctuation ignored)."""
    grams = bigrams(_bare(text))
    if not grams:
        return 1.0
    pool: set[str] = set()
    for quote in quotes:
        bare = _bare(quote)
        pool |= bigrams(bare) | set(bare)
    return len(grams & pool) / len(grams)


# ----- per question ---------------------------------------------------------------------------


def _finding(item: Item, code: str, message: str, **args: Any) -> Finding:
    return Finding(item.path, item.line, code, item.key, message, "warning", args)


def question_findings(item: Item, settings: LintSettings) -> list[Finding]:
    """The warnings one question earns on its own (no comparison with other questions)."""
    data = item.data
    qtype = data.get("type")
    found: list[Finding] = []
    if qtype == "single":
        longest, mine, other = _strictly_longest(data, _is_key)
        if longest:
            found.append(
                _finding(
                    item,
                    "key-longest",
                    f"the keyed option is the longest ({mine} characters, the next {other})",
                    length=mine,
                    next=other,
                )
            )
        lengths = [len(normalise(o.get("text"))) for o in _options(data)]
        if (
            lengths
            and min(lengths) > 0
            and max(lengths) / min(lengths) > settings.option_spread_max
        ):
            found.append(
                _finding(
                    item,
                    "option-spread",
                    f"option lengths range from {min(lengths)} to {max(lengths)} characters",
                    shortest=min(lengths),
                    longest=max(lengths),
                )
            )
    if qtype == "scenario":
        longest, mine, other = _strictly_longest(data, _is_best)
        if longest:
            found.append(
                _finding(
                    item,
                    "best-longest",
                    f"the 100-point reply is the longest ({mine} characters, the next {other})",
                    length=mine,
                    next=other,
                )
            )
    found.extend(_absolute_words(item))
    found.extend(_unsupported_key(item, settings))
    return found


def absolute_words_in(text: Any) -> list[str]:
    normal = normalise(text)
    return [word for word in ABSOLUTE_WORDS if word in normal]


def _absolute_words(item: Item) -> list[Finding]:
    data = item.data
    false_texts: list[tuple[int | None, str]] = []  # (option number or None for the stem, text)
    if data.get("type") == "truefalse" and data.get("answer") is False:
        false_texts.append((None, data.get("stem", "")))
    if data.get("type") in ("single", "multiple"):
        for i, option in enumerate(_options(data), 1):
            if not _is_key(option):
                false_texts.append((i, option.get("text", "")))
    found = []
    for option, text in false_texts:
        words = absolute_words_in(text)
        if words:
            where = f"option {option}" if option else "stem"
            found.append(
                _finding(
                    item,
                    "absolute-word",
                    f"the false statement ({where}) says {'、'.join(words)}: a cue that it is false",
                    option=option,
                    words="、".join(words),
                )
            )
    return found


def _unsupported_key(item: Item, settings: LintSettings) -> list[Finding]:
    data = item.data
    quotes = [q.get("quote", "") for q in quotes_of(data)]
    texts = key_texts(data)
    if not quotes or not texts:
        return []
    supports = [quote_support(text, quotes) for text in texts]
    if data.get("type") == "short":
        # Accepted answers are alternatives: the best-supported one speaks for the key.
        weak = [] if max(supports) >= settings.quote_overlap_min else [(texts[0], max(supports))]
    else:
        weak = [
            (t, s) for t, s in zip(texts, supports, strict=True) if s < settings.quote_overlap_min
        ]
    return [
        _finding(
            item,
            "unsupported-key",
            f"only {share:.0%} of the key {_clip(text)!r} is found in its quote(s)",
            share=round(share * 100),
            text=text,
        )
        for text, share in weak
    ]


# ----- across questions -----------------------------------------------------------------------


def leak_texts(data: Mapping[str, Any], settings: LintSettings) -> list[str]:
    """Key texts long enough that finding one in another stem gives the answer away."""
    qtype = data.get("type")
    if qtype == "short":
        least = SHORT_LEAK_MIN_CHARS
    elif qtype in ("single", "multiple"):
        least = settings.leak_min_chars
    else:
        return []
    texts = [normalise(t) for t in key_texts(data)]
    return sorted({t for t in texts if len(t) >= least})


def leaks(items: Sequence[Item], settings: LintSettings) -> list[Finding]:
    """A key of one question written word for word in another question's stem (same bank); one
    finding per pair of questions, naming the longest text found. A pair that ``excludes`` each
    other (either way round) is never drawn into one attempt, so it is no leak."""
    stems = [(other, normalise(other.data.get("stem"))) for other in items]
    found = []
    for item in items:
        texts = leak_texts(item.data, settings)
        for other, stem in stems:
            inside = [text for text in texts if text in stem]
            if other is not item and inside and not _excluded(item, other):
                text = max(inside, key=len)
                found.append(
                    _finding(
                        item,
                        "leak",
                        f"its answer {text!r} is written in the stem of {other.key}",
                        other=other.key,
                        text=text,
                    )
                )
    return found


def _excluded(a: Item, b: Item) -> bool:
    return b.key in (a.data.get("excludes") or ()) or a.key in (b.data.get("excludes") or ())


def stem_ratio(
    a: str, b: str, settings: LintSettings, grams: tuple[set, set] | None = None
) -> float:
    """difflib's ratio of two normalised stems, or 0 when cheap bounds show it is under the bar:
    the ratio is 2M/(|a|+|b|) ≤ 2·min/(|a|+|b|), and near-copies share most character bigrams."""
    if not a or not b or 2 * min(len(a), len(b)) / (len(a) + len(b)) < settings.clone_ratio:
        return 0.0
    grams_a, grams_b = grams or (bigrams(a), bigrams(b))
    if 2 * len(grams_a & grams_b) / (len(grams_a) + len(grams_b)) < settings.clone_ratio / 2:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _clone(item: Item, other: Item, ratio: float) -> Finding:
    where = other.key if other.path == item.path else f"{other.key} ({other.path})"
    return _finding(
        item,
        "clone",
        f"its stem is {ratio:.0%} like the stem of {where}",
        other=other.key,
        other_path=other.path,
        ratio=round(ratio * 100),
    )


def clones(
    items: Sequence[Item], settings: LintSettings, paths: Collection[str] | None = None
) -> list[Finding]:
    """Near-duplicate stems (difflib ratio ≥ ``clone_ratio`` on NFKC stems).

    Within a bank the later question of a pair is reported; across banks both are, each in its
    own bank, so every bank's report shows its own clones. With ``paths``, only the pairs with a
    question in one of those banks are compared (a bank's page needs its own clones, not every
    pair of the library: n·N comparisons instead of N²/2).
    """
    stems = [normalise(item.data.get("stem")) for item in items]
    grams = [bigrams(s) for s in stems]
    found = []
    for i, j in _pairs(items, paths):
        ratio = stem_ratio(stems[i], stems[j], settings, (grams[i], grams[j]))
        if ratio < settings.clone_ratio:
            continue
        first, second = items[i], items[j]
        found.append(_clone(second, first, ratio))
        if first.path != second.path:
            found.append(_clone(first, second, ratio))
    return found


def _pairs(items: Sequence[Item], paths: Collection[str] | None) -> Iterator[tuple[int, int]]:
    """Every pair of positions (i < j), or those with an item of ``paths``, in the same order."""
    mine = [k for k, item in enumerate(items) if paths is None or item.path in paths]
    chosen = set(mine)
    for i in range(len(items)):
        for j in range(i + 1, len(items)) if i in chosen else mine:
            if j > i:
                yield i, j


# ----- per bank -------------------------------------------------------------------------------


def _share(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def blind_guess(items: Sequence[Item]) -> float:
    """What a guesser who never read the course scores, on average over ALL the bank's questions:
    single → pick the longest option; true/false → always answer the bank's majority key;
    scenario → pick the longest reply; every other type → 0."""
    if not items:
        return 0.0
    answers = [i.data.get("answer") for i in items if i.data.get("type") == "truefalse"]
    trues, falses = answers.count(True), answers.count(False)
    total = 0.0
    for item in items:
        qtype = item.data.get("type")
        if qtype == "single":
            total += keyed_longest(item.data)
        elif qtype == "truefalse":
            mine = trues if item.data.get("answer") is True else falses
            other = falses if item.data.get("answer") is True else trues
            total += 1.0 if mine > other else (0.5 if mine == other else 0.0)
        elif qtype == "scenario":
            total += best_reply_longest(item.data)
    return total / len(items)


def summarise(path: str, items: Sequence[Item], findings: Sequence[Finding]) -> BankSummary:
    of = {
        t: [i.data for i in items if i.data.get("type") == t]
        for t in ("single", "truefalse", "scenario")
    }
    return BankSummary(
        path=path,
        questions=len(items),
        single=len(of["single"]),
        single_longest=_share(
            [1.0 if _strictly_longest(d, _is_key)[0] else 0.0 for d in of["single"]]
        ),
        truefalse=len(of["truefalse"]),
        true_share=_share([1.0 if d.get("answer") is True else 0.0 for d in of["truefalse"]]),
        scenario=len(of["scenario"]),
        scenario_longest=_share(
            [1.0 if _strictly_longest(d, _is_best)[0] else 0.0 for d in of["scenario"]]
        ),
        blind_guess=blind_guess(items),
        leaks=sum(1 for f in findings if f.code == "leak"),
        clones=sum(1 for f in findings if f.code == "clone"),
    )


def _bar(value: float, bar: float) -> dict[str, int]:
    return {"value": round(value * 100), "bar": round(bar * 100)}


def bank_errors(summary: BankSummary, settings: LintSettings) -> list[Finding]:
    """One error per bank-level bar the bank fails."""
    bars = []
    if summary.single_longest is not None and summary.single_longest > settings.single_longest_max:
        bars.append(
            (
                "bank-single-longest",
                f"{summary.single_longest:.0%} of single-choice questions are keyed on the "
                f"strictly longest option (bar: {settings.single_longest_max:.0%})",
                _bar(summary.single_longest, settings.single_longest_max),
            )
        )
    if summary.true_share is not None and not (
        settings.true_share_min <= summary.true_share <= settings.true_share_max
    ):
        bars.append(
            (
                "bank-true-share",
                f"{summary.true_share:.0%} of true/false questions are keyed True "
                f"(bar: {settings.true_share_min:.0%}–{settings.true_share_max:.0%})",
                {
                    "value": round(summary.true_share * 100),
                    "low": round(settings.true_share_min * 100),
                    "high": round(settings.true_share_max * 100),
                },
            )
        )
    if (
        summary.scenario_longest is not None
        and summary.scenario_longest > settings.scenario_longest_max
    ):
        bars.append(
            (
                "bank-scenario-longest",
                f"{summary.scenario_longest:.0%} of scenarios have the 100-point reply as the "
                f"strictly longest (bar: {settings.scenario_longest_max:.0%})",
                _bar(summary.scenario_longest, settings.scenario_longest_max),
            )
        )
    if summary.blind_guess > settings.blind_guess_max:
        bars.append(
            (
                "bank-blind-guess",
                f"a blind guesser (longest option, majority true/false key, longest reply) "
                f"scores {summary.blind_guess:.0%} (bar: {settings.blind_guess_max:.0%})",
                _bar(summary.blind_guess, settings.blind_guess_max),
            )
        )
    summary.failed = [code for code, *_ in bars]
    return [
        Finding(summary.path, 1, code, "", message, "error", args) for code, message, args in bars
    ]


def lint_banks(
    banks: Mapping[str, Sequence[Item]],
    settings: LintSettings | None = None,
    paths: Collection[str] | None = None,
) -> dict[str, BankReport]:
    """Lint every bank (keyed by path), or only those of ``paths`` (each against all the others,
    as in the whole run): per-question checks, leaks and clones within each bank, clones across
    banks, then the bank's figures and bars."""
    settings = settings or LintSettings()
    everything = [item for items in banks.values() for item in items]
    cloned: dict[str, list[Finding]] = {}
    for finding in clones(everything, settings, paths):
        cloned.setdefault(finding.path, []).append(finding)
    reports = {}
    for path, items in banks.items():
        if paths is not None and path not in paths:
            continue
        findings = [f for item in items for f in question_findings(item, settings)]
        findings += leaks(items, settings) + cloned.get(path, [])
        summary = summarise(path, items, findings)
        findings = sorted(findings) + bank_errors(summary, settings)
        reports[path] = BankReport(summary, findings)
    return reports


def lint_question(
    item: Item, bank: Sequence[Item], settings: LintSettings | None = None
) -> list[Finding]:
    """The warnings for one question among ``bank`` (the course's other questions): its own
    checks, its key written in another stem (``leak``), another key written in its stem
    (``gives-away``), and stems it nearly repeats (``clone``)."""
    settings = settings or LintSettings()
    others = [other for other in bank if other.key != item.key]
    found = question_findings(item, settings)
    found += [f for f in leaks([item, *others], settings) if f.key == item.key]
    stem = normalise(item.data.get("stem"))
    for other in others:
        inside = [text for text in leak_texts(other.data, settings) if text in stem]
        if inside:
            text = max(inside, key=len)
            found.append(
                _finding(
                    item,
                    "gives-away",
                    f"its stem gives away the answer {text!r} of {other.key}",
                    other=other.key,
                    text=text,
                )
            )
        ratio = stem_ratio(stem, normalise(other.data.get("stem")), settings)
        if ratio >= settings.clone_ratio:
            found.append(_clone(item, other, ratio))
    return found


def lint_library(lib: Library, settings: LintSettings | None = None) -> dict[str, BankReport]:
    """Every loaded bank of a content tree, keyed by course slug."""
    reports = lint_banks({bank.path: items_of(bank) for bank in lib.banks.values()}, settings)
    return {slug: reports[bank.path] for slug, bank in lib.banks.items()}


# ----- the summary table ----------------------------------------------------------------------

TABLE_HEADER = ("bank", "questions", "single longest-keyed", "true share", "scenario best-longest",
                "blind guess", "leaks", "clones", "bars")  # fmt: skip


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def summary_rows(summaries: Iterable[BankSummary]) -> list[tuple[str, ...]]:
    """One row per bank for :data:`TABLE_HEADER`; a share is "—" when the bank has no such type."""
    return [
        (
            s.path,
            str(s.questions),
            f"{_percent(s.single_longest)} of {s.single}",
            f"{_percent(s.true_share)} of {s.truefalse}",
            f"{_percent(s.scenario_longest)} of {s.scenario}",
            _percent(s.blind_guess),
            str(s.leaks),
            str(s.clones),
            "ok"
            if not s.failed
            else "FAIL " + ", ".join(c.removeprefix("bank-") for c in s.failed),
        )
        for s in summaries
    ]


def format_table(rows: Sequence[Sequence[str]], header: Sequence[str] = TABLE_HEADER) -> list[str]:
    """Plain-text columns (Chinese characters count double), for a terminal."""
    table = [tuple(header), *map(tuple, rows)]
    widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
    return [
        "  ".join(
            cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)
        ).rstrip()
        for row in table
    ]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
