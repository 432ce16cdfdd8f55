"""Inter-coder reliability: how far two or more coders agree, code by code, on the transcripts they have all coded,
and the lead coder's reconciliation of their disagreements into agreed codings.

The unit is the sentence: a coder applied a code to a sentence when one of their live codings with that code overlaps
it (``coding.start < sentence.end and sentence.start < coding.end``), so a turn coded whole counts for each of its
sentences and a few words count for the sentence they are in. Only signed-off transcripts that every chosen coder has
coded (one live coding each, of any code) are compared, and every sentence of them is a unit. The figures per code
are percent agreement, Cohen's kappa (two coders) and Krippendorff's alpha (nominal, any number of coders); the pure
functions ``percent_agreement``, ``cohens_kappa`` and ``alpha`` compute them and are checked against published
worked examples in the tests.

The agreed codings are a coder of their own, ``AGREED``: the sentences where every coder applied a code
(``agree_all_unanimous``) plus the lead coder's decisions on the disagreements (``reconcile``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import Any

import krippendorff
import numpy as np
import pandas as pd

from workbench.coding import Coding, Gate
from workbench.errors import CodingError
from workbench.quotes import Citation
from workbench.store import Store, utc_now

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
class _Sentence:
    id: str
    document_id: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Comparison:
    """What a report, the disagreements and the unanimous agreements are all read from."""

    coders: list[str]
    documents: list[int]
    sentences: list[_Sentence]
    codes: list[tuple[str, str]]
    applied: dict[str, set[tuple[str, str]]]  # coder -> {(sentence id, code id)}

    def matrix(self, code_id: str) -> list[list[bool]]:
        return [[(s.id, code_id) in self.applied[coder] for s in self.sentences] for coder in self.coders]


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
        rows = self._store.query(
            "SELECT c.coder FROM codings c JOIN documents d ON d.id = c.document_id "
            "WHERE c.removed_at IS NULL AND d.status = 'signed off' GROUP BY c.coder ORDER BY MIN(c.id)"
        )
        return [row["coder"] for row in rows]

    def report(self, coders: Sequence[str] | None = None, code_ids: Sequence[str] | None = None) -> ReliabilityReport:
        """Return the agreement of ``coders`` (default: every coder but ``AGREED``) per code and pooled.

        The codes are ``code_ids``, or every code one of the coders applied in the transcripts they share.
        """
        compared = self._compare(coders, code_ids)
        matrices = [compared.matrix(code_id) for code_id, _ in compared.codes]
        rows = [_figures(c, name, compared.coders, m) for (c, name), m in zip(compared.codes, matrices, strict=True)]
        pooled = [[value for matrix in matrices for value in matrix[i]] for i in range(len(compared.coders))]
        return ReliabilityReport(
            coders=compared.coders,
            documents=compared.documents,
            sentences=len(compared.sentences),
            codes=rows,
            overall=_figures(ALL_CODES, "All codes, pooled", compared.coders, pooled),
        )

    def disagreements(
        self, coders: Sequence[str] | None = None, code_ids: Sequence[str] | None = None
    ) -> list[Disagreement]:
        """Return every sentence and code that some of ``coders`` applied and others did not, in text order."""
        compared = self._compare(coders, code_ids)
        decisions = self._decisions(compared.documents)
        citations = self._citations(compared.documents)
        found: list[Disagreement] = []
        for sentence in compared.sentences:
            for code_id, _ in compared.codes:
                applied = [c for c in compared.coders if (sentence.id, code_id) in compared.applied[c]]
                if 0 < len(applied) < len(compared.coders):
                    found.append(
                        Disagreement(
                            document_id=sentence.document_id,
                            citation=citations[sentence.document_id],
                            segment_id=sentence.id,
                            start=sentence.start,
                            end=sentence.end,
                            text=sentence.text,
                            code_id=code_id,
                            applied_by=applied,
                            not_applied_by=[c for c in compared.coders if c not in applied],
                            decision=decisions.get((sentence.id, code_id)),
                        )
                    )
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
            (sentence, code_id)
            for sentence in compared.sentences
            for code_id, _ in compared.codes
            if (sentence.id, code_id) not in rejected
            and all((sentence.id, code_id) in compared.applied[c] for c in compared.coders)
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
        chosen = self._choose(coders)
        marks = ", ".join("?" for _ in chosen)
        documents = [
            row["document_id"]
            for row in self._store.query(
                f"SELECT c.document_id FROM codings c JOIN documents d ON d.id = c.document_id "
                f"WHERE c.removed_at IS NULL AND d.status = 'signed off' AND c.coder IN ({marks}) "
                "GROUP BY c.document_id HAVING COUNT(DISTINCT c.coder) = ? ORDER BY c.document_id",
                [*chosen, len(chosen)],
            )
        ]
        if not documents:
            raise CodingError(
                f"{_names(chosen)} have not coded any transcript in common; reliability compares coders on the "
                "transcripts they have all coded"
            )
        in_documents = f"IN ({', '.join(str(int(d)) for d in documents)})"
        sentences = [
            _Sentence(row["id"], row["document_id"], row["start"], row["end"], row["text"])
            for row in self._store.query(
                'SELECT s.id, s.document_id, s.start, s."end", substr(d.text, s.start + 1, s."end" - s.start) AS text '
                f"FROM segments s JOIN documents d ON d.id = s.document_id "
                f"WHERE s.kind = 'sentence' AND s.document_id {in_documents} ORDER BY s.document_id, s.start"
            )
        ]
        applied: dict[str, set[tuple[str, str]]] = {coder: set() for coder in chosen}
        for row in self._store.query(
            "SELECT DISTINCT c.coder, s.id, c.code_id FROM codings c JOIN segments s ON s.document_id = c.document_id "
            'AND s.kind = \'sentence\' AND c.start < s."end" AND s.start < c."end" '
            f"WHERE c.removed_at IS NULL AND c.document_id {in_documents} AND c.coder IN ({marks})",
            chosen,
        ):
            applied[row["coder"]].add((row["id"], row["code_id"]))
        names = {row["id"]: row["name"] for row in self._store.query("SELECT id, name FROM codes ORDER BY position")}
        if code_ids is not None:
            self._require_codes(code_ids)
            codes = [(code_id, names[code_id]) for code_id in dict.fromkeys(code_ids)]
        else:
            used = {code_id for pairs in applied.values() for _, code_id in pairs}
            codes = [(code_id, name) for code_id, name in names.items() if code_id in used]
        return _Comparison(chosen, documents, sentences, codes, applied)

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
        rows = self._store.query(
            'SELECT s.id, s.kind, s.document_id, s.start, s."end", substr(d.text, s.start + 1, s."end" - s.start) '
            "AS text FROM segments s JOIN documents d ON d.id = s.document_id WHERE s.id = ?",
            [segment_id],
        )
        if not rows:
            raise CodingError(f"there is no sentence {segment_id!r} (see `workbench transcripts --json`)")
        row = rows[0]
        if row["kind"] != "sentence":
            raise CodingError(f"{segment_id} is a {row['kind']}: the lead coder decides sentence by sentence")
        return _Sentence(row["id"], row["document_id"], row["start"], row["end"], row["text"])

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


def _figures(code_id: str, name: str, coders: list[str], matrix: list[list[bool]]) -> CodeAgreement:
    """One row of the report: the agreement of ``coders`` (rows of ``matrix``) on one code, or on all pooled."""
    applied = {coder: sum(row) for coder, row in zip(coders, matrix, strict=True)}
    units = len(matrix[0]) if matrix else 0
    undefined = "kappa and alpha undefined" if len(coders) == 2 else "alpha undefined"
    note = ""
    if all(count == 0 for count in applied.values()):
        note = f"{undefined}: no coder applied it"
    elif units and all(count == units for count in applied.values()):
        note = f"{undefined}: every coder applied it to every sentence"
    return CodeAgreement(
        code_id=code_id,
        name=name,
        units=units,
        applied=applied,
        agreement=percent_agreement(matrix),
        kappa=cohens_kappa(matrix[0], matrix[1]) if len(matrix) == 2 else None,
        alpha=alpha(matrix),
        note=note,
    )


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
