"""The sample study's codings by two coders (transcripts_sample/codings/), loaded by `workbench demo`.

Each coder's file, ``<first>_<last>.csv``, has the columns participant, code, quote, key_quote, memo_kind, memo. A
quote is the coded words exactly as the released text has them: offsets are found in the text, never stored, so the
file stays right whatever the anonymisation review changed elsewhere in the transcript. ``memos.csv`` holds memos on
codes and documents (target, id, kind, author, text).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from workbench.coding import Span
from workbench.errors import FileProblem
from workbench.participants import normalise_participant_id
from workbench.project import DocumentRecord, Project

CODING_COLUMNS = ("participant", "code", "quote", "key_quote", "memo_kind", "memo")
MEMO_COLUMNS = ("target", "id", "kind", "author", "text")
MEMOS_FILE = "memos.csv"


def load_sample_codings(project: Project, folder: Path) -> int:
    """Load every coder's codings and memos for the signed-off transcripts; returns the number of codings."""
    signed = {
        summary.participant_id: project.document(summary.id)
        for summary in project.documents()
        if summary.status == "signed off"
    }
    loaded = 0
    for path in sorted(folder.glob("*.csv")):
        if path.name == MEMOS_FILE:
            continue
        coder = project.coding.as_coder(path.stem.replace("_", " ").title())
        items, memos = [], []
        for line, row in _rows(path, CODING_COLUMNS):
            document = signed.get(normalise_participant_id(row["participant"]))
            if document is None:
                continue
            start = _find(path, line, document, row["quote"])
            items.append((Span(document.id, _segment(document, start, start + len(row["quote"])), start,
                               start + len(row["quote"])), row["code"]))  # fmt: skip
            memos.append((row["memo_kind"].strip(), row["memo"].strip(), row["key_quote"].strip().lower() == "yes"))
        ids = coder.apply_many(items, origin="import", action="import codings", key_quotes=[m[2] for m in memos])
        for coding_id, (kind, text, _) in zip(ids, memos, strict=True):
            if text:
                coder.add_memo("coding", coding_id, text, kind=kind or "memo")
        loaded += len(ids)
    if (folder / MEMOS_FILE).is_file():
        for _, row in _rows(folder / MEMOS_FILE, MEMO_COLUMNS):
            target_id = row["id"]
            if row["target"] == "document":
                document = signed.get(normalise_participant_id(target_id))
                if document is None:
                    continue
                target_id = str(document.id)
            project.coding.as_coder(row["author"]).add_memo(row["target"], target_id, row["text"], kind=row["kind"])
    return loaded


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(path.read_text("utf-8-sig")))
    missing = [column for column in columns if column not in (reader.fieldnames or [])]
    if missing:
        raise FileProblem(path, f"has no {missing[0]!r} column (expected {', '.join(columns)})", line=1)
    for row in reader:
        yield reader.line_num, {key: (value or "") for key, value in row.items() if key}


def _find(path: Path, line: int, document: DocumentRecord, quote: str) -> int:
    start = document.text.find(quote)
    if not quote or start < 0:
        raise FileProblem(path, f"the quote is not in {document.citation}'s transcript: {quote[:60]!r}", line=line)
    return start


def _segment(document: DocumentRecord, start: int, end: int) -> str | None:
    """The sentence that is exactly the quote, else the turn that holds it."""
    for sentence in document.sentences:
        if (sentence.start, sentence.end) == (start, end):
            return sentence.id
    for turn in document.turns:
        if turn.start <= start and end <= turn.end:
            return turn.id
    return None
