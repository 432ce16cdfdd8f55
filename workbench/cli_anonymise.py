"""``workbench anonymise``: the automatic pass on one file, and the ethics review of a project's transcripts."""

from __future__ import annotations

from pathlib import Path

import click

from workbench.anonymise.auto import anonymise_text
from workbench.anonymise.categories import CATEGORIES
from workbench.anonymise.detect import Detector
from workbench.anonymise.lists import read_glossary, read_roster
from workbench.anonymise.report import build_ethics_report, write_ethics_report
from workbench.cli_common import open_project, progress_printer, reported
from workbench.errors import ReviewError, WorkbenchError
from workbench.ingest import read_source, read_transcript
from workbench.project import Project


class _FileOrCommand(click.Group):
    """``workbench anonymise FILE --out OUT`` and ``workbench anonymise scan DIR`` side by side: a first argument
    that is not a subcommand is the FILE of the automatic pass."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["file", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_FileOrCommand)
def anonymise() -> None:
    """Find and replace identifiers: `anonymise FILE --out OUT` for one file, or review a project's transcripts.

    \b
    workbench anonymise FILE --out OUT [--roster CSV] [--glossary FILE]
    workbench anonymise scan DIR [--roster CSV] [--glossary FILE]
    workbench anonymise review DIR [--document N] [--accept ID ...] [--reject ID ...] [--everywhere]
    workbench anonymise signoff DIR DOC --reviewer NAME
    workbench anonymise report DIR --out FILE.docx|FILE.md
    """


@anonymise.command("file", hidden=True)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Where to write the text.")
@click.option(
    "--roster", type=click.Path(dir_okay=False), help="A CSV of known names: original,category[,replacement]."
)
@click.option("--glossary", type=click.Path(dir_okay=False), help="A file of domain terms never to flag, one a line.")
def anonymise_file(file: str, out: str, roster: str | None, glossary: str | None) -> None:
    """The automatic pass: FILE's text with every candidate replaced, written to OUT (for triage, not release)."""
    with reported():
        path = Path(file)
        transcript = read_transcript(path, read_source(path))
        detector = Detector(
            roster=read_roster(roster) if roster else None, glossary=read_glossary(glossary) if glossary else None
        )
        result = anonymise_text(transcript.text, detector)
        try:
            Path(out).write_text(result.text + "\n", encoding="utf-8")
        except OSError as error:
            raise WorkbenchError(f"{out}: cannot be written ({error.strerror})") from None
    counts: dict[str, int] = {}
    for candidate in result.candidates:
        counts[candidate.category] = counts.get(candidate.category, 0) + 1
    summary = ", ".join(f"{count} {category}" for category, count in sorted(counts.items())) or "nothing"
    click.echo(f"Replaced {len(result.candidates)} identifiers in {path.name} ({summary}); wrote {out}")


@anonymise.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--roster", type=click.Path(dir_okay=False), help="Add known names (original,category[,replacement]).")
@click.option("--glossary", type=click.Path(dir_okay=False), help="Add domain terms never to flag, one a line.")
@click.pass_context
def scan(ctx: click.Context, folder: str, roster: str | None, glossary: str | None) -> None:
    """Find candidate identifiers in every transcript of FOLDER not yet signed off."""
    with reported(), open_project(ctx, folder) as project:
        names = read_roster(roster) if roster else None
        terms = read_glossary(glossary) if glossary else None
        if names is not None:
            project.review.load_roster(names)
        if terms is not None:
            project.review.add_glossary_terms(list(terms.terms))
        found = project.review.scan(progress=progress_printer())
        summaries = {summary.id: summary for summary in project.documents()}
        for document_id, count in found.items():
            click.echo(f"{document_id:>4}  {summaries[document_id].source_name:<28} {count:>4} candidates")
        click.echo(
            f"Scanned {len(found)} transcript{'s' if len(found) != 1 else ''}; review them with "
            f"`workbench anonymise review {folder}`"
        )


