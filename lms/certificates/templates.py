"""Certificate templates (``certificates/<name>/``) and rendering them to PDF with WeasyPrint.

A template is a folder: ``template.html`` (Jinja, autoescaped), ``theme.css`` and ``metadata.yaml``
(``version``, ``font``, ``description``), plus any images it uses. Its version is the declared
version and a hash of every file, so editing a template never goes unnoticed.

Rendering reuses one ``FontConfiguration`` for the process and parses each template version's CSS
once: both are expensive to build and, rebuilt per certificate, make memory swing by hundreds of
megabytes. WeasyPrint may only read files inside the template's folder and ``data:`` URLs (the QR
code and a configured logo): no network, no other files.
"""

from __future__ import annotations

import hashlib
import mimetypes
import struct
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
import yaml
from flask import current_app

from lms.certificates.errors import CertificateRefused
from lms.i18n import _

REQUIRED_FILES = ("template.html", "theme.css", "metadata.yaml")
DEFAULT_FONT = "Noto Serif CJK SC"
_CACHE_SIZE = 8


class TemplateProblem(CertificateRefused):
    """The template folder is missing, incomplete or unreadable."""


@dataclass(frozen=True)
class CertTemplate:
    name: str
    folder: Path
    version: str
    metadata: dict[str, Any] = field(hash=False, compare=False)

    @property
    def font(self) -> str:
        return str(self.metadata.get("font") or DEFAULT_FONT)


def templates_root() -> Path:
    configured = current_app.config.get("LMS_CERT_TEMPLATES_DIR")
    if configured:
        return Path(configured)
    return Path(current_app.config["LMS_CONTENT_DIR"]) / "certificates"


def load_template(name: str, root: Path) -> CertTemplate:
    """Read a template folder's metadata and version; raises :class:`TemplateProblem`."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise TemplateProblem(_("证书模板名称无效：%(name)r", name=name))
    folder = (root / name).resolve()
    if not folder.is_dir():
        raise TemplateProblem(
            _(
                "找不到证书模板目录 %(folder)s(LMS_CERT_TEMPLATES_DIR / LMS_CERT_TEMPLATE)。",
                folder=folder,
            )
        )
    missing = [f for f in REQUIRED_FILES if not (folder / f).is_file()]
    if missing:
        raise TemplateProblem(
            _("证书模板 %(folder)s 缺少文件：%(files)s", folder=folder, files=", ".join(missing))
        )
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in relative.split("/")):
            continue
        digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    try:
        metadata = yaml.safe_load((folder / "metadata.yaml").read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise TemplateProblem(
            _("%(file)s：无法读取：%(error)s", file=folder / "metadata.yaml", error=exc)
        ) from None
    if not isinstance(metadata, dict):
        raise TemplateProblem(_("%(file)s：应为键值对。", file=folder / "metadata.yaml"))
    version = f"{metadata.get('version', 1)}-{digest.hexdigest()[:12]}"
    return CertTemplate(name=name, folder=folder, version=version, metadata=metadata)


def render_html(template: CertTemplate, context: dict[str, Any]) -> str:
    """The certificate's HTML; every value is escaped unless the template author marks it safe."""
    return _jinja_template(template).render(**context)


def render_pdf(template: CertTemplate, html: str) -> bytes:
    """Render one certificate. Serialised: WeasyPrint's font state is shared and not thread-safe."""
    from weasyprint import HTML

    with _LOCK:
        fonts = _font_configuration()
        fetcher, stylesheet = _stylesheet(template, fonts)
        document = HTML(string=html, base_url=template.folder.as_uri() + "/", url_fetcher=fetcher)
        return document.write_pdf(
            stylesheets=[stylesheet], font_config=fonts, finisher=compact_font_streams
        )


# --- caches -----------------------------------------------------------------------------------

_LOCK = threading.RLock()
_FONTS: Any = None
_STYLESHEETS: OrderedDict[tuple[Path, str], tuple[Any, Any]] = OrderedDict()
_JINJA: OrderedDict[tuple[Path, str], jinja2.Template] = OrderedDict()


def _font_configuration() -> Any:
    global _FONTS
    if _FONTS is None:
        from weasyprint.text.fonts import FontConfiguration

        _FONTS = FontConfiguration()
    return _FONTS


def _remember(cache: OrderedDict, key: Any, value: Any) -> Any:
    cache[key] = value
    while len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)
    return value


def _stylesheet(template: CertTemplate, fonts: Any) -> tuple[Any, Any]:
    key = (template.folder, template.version)
    if key in _STYLESHEETS:
        _STYLESHEETS.move_to_end(key)
        return _STYLESHEETS[key]
    from weasyprint import CSS

    fetcher = folder_fetcher(template.folder)
    css = CSS(filename=str(template.folder / "theme.css"), font_config=fonts, url_fetcher=fetcher)
    return _remember(_STYLESHEETS, key, (fetcher, css))


def _jinja_template(template: CertTemplate) -> jinja2.Template:
    key = (template.folder, template.version)
    with _LOCK:
        if key not in _JINJA:
            env = jinja2.Environment(
                loader=jinja2.FileSystemLoader(str(template.folder)),
                autoescape=True,
                undefined=jinja2.StrictUndefined,
                keep_trailing_newline=True,
            )
            _remember(_JINJA, key, env.get_template("template.html"))
        return _JINJA[key]


# --- the URL fetcher ----------------------------------------------------------------------------


