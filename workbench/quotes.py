"""Quotes: live codings with the words they cover, cut from the released text by offsets, cited "(Case Worker 12)".

Filters narrow them by participant (12, CW12 or Case Worker 12 alike), code (with or without its sub-codes), theme,
coder, participant attribute and words; a quote's surrounding turns come on demand.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from workbench.errors import QuoteError
from workbench.participants import normalise_participant_id
from workbench.statecache import cached, per_document
from workbench.store import Store, id_list

JSON_FIELDS = ("document", "participant", "citation", "code", "coder", "text", "start", "end")

_COLUMNS = (
    'c.id, c.document_id, d.participant_id, c.code_id, c.coder, c.start, c."end", c.key_quote, c.segment_id, '
    "k.name AS code_name, k.theme_id"
)

Citation = Callable[[str, str | None], str]
"""citation(participant id, label) -> "(Case Worker 12)"."""


@dataclass(frozen=True, slots=True)
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
    code_name: str = ""
    code_path: str = ""
    theme: str = ""
    segment: str | None = None
    role: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The quote as ``workbench quotes --json`` prints it."""
        data = asdict(self)
        return {key: data[key] for key in JSON_FIELDS}


# Each field's slot setter, in the order of the fields (how ``Quotes._find`` fills a quote without __init__).
_QUOTE_SLOTS = tuple(getattr(Quote, f.name).__set__ for f in fields(Quote))


@dataclass(frozen=True)
class QuoteFilter:
    """Which quotes to return; every field left empty matches everything."""

    participant: str | None = None
    code: str | None = None
    subcodes: bool = True
    theme: str | None = None
    coder: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    text: str | None = None
    key_only: bool = False
    document: int | None = None


@dataclass(frozen=True)
class QuoteCounts:
    """How many quotes pass a filter, from how many participants, and how many of them are key quotes."""

    quotes: int
    participants: int
    key_quotes: int


@dataclass(frozen=True)
class ContextTurn:
    segment: str
    speaker: str
    role: str
    text: str
    holds_quote: bool


