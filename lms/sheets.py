"""Reading a spreadsheet's rows, whatever the file: an XLSX workbook (its first sheet), or CSV in
UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030 from Chinese Excel (decoded and noted).

The one spreadsheet reader: the staff import and the question sheet (题库) read their files with
:func:`read_rows`. Reading is bounded, since a few hundred KB of zipped XLSX can declare millions of
rows: at most ``max_rows`` rows after the header, an XLSX must not unpack to more than
:data:`MAX_XLSX_UNPACKED` bytes nor declare more rows than that, and rows are counted as they stream
past, so reading stops at the limit. A file it cannot read raises :class:`FileUnreadable`, whose
message is a ``第 N 行：文件：…`` problem in the reader's language and whose ``reason`` and values
say the same in a stable form, for a caller that words it itself.

A low module, beside ``lms/xlsx.py`` (the writer): it imports only ``lms.i18n``.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import IO, Any
from xml.etree.ElementTree import iterparse

from lms.i18n import N_, _, pgettext

XLSX_MAGIC = b"PK\x03\x04"
DEFAULT_MAX_ROWS = 60_000  # LMS_IMPORT_MAX_ROWS
MAX_COLUMNS = 64  # read at most this many columns (plus one, to tell that there are more)
MAX_XLSX_UNPACKED = 64 * 1024 * 1024  # bytes all of a workbook's parts may unpack to
ROW_NUMBER_RE = re.compile(r"([0-9]{1,9})$")
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
GBK_NOTE = N_(
    "文件按 GBK/GB18030 编码读取(中文版 Excel 另存为“CSV”的编码),请在预览中核对姓名是否正确。"
)


class FileUnreadable(ValueError):
    """The whole file is unusable; the message names the line and the problem.

    The message is in the reader's language; ``reason``, ``line`` and ``values`` say the same in a
    stable form, so another user of :func:`read_rows` (the question sheet) can word it itself.
    """

    def __init__(self, message: str, *, reason: str = "", line: int = 1, **values: Any) -> None:
        super().__init__(message)
        self.reason = reason
        self.line = line
        self.values = values


def _cell(value: Any) -> str:
    """An XLSX cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cells(values: tuple[Any, ...]) -> list[str]:
    """A row's cells as text, without the empty cells openpyxl pads each row with on the right."""
    end = len(values)
    while end and values[end - 1] is None:
        end -= 1
    return [_cell(v) for v in values[:end]]


def column_label(name: str) -> str:
    """What the reader's problems name instead of a column: the ``file``, its ``header``, a ``row``."""
    labels = {
        "file": pgettext("import column", "文件"),
        "header": pgettext("import column", "表头"),
        "row": pgettext("import column", "行"),
    }
    return labels.get(name, name)


def problem(line: int, column: str, text: str, label: Callable[[str], str] | None = None) -> str:
    """One problem as ``第 N 行：列：问题`` (``line N: column: problem`` in English); ``label``
    names the column (a reader's own columns; by default the file, header and row)."""
    return _(
        "第 %(line)s 行：%(column)s：%(problem)s",
        line=line,
        column=(label or column_label)(column),
        problem=text,
    )


def _too_many_rows(line: int, max_rows: int) -> FileUnreadable:
    return FileUnreadable(
        problem(
            line,
            "file",
            _(
                "一份名单最多 %(max)s 行(上限：LMS_IMPORT_MAX_ROWS)，请拆分成较小的文件",
                max=max_rows,
            ),
        ),
        reason="too_many_rows",
        line=line,
        max=max_rows,
    )


def _bounded(rows: Iterable[tuple[int, list[str]]], max_rows: int) -> list[tuple[int, list[str]]]:
    """The rows, read one by one and no further than the header plus ``max_rows``."""
    out = []
    for line, cells in rows:
        if len(out) > max_rows:  # the header and max_rows rows are in: this one is too many
            raise _too_many_rows(line, max_rows)
        out.append((line, cells))
    return out


