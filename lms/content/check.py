"""``check-content``: the loader's rules plus the editorial ones (quotes traceable, no web debris)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from lms.content.library import Library, load_library
from lms.content.typography import check_typography
from lms.formats.errors import ContentError

# Web-page debris found in the seed documents; none of it may reach a lesson or a question.
DEBRIS_PATTERNS = [
    (re.compile(r"https?://|www\.|\.com\b|\.cn\b", re.I), "a URL or site address"),
    (re.compile(r"物业经理人|装配图|原创力|book118|pmceo|zhuangpeitu|雅康", re.I), "a site or brand name"),
    (re.compile(r"下载|上传|VIP|版权|举报|收藏|备案|展开阅读全文|温馨提示|文档贡献者|小编"), "a web-page notice"),
    (re.compile(r"第\s*\d+\s*页|共\s*\d+\s*页"), "a page counter"),
    (re.compile(r"&n|bsp;|&nbsp|©|\ufffd|[\ue000-\uf8ff]"), "a garbled fragment"),
]  # fmt: skip


def normalise(text: str) -> str:
    """Quotes match after NFKC (full-/half-width, radicals) and with all whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@cache
def _seed_text(path: Path) -> str:
    return normalise(path.read_text(encoding="utf-8", errors="replace"))


def check_library(
    lib: Library, seeds_dir: Path | None, *, typography: bool = False
) -> list[ContentError]:
    """Every fault of the content tree; ``typography`` adds the Chinese punctuation check."""
    errors = list(lib.errors)
    if typography:
        errors.extend(check_typography(lib))
    for course in lib.courses:
        for lesson in course.lessons:
            for source, line in zip(lesson.sources, lesson.source_lines, strict=True):
                errors.extend(_check_quote(lesson.path, line, source, seeds_dir))
            texts = [(1, lesson.title), *((1, o) for o in lesson.objectives)]
            for offset, body_line in enumerate(lesson.body_markdown.split("\n")):
                texts.append((lesson.body_line + offset, body_line))
            errors.extend(_check_debris(lesson.path, texts))
        errors.extend(_check_debris(course.path, [(1, course.title), (1, course.summary)]))
    for bank in lib.banks.values():
        for q in bank.questions:
            quotes = q.quotes()
            if not quotes:
                errors.append(ContentError(bank.path, q.line, f"{q.key}: source is required"))
            for source, line in quotes:
                errors.extend(_check_quote(bank.path, line, source, seeds_dir, q.key))
            texts = [(q.line, t) for t in _question_texts(q.data)]
            errors.extend(_check_debris(bank.path, texts))
    return sorted(set(errors))


def check_content(
    root: Path, seeds_dir: Path | None, *, typography: bool = False
) -> list[ContentError]:
    return check_library(load_library(root), seeds_dir, typography=typography)


def _question_texts(data: dict) -> list[str]:
    texts = [data.get("stem", ""), data.get("feedback", "")]
    for option in data.get("options", []):
        texts += [option.get("text", ""), option.get("feedback", "")]
    texts += data.get("steps", []) + data.get("accepted", []) + data.get("distractors", [])
    for pair in data.get("pairs", []):
        texts += [pair.get("left", ""), pair.get("right", "")]
    return [t for t in texts if isinstance(t, str)]


def _check_quote(
    path: str, line: int, source: dict, seeds_dir: Path | None, key: str = ""
) -> list[ContentError]:
    if seeds_dir is None:
        return []
    prefix = f"{key}: " if key else ""
    name = source.get("file", "")
    seed = seeds_dir / name
    if "/" in name or not seed.is_file():
        return [ContentError(path, line, f"{prefix}seed file {name!r} not found")]
    if normalise(source.get("quote", "")) not in _seed_text(seed):
        quote = source.get("quote", "")
        return [ContentError(path, line, f"{prefix}quote not found in {name}: {quote[:40]}")]
    return []


def _check_debris(path: str, texts: list[tuple[int, str]]) -> list[ContentError]:
    errors = []
    for line, text in texts:
        for pattern, what in DEBRIS_PATTERNS:
            match = pattern.search(text or "")
            if match:
                errors.append(ContentError(path, line, f"{what} ({match.group(0)!r}) is debris"))
    return errors
