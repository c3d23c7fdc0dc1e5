"""``flask lms remind`` and ``flask lms export-xapi``."""

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
