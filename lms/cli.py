"""``flask lms …`` commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from lms.content.check import check_library
from lms.content.library import load_library
from lms.content.sync import sync_content
from lms.formats.errors import ContentInvalid
from lms.quizzes.lint import LintSettings, format_table, lint_library, summary_rows

lms_cli = AppGroup("lms", help="Mingli training and certification.")


def _add_feature_commands() -> None:
    from lms.api.cli import token_cli

    lms_cli.add_command(token_cli)

    from lms.quizzes.cli import questions_cli

    lms_cli.add_command(questions_cli)

    from lms.certificates.cli import certificates_cli

    lms_cli.add_command(certificates_cli)


_add_feature_commands()


def _add_plan_commands() -> None:
    from lms.plan.cli import export_xapi_command, plan_cli, remind_command

    lms_cli.add_command(remind_command)
    lms_cli.add_command(plan_cli)
    lms_cli.add_command(export_xapi_command)


_add_plan_commands()


def _add_invitation_commands() -> None:
    from lms.invitations.cli import invite_command

    lms_cli.add_command(invite_command)


_add_invitation_commands()


def _content_dir() -> Path:
    return Path(current_app.config["LMS_CONTENT_DIR"])


def _run_sync() -> None:
    try:
        report = sync_content(_content_dir())
    except ContentInvalid as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        raise click.ClickException(
            f"{len(exc.errors)} problem(s) in the content; the database was not changed."
        ) from None
    click.echo(f"Content synced: {report.summary()}.")


@lms_cli.command("init")
@click.option("--demo", is_flag=True, help="Also create one demo account per role.")
def init_command(demo: bool) -> None:
    """Create or upgrade the database, then load the content."""
    from lms.migrate import upgrade_database

    upgrade_database()
    click.echo("Database is up to date.")
    _run_sync()
    if demo:
        from lms.demo import ensure_demo_accounts

        click.echo("Demo accounts (employee no / password / roles):")
        for employee_no, password, roles in ensure_demo_accounts():
            click.echo(f"  {employee_no:<14} {password:<14} {roles}")
        _demo_organisation()


def _demo_organisation() -> None:
    from lms.demo import ensure_demo_organisation

    org = ensure_demo_organisation()
    if org.created:
        click.echo(
            f"Demo organisation: {org.staff} staff, {org.requirements} plan requirements, "
            f"{org.attempts} graded attempts, {org.certificates} certificates."
        )
    else:
        click.echo(f"Demo organisation already present ({org.requirements} plan requirements).")


@lms_cli.command("sync-content")
def sync_content_command() -> None:
    """Load courses/ and quizzes/ into the database (idempotent; removed files are retired)."""
    _run_sync()


@lms_cli.command("check-content")
@click.option(
    "--seeds",
    type=click.Path(file_okay=False, path_type=Path),
    help="Seed documents to check quotes against (default: LMS_SEEDS_DIR).",
)
def check_content_command(seeds: Path | None) -> None:
    """Validate every course, lesson and bank; print file:line: problem for each fault."""
    seeds = seeds or (
        Path(current_app.config["LMS_SEEDS_DIR"]) if current_app.config["LMS_SEEDS_DIR"] else None
    )
    if seeds is not None and not seeds.is_dir():
        click.echo(f"Seed folder {seeds} is absent: quotes are not checked against the seeds.")
        seeds = None
    elif seeds is None:
        click.echo("No seed folder configured: quotes are not checked against the seeds.")
    lib = load_library(_content_dir())
    errors = check_library(
        lib, seeds, typography=bool(current_app.config.get("LMS_CHECK_TYPOGRAPHY", True))
    )
    for error in errors:
        click.echo(str(error))
    # The bank linter only warns here: `flask lms lint-bank` is the command that fails on its bars.
    reports = lint_library(lib, LintSettings.from_config(current_app.config))
    warnings = [f for report in reports.values() for f in report.findings]
    for finding in warnings:
        click.echo(
            f"{finding.path}:{finding.line}: warning: [{finding.code}] "
            + (f"{finding.key}: " if finding.key else "")
            + finding.message
        )
    if warnings:
        click.echo(f"{len(warnings)} bank linter warning(s); see flask lms lint-bank.")
    if errors:
        raise click.ClickException(f"{len(errors)} problem(s) found.")
    click.echo("Content is valid.")


@lms_cli.command("lint-bank")
@click.option("--course", "course_slug", help="Lint only this course's bank (slug).")
def lint_bank_command(course_slug: str | None) -> None:
    """Can a test-wise guesser pass the banks? Prints file:line: [code] message per finding, then
    a summary per bank; exits 1 when a bank fails a bar (thresholds: LMS_LINT_*)."""
    lib = load_library(_content_dir())
    if lib.errors:
        click.echo(
            f"{len(lib.errors)} content problem(s): banks that do not load are not linted "
            "(run flask lms check-content).",
            err=True,
        )
    reports = lint_library(lib, LintSettings.from_config(current_app.config))
    if course_slug is not None:
        if course_slug not in reports:
            raise click.ClickException(f"No bank for the course {course_slug!r}.")
        reports = {course_slug: reports[course_slug]}
    for report in reports.values():
        for finding in report.findings:
            click.echo(str(finding))
    click.echo("")
    for line in format_table(summary_rows(r.summary for r in reports.values())):
        click.echo(line)
    failed = sum(len(r.summary.failed) for r in reports.values())
    if failed:
        click.echo(f"{failed} bank-level bar(s) failed.", err=True)
        sys.exit(1)


@lms_cli.command("create-user")
@click.argument("employee_no")
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(["learner", "trainer", "hr", "admin"]),
    default=["learner"],
    show_default=True,
)
@click.option("--department")
@click.option("--position")
def create_user_command(
    employee_no: str,
    name: str,
    password: str,
    roles: tuple[str, ...],
    department: str | None,
    position: str | None,
) -> None:
    """Create a staff account that logs in with a password."""
    from lms.audit.log import record
    from lms.auth.models import Staff
    from lms.db import session

    if len(password) < 8:
        raise click.ClickException("The password must be at least 8 characters.")
    if session.scalar(sa.select(Staff).where(Staff.employee_no == employee_no)):
        raise click.ClickException(f"Staff {employee_no} already exists.")
    staff = Staff(employee_no=employee_no, name=name, department=department, position=position)
    staff.set_roles(set(roles))
    staff.set_password(password)
    session.add(staff)
    session.flush()
    record("staff.create", target_type="staff", target_id=employee_no, roles=sorted(roles))
    session.commit()
    click.echo(f"Created {employee_no} ({', '.join(sorted(roles))}).")


@lms_cli.command("import-staff")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-bad", is_flag=True, help="Import the good rows even if some are bad.")
@click.option(
    "--map-department",
    "department_map",
    multiple=True,
    metavar="NEW=EXISTING",
    help="Put the existing department EXISTING wherever the file says NEW (repeatable).",
)
def import_staff_command(file: Path, skip_bad: bool, department_map: tuple[str, ...]) -> None:
    """Import staff from a CSV file; any bad row means nothing is imported (unless --skip-bad).

    A new department whose name is close to an existing one is imported as written, with a warning;
    --map-department puts the existing name in its place.
    """
    from lms.i18n import _
    from lms.staff.importer import (
        apply_department_map,
        department_flags,
        import_staff,
        parse_staff_file,
        problem,
    )

    mapping = {}
    for pair in department_map:
        new, sep, existing = pair.partition("=")
        if not sep or not new.strip() or not existing.strip():
            raise click.BadParameter(f"{pair!r} is not NEW=EXISTING", param_hint="--map-department")
        mapping[new.strip()] = existing.strip()
    max_rows = int(current_app.config["LMS_IMPORT_MAX_ROWS"])
    data = file.read_bytes()
    preview = parse_staff_file(data, max_rows)
    apply_department_map(preview, mapping)
    for flag in department_flags(preview.rows):
        text = _(
            "新部门“%(name)s”与已有部门“%(close)s”相近；如是同一部门，请用 --map-department 指定",
            name=flag.name,
            close="”“".join(flag.close),
        )
        click.echo(f"{file}: {problem(flag.lines[0], 'department', text)}", err=True)
    result = import_staff(data, skip_bad=skip_bad, max_rows=max_rows, department_map=mapping)
    for error in result.errors:
        click.echo(f"{file}: {error}", err=True)
    if result.errors and not (result.created or result.updated):
        click.echo(f"{len(result.errors)} bad row(s): nothing was imported.", err=True)
        sys.exit(1)
    click.echo(
        f"Imported {result.created} new and {result.updated} updated staff"
        + (f"; skipped {result.skipped} bad row(s)." if result.skipped else ".")
    )


@lms_cli.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Write a consistent online backup of the LMS data to FILE."""
    from lms.backup import BackupError, backup
    from lms.db import engine

    try:
        backup(engine(), file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup written to {file}.")


@lms_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file: Path, yes: bool) -> None:
    """Replace the LMS data with the backup in FILE."""
    from lms.backup import BackupError, restore
    from lms.db import engine

    if not yes:
        click.confirm("This replaces the current LMS data. Continue?", abort=True)
    try:
        restore(engine(), file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored from {file}.")
