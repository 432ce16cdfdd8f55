"""Suggested codings: each code's keywords found in released sentences, by lemma and by near-spelling.

A suggestion is never a coding: a coder accepts it (it becomes a coding in their name, origin "suggestion") or rejects
it, one by one or in bulk, and a decided suggestion is not offered again. Interviewers' questions are not suggested:
they are not the participants' views.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from workbench.coding import Coding, Gate
from workbench.errors import CodingError
from workbench.lemmas import Word, all_lemmas, sentence_lemmas, words_of
from workbench.store import Store

# Near-spellings ("paperwrok", "traning") count from this similarity (rapidfuzz ratio, 0-100) for words this long;
# shorter words are too easily one letter from another word ("form", "from").
NEAR_SCORE = 88
NEAR_LENGTH = 5

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class SuggestionRecord:
    id: int
    document_id: int
    segment_id: str
    code_id: str
    start: int
    end: int
    matched: str
    score: float
    status: str


@dataclass
class SuggestRun:
    """What a run of suggestions did: new ones offered, pending ones still offered, documents looked at."""

    added: int = 0
    pending: int = 0
    documents: int = 0
    indexed: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Keyword:
    code_id: str
    phrase: str
    tokens: tuple[frozenset[str], ...]  # each keyword word as {its form, its lemma}


class Suggestions:
    def __init__(self, store: Store, coding: Coding, gate: Gate) -> None:
        self._store = store
        self._coding = coding
        self._gate = gate

    @property
    def coder(self) -> str:
        return self._coding.coder

    def as_coder(self, coder: str) -> Suggestions:
        return Suggestions(self._store, self._coding.as_coder(coder), self._gate)

    # --- finding --------------------------------------------------------------------------------------------------

    def run(self, document_ids: Sequence[int] | None = None) -> SuggestRun:
        """Look for every code's keywords in the signed-off transcripts (or those given) and offer what is new."""
        if document_ids is not None:
            self._gate(document_ids, "coded")
        else:
            document_ids = [
                row["id"] for row in self._store.query("SELECT id FROM documents WHERE status = 'signed off'")
            ]
        outcome = SuggestRun(documents=len(document_ids))
        if not document_ids:
            return outcome
        outcome.indexed = self._index_missing(document_ids)
        keywords = self._keywords()
        found: dict[tuple[str, str], tuple[int, int, int, set[str], float]] = {}
        sentences = self._sentences(document_ids)
        near = _near_spellings({word.form for *_, words in sentences for word in words}, keywords)
        starts = _by_first_word(keywords)
        for document_id, segment_id, start, end, text, words in sentences:
            for code_id, matched, score in _matches(words, text, starts, near):
                key = (segment_id, code_id)
                previous = found.get(key)
                if previous is None:
                    found[key] = (document_id, start, end, {matched}, score)
                else:
                    previous[3].add(matched)
                    found[key] = (*previous[:4], max(previous[4], score))
        coded = self._coded_sentences(document_ids)
        with self._store.transaction(self._coding.coder, "suggest", {"documents": len(document_ids)}) as record:
            existing = {
                (row["segment_id"], row["code_id"]): row
                for row in self._store.query(
                    f"SELECT id, segment_id, code_id, status FROM suggestions WHERE document_id IN "
                    f"({', '.join('?' for _ in document_ids)})",
                    list(document_ids),
                )
            }
            for key, row in existing.items():
                if row["status"] == "pending" and (key not in found or key in coded):
                    self._store.db.execute("DELETE FROM suggestions WHERE id = ?", [row["id"]])
            for (segment_id, code_id), (document_id, start, end, phrases, score) in found.items():
                if (segment_id, code_id) in coded:
                    continue
                listed = "; ".join(sorted(phrases, key=str.casefold))
                if (segment_id, code_id) in existing:
                    if existing[(segment_id, code_id)]["status"] == "pending":
                        self._store.db.execute(
                            "UPDATE suggestions SET matched = ?, score = ? WHERE id = ?",
                            [listed, score, existing[(segment_id, code_id)]["id"]],
                        )
                        outcome.pending += 1
                    continue
                self._store.db.execute(
                    'INSERT INTO suggestions (document_id, segment_id, code_id, start, "end", matched, score) '
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [document_id, segment_id, code_id, start, end, listed, round(score, 3)],
                )
                outcome.added += 1
            outcome.pending += outcome.added
            record.update(added=outcome.added, pending=outcome.pending)
        return outcome

    def _keywords(self) -> list[_Keyword]:
        rows = self._store.query("SELECT id, keywords FROM codes ORDER BY position")
        phrases = {(row["id"], phrase) for row in rows for phrase in json.loads(row["keywords"])}
        lemmas = _lemmas(tuple(sorted({phrase for _, phrase in phrases})))
        return [
            _Keyword(code_id, phrase, tuple(frozenset(pair) for pair in lemmas[phrase]))
            for code_id, phrase in sorted(phrases)
            if lemmas[phrase]
        ]

    def _sentences(self, document_ids: Sequence[int]) -> list[tuple[int, str, int, int, str, list[Word]]]:
        marks = ", ".join("?" for _ in document_ids)
        texts = self._store.texts(document_ids)
        rows = self._store.query(
            f'SELECT document_id, id, start, "end", lemmas FROM segments WHERE document_id IN ({marks}) '
            "AND kind = 'sentence' AND role != 'interviewer' ORDER BY document_id, position",
            list(document_ids),
        )
        return [
            (
                row["document_id"],
                row["id"],
                row["start"],
                row["end"],
                texts[row["document_id"]],
                words_of(row["lemmas"] or "[]", texts[row["document_id"]]),
            )
            for row in rows
        ]

    def _coded_sentences(self, document_ids: Sequence[int]) -> set[tuple[str, str]]:
        """(sentence, code) pairs where someone has already applied the code to an overlapping span."""
        marks = ", ".join("?" for _ in document_ids)
        # From sentence_codes (migration 7: each live coding under every sentence of its turn it overlaps), and for
        # a coding without a turn (few: CROSS JOIN starts from them) by overlap with the document's sentences; that join
        # for every coding took 40-75 ms a transcript.
        rows = self._store.query(
            f"""
            SELECT sentence_id AS segment_id, code_id FROM sentence_codes WHERE document_id IN ({marks})
            UNION
            SELECT s.id, c.code_id FROM codings c
            CROSS JOIN segments s ON s.document_id = c.document_id AND s.kind = 'sentence'
                AND s.start < c."end" AND c.start < s."end"
            WHERE c.removed_at IS NULL AND c.segment_id IS NULL AND c.document_id IN ({marks})
            """,
            [*document_ids, *document_ids],
        )
        return {(row["segment_id"], row["code_id"]) for row in rows}

    def _index_missing(self, document_ids: Sequence[int]) -> list[int]:
        """Make the lemma index of transcripts released before it existed; returns their ids."""
        marks = ", ".join("?" for _ in document_ids)
        missing = [
            row["document_id"]
            for row in self._store.query(
                f"SELECT DISTINCT document_id FROM segments WHERE document_id IN ({marks}) AND kind = 'sentence' "
                "AND lemmas IS NULL",
                list(document_ids),
            )
        ]
        for document_id in missing:
            text = self._store.scalar("SELECT text FROM documents WHERE id = ?", [document_id])
            segments = self._store.query(
                'SELECT id, kind, start, "end" FROM segments WHERE document_id = ? ORDER BY position', [document_id]
            )
            lemmas = sentence_lemmas(text, [(row["id"], row["kind"], row["start"], row["end"]) for row in segments])
            with self._store.transaction(self._coding.coder, "index lemmas", {"document": document_id}):
                self._store.write_lemmas(lemmas)
        return missing

    # --- reading and deciding -------------------------------------------------------------------------------------

    def pending(self, document_id: int | None = None, *, code_id: str | None = None) -> list[SuggestionRecord]:
        """Return the suggestions waiting for a decision, in text order."""
        where: list[str] = ["status = 'pending'"]
        params: list[object] = []
        if document_id is not None:
            where.append("document_id = ?")
            params.append(document_id)
        if code_id is not None:
            where.append("code_id = ?")
            params.append(code_id)
        rows = self._store.query(
            f"SELECT * FROM suggestions WHERE {' AND '.join(where)} ORDER BY document_id, start, code_id", params
        )
        return [_suggestion(row) for row in rows]

    def accept(self, suggestion_ids: Iterable[int]) -> list[int]:
        """Turn suggestions into codings in the coder's name (one undoable step); returns the new codings' ids."""
        rows = self._decidable(suggestion_ids)
        self._gate(sorted({row["document_id"] for row in rows}), "coded")
        coding_ids: list[int | None] = []
        with self._store.transaction(self._coding.coder, "accept suggestions", {"suggestions": len(rows)}):
            for row in rows:
                coding_ids.append(
                    self._coding.insert(
                        row["document_id"],
                        row["segment_id"],
                        row["start"],
                        row["end"],
                        row["code_id"],
                        origin="suggestion",
                    )
                )
            ids = [row["id"] for row in rows]
            self._coding.set_suggestions(ids, "accepted", coding_ids)
            self._coding.record("accept suggestions", {"suggestions": ids, "codings": coding_ids})
        return [coding_id for coding_id in coding_ids if coding_id is not None]

    def reject(self, suggestion_ids: Iterable[int]) -> int:
        """Reject suggestions (one undoable step): they are not offered again. Returns how many."""
        rows = self._decidable(suggestion_ids)
        with self._store.transaction(self._coding.coder, "reject suggestions", {"suggestions": len(rows)}):
            ids = [row["id"] for row in rows]
            self._coding.set_suggestions(ids, "rejected")
            self._coding.record("reject suggestions", {"suggestions": ids})
        return len(rows)

    def _decidable(self, suggestion_ids: Iterable[int]) -> list[dict[str, Any]]:
        wanted = list(dict.fromkeys(suggestion_ids))
        if not wanted:
            raise CodingError("no suggestions to decide")
        rows = {
            row["id"]: row
            for row in self._store.query(
                f"SELECT * FROM suggestions WHERE id IN ({', '.join('?' for _ in wanted)})", wanted
            )
        }
        for suggestion_id in wanted:
            if suggestion_id not in rows:
                raise CodingError(f"there is no suggestion {suggestion_id}")
            if rows[suggestion_id]["status"] != "pending":
                raise CodingError(f"suggestion {suggestion_id} is already {rows[suggestion_id]['status']}")
        return [rows[suggestion_id] for suggestion_id in wanted]