def folder_fetcher(folder: Path) -> Any:
    """A WeasyPrint URL fetcher that serves only files inside ``folder`` and ``data:`` URLs."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = folder.resolve()

    class FolderFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                parts = urlsplit(url)
                path = Path(unquote(parts.path)).resolve()
                if parts.netloc in ("", "localhost") and path.is_relative_to(root):
                    if path.is_file():
                        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                        return URLFetcherResponse(
                            url, body=path.read_bytes(), headers={"Content-Type": mime}
                        )
            raise ValueError(f"certificate templates may not load {url}")

    return FolderFetcher(allowed_protocols=("file", "data"))


# --- smaller PDFs -------------------------------------------------------------------------------

_ROW_PIXELS = 2730  # predictor row: 2730 pixels of 2-4 bytes, 5-11 KB


def compact_font_streams(_document: Any, pdf: Any) -> None:
    """Make embedded CJK fonts compress about ten times better, losslessly.

    WeasyPrint's HarfBuzz subset keeps glyph ids, so a Noto CJK subset still holds up to 65,000
    empty CFF charstrings whose offsets (2 or 3 bytes each) count up one by one: zlib cannot shrink
    a counting sequence (70-150 KB per face). A PNG "Sub" predictor (PDF 32000-1 §7.4.4.4, valid on
    any Flate stream) whose pixel is one offset stores each byte as the difference from the same
    byte of the previous offset, which turns the counter into a constant. Decoders undo it exactly,
    so the font bytes are unchanged.
    """
    import pydyf

    for obj in pdf.objects:
        if (
            isinstance(obj, pydyf.Stream)
            and obj.compress
            and obj.extra.get("Subtype") == "/OpenType"
            and "DecodeParms" not in obj.extra
            and len(obj.stream) == 1
            and isinstance(obj.stream[0], bytes)
        ):
            width = cff_offset_size(obj.stream[0])
            if width is None or width < 2:
                continue
            obj.stream = [png_sub_rows(obj.stream[0], width, _ROW_PIXELS)]
            obj.extra["DecodeParms"] = pydyf.Dictionary(
                {"Predictor": 11, "Colors": width, "BitsPerComponent": 8, "Columns": _ROW_PIXELS}
            )


def png_sub_rows(data: bytes, pixel: int, columns: int) -> bytes:
    """PNG "Sub" filtering of ``pixel``-byte pixels; the last row is padded with zeros.

    Byte-wise subtraction is done on whole rows as big integers (SWAR: set each byte's high bit in
    the minuend, clear it in the subtrahend, fix it up afterwards), which keeps this ~1 ms per font.
    """
    row = pixel * columns
    data += b"\0" * (-len(data) % row)
    mask = (1 << (8 * row)) - 1
    high = int.from_bytes(b"\x80" * row, "big")
    low = ~high & mask
    out = []
    for start in range(0, len(data), row):
        x = int.from_bytes(data[start : start + row], "big")
        y = x >> (8 * pixel)  # each byte's left neighbour one pixel back (zero at the row start)
        diff = (((x | high) - (y & low)) ^ ((x ^ ~y) & high)) & mask
        out.append(b"\x01" + diff.to_bytes(row, "big"))
    return b"".join(out)


def cff_offset_size(font: bytes) -> int | None:
    """The byte width of the CharStrings offsets in an OpenType/CFF font, or ``None``."""
    try:
        if font[:4] != b"OTTO":
            return None
        (tables,) = struct.unpack(">H", font[4:6])
        for i in range(tables):
            tag, _, offset, length = struct.unpack(">4sIII", font[12 + 16 * i : 28 + 16 * i])
            if tag == b"CFF ":
                cff = font[offset : offset + length]
                break
        else:
            return None
        names_end = _index_end(cff, cff[2])
        top_dict = _index_first(cff, names_end)
        charstrings = _dict_operand(top_dict, 17)
        if charstrings is None or struct.unpack(">H", cff[charstrings : charstrings + 2])[0] == 0:
            return None
        return cff[charstrings + 2]
    except (struct.error, IndexError):
        return None


def _offset(data: bytes, at: int, size: int) -> int:
    return int.from_bytes(data[at : at + size], "big")


def _index_end(data: bytes, at: int) -> int:
    (count,) = struct.unpack(">H", data[at : at + 2])
    if count == 0:
        return at + 2
    size = data[at + 2]
    base = at + 3 + (count + 1) * size - 1
    return base + _offset(data, at + 3 + count * size, size)


def _index_first(data: bytes, at: int) -> bytes:
    size = data[at + 2]
    base = at + 3 + (struct.unpack(">H", data[at : at + 2])[0] + 1) * size - 1
    return data[base + _offset(data, at + 3, size) : base + _offset(data, at + 3 + size, size)]


def _dict_operand(data: bytes, operator: int) -> int | None:
    """The last operand before ``operator`` in a CFF DICT (integers only; reals are skipped)."""
    operands: list[int] = []
    i = 0
    while i < len(data):
        b0 = data[i]
        if b0 <= 21:  # an operator
            op = (1200 + data[i + 1]) if b0 == 12 else b0
            i += 2 if b0 == 12 else 1
            if op == operator:
                return operands[-1] if operands else None
            operands = []
        elif b0 == 28:
            operands.append(struct.unpack(">h", data[i + 1 : i + 3])[0])
            i += 3
        elif b0 == 29:
            operands.append(struct.unpack(">i", data[i + 1 : i + 5])[0])
            i += 5
        elif b0 == 30:  # a real: nibbles up to the 0xf terminator
            i += 1
            while data[i] & 0x0F != 0x0F and data[i] >> 4 != 0x0F:
                i += 1
            i += 1
            operands.append(0)
        elif 32 <= b0 <= 246:
            operands.append(b0 - 139)
            i += 1
        elif 247 <= b0 <= 250:
            operands.append((b0 - 247) * 256 + data[i + 1] + 108)
            i += 2
        elif 251 <= b0 <= 254:
            operands.append(-(b0 - 251) * 256 - data[i + 1] - 108)
            i += 2
        else:
            return None
    return None
