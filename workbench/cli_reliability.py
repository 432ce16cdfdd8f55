"""``workbench reliability``: how far the coders agree, code by code, and where they disagree."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from workbench.cli_common import open_project, reported
from workbench.reliability import CodeAgreement, ReliabilityReport


@click.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--coders", metavar="A,B", help="The coders to compare, by name, comma-separated (default: all).")
@click.option("--code", "code_ids", multiple=True, metavar="CODE_ID", help="Only this code (repeatable).")
@click.option("--disagreements", is_flag=True, help="Also list each sentence and code the coders disagree on.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures (and disagreements) as JSON.")
@click.pass_context
def reliability(ctx: click.Context, folder: str, coders: str | None, code_ids: tuple[str, ...], disagreements: bool,
                as_json: bool) -> None:  # fmt: skip
    """Inter-coder reliability on the transcripts the coders all coded: per code, percent agreement, Cohen's kappa
    (two coders) and Krippendorff's alpha, with the sentence as the unit.

    Every coder but "Agreed" is compared unless --coders says who.
    """
    chosen = [name for name in (coders or "").split(",") if name.strip()] if coders is not None else None
    codes = list(code_ids) or None
    with reported(), open_project(ctx, folder) as project:
        report = project.reliability.report(chosen, codes)
        found = project.reliability.disagreements(report.coders, codes) if disagreements else []
    if as_json:
        data = report.as_json()
        if disagreements:
            data["disagreements"] = [asdict(item) for item in found]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for line in _table(report):
        click.echo(line)
    for item in found:
        text = " ".join(item.text.split())
        quoted = f"“{text[:80]}{'…' if len(text) > 80 else ''}”"
        click.echo(f"{item.segment_id:<14} {item.code_id:<40} applied by {', '.join(item.applied_by)}; not by "
                   f"{', '.join(item.not_applied_by)} [{item.decision or 'undecided'}] {quoted}")  # fmt: skip
    if disagreements:
        decided_count = sum(item.decision is not None for item in found)
        click.echo(f"{len(found)} disagreements, {decided_count} decided by a lead coder", err=True)


def _table(report: ReliabilityReport) -> list[str]:
    """The report as aligned lines: a heading, one row per code, the pooled row (for two codes or more), the notes."""
    documents = len(report.documents)
    lines = [
        f"{' and '.join(report.coders)} on {documents} shared transcript{'' if documents == 1 else 's'} "
        f"({report.sentences} sentences)"
    ]
    rows = [*report.codes, report.overall] if len(report.codes) > 1 else report.codes
    width = max(len(row.code_id) for row in rows)
    counts = [max(len(coder), 5) for coder in report.coders]
    header = [f"{'code':<{width}}", *(f"{c:>{w}}" for c, w in zip(report.coders, counts, strict=True))]
    lines.append("  ".join([*header, "agreement", "  kappa", "  alpha"]))
    notes: list[str] = []
    for row in rows:
        cells = [f"{row.code_id:<{width}}"]
        cells += [f"{row.applied[c]:>{w}}" for c, w in zip(report.coders, counts, strict=True)]
        cells += [f"{_percent(row):>9}", f"{_figure(row.kappa):>7}", f"{_figure(row.alpha):>7}"]
        lines.append("  ".join(cells))
        if row.note:
            notes.append(f"{row.code_id}: {row.note}")
    return lines + notes


def _percent(row: CodeAgreement) -> str:
    return "-" if row.agreement is None else f"{row.agreement:.1%}"


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
