"""Counting codings as pandas tables: participant x code matrix, codes ranked by participants (in the words prose
needs: "eight case workers", "ten of the 16"), attribute x code cross-tabs, and code co-occurrence."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pandas as pd

from workbench.errors import QuoteError
from workbench.store import Store

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

    # --- the matrix -----------------------------------------------------------------------------------------------

    def matrix(self, measure: str = "codings", *, coder: str | None = None) -> pd.DataFrame:
        """Participants (rows, labelled as cited) x codes (columns, by id): number of codings, or 1/0 presence."""
        if measure not in MEASURES:
            raise QuoteError(f"the matrix counts {' or '.join(MEASURES)}, not {measure!r}")
        people = self._participants()
        codes = [row["id"] for row in self._store.query("SELECT id FROM codes ORDER BY position")]
        counts = self._store.query(
            f"""
            SELECT d.participant_id, c.code_id, COUNT(*) AS n FROM codings c JOIN documents d ON d.id = c.document_id
            WHERE c.removed_at IS NULL AND d.status = 'signed off' {"AND c.coder = ?" if coder else ""}
            GROUP BY d.participant_id, c.code_id
            """,
            [coder] if coder else [],
        )
        long = pd.DataFrame(counts, columns=["participant_id", "code_id", "n"])
        long = long[long["participant_id"].isin(people)]
        frame = (
            long.pivot_table(index="participant_id", columns="code_id", values="n", aggfunc="sum", fill_value=0)
            .reindex(index=list(people), columns=codes, fill_value=0)
            .astype("int64")
        )
        frame.index = pd.Index(list(people.values()), name="participant")
        frame.columns.name = None
        return (frame > 0).astype("int64") if measure == "presence" else frame

    def ranked(self, *, coder: str | None = None) -> pd.DataFrame:
        """Codes ranked by the number of distinct participants who raised them, with the prose for each count."""
        total = len(self._participants())
        rows = self._store.query(
            f"""
            SELECT k.id, k.name, k.theme_id, k.depth,
                   COUNT(DISTINCT d.participant_id) AS participants, COUNT(DISTINCT c.document_id) AS documents,
                   COUNT(d.id) AS codings
            FROM codes k
            LEFT JOIN codings c ON c.code_id = k.id AND c.removed_at IS NULL {"AND c.coder = ?" if coder else ""}
            LEFT JOIN documents d ON d.id = c.document_id AND d.status = 'signed off'
            GROUP BY k.id ORDER BY participants DESC, codings DESC, k.position
            """,
            [coder] if coder else [],
        )
        frame = pd.DataFrame(rows, columns=["id", "name", "theme_id", "depth", "participants", "documents", "codings"])
        prose = [in_prose(int(n), total, self.noun) for n in frame["participants"]]
        frame["prose"] = [first for first, _ in prose]
        frame["share"] = [second for _, second in prose]
        return frame.rename(columns={"id": "code", "theme_id": "theme"}).set_index("code")

    def crosstab(self, attribute: str = "role", *, coder: str | None = None) -> pd.DataFrame:
        """Attribute values (rows) x codes (columns): the number of distinct participants with that value coded so."""
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
        turn = "COALESCE(s.parent_id, s.id)"
        condition = {
            "segment": "a.turn = b.turn",
            "overlap": 'a.start < b."end" AND b.start < a."end"',
        }.get(scope)
        if condition is None:
            raise QuoteError(f"co-occurrence is counted per segment or overlap, not {scope!r}")
        rows = self._store.query(
            f"""
            WITH live AS (
                SELECT c.id, c.document_id, c.code_id, c.start, c."end", {turn} AS turn
                FROM codings c LEFT JOIN segments s ON s.id = c.segment_id
                JOIN documents d ON d.id = c.document_id AND d.status = 'signed off'
                WHERE c.removed_at IS NULL {"AND c.coder = ?" if coder else ""}
            ), pairs AS (
                SELECT DISTINCT a.code_id AS first, b.code_id AS second, a.document_id, a.turn
                FROM live a JOIN live b ON a.document_id = b.document_id AND a.code_id < b.code_id AND {condition}
            )
            SELECT first, second, COUNT(*) AS n FROM pairs GROUP BY first, second
            """,
            [coder] if coder else [],
        )
        codes = [row["id"] for row in self._store.query("SELECT id FROM codes ORDER BY position")]
        pairs = pd.DataFrame(rows, columns=["first", "second", "n"])
        both = pd.concat([pairs, pairs.rename(columns={"first": "second", "second": "first"})])
        frame = both.pivot_table(index="first", columns="second", values="n", aggfunc="sum", fill_value=0)
        frame = frame.reindex(index=codes, columns=codes, fill_value=0).astype("int64")
        frame.index.name, frame.columns.name = None, None
        return frame

    def code_names(self) -> dict[str, str]:
        return {row["id"]: row["name"] for row in self._store.query("SELECT id, name FROM codes ORDER BY position")}

    def _participants(self) -> dict[str, str]:
        """Participants with a signed-off transcript, id -> citation label, in natural order."""
        rows = self._store.query(
            """
            SELECT DISTINCT p.id, p.label FROM participants p JOIN documents d ON d.participant_id = p.id
            WHERE d.status = 'signed off'
            """
        )
        ordered = sorted(rows, key=lambda row: (0, int(row["id"])) if row["id"].isdigit() else (1, row["id"]))
        return {row["id"]: self._citation(row["id"], row["label"]) for row in ordered}
