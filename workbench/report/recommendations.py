"""The recommendations draft: grouped by area (the recommendations codebook's themes), each recommendation from a
"recommendation" memo, with its supporting codes, how many case workers stand behind it, and a quotation."""

from __future__ import annotations

from workbench.project import Project
from workbench.report.findings import Drafting, DraftOptions
from workbench.report.model import Bullets, Heading, Paragraph, Report


def build_recommendations(project: Project, options: DraftOptions | None = None) -> Report:
    """Return the recommendations draft: an area per theme of the recommendations codebook."""
    drafting = Drafting(project, options or DraftOptions())
    report = Report(
        "recommendations",
        "Recommendations",
        "A first draft written by the workbench, grouped by area, for the writers to revise",
    )
    codebooks = drafting.selected_codebooks(recommendations=True)
    all_codes = {code.id: code for codebook in drafting.codebooks.values() for code in codebook.codes}
    for codebook in codebooks:
        for area in codebook.children(None):
            if not drafting.selected(codebook, area):
                continue
            ids = {area.id} | {c.id for c in codebook.descendants(area.id)}
            memos = drafting.memos("recommendation", codebook, ids)
            area_quotes = drafting.quotes_of(codebook, area, nested=True)
            first, share = drafting.counts(area_quotes)
            report.add(Heading(area.name, 1))
            report.add(Paragraph(f"{first}{share} made suggestions in this area. {area.definition}"))
            if not memos:
                report.add(Paragraph("No recommendation has been written for this area yet."))
                continue
            by_code: dict[str | None, list[str]] = {}
            for text, code_id in memos:
                by_code.setdefault(code_id, []).append(text)
            for code_id, texts in by_code.items():
                code = all_codes[code_id] if code_id else area
                supporting = drafting.quotes_of(codebook, code, nested=True)
                behind, share = drafting.counts(supporting)
                verb = "stands" if behind.startswith("One ") else "stand"
                report.add(Bullets(tuple(texts)))
                report.add(Paragraph(f"Supporting code: {code.name}. {behind}{share} {verb} behind this."))
                report.add(*drafting.choose(supporting)[:1])
    if not codebooks:
        report.add(Paragraph("This project has no recommendations codebook: load codebooks/recommendations.yaml."))
    return report
