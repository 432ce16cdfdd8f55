"""Inter-coder reliability: how far two or more coders agree, code by code, on the transcripts they have all coded,
and the lead coder's reconciliation of their disagreements into agreed codings.

The unit is the sentence: a coder applied a code to a sentence when one of their live codings with that code overlaps
it (``coding.start < sentence.end and sentence.start < coding.end``), so a turn coded whole counts for each of its
sentences and a few words count for the sentence they are in. Only signed-off transcripts that every chosen coder has
coded (one live coding each, of any code) are compared, and every sentence of them is a unit. The figures per code
are percent agreement, Cohen's kappa (two coders) and Krippendorff's alpha (nominal, any number of coders); the pure
functions ``percent_agreement``, ``cohens_kappa`` and ``alpha`` compute them from a coders x units matrix and are
checked against published worked examples in the tests; the report counts them from how many units each pattern of
coders has (``_pattern_figures``, checked against those functions), never building the matrix.

The agreed codings are a coder of their own, ``AGREED``: the sentences where every coder applied a code
(``agree_all_unanimous``) plus the lead coder's decisions on the disagreements (``reconcile``).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from itertools import combinations
from typing import Any, NamedTuple

import krippendorff
import numpy as np
import pandas as pd

from workbench.coding import Coding, Gate, coders_in_order
from workbench.errors import CodingError
from workbench.quotes import Citation
from workbench.statecache import cached, per_document
from workbench.store import Store, id_list, utc_now

AGREED = "Agreed"
"""The coder whose codings are the agreed ones: unanimous, or decided by the lead coder."""
ALL_CODES = "(all codes)"

Values = Sequence[Hashable | None]
"""One coder's values, unit by unit; None where the coder gave none (missing data)."""


# --- the statistics -------------------------------------------------------------------------------------------------


def percent_agreement(matrix: Sequence[Values]) -> float | None:
    """Return the share of units on which two coders agree, averaged over every pair of coders (rows of ``matrix``).

    A pair counts only the units both gave a value; None when no pair has a unit in common.
    """
    shares: list[float] = []
    for first, second in combinations(matrix, 2):
        pairs = [(a, b) for a, b in zip(first, second, strict=True) if a is not None and b is not None]
        if pairs:
            shares.append(sum(a == b for a, b in pairs) / len(pairs))
    return sum(shares) / len(shares) if shares else None


def cohens_kappa(first: Values, second: Values) -> float | None:
    """Return Cohen's kappa for two coders, (p_o - p_e) / (1 - p_e), over the units both gave a value.

    None when it is undefined: no such unit, or an expected agreement of 1 (both coders gave one and the same value
    to every unit, e.g. neither ever applied the code).
    """
    pairs = [(a, b) for a, b in zip(first, second, strict=True) if a is not None and b is not None]
    n = len(pairs)
    if not n:
        return None
    agreed = sum(a == b for a, b in pairs)
    firsts: dict[Hashable, int] = {}
    seconds: dict[Hashable, int] = {}
    for a, b in pairs:
        firsts[a] = firsts.get(a, 0) + 1
        seconds[b] = seconds.get(b, 0) + 1
    # In whole numbers (both scaled by n²), so that an expected agreement of exactly 1 is seen exactly.
    expected = sum(count * seconds.get(value, 0) for value, count in firsts.items())
    if expected == n * n:
        return None
    return (n * agreed - expected) / (n * n - expected)


def alpha(matrix: Sequence[Values]) -> float | None:
    """Return Krippendorff's alpha for nominal data (rows are coders, columns units, None for missing values).

    None when it is undefined: a single value in all the data (no disagreement is possible), or no unit with values
    from two coders.
    """
    index: dict[Hashable, int] = {}
    for row in matrix:
        for value in row:
            if value is not None:
                index.setdefault(value, len(index))
    if len(index) < 2:
        return None
    data = np.array([[np.nan if v is None else index[v] for v in row] for row in matrix], dtype=float)
    try:
        result = float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    except ValueError:  # the package's word for "no unit has two values"
        return None
    return None if math.isnan(result) else result


# --- the records ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeAgreement:
    """One code's figures (or all codes pooled): units, how many each coder applied it to, and the agreement."""

    code_id: str
    name: str
    units: int
    applied: dict[str, int]
    agreement: float | None
    kappa: float | None
    alpha: float | None
    note: str = ""


