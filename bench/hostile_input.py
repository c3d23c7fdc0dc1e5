"""Hostile input files against the parsers (issue #17 items 4, 5 and 7): time and peak memory.

Each case runs in a fresh process, so its peak RSS is its own. The files are made here:

- ``aiken-dups``: 8,000 Aiken questions with one stem (ids made from the stem collide);
- ``aiken-2mb``: 2 MB of Aiken questions with one stem (~38,000 questions);
- ``gift-block``: one GIFT question whose answer block holds 700,000 answers (2 MB);
- ``yaml-2mb``: a 2 MB YAML bank (~19,000 small questions);
- ``yaml-laughs``: 405 bytes of nested YAML aliases naming 10**7 items;
- ``xlsx-rows``: an XLSX holding a header, one person and 2,000,000 empty rows (4.8 MB).

Question files are parsed with the limits the app uses by default (5,000 questions, 20 s), except
``aiken-dups``, which measures making ids for repeated stems and so runs without them.

    .venv/bin/python bench/hostile_input.py            # every case
    .venv/bin/python bench/hostile_input.py aiken-2mb  # one
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CASES = ("aiken-dups", "aiken-2mb", "gift-block", "yaml-2mb", "yaml-laughs", "xlsx-rows")
AIKEN = "同一个题干?\nA. 是\nB. 否\nC. 不知道\nANSWER: A\n\n"
TWO_MB = 2 * 1024 * 1024


def _question_file(case: str) -> tuple[str, str]:
    if case == "aiken-dups":
        return AIKEN * 8000, "aiken"
    if case == "aiken-2mb":
        return AIKEN * (TWO_MB // len(AIKEN.encode())), "aiken"
    if case == "gift-block":
        return "题?{" + "=a\n~b\n" * (TWO_MB // 6) + "}", "gift"
    if case == "yaml-2mb":
        one = "  - id: q{n}\n    type: truefalse\n    difficulty: 2\n    stem: 题{n}\n"
        one += "    answer: true\n    feedback: 因为。\n"
        text = "questions:\n" + "".join(one.format(n=n) for n in range(20_000))
        return text[: text.rfind("\n  - id", 0, TWO_MB)], "yaml"
    levels = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    levels += [f"l{n}: &l{n} [" + ",".join([f"*l{n - 1}"] * 10) + "]" for n in range(1, 7)]
    return "\n".join(levels) + "\nquestions: [{id: x, options: *l6}]\n", "yaml"


def _xlsx() -> bytes:
    import io
    import re
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["employee_no", "name"])
    book.active.append(["N1", "甲"])
    raw = io.BytesIO()
    book.save(raw)
    source = zipfile.ZipFile(raw)
    sheet = source.read("xl/worksheets/sheet1.xml").decode()
    filler = "".join(f'<row r="{n}"/>' for n in range(3, 2_000_003))
    sheet = sheet.replace("</row></sheetData>", "</row>" + filler + "</sheetData>")
    sheet = re.sub(r'<dimension ref="[^"]*" />', "", sheet)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = sheet.encode() if item.filename == "xl/worksheets/sheet1.xml" else None
            target.writestr(item.filename, data or source.read(item.filename))
    return out.getvalue()


def run(case: str) -> None:
    """Measure one case in this process and print one line."""
    if case == "xlsx-rows":
        from lms.staff.importer import parse_staff_file

        data = _xlsx()
        size = len(data)
        start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        outcome = parse_staff_file(data)
        seconds = time.perf_counter() - started
        said = outcome.errors[0] if outcome.errors else f"{len(outcome.rows)} rows"
    else:
        from lms.quizzes import interchange

        text, fmt = _question_file(case)
        size = len(text.encode())
        limits = getattr(interchange, "Limits", None)
        # aiken-dups shows the id making itself, so it runs without the question limit.
        unlimited = case == "aiken-dups"
        args = (limits(max_questions=5000, seconds=20),) if limits and not unlimited else ()
        start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        outcome = interchange.parse(text, fmt, *args)
        seconds = time.perf_counter() - started
        said = str(outcome.problems[0]) if outcome.problems else "no problem"
        said = f"{len(outcome.questions)} questions; {said}"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"{case}: {size / 1024:,.0f} KB, {seconds:.2f} s, peak RSS {peak // 1024} MB "
        f"(+{(peak - start_rss) // 1024} MB while parsing); {said[:110]}"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1:
        run(sys.argv[1])
    else:
        for name in CASES:
            subprocess.run([sys.executable, __file__, name], check=False, timeout=600)
