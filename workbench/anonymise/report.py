"""The ethics report: what was found, what was decided, what the residual scan says, and who signed off.

It never holds an original: only categories, counts, placeholders, reviewers and masked context from released text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import docx

from workbench.anonymise.review import Residual
from workbench.errors import WorkbenchError
from workbench.store import utc_now

if TYPE_CHECKING:
    from workbench.project import Project


@dataclass(frozen=True)
class TranscriptEntry:
    document_id: int
    citation: str
    source_name: str
    status: str
    candidates: int
    accepted: int
    rejected: int
    pending: int
    by_hand: int
    by_category: dict[str, int]
    by_detector: dict[str, int]
    residual: list[Residual]
    signed_off_by: str | None
    signed_off_at: str | None


@dataclass(frozen=True)
class EthicsReport:
    project: str
    generated_at: str
    generated_by: str
    transcripts: list[TranscriptEntry] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(int(getattr(entry, name)) for entry in self.transcripts)

    def by_category(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for entry in self.transcripts:
            for category, count in entry.by_category.items():
                totals[category] = totals.get(category, 0) + count
        return dict(sorted(totals.items(), key=lambda item: -item[1]))

    @property
    def residual(self) -> list[Residual]:
        return [item for entry in self.transcripts for item in entry.residual]


def build_ethics_report(project: Project) -> EthicsReport:
    """Gather the report, running the residual scan over every signed-off transcript now."""
    review = project.review
    residual = review.residual_scan()
    signoffs = review.signoffs()
    report = EthicsReport(project.folder.resolve().name, utc_now(), project.actor)
    for document in project.documents():
        summary = review.summary(document.id)
        signoff = signoffs.get(document.id)
        report.transcripts.append(
            TranscriptEntry(
                document_id=document.id,
                citation=document.citation,
                source_name=document.source_name,
                status=document.status,
                candidates=summary["candidates"],
                accepted=summary["accepted"],
                rejected=summary["rejected"],
                pending=summary["pending"],
                by_hand=summary["by_hand"],
                by_category=summary["by_category"],
                by_detector=summary["by_detector"],
                residual=[item for item in residual if item.document_id == document.id],
                signed_off_by=signoff["reviewer"] if signoff else None,
                signed_off_at=signoff["at"] if signoff else None,
            )
        )
    return report


def write_ethics_report(report: EthicsReport, path: Path) -> Path:
    """Write the report as Word (.docx) or Markdown (.md), chosen by the file's extension."""
    suffix = path.suffix.lower()
    if suffix not in (".docx", ".md"):
        raise WorkbenchError(f"{path.name}: the ethics report is written as .docx or .md; choose one of those names")
    if not path.parent.is_dir():
        raise WorkbenchError(f"{path.parent} does not exist; choose a folder that does for the report")
    try:
        if suffix == ".md":
            path.write_text(render_markdown(report), encoding="utf-8")
        else:
            render_docx(report).save(str(path))
    except OSError as error:
        raise WorkbenchError(f"{path.name}: cannot be written ({error.strerror})") from None
    return path


def _overview_rows(report: EthicsReport) -> list[tuple[str, str]]:
    signed = sum(1 for entry in report.transcripts if entry.status == "signed off")
    return [
        ("Transcripts", str(len(report.transcripts))),
        ("Signed off", f"{signed} of {len(report.transcripts)}"),
        ("Candidates found", str(report.total("candidates"))),
        ("Accepted (replaced)", str(report.total("accepted"))),
        ("Rejected (text kept)", str(report.total("rejected"))),
        ("Marked by hand", str(report.total("by_hand"))),
        ("Still to decide", str(report.total("pending"))),
        ("Residual findings in signed-off text", str(len(report.residual))),
    ]


_TRANSCRIPT_HEADER = (
    "Doc",
    "Participant",
    "File",
    "Status",
    "Found",
    "Accepted",
    "Rejected",
    "To decide",
    "By hand",
    "Residual",
    "Signed off by",
    "Signed off at",
)


