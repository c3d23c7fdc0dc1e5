"""``flask lms questions …``: import a question file (or just lint it with ``--dry-run``) and
export a course's bank, so a trainer can check a file before uploading it."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from lms.courses.models import Course
from lms.db import session
from lms.quizzes.interchange import EXPORT_FORMATS, FORMATS, decode

questions_cli = AppGroup(
    "questions",
    help="Import and export question banks (GIFT, Moodle XML, Aiken, the 题库 sheet, YAML).",
)


def _course(slug: str) -> Course:
    course = session.scalar(
        sa.select(Course).where(Course.slug == slug, Course.retired_at.is_(None))
    )
    if course is None:
        raise click.ClickException(f"No course {slug!r}.")
    return course


@questions_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="File format.")
@click.option("--course", "course_slug", required=True, help="Slug of the course to import into.")
@click.option(
    "--section",
    help="lesson#anchor for questions that name no section (default: the course's first section).",
)
@click.option(
    "--category-section",
    "category_sections",
    multiple=True,
    metavar="CATEGORY=lesson#anchor",
    help="Put the questions of a GIFT/Moodle XML category that name no section under this "
    "section (repeatable).",
)
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@click.option(
    "--skip-bad",
    is_flag=True,
    help="Import the valid questions and list the rejected ones (default: all or nothing).",
)
def import_command(
    file: Path,
    fmt: str,
    course_slug: str,
    section: str | None,
    category_sections: tuple[str, ...],
    dry_run: bool,
    skip_bad: bool,
) -> None:
    """Import FILE into a course's bank: all questions or none (unless --skip-bad).

    Prints FILE:line N: problem for each problem, skipped question and (with --skip-bad) rejected
    question, and ends with the counts: imported, new versions, unchanged, skipped, rejected.
    """
    from lms.quizzes.importer import ImportRejected, import_questions, preview_import

    course = _course(course_slug)
    raw = file.read_bytes()
    try:
        text: str | bytes = raw if fmt == "sheet" else decode(raw)  # the sheet reads its bytes
    except UnicodeDecodeError:
        click.echo(f"{file}:line 1: the file is not UTF-8 text (save it as UTF-8)")
        raise click.ClickException("1 problem found; nothing was imported.") from None
    mapping: dict[str, str] = {}
    for item in category_sections:
        category, equals, target = item.rpartition("=")
        if not equals or not category.strip():
            raise click.BadParameter(
                f"{item!r} is not CATEGORY=lesson#anchor", param_hint="--category-section"
            )
        mapping[category.strip()] = target.strip()
    try:
        preview = preview_import(
            text,
            fmt,
            course,
            default_section=section,
            skip_bad=skip_bad,
            category_sections=mapping,
        )
    except ValueError as exc:
        hint = "--category-section" if "for category" in str(exc) else "--section"
        raise click.BadParameter(str(exc), param_hint=hint) from None
    for skipped in preview.skipped:
        click.echo(f"{file}:{skipped}")
    for note in preview.result.notes:
        click.echo(f"{file}:{note} (note)")
    for problem in preview.rejected:
        click.echo(f"{file}:{problem} (rejected)")
    for problem in preview.problems:
        click.echo(f"{file}:{problem}")
    if preview.problems:
        raise click.ClickException(
            f"{len(preview.problems)} problem(s) found; nothing was imported."
        )
    if dry_run:
        click.echo(
            f"{file}: {len(preview.importable)} question(s) valid for {course.slug}: "
            f"{preview.count('create')} new, {preview.count('update')} new version(s), "
            f"{preview.count('unchanged')} unchanged, {len(preview.skipped)} skipped, "
            f"{preview.rejected_count} rejected (dry run: nothing was written)."
        )
        return
    try:
        report = import_questions(
            course,
            preview.importable,
            None,
            fmt=fmt,
            filename=file.name,
            skipped=len(preview.skipped),
            rejected=preview.rejected_count,
        )
    except ImportRejected as exc:
        for problem in exc.problems:
            click.echo(f"{file}:{problem}")
        raise click.ClickException(
            f"{len(exc.problems)} problem(s) found; nothing was imported."
        ) from None
    click.echo(f"Imported into {course.slug}: {report.summary()}.")


@questions_cli.command("export")
@click.option("--course", "course_slug", required=True, help="Slug of the course to export.")
@click.option(
    "--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="gift", show_default=True
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of standard output.",
)
def export_command(course_slug: str, fmt: str, out: Path | None) -> None:
    """Export a course's active questions; importing the export gives the same questions.

    The sheet is an .xlsx workbook (the 题库 layout); the other formats are UTF-8 text."""
    from lms.quizzes.importer import export_course

    try:
        data = export_course(_course(course_slug), fmt)
    except ValueError as exc:  # a question the format cannot hold (the sheet: 26 options at most)
        raise click.ClickException(f"Cannot export as {fmt}: {exc}") from None
    if out is None:
        click.echo(data, nl=False)
    else:
        out.write_bytes(data)
        click.echo(f"Wrote {out}.", err=True)
