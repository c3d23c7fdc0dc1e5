"""The 题库 spreadsheet ⇄ our question data: one row per question, as Chinese exam platforms keep it.

The file is an ``.xlsx`` workbook (first sheet) or a CSV in UTF-8 (with or without BOM), UTF-16 or
GBK; it is read by :func:`lms.sheets.read_rows`, the one spreadsheet reader (the staff import's
too), with the same zip-bomb and row limits. The header is the first row naming
both 题型 and 题干 among the first ten (a title row above it is noted and skipped), else the first
non-empty row; columns are recognised by name or alias, in any order; unknown columns are noted and
not read.
Every problem is ``line N: …`` with N the spreadsheet row.

==========================  =====================================  ===============================
column (aliases)            holds                                  notes
==========================  =====================================  ===============================
题型 (题目类型, 类型)         单选题 多选题 判断题 填空题 排序题        问答题/简答题/论述题 are
                            数值题, and ours: 配对题 情境题          skipped with their row
题干 (题目, 试题内容)         the question
选项A … 选项H (A … H)        options, steps or pairs                 more letters (选项I …) if needed
答案 (正确答案, 参考答案)     see below
解析 (答案解析, 试题解析)     general feedback                        optional
难度 (难易度)                易/中/难 or 1–3                          default 中 (2)
章节 (所属章节)              ``lesson#anchor``                       default: the importer's
编号 (题目编号, ID)           the question's id                       default: made from the stem
分值 (选项分值)              per-option weights ``50｜50｜-100`` or   multiple (uneven weights),
                            grades ``100｜50｜0``                      情境题 (required)
选项A解析 … 选项H解析         feedback on one option                  optional
来源 (出处)                  JSON: ``{"file", "quote"}``, a list of   optional
                            them, or ``{"source": …, "sources": …}``
==========================  =====================================  ===============================

答案 by type: 单选题 one letter (``B``); 多选题 the letters (``ABD``, ``A,B,D``); 判断题 对/错,
正确/错误, √/×, T/F; 填空题 the accepted texts separated by ``｜`` or ``|``, a text written
``%50%锻炼`` earns that share; **排序题 the option letters in the right order** (``CABD``: option C is
the first step), so the options themselves may stand in any order, as on a paper test;
数值题 numbers separated by ``｜``, each ``8``, ``8±1`` (or ``8+-1``) or a range ``3.141..3.142``,
with an optional ``%50%`` share; 配对题 needs no 答案: each option is ``左项｜右项``, and an option
``｜右项`` (empty left) is a distractor; 情境题 the best reply's letter, with 分值.

Export writes the same layout (:func:`to_sheet_rows`, :func:`to_xlsx`), every text cell that
starts with ``= + - @`` given a leading apostrophe as the plan's exports do (the reader takes it off
again), so a bank makes the round trip through Excel.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from lms import xlsx
from lms.quizzes.interchange.common import (
    DEFAULT_DIFFICULTY,
    Budget,
    Limits,
    ParsedQuestion,
    ParseResult,
    Problem,
    Skipped,
    canonical,
    default_shares,
    generated_id,
    id_from_title,
    weight_text,
    whole_number,
)
from lms.sheets import DEFAULT_MAX_ROWS, FileUnreadable, read_rows

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
HEADER_SEARCH = 10  # rows in which the header is looked for
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # as lms.plan.exports
SEPARATOR_RE = re.compile(r"\s*[|｜]\s*")
SHARE_RE = re.compile(r"^%(-?[0-9]{1,3}(?:\.[0-9]+)?)%\s*")
NUMBER = r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
TOLERANCE_RE = re.compile(rf"^({NUMBER})\s*(?:(?:±|\+-|\+/-)\s*({NUMBER}))?$")
RANGE_RE = re.compile(rf"^({NUMBER})\s*(?:\.\.|～|~|至)\s*({NUMBER})$")
HEADERS = {
    "编号": "id", "题目编号": "id", "试题编号": "id", "id": "id",
    "题型": "type", "题目类型": "type", "试题类型": "type", "类型": "type",
    "题干": "stem", "题目": "stem", "试题内容": "stem", "题目内容": "stem",
    "答案": "answer", "正确答案": "answer", "参考答案": "answer", "标准答案": "answer",
    "解析": "feedback", "答案解析": "feedback", "试题解析": "feedback",
    "难度": "difficulty", "难易度": "difficulty", "难易程度": "difficulty",
    "章节": "section", "所属章节": "section",
    "分值": "weights", "选项分值": "weights",
    "来源": "sources", "出处": "sources",
}  # fmt: skip
OPTION_RE = re.compile(r"^(?:选项\s*)?([A-Z])$")
OPTION_FEEDBACK_RE = re.compile(r"^选项\s*([A-Z])\s*解析$")
TYPES = {
    "单选题": "single", "单选": "single", "单项选择题": "single",
    "多选题": "multiple", "多选": "multiple", "多项选择题": "multiple",
    "判断题": "truefalse", "判断": "truefalse",
    "填空题": "short", "填空": "short",
    "排序题": "ordering", "排序": "ordering",
    "数值题": "numerical", "数值": "numerical",
    "配对题": "matching", "匹配题": "matching", "连线题": "matching",
    "情境题": "scenario", "情景题": "scenario",
}  # fmt: skip
ESSAY = ("问答题", "简答题", "论述题", "主观题")
NAMES = {
    "single": "单选题", "multiple": "多选题", "truefalse": "判断题", "short": "填空题",
    "ordering": "排序题", "numerical": "数值题", "matching": "配对题", "scenario": "情境题",
}  # fmt: skip
TRUTH = {
    "对": True, "正确": True, "√": True, "✓": True, "✔": True, "是": True, "t": True,
    "true": True, "yes": True, "y": True,
    "错": False, "错误": False, "×": False, "✗": False, "✘": False, "否": False, "f": False,
    "false": False, "no": False, "n": False,
}  # fmt: skip
DIFFICULTY = {"易": 1, "简单": 1, "容易": 1, "中": 2, "中等": 2, "一般": 2, "难": 3, "困难": 3}
DIFFICULTY_NAMES = {1: "易", 2: "中", 3: "难"}
# The spreadsheet reader's refusals (``FileUnreadable.reason``), worded for a question sheet.
UNREADABLE = {
    "xls": "this is an old Excel .xls workbook; save it as .xlsx or as CSV UTF-8",
    "workbook": "the workbook cannot be read ({error}); save it again as .xlsx or as CSV UTF-8",
    "unpacked": (
        "the workbook unpacks to more than {bytes} bytes; save it again as .xlsx or as CSV "
        "UTF-8, or split it"
    ),
    "declared_rows": (
        "the sheet declares {rows} rows; a question sheet may have at most {max} rows "
        "(limit: LMS_IMPORT_MAX_QUESTIONS); split it into smaller files"
    ),
    "too_many_rows": (
        "a question sheet may have at most {max} rows (limit: LMS_IMPORT_MAX_QUESTIONS); "
        "split it into smaller files"
    ),
    "encoding": (
        'the file is neither UTF-8 nor GBK text; in Excel, save it as "CSV UTF-8 (Comma '
        'delimited)" or as "Excel Workbook (.xlsx)"'
    ),
    "csv": "the CSV cannot be read: {error}",
}
LIMIT_REASONS = ("declared_rows", "too_many_rows")
GBK_NOTE = (
    "the file was read as GBK/GB18030 (the encoding Chinese Excel saves CSV in); check in the "
    "preview that the texts are right"
)


def _plain(cell: str) -> str:
    """A cell as its text: the apostrophe an export put before ``=`` (and the like) comes off."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_STARTS:
        return cell[1:]
    return cell


