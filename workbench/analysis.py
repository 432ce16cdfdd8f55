"""Counting codings as pandas tables: participant x code matrix, codes ranked by participants (in the words prose
needs: "eight case workers", "ten of the 16"), attribute x code cross-tabs, and code co-occurrence."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Hashable
from typing import TypeVar

import numpy as np
import pandas as pd

from workbench.errors import QuoteError
from workbench.quotes import QuoteCounts, QuoteFilter, Quotes
from workbench.statecache import cached, per_document
from workbench.store import Store, id_list

T = TypeVar("T")
# The signed-off transcripts, read from the documents_outline index (never from the rows, which hold the text): the
# tables below join codings to this, not to documents.
RELEASED = "released AS MATERIALIZED (SELECT id, participant_id FROM documents WHERE status = 'signed off')"

_NUMBER_WORDS = (
    "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
)  # fmt: skip
MEASURES = ("codings", "presence")

Citation = Callable[[str, str | None], str]


def number_in_words(number: int) -> str:
    """Spell out numbers up to twenty, as report prose does ("eight"); larger ones stay as digits ("21")."""
    return _NUMBER_WORDS[number] if 0 <= number < len(_NUMBER_WORDS) else str(number)


def people_noun(citation_template: str) -> str:
    """The plural noun for participants from the citation label: "Case Worker {n}" -> "case workers"."""
    words = re.sub(r"\{[^}]*\}", "", citation_template).strip().casefold()
    return (words + "s") if words and not words.endswith("s") else (words or "participants")


def in_prose(count: int, total: int, noun: str) -> tuple[str, str]:
    """Return ("eight case workers", "eight of the 16") for 8 participants of 16."""
    single = noun[:-1] if count == 1 and noun.endswith("s") else noun
    return f"{number_in_words(count)} {single}", f"{number_in_words(count)} of the {total}"


class Analysis:
    def __init__(self, store: Store, citation: Citation, noun: str) -> None:
        self._store = store
        self._citation = citation
        self.noun = noun

    def _cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, kept while the database stays as it is (the tables are re-read after any change)."""
        return cached(self._store, ("analysis", key, self.noun, self._citation("1", "L")), compute)

    # --- the matrix -----------------------------------------------------------------------------------------------

    def matrix(self, measure: str = "codings", *, coder: str | None = None) -> pd.DataFrame:
        """Participants (rows, labelled as cited) x codes (columns, by id): number of codings, or 1/0 presence."""
        if measure not in MEASURES:
            raise QuoteError(f"the matrix counts {' or '.join(MEASURES)}, not {measure!r}")
        frame = self._cached(("matrix", coder), lambda: self._matrix(coder))
        return (frame > 0).astype("int64") if measure == "presence" else frame

    def _matrix(self, coder: str | None) -> pd.DataFrame:
        people = self._participants()
        codes, _, matrix = self._by_person(people, coder)
        return pd.DataFrame(matrix, index=pd.Index(list(people.values()), name="participant"), columns=pd.Index(codes))

    def _by_person(self, people: dict[str, str], coder: str | None) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The codes, the transcripts x codes grid of ``_grid``, and the same summed per participant (``people``)."""
        codes, participants, grid = self._grid(coder)
        row_of = {person: number for number, person in enumerate(people)}
        matrix = np.zeros((len(people), len(codes)), dtype="int64")
        np.add.at(matrix, [row_of[person] for person in participants], grid)  # a participant's transcripts summed
        return codes, grid, matrix

    def _grid(self, coder: str | None) -> tuple[list[str], list[str], np.ndarray]:
        """The codes in codebook order, and for each released transcript its participant and its codings of each
        code (by ``coder``, or by anyone): transcripts x codes. Kept per transcript, so that after a coding is saved
        only that transcript is counted again, from coding_counts (migration 7)."""
        codes = [str(row["id"]) for row in self._store.query("SELECT id FROM codes ORDER BY position")]
        column = {code_id: number for number, code_id in enumerate(codes)}

        def count(ids: list[int]) -> dict[int, tuple[str, dict[str, np.ndarray]]]:
            counted: dict[int, tuple[str, dict[str, list[int]]]] = {}  # Python lists: a numpy item costs more
            for document, person, who, code_id, n in self._store.db.execute(
                "SELECT t.document_id, d.participant_id, t.coder, t.code_id, t.codings FROM coding_counts t "
                "JOIN documents d ON d.id = t.document_id AND d.status = 'signed off' "
                f"WHERE t.document_id IN ({id_list(ids)})"
            ):
                by_coder = counted.setdefault(document, (person, {}))[1]
                if who not in by_coder:
                    by_coder[who] = [0] * len(codes)
                if code_id in column:
                    by_coder[who][column[code_id]] += n
            return {
                document: (person, {who: np.array(row, dtype="int64") for who, row in by_coder.items()})
                for document, (person, by_coder) in counted.items()
            }

        parts = per_document(self._store, ("analysis counts", tuple(codes)), count, weight=lambda part: len(part[1]))
        nothing = np.zeros(len(codes), dtype="int64")
        ordered = sorted(parts.items())
        rows = [
            by_coder.get(coder, nothing) if coder else sum(by_coder.values(), nothing) for _, (_, by_coder) in ordered
        ]
        grid = np.vstack(rows) if rows else np.zeros((0, len(codes)), dtype="int64")
        return codes, [person for _, (person, _) in ordered], grid

    def ranked(self, *, coder: str | None = None) -> pd.DataFrame:
        """Codes ranked by the number of distinct participants who raised them, with the prose for each count."""
        return self._cached(("ranked", coder), lambda: self._ranked(coder))

    def _ranked(self, coder: str | None) -> pd.DataFrame:
        people = self._participants()
        total = len(people)
        code_ids, grid, by_person = self._by_person(people, coder)
        raised = pd.DataFrame(
            {
                "participants": (by_person > 0).sum(axis=0),
                "documents": (grid > 0).sum(axis=0),
                "codings": grid.sum(axis=0),
            },
            index=pd.Index(code_ids, name="id"),
        )
        codes = pd.DataFrame(
            self._store.db.execute("SELECT id, name, theme_id, depth FROM codes ORDER BY position").fetchall(),
            columns=["id", "name", "theme_id", "depth"],
        )
        frame = codes.join(raised, on="id")
        frame[["participants", "documents", "codings"]] = (
            frame[["participants", "documents", "codings"]].fillna(0).astype("int64")
        )
        # Most participants first, then most codings; stable, so codebook order among equals.
        frame = frame.sort_values(["participants", "codings"], ascending=False, kind="stable").reset_index(drop=True)
        prose = [in_prose(int(n), total, self.noun) for n in frame["participants"]]
        frame["prose"] = [first for first, _ in prose]
        frame["share"] = [second for _, second in prose]
        return frame.rename(columns={"id": "code", "theme_id": "theme"}).set_index("code")

    def crosstab(self, attribute: str = "role", *, coder: str | None = None) -> pd.DataFrame:
        """Attribute values (rows) x codes (columns): the number of distinct participants with that value coded so."""
        return self._cached(("crosstab", attribute, coder), lambda: self._crosstab(attribute, coder))

    def _crosstab(self, attribute: str, coder: str | None) -> pd.DataFrame:
        people = self._store.query("SELECT id, role, attributes FROM participants")
        values: dict[str, str] = {}
        for person in people:
            value = (
                person["role"]
                if attribute.casefold() == "role"
                else json.loads(person["attributes"] or "{}").get(attribute)
            )
            if value:
                values[person["id"]] = str(value)
        if not values:
            raise QuoteError(f"no participant has the attribute {attribute!r} (see `workbench participants`)")
        presence = self.matrix("presence", coder=coder)
        labels = {label: pid for pid, label in self._participants().items()}
        presence[attribute] = [values.get(labels[label], "(none)") for label in presence.index]
        table = presence.groupby(attribute).sum()
        return table

    def cooccurrence(self, scope: str = "segment", *, coder: str | None = None) -> pd.DataFrame:
        """Code x code: how often two codes are on the same turn ("segment") or on overlapping spans ("overlap")."""
        if scope not in ("segment", "overlap"):
            raise QuoteError(f"co-occurrence is counted per segment or overlap, not {scope!r}")
        return self._cached(("cooccurrence", scope, coder), lambda: self._cooccurrence(scope, coder))

    def _cooccurrence(self, scope: str, coder: str | None) -> pd.DataFrame:
        if scope == "segment":
            # Both codes in the same turn, counted once per turn: code_pair_totals (per coder, '' for anyone, kept by
            # triggers from code_pairs, migrations 7 and 8) rather than pairs made from every coding.
            counts = Counter(
                {
                    (first, second): n
                    for first, second, n in self._store.db.execute(
                        "SELECT first, second, turns FROM code_pair_totals WHERE coder = ?", [coder or ""]
                    )
                }
            )
            return self._code_grid(counts)
        # The live codings with their turn, paired up here rather than by a self-join in SQL (seconds on a study of
        # a thousand transcripts): a pair counts once per turn of the first code's coding when their spans share
        # words.
        rows = self._store.db.execute(
            f"""
            WITH {RELEASED}
            SELECT c.document_id, c.code_id, c.start, c."end", COALESCE(s.parent_id, s.id) AS turn
            FROM released d JOIN codings c ON c.document_id = d.id
            LEFT JOIN segments s ON s.id = c.segment_id
            WHERE c.removed_at IS NULL {"AND c.coder = ?" if coder else ""}
            ORDER BY c.document_id, c.start
            """,
            [coder] if coder else [],
        ).fetchall()
        pairs: set[tuple[str, str, int, str | None]] = set()
        open_spans: list[tuple[int, str, int, str | None]] = []  # (end, code, document, turn), by start
        current = None
        for document, code, start, end, turn in rows:
            if document != current:
                open_spans, current = [], document
            open_spans = [span for span in open_spans if span[0] > start]
            for _, other, _, other_turn in open_spans:
                if other < code:
                    pairs.add((other, code, document, other_turn))
                elif code < other:
                    pairs.add((code, other, document, turn))
            open_spans.append((end, code, document, turn))
        return self._code_grid(Counter((first, second) for first, second, _, _ in pairs))

    def _code_grid(self, counts: Counter[tuple[str, str]]) -> pd.DataFrame:
        """Code x code (ids, in codebook order), symmetric, from the counts of pairs of codes (each pair once)."""
        ids = [str(row["id"]) for row in self._store.query("SELECT id FROM codes ORDER BY position")]
        position = {code_id: number for number, code_id in enumerate(ids)}
        grid = np.zeros((len(ids), len(ids)), dtype="int64")
        for (first, second), n in counts.items():
            if first in position and second in position:
                grid[position[first], position[second]] += n
                grid[position[second], position[first]] += n
        frame = pd.DataFrame(grid, index=ids, columns=ids)
        return frame

    def quote_counts(self, wanted: QuoteFilter | None = None) -> QuoteCounts:
        """How many quotes pass the filter, from how many participants, how many key quotes (what
        ``project.quotes(wanted)`` would return, counted without reading the quotes)."""
        return Quotes(self._store, self._citation).counts(wanted)

    def code_names(self) -> dict[str, str]:
        return {row["id"]: row["name"] for row in self._store.query("SELECT id, name FROM codes ORDER BY position")}

    def _participants(self) -> dict[str, str]:
        """Participants with a signed-off transcript, id -> citation label, in natural order."""
        key = ("analysis participants", self._citation("1", "L"))
        return dict(cached(self._store, key, self._read_participants, catalogue=True))

    def _read_participants(self) -> dict[str, str]:
        rows = self._store.query(
            f"WITH {RELEASED} SELECT DISTINCT p.id, p.label FROM participants p "
            "JOIN released d ON d.participant_id = p.id"
        )
        ordered = sorted(rows, key=lambda row: (0, int(row["id"])) if row["id"].isdigit() else (1, row["id"]))
        return {row["id"]: self._citation(row["id"], row["label"]) for row in ordered}
