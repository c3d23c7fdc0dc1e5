"""A small streaming XLSX writer for the HR exports: one sheet, text, numbers, dates, bold header.

openpyxl builds a cell object per value and takes about a second per 100,000 cells; an export of
5,000 people × 6 requirements is 85,000 cells and should not keep HR waiting, so the exports write
the few SpreadsheetML parts directly (inline strings, no shared-string table). Excel, WPS and
LibreOffice open the result; the tests read it back with openpyxl.

:func:`stream` hands the file out in chunks as rows arrive (the zip is written with data
descriptors, so it never seeks back), holding only a few hundred rows: an export of 50,000 people
starts at once and its memory does not grow with the rows. Cells carry no ``r`` reference (they
fill their row in order) and the XML of repeated values is cached; a caller that knows its
columns writes its rows itself with :class:`Cells` (``stream(row_xml=...)``), straight from SQL
rows. At 50,000 × 17 cells it is faster here than XlsxWriter's constant-memory mode, which cannot
stream either (its zip is built at ``close``); rustpy-xlsxwriter needs every row in memory first
(``bench/xlsx_writers.py``).
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

# Characters XML 1.0 does not allow, even escaped.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Every character str.isspace() accepts: a text starting or ending with one keeps its spaces
# only with xml:space="preserve".
_SPACES = "".join(c for c in map(chr, range(0x3000 + 1)) if c.isspace())
_LAST_NOT = frozenset(_SPACES)
_EPOCH = date(1899, 12, 30)
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
# zlib level 1: about three times faster than the default on sheet XML, files ~25 % larger.
_LEVEL = 1

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Style 0: default; 1: date (built-in format 14, yyyy-mm-dd in a Chinese locale); 2: bold header.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="等线"/></font>'
    '<font><b/><sz val="11"/><name val="等线"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(value: Any, header: bool = False) -> str:
    """One ``<c>`` element without its optional ``r`` reference: cells fill their row in order,
    so an empty value is an empty ``<c/>``, and the file is about a third smaller to write."""
    if value is None or value == "":
        return "<c/>"
    if type(value) is str:  # the common case first
        return _text_cell(value, header)
    if isinstance(value, bool):
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f"<c><v>{value!r}</v></c>"
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f'<c s="1"><v>{(value - _EPOCH).days}</v></c>'
    return _text_cell(str(value), header)


def _text_cell(value: str, header: bool) -> str:
    # Most texts need neither escaping nor cleaning: one search decides.
    text = escape(_ILLEGAL.sub("", value)) if _SPECIAL.search(value) else value
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    style = ' s="2"' if header else ""
    return f'<c t="inlineStr"{style}><is><t{space}>{text}</t></is></c>'


def _row(values: Iterable[Any], cache: dict[Any, str], text: Callable[[str], str]) -> str:
    """A body row. The XML of repeated values (labels, departments, dates, day counts) is
    remembered in ``cache``: dates and numbers nearly always (there are few of them), texts until
    the cache holds ``_CACHE_SIZE`` entries. ``text`` rewrites a text value first (the exports' formula neutralising), once per
    distinct value that is cached."""
    cells = []
    for value in values:
        kind = type(value)
        if kind is str:
            xml = cache.get(value)
            if xml is None:
                xml = _cell(text(value))
                if len(cache) < _CACHE_SIZE:
                    cache[value] = xml
        elif kind is date or kind is int:
            # Keyed with the type: 1 and True, or a date and a text, never share a cell.
            key = (kind, value)
            xml = cache.get(key)
            if xml is None:
                xml = _cell(value)
                if len(cache) < _CACHE_LIMIT:
                    cache[key] = xml
        elif value is None:
            xml = "<c/>"
        else:
            xml = _cell(text(value) if isinstance(value, str) else value)
        cells.append(xml)
    return "<row>" + "".join(cells) + "</row>"


def _same(value: str) -> str:
    return value


def _width(values: Iterable[Any]) -> float:
    longest = 4
    for value in values:
        text = value.isoformat() if isinstance(value, date) else str(value or "")
        longest = max(longest, sum(2 if ord(ch) > 0x2E7F else 1 for ch in text[:60]))
    return min(longest + 2, 60)


class _Sink(io.RawIOBase):
    """An unseekable file that hands out what was written since the last ``take``: ``zipfile``
    then writes each part with a data descriptor, so the archive never needs to seek back."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._chunks.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


SAMPLE_ROWS = 200  # rows read ahead to size the columns
FLUSH_ROWS = 500  # rows written between two chunks handed to the response
_CACHE_SIZE = 4096  # distinct texts remembered
_CACHE_LIMIT = 65536  # and dates and numbers up to this (a decade of days is 3,653)


def stream(
    headers: Sequence[Any],
    rows: Iterable[Any],
    sheet_name: str,
    text: Callable[[str], str] = _same,
    *,
    row_xml: Callable[[Any], str] | None = None,
    values: Callable[[Any], Sequence[Any]] | None = None,
) -> Iterator[bytes]:
    """The .xlsx file in chunks, written as the rows come: one sheet, the header row bold and
    frozen, column widths from the first rows. Memory stays that of a few hundred rows (and of the
    cache of repeated cells). ``text`` rewrites every text cell of the body.

    A caller that knows its columns passes ``row_xml`` (one source row to its ``<row>`` element,
    built with :class:`Cells`) and ``values`` (the row's cell values, for the column widths):
    rows then go from the source (e.g. SQL rows) to XML without a list of values per row, which
    at 50,000 × 17 cells is most of the time the generic path takes."""
    rows = iter(rows)
    source = list(itertools.islice(rows, SAMPLE_ROWS))
    sample = [list(values(r)) if values else list(r) for r in source]
    width = max(len(headers), *(len(r) for r in sample), 0)
    head = [headers, *sample]
    cols = "".join(
        f'<col min="{i + 1}" max="{i + 1}" width="{_width(r[i] if i < len(r) else None for r in head):.0f}" customWidth="1"/>'
        for i in range(width)
    )
    name = escape(_SHEET_NAME_BAD.sub("_", sheet_name)[:31] or "Sheet1", {'"': "&quot;"})
    book = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=_LEVEL) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", book)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(
                (
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    '<sheetViews><sheetView workbookViewId="0">'
                    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                    "</sheetView></sheetViews>"
                    + (f"<cols>{cols}</cols>" if cols else "")
                    + "<sheetData>"
                ).encode()
            )
            yield sink.take()
            parts = ["<row>" + "".join(_cell(h, header=True) for h in headers) + "</row>"]
            if row_xml is None:
                cache: dict[Any, str] = {}
                body = (_row(row, cache, text) for row in itertools.chain(sample, rows))
            else:
                body = map(row_xml, itertools.chain(source, rows))
            for xml in body:
                parts.append(xml)
                if len(parts) >= FLUSH_ROWS:
                    part.write("".join(parts).encode())
                    parts.clear()
                    chunk = sink.take()
                    if chunk:
                        yield chunk
            parts.append("</sheetData></worksheet>")
            part.write("".join(parts).encode())
    yield sink.take()


