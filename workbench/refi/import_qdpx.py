"""A REFI-QDA project (.qdpx from NVivo, MAXQDA, ATLAS.ti, QualCoder or our own export) as a new project.

The flow, and why (each step's module in brackets):

1. The archive is read whole and checked before anything is written (``archive``): members with absolute or ``..``
   paths, too many members, members or a total too large, compression ratios of a zip bomb, and XML with entities
   or a DTD (defusedxml) are refused with one sentence, and no project is left behind.
2. Exactly one ``*.qde`` at the root, whatever its name (ATLAS.ti names it after the project); sources are found in
   ``sources/`` or ``Sources/`` or at the root, without regard to case (NOTES.md §4.1). Elements are matched on local
   names, so namespace variants do not matter; BOMs are stripped. What it holds is read into a plan (``qde``,
   ``plan``).
3. The CodeBook becomes YAML codebooks (``qdc_import``): one per codebook Set when the Sets split the tree into
   whole subtrees (our own export writes them so), else one named after the project.
4. Each text source is imported as a transcript through ``Project.prepare_import`` and ``commit_import``, so it
   enters the anonymisation review like any other; its participant comes from the Case that refers to it, else from
   a number in its name, else from the transcript itself, else a new number (``into_project``).
5. Selection positions are re-mapped per producer (``positions``): the standard counts code points over LF text;
   NVivo counts UTF-16 code units with CRLF as two (NOTES.md §3, "Text positions"). When another counting puts
   clearly more boundaries on word edges, that one is used and the report says so. The import builds a canonical
   document text (speaker labels, white space, header lines) that can differ from the file, so each selection is
   carried over by aligning the words of both texts, and snapped to word boundaries and to its turns (``align``).
6. The codings go to ``pending_codings`` (offsets into the working text) in one transaction with the GUIDs, and
   become codings when an ethics reviewer signs the transcript off. Duplicate selections (same words, code and
   coder) are merged. Memos on codes are written now; memos on transcripts and codings cannot be until sign-off, so
   they are reported as dropped, like every other element the workbench cannot hold (``into_project``).
"""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import ExchangeFileError, ProjectError
from workbench.project import DocumentSummary, Progress, Project
from workbench.refi.archive import Archive
from workbench.refi.into_project import write_plan
from workbench.refi.plan import Plan
from workbench.refi.qde import read_qde


@dataclass
class ImportReport:
    """What an import made of a .qdpx, and every kind of element it could not keep, with how many."""

    file: Path
    folder: Path
    producer: str
    counting: str
    sources: int = 0
    documents: list[DocumentSummary] = field(default_factory=list)
    codebooks: list[str] = field(default_factory=list)
    codes: int = 0
    codings: int = 0
    merged: int = 0
    memos: int = 0
    participants: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report in words: what was imported, then one line per kind of element dropped."""
        lines = [
            f"Imported {self.file.name} ({self.producer or 'unknown producer'}) into {self.folder}: "
            f"{_count(len(self.documents), 'transcript')} from {_count(self.sources, 'text source')}, "
            f"{_count(self.codes, 'code')} in {_count(len(self.codebooks), 'codebook')}, "
            f"{_count(self.codings, 'coding')} waiting for sign-off, {_count(self.memos, 'code memo')}, "
            f"{_count(self.participants, 'participant')}",
        ]
        if self.codings:
            lines.append(f"Positions read as {self.counting}, carried over to the imported text word by word.")
        if self.merged:
            lines.append(f"Merged {_count(self.merged, 'duplicate coding')}.")
        lines += [f"Dropped {kind}: {count}" for kind, count in sorted(self.dropped.items()) if count]
        if self.documents:
            lines.append(
                "The transcripts are in anonymisation review: their codings appear once an ethics reviewer signs "
                "them off (`workbench anonymise scan`, then `workbench anonymise review`)."
            )
        return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def import_qdpx(
    file: str | Path,
    folder: str | Path,
    actor: str | None = None,
    *,
    data: bytes | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Create a project in ``folder`` from a .qdpx and return what was imported and what was dropped.

    ``data`` is the file's content when it was uploaded rather than read from disk. The folder must be new or empty;
    if anything fails, no project is left there.
    """
    path, folder = Path(file), Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ProjectError(f"{folder} is a file, not a folder; give a new or empty folder for the imported project")
    if folder.exists() and any(folder.iterdir()):
        raise ProjectError(f"{folder} is not empty; choose a new or empty folder for the imported project")
    if data is None and path.is_dir():
        raise ExchangeFileError(path, "is a folder, not a .qdpx file")
    archive = Archive(path, data)
    try:
        plan = read_qde(archive, path)
    finally:
        archive.close()
    created = not folder.exists()
    project = Project.init(folder, actor=actor)
    try:
        report = write_plan(project, plan, _report(plan, path, folder), progress)
    except BaseException:
        project.close()
        _remove(folder, created)
        raise
    project.close()
    return report


def _remove(folder: Path, created: bool) -> None:
    """Leave no project behind: remove the folder we created, or empty the empty folder we were given."""
    if created:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _report(plan: Plan, path: Path, folder: Path) -> ImportReport:
    """Return the report of an import as the plan starts it: what the file holds, and what reading it dropped."""
    return ImportReport(
        file=path,
        folder=folder,
        producer=plan.origin,
        counting=plan.counting.describe(),
        sources=plan.sources,
        dropped=plan.dropped,
        warnings=plan.warnings,
    )
