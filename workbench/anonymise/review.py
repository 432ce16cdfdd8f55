"""The ethics review: scan transcripts, decide each candidate, sign transcripts off into project.db.

Everything identifiable (the working text, candidates and their text, the original -> placeholder map, the roster)
is read from and written to the key store. project.db receives a transcript's text only when it is signed off, and
then only the anonymised text with its segments.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from workbench.anonymise.categories import CATEGORIES, category_named
from workbench.anonymise.detect import Candidate, Detector
from workbench.anonymise.lists import Glossary, Roster, RosterEntry, parse_glossary
from workbench.anonymise.names import sentence_start
from workbench.anonymise.placeholders import (
    DEFAULT_STYLE,
    OffsetMap,
    Replacement,
    apply_replacements,
    check_style,
    entity_key,
    linked_key,
    mention_key,
    render,
)
from workbench.anonymise.words import is_english
from workbench.errors import NotSignedOff, ReviewError
from workbench.keystore import KeyStore
from workbench.lemmas import sentence_lemmas
from workbench.store import Store, utc_now

STYLE_SETTING = "placeholder_style"
GLOSSARY_SETTING = "glossary"
CONTEXT_CHARS = 70
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class CandidateRecord:
    """A candidate as the reviewer sees it: the text, where it is, why it was flagged, and what it would become."""

    id: int
    document_id: int
    start: int
    end: int
    text: str
    category: str
    detector: str
    confidence: float
    status: str
    placeholder: str
    before: str
    after: str
    decided_by: str | None
    decided_at: str | None


@dataclass(frozen=True)
class ReviewProgress:
    document_id: int
    status: str
    pending: int
    accepted: int
    rejected: int

    @property
    def decided(self) -> int:
        return self.accepted + self.rejected


@dataclass(frozen=True)
class Residual:
    """A possible identifier still in anonymised text; its own text is never shown, only where it is."""

    document_id: int
    start: int
    end: int
    category: str
    detector: str
    masked_context: str


class Review:
    def __init__(self, store: Store, keys: KeyStore, actor: str) -> None:
        self._store = store
        self._keys = keys
        self.actor = actor
        self._hand_made: dict[str, set[int]] = {}  # label -> numbers transcribers already used in the texts

    def as_reviewer(self, actor: str) -> Review:
        """The same review, with decisions recorded under another name (the demo's reviewer)."""
        return Review(self._store, self._keys, actor)

    # --- settings -------------------------------------------------------------------------------------------------

    @property
    def style(self) -> str:
        return self._store.setting(STYLE_SETTING, DEFAULT_STYLE)

    def set_style(self, style: str) -> None:
        style = check_style(style)
        with self._store.transaction(self.actor, "set placeholder style", {"style": style}):
            self._store.write_setting(STYLE_SETTING, style)

    def glossary(self) -> Glossary:
        """The project's own domain terms (added to the built-in list); they are not identifiable, so in project.db."""
        return parse_glossary(self._store.setting(GLOSSARY_SETTING, ""))

    def add_glossary_terms(self, terms: Sequence[str]) -> Glossary:
        glossary = self.glossary() + Glossary(tuple(" ".join(t.split()) for t in terms if t.strip()))
        with self._store.transaction(self.actor, "edit glossary", {"terms": len(glossary.terms)}):
            self._store.write_setting(GLOSSARY_SETTING, "\n".join(glossary.terms))
        return glossary

    def remove_glossary_terms(self, terms: Sequence[str]) -> Glossary:
        drop = {term.casefold() for term in terms}
        glossary = Glossary(tuple(t for t in self.glossary().terms if t.casefold() not in drop))
        with self._store.transaction(self.actor, "edit glossary", {"terms": len(glossary.terms)}):
            self._store.write_setting(GLOSSARY_SETTING, "\n".join(glossary.terms))
        return glossary

    # --- the roster and the placeholder map (key store) -----------------------------------------------------------

    def load_roster(self, roster: Roster) -> int:
        """Add the team's known names to the key store; a later scan finds them, misspelt or not, everywhere."""
        with self._keys.transaction(self.actor, "load roster", {"names": len(roster)}):
            for entry in roster.entries:
                key = entity_key(entry.original, entry.category)
                self._keys.put_placeholder(key, entry.original, entry.category, None, entry.replacement)
        return len(roster)

    def _map(self) -> dict[str, dict[str, Any]]:
        return {row["key"]: row for row in self._keys.placeholders()}

    def _detector(self) -> Detector:
        """A detector with everything the project knows: the glossary, and every name on the roster or decided so far
        (found by the roster's rules, misspelt or not, and repeated wherever they occur)."""
        named = [row for row in self._keys.placeholders() if CATEGORIES[row["category"]].numbered]
        roster = Roster(tuple(RosterEntry(row["original"], row["category"], row["custom"]) for row in named))
        known = {row["original"]: row["category"] for row in named}
        return Detector(
            roster=roster if named else None, glossary=self.glossary() + self._codebook_terms(), known=known
        )

    def _codebook_terms(self) -> Glossary:
        """The names and keywords of the project's codes: the study's own vocabulary, never an identifier."""
        terms: list[str] = []
        for row in self._store.query("SELECT name, keywords FROM codes ORDER BY position"):
            terms += [row["name"], *json.loads(row["keywords"])]
        return Glossary(tuple(dict.fromkeys(" ".join(term.split()) for term in terms)))

    def proposed_placeholder(self, candidate_id: int, category: str | None = None) -> str:
        """The placeholder a candidate would get if accepted now, optionally in another category."""
        row = self._candidate(candidate_id)
        named = category_named(category) if category else None
        return self._placeholder_for(row["text"], named.name if named else row["category"], self._map())

    def _placeholder_for(self, text: str, category: str, mapping: dict[str, dict[str, Any]]) -> str:
        """The placeholder a candidate would get now, without assigning anything."""
        key = linked_key(entity_key(text, category), category, [(k, r["category"]) for k, r in mapping.items()])
        row = mapping.get(key)
        if row is not None:
            return row["custom"] or render(
                row["category"], row["number"] or self._next_number(mapping, row["category"]), self.style
            )
        return render(category, self._next_number(mapping, category), self.style)

    def _next_number(self, mapping: dict[str, dict[str, Any]], category: str) -> int:
        """The next free number for a category: after those assigned and those the transcribers already used."""
        used = {row["number"] for row in mapping.values() if row["category"] == category and row["number"] is not None}
        label = CATEGORIES[category].label
        if label not in self._hand_made:
            texts = (
                self._working(d)["text"] for d in self._store.query("SELECT id, sha256, source_name FROM documents")
            )
            self._hand_made[label] = set().union(*(_numbers_in(text, label) for text in texts))
        return max(used | self._hand_made[label], default=0) + 1

    def _assign(self, text: str, category: str, mapping: dict[str, dict[str, Any]], custom: str | None) -> None:
        """Make sure the identifier has its project-wide placeholder (inside the caller's key-store transaction)."""
        key = linked_key(entity_key(text, category), category, [(k, r["category"]) for k, r in mapping.items()])
        row = mapping.get(key)
        if row is None:
            row = {"key": key, "original": " ".join(text.split()), "category": category, "number": None, "custom": None}
        if row["number"] is None and CATEGORIES[row["category"]].numbered:
            row["number"] = self._next_number(mapping, row["category"])
        if custom:
            row["custom"] = custom
        self._keys.put_placeholder(key, row["original"], row["category"], row["number"], row["custom"])
        mapping[key] = row

    # --- scanning -------------------------------------------------------------------------------------------------

    def scan(self, document_ids: Sequence[int] | None = None, *, progress: Progress | None = None) -> dict[int, int]:
        """Detect candidates in every transcript not yet signed off; return the new candidates per document.

        Decided candidates stay as they are; undecided ones are found afresh, so a rescan after a roster or glossary
        change is safe.
        """
        documents = self._unsigned(document_ids)
        texts = [self._working(document)["text"] for document in documents]
        found: dict[int, int] = {}
        candidates_of = self._detector().detect_many(texts)
        for done, (document, candidates) in enumerate(zip(documents, candidates_of, strict=True)):
            if progress:
                progress(done, len(documents), f"scanning {document['source_name']}")
            found[document["id"]] = self._replace_pending(document["id"], candidates)
        if progress:
            progress(len(documents), len(documents), "done")
        return found

    def _replace_pending(self, document_id: int, candidates: list[Candidate]) -> int:
        existing = self._keys.candidates(document_id)
        decided = [(row["start"], row["end"]) for row in existing if row["status"] != "pending"]
        fresh = [c for c in candidates if not any(s < c.end and c.start < e for s, e in decided)]
        with self._keys.transaction(self.actor, "scan", {"document": document_id, "candidates": len(fresh)}):
            self._keys.delete_candidates([row["id"] for row in existing if row["status"] == "pending"])
            for candidate in fresh:
                self._keys.insert_candidate(document_id, candidate.__dict__)
        with self._store.transaction(self.actor, "scan transcript", {"document": document_id, "found": len(fresh)}):
            self._store.set_document_status(document_id, "in review")
        return len(fresh)

    # --- reading --------------------------------------------------------------------------------------------------

    def working_copy(self, document_id: int) -> dict[str, Any]:
        """The identifiable text, metadata JSON and turns JSON of a transcript, for the ethics reviewer only."""
        return self._working(self._document(document_id))

    def working_text(self, document_id: int) -> str:
        """The transcript's identifiable text, for the ethics reviewer only."""
        return str(self._working(self._document(document_id))["text"])

    def candidates(self, document_id: int) -> list[CandidateRecord]:
        text = self.working_text(document_id)
        mapping = self._map()
        records = []
        for row in self._keys.candidates(document_id):
            placeholder = row["placeholder"] or self._placeholder_for(row["text"], row["category"], mapping)
            records.append(
                CandidateRecord(
                    id=row["id"],
                    document_id=document_id,
                    start=row["start"],
                    end=row["end"],
                    text=row["text"],
                    category=row["category"],
                    detector=row["detector"],
                    confidence=row["confidence"],
                    status=row["status"],
                    placeholder=placeholder,
                    before=text[max(0, row["start"] - CONTEXT_CHARS) : row["start"]],
                    after=text[row["end"] : row["end"] + CONTEXT_CHARS],
                    decided_by=row["decided_by"],
                    decided_at=row["decided_at"],
                )
            )
        return records

    def progress(self) -> list[ReviewProgress]:
        counts: dict[int, dict[str, int]] = {}
        for row in self._keys.candidates():
            counts.setdefault(row["document_id"], {"pending": 0, "accepted": 0, "rejected": 0})[row["status"]] += 1
        return [
            ReviewProgress(
                row["id"], row["status"], **counts.get(row["id"], {"pending": 0, "accepted": 0, "rejected": 0})
            )
            for row in self._store.query("SELECT id, status FROM documents ORDER BY id")
        ]

    def summary(self, document_id: int) -> dict[str, Any]:
        """Counts for the ethics report: candidates by category and detector, and the decisions made."""
        rows = self._keys.candidates(document_id)
        by_detector: dict[str, int] = {}
        for row in rows:
            detector = row["detector"].removeprefix("residual ")
            by_detector[detector] = by_detector.get(detector, 0) + 1
        return {
            **_summary(rows),
            "pending": sum(1 for r in rows if r["status"] == "pending"),
            "by_detector": by_detector,
        }

    def signoffs(self) -> dict[int, dict[str, Any]]:
        """The standing sign-off of each signed-off transcript: reviewer and time."""
        rows = self._store.query(
            "SELECT document_id, reviewer, at FROM signoffs WHERE withdrawn_at IS NULL ORDER BY id"
        )
        return {row["document_id"]: row for row in rows}

    # --- deciding -------------------------------------------------------------------------------------------------

    def decide(
        self,
        candidate_id: int,
        accept: bool,
        *,
        placeholder: str | None = None,
        category: str | None = None,
        everywhere: bool = False,
    ) -> int:
        """Accept (replace) or reject (keep the text) a candidate, or with ``everywhere`` every undecided candidate
        in the project with the same text; return how many candidates were decided."""
        row = self._candidate(candidate_id)
        self._unsigned([row["document_id"]])
        if category is not None:
            named = category_named(category)
            if named is None:
                raise ReviewError(f"unknown category {category!r}; use one of: {', '.join(CATEGORIES)}")
            category = named.name
        new_category = category or row["category"]
        key = mention_key(row["text"])
        targets = [row]
        if everywhere:
            signed = self._signed_ids()
            targets = [
                other
                for other in self._keys.candidates()
                if other["id"] == candidate_id
                or (
                    other["status"] == "pending"
                    and other["document_id"] not in signed
                    and mention_key(other["text"]) == key
                )
            ]
        status = "accepted" if accept else "rejected"
        payload = {"candidates": [t["id"] for t in targets], "status": status, "everywhere": everywhere}
        with self._keys.transaction(self.actor, "review decision", payload):
            if category is not None:
                self._keys.recategorise([t["id"] for t in targets], new_category)
            own = placeholder if placeholder and not everywhere else None
            if accept:
                self._assign(row["text"], new_category, self._map(), placeholder if everywhere else None)
            self._keys.decide([t["id"] for t in targets], status, own, self.actor)
        return len(targets)

    def undecide(self, candidate_id: int) -> None:
        """Take a decision back: the candidate is undecided again (the audit log keeps both)."""
        row = self._candidate(candidate_id)
        self._unsigned([row["document_id"]])
        with self._keys.transaction(self.actor, "undo decision", {"candidate": candidate_id}):
            self._keys.reopen_candidates([candidate_id])

    def mark_text(
        self, document_id: int, text: str, category: str, *, placeholder: str | None = None, everywhere: bool = False
    ) -> int:
        """Mark every whole-word occurrence of ``text`` in the transcript (or, with ``everywhere``, in every one
        under review) as an identifier the scan missed; return how many spans were marked."""
        positions = _occurrences(self.working_text(document_id), text)
        if not positions:
            raise ReviewError(f"{text!r} does not occur in document {document_id}")
        if everywhere:
            start, end = positions[0]
            return self.mark(document_id, start, end, category, placeholder=placeholder, everywhere=True)
        return sum(self.mark(document_id, s, e, category, placeholder=placeholder) for s, e in positions)

    def mark(
        self,
        document_id: int,
        start: int,
        end: int,
        category: str,
        *,
        placeholder: str | None = None,
        everywhere: bool = False,
    ) -> int:
        """Mark a span the detectors missed as an identifier (accepted at once); return how many spans were marked.

        With ``everywhere``, every other occurrence of the same text in transcripts under review is marked too.
        Candidates the new span overlaps are replaced by it.
        """
        named = category_named(category)
        if named is None:
            raise ReviewError(f"unknown category {category!r}; use one of: {', '.join(CATEGORIES)}")
        documents = self._unsigned(None if everywhere else [document_id])
        text = self.working_text(document_id)
        if not (0 <= start < end <= len(text)) or not text[start:end].strip():
            raise ReviewError(f"characters {start}-{end} are not a piece of text in document {document_id}")
        original = text[start:end]
        spans = {document_id: [(start, end)]}
        if everywhere:
            for document in documents:
                spans[document["id"]] = _occurrences(self._working(document)["text"], original)
        marked = 0
        with self._keys.transaction(self.actor, "mark by hand", {"document": document_id, "everywhere": everywhere}):
            self._assign(original, named.name, self._map(), placeholder if everywhere else None)
            for target, places in spans.items():
                existing = self._keys.candidates(target)
                target_text = text if target == document_id else self._working(self._document(target))["text"]
                for s, e in places:
                    if any(r["status"] == "accepted" and r["start"] <= s and e <= r["end"] for r in existing):
                        continue  # already inside an accepted identifier ("Meadow Lane" in "14 Meadow Lane")
                    overlapping = [row["id"] for row in existing if row["start"] < e and s < row["end"]]
                    self._keys.delete_candidates(overlapping)
                    row = {
                        "start": s,
                        "end": e,
                        "text": target_text[s:e],
                        "category": named.name,
                        "detector": "manual",
                        "confidence": 1.0,
                        "status": "accepted",
                        "placeholder": placeholder if not everywhere else None,
                        "decided_by": self.actor,
                        "decided_at": utc_now(),
                    }
                    self._keys.insert_candidate(target, row)
                    marked += 1
        return marked

    # --- signing off ----------------------------------------------------------------------------------------------

    def released_text(self, document_id: int) -> str:
        """What the transcript would read like once signed off: the reviewer's preview."""
        document = self._document(document_id)
        return self._release(document)[0]

    def signoff(self, document_id: int, reviewer: str) -> list[Residual]:
        """Sign a transcript off: every candidate decided and the residual scan clean. Its anonymised text and
        segments then go into project.db and it can be coded, quoted, reported and exported.

        A residual scan finding something refuses the sign-off and leaves the findings as new candidates to decide.
        """
        document = self._unsigned([document_id])[0]
        rows = self._keys.candidates(document_id)
        pending = sum(1 for row in rows if row["status"] == "pending")
        if pending:
            raise ReviewError(
                f"document {document_id} ({document['source_name']}) still has {pending} undecided candidate"
                f"{'s' if pending != 1 else ''}; accept or reject every one before signing off"
            )
        if not reviewer.strip():
            raise ReviewError("give the reviewer's name to sign off")
        text, metadata, segments, offsets = self._release(document)
        residual = self._residual(document_id, text, rows, self._detector().detect(text))
        if residual:
            added = self._add_residual_candidates(document, text, residual)
            found = f"{len(residual)} possible identifier{'s' if len(residual) != 1 else ''}"
            where = f"document {document_id} ({document['source_name']})"
            if added:
                raise ReviewError(
                    f"sign-off refused: the residual scan found {found} still in {where}; they are now candidates "
                    "to decide"
                )
            raise ReviewError(
                f"sign-off refused: the residual scan found {found} in the anonymised text of {where} that the "
                "original does not have: check the placeholders written by hand (one may name someone)"
            )
        summary = _summary(rows)
        lemmas = sentence_lemmas(text, [(row[0], row[2], row[7], row[8]) for row in segments])
        with self._store.transaction(
            self.actor, "sign off", {"document": document_id, "reviewer": reviewer, **summary}
        ):
            self._store.release_document(document_id, text, metadata, segments)
            self._store.write_lemmas(lemmas)
            turns = [(row[0], row[7], row[8]) for row in segments if row[2] == "turn"]
            self._store.release_pending_codings(document_id, offsets, turns)
            self._store.add_signoff(document_id, reviewer.strip(), json.dumps(summary))
        return []

    def reopen(self, document_id: int) -> None:
        """Withdraw a sign-off: the text leaves project.db and the transcript returns to review."""
        document = self._document(document_id)
        if document["status"] != "signed off":
            raise ReviewError(f"document {document_id} is not signed off")
        coded = self._store.scalar(
            "SELECT COUNT(*) FROM codings WHERE document_id = ? AND removed_at IS NULL", [document_id]
        )
        if coded:
            # Released text never changes under codings (their offsets point into it).
            raise ReviewError(
                f"document {document_id} ({document['source_name']}) has {coded} coding{'s' if coded != 1 else ''}; "
                "its released text cannot change under them, so remove them before reopening its review"
            )
        with self._store.transaction(self.actor, "reopen review", {"document": document_id}):
            self._store.withdraw_release(document_id)
            self._store.withdraw_signoff(document_id, self.actor)

    def residual_scan(self, document_ids: Sequence[int] | None = None) -> list[Residual]:
        """Scan signed-off text again (before an export or a report) with everything the project now knows."""
        wanted = set(document_ids) if document_ids is not None else None
        signed = [
            row
            for row in self._store.query("SELECT id, text FROM documents WHERE status = 'signed off' ORDER BY id")
            if wanted is None or row["id"] in wanted
        ]
        found = self._detector().detect_many([row["text"] for row in signed])
        residual: list[Residual] = []
        for row, candidates in zip(signed, found, strict=True):
            residual += self._residual(row["id"], row["text"], self._keys.candidates(row["id"]), candidates)
        return residual

    def scan_draft(self, text: str) -> list[Residual]:
        """Scan text written from the project (a report draft) for possible identifiers, less the words reviewers
        chose to keep in any transcript. Residuals carry document id 0: they belong to no transcript."""
        decided = self._keys.query("SELECT text, status FROM candidates WHERE status = 'rejected'")
        found = [
            candidate
            for candidate in self._detector().detect(text)
            # A draft's own prose ("Simpler, shorter...") starts sentences with ordinary words the model takes for
            # names; transcripts have a reviewer to reject those, drafts do not.
            if not (
                candidate.detector == "model"
                and " " not in candidate.text
                and sentence_start(text, candidate.start)
                and is_english(candidate.text)
            )
        ]
        return self._residual(0, text, decided, found)

    def _residual(
        self, document_id: int, text: str, decided: list[dict[str, Any]], found: list[Candidate]
    ) -> list[Residual]:
        """What the scan ``found`` in released text, less what the reviewer chose to keep (unless the project has
        since learnt it is a name)."""
        known_names = {row["original"].casefold() for row in self._keys.placeholders()}
        kept = {row["text"].casefold() for row in decided if row["status"] == "rejected"} - known_names
        residual = []
        for candidate in found:
            if candidate.text.casefold() in kept:
                continue
            masked = (
                text[max(0, candidate.start - 40) : candidate.start]
                + "■" * 5
                + text[candidate.end : candidate.end + 40]
            )
            residual.append(
                Residual(document_id, candidate.start, candidate.end, candidate.category, candidate.detector, masked)
            )
        return residual

    def _add_residual_candidates(self, document: dict[str, Any], preview: str, residual: list[Residual]) -> int:
        """Residuals found in the preview go back to the reviewer against the working text; return how many did."""
        working = self._working(document)["text"]
        returned = 0
        with self._keys.transaction(self.actor, "residual scan", {"document": document["id"], "found": len(residual)}):
            for item in residual:
                original = preview[item.start : item.end]
                for s, e in _occurrences(working, original):
                    existing = [r for r in self._keys.candidates(document["id"]) if r["start"] < e and s < r["end"]]
                    # A kept (rejected) mention of what is now a known name goes back to the reviewer.
                    kept = [r["id"] for r in existing if r["status"] == "rejected"]
                    self._keys.reopen_candidates(kept)
                    returned += len(kept)
                    if not existing:
                        row = {"start": s, "end": e, "text": working[s:e], "category": item.category}
                        self._keys.insert_candidate(
                            document["id"], {**row, "detector": f"residual {item.detector}", "confidence": 0.9}
                        )
                        returned += 1
        return returned

    def _release(self, document: dict[str, Any]) -> tuple[str, str, list[tuple[Any, ...]], OffsetMap]:
        """The anonymised text, metadata JSON and segment rows of a transcript, from its decided candidates."""
        working = self._working(document)
        mapping = self._map()
        accepted = [row for row in self._keys.candidates(document["id"]) if row["status"] == "accepted"]
        replacements = [
            Replacement(
                row["start"],
                row["end"],
                row["placeholder"] or self._placeholder_for(row["text"], row["category"], mapping),
            )
            for row in accepted
        ]
        text, offsets = apply_replacements(working["text"], replacements)
        by_original = {row["text"].casefold(): r.placeholder for row, r in zip(accepted, replacements, strict=True)}
        metadata = {key: _replace_known(value, by_original) for key, value in json.loads(working["metadata"]).items()}
        segments: list[tuple[Any, ...]] = []
        position = 0
        for number, turn in enumerate(json.loads(working["turns"]), 1):
            turn_id = f"d{document['id']}.t{number}"
            times = {key: turn[key] for key in ("start_time", "end_time") if turn.get(key)}
            speaker = _replace_known(turn["speaker"], by_original)
            start, end = offsets(turn["start"]), offsets(turn["end"], is_end=True)
            segments.append(
                (turn_id, document["id"], "turn", None, position, speaker, turn["role"], start, end, json.dumps(times))
            )
            position += 1
            for sentence_number, (s, e) in enumerate(turn["sentences"], 1):
                segments.append(
                    (
                        f"{turn_id}.s{sentence_number}",
                        document["id"],
                        "sentence",
                        turn_id,
                        position,
                        speaker,
                        turn["role"],
                        offsets(s),
                        offsets(e, is_end=True),
                        "{}",
                    )
                )
                position += 1
        return text, json.dumps(metadata, ensure_ascii=False), segments, offsets

    # --- lookups --------------------------------------------------------------------------------------------------

    def _document(self, document_id: int) -> dict[str, Any]:
        rows = self._store.query("SELECT id, sha256, source_name, status FROM documents WHERE id = ?", [document_id])
        if not rows:
            raise ReviewError(f"there is no document {document_id} in this project")
        return rows[0]

    def _unsigned(self, document_ids: Sequence[int] | None) -> list[dict[str, Any]]:
        if document_ids is None:
            return self._store.query(
                "SELECT id, sha256, source_name, status FROM documents WHERE status != 'signed off' ORDER BY id"
            )
        documents = [self._document(document_id) for document_id in document_ids]
        for document in documents:
            if document["status"] == "signed off":
                raise ReviewError(
                    f"document {document['id']} ({document['source_name']}) is already signed off; reopen its review "
                    "to change it"
                )
        return documents

    def _signed_ids(self) -> set[int]:
        return {row["id"] for row in self._store.query("SELECT id FROM documents WHERE status = 'signed off'")}

    def _working(self, document: dict[str, Any]) -> dict[str, Any]:
        working = self._keys.working_copy(document["sha256"])
        if working is None:
            raise ReviewError(
                f"the key store has no text for document {document['id']} ({document['source_name']}); restore the "
                "key store from a backup"
            )
        return working

    def _candidate(self, candidate_id: int) -> dict[str, Any]:
        rows = self._keys.query("SELECT * FROM candidates WHERE id = ?", [candidate_id])
        if not rows:
            raise ReviewError(f"there is no candidate {candidate_id}")
        return rows[0]

    def require_signed_off(self, document_ids: Sequence[int], purpose: str) -> None:
        """The gate: refuse ``purpose`` ("coded", "quoted", "reported", "exported") for unsigned transcripts."""
        for document_id in document_ids:
            document = self._document(document_id)
            if document["status"] != "signed off":
                raise NotSignedOff(
                    f"document {document_id} ({document['source_name']}) cannot be {purpose}: an ethics reviewer has "
                    "not signed off its anonymisation yet (see `workbench anonymise signoff`)"
                )


def _numbers_in(text: str, label: str) -> set[int]:
    """The numbers of hand-made placeholders for ``label`` in a text: "{service user}" is 1, "{service user 2}" 2."""
    found = re.finditer(r"[{\[]" + re.escape(label) + r"(?: (\d+))?[}\]]", text, re.IGNORECASE)
    return {int(match.group(1) or 1) for match in found}


def _occurrences(text: str, original: str) -> list[tuple[int, int]]:
    """Every whole-word occurrence of ``original`` in ``text``, in any case and spacing."""
    pattern = re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in original.split()) + r"(?!\w)", re.IGNORECASE)
    return [found.span() for found in pattern.finditer(text)]


def _replace_known(value: str, by_original: dict[str, str]) -> str:
    for original, placeholder in sorted(by_original.items(), key=lambda item: len(item[0]), reverse=True):
        for s, e in reversed(_occurrences(value, original)):
            value = value[:s] + placeholder + value[e:]
    return value


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_category: dict[str, int] = {}
    for row in rows:
        by_category[row["category"]] = by_category.get(row["category"], 0) + 1
    return {
        "candidates": len(rows),
        "accepted": sum(1 for row in rows if row["status"] == "accepted"),
        "rejected": sum(1 for row in rows if row["status"] == "rejected"),
        "by_hand": sum(1 for row in rows if row["detector"] == "manual"),
        "by_category": by_category,
    }
