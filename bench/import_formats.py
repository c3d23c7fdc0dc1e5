"""Question import benchmark: a 2,000-question file in GIFT, Moodle XML and the 题库 sheet.

    .venv/bin/python bench/import_formats.py [--count 2000] [--repeat 5]

The questions are the real banks' (``quizzes/*.yaml``) repeated with fresh ids up to ``--count``,
written by our exporters. For each file it measures what the import wizard does at upload —
:func:`lms.quizzes.interchange.parse_upload`: reading, mapping and checking every question against
the bank rules — as the median wall time of ``--repeat`` runs and the peak Python memory of one run
(tracemalloc), beside the bare parser library reading the same file: ``xml.etree.ElementTree`` for
Moodle XML, openpyxl (read-only, values) for the xlsx, ``csv`` for the CSV; GIFT has no library, so
its line is reading the text into lines. Figures go to bench/README.md by hand.
"""

from __future__ import annotations

import argparse
import csv
import io
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def questions(count: int) -> list[dict[str, Any]]:
    from lms.quizzes.bank_file import load_bank
    from lms.quizzes.interchange import question_dict

    pool = []
    for path in sorted((ROOT / "quizzes").glob("*.yaml")):
        bank, errors = load_bank(path, path.name)
        assert bank is not None, errors
        pool += [question_dict(q.key, q.difficulty, q.data) for q in bank.questions]
    return [{**pool[n % len(pool)], "id": f"bench-{n:05d}"} for n in range(count)]


def files(count: int) -> dict[str, bytes]:
    from lms.quizzes.interchange import export_file
    from lms.quizzes.interchange.sheet import to_sheet_rows

    qs = questions(count)
    header, rows = to_sheet_rows(qs)
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return {
        "gift": export_file(qs, "gift", "bench"),
        "moodlexml": export_file(qs, "moodlexml", "bench"),
        "sheet-xlsx": export_file(qs, "sheet", "bench"),
        "sheet-csv": out.getvalue().encode("utf-8-sig"),
    }


def bare(kind: str) -> Callable[[bytes], Any]:
    if kind == "gift":
        return lambda raw: raw.decode("utf-8").splitlines()
    if kind == "moodlexml":
        from xml.etree import ElementTree

        return lambda raw: ElementTree.fromstring(raw)
    if kind == "sheet-xlsx":
        from openpyxl import load_workbook

        def read(raw: bytes) -> list:
            book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            rows = list(book.worksheets[0].iter_rows(values_only=True))
            book.close()
            return rows

        return read
    return lambda raw: list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def ours(kind: str) -> Callable[[bytes], Any]:
    from lms.quizzes.interchange import parse_upload

    fmt = "sheet" if kind.startswith("sheet") else kind

    def run(raw: bytes) -> Any:
        result = parse_upload(raw, fmt)
        assert not result.problems, result.problems[:3]
        return result

    return run


def measure(function: Callable[[bytes], Any], raw: bytes, repeat: int) -> tuple[float, float]:
    """(median seconds, peak MB of one run under tracemalloc)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(raw)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    function(raw)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, {platform.machine()}, {args.count} questions")
    print(
        f"{'file':<11} {'size':>9} {'import':>9} {'peak':>9} {'bare':>9} {'peak':>9} {'ratio':>6}"
    )
    for kind, raw in files(args.count).items():
        mine, mine_peak = measure(ours(kind), raw, args.repeat)
        plain, plain_peak = measure(bare(kind), raw, args.repeat)
        print(
            f"{kind:<11} {len(raw) / 1e3:>7.0f}KB {mine * 1e3:>7.0f}ms {mine_peak:>7.1f}MB "
            f"{plain * 1e3:>7.0f}ms {plain_peak:>7.1f}MB {mine / plain:>5.1f}×"
        )


if __name__ == "__main__":
    main()