@functools.lru_cache(maxsize=8)
def _lemmas(phrases: tuple[str, ...]) -> dict[str, tuple[tuple[str, str], ...]]:
    return all_lemmas(phrases)


def _near_spellings(forms: set[str], keywords: list[_Keyword]) -> dict[str, dict[str, float]]:
    """For each word of the text, the keyword words it is a near-spelling of, with the similarity (0-1)."""
    targets = sorted({word for keyword in keywords for token in keyword.tokens for word in token if len(word) >= 5})
    candidates = sorted(form for form in forms if len(form) >= NEAR_LENGTH)
    near: dict[str, dict[str, float]] = defaultdict(dict)
    if not targets or not candidates:
        return near
    scores = process.cdist(candidates, targets, scorer=fuzz.ratio, score_cutoff=NEAR_SCORE)
    for row, form in enumerate(candidates):
        for column in scores[row].nonzero()[0]:
            target = targets[column]
            if form != target and form[0] == target[0]:
                near[form][target] = float(scores[row][column]) / 100
    return near


def _by_first_word(keywords: list[_Keyword]) -> dict[str, list[_Keyword]]:
    """The keywords indexed by every form or lemma of their first word, so a sentence is read once."""
    starts: dict[str, list[_Keyword]] = defaultdict(list)
    for keyword in keywords:
        for word in keyword.tokens[0]:
            starts[word].append(keyword)
    return starts


def _matches(
    words: list[Word], text: str, starts: dict[str, list[_Keyword]], near: dict[str, dict[str, float]]
) -> Iterable[tuple[str, str, float]]:
    """Yield (code, matched text, score) for every keyword found in a sentence's words."""
    seen: list[dict[str, float]] = [{word.form: 1.0, word.lemma: 1.0, **near.get(word.form, {})} for word in words]
    for position, here in enumerate(seen):
        candidates = {id(k): k for word in here for k in starts.get(word, ())}
        for keyword in candidates.values():
            size = len(keyword.tokens)
            if position + size > len(words):
                continue
            scores = []
            for offset, token in enumerate(keyword.tokens):
                hits = [seen[position + offset][word] for word in token if word in seen[position + offset]]
                if not hits:
                    break
                scores.append(max(hits))
            else:
                start, end = words[position].start, words[position + size - 1].end
                yield keyword.code_id, text[start:end], min(scores)


def _suggestion(row: dict[str, Any]) -> SuggestionRecord:
    return SuggestionRecord(
        row["id"],
        row["document_id"],
        row["segment_id"],
        row["code_id"],
        row["start"],
        row["end"],
        row["matched"],
        row["score"],
        row["status"],
    )