def _header_name(cell: str) -> str:
    name = unicodedata.normalize("NFKC", cell).strip().lstrip("\ufeff").replace(" ", "")
    upper = name.upper()
    if match := OPTION_RE.match(upper):
        return f"option:{match.group(1)}"
    if match := OPTION_FEEDBACK_RE.match(upper):
        return f"option_feedback:{match.group(1)}"
    return HEADERS.get(name.lower() if name.isascii() else name, "")


def parse_sheet(raw: bytes, limits: Limits | None = None) -> ParseResult:
    """Parse a 题库 spreadsheet (xlsx or CSV bytes); nothing raises on bad input."""
    limits = limits or Limits()
    result = ParseResult(budget=Budget(limits))
    try:
        rows, read_notes = read_rows(raw, limits.max_questions or DEFAULT_MAX_ROWS)
    except FileUnreadable as exc:
        # The reader is the staff import's, and words its refusal in the reader's language: the
        # sheet words it again, in the parsers' stable English, for questions.
        wording = UNREADABLE.get(exc.reason)
        if wording is None:
            message = "the file cannot be read as a spreadsheet"
        else:
            message = wording.format(**exc.values)
        result.problem(exc.line, message)
        result.stopped = exc.reason in LIMIT_REASONS  # the rest of the file was not read
        return result.finish()
    except Exception as exc:  # noqa: BLE001 (a damaged file must be a problem, never a 500)
        result.problem(1, f"the file cannot be read as a spreadsheet ({type(exc).__name__})")
        return result.finish()
    if read_notes:  # the reader's one note: a CSV that is not UTF-8 was read as GBK
        result.notes.append(Problem(1, GBK_NOTE))
    while rows and not any(c.strip() for c in rows[0][1]):
        rows.pop(0)
    if not rows:
        result.problem(1, "the file is empty: the first row names the columns (题型, 题干, …)")
        return result.finish()
    # A title row (「服务礼仪题库」) above the header is common: the header is the first of the
    # first rows that names both 题型 and 题干; the rows above it are noted, not read.
    for at, (_line, first) in enumerate(rows[:HEADER_SEARCH]):
        names = {_header_name(c) for c in first}
        if {"type", "stem"} <= names:
            for line, _cells in rows[:at]:
                if any(c.strip() for c in _cells):
                    result.notes.append(Problem(line, "a row above the header is not read"))
            rows = rows[at:]
            break
    header_line, cells = rows[0]
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = _header_name(cell)
        if not cell.strip():
            continue
        if not name:
            result.notes.append(Problem(header_line, f"column {cell.strip()!r} is not read"))
        elif name in columns:
            result.problem(header_line, f"column {cell.strip()!r} is given twice")
        else:
            columns[name] = index
    missing = [label for name, label in (("type", "题型"), ("stem", "题干")) if name not in columns]
    if missing:
        result.problem(header_line, f"missing column(s): {', '.join(missing)}")
    if result.problems:
        return result.finish()
    for line, cells in rows[1:]:
        row = {
            name: _plain(cells[i]).strip() if i < len(cells) else "" for name, i in columns.items()
        }
        if not any(row.values()):
            continue
        if not result.next_question(line):
            break
        _row(line, row, result)
    return result.finish()