def _transcript_row(entry: TranscriptEntry) -> tuple[str, ...]:
    residual = str(len(entry.residual)) if entry.status == "signed off" else "–"
    return (
        str(entry.document_id),
        entry.citation,
        entry.source_name,
        entry.status,
        str(entry.candidates),
        str(entry.accepted),
        str(entry.rejected),
        str(entry.pending),
        str(entry.by_hand),
        residual,
        entry.signed_off_by or "–",
        entry.signed_off_at or "–",
    )


def _intro(report: EthicsReport) -> str:
    return (
        f"Project {report.project}. Generated {report.generated_at} by {report.generated_by}. This report holds no "
        "identifiable text: identifiers are counted by category, and residual findings are shown with the finding "
        "itself blacked out (■■■■■)."
    )


def render_markdown(report: EthicsReport) -> str:
    lines = ["# Ethics report: anonymisation", "", _intro(report), "", "## Overall", ""]
    lines += ["| | |", "|---|---:|"] + [f"| {name} | {value} |" for name, value in _overview_rows(report)]
    lines += ["", "### Detections by category", "", "| Category | Found |", "|---|---:|"]
    lines += [f"| {category} | {count} |" for category, count in report.by_category().items()]
    lines += ["", "## Transcripts", "", "| " + " | ".join(_TRANSCRIPT_HEADER) + " |"]
    lines += ["|" + "---|" * len(_TRANSCRIPT_HEADER)]
    lines += ["| " + " | ".join(_transcript_row(entry)) + " |" for entry in report.transcripts]
    for entry in report.transcripts:
        lines += ["", f"### Document {entry.document_id}: {entry.citation} ({entry.source_name})", ""]
        categories = ", ".join(f"{c} {n}" for c, n in sorted(entry.by_category.items())) or "none"
        detectors = ", ".join(f"{d} {n}" for d, n in sorted(entry.by_detector.items())) or "none"
        lines += [f"- Detections by category: {categories}", f"- Found by: {detectors}"]
        lines += [f"- Decisions: {entry.accepted} accepted, {entry.rejected} rejected, {entry.pending} to decide"]
        if entry.signed_off_by:
            lines += [f"- Signed off by {entry.signed_off_by} at {entry.signed_off_at}"]
        else:
            lines += ["- Not signed off: it cannot be coded, quoted, reported or exported"]
        for item in entry.residual:
            context = " ".join(item.masked_context.split())
            lines += [f"- Residual finding ({item.category}, {item.detector}): …{context}…"]
    return "\n".join(lines) + "\n"


def render_docx(report: EthicsReport) -> docx.document.Document:
    document = docx.Document()
    document.add_heading("Ethics report: anonymisation", level=0)
    document.add_paragraph(_intro(report))
    document.add_heading("Overall", level=1)
    _table(document, ("", ""), _overview_rows(report))
    document.add_heading("Detections by category", level=2)
    _table(document, ("Category", "Found"), [(c, str(n)) for c, n in report.by_category().items()])
    document.add_heading("Transcripts", level=1)
    _table(document, _TRANSCRIPT_HEADER, [_transcript_row(entry) for entry in report.transcripts])
    for entry in report.transcripts:
        document.add_heading(f"Document {entry.document_id}: {entry.citation} ({entry.source_name})", level=2)
        categories = ", ".join(f"{c} {n}" for c, n in sorted(entry.by_category.items())) or "none"
        document.add_paragraph(f"Detections by category: {categories}", style="List Bullet")
        document.add_paragraph(
            f"Decisions: {entry.accepted} accepted, {entry.rejected} rejected, {entry.pending} to decide",
            style="List Bullet",
        )
        signed = (
            f"Signed off by {entry.signed_off_by} at {entry.signed_off_at}"
            if entry.signed_off_by
            else "Not signed off: it cannot be coded, quoted, reported or exported"
        )
        document.add_paragraph(signed, style="List Bullet")
        for item in entry.residual:
            context = " ".join(item.masked_context.split())
            document.add_paragraph(
                f"Residual finding ({item.category}, {item.detector}): …{context}…", style="List Bullet"
            )
    return document


def _table(document: docx.document.Document, header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
