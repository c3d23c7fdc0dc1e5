"""``flask lms invite``: activation slips (PDF) and e-mails from the command line."""

from __future__ import annotations

import smtplib
from pathlib import Path

import click
from flask.cli import with_appcontext


@click.command("invite")
@with_appcontext
@click.option("--department", help="Only people of this department.")
@click.option(
    "--employee-no",
    "employee_nos",
    multiple=True,
    metavar="N",
    help="These people (repeatable); a person with a password gets a reset.",
)
@click.option("--email", "by_email", is_flag=True, help="E-mail people who have an address.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the slips of everyone not e-mailed to this PDF.",
)
def invite_command(
    department: str | None, employee_nos: tuple[str, ...], by_email: bool, out: Path | None
) -> None:
    """Invite staff without a password (or the people named): slips PDF and/or e-mails.

    Every invitation revokes the person's older ones and expires after LMS_INVITE_HOURS.
    """
    from flask import current_app

    from lms.audit.log import record
    from lms.db import session
    from lms.invitations import delivery, service

    if current_app.extensions["lms"].user_adapter is not None:
        raise click.ClickException("The host application logs people in: nobody is invited.")
    people, problems = service.select_people(department=department, employee_nos=employee_nos)
    for problem in problems:
        click.echo(problem, err=True)
    if not people:
        raise click.ClickException("Nobody to invite.")
    mailed = [p for p in people if p.email] if by_email else []
    slips = [p for p in people if p not in mailed]
    if slips and out is None:
        raise click.ClickException(
            f"{len(slips)} people need a printed slip: name the PDF with --out FILE.pdf."
        )
    try:
        if mailed:
            issued = service.issue(mailed, channel="email", actor_id=None)
            sent = delivery.send_emails(issued)
            for item in issued:
                if item not in sent:
                    click.echo(f"{item.staff.employee_no}: the mail server refused {item.staff.email}",
                               err=True)  # fmt: skip
                    slips.append(item.staff)
                    session.delete(item.invitation)
            record("invitation.email", target_type="staff", count=len(sent))
            session.commit()
            click.echo(f"E-mailed {len(sent)} invitation(s).")
        if slips:
            if out is None:
                raise click.ClickException("Some e-mails were refused: name a PDF with --out.")
            issued = service.issue(slips, channel="slip", actor_id=None)
            pdf = delivery.slips_pdf(issued)
            out.write_bytes(pdf)
            record("invitation.print", target_type="staff", count=len(issued), file=out.name)
            session.commit()
            click.echo(f"Wrote {len(issued)} slip(s) to {out}.")
    except (smtplib.SMTPException, OSError) as exc:
        session.rollback()
        raise click.ClickException(
            f"Cannot send mail through the SMTP server ({exc}); no invitation was e-mailed."
        ) from None
    except delivery.DeliveryProblem as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from None
