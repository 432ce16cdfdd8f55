"""``workbench backup`` and ``workbench restore``: a whole project in one archive, and back."""

from __future__ import annotations

from pathlib import Path

import click

from workbench.backup import backup_project, restore_project
from workbench.cli_common import reported

IDENTIFIABLE = (
    "Warning: {} holds the key store (the identifiable originals); keep it as safe as the key store, never share it"
)


# Paths are plain click.Path()s: the core checks them, so that a wrong one is one `Error:` line and exit status 1.
@click.command()
@click.argument("folder", type=click.Path())
@click.argument("out", type=click.Path())
@click.pass_context
def backup(ctx: click.Context, folder: str, out: str) -> None:
    """Copy the project in FOLDER into the new archive OUT (a .zip): its databases (and its team accounts, if any),
    made consistent with SQLite's online backup while others may be working, and the codebook files.

    OUT holds the identifiable key store and the team's password hashes; it is written readable by you only.
    """
    with reported():
        manifest = backup_project(Path(folder), Path(out), actor=ctx.obj.user)
    click.echo(IDENTIFIABLE.format(out), err=True)
    codebooks = len(manifest.codebooks)
    team = ", the team accounts" if manifest.has_team else ""
    click.echo(f"Backed up {folder} to {out}: project.db, the key store{team} and {codebooks} codebook file"
               f"{'s' if codebooks != 1 else ''}")  # fmt: skip


@click.command()
@click.argument("archive", metavar="BACKUP", type=click.Path())
@click.argument("folder", type=click.Path())
@click.pass_context
def restore(ctx: click.Context, archive: str, folder: str) -> None:
    """Recreate a project in FOLDER (new, or empty) from BACKUP, an archive made by `workbench backup`."""
    with reported():
        manifest = restore_project(Path(archive), Path(folder), actor=ctx.obj.user)
    click.echo(f"Restored {folder} from {archive} (backed up {manifest.created_at} by {manifest.created_by})")


COMMANDS = (backup, restore)
