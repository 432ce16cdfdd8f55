"""``workbench report``: the findings or recommendations draft, or the ethics report, as Word or Markdown."""

from __future__ import annotations

import click

from workbench.cli_common import open_project, reported
from workbench.errors import ReportRefused
from workbench.report import FORMATS, KINDS, DraftOptions, write_report


@click.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--kind", type=click.Choice(KINDS), required=True, help="Which report to write.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="docx", show_default=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The file to write.")
@click.option("--codebook", "codebooks", multiple=True, metavar="ID", help="Only these codebooks (repeatable).")
@click.option("--theme", "themes", multiple=True, metavar="ID", help="Only these themes or areas (repeatable).")
@click.option("--code", "codes", multiple=True, metavar="ID", help="Only these codes (repeatable).")
@click.option("--quotes", "quotes_per_code", default=3, show_default=True, help="Quotes per code at most.")
@click.option("--citation-label", metavar="TEMPLATE", help='How quotes are cited, e.g. "Case Worker {n}".')
@click.pass_context
def report(ctx: click.Context, folder: str, kind: str, fmt: str, out: str, codebooks: tuple[str, ...],
           themes: tuple[str, ...], codes: tuple[str, ...], quotes_per_code: int,
           citation_label: str | None) -> None:  # fmt: skip
    """Write a first draft of the findings or recommendations, or the ethics report.

    Before a draft is written every quote is re-cut from the transcript and compared, every quoted transcript must be
    signed off, and a residual anonymity scan reads the whole draft: any problem stops it, and all are listed.
    """
    options = DraftOptions(codebooks, themes, codes, quotes_per_code, citation_label)
    with reported(), open_project(ctx, folder) as project:
        try:
            path = write_report(project, kind, fmt, out, options)
        except ReportRefused as refused:
            click.echo(f"Error: the {kind} draft was not written; fix these and try again:", err=True)
            for number, problem in enumerate(refused.problems, 1):
                click.echo(f"  {number}. {problem}", err=True)
            raise SystemExit(1) from None
    click.echo(f"Wrote the {kind} {'report' if kind == 'ethics' else 'draft'} to {path}")
