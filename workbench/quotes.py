"""Quotes: every live coding with the words it covers, cut from the released text by its offsets, and its citation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from workbench.store import Store


@dataclass(frozen=True)
class Quote:
    document: int
    participant: str
    citation: str
    code: str
    coder: str
    text: str
    start: int
    end: int
    coding: int
    key_quote: bool

    def as_json(self) -> dict[str, Any]:
        """The quote as ``workbench quotes --json`` prints it."""
        data = asdict(self)
        del data["coding"], data["key_quote"]
        return data


def list_quotes(store: Store, citation: Callable[[str, str | None], str]) -> list[Quote]:
    """Return every live coding as a quote, ordered by participant's document, position and code.

    ``citation(participant_id, label)`` gives the project's citation, e.g. "(Case Worker 12)".
    """
    rows = store.query(
        """
        SELECT c.id, c.document_id, d.participant_id, p.label, c.code_id, c.coder, c.start, c."end", c.key_quote,
               substr(d.text, c.start + 1, c."end" - c.start) AS text
        FROM codings c JOIN documents d ON d.id = c.document_id JOIN participants p ON p.id = d.participant_id
        WHERE c.removed_at IS NULL AND d.status = 'signed off'
        ORDER BY c.document_id, c.start, c.code_id, c.coder
        """
    )
    return [
        Quote(
            document=row["document_id"],
            participant=row["participant_id"],
            citation=citation(row["participant_id"], row["label"]),
            code=row["code_id"],
            coder=row["coder"],
            text=row["text"],
            start=row["start"],
            end=row["end"],
            coding=row["id"],
            key_quote=bool(row["key_quote"]),
        )
        for row in rows
    ]