@dataclass(frozen=True)
class ReliabilityReport:
    coders: list[str]
    documents: list[int]
    sentences: int
    codes: list[CodeAgreement]
    overall: CodeAgreement

    def table(self) -> pd.DataFrame:
        """The figures as a table, one row per code and the pooled row last, a column per coder's count."""
        rows = [
            {
                "code": row.code_id,
                "name": row.name,
                "sentences": row.units,
                **{coder: row.applied[coder] for coder in self.coders},
                "agreement": row.agreement,
                "kappa": row.kappa,
                "alpha": row.alpha,
                "note": row.note,
            }
            for row in [*self.codes, self.overall]
        ]
        return pd.DataFrame(rows)

    def as_json(self) -> dict[str, Any]:
        return {
            "coders": self.coders,
            "documents": self.documents,
            "sentences": self.sentences,
            "codes": [asdict(row) for row in self.codes],
            "overall": asdict(self.overall),
        }


@dataclass(frozen=True)
class Disagreement:
    """A sentence some chosen coders applied a code to and others did not, with the lead coder's decision if any."""

    document_id: int
    citation: str
    segment_id: str
    start: int
    end: int
    text: str
    code_id: str
    applied_by: list[str] = field(default_factory=list)
    not_applied_by: list[str] = field(default_factory=list)
    decision: str | None = None


@dataclass(frozen=True)
class DisagreementPage:
    """One page of the disagreements of some coders, with what a page needs to know of all of them."""

    total: int  # every disagreement of the coders
    decided: int  # of those, how many the lead coder has decided
    code_ids: list[str]  # the codes they are on, in the order they first come
    matching: int  # how many pass the filter asked for
    items: list[tuple[int, Disagreement]]  # the page: each with its place among all of them (a stable key)


@dataclass(frozen=True)
class _Disputed:
    """Every disputed sentence and code of some coders, as rows (sentence id, document id, start, end, code id, who
    applied it), with the decisions and citations that turn any of them into a ``Disagreement``."""

    compared: _Comparison
    rows: list[tuple[str, int, int, int, str, int]]
    decisions: dict[tuple[str, str], str]
    citations: dict[int, str]
    views: dict[tuple[str | None, bool], Sequence[int]] = field(default_factory=dict, compare=False)

    def matching(self, code_id: str | None, undecided_only: bool) -> Sequence[int]:
        """The places of the rows on ``code_id`` (or any), undecided only if asked: worked out once per filter while
        this is kept (a page's reruns and its next pages ask again)."""
        if not code_id and not undecided_only:
            return range(len(self.rows))
        key = (code_id or None, undecided_only)
        if key not in self.views:
            self.views[key] = [
                number
                for number, row in enumerate(self.rows)
                if (not code_id or row[4] == code_id) and not (undecided_only and (row[0], row[4]) in self.decisions)
            ]
        return self.views[key]

    @cached_property
    def decided(self) -> int:
        return sum((row[0], row[4]) in self.decisions for row in self.rows)

    @cached_property
    def code_ids(self) -> list[str]:
        return list(dict.fromkeys(row[4] for row in self.rows))


@dataclass(frozen=True)
class _Part:
    """What one transcript holds for a comparison of some coders: which of them coded it and, when all did, its
    sentences and how many sentences have each code by each pattern of coders (``who``, a bit per coder)."""

    coders: frozenset[str]
    sentences: int = 0
    patterns: dict[tuple[str, int], int] = field(default_factory=dict)


class _Sentence(NamedTuple):
    id: str
    document_id: int
    start: int
    end: int


