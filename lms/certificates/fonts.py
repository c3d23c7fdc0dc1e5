"""Is the certificate font installed, and does it have a glyph for every character we print?

WeasyPrint quietly substitutes another font, or prints an empty box, for a character the font lacks;
a certificate with a box in the holder's name is worse than none. So the font's faces are looked up
once through fontconfig (``fc-list``, a few milliseconds, cached for the process) and every name and
title is checked against their character sets before anything is issued.
"""

from __future__ import annotations

import bisect
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

from flask import Flask

from lms.i18n import _l

# Lazy: the report is cached for the process, its text is rendered in each reader's language.
INSTALL_HINT = _l(
    "在 Debian/Ubuntu 上安装：sudo apt-get install fonts-noto-cjk libharfbuzz-subset0"
    "(或运行 scripts/bootstrap.sh)，然后重启应用。"
)
BOLD_WEIGHT = 180  # fontconfig: 80 regular, 200 bold


@dataclass(frozen=True)
class FontFace:
    weight: int
    file: str
    index: int
    ranges: tuple[tuple[int, int], ...]  # sorted, inclusive code point ranges

    def covers(self, char: str) -> bool:
        code = ord(char)
        at = bisect.bisect_right(self.ranges, (code, 0x10FFFF + 1)) - 1
        return at >= 0 and self.ranges[at][0] <= code <= self.ranges[at][1]


@dataclass(frozen=True)
class FontReport:
    family: str
    faces: tuple[FontFace, ...]
    problem: str = ""  # why certificates cannot be printed (lazy text); empty when the font is fine

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def has_bold(self) -> bool:
        return any(face.weight >= BOLD_WEIGHT for face in self.faces)


def _parse_charset(text: str) -> tuple[tuple[int, int], ...]:
    ranges = []
    for part in text.split():
        low, _, high = part.partition("-")
        ranges.append((int(low, 16), int(high or low, 16)))
    return tuple(sorted(ranges))


def _pattern(family: str) -> str:
    """A fontconfig pattern naming exactly this family (``-``, ``:`` and ``,`` are special)."""
    return "".join("\\" + ch if ch in "\\-:," else ch for ch in family)


@lru_cache(maxsize=16)
def font_report(family: str) -> FontReport:
    """The installed faces of ``family`` and whether they are enough to print certificates."""
    if shutil.which("fc-list") is None:
        return FontReport(
            family,
            (),
            _l("找不到 fontconfig(fc-list)，无法确认证书字体。%(hint)s", hint=INSTALL_HINT),
        )
    try:
        output = subprocess.run(
            ["fc-list", "-f", "%{weight}\t%{file}\t%{index}\t%{charset}\n", _pattern(family)],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return FontReport(
            family,
            (),
            _l(
                "无法查询证书字体 %(family)s:%(error)s。%(hint)s",
                family=family,
                error=str(exc),
                hint=INSTALL_HINT,
            ),
        )
    faces = []
    for line in output.splitlines():
        weight, file, index, charset = (line.split("\t") + ["", "", "", ""])[:4]
        if not file:
            continue
        faces.append(
            FontFace(
                weight=int(float(weight or 80)),
                file=file,
                index=int(index or 0),
                ranges=_parse_charset(charset),
            )
        )
    faces.sort(key=lambda face: (face.weight, face.file))
    report = FontReport(family, tuple(faces))
    if not faces:
        return FontReport(
            family,
            (),
            _l(
                "证书字体 %(family)s 未安装，证书无法签发。%(hint)s",
                family=family,
                hint=INSTALL_HINT,
            ),
        )
    if not report.has_bold:
        return FontReport(
            family,
            report.faces,
            _l(
                "证书字体 %(family)s 没有粗体字形，证书无法签发。%(hint)s",
                family=family,
                hint=INSTALL_HINT,
            ),
        )
    return report


def missing_glyphs(text: str, family: str) -> list[str]:
    """Characters of ``text`` that some face of ``family`` cannot draw (whitespace aside)."""
    report = font_report(family)
    missing: list[str] = []
    for char in dict.fromkeys(text):
        if char.isspace():
            continue
        if not report.faces or not all(face.covers(char) for face in report.faces):
            missing.append(char)
    return missing


def startup_check(app: Flask) -> None:
    """Warn in the log, at start-up, when certificates could not be printed; never stops the app.

    Costs one ``fc-list`` call per process (the report is cached), not a WeasyPrint import.
    """
    from lms.certificates.templates import TemplateProblem, load_template, templates_root

    with app.app_context():
        try:
            template = load_template(app.config["LMS_CERT_TEMPLATE"], templates_root())
        except TemplateProblem as exc:
            app.logger.warning("Certificates: %s", exc)
            return
        report = font_report(template.font)
    if not report.ok:
        app.logger.warning("Certificates: %s", report.problem)
