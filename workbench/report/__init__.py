"""Report drafts: build a report model from the project (findings, recommendations), check it, render it."""

from __future__ import annotations

from pathlib import Path

from workbench.anonymise.report import build_ethics_report, write_ethics_report
from workbench.errors import ReportRefused, WorkbenchError
from workbench.project import Project
from workbench.report.checks import problems_in
from workbench.report.findings import DraftOptions, build_findings
from workbench.report.model import Report
from workbench.report.recommendations import build_recommendations
from workbench.report.render import render_docx, render_markdown

KINDS = ("findings", "recommendations", "ethics")
FORMATS = ("docx", "md")

__all__ = ["FORMATS", "KINDS", "DraftOptions", "Report", "build_draft", "draft_bytes", "write_report"]


def build_draft(project: Project, kind: str, options: DraftOptions | None = None) -> Report:
    """Return the findings or recommendations draft as a report model (not yet checked)."""
    if kind == "findings":
        return build_findings(project, options)
    if kind == "recommendations":
        return build_recommendations(project, options)
    raise WorkbenchError(f"there is no {kind!r} draft: choose findings or recommendations")


def draft_bytes(project: Project, report: Report, fmt: str) -> bytes:
    """Check the draft and return it rendered; ReportRefused lists every problem when a check fails."""
    if fmt not in FORMATS:
        raise WorkbenchError(f"a draft is written as {' or '.join(FORMATS)}, not {fmt!r}")
    problems = problems_in(project, report)
    if problems:
        raise ReportRefused(problems)
    return render_docx(report) if fmt == "docx" else render_markdown(report).encode("utf-8")


def write_report(project: Project, kind: str, fmt: str, out: str | Path, options: DraftOptions | None = None) -> Path:
    """Build, check and write a report (the ethics report too) to ``out``; nothing is written if a check fails."""
    out = Path(out)
    if not out.parent.is_dir():
        raise WorkbenchError(f"{out.parent} is not a folder; choose where to write {out.name}")
    if kind == "ethics":
        if out.suffix.lower() != f".{fmt}":
            out = out.with_suffix(f".{fmt}")
        return write_ethics_report(build_ethics_report(project), out)
    data = draft_bytes(project, build_draft(project, kind, options), fmt)
    try:
        out.write_bytes(data)
    except OSError as error:
        raise WorkbenchError(f"{out} cannot be written ({error.strerror or error})") from None
    return out
