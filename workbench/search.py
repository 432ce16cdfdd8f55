"""Search over released sentences (SQLite FTS5), keyword in context, and keyword spread across interviews.

Queries take words (all must occur), "quoted phrases" and prefixes (train*). Keyword spread counts the interviews
(distinct participants) where a word or phrase occurs in any of its forms: words are compared by their Snowball stem,
so "duplicated", "duplicates" and "duplication" all count for "duplication".
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import snowballstemmer

from workbench.errors import QuoteError
from workbench.participants import normalise_participant_id
from workbench.quotes import Citation
from workbench.statecache import cached, per_document
from workbench.store import Store, id_list

_TOKEN = re.compile(r'"[^"]*"|\S+')
_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_OPERATORS = {"AND", "OR", "NOT"}
_START, _STOP = "\x01", "\x02"  # highlight() marks around each matched term
KWIC_WIDTH = 60


@dataclass(frozen=True)
class Hit:
    """A sentence that matches, with its first matched words as keyword in context."""

    document: int
    participant: str
    citation: str
    segment: str
    start: int
    end: int
    text: str
    left: str
    keyword: str
    right: str
    keyword_start: int
    keyword_end: int


@dataclass
class Spread:
    """In how many interviews a word or phrase occurs, in any of its forms."""

    query: str
    participants: list[str] = field(default_factory=list)
    documents: int = 0
    occurrences: int = 0
    forms: dict[str, int] = field(default_factory=dict)


class Search:
    def __init__(self, store: Store, citation: Citation) -> None:
        self._store = store
        self._citation = citation

    def search(
        self,
        query: str,
        *,
        participant: str | None = None,
        code_ids: Sequence[str] | None = None,
        limit: int = 500,
        width: int = KWIC_WIDTH,
    ) -> list[Hit]:
        """Return the sentences matching ``query`` in text order, each with its keyword in context."""
        match = fts_query(query)
        key = ("search", match, participant, None if code_ids is None else tuple(code_ids), limit, width)
        return cached(
            self._store,
            (*key, self._citation("1", "L")),
            lambda: self._search(match, participant, code_ids, limit, width),
            weight=len,
            catalogue=not code_ids,  # without codes, the text alone: a saved coding does not change the hits
        )

    def _search(
        self, match: str, participant: str | None, code_ids: Sequence[str] | None, limit: int, width: int
    ) -> list[Hit]:
        where, params = ["sentence_fts MATCH ?"], [match]
        if participant:
            where.append("d.participant_id = ?")
            params.append(normalise_participant_id(participant))
        if code_ids:
            marks = ", ".join("?" for _ in code_ids)
            where.append(
                f"EXISTS (SELECT 1 FROM codings c WHERE c.document_id = s.document_id AND c.removed_at IS NULL "
                f'AND c.code_id IN ({marks}) AND c.start < s."end" AND s.start < c."end")'
            )
            params += list(code_ids)
        # First the matching sentences in text order (the signed-off documents come from the documents_outline index,
        # never from their rows, which hold the text), then the text around the chosen ones only: a common word
        # matches tens of thousands of sentences, of which `limit` are shown, and each window reads a whole text.
        rows = self._store.query(
            f"""
            WITH released AS MATERIALIZED (SELECT id, participant_id FROM documents WHERE status = 'signed off')
            SELECT s.rowid AS fts_row, s.id, s.document_id, s.start, s."end", d.participant_id,
                   highlight(sentence_fts, 0, char(1), char(2)) AS marked
            FROM sentence_fts
            JOIN segments s ON s.rowid = sentence_fts.rowid
            JOIN released d ON d.id = s.document_id
            WHERE {" AND ".join(where)}
            ORDER BY s.document_id, s.start LIMIT ?
            """,
            [*params, limit],
        )
        if not rows:
            return []
        windows: dict[int, str] = {}
        for first in range(0, len(rows), 500):
            chunk = [row["fts_row"] for row in rows[first : first + 500]]
            windows.update(
                self._store.db.execute(
                    f'SELECT s.rowid, substr(d.text, max(0, s.start - {width}) + 1, s."end" - s.start + 2 * {width}) '
                    "FROM segments s JOIN documents d ON d.id = s.document_id "
                    f"WHERE s.rowid IN ({', '.join('?' for _ in chunk)})",
                    chunk,
                )
            )
        labels = {str(person): label for person, label in self._store.db.execute("SELECT id, label FROM participants")}
        hits = []
        for row in rows:
            row["label"] = labels.get(str(row["participant_id"]))
            row["window_start"] = max(0, row["start"] - width)
            row["window"] = windows[row["fts_row"]]
            hits.append(self._hit(row, width))
        return hits

    def _hit(self, row: dict[str, Any], width: int) -> Hit:
        """A hit from its row; only a window of the document around the sentence is read, never the whole text."""
        marked, base, window = str(row["marked"]), int(row["window_start"]), str(row["window"])
        start, end = int(row["start"]), int(row["end"])

        def cut(a: int, b: int) -> str:  # document offsets [a, b) inside the window
            return window[max(0, a - base) : max(0, b - base)]

        first = marked.find(_START)
        offset = start + first if first >= 0 else start
        length = marked.find(_STOP) - first - 1 if first >= 0 else 0
        keyword_end = offset + max(length, 0)
        return Hit(
            document=int(row["document_id"]),
            participant=str(row["participant_id"]),
            citation=self._citation(str(row["participant_id"]), row["label"]),
            segment=str(row["id"]),
            start=start,
            end=end,
            text=cut(start, end),
            left=" ".join(cut(max(0, offset - width), offset).split()),
            keyword=cut(offset, keyword_end),
            right=" ".join(cut(keyword_end, keyword_end + width).split()),
            keyword_start=offset,
            keyword_end=keyword_end,
        )

    def spread(self, queries: Sequence[str]) -> list[Spread]:
        """Return, for each word or phrase, the participants (and documents) whose released text has it."""
        return cached(self._store, ("spread", tuple(queries)), lambda: self._spread(queries))

    def _spread(self, queries: Sequence[str]) -> list[Spread]:
        # The signed-off transcripts in the order the documents_outline index gives them (as the query without a
        # prefix walks them): a word's forms are listed in the order they are met.
        released = self._store.db.execute("SELECT id FROM documents WHERE status = 'signed off'").fetchall()
        results = []
        for query in queries:
            words = _WORD.findall(query.casefold())
            if not words:
                raise QuoteError(f"{query!r} has no word to look for")
            stems = [stem(word) for word in words]
            # Counted per transcript and kept so: after a coding is saved only its transcript is read again.
            parts = per_document(self._store, ("spread", tuple(stems)), functools.partial(self._spread_parts, stems),
                                 weight=lambda part: 1 + len(part[2]))  # fmt: skip
            spread = Spread(query)
            seen_participants: dict[str, None] = {}
            for (document_id,) in released:
                if document_id not in parts:
                    continue
                participant_id, occurrences, forms = parts[document_id]
                seen_participants[participant_id] = None
                spread.documents += 1
                spread.occurrences += occurrences
                for form, n in forms.items():
                    spread.forms[form] = spread.forms.get(form, 0) + n
            spread.participants = sorted(seen_participants, key=_natural)
            results.append(spread)
        return results

    def _spread_parts(self, stems: list[str], ids: list[int]) -> dict[int, tuple[str, int, dict[str, int]]]:
        """For each of these transcripts that has the words (``stems``, in this order): its participant, how many
        times they occur, and in which forms how often."""
        parts: dict[int, tuple[str, int, dict[str, int]]] = {}
        for document_id, participant_id, lemmas, text in self._candidates(stems[0], set(ids)):
            found = _find_stems(json.loads(lemmas), text, stems)
            if not found:
                continue
            _, occurrences, forms = parts.get(document_id, (participant_id, 0, {}))
            for form in found:
                forms[form] = forms.get(form, 0) + 1
            parts[document_id] = (str(participant_id), occurrences + len(found), forms)
        return parts

    def _candidates(self, first_stem: str, only: set[int]) -> list[tuple[int, str, str, str]]:
        """Sentences of the released transcripts among ``only`` that may hold a word with this stem (found by prefix
        in the full-text index), in text order: (document id, participant id, lemma index, the document's text)."""
        prefix = re.sub(r"\W", "", first_stem)
        released = {
            document_id: participant_id
            for document_id, participant_id in self._store.db.execute(
                "SELECT id, participant_id FROM documents WHERE status = 'signed off'"
            )
            if document_id in only
        }
        if not released:
            return []
        if len(prefix) >= 2:
            # From the sentences the full-text index matches (a few milliseconds for the whole study) to their rows
            # by rowid; for a few transcripts, only the matches among their sentences.
            match = "SELECT rowid FROM sentence_fts WHERE sentence_fts MATCH ?"
            matched = [rowid for (rowid,) in self._store.db.execute(match, [f'"{prefix}"*'])]
            if len(released) <= 20:
                sentences = (
                    f"SELECT rowid FROM segments WHERE kind = 'sentence' AND document_id IN ({id_list(released)})"
                )
                theirs = {rowid for (rowid,) in self._store.db.execute(sentences)}
                matched = [rowid for rowid in matched if rowid in theirs]
            rows = []
            for first in range(0, len(matched), 10_000):
                rows += self._store.db.execute(
                    "SELECT document_id, position, lemmas FROM segments WHERE lemmas IS NOT NULL AND rowid IN "
                    f"({id_list(matched[first : first + 10_000])})"
                ).fetchall()
        else:
            rows = self._store.db.execute(
                "SELECT document_id, position, lemmas FROM segments WHERE kind = 'sentence' AND lemmas IS NOT NULL "
                f"AND document_id IN ({id_list(released)})"
            ).fetchall()
        rows = sorted((row for row in rows if row[0] in released), key=lambda row: (row[0], row[1]))
        # Each document's text once (the lemma index holds document offsets), not once per sentence.
        texts = self._store.texts(row[0] for row in rows)
        return [(document_id, released[document_id], lemmas, texts[document_id]) for document_id, _, lemmas in rows]


def fts_query(query: str) -> str:
    """Turn what a user types into an FTS5 query: words and "phrases" all required, word* a prefix, OR and NOT kept."""
    parts = []
    for token in _TOKEN.findall(query.strip()):
        if token in _OPERATORS:
            parts.append(token)
            continue
        prefix = token.endswith("*")
        words = _WORD.findall(token.strip('"*'))
        if not words:
            continue
        phrase = '"' + " ".join(words) + '"'
        parts.append(phrase + ("*" if prefix and not token.startswith('"') else ""))
    while parts and parts[-1] in _OPERATORS:
        parts.pop()
    while parts and parts[0] in _OPERATORS:
        parts.pop(0)
    if not parts:
        raise QuoteError(f'{query!r} has nothing to search for: type a word, a "phrase" or a prefix such as train*')
    return " ".join(parts)


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of a lower-case word: duplicated, duplication -> duplic."""
    return str(_stemmer().stemWord(word.casefold().replace("’", "'")))


@functools.cache
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


def _find_stems(index: list[list[Any]], text: str, stems: list[str]) -> list[str]:
    """The forms (as written, lower case) where the stems occur in a row in a sentence's words."""
    # Stemmed word by word, each word once, and a window looked at only from a word with the first stem.
    length = len(stems)
    words = [stem(text[s:e]) for s, e, _ in index]
    found = []
    for position in range(len(words) - length + 1):
        if words[position] == stems[0] and words[position : position + length] == stems:
            window = index[position : position + length]
            found.append(" ".join(text[s:e].casefold() for s, e, _ in window))
    return found


def _natural(value: str) -> tuple[int, int | str]:
    return (0, int(value)) if value.isdigit() else (1, value)
