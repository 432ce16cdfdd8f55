"""REFI-QDA exchange on the command line: ``workbench export DIR --qdpx OUT`` and ``workbench codebook export``."""

from __future__ import annotations

import click

from workbench.cli_common import open_project, reported
from workbench.refi.export_qdpx import export_qdpx
from workbench.refi.qdc_export import export_qdc


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


@click.command("export")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option(
    "--qdpx",
    "out",
    required=True,
    metavar="OUT",
    type=click.Path(dir_okay=False),
    help="The .qdpx file to write (REFI-QDA, read by NVivo, ATLAS.ti, MAXQDA and QualCoder).",
)
@click.pass_context
def export(ctx: click.Context, folder: str, out: str) -> None:
    """Export the project in FOLDER as a REFI-QDA project: signed-off transcripts, codes, codings, cases and memos.

    Transcripts still in review are left out. The residual scan runs first: if it finds a possible identifier,
    nothing is written.
    """
    with reported(), open_project(ctx, folder) as project:
        summary = export_qdpx(project, out)
    click.echo(
        f"Exported {_plural(summary.documents, 'transcript')}, {_plural(summary.codings, 'coding')}, "
        f"{_plural(summary.codes, 'code')}, {_plural(summary.cases, 'case')} and {_plural(summary.notes, 'memo')} "
        f"to {summary.path}"
    )
    if summary.left_out:
        click.echo(f"Left out {_plural(summary.left_out, 'transcript')} not signed off yet", err=True)


@click.command("export")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option(
    "--qdc",
    "out",
    required=True,
    metavar="OUT",
    type=click.Path(dir_okay=False),
    help="The .qdc file to write (REFI-QDA codebook exchange).",
)
@click.option("--codebook", "codebook_id", metavar="ID", help="Export only this codebook (default: all of them).")
@click.pass_context
def codebook_export(ctx: click.Context, folder: str, out: str, codebook_id: str | None) -> None:
    """Export the codebooks of the project in FOLDER as a REFI-QDA codebook (.qdc), with colours and descriptions."""
    with reported(), open_project(ctx, folder) as project:
        summary = export_qdc(project, codebook_id, out)
    click.echo(
        f"Exported {_plural(len(summary.codebooks), 'codebook')} ({', '.join(summary.codebooks)}) with "
        f"{_plural(summary.codes, 'code')} to {summary.path}"
    )
