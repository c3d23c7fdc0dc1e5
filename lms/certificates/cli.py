"""``flask lms certificates …``: batch printing from the command line."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from lms.certificates.batch import BatchFilter, build, stored_html
from lms.courses.models import Course
from lms.db import session

certificates_cli = AppGroup("certificates", help="Certificates: batch printing.")

_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _write_atomically(path: Path, write) -> int:
    """Write through a temporary file beside ``path``: a failure never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            result = write(out)
        if result:
            os.replace(temp, path)
        return result
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


@certificates_cli.command("print")
@click.option("--course", help="Only this course (its slug).")
@click.option("--department", help="Only staff of this department.")
@click.option("--issued-from", type=_DATE, help="Issued on or after this day (YYYY-MM-DD).")
@click.option("--issued-to", type=_DATE, help="Issued on or before this day (YYYY-MM-DD).")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.pdf (one merged PDF) or FILE.zip (one PDF each plus register.csv).",
)
@click.option(
    "--html",
    "html_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the exact HTML rendered at issue (one certificate: FILE.html; "
    "several: FILE-<serial>.html each). The stylesheet is the template's theme.css.",
)
def print_command(
    course: str | None,
    department: str | None,
    issued_from: datetime | None,
    issued_to: datetime | None,
    out: Path,
    html_out: Path | None,
) -> None:
    """Print the stored PDFs of current certificates (not revoked or superseded) for a filter."""
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "zip"):
        raise click.ClickException("--out must end in .pdf or .zip")
    if course and session.scalar(sa.select(Course.id).where(Course.slug == course)) is None:
        raise click.ClickException(f"No course {course!r}.")
    if issued_from and issued_to and issued_to < issued_from:
        raise click.ClickException("--issued-to is before --issued-from.")
    f = BatchFilter(
        course=course,
        department=department,
        issued_from=issued_from.date() if issued_from else None,
        issued_to=issued_to.date() if issued_to else None,
    )
    count = _write_atomically(out, lambda handle: build(f, fmt, handle))
    if not count:
        raise click.ClickException(f"No certificates match ({f.describe()}); nothing written.")
    from lms.audit.log import record

    record("certificate.batch", target_type="batch", format=fmt, total=count,
           filter=f.describe(), file=out.name, source="cli")  # fmt: skip
    session.commit()
    click.echo(f"Wrote {count} certificate(s) to {out} ({out.stat().st_size / 1024:.0f} KB).")
    if html_out:
        pages = stored_html(f)
        if len(pages) == 1:
            html_out.write_text(pages[0][1], encoding="utf-8")
            click.echo(f"Wrote the rendered HTML to {html_out}.")
        else:
            for serial, html in pages:
                target = html_out.with_name(f"{html_out.stem}-{serial}{html_out.suffix or '.html'}")
                target.write_text(html, encoding="utf-8")
            click.echo(f"Wrote {len(pages)} HTML files next to {html_out}.")
