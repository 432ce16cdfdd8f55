"""The checks every draft passes before it is written: quotes re-cut from the stored text and compared, every quoted
transcript signed off, and a residual anonymity scan over the whole draft."""

from __future__ import annotations

from workbench.errors import NotSignedOff
from workbench.project import Project
from workbench.report.model import Report


def problems_in(project: Project, report: Report) -> list[str]:
    """Return what stops the draft from being written, one plain sentence each (empty when it may be written)."""
    problems: list[str] = []
    texts: dict[int, str] = {}
    for quote in report.quotes():
        if quote.document not in texts:
            try:
                texts[quote.document] = project.document(quote.document, "quoted").text
            except NotSignedOff as refused:
                problems.append(str(refused))
                texts[quote.document] = ""
                continue
        stored = texts[quote.document][quote.start : quote.end]
        if texts[quote.document] and stored != quote.text:
            problems.append(
                f"the quote {quote.citation} at [{quote.start}, {quote.end}) is not what the transcript says there: "
                f"“{_short(quote.text)}” in the draft, “{_short(stored)}” in document {quote.document}"
            )
    text = report.plain_text()
    for residual in project.review.scan_draft(text):
        # The writer must see the words to act on them; they come from released text and memos writers may read.
        before = text[max(0, residual.start - 50) : residual.start].split(" ", 1)[-1]  # whole words only
        after = text[residual.end : residual.end + 50].rsplit(" ", 1)[0]
        context = " ".join(f"{before}{text[residual.start : residual.end]}{after}".split())
        problems.append(
            f"“{text[residual.start : residual.end]}” may identify someone ({residual.category}, found by the "
            f"{residual.detector} detector), in “…{context}…”: replace it in the memo or transcript it comes from, or, "
            "if it identifies no one, add it to the project's glossary (on the Anonymisation page, or with "
            "`workbench anonymise glossary DIR --add TERM`)"
        )
    return problems


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
