"""``workbench team``: the accounts of the people who may use the app in team mode (`workbench app DIR --team`)."""

from __future__ import annotations

import sys

import click

from workbench.cli_common import reported
from workbench.project import default_actor
from workbench.team import ROLES, Team

ROLE_HELP = f"One of {', '.join(ROLES)}; repeat it (or separate roles with commas) to give several."


@click.group()
def team() -> None:
    """Manage who may sign in to the app in team mode, and with which roles (see docs/team.md)."""


@team.command("add")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, metavar="ROLE", help=ROLE_HELP)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin (for scripts).")
@click.pass_context
def add(ctx: click.Context, folder: str, name: str, roles: tuple[str, ...], password_stdin: bool) -> None:
    """Add NAME to the team of the project in FOLDER; the first member must be an admin."""
    with reported(), _team(ctx, folder) as opened:
        opened.check_new(name, roles)  # before asking for the password
        member = opened.add(name, roles, _password(password_stdin))
    click.echo(f"Added {member.name} to the team of {folder} as {member.role_label}")


@team.command("list")
@click.argument("folder", type=click.Path(file_okay=False))
@click.pass_context
def list_(ctx: click.Context, folder: str) -> None:
    """List the team members of the project in FOLDER with their roles."""
    with reported(), _team(ctx, folder) as opened:
        members = opened.members()
    if not members:
        click.echo(f"{folder} has no team yet; add an admin with `workbench team add {folder} NAME --role admin`")
        return
    for member in members:
        click.echo(f"{member.name:<30} {member.role_label:<32} added {member.created_at}  changed {member.changed_at}")


@team.command("remove")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("name")
@click.pass_context
def remove(ctx: click.Context, folder: str, name: str) -> None:
    """Remove NAME from the team of the project in FOLDER (never the last admin)."""
    with reported(), _team(ctx, folder) as opened:
        opened.remove(name)
    click.echo(f"Removed {' '.join(name.split())} from the team of {folder}")


@team.command("role")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("name")
@click.argument("roles", nargs=-1, required=True, metavar="ROLE...")
@click.pass_context
def role(ctx: click.Context, folder: str, name: str, roles: tuple[str, ...]) -> None:
    """Give NAME exactly the roles ROLE... (coder, reviewer, writer, admin) in the project in FOLDER."""
    with reported(), _team(ctx, folder) as opened:
        member = opened.set_roles(name, roles)
    click.echo(f"{member.name} is now {member.role_label}")


@team.command("password")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin (for scripts).")
@click.pass_context
def password(ctx: click.Context, folder: str, name: str, password_stdin: bool) -> None:
    """Set a new password for NAME in the project in FOLDER (their failed sign-ins are forgotten)."""
    with reported(), _team(ctx, folder) as opened:
        member = opened.require(name)  # before asking for the password
        opened.set_password(member.name, _password(password_stdin))
    click.echo(f"Changed the password of {member.name}")


def _team(ctx: click.Context, folder: str) -> Team:
    user = ctx.obj.user if ctx.obj is not None else None
    return Team.open(folder, actor=user or default_actor())


def _password(from_stdin: bool) -> str:
    """Return the password from stdin's first line, or from a hidden prompt typed twice."""
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True, default="", show_default=False)
    return value
