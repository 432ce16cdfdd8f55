"""``workbench import-qdpx`` and ``workbench codebook import-qdc``: projects and codebooks from other QDA tools."""

from __future__ import annotations

import click

from workbench.cli_common import progress_printer, reported
from workbench.refi.import_qdpx import import_qdpx
from workbench.refi.qdc_import import import_qdc


@click.command("import-qdpx")
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("folder", type=click.Path(file_okay=False))
@click.pass_context
def import_qdpx_command(ctx: click.Context, file: str, folder: str) -> None:
    """Create a project in FOLDER from a REFI-QDA project FILE (.qdpx from NVivo, MAXQDA, ATLAS.ti, QualCoder...).

    FOLDER is created (or must be empty). The transcripts enter anonymisation review like any other; their codings
    appear once an ethics reviewer signs them off. Everything the workbench cannot keep is listed, by kind.
    """
    user = ctx.obj.user if ctx.obj is not None else None
    with reported():
        report = import_qdpx(file, folder, user, progress=progress_printer())
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    for line in report.lines():
        click.echo(line)


@click.command("import-qdc")
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@click.option("--prefix", metavar="PREFIX", help="Start every code id with PREFIX (default: the tool's name).")
def import_qdc_command(file: str, out: str, force: bool, prefix: str | None) -> None:
    """Convert a REFI-QDA codebook FILE (.qdc) to a codebook in YAML, OUT.yaml, ready for `workbench codebook load`.

    Colours the workbench cannot read and code sets are dropped with a warning.
    """
    with reported():
        imported = import_qdc(file, out, force=force, prefix=prefix)
    for warning in imported.warnings:
        click.echo(f"Warning: {warning}", err=True)
    for kind, count in sorted(imported.dropped.items()):
        click.echo(f"Dropped {kind}: {count}", err=True)
    click.echo(f"Wrote {out}: codebook {imported.id!r} ({imported.name}), {imported.code_count} codes")