class Quotes:
    def __init__(self, store: Store, citation: Citation) -> None:
        self._store = store
        self._citation = citation

    def find(self, wanted: QuoteFilter | None = None, *, limit: int | None = None) -> list[Quote]:
        """Return the quotes that pass the filter, by participant's document, position, code and coder."""
        wanted = wanted or QuoteFilter()
        where, params = self._conditions(wanted)
        if limit is None and wanted.participant is None and wanted.document is None:
            return self._every(wanted, where, params)
        # Kept while the database stays as it is: the Quotes page reruns on every click with the same filters.
        key = ("quotes", repr(wanted), limit, self._citation("1", "L"))
        return cached(self._store, key, lambda: self._find(wanted, where, params, limit), weight=len)

    def _every(self, wanted: QuoteFilter, where: list[str], params: list[Any]) -> list[Quote]:
        """Every quote that passes the filter (the downloads and report drafts: a theme of a large study has a hundred
        thousand), built per transcript and kept so: after a coding is saved only its transcript's are built again.
        A quote also holds its participant's citation and attributes and its code's names, which a transcript's
        version does not follow: the catalogue's version (migration 9) and the codes are in the key."""
        codes = tuple(self._store.db.execute("SELECT id, parent_id, name, theme_id FROM codes ORDER BY id").fetchall())
        catalogue = self._store.db.execute("SELECT version FROM catalogue_version").fetchone()
        key = ("every quote", tuple(where), tuple(params), catalogue, codes, self._citation("1", "L"))

        def build(ids: list[int]) -> dict[int, list[Quote]]:
            within = f"c.document_id IN ({id_list(ids)})"
            parts: dict[int, list[Quote]] = {}
            for quote in self._find(wanted, [*where, within], params, None):
                parts.setdefault(quote.document, []).append(quote)
            return parts

        parts = per_document(self._store, key, build, weight=len)
        return [quote for document in sorted(parts) for quote in parts[document]]

    def counts(self, wanted: QuoteFilter | None = None) -> QuoteCounts:
        """Return how many quotes pass the filter (and from how many participants) without reading them: a page
        shows fifty of a list that may hold a hundred thousand."""
        wanted = wanted or QuoteFilter()
        where, params = self._conditions(wanted)

        def count() -> QuoteCounts:
            columns = "COUNT(*), COUNT(DISTINCT d.participant_id), COALESCE(SUM(c.key_quote), 0)"
            row = self._store.db.execute(f"{self._select(wanted, columns)} {' AND '.join(where)}", params).fetchone()
            return QuoteCounts(int(row[0]), int(row[1]), int(row[2]))

        if wanted.attributes or wanted.participant or wanted.document is not None:
            # Narrow already, or on participants' attributes, which a transcript's version does not follow.
            return cached(self._store, ("quote counts", repr(wanted)), count)

        def per_transcript(ids: list[int]) -> dict[int, tuple[str, int, int]]:
            columns = "c.document_id, d.participant_id, COUNT(*), COALESCE(SUM(c.key_quote), 0)"
            within = f"c.document_id IN ({id_list(ids)})"
            query = f"{self._select(wanted, columns)} {' AND '.join([*where, within])} GROUP BY c.document_id"
            return {document: (person, n, keys) for document, person, n, keys in self._store.db.execute(query, params)}

        # Counted per transcript and kept so, keyed by the conditions (the codes they name included): after a coding
        # is saved only its transcript is counted again.
        parts = per_document(self._store, ("quote counts", tuple(where), tuple(params)), per_transcript,
                             weight=lambda _: 1)  # fmt: skip
        return QuoteCounts(
            sum(n for _, n, _ in parts.values()),
            len({person for person, _, _ in parts.values()}),
            sum(keys for _, _, keys in parts.values()),
        )

    @staticmethod
    def _select(wanted: QuoteFilter, columns: str, *, in_order: bool = False) -> str:
        """The quotes' query up to its WHERE. The documents' rows hold their text: the signed-off ones are read from
        the documents_outline index (and the text only when the filter looks for words in the quote).

        ``in_order``: the query sorts, and may stop early (LIMIT). Unless it is narrowed to a participant or a
        document, it then walks the codings in document order (the index gives that order, so the first fifty of a
        hundred thousand come without sorting them all) and takes each one's participant from its document's row
        (stored before its text, so the text is not read)."""
        text_join = "JOIN documents t ON t.id = c.document_id" if wanted.text else ""
        person_join = "JOIN participants p ON p.id = d.participant_id" if wanted.attributes else ""
        if in_order and not (wanted.participant or wanted.document is not None):
            return f"""
            WITH released AS MATERIALIZED (SELECT id FROM documents WHERE status = 'signed off')
            SELECT {columns}
            FROM codings c
            JOIN documents d ON d.id = c.document_id
            JOIN codes k ON k.id = c.code_id
            {person_join} {text_join}
            WHERE c.document_id IN released AND
        """
        return f"""
            WITH released AS MATERIALIZED (SELECT id, participant_id FROM documents WHERE status = 'signed off')
            SELECT {columns}
            FROM codings c
            JOIN released d ON d.id = c.document_id
            JOIN codes k ON k.id = c.code_id
            {person_join} {text_join}
            WHERE
        """

    def _find(self, wanted: QuoteFilter, where: list[str], params: list[Any], limit: int | None) -> list[Quote]:
        # Each quoted transcript's text is read once, to cut its quotes from (not once per quote).
        rows = self._store.db.execute(
            f"""
            {self._select(wanted, _COLUMNS, in_order=True)} {" AND ".join(where)}
            ORDER BY c.document_id, c.start, k.position, c.coder, c.id
            {"LIMIT ?" if limit is not None else ""}
            """,
            [*params, *([limit] if limit is not None else [])],
        ).fetchall()
        if not rows:
            return []
        texts = self._store.texts(row[1] for row in rows)
        people: dict[str, tuple[str, str | None, str]] = {}  # id -> citation, role, attributes JSON
        for person, label, role, attributes in self._store.db.execute(
            "SELECT id, label, role, attributes FROM participants"
        ):
            people[person] = (self._citation(person, label), role, attributes or "{}")
        parsed: dict[str, dict[str, str]] = {}
        paths = self._paths()
        # A theme of a large study has a hundred thousand quotes, kept while the database is unchanged: each of its
        # repeated names is one string, not one per quote (SQLite returns a new one for every row).
        names: dict[str, str] = {}
        share = names.setdefault
        quotes = []
        new = object.__new__
        for coding, document, participant, code, coder, start, end, key_quote, segment, code_name, theme in rows:
            citation, role, attributes = people[participant]
            if participant not in parsed:
                parsed[participant] = json.loads(attributes)
            # Made without __init__ (a frozen dataclass sets each field through object.__setattr__), each slot set
            # through its descriptor. Every field is given, so the quote is as __init__ makes it.
            quote = new(Quote)
            for setter, value in zip(_QUOTE_SLOTS, (
                document, share(participant, participant), citation, share(code, code), share(coder, coder),
                texts[document][start:end], start, end, coding, bool(key_quote), share(code_name, code_name),
                paths.get(code, code_name), share(theme, theme), segment, role, parsed[participant],
            ), strict=True):  # fmt: skip
                setter(quote, value)
            quotes.append(quote)
        return quotes

    def context(self, quote: Quote, *, around: int = 1) -> list[ContextTurn]:
        """Return the turn that holds a quote with ``around`` turns either side, cut from the released text."""
        rows = self._store.query(
            """
            SELECT s.id, s.speaker, s.role, s.start, s."end", s.position,
                   substr(d.text, s.start + 1, s."end" - s.start) AS text
            FROM segments s JOIN documents d ON d.id = s.document_id
            WHERE s.document_id = ? AND s.kind = 'turn' ORDER BY s.position
            """,
            [quote.document],
        )
        holding = next((i for i, row in enumerate(rows) if row["start"] <= quote.start < row["end"]), None)
        if holding is None:
            return []
        chosen = rows[max(0, holding - around) : holding + around + 1]
        return [
            ContextTurn(row["id"], row["speaker"], row["role"], row["text"], row is rows[holding]) for row in chosen
        ]

    def _conditions(self, wanted: QuoteFilter) -> tuple[list[str], list[Any]]:
        where = ["c.removed_at IS NULL"]
        params: list[Any] = []
        if wanted.participant:
            where.append("d.participant_id = ?")
            params.append(normalise_participant_id(wanted.participant))
        if wanted.document is not None:
            where.append("c.document_id = ?")
            params.append(wanted.document)
        if wanted.code:
            codes = self._code_ids(wanted.code, wanted.subcodes)
            # With a participant too, "+" keeps SQLite from walking the code's index across the whole project
            # (without statistics it would): start from the participant's documents instead.
            column = "+c.code_id" if wanted.participant or wanted.document is not None else "c.code_id"
            where.append(f"{column} IN ({', '.join('?' for _ in codes)})")
            params += codes
        if wanted.theme:
            if not self._store.scalar("SELECT COUNT(*) FROM codes WHERE id = ? AND depth = 0", [wanted.theme]):
                raise QuoteError(f"there is no theme {wanted.theme!r} in this project's codebooks")
            # The theme's codes by id, so that SQLite seeks them in the codings_tally index document by document
            # rather than looking up the code of each of the transcripts' codings (the same quotes: k is c's code).
            in_theme = [
                row["id"] for row in self._store.query("SELECT id FROM codes WHERE theme_id = ?", [wanted.theme])
            ]
            column = "+c.code_id" if wanted.participant or wanted.document is not None else "c.code_id"
            where.append(f"{column} IN ({', '.join('?' for _ in in_theme)})")
            params += in_theme
        if wanted.coder:
            where.append("c.coder = ?")
            params.append(wanted.coder)
        for name, value in wanted.attributes.items():
            if name.casefold() == "role":
                where.append("lower(p.role) = lower(?)")
            else:
                where.append("lower(json_extract(p.attributes, ?)) = lower(?)")
                params.append(f'$."{name}"')
            params.append(value)
        if wanted.text:
            where.append('instr(lower(substr(t.text, c.start + 1, c."end" - c.start)), lower(?)) > 0')
            params.append(" ".join(wanted.text.split()))
        if wanted.key_only:
            where.append("c.key_quote = 1")
        return where, params

    def _code_ids(self, code_id: str, subcodes: bool) -> list[str]:
        rows = self._store.query(
            """
            WITH RECURSIVE tree(id) AS (
                SELECT id FROM codes WHERE id = ?
                UNION ALL SELECT codes.id FROM codes JOIN tree ON codes.parent_id = tree.id
            ) SELECT id FROM tree
            """,
            [code_id],
        )
        if not rows:
            raise QuoteError(
                f"there is no code {code_id!r} in this project's codebooks (see `workbench codebook show`)"
            )
        return [row["id"] for row in rows] if subcodes else [code_id]

    def _paths(self) -> dict[str, str]:
        """Each code's path, "Perception > The RAS form > Duplication", from the codes table."""
        rows = {row["id"]: row for row in self._store.query("SELECT id, parent_id, name FROM codes")}
        paths: dict[str, str] = {}
        for code_id in rows:
            names, current = [], rows.get(code_id)
            while current is not None:
                names.append(current["name"])
                current = rows.get(current["parent_id"])
            paths[code_id] = " > ".join(reversed(names))
        return paths


def attribute_names(quotes: Sequence[Quote]) -> list[str]:
    """The participant attributes the quotes carry, in first-seen order (columns of a quote table)."""
    return list(dict.fromkeys(name for quote in quotes for name in quote.attributes))