def _check_workbook(data: bytes, max_rows: int) -> None:
    """Refuse a workbook that is too big before openpyxl reads it: parts that unpack to too much,
    or a sheet that declares (or, declaring nothing, holds) more rows than allowed.

    This comes first because openpyxl, opening a sheet that declares no size, reads all of it to
    find one. The sizes checked are those the zip declares; Python's zip reader never inflates a
    part past its declared size, so a part that lies about it fails its check instead of growing.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
            if unpacked > MAX_XLSX_UNPACKED:
                raise FileUnreadable(
                    problem(
                        1,
                        "file",
                        _(
                            "工作簿解压后超过 %(bytes)s 字节；请重新另存为 .xlsx 或 CSV UTF-8，或拆分",
                            bytes=MAX_XLSX_UNPACKED,
                        ),
                    ),
                    reason="unpacked",
                    bytes=MAX_XLSX_UNPACKED,
                )
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with archive.open(name) as part:
                        _check_sheet(part, max_rows)
    except FileUnreadable:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, SyntaxError):
        return  # a damaged file: openpyxl names the damage below


def _check_sheet(part: IO[bytes], max_rows: int) -> None:
    """A sheet's declared size, or its rows counted as they stream past, against ``max_rows``."""
    rows = 0
    sheet_data = None
    for event, element in iterparse(part, events=("start", "end")):
        tag = element.tag.rsplit("}", 1)[-1]
        if event == "end":
            if tag == "row" and sheet_data is not None:
                sheet_data.clear()  # rows already counted: keep none of them in memory
            continue
        if tag == "dimension":
            match = ROW_NUMBER_RE.search(element.get("ref", ""))
            declared = int(match.group(1)) if match else 0
            if declared > max_rows + 1:
                raise FileUnreadable(
                    problem(
                        1,
                        "file",
                        _(
                            "工作表声明了 %(rows)s 行；一份名单最多 %(max)s 行"
                            "(上限：LMS_IMPORT_MAX_ROWS)，请拆分成较小的文件",
                            rows=declared,
                            max=max_rows,
                        ),
                    ),
                    reason="declared_rows",
                    rows=declared,
                    max=max_rows,
                )
            return  # the rows themselves are counted again as they are read
        if tag == "sheetData":
            sheet_data = element
        elif tag == "row":
            rows += 1
            match = ROW_NUMBER_RE.search(element.get("r", ""))
            line = int(match.group(1)) if match else rows
            if max(rows, line) > max_rows + 1:
                raise _too_many_rows(max(rows, line), max_rows)


def _xlsx_rows(data: bytes, max_rows: int) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    _check_workbook(data, max_rows)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # style warnings about files from other programs
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileUnreadable(
            problem(
                1,
                "file",
                _(
                    "无法读取工作簿(%(error)s)；请重新另存为 .xlsx 或 CSV UTF-8",
                    error=type(exc).__name__,
                ),
            ),
            reason="workbook",
            error=type(exc).__name__,
        ) from None
    try:
        sheet = book.worksheets[0]
        # Every row the sheet holds, whatever size it declares (a stale declaration must not hide
        # rows), counted as it streams past; cut to MAX_COLUMNS + 1 columns: a cell far to the
        # right cannot make every row thousands of cells wide, yet one past the limit still shows.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
        return _bounded(((n, _cells(values)) for n, values in enumerate(rows, 1)), max_rows)
    finally:
        book.close()


def decode_csv(data: bytes) -> tuple[str, str | None]:
    """(text, note): UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030 from Excel."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        try:
            return data.decode("utf-8-sig"), None
        except UnicodeDecodeError:
            try:
                return data.decode("gb18030"), _(GBK_NOTE)
            except UnicodeDecodeError:
                pass
    raise FileUnreadable(
        problem(
            1,
            "file",
            _(
                "文件既不是 UTF-8 也不是 GBK 文本；请在 Excel 中选择另存为 →"
                "“CSV UTF-8(逗号分隔)”或“Excel 工作簿(.xlsx)”"
            ),
        ),
        reason="encoding",
    )


def _csv_rows(text: str, max_rows: int) -> list[tuple[int, list[str]]]:
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows() -> Iterable[tuple[int, list[str]]]:
        for values in reader:
            yield reader.line_num, [v.strip() for v in values]

    try:
        return _bounded(rows(), max_rows)
    except csv.Error as exc:
        raise FileUnreadable(
            problem(reader.line_num, "row", str(exc)),
            reason="csv",
            line=reader.line_num,
            error=str(exc),
        ) from None


def read_rows(
    data: bytes, max_rows: int = DEFAULT_MAX_ROWS
) -> tuple[list[tuple[int, list[str]]], list[str]]:
    """The file's rows as (line number, cells), whatever its kind, and notes about how it was read.

    Raises :class:`FileUnreadable` for a file it cannot read or one with more than ``max_rows``
    rows after the header (counted as read, so reading stops there).
    """
    if data.startswith(XLSX_MAGIC):
        return _xlsx_rows(data, max_rows), []
    if data.startswith(XLS_MAGIC):
        raise FileUnreadable(
            problem(1, "file", _("这是旧版 Excel .xls 工作簿；请另存为 .xlsx 或 CSV UTF-8")),
            reason="xls",
        )
    text, note = decode_csv(data)
    return _csv_rows(text, max_rows), [note] if note else []
