"""What every CLI command shares: the user, one plain error line per problem, opening the project, progress."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from workbench.errors import WorkbenchError
from workbench.project import ImportFailed, Progress, Project


class Context:
    def __init__(self, user: str | None) -> None:
        self.user = user


@contextmanager
def reported() -> Iterator[None]:
    """Turn WorkbenchErrors into one ``Error:`` line per problem and exit status 1."""
    try:
        yield
    except ImportFailed as failure:
        for error in failure.errors:
            click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    except WorkbenchError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)


def open_project(ctx: click.Context, folder: str) -> Project:
    return Project.open(folder, actor=ctx.obj.user)


def progress_printer() -> Progress | None:
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int, what: str) -> None:
        click.echo(f"\r[{done}/{total}] {what[:60]:<60}", err=True, nl=done >= total)

    return show
