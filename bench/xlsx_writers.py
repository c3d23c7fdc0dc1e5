"""XLSX writers at the size of the HR matrix export: 50,000 rows × 17 cells.

    .venv/bin/python bench/xlsx_writers.py [--rows 50000] [--repeat 3]

Compares ``lms.xlsx.stream`` (the hand-written streaming writer the exports use) with
XlsxWriter in ``constant_memory`` mode and rustpy-xlsxwriter (a binding of the Rust
rust_xlsxwriter), each given the same rows (text, dates, repeated status labels). A writer that is
not installed is skipped: neither is a dependency (``pip install XlsxWriter rustpy-xlsxwriter``).
For each: median seconds, seconds until the first bytes exist, and peak traced Python memory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEADERS = ["工号", "姓名", "部门", "岗位", "入职日期"] + [
    f"课程{n}{suffix}" for n in range(6) for suffix in ("", " 截止/到期")
]
LABELS = ["已认证", "已逾期", "即将到期", "未开始", "不适用", "证书将到期"]


def rows(count: int):
    for n in range(count):
        row = [f"S{n:05d}", f"员工{n:05d}", f"部门{n % 100:02d}", "导医", date(2020, 1, 1 + n % 28)]
        for k in range(6):
            row += [LABELS[(n + k) % 6], date(2026, 1 + k, 1 + n % 28)]
        yield row


def ours(count: int, path: str) -> float | None:
    from lms import xlsx

    first = None
    start = time.perf_counter()
    with open(path, "wb") as out:
        for chunk in xlsx.stream(HEADERS, rows(count), "matrix"):
            if first is None:
                first = time.perf_counter() - start
            out.write(chunk)
    return first


def xlsxwriter_constant_memory(count: int, path: str) -> float | None:
    import xlsxwriter

    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet("matrix")
    bold, day = book.add_format({"bold": True}), book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADERS, bold)
    for r, row in enumerate(rows(count), 1):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, value, day)
            else:
                sheet.write(r, c, value)
    book.close()  # the zip is assembled here: no byte of the file exists before
    return None


def rustpy(count: int, path: str) -> float | None:
    from rustpy_xlsxwriter import write_worksheet

    records = [dict(zip(HEADERS, row, strict=True)) for row in rows(count)]  # all in memory
    write_worksheet(records, path, sheet_name="matrix", bold_headers=True, freeze_row=1)
    return None


WRITERS = {
    "lms.xlsx.stream": ours,
    "XlsxWriter constant_memory": xlsxwriter_constant_memory,
    "rustpy-xlsxwriter": rustpy,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    times: dict[str, list[float]] = {name: [] for name in WRITERS}
    firsts: dict[str, float | None] = {}
    available = {}
    for name, writer in WRITERS.items():
        try:
            writer(10, os.path.join(tmp, "probe.xlsx"))
            available[name] = writer
        except ImportError:
            print(f"{name}: not installed, skipped")
    for _ in range(args.repeat):  # alternate, so machine load hits all alike
        for name, writer in available.items():
            start = time.perf_counter()
            firsts[name] = writer(args.rows, os.path.join(tmp, "out.xlsx"))
            times[name].append(time.perf_counter() - start)
    print(f"\n{args.rows} rows × {len(HEADERS)} cells, median of {args.repeat}:\n")
    print("| writer | seconds | first bytes after | peak traced MB | file |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, writer in available.items():
        tracemalloc.start()
        writer(args.rows, os.path.join(tmp, "out.xlsx"))
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        size = os.path.getsize(os.path.join(tmp, "out.xlsx")) / 2**20
        first = firsts[name]
        first_text = f"{first * 1000:.0f} ms" if first is not None else "the end (not streamed)"
        print(
            f"| {name} | {statistics.median(times[name]):.2f} | {first_text} | {peak:.1f} | {size:.1f} MB |"
        )


if __name__ == "__main__":
    main()