def _options(row: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(letter, text, feedback) of each filled option column, in letter order."""
    found = []
    for letter in LETTERS:
        text = row.get(f"option:{letter}", "")
        feedback = row.get(f"option_feedback:{letter}", "")
        if text or feedback:
            found.append((letter, text, feedback))
    return found


def _letters(answer: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", answer).upper()
    return [c for c in folded if not c.isspace() and c not in ",，、;；/|｜"]


def _row(line: int, row: dict[str, str], result: ParseResult) -> None:
    raw_type = unicodedata.normalize("NFKC", row["type"]).strip()
    if raw_type in ESSAY:
        result.skipped.append(Skipped(line, "essay"))
        return
    qtype = TYPES.get(raw_type) or (raw_type.lower() if raw_type.lower() in NAMES else None)
    if qtype is None:
        result.problem(
            line, f"题型 {raw_type or '(empty)'!r} is not one of {'、'.join(TYPES_SHOWN)}"
        )
        return
    before = len(result.problems)
    data: dict[str, Any] = {"type": qtype}
    options = _options(row)
    answer = row.get("answer", "")
    try:
        _TYPE_READERS[qtype](data, options, answer, row.get("weights", ""), line, result)
    except _RowProblem as exc:
        result.problem(line, f"{exc.column}: {exc}")
        return
    if len(result.problems) > before:
        return
    stem = row["stem"]
    key = row.get("id", "")
    data["id"] = id_from_title(key) if key else generated_id(stem or f"{qtype}-{line}")
    level = unicodedata.normalize("NFKC", row.get("difficulty", "")).strip()
    if not level:
        data["difficulty"] = DEFAULT_DIFFICULTY
    elif level in DIFFICULTY:
        data["difficulty"] = DIFFICULTY[level]
    elif level in ("1", "2", "3"):
        data["difficulty"] = int(level)
    else:
        result.problem(line, f"难度: {level!r} is not 易/中/难 or 1–3")
        return
    if row.get("section"):
        data["section"] = row["section"]
    data["stem"] = stem
    if row.get("feedback"):
        data["feedback"] = row["feedback"]
    if row.get("sources"):
        if not _sources(data, row["sources"]):
            result.problem(
                line, '来源: must be JSON: {"file": "…", "quote": "…"} or a list of them'
            )
            return
    result.questions.append(ParsedQuestion(data=canonical(data), line=line, id_generated=not key))


TYPES_SHOWN = ("单选题", "多选题", "判断题", "填空题", "排序题", "数值题", "配对题", "情境题")


class _RowProblem(ValueError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


def _sources(data: dict[str, Any], text: str) -> bool:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return False
    if isinstance(value, list):
        data["sources"] = value
    elif isinstance(value, dict) and ("source" in value or "sources" in value):
        for key in ("source", "sources"):
            if key in value:
                data[key] = value[key]
    elif isinstance(value, dict):
        data["source"] = value
    else:
        return False
    return True


def _shares(text: str, count: int, column: str = "分值") -> list[float]:
    parts = [p for p in SEPARATOR_RE.split(text.strip()) if p] if text.strip() else []
    if len(parts) != count:
        raise _RowProblem(column, f"needs {count} values separated by ｜, one per option")
    values = []
    for part in parts:
        value = _float(part.rstrip("%"))
        if value is None:
            raise _RowProblem(column, f"{part!r} is not a number")
        values.append(value)
    return values


def _float(text: str) -> float | None:
    try:
        value = float(unicodedata.normalize("NFKC", text).strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _choice_options(
    options: list[tuple[str, str, str]], chosen: Sequence[str], result_type: str
) -> list[dict[str, Any]]:
    letters = [letter for letter, _, _ in options]
    unknown = [c for c in chosen if c not in letters]
    if unknown:
        raise _RowProblem(
            "答案", f"{''.join(unknown)} is not one of the options {''.join(letters)}"
        )
    out = []
    for letter, text, feedback in options:
        option: dict[str, Any] = {"text": text}
        if result_type != "scenario" and letter in chosen:
            option["correct"] = True
        if feedback:
            option["feedback"] = feedback
        out.append(option)
    return out


def _single(data, options, answer, weights, line, result) -> None:  # noqa: ANN001
    chosen = _letters(answer)
    if len(chosen) != 1:
        raise _RowProblem(
            "答案", f"a 单选题 has one letter as its answer, not {answer or '(empty)'!r}"
        )
    data["options"] = _choice_options(options, chosen, "single")


def _multiple(data, options, answer, weights, line, result) -> None:  # noqa: ANN001
    chosen = _letters(answer)
    if not chosen:
        raise _RowProblem("答案", "a 多选题 lists its right letters, e.g. ABD")
    data["options"] = _choice_options(options, chosen, "multiple")
    if weights.strip():  # even shares are what unweighted grading gives: only others are kept
        shares = _shares(weights, len(options))
        if not default_shares(shares):
            for option, share in zip(data["options"], shares, strict=True):
                option["weight"] = whole_number(share)


def _scenario(data, options, answer, weights, line, result) -> None:  # noqa: ANN001
    chosen = _letters(answer)
    grades = _shares(weights, len(options))
    data["options"] = _choice_options(options, chosen, "scenario")
    for option, grade in zip(data["options"], grades, strict=True):
        option["grade"] = whole_number(grade)
    best = [letter for (letter, _, _), g in zip(options, grades, strict=True) if g == 100]
    if chosen and chosen != best:
        raise _RowProblem(
            "答案", f"the best reply is {''.join(best) or 'none'} by 分值, not {answer}"
        )


def _truefalse(data, options, answer, weights, line, result) -> None:  # noqa: ANN001
    key = unicodedata.normalize("NFKC", answer).strip().lower()
    if key not in TRUTH:
        raise _RowProblem("答案", f"a 判断题 is answered 对 or 错 (正确/错误, √/×), not {answer!r}")
    data["answer"] = TRUTH[key]


def _short(data, options, answer, weights, line, result) -> None:  # noqa: ANN001
    accepted, partial = [], []
    for part in SEPARATOR_RE.split(answer.strip()):
        if not part:
            continue
        match = SHARE_RE.match(part)
        if match:
            share, text = float(match.group(1)), part[match.end() :]
            if share >= 100:
                accepted.append(text)
            elif share > 0:
                partial.append({"text": text, "weight": whole_number(share)})
        else:
            accepted.append(part)
    if not accepted:
        raise _RowProblem("答案", "a 填空题 needs at least one accepted answer")
    data["accepted"] = accepted
    if partial:
        data["partial"] = partial


def _ordering(data, options, answer, weights, line, result) -> None:  # noqa: ANN001
    chosen = _letters(answer)
    letters = [letter for letter, _, _ in options]
    if sorted(chosen) != sorted(letters):
        raise _RowProblem(
            "答案",
            f"a 排序题 lists every option letter once in the right order, e.g. "
            f"{''.join(reversed(letters)) or 'CABD'}; not {answer or '(empty)'!r}",
        )
    texts = {letter: text for letter, text, _ in options}
    data["steps"] = [texts[letter] for letter in chosen]


def _matching(data, options, answer, weights, line, result) -> None:  # noqa: ANN001
    pairs, distractors = [], []
    for letter, text, _ in options:
        parts = SEPARATOR_RE.split(text, maxsplit=1)
        if len(parts) != 2:
            raise _RowProblem(
                f"选项{letter}", "a 配对题 option is 左项｜右项 (｜右项 for a distractor)"
            )
        left, right = parts[0].strip(), parts[1].strip()
        if left:
            pairs.append({"left": left, "right": right})
        else:
            distractors.append(right)
    data["pairs"] = pairs
    if distractors:
        data["distractors"] = distractors


def _numerical(data, options, answer, weights, line, result) -> None:  # noqa: ANN001
    answers = []
    for part in SEPARATOR_RE.split(answer.strip()):
        if not part:
            continue
        item: dict[str, Any] = {}
        match = SHARE_RE.match(part)
        if match:
            item["weight"] = whole_number(float(match.group(1)))
            part = part[match.end() :]
        text = unicodedata.normalize("NFKC", part).strip()
        if m := RANGE_RE.match(text):
            low, high = float(m.group(1)), float(m.group(2))
            answers.append({"min": whole_number(low), "max": whole_number(high), **item})
        elif m := TOLERANCE_RE.match(text):
            value = {"value": whole_number(float(m.group(1)))}
            if m.group(2) is not None and float(m.group(2)):
                value["tolerance"] = whole_number(float(m.group(2)))
            answers.append({**value, **item})
        else:
            raise _RowProblem("答案", f"{part!r} is not a number, 8±1 or a range 3.14..3.15")
    if not answers:
        raise _RowProblem("答案", "a 数值题 needs at least one number")
    data["answers"] = answers


_TYPE_READERS = {
    "single": _single,
    "multiple": _multiple,
    "scenario": _scenario,
    "truefalse": _truefalse,
    "short": _short,
    "ordering": _ordering,
    "matching": _matching,
    "numerical": _numerical,
}


# ---------------------------------------------------------------------------------------------
# Writing


def neutralise(value: Any) -> Any:
    """A text cell that Excel or WPS would run as a formula, with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cells(question: Mapping[str, Any]) -> dict[str, str]:
    qtype = question["type"]
    cells = {
        "编号": question["id"],
        "题型": NAMES[qtype],
        "题干": question["stem"],
        "解析": question.get("feedback") or "",
        "难度": DIFFICULTY_NAMES.get(question.get("difficulty", DEFAULT_DIFFICULTY), ""),
        "章节": question.get("section") or "",
    }
    options = question.get("options") or []
    items: list[str] = []
    if qtype in ("single", "multiple", "scenario"):
        items = [o["text"] for o in options]
        for letter, option in zip(LETTERS, options, strict=False):
            if option.get("feedback"):
                cells[f"选项{letter}解析"] = option["feedback"]
        if qtype == "scenario":
            cells["答案"] = "".join(
                letter for letter, o in zip(LETTERS, options, strict=False) if o["grade"] == 100
            )
            cells["分值"] = "｜".join(weight_text(o["grade"]) for o in options)
        else:
            cells["答案"] = "".join(
                letter
                for letter, o in zip(LETTERS, options, strict=False)
                if o.get("correct") is True
            )
            if any("weight" in o for o in options):
                cells["分值"] = "｜".join(weight_text(o["weight"]) for o in options)
    elif qtype == "truefalse":
        cells["答案"] = "对" if question["answer"] else "错"
    elif qtype == "short":
        parts = list(question["accepted"])
        parts += [f"%{weight_text(p['weight'])}%{p['text']}" for p in question.get("partial") or []]
        cells["答案"] = "｜".join(parts)
    elif qtype == "ordering":
        items = list(question["steps"])
        cells["答案"] = LETTERS[: len(items)]
    elif qtype == "matching":
        items = [f"{p['left']}｜{p['right']}" for p in question["pairs"]]
        items += [f"｜{d}" for d in question.get("distractors") or []]
    elif qtype == "numerical":
        parts = []
        for item in question["answers"]:
            share = f"%{weight_text(item['weight'])}%" if "weight" in item else ""
            if "min" in item:
                parts.append(f"{share}{weight_text(item['min'])}..{weight_text(item['max'])}")
            elif item.get("tolerance"):
                parts.append(
                    f"{share}{weight_text(item['value'])}±{weight_text(item['tolerance'])}"
                )
            else:
                parts.append(f"{share}{weight_text(item['value'])}")
        cells["答案"] = "｜".join(parts)
    else:
        raise ValueError(f"cannot write a {qtype!r} question as a sheet row")
    if len(items) > len(LETTERS):
        raise ValueError(f"{question['id']}: more than {len(LETTERS)} options")
    for letter, text in zip(LETTERS, items, strict=False):
        cells[f"选项{letter}"] = text
    sources = {k: question[k] for k in ("source", "sources") if question.get(k) is not None}
    if sources:
        value = next(iter(sources.values())) if len(sources) == 1 else sources
        cells["来源"] = json.dumps(value, ensure_ascii=False)
    return cells


def to_sheet_rows(questions: Iterable[Mapping[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the 题库 layout; options A–D always, more columns only when used."""
    cells = [_cells(q) for q in questions]
    width = max([4, *(sum(1 for k in c if re.fullmatch("选项[A-Z]", k)) for c in cells)])
    header = ["编号", "题型", "题干", *(f"选项{x}" for x in LETTERS[:width])]
    header += ["答案", "解析", "难度", "章节"]
    if any("分值" in c for c in cells):
        header.append("分值")
    feedback_width = max(
        [
            0,
            *(
                LETTERS.index(k[2]) + 1
                for c in cells
                for k in c
                if k.endswith("解析") and len(k) == 5
            ),
        ]
    )
    header += [f"选项{x}解析" for x in LETTERS[:feedback_width]]
    if any("来源" in c for c in cells):
        header.append("来源")
    rows = [[neutralise(c.get(name, "")) for name in header] for c in cells]
    return [neutralise(h) for h in header], rows


def to_xlsx(questions: Iterable[Mapping[str, Any]], sheet_name: str = "题库") -> bytes:
    """The questions as a 题库 workbook (one sheet, bold frozen header)."""
    header, rows = to_sheet_rows(questions)
    return xlsx.workbook(header, rows, sheet_name)


TEMPLATE_QUESTIONS: tuple[dict[str, Any], ...] = (
    {"id": "", "type": "single", "difficulty": 1, "stem": "患者进门时，窗口人员首先应当怎样做？",
     "options": [{"text": "起身或抬头微笑问候", "correct": True}, {"text": "继续低头录入"},
                 {"text": "示意患者排队等候"}],
     "feedback": "先问候，让患者知道自己被看见了。"},
    {"id": "", "type": "multiple", "difficulty": 2, "stem": "以下哪些属于文明用语？",
     "options": [{"text": "请", "correct": True}, {"text": "谢谢", "correct": True},
                 {"text": "喂"}, {"text": "不知道"}]},
    {"id": "", "type": "truefalse", "difficulty": 1, "stem": "首问负责制要求第一位接待的员工负责到底。",
     "answer": True},
    {"id": "", "type": "short", "difficulty": 2, "stem": "保持健康的好习惯是每天____。",
     "accepted": ["运动"], "partial": [{"text": "锻炼", "weight": 50}]},
    {"id": "", "type": "ordering", "difficulty": 2, "stem": "把处理投诉的步骤按先后排好。",
     "steps": ["倾听", "致歉", "解决", "跟进"]},
)  # fmt: skip


def template_xlsx() -> bytes:
    """The downloadable template: the header and one example row per common type."""
    header, rows = to_sheet_rows(
        [{**q, "id": f"example-{n}"} for n, q in enumerate(TEMPLATE_QUESTIONS, 1)]
    )
    for row in rows:
        row[0] = ""  # the template's examples carry no id: one is made from the stem
    # An ordering example written as on paper: options out of order, 答案 the right order.
    order = header.index("答案")
    ordering = rows[-1]
    steps = [ordering[header.index(f"选项{x}")] for x in "ABCD"]
    for letter, text in zip("ABCD", [steps[2], steps[0], steps[3], steps[1]], strict=True):
        ordering[header.index(f"选项{letter}")] = text
    ordering[order] = "BDAC"
    return xlsx.workbook(header, rows, "题库")


__all__ = [
    "neutralise",
    "parse_sheet",
    "template_xlsx",
    "to_sheet_rows",
    "to_xlsx",
]