class Made(dict):
    """XML of values made on first use and remembered, up to ``limit`` values (then made each
    time). Looking a value up is a plain subscript, done in C for every value seen before: a
    row of an export is mostly such look-ups."""

    def __init__(
        self,
        make: Callable[[Any], str],
        known: dict[Any, str] | None = None,
        limit: int = _CACHE_LIMIT,
    ) -> None:
        super().__init__(known or {})
        self.make = make
        self.limit = limit

    def __missing__(self, key: Any) -> str:
        xml = self.make(key)
        if len(self) < self.limit:
            self[key] = xml
        return xml


class Cells:
    """Cell XML for a caller that writes its own rows (``stream(row_xml=...)``), by kind of
    column, each kind with its own cache, so a text and a date or a number never share a key.

    ``texts[value]`` is for columns with few distinct values (departments, labels): the XML is
    made once per value (``None`` or ``""``: an empty cell); ``dates`` (a date, or its ISO text as
    SQLite stores it) and ``numbers`` likewise. :meth:`unique` is for
    columns that rarely repeat (names, numbers, e-mails), where a cache would only fill up; a row
    with several of them asks :meth:`plain` once and writes them between ``OPEN``, ``BETWEEN``
    and ``CLOSE``. ``rewrite`` is applied to every text first (the exports' formula neutralising).
    """

    EMPTY = "<c/>"
    OPEN, CLOSE = '<c t="inlineStr"><is><t>', "</t></is></c>"
    BETWEEN = CLOSE + OPEN

    def __init__(self, rewrite: Callable[[str], str] = _same, rewrites: str = "") -> None:
        """``rewrites``: the first characters for which ``rewrite`` may change a text; it must
        leave every other text as it is (:meth:`plain` relies on it)."""
        self.rewrite = rewrite
        # What makes a text more than itself between <t> and </t>: a character to escape or
        # drop anywhere, white space at either end, a first character ``rewrite`` acts on.
        self._first_not = frozenset(_SPACES + rewrites)
        empty = {None: self.EMPTY, "": self.EMPTY}
        self.texts = Made(self.unique, empty, _CACHE_SIZE)
        self.dates = Made(_date_cell, empty)
        self.numbers = Made(_number_cell, {None: self.EMPTY})

    def unique(self, value: str | None) -> str:
        """A text that seldom repeats: escaped and neutralised every time."""
        if not value:
            return self.EMPTY
        text = self.rewrite(value)
        if _SPECIAL.search(text) is None and not text[0].isspace() and not text[-1].isspace():
            return self.OPEN + text + self.CLOSE  # most texts: as they are
        return _text_cell(text, False)

    def plain(self, *values: str | None) -> bool:
        """Whether each value is a non-empty text that :meth:`unique` writes as it is between
        its tags, decided together where a row has several such texts (one search for
        characters to escape over them all, then each text's two ends)."""
        try:
            joined = "".join(values)  # type: ignore[arg-type]
        except TypeError:  # an empty (None) cell among them
            return False
        if not joined or _SPECIAL.search(joined) is not None:
            return False
        first_not = self._first_not
        for value in values:  # per text: measured faster than one search with ^ and $ anchors
            if not value or value[0] in first_not or value[-1] in _LAST_NOT:
                return False
        return True

    def uniques(self, *values: str | None) -> str:
        """Several seldom-repeated texts side by side, as :meth:`unique` writes each."""
        if self.plain(*values):
            return self.OPEN + self.BETWEEN.join(values) + self.CLOSE  # type: ignore[arg-type]
        return "".join([self.unique(v) for v in values])


def _date_cell(value: date | str) -> str:
    return _cell(date.fromisoformat(value) if isinstance(value, str) else value)


def _number_cell(value: int) -> str:
    return f"<c><v>{int(value)}</v></c>"


def workbook(headers: Sequence[Any], rows: Sequence[Sequence[Any]], sheet_name: str) -> bytes:
    """The whole .xlsx file at once (small sheets; the HR exports use :func:`stream`)."""
    return b"".join(stream(headers, rows, sheet_name))