@dataclass(frozen=True)
class _Comparison:
    """Who is compared on what: the chosen coders, the signed-off transcripts they have all coded, how many sentences
    those hold (the units), and the codes (codebook order, or the order asked for)."""

    coders: list[str]
    documents: list[int]
    sentences: int
    codes: list[tuple[str, str]]

    def applied(self) -> tuple[str, list[Any]]:
        """A query, and its parameters, of who applied each compared code to each sentence of the transcripts that any
        chosen coder applied it to: (document_id, sentence_id, code_id, who), ``who`` a bit per coder (1 for the
        first, 2 for the second...). Read from sentence_codes (migration 7), never from the codings."""
        bits = " ".join(f"WHEN ? THEN {1 << number}" for number in range(len(self.coders)))
        sql = (
            f"SELECT document_id, sentence_id, code_id, SUM(CASE coder {bits} END) AS who FROM sentence_codes "
            f"WHERE document_id IN ({id_list(self.documents)}) "
            f"AND coder IN ({_marks(self.coders)}) AND code_id IN ({_marks(self.codes)}) "
            "GROUP BY document_id, sentence_id, code_id"
        )
        return sql, [*self.coders, *self.coders, *(code_id for code_id, _ in self.codes)]

    def pattern(self, who: int) -> tuple[bool, ...]:
        return tuple(bool(who >> number & 1) for number in range(len(self.coders)))

    @property
    def everyone(self) -> int:
        return (1 << len(self.coders)) - 1


# --- the project's reliability --------------------------------------------------------------------------------------


