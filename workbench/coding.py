"""Coding: codes applied to turns, sentences or spans of released text, memos, and each coder's undo and redo.

A coding is (document, [start, end), code, coder). Removing one keeps its row (``removed_at``) so that undo can bring
it back; every change is one transaction with its audit row and, for the coder's own history, an action row that undo
and redo replay backwards or forwards.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from workbench.errors import CodingError
from workbench.statecache import cached
from workbench.store import Store, utc_now

MEMO_KINDS = ("memo", "future consideration", "recommendation")
MEMO_TARGETS = ("coding", "code", "document")

Gate = Callable[[Sequence[int], str], None]
"""Refuses documents an ethics reviewer has not signed off (Review.require_signed_off)."""


@dataclass(frozen=True)
class CodingRecord:
    id: int
    document_id: int
    segment_id: str | None
    code_id: str
    start: int
    end: int
    coder: str
    origin: str
    key_quote: bool
    created_at: str


@dataclass(frozen=True)
class MemoRecord:
    id: int
    target: str
    target_id: str
    kind: str
    text: str
    author: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Span:
    """What to code: a segment (turn or sentence) or [start, end) within one turn of a document."""

    document_id: int
    segment_id: str | None = None
    start: int | None = None
    end: int | None = None


class Coding:
    """The project's codings and memos, written in the name of ``coder``."""

    def __init__(self, store: Store, coder: str, gate: Gate) -> None:
        self._store = store
        self.coder = coder
        self._gate = gate

    def as_coder(self, coder: str) -> Coding:
        """The same codings, written in another coder's name."""
        if not coder.strip():
            raise CodingError("give the coder's name")
        return Coding(self._store, " ".join(coder.split()), self._gate)

    # --- reading --------------------------------------------------------------------------------------------------

    def codings(
        self, document_id: int | None = None, *, coder: str | None = None, code_ids: Sequence[str] | None = None
    ) -> list[CodingRecord]:
        """Return the live codings, in text order, optionally of one document, one coder or some codes."""
        where: list[str] = ["removed_at IS NULL"]
        params: list[object] = []
        if document_id is not None:
            where.append("document_id = ?")
            params.append(document_id)
        if coder is not None:
            where.append("coder = ?")
            params.append(coder)
        if code_ids is not None:
            where.append(f"code_id IN ({', '.join('?' for _ in code_ids)})")
            params += list(code_ids)
        rows = self._store.query(
            f'SELECT * FROM codings WHERE {" AND ".join(where)} ORDER BY document_id, start, "end", id', params
        )
        return [_coding(row) for row in rows]

    def coding(self, coding_id: int) -> CodingRecord:
        rows = self._store.query("SELECT * FROM codings WHERE id = ? AND removed_at IS NULL", [coding_id])
        if not rows:
            raise CodingError(f"there is no coding {coding_id}")
        return _coding(rows[0])

    def coders(self) -> list[str]:
        """Everyone who has coded in this project, in the order they started."""
        # Kept while the database stays as it is: every page's coder box asks.
        return cached(self._store, ("coders",), lambda: coders_in_order(self._store, live_released=False))

    def memo_counts(self, document_id: int) -> Counter[str]:
        """How many memos each coding of a document has, by coding id (as a string, the memos' target id)."""
        rows = self._store.db.execute(
            "SELECT target_id, COUNT(*) FROM memos WHERE target = 'coding' AND removed_at IS NULL AND target_id IN "
            "(SELECT CAST(id AS TEXT) FROM codings WHERE document_id = ?) GROUP BY target_id",
            [document_id],
        )
        return Counter({str(target): int(count) for target, count in rows})

    def memos(
        self, target: str | None = None, target_id: str | int | None = None, *, kind: str | None = None
    ) -> list[MemoRecord]:
        """Return the memos, oldest first, optionally on one target and of one kind."""
        where, params = ["removed_at IS NULL"], []
        for column, value in (("target", target), ("target_id", target_id), ("kind", kind)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(str(value))

        def read() -> list[MemoRecord]:
            rows = self._store.query(f"SELECT * FROM memos WHERE {' AND '.join(where)} ORDER BY id", params)
            return [_memo(row) for row in rows]

        return cached(self._store, ("memos", *where, *params), read, weight=len)

    # --- coding ---------------------------------------------------------------------------------------------------

    def apply(self, span: Span, code_id: str, *, key_quote: bool = False) -> CodingRecord:
        """Apply a code to a segment or span; the same code on the same span by the same coder is refused."""
        ids = self.apply_many([(span, code_id)], origin="manual", action="code", key_quotes=[key_quote])
        return self.coding(ids[0])

    def apply_many(
        self,
        items: Sequence[tuple[Span, str]],
        *,
        origin: str,
        action: str,
        key_quotes: Sequence[bool] | None = None,
        payload: dict[str, Any] | None = None,
        skip_existing: bool = False,
    ) -> list[int]:
        """Apply many codes in one transaction (one undoable action); returns the new codings' ids."""
        resolved = [(*self._resolve(span), code_id) for span, code_id in items]
        self._gate(sorted({document_id for document_id, *_ in resolved}), "coded")
        self._require_codes({code_id for *_, code_id in resolved})
        flags = list(key_quotes) if key_quotes is not None else [False] * len(resolved)
        if skip_existing:
            # What the coder already has is left out, so that an action never records an empty step.
            kept = [i for i, (d, _, s, e, c) in enumerate(resolved) if not self._live_duplicate(d, c, s, e)]
            resolved, flags = [resolved[i] for i in kept], [flags[i] for i in kept]
            if not resolved:
                return []
        ids: list[int] = []
        with self._store.transaction(self.coder, action, {**(payload or {})}) as record:
            for (document_id, segment_id, start, end, code_id), key in zip(resolved, flags, strict=True):
                coding_id = self.insert(document_id, segment_id, start, end, code_id, origin=origin, key_quote=key)
                if coding_id is None and not skip_existing:
                    raise CodingError(
                        f"{self.coder} has already coded document {document_id} [{start}, {end}) with {code_id}"
                    )
                if coding_id is not None:
                    ids.append(coding_id)
            self.record(action, {"codings": ids, **(payload or {})})
            record["codings"] = ids
        return ids

    def insert(
        self,
        document_id: int,
        segment_id: str | None,
        start: int,
        end: int,
        code_id: str,
        *,
        origin: str,
        key_quote: bool = False,
    ) -> int | None:
        """Write one coding inside the caller's transaction; None when this coder already has it."""
        if self._live_duplicate(document_id, code_id, start, end):
            return None
        cursor = self._store.db.execute(
            'INSERT INTO codings (document_id, segment_id, code_id, start, "end", coder, origin, key_quote, '
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [document_id, segment_id, code_id, start, end, self.coder, origin, int(key_quote), utc_now()],
        )
        return int(cursor.lastrowid or 0)

    def remove(self, coding_id: int) -> None:
        """Remove one of this coder's codings (another coder's codings are theirs to remove)."""
        coding = self.coding(coding_id)
        if coding.coder != self.coder:
            raise CodingError(f"coding {coding_id} is {coding.coder}'s; only {coding.coder} can remove it")
        with self._store.transaction(self.coder, "uncode", {"coding": coding_id}):
            self._set_removed([coding_id], True)
            self.record("uncode", {"codings": [coding_id]})

    def set_key_quote(self, coding_id: int, key: bool) -> None:
        """Mark a coding's text as a key quote for the reports, or unmark it."""
        coding = self.coding(coding_id)
        with self._store.transaction(self.coder, "key quote", {"coding": coding_id, "key": key}):
            self._write_key_quote(coding_id, key)
            self.record("key quote", {"coding": coding_id, "before": coding.key_quote, "after": key})

    # --- memos ----------------------------------------------------------------------------------------------------

    def add_memo(self, target: str, target_id: str | int, text: str, *, kind: str = "memo") -> MemoRecord:
        """Write a memo on a coding, a code or a document."""
        kind, text = _check_memo(kind, text)
        if target not in MEMO_TARGETS:
            raise CodingError(f"a memo is written on a {', a '.join(MEMO_TARGETS)}, not on a {target!r}")
        self._require_target(target, str(target_id))
        now = utc_now()
        with self._store.transaction(self.coder, "memo", {"target": target, "id": str(target_id), "kind": kind}):
            cursor = self._store.db.execute(
                "INSERT INTO memos (target, target_id, kind, text, author, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [target, str(target_id), kind, text, self.coder, now, now],
            )
            memo_id = int(cursor.lastrowid or 0)
            self.record("memo", {"memo": memo_id})
        return self.memo(memo_id)

    def memo(self, memo_id: int) -> MemoRecord:
        rows = self._store.query("SELECT * FROM memos WHERE id = ? AND removed_at IS NULL", [memo_id])
        if not rows:
            raise CodingError(f"there is no memo {memo_id}")
        return _memo(rows[0])

    def edit_memo(self, memo_id: int, text: str, *, kind: str | None = None) -> MemoRecord:
        before = self.memo(memo_id)
        kind, text = _check_memo(kind or before.kind, text)
        with self._store.transaction(self.coder, "edit memo", {"memo": memo_id, "kind": kind}):
            self._write_memo(memo_id, text, kind)
            self.record(
                "edit memo",
                {"memo": memo_id, "before": [before.text, before.kind], "after": [text, kind]},
            )
        return self.memo(memo_id)

    def remove_memo(self, memo_id: int) -> None:
        self.memo(memo_id)
        with self._store.transaction(self.coder, "remove memo", {"memo": memo_id}):
            self._set_memo_removed(memo_id, True)
            self.record("remove memo", {"memo": memo_id})

    # --- undo and redo --------------------------------------------------------------------------------------------

    def undo(self) -> str:
        """Undo this coder's latest action; returns what was undone, in words."""
        row = self._last_action("done")
        if row is None:
            raise CodingError(f"{self.coder} has nothing to undo")
        with self._store.transaction(self.coder, "undo", {"action": row["action"], "step": row["id"]}):
            _STEPS[row["action"]][0](self, json.loads(row["payload"]))
            self._store.db.execute("UPDATE coding_actions SET state = 'undone' WHERE id = ?", [row["id"]])
        return _describe(row)

    def redo(self) -> str:
        """Redo this coder's most recently undone action; returns what was redone, in words."""
        row = self._last_action("undone")
        if row is None:
            raise CodingError(f"{self.coder} has nothing to redo")
        with self._store.transaction(self.coder, "redo", {"action": row["action"], "step": row["id"]}):
            _STEPS[row["action"]][1](self, json.loads(row["payload"]))
            self._store.db.execute("UPDATE coding_actions SET state = 'done' WHERE id = ?", [row["id"]])
        return _describe(row)

    def history(self, limit: int = 20) -> list[tuple[str, str, str]]:
        """This coder's recent actions, newest first: (when, what, 'done' or 'undone')."""
        rows = self._store.query(
            "SELECT * FROM coding_actions WHERE coder = ? AND state != 'dropped' ORDER BY id DESC LIMIT ?",
            [self.coder, limit],
        )
        return [(row["at"], _describe(row), row["state"]) for row in rows]

    def _last_action(self, state: str) -> dict[str, Any] | None:
        """The newest done step (to undo), or the oldest undone one (to redo): undone steps are always the newest
        ones, since a new step drops them, so the oldest of them is the one undone last."""
        order = "DESC" if state == "done" else "ASC"
        rows = self._store.query(
            f"SELECT * FROM coding_actions WHERE coder = ? AND state = ? ORDER BY id {order} LIMIT 1",
            [self.coder, state],
        )
        return rows[0] if rows else None

    def record(self, action: str, payload: dict[str, Any]) -> None:
        """Add an undoable step (inside the caller's transaction); a new step ends what could be redone."""
        self._store.db.execute(
            "UPDATE coding_actions SET state = 'dropped' WHERE coder = ? AND state = 'undone'", [self.coder]
        )
        self._store.db.execute(
            "INSERT INTO coding_actions (coder, at, action, payload) VALUES (?, ?, ?, ?)",
            [self.coder, utc_now(), action, json.dumps(payload)],
        )

    # --- the rows undo and redo change ----------------------------------------------------------------------------

    def _set_removed(self, coding_ids: Sequence[int], removed: bool) -> None:
        for coding_id in coding_ids:
            if removed:
                self._store.db.execute(
                    "UPDATE codings SET removed_at = ?, removed_by = ? WHERE id = ? AND removed_at IS NULL",
                    [utc_now(), self.coder, coding_id],
                )
                continue
            rows = self._store.query('SELECT document_id, code_id, start, "end" FROM codings WHERE id = ?', [coding_id])
            # A coding comes back unless the same code was applied again to the same span meanwhile.
            if rows and not self._live_duplicate(*(rows[0][key] for key in ("document_id", "code_id", "start", "end"))):
                self._store.db.execute(
                    "UPDATE codings SET removed_at = NULL, removed_by = NULL WHERE id = ?", [coding_id]
                )

    def _write_key_quote(self, coding_id: int, key: bool) -> None:
        self._store.db.execute("UPDATE codings SET key_quote = ? WHERE id = ?", [int(key), coding_id])

    def _set_memo_removed(self, memo_id: int, removed: bool) -> None:
        self._store.db.execute(
            "UPDATE memos SET removed_at = ?, removed_by = ? WHERE id = ?",
            [utc_now() if removed else None, self.coder if removed else None, memo_id],
        )

    def _write_memo(self, memo_id: int, text: str, kind: str) -> None:
        self._store.db.execute(
            "UPDATE memos SET text = ?, kind = ?, updated_at = ? WHERE id = ?", [text, kind, utc_now(), memo_id]
        )

    def set_suggestions(
        self, suggestion_ids: Sequence[int], status: str, coding_ids: Sequence[int | None] | None = None
    ) -> None:
        """Set suggestions' status (inside the caller's transaction), linking accepted ones to their codings."""
        links = list(coding_ids) if coding_ids is not None else [None] * len(suggestion_ids)
        decided = (None, None) if status == "pending" else (self.coder, utc_now())
        for suggestion_id, coding_id in zip(suggestion_ids, links, strict=True):
            self._store.db.execute(
                "UPDATE suggestions SET status = ?, decided_by = ?, decided_at = ?, coding_id = ? WHERE id = ?",
                [status, *decided, coding_id if status == "accepted" else None, suggestion_id],
            )

    # --- checks ---------------------------------------------------------------------------------------------------

    def _resolve(self, span: Span) -> tuple[int, str | None, int, int]:
        """Return (document, segment, start, end) for a span, checked against the document's segments."""
        if span.segment_id is not None:
            rows = self._store.query(
                'SELECT document_id, kind, start, "end" FROM segments WHERE id = ?', [span.segment_id]
            )
            if not rows or rows[0]["document_id"] != span.document_id:
                self._gate([span.document_id], "coded")
                raise CodingError(f"document {span.document_id} has no segment {span.segment_id!r}")
            segment = rows[0]
            start = segment["start"] if span.start is None else span.start
            end = segment["end"] if span.end is None else span.end
            if not segment["start"] <= start < end <= segment["end"]:
                raise CodingError(
                    f"[{start}, {end}) is not inside segment {span.segment_id} [{segment['start']}, {segment['end']})"
                )
            return span.document_id, span.segment_id, start, end
        if span.start is None or span.end is None:
            raise CodingError("say what to code: a segment id, or a start and an end")
        self._gate([span.document_id], "coded")
        turns = self._store.query(
            "SELECT id FROM segments WHERE document_id = ? AND kind = 'turn' AND start <= ? AND ? <= \"end\"",
            [span.document_id, span.start, span.end],
        )
        if span.start >= span.end or not turns:
            raise CodingError(
                f"[{span.start}, {span.end}) in document {span.document_id} is not a span within one turn"
            )
        return span.document_id, turns[0]["id"], span.start, span.end

    def _require_codes(self, code_ids: set[str]) -> None:
        known = {row["id"] for row in self._store.query("SELECT id FROM codes")}
        unknown = sorted(code_ids - known)
        if unknown:
            raise CodingError(
                f"there is no code {unknown[0]!r} in this project's codebooks (see `workbench codebook show`)"
            )

    def _require_target(self, target: str, target_id: str) -> None:
        table = {"coding": "codings", "code": "codes", "document": "documents"}[target]
        extra = " AND removed_at IS NULL" if target == "coding" else ""
        if not self._store.scalar(f"SELECT COUNT(*) FROM {table} WHERE id = ?{extra}", [target_id]):
            raise CodingError(f"there is no {target} {target_id}")
        if target == "document":
            self._gate([int(target_id)], "coded")

    def _live_duplicate(self, document_id: int, code_id: str, start: int, end: int) -> bool:
        return bool(
            self._store.scalar(
                "SELECT COUNT(*) FROM codings WHERE document_id = ? AND code_id = ? AND coder = ? AND start = ? "
                'AND "end" = ? AND removed_at IS NULL',
                [document_id, code_id, self.coder, start, end],
            )
        )


def _coding(row: dict[str, Any]) -> CodingRecord:
    return CodingRecord(
        id=row["id"],
        document_id=row["document_id"],
        segment_id=row["segment_id"],
        code_id=row["code_id"],
        start=row["start"],
        end=row["end"],
        coder=row["coder"],
        origin=row["origin"],
        key_quote=bool(row["key_quote"]),
        created_at=row["created_at"],
    )


def coders_in_order(store: Store, *, live_released: bool) -> list[str]:
    """The coders in the order of their first coding (with ``live_released``, their first live coding on a signed-off
    transcript, leaving out those without one). Hops from one coder to the next in the codings_coder index and takes
    each one's first coding from it, rather than reading every coding."""
    live = "AND c.removed_at IS NULL AND c.document_id IN released" if live_released else ""
    rows = store.db.execute(
        f"""
        WITH RECURSIVE released AS MATERIALIZED (SELECT id FROM documents WHERE status = 'signed off'),
        names(coder) AS (
            SELECT MIN(coder) FROM codings
            UNION ALL SELECT (SELECT MIN(coder) FROM codings WHERE coder > names.coder) FROM names
            WHERE names.coder IS NOT NULL
        ), firsts AS (
            SELECT coder, (SELECT MIN(c.id) FROM codings c WHERE c.coder = names.coder {live}) AS first
            FROM names WHERE coder IS NOT NULL
        )
        SELECT coder FROM firsts WHERE first IS NOT NULL ORDER BY first
        """
    )
    return [coder for (coder,) in rows]


def _memo(row: dict[str, Any]) -> MemoRecord:
    return MemoRecord(
        row["id"],
        row["target"],
        row["target_id"],
        row["kind"],
        row["text"],
        row["author"],
        row["created_at"],
        row["updated_at"],
    )


def _check_memo(kind: str, text: str) -> tuple[str, str]:
    kind = " ".join(kind.casefold().replace("-", " ").replace("_", " ").split())
    if kind not in MEMO_KINDS:
        raise CodingError(f"a memo's kind is one of {', '.join(MEMO_KINDS)}, not {kind!r}")
    if not text.strip():
        raise CodingError("a memo needs some text")
    return kind, text.strip()


def _describe(row: dict[str, Any]) -> str:
    payload = json.loads(row["payload"])
    count = len(payload.get("codings", payload.get("suggestions", [])))
    plural = "s" if count != 1 else ""
    return {
        "code": f"code {count} segment{plural}",
        "import codings": f"import {count} coding{plural}",
        "uncode": "remove a coding",
        "key quote": "mark a key quote" if payload.get("after") else "unmark a key quote",
        "memo": "write a memo",
        "edit memo": "edit a memo",
        "remove memo": "remove a memo",
        "accept suggestions": f"accept {count} suggestion{plural}",
        "reject suggestions": f"reject {count} suggestion{plural}",
    }.get(row["action"], row["action"])


Step = Callable[[Coding, dict[str, Any]], None]


def _unaccept(coding: Coding, payload: dict[str, Any]) -> None:
    coding._set_removed([i for i in payload["codings"] if i is not None], True)
    coding.set_suggestions(payload["suggestions"], "pending")


def _reaccept(coding: Coding, payload: dict[str, Any]) -> None:
    coding._set_removed([i for i in payload["codings"] if i is not None], False)
    coding.set_suggestions(payload["suggestions"], "accepted", payload["codings"])


# For each undoable action: how to undo it, and how to redo it.
_STEPS: dict[str, tuple[Step, Step]] = {
    "code": (lambda c, p: c._set_removed(p["codings"], True), lambda c, p: c._set_removed(p["codings"], False)),
    "import codings": (
        lambda c, p: c._set_removed(p["codings"], True),
        lambda c, p: c._set_removed(p["codings"], False),
    ),
    "uncode": (lambda c, p: c._set_removed(p["codings"], False), lambda c, p: c._set_removed(p["codings"], True)),
    "key quote": (
        lambda c, p: c._write_key_quote(p["coding"], p["before"]),
        lambda c, p: c._write_key_quote(p["coding"], p["after"]),
    ),
    "memo": (lambda c, p: c._set_memo_removed(p["memo"], True), lambda c, p: c._set_memo_removed(p["memo"], False)),
    "edit memo": (
        lambda c, p: c._write_memo(p["memo"], *p["before"]),
        lambda c, p: c._write_memo(p["memo"], *p["after"]),
    ),
    "remove memo": (
        lambda c, p: c._set_memo_removed(p["memo"], False),
        lambda c, p: c._set_memo_removed(p["memo"], True),
    ),
    "accept suggestions": (_unaccept, _reaccept),
    "reject suggestions": (
        lambda c, p: c.set_suggestions(p["suggestions"], "pending"),
        lambda c, p: c.set_suggestions(p["suggestions"], "rejected"),
    ),
}
