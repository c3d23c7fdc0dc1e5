"""``flask lms remind``, ``flask lms export-xapi`` and ``flask lms plan refresh/verify``."""

from __future__ import annotations

import json
import smtplib
from datetime import date, datetime
from pathlib import Path

import click
from flask.cli import with_appcontext


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-03-01") from None


@click.command("remind")
@with_appcontext
@click.option("--as-of", "as_of", metavar="DATE", help="Send as if today were DATE (YYYY-MM-DD).")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
def remind_command(as_of: str | None, dry_run: bool) -> None:
    """E-mail each person one digest of due training, and HR a summary; never the same step twice."""
    from lms.plan.reminders import send_reminders

    if not dry_run:
        _refresh(_date(as_of))  # the day's statuses first, so the lists match what is sent
    try:
        report = send_reminders(_date(as_of), dry_run=dry_run, echo=click.echo)
    except (smtplib.SMTPException, OSError) as exc:
        raise click.ClickException(
            f"Cannot send mail through the SMTP server ({exc}); nothing was recorded as sent."
        ) from None
    if not dry_run:
        for digest in report.sent:
            click.echo(
                f"sent to {digest.person.email} ({digest.person.employee_no}): "
                + ", ".join(r.kind for r in digest.reminders)
            )
        for digest, why in report.failed:
            click.echo(f"FAILED {digest.person.employee_no}: {why}", err=True)
    for digest in report.no_email:
        click.echo(f"no e-mail address for {digest.person.employee_no} {digest.person.name}")
    click.echo(report.summary())
    if report.failed:
        raise SystemExit(1)


def _refresh(as_of: date | None) -> None:
    from lms.db import session
    from lms.plan import kept

    report = kept.refresh(as_of)
    session.commit()
    click.echo(
        f"Kept statuses refreshed as of {report.as_of}: {report.rows} row(s) "
        f"in {report.seconds:.1f} s."
    )


@click.group("plan")
def plan_cli() -> None:
    """Kept plan statuses: refresh them for a day, or compare them with the status function."""


@plan_cli.command("refresh")
@with_appcontext
@click.option("--as-of", "as_of", metavar="DATE", help="Keep statuses as of DATE (YYYY-MM-DD).")
def refresh_command(as_of: str | None) -> None:
    """Recompute every kept status as of today (or DATE); safe to run again (idempotent)."""
    _refresh(_date(as_of))


@plan_cli.command("verify")
@with_appcontext
@click.option("--repair", is_flag=True, help="Rewrite the rows that differ.")
def verify_command(repair: bool) -> None:
    """Compare the kept statuses with the status function; exit 1 on drift (unless repaired)."""
    from lms.db import session
    from lms.plan import kept

    report = kept.verify(repair=repair)
    if report.as_of is None:
        raise click.ClickException("No statuses are kept yet: run `flask lms plan refresh` first.")
    lines = [d.describe() for d in report.drift] + report.urgency
    for line in lines[:50]:
        click.echo(f"drift: {line}")
    if len(lines) > 50:
        click.echo(f"… and {len(lines) - 50} more")
    if report.repaired:
        session.commit()
        click.echo(f"Repaired {len(lines)} row(s).")
    click.echo(f"Checked {report.checked} pair(s) as of {report.as_of}: {len(lines)} drifted.")
    if lines and not report.repaired:
        raise SystemExit(1)


@click.command("export-xapi")
@with_appcontext
@click.option("--since", metavar="DATE", help="Only completions on or after DATE (UTC).")
@click.option("--until", metavar="DATE", help="Only completions before DATE (UTC).")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File (default: stdout).",
)
def export_xapi_command(since: str | None, until: str | None, output: Path | None) -> None:
    """Write completions as xAPI statements (JSON array: passed / failed / completed)."""
    from lms.plan.xapi import statements

    def moment(value: str | None) -> datetime | None:
        day = _date(value)
        return datetime.combine(day, datetime.min.time()) if day else None

    body = json.dumps(statements(moment(since), moment(until)), ensure_ascii=False, indent=1)
    if output is None:
        click.echo(body)
    else:
        output.write_text(body + "\n", encoding="utf-8")
        click.echo(f"Wrote {len(json.loads(body))} statement(s) to {output}.")
