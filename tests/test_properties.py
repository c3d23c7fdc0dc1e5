"""Property-based tests: any input is either accepted or refused with a clean, line-numbered error."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.quizzes.bank_file import question_problems
from lms.staff.importer import COLUMNS, parse_staff_file
from tests.english import english  # noqa: F401 - a fixture

LINE_ERROR = re.compile(r"^line \d+: ")
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["2026-03-01", "2026/3/1", "01/09/2026", "yes", "否", "learner", "=1+1", ""]),
    st.from_regex(r"[A-Z]\d{3}", fullmatch=True),
)


@st.composite
def staff_csv(draw) -> bytes:
    header = draw(st.lists(st.sampled_from([*COLUMNS, "extra", "姓名", "工号"]), max_size=8))
    rows = draw(st.lists(st.lists(cells, max_size=len(header) + 2), max_size=6))
    text = "\n".join(",".join(row) for row in [header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16"]))
    return text.encode(encoding, errors="replace")


@SETTINGS
@given(st.one_of(staff_csv(), st.binary(max_size=300)))
@pytest.mark.usefixtures("english")
def test_staff_files_parse_or_fail_with_line_numbered_errors(data: bytes):
    result = parse_staff_file(data)
    for error in result.errors:
        assert LINE_ERROR.match(error), error
    if not result.errors:
        assert all(row.employee_no and row.name for row in result.rows)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)
question_keys = st.sampled_from(
    ["id", "type", "difficulty", "section", "stem", "feedback", "source", "sources", "options",
     "answer", "steps", "pairs", "distractors", "accepted", "text", "correct", "grade",
     "answers", "value", "tolerance", "min", "max", "weight"]
)  # fmt: skip


@SETTINGS
@given(
    st.dictionaries(question_keys, json_values, max_size=10),
    st.sampled_from(
        [
            "single",
            "multiple",
            "truefalse",
            "ordering",
            "matching",
            "short",
            "scenario",
            "numerical",
        ]
    ),
)
def test_the_question_rules_never_crash_on_odd_values(data: dict, qtype: str):
    data = {**data, "type": data.get("type", qtype)}
    problems = question_problems(data)
    assert all(isinstance(field, str) and isinstance(text, str) for field, text in problems)