class Reliability:
    """Agreement between the project's coders, and the lead coder's reconciliation into agreed codings."""

    def __init__(self, store: Store, coding: Coding, gate: Gate, citer: Callable[[], Citation]) -> None:
        self._store = store
        self._coding = coding
        self._gate = gate
        self._citer = citer  # the citation function for the project's label template at the time of asking

    def coders(self) -> list[str]:
        """Everyone with live codings on signed-off transcripts, in the order they started (``AGREED`` included)."""
        return cached(self._store, ("reliability coders",), lambda: coders_in_order(self._store, live_released=True))

    def report(self, coders: Sequence[str] | None = None, code_ids: Sequence[str] | None = None) -> ReliabilityReport:
        """Return the agreement of ``coders`` (default: every coder but ``AGREED``) per code and pooled.

        The codes are ``code_ids``, or every code one of the coders applied in the transcripts they share.
        """
        key = ("reliability report", tuple(self._choose(coders)), None if code_ids is None else tuple(code_ids))
        return cached(self._store, key, lambda: self._report(coders, code_ids))

    def _report(self, coders: Sequence[str] | None, code_ids: Sequence[str] | None) -> ReliabilityReport:
        compared, parts = self._compared_parts(coders, code_ids)
        units = compared.sentences
        # code id -> how many sentences each coder pattern (who applied it) has, leaving out the sentences no coder
        # applied it to: the figures need only these counts, counted per transcript in SQL.
        patterns: dict[str, Counter[tuple[bool, ...]]] = defaultdict(Counter)
        for part in parts:
            for (code_id, who), n in part.patterns.items():
                patterns[code_id][compared.pattern(who)] += n
        rows = [
            _pattern_figures(code_id, name, compared.coders, units, patterns.get(code_id, Counter()))
            for code_id, name in compared.codes
        ]
        pooled: Counter[tuple[bool, ...]] = Counter()
        for code_id, _ in compared.codes:
            pooled.update(patterns.get(code_id, Counter()))
        overall = _pattern_figures(ALL_CODES, "All codes, pooled", compared.coders, units * len(compared.codes), pooled)
        return ReliabilityReport(
            coders=compared.coders,
            documents=compared.documents,
            sentences=units,
            codes=rows,
            overall=overall,
        )

    def disagreements(
        self, coders: Sequence[str] | None = None, code_ids: Sequence[str] | None = None
    ) -> list[Disagreement]:
        """Return every sentence and code that some of ``coders`` applied and others did not, in text order."""
        key = ("disagreements", tuple(self._choose(coders)), None if code_ids is None else tuple(code_ids))

        def build() -> list[Disagreement]:
            disputed = self._disputed(coders, code_ids)
            return self._build(disputed, disputed.rows)

        return cached(self._store, key, build, weight=len)

    def disagreement_page(
        self,
        coders: Sequence[str] | None = None,
        *,
        code_id: str | None = None,
        undecided_only: bool = False,
        offset: int = 0,
        limit: int = 20,
    ) -> DisagreementPage:
        """Return one page of the disagreements of ``coders`` (those on ``code_id`` only, or the undecided only, if
        asked), building only the page's disagreements: a large study has tens of thousands."""
        disputed = self._disputed(coders, None)
        matching = disputed.matching(code_id, undecided_only)
        shown = list(matching[offset : offset + limit]) if limit > 0 else []
        built = self._build(disputed, [disputed.rows[number] for number in shown])
        return DisagreementPage(
            total=len(disputed.rows),
            decided=disputed.decided,
            code_ids=list(disputed.code_ids),
            matching=len(matching),
            items=list(zip(shown, built, strict=True)),
        )

    def _disputed(self, coders: Sequence[str] | None, code_ids: Sequence[str] | None) -> _Disputed:
        def read() -> _Disputed:
            compared = self._compare(coders, code_ids)
            wanted = {code_id for code_id, _ in compared.codes}
            order = {code_id: number for number, (code_id, _) in enumerate(compared.codes)}
            disputed = self._disputed_rows(compared)
            rows = [row for document in compared.documents for row in disputed.get(document, []) if row[4] in wanted]
            if code_ids is not None:  # the order asked for, within a sentence
                rows.sort(key=lambda row: (row[1], row[2], order[row[4]]))
            return _Disputed(compared, rows, self._decisions(compared.documents), self._citations(compared.documents))

        key = ("disputed", tuple(self._choose(coders)), None if code_ids is None else tuple(code_ids))
        return cached(self._store, key, read, weight=lambda disputed: len(disputed.rows) // 10)

    def _build(self, disputed: _Disputed, rows: Sequence[tuple[str, int, int, int, str, int]]) -> list[Disagreement]:
        """The disagreements of these of ``disputed``'s rows, their text cut from each transcript, read once."""
        compared, decisions, citations = disputed.compared, disputed.decisions, disputed.citations
        texts = self._store.texts({row[1] for row in rows}) if rows else {}
        split: dict[int, tuple[list[str], list[str]]] = {}  # who -> (the coders who applied it, the others)
        for who in {row[5] for row in rows}:
            pattern = compared.pattern(who)
            split[who] = (
                [coder for coder, bit in zip(compared.coders, pattern, strict=True) if bit],
                [coder for coder, bit in zip(compared.coders, pattern, strict=True) if not bit],
            )
        found: list[Disagreement] = []
        for segment_id, document_id, start, end, code_id, who in rows:
            applied, others = split[who]
            # Made without __init__, as quotes are (the page lists a study's tens of thousands): every field is given.
            disagreement = object.__new__(Disagreement)
            disagreement.__dict__.update(
                document_id=document_id,
                citation=citations[document_id],
                segment_id=segment_id,
                start=start,
                end=end,
                text=texts[document_id][start:end],
                code_id=code_id,
                applied_by=list(applied),
                not_applied_by=list(others),
                decision=decisions.get((segment_id, code_id)),
            )
            found.append(disagreement)
        return found

    # --- reconciling ----------------------------------------------------------------------------------------------

    def reconcile(self, segment_id: str, code_id: str, apply: bool, lead: str) -> int | None:
        """Record the lead coder's decision on a sentence and code; returns the agreed coding when it applies.

        Applying codes the sentence as ``AGREED``; rejecting removes an agreed coding of the sentence with the code.
        A new decision replaces the previous one.
        """
        lead = _name(lead, "give the lead coder's name")
        sentence = self._sentence(segment_id)
        self._gate([sentence.document_id], "reconciled")
        self._require_codes([code_id])
        decision = "apply" if apply else "reject"
        payload = {"segment": segment_id, "code": code_id, "decision": decision}
        with self._store.transaction(lead, "reconcile", payload) as record:
            coding_id: int | None = None
            if apply:
                coding_id = self._agree(sentence, code_id)
            else:
                self._disagree(sentence, code_id, lead)
            self._store.db.execute(
                "INSERT INTO reconciliations (document_id, segment_id, code_id, decision, lead, at, coding_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (segment_id, code_id) DO UPDATE SET "
                "decision = excluded.decision, lead = excluded.lead, at = excluded.at, coding_id = excluded.coding_id",
                [sentence.document_id, segment_id, code_id, decision, lead, utc_now(), coding_id],
            )
            record["coding"] = coding_id
        return coding_id

    def agree_all_unanimous(
        self, coders: Sequence[str] | None = None, *, lead: str, code_ids: Sequence[str] | None = None
    ) -> int:
        """Code as ``AGREED`` every sentence that all ``coders`` applied a code to (unless the lead rejected it);
        returns how many agreed codings are new."""
        lead = _name(lead, "give the lead coder's name")
        compared = self._compare(coders, code_ids)
        self._gate(compared.documents, "reconciled")
        rejected = {key for key, decision in self._decisions(compared.documents).items() if decision == "reject"}
        unanimous = [
            (_Sentence(*row[:4]), row[4]) for row in self._rows_where(compared, "=") if (row[0], row[4]) not in rejected
        ]
        if not unanimous:
            return 0
        payload = {"coders": compared.coders, "documents": compared.documents}
        with self._store.transaction(lead, "agree unanimous", payload) as record:
            agreed = self._agreed()
            made = [agreed.insert(s.document_id, s.id, s.start, s.end, c, origin="manual") for s, c in unanimous]
            record["codings"] = [coding_id for coding_id in made if coding_id is not None]
        return len(record["codings"])

    def _agreed(self) -> Coding:
        return self._coding.as_coder(AGREED)

    def _agree(self, sentence: _Sentence, code_id: str) -> int:
        """Code the sentence as ``AGREED`` (inside the caller's transaction), or find the agreed coding it has."""
        made = self._agreed().insert(sentence.document_id, sentence.id, sentence.start, sentence.end, code_id,
                                     origin="manual")  # fmt: skip
        if made is not None:
            return made
        return int(
            self._store.scalar(
                "SELECT id FROM codings WHERE document_id = ? AND code_id = ? AND coder = ? AND start = ? "
                'AND "end" = ? AND removed_at IS NULL',
                [sentence.document_id, code_id, AGREED, sentence.start, sentence.end],
            )
        )

    def _disagree(self, sentence: _Sentence, code_id: str, lead: str) -> None:
        """Remove the sentence's agreed coding with the code, if it has one (inside the caller's transaction)."""
        self._store.db.execute(
            "UPDATE codings SET removed_at = ?, removed_by = ? WHERE document_id = ? AND code_id = ? AND coder = ? "
            'AND start = ? AND "end" = ? AND removed_at IS NULL',
            [utc_now(), lead, sentence.document_id, code_id, AGREED, sentence.start, sentence.end],
        )

    # --- reading --------------------------------------------------------------------------------------------------

    def _compare(self, coders: Sequence[str] | None, code_ids: Sequence[str] | None) -> _Comparison:
        return self._compared_parts(coders, code_ids)[0]

    def _compared_parts(
        self, coders: Sequence[str] | None, code_ids: Sequence[str] | None
    ) -> tuple[_Comparison, list[_Part]]:
        """The comparison, and the parts of its transcripts in document order."""
        chosen = self._choose(coders)
        names = {row["id"]: row["name"] for row in self._store.query("SELECT id, name FROM codes ORDER BY position")}
        parts = self._parts(chosen, list(names))
        documents = sorted(document for document, part in parts.items() if len(part.coders) == len(chosen))
        if not documents:
            raise CodingError(
                f"{_names(chosen)} have not coded any transcript in common; reliability compares coders on the "
                "transcripts they have all coded"
            )
        if code_ids is None:
            used = {code_id for document in documents for code_id, _ in parts[document].patterns}
            codes = [(code_id, name) for code_id, name in names.items() if code_id in used]
        else:
            self._require_codes(code_ids)
            codes = [(code_id, names[code_id]) for code_id in dict.fromkeys(code_ids)]
        units = sum(parts[document].sentences for document in documents)
        return _Comparison(chosen, documents, units, codes), [parts[document] for document in documents]

    def _parts(self, chosen: list[str], codes: list[str]) -> dict[int, _Part]:
        """Each signed-off transcript's part in a comparison of ``chosen``, kept per transcript (so after a coding is
        saved only its transcript is read again), from migration 7's coding_counts and sentence_codes."""

        def read(ids: list[int]) -> dict[int, _Part]:
            within = f"IN ({id_list(ids)})"
            present: defaultdict[int, set[str]] = defaultdict(set)
            for document, coder in self._store.db.execute(
                f"SELECT t.document_id, t.coder FROM coding_counts t JOIN documents d ON d.id = t.document_id "
                f"AND d.status = 'signed off' WHERE t.document_id {within} AND t.coder IN ({_marks(chosen)}) "
                "GROUP BY 1, 2",
                chosen,
            ):
                present[document].add(coder)
            complete = [document for document, who in present.items() if len(who) == len(chosen)]
            parts = {document: _Part(frozenset(who)) for document, who in present.items()}
            if not complete:
                return parts
            compared = _Comparison(chosen, complete, 0, [(code_id, "") for code_id in codes])
            applied, params = compared.applied()
            for document, n in self._store.db.execute(
                f"SELECT document_id, COUNT(*) FROM segments WHERE kind = 'sentence' AND document_id "
                f"IN ({id_list(complete)}) GROUP BY document_id"
            ):
                parts[document] = _Part(parts[document].coders, sentences=n)
            for document, code_id, who, n in self._store.db.execute(
                f"SELECT document_id, code_id, who, COUNT(*) FROM ({applied}) GROUP BY 1, 2, 3", params
            ):
                parts[document].patterns[(code_id, who)] = n
            return parts

        return per_document(
            self._store, ("reliability parts", tuple(chosen), tuple(codes)), read,
            weight=lambda part: 1 + len(part.patterns) // 10,
        )  # fmt: skip

    def _disputed_rows(self, compared: _Comparison) -> dict[int, list[tuple[str, int, int, int, str, int]]]:
        """The disputed rows of each transcript ``compared`` (on every code), in text order and, within a sentence,
        in codebook order; kept per transcript as the parts are."""
        codes = [str(row["id"]) for row in self._store.query("SELECT id FROM codes ORDER BY position")]
        shared = set(compared.documents)

        def read(ids: list[int]) -> dict[int, list[tuple[str, int, int, int, str, int]]]:
            documents = [document for document in ids if document in shared]
            if not documents:
                return {}
            every_code = _Comparison(compared.coders, documents, 0, [(code_id, "") for code_id in codes])
            rows: dict[int, list[tuple[str, int, int, int, str, int]]] = {}
            for row in self._rows_where(every_code, "<>"):  # in text order, then codebook order
                rows.setdefault(row[1], []).append(row)
            return rows

        key = ("reliability disputed", tuple(compared.coders), tuple(codes))
        return per_document(self._store, key, read, weight=lambda rows: 1 + len(rows) // 10)

    def _rows_where(self, compared: _Comparison, test: str) -> list[tuple[str, int, int, int, str, int]]:
        """(sentence id, document id, start, end, code id, who applied it) where ``who`` ``test`` (= or <>) every
        chosen coder: the unanimous or the disputed ones, in text order and, within a sentence, in the order of
        ``compared.codes``."""
        applied, params = compared.applied()
        order = {code_id: number for number, (code_id, _) in enumerate(compared.codes)}
        rows = self._store.db.execute(
            f'SELECT s.id, s.document_id, s.start, s."end", a.code_id, a.who FROM ({applied}) AS a '
            f"JOIN segments s ON s.id = a.sentence_id WHERE a.who {test} ?",
            [*params, compared.everyone],
        ).fetchall()
        rows.sort(key=lambda row: (row[1], row[2], order[row[4]]))
        return rows

    def _choose(self, coders: Sequence[str] | None) -> list[str]:
        known = self.coders()
        if coders is None:
            chosen = [coder for coder in known if coder != AGREED]
            if len(chosen) < 2:
                who = f"only {_names(chosen)} has" if chosen else "no one has"
                raise CodingError(f"reliability needs two coders on the same transcripts, and {who} coded yet")
            return chosen
        chosen = list(dict.fromkeys(" ".join(coder.split()) for coder in coders if coder.strip()))
        for coder in chosen:
            if coder not in known:
                raise CodingError(f"there is no coder {coder!r} in this project; its coders are {_names(known)}")
        if len(chosen) < 2:
            raise CodingError(f"choose at least two coders to compare; this project's coders are {_names(known)}")
        return chosen

    def _sentence(self, segment_id: str) -> _Sentence:
        rows = self._store.query('SELECT id, kind, document_id, start, "end" FROM segments WHERE id = ?', [segment_id])
        if not rows:
            raise CodingError(f"there is no sentence {segment_id!r} (see `workbench transcripts --json`)")
        row = rows[0]
        if row["kind"] != "sentence":
            raise CodingError(f"{segment_id} is a {row['kind']}: the lead coder decides sentence by sentence")
        return _Sentence(row["id"], row["document_id"], row["start"], row["end"])

    def _require_codes(self, code_ids: Sequence[str]) -> None:
        known = {row["id"] for row in self._store.query("SELECT id FROM codes")}
        for code_id in code_ids:
            if code_id not in known:
                raise CodingError(
                    f"there is no code {code_id!r} in this project's codebooks (see `workbench codebook show`)"
                )

    def _decisions(self, documents: Sequence[int]) -> dict[tuple[str, str], str]:
        rows = self._store.query(
            f"SELECT segment_id, code_id, decision FROM reconciliations WHERE document_id IN "
            f"({', '.join('?' for _ in documents)})",
            list(documents),
        )
        return {(row["segment_id"], row["code_id"]): row["decision"] for row in rows}

    def _citations(self, documents: Sequence[int]) -> dict[int, str]:
        cite = self._citer()
        rows = self._store.query(
            "SELECT d.id, d.participant_id, p.label FROM documents d JOIN participants p ON p.id = d.participant_id "
            f"WHERE d.id IN ({', '.join('?' for _ in documents)})",
            list(documents),
        )
        return {row["id"]: cite(row["participant_id"], row["label"]) for row in rows}


def _undefined_note(applied: dict[str, int], units: int) -> str:
    """Why kappa or alpha has no value for a code, if it has none: nobody applied it, or everybody everywhere."""
    undefined = "kappa and alpha undefined" if len(applied) == 2 else "alpha undefined"
    if all(count == 0 for count in applied.values()):
        return f"{undefined}: no coder applied it"
    if units and all(count == units for count in applied.values()):
        return f"{undefined}: every coder applied it to every sentence"
    return ""


def _pattern_figures(
    code_id: str, name: str, coders: list[str], units: int, patterns: Counter[tuple[bool, ...]]
) -> CodeAgreement:
    """One row of the report, from counts: how many units each pattern of coders applying the code has (the units
    missing from ``patterns`` are those no coder applied it to). Every coder gives every unit a value, so
    agreement, kappa and alpha follow from these counts without building the coders x units matrix."""
    full = Counter(patterns)
    blank = units - sum(full.values())
    if blank:
        full[(False,) * len(coders)] += blank
    applied = {coder: sum(n for who, n in full.items() if who[i]) for i, coder in enumerate(coders)}
    note = _undefined_note(applied, units)
    agreement: float | None = None
    if units and len(coders) >= 2:
        shares = [
            sum(n for who, n in full.items() if who[i] == who[j]) / units
            for i, j in combinations(range(len(coders)), 2)
        ]
        agreement = sum(shares) / len(shares)
    kappa: float | None = None
    if len(coders) == 2 and units:
        agreed = sum(n for who, n in full.items() if who[0] == who[1])
        first, second = applied[coders[0]], applied[coders[1]]
        # In whole numbers (scaled by n²), as cohens_kappa: an expected agreement of exactly 1 is seen exactly.
        expected = first * second + (units - first) * (units - second)
        kappa = None if expected == units * units else (units * agreed - expected) / (units * units - expected)
    return CodeAgreement(code_id, name, units, applied, agreement, kappa, _pattern_alpha(full, len(coders)), note)


def _pattern_alpha(full: Counter[tuple[bool, ...]], coders: int) -> float | None:
    """Krippendorff's alpha (nominal, two values, no missing data) from the coincidence counts of the patterns."""
    if coders < 2 or not full:
        return None
    both = together_true = together_false = 0.0
    for who, n in full.items():
        true = sum(who)
        false = coders - true
        together_true += n * true * (true - 1) / (coders - 1)
        together_false += n * false * (false - 1) / (coders - 1)
        both += n * true * false / (coders - 1)
    n_true, n_false = together_true + both, together_false + both
    if n_true == 0 or n_false == 0:
        return None  # a single value in all the data
    total = n_true + n_false
    return 1 - (total - 1) * both / (n_true * n_false)


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


def _name(value: str, problem: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise CodingError(problem)
    return name


def _names(names: Sequence[str]) -> str:
    """'alice', 'alice and bob', 'alice, bob and carol'."""
    if len(names) <= 1:
        return "".join(names) or "none"
    return f"{', '.join(names[:-1])} and {names[-1]}"
