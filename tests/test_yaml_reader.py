"""The YAML reader: libyaml reads where it can, the pure-Python reader decides everything else.

``lms.formats.yamlfile.load_yaml`` hands a document to libyaml first (ten times faster) and to
PyYAML's pure reader whenever libyaml refuses it or it might hold an anchor. That is only sound if
libyaml never takes a document the pure reader would read differently, or refuse: checked here on
generated documents, values and line numbers alike.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.formats import yamlfile
from lms.formats.yamlfile import LinedDict, LinedList, YamlError, load_yaml

pytestmark = pytest.mark.skipif(yamlfile._FastLoader is None, reason="PyYAML without libyaml")


def _pure(text: str) -> Any:
    """What the pure reader alone makes of ``text`` (a value, or its YamlError's text)."""
    try:
        return load_yaml(text, stop=lambda: None)  # a ``stop`` keeps libyaml out
    except YamlError as error:
        return f"error: {error}"


def _with_lines(value: Any) -> Any:
    """The value with every line number it carries, for comparing two readings."""
    if isinstance(value, LinedDict):
        return ("map", value.line, sorted(value.key_lines.items(), key=repr),
                [(repr(k), _with_lines(v)) for k, v in value.items()])  # fmt: skip
    if isinstance(value, LinedList):
        return ("seq", value.line, value.item_lines, [_with_lines(v) for v in value])
    return ("value", type(value).__name__, repr(value))


_PIECES = [
    "a", "键", "1", "2026-03-01", "2026-13-45", "true", "~", "null", "'q'", '"d\\n"', "|", ">",
    "-", "- ", ": ", ":", "? ", "#", " #c", "[", "]", "{", "}", ",", " ", "  ", "\t", "\n",
    "\n  ", "\n- ", "\r\n", "\x01", "\x85", "\ufeff", "\u2028", "&", "*", "!!str ", "!x ",
    "%YAML 1.1\n", "---\n", "...\n", "0x1F", "1e3", ".inf", "<<: ", "'", '"',
]  # fmt: skip


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), max_size=24))
def test_libyaml_takes_only_what_the_pure_reader_reads_the_same(pieces):
    text = "".join(pieces)
    fast = yamlfile._load_fast(text)
    if fast is None:  # refused or passed over: the pure reader reads it, as before
        return
    pure = _pure(text)
    assert not isinstance(pure, str) or not pure.startswith("error: "), (text, pure)
    assert _with_lines(fast) == _with_lines(pure), text


def test_a_question_mark_inside_brackets_is_left_to_the_pure_reader():
    """Found by the property above: libyaml read "[a? ]" as ['a?'], the pure reader refuses it."""
    for text in ("[a? ]", "k: {a ?: 1}", "[\n  a? ,\n]"):
        assert yamlfile._load_fast(text) is None, text
        assert _pure(text).startswith("error: "), text
    assert yamlfile._load_fast("k: 问什么? 答什么。") == {"k": "问什么? 答什么。"}


def test_the_course_files_read_the_same_both_ways():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    files = sorted(root.glob("courses/*/course.yaml")) + sorted(root.glob("quizzes/*.yaml"))
    assert len(files) >= 12
    taken = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast = yamlfile._load_fast(text)
        taken += fast is not None
        if fast is not None:
            assert _with_lines(fast) == _with_lines(_pure(text)), path
    assert taken >= len(files) // 2, "libyaml should read most shipped files"


def test_anchors_are_still_refused_with_their_line():
    with pytest.raises(YamlError) as excinfo:
        load_yaml("a: 1\nb: &x 2\n")
    assert str(excinfo.value).startswith("line 2: YAML anchors (&x)")
    assert yamlfile._load_fast("a: 1\nb: *x\n") is None


def _nested(depth: int) -> str:
    """``depth`` mappings, one inside the other, each on its own line."""
    return "".join("  " * level + "k:\n" for level in range(depth)) + "  " * depth + "v\n"


def test_collections_nest_at_most_max_depth_in_either_reader():
    deepest = _nested(yamlfile.MAX_DEPTH)
    fast = yamlfile._load_fast(deepest)
    assert fast is not None and _with_lines(fast) == _with_lines(_pure(deepest))
    too_deep = _nested(yamlfile.MAX_DEPTH + 1)
    assert yamlfile._load_fast(too_deep) is None  # libyaml's reading is passed over
    for stop in (None, lambda: None):
        with pytest.raises(YamlError) as excinfo:
            load_yaml(too_deep, stop=stop)
        assert (excinfo.value.line, excinfo.value.message) == (
            yamlfile.MAX_DEPTH + 1,
            "YAML nesting is too deep",
        )
    # Brackets far past the limit (the pure reader's time grows with the square of the nesting
    # it reads into): refused at their line like any other.
    brackets = "a: 1\nb: " + "[" * 20_000 + "]" * 20_000 + "\n"
    with pytest.raises(YamlError, match="^line 2: YAML nesting is too deep$"):
        load_yaml(brackets)