@anonymise.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--document", "document_id", type=int, help="Only this document.")
@click.option("--all", "show_all", is_flag=True, help="List decided candidates too.")
@click.option("--accept", "accept", type=int, multiple=True, metavar="ID", help="Accept candidate ID (replace it).")
@click.option("--reject", "reject", type=int, multiple=True, metavar="ID", help="Reject candidate ID (keep the text).")
@click.option("--accept-all", is_flag=True, help="Accept every undecided candidate of --document.")
@click.option("--reject-all", is_flag=True, help="Reject every undecided candidate of --document.")
@click.option("--everywhere", is_flag=True, help="Apply each decision to every undecided occurrence in the project.")
@click.option("--placeholder", help="The placeholder to use for the accepted candidate or marked text.")
@click.option("--category", help="Change the accepted candidate's category (or give the marked text's).")
@click.option("--mark", "mark", metavar="TEXT", help="Mark TEXT in --document as an identifier the scan missed.")
@click.pass_context
def review(
    ctx: click.Context,
    folder: str,
    document_id: int | None,
    show_all: bool,
    accept: tuple[int, ...],
    reject: tuple[int, ...],
    accept_all: bool,
    reject_all: bool,
    everywhere: bool,
    placeholder: str | None,
    category: str | None,
    mark: str | None,
) -> None:
    """List candidates, and accept, reject or mark them; with no decision options, shows what is left to decide."""
    with reported(), open_project(ctx, folder) as project:
        decided = 0
        if (accept_all or reject_all or mark) and document_id is None:
            raise ReviewError("--accept-all, --reject-all and --mark need --document N")
        for candidate_id in accept:
            decided += project.review.decide(
                candidate_id, True, placeholder=placeholder, category=category, everywhere=everywhere
            )
        for candidate_id in reject:
            decided += project.review.decide(candidate_id, False, everywhere=everywhere)
        if (accept_all or reject_all) and document_id is not None:
            for candidate in project.review.candidates(document_id):
                if candidate.status == "pending":
                    decided += project.review.decide(candidate.id, accept_all)
        if mark and document_id is not None:
            decided += _mark(project, document_id, mark, category, placeholder, everywhere)
        if decided:
            click.echo(f"Recorded {decided} decision{'s' if decided != 1 else ''} as {project.actor}")
        _list(project, document_id, show_all)


def _mark(
    project: Project, document_id: int, text: str, category: str | None, placeholder: str | None, everywhere: bool
) -> int:
    if category is None:
        raise ReviewError(f"--mark needs --category (one of: {', '.join(CATEGORIES)})")
    return project.review.mark_text(document_id, text, category, placeholder=placeholder, everywhere=everywhere)


def _list(project: Project, document_id: int | None, show_all: bool) -> None:
    summaries = {summary.id: summary for summary in project.documents()}
    for progress in project.review.progress():
        if document_id is not None and progress.document_id != document_id:
            continue
        summary = summaries[progress.document_id]
        click.echo(
            f"document {progress.document_id} {summary.source_name} ({summary.citation}): {progress.status}, "
            f"{progress.pending} to decide, {progress.accepted} accepted, {progress.rejected} rejected"
        )
        if progress.status == "signed off":
            continue
        for candidate in project.review.candidates(progress.document_id):
            if candidate.status != "pending" and not show_all:
                continue
            context = (candidate.before[-35:] + "[" + candidate.text + "]" + candidate.after[:35]).replace("\n", " ")
            click.echo(
                f"  {candidate.id:>5}  {candidate.status:<8} {candidate.category:<13} {candidate.detector:<8} "
                f"{candidate.confidence:.2f}  -> {candidate.placeholder:<20} …{context}…"
            )


@anonymise.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("document", metavar="DOC")
@click.option("--reviewer", required=True, help="The name of the ethics reviewer signing off.")
@click.pass_context
def signoff(ctx: click.Context, folder: str, document: str, reviewer: str) -> None:
    """Sign off transcript DOC (its document number, or `all`): its anonymised text is released for coding."""
    with reported(), open_project(ctx, folder) as project:
        ids = _documents(project, document)
        for document_id in ids:
            project.review.signoff(document_id, reviewer)
            click.echo(f"Signed off document {document_id} as {reviewer}")


@anonymise.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("document", metavar="DOC", type=int)
@click.pass_context
def reopen(ctx: click.Context, folder: str, document: int) -> None:
    """Withdraw the sign-off of DOC: its text leaves project.db and it returns to review."""
    with reported(), open_project(ctx, folder) as project:
        project.review.reopen(document)
    click.echo(f"Document {document} is back in review")


@anonymise.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--add", "add", multiple=True, metavar="TERM", help="Add a domain term never to flag.")
@click.option("--remove", "remove", multiple=True, metavar="TERM", help="Remove a term this project added.")
@click.pass_context
def glossary(ctx: click.Context, folder: str, add: tuple[str, ...], remove: tuple[str, ...]) -> None:
    """Show or edit the project's own glossary (added to the built-in domain terms)."""
    with reported(), open_project(ctx, folder) as project:
        if add:
            project.review.add_glossary_terms(list(add))
        if remove:
            project.review.remove_glossary_terms(list(remove))
        for term in project.review.glossary().terms:
            click.echo(term)


@anonymise.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="FILE.docx or FILE.md")
@click.pass_context
def report(ctx: click.Context, folder: str, out: str) -> None:
    """Write the ethics report: per transcript, detections by category, decisions, residuals and sign-offs."""
    with reported(), open_project(ctx, folder) as project:
        written = write_ethics_report(build_ethics_report(project), Path(out))
    click.echo(f"Wrote the ethics report to {written}")


def _documents(project: Project, document: str) -> list[int]:
    if document.casefold() == "all":
        return [p.document_id for p in project.review.progress() if p.status != "signed off"]
    try:
        return [int(document)]
    except ValueError:
        raise WorkbenchError(f"DOC must be a document number or `all`, not {document!r}") from None
