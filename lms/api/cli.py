"""``flask lms token …``: mint, list and revoke API bearer tokens."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

import lms.api.tokens as tokens
from lms.auth.models import Staff
from lms.db import session

token_cli = AppGroup("token", help="Bearer tokens for the JSON API.")


def _staff(employee_no: str) -> Staff:
    staff = session.scalar(sa.select(Staff).where(Staff.employee_no == employee_no))
    if staff is None:
        raise click.ClickException(f"No staff member {employee_no}.")
    return staff


@token_cli.command("create")
@click.argument("employee_no")
@click.option("--name", default="", help="A label, e.g. the device or host app using it.")
def create_token_command(employee_no: str, name: str) -> None:
    """Mint a token for EMPLOYEE_NO; it is printed once and only its hash is kept."""
    staff = _staff(employee_no)
    if not staff.active:
        raise click.ClickException(f"Staff {employee_no} is deactivated.")
    if len(name) > 100:
        raise click.ClickException("The name may be at most 100 characters.")
    row, plain = tokens.create_token(staff, name)
    click.echo(f"Token {row.id} for {employee_no}" + (f" ({row.name})" if row.name else "") + ":")
    click.echo(plain)
    click.echo("Store it now: it cannot be shown again.", err=True)


@token_cli.command("revoke")
@click.argument("token_id", metavar="ID", type=int)
def revoke_token_command(token_id: int) -> None:
    """Revoke token ID (see `flask lms token list`); calls with it are refused from now on."""
    row = tokens.revoke_token(token_id)
    if row is None:
        raise click.ClickException(f"No token {token_id}.")
    click.echo(
        f"Token {row.id} of {row.staff.employee_no} revoked at {row.revoked_at:%Y-%m-%d %H:%M} UTC."
    )


@token_cli.command("list")
@click.argument("employee_no", required=False)
def list_tokens_command(employee_no: str | None) -> None:
    """List tokens (all, or EMPLOYEE_NO's): id, owner, name, created, last used, state."""
    rows = tokens.tokens_of(_staff(employee_no) if employee_no else None)
    if not rows:
        click.echo("No tokens.")
        return

    def when(moment: object) -> str:
        return f"{moment:%Y-%m-%d %H:%M}" if moment else "-"

    click.echo(
        f"{'id':>5}  {'employee no':<14} {'name':<20} {'created':<16}  {'last used':<16}  state"
    )
    for row in rows:
        state = f"revoked {when(row.revoked_at)}" if row.revoked_at else "active"
        click.echo(
            f"{row.id:>5}  {row.staff.employee_no:<14} {row.name or '-':<20} "
            f"{when(row.created_at):<16}  {when(row.last_used_at):<16}  {state}"
        )
