"""The key store: the project's restricted second database for identifiable material.

It holds each transcript file exactly as it arrived (the identifiable original) and, once anonymisation exists, the
original -> placeholder map. It lives in its own folder beside project.db so that it can be kept under tighter access
and left out of anything shared: nothing in it is ever exported, reported or shown to coders.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from workbench.errors import ProjectError
from workbench.store import AUDIT_TABLE, Migration, Store, utc_now

KEYSTORE_FOLDER = "keystore"
KEYSTORE_FILE = "keys.db"


def _v1_originals(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE originals (
            sha256 TEXT PRIMARY KEY,
            source_name TEXT NOT NULL,
            content BLOB NOT NULL,
            stored_at TEXT NOT NULL,
            stored_by TEXT NOT NULL
        );
        """
        + AUDIT_TABLE
    )


def _v2_review(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE working_copies (
            sha256 TEXT PRIMARY KEY,
            text TEXT NOT NULL,
            metadata TEXT NOT NULL DEFAULT '{}',
            turns TEXT NOT NULL
        );
        CREATE TABLE candidates (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            category TEXT NOT NULL,
            detector TEXT NOT NULL,
            confidence REAL NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
            placeholder TEXT,
            found_at TEXT NOT NULL,
            decided_by TEXT,
            decided_at TEXT,
            CHECK (0 <= start AND start < "end")
        );
        CREATE INDEX candidates_document ON candidates(document_id, start);
        CREATE TABLE placeholders (
            key TEXT PRIMARY KEY,
            original TEXT NOT NULL,
            category TEXT NOT NULL,
            number INTEGER,
            custom TEXT
        );
        """
    )


MIGRATIONS: tuple[Migration, ...] = (_v1_originals, _v2_review)


class KeyStore:
    """Identifiable originals, content-addressed by the SHA-256 of the file's bytes."""

    def __init__(self, folder: Path, *, actor: str) -> None:
        path = folder / KEYSTORE_FILE
        if not path.exists():
            raise ProjectError(f"the key store is missing ({path}); restore it from a backup of the project folder")
        self._store = Store(path, MIGRATIONS)
        self._store.migrate(actor)

    @classmethod
    def create(cls, project_folder: Path, *, actor: str) -> KeyStore:
        folder = project_folder / KEYSTORE_FOLDER
        folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)  # mkdir's mode is reduced by the umask; the key store is for its owner only
        (folder / KEYSTORE_FILE).touch(mode=0o600)
        return cls(folder, actor=actor)

    def close(self) -> None:
        self._store.close()

    @contextmanager
    def transaction(self, actor: str, action: str, payload: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        with self._store.transaction(actor, action, payload) as record:
            yield record

    def query(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        return self._store.query(sql, params)

    def keep_original(
        self, sha256: str, source_name: str, content: bytes, working_copy: tuple[str, str, str], actor: str
    ) -> None:
        """Store a file's original bytes and its parsed text (text, metadata JSON, turns JSON) in one transaction."""
        with self._store.transaction(actor, "keep original", {"sha256": sha256, "source": source_name}):
            self._store.db.execute(
                "INSERT OR IGNORE INTO originals (sha256, source_name, content, stored_at, stored_by) "
                "VALUES (?, ?, ?, ?, ?)",
                [sha256, source_name, content, utc_now(), actor],
            )
            self.put_working_copy(sha256, *working_copy)

    def put_working_copy(self, sha256: str, text: str, metadata: str, turns: str) -> None:
        self._store.db.execute(
            "INSERT OR REPLACE INTO working_copies (sha256, text, metadata, turns) VALUES (?, ?, ?, ?)",
            [sha256, text, metadata, turns],
        )

    def working_copy(self, sha256: str) -> dict[str, Any] | None:
        rows = self._store.query("SELECT text, metadata, turns FROM working_copies WHERE sha256 = ?", [sha256])
        return rows[0] if rows else None

    # --- candidates and the placeholder map -----------------------------------------------------------------------

    def candidates(self, document_id: int | None = None) -> list[dict[str, Any]]:
        where, params = ("WHERE document_id = ?", [document_id]) if document_id is not None else ("", [])
        return self._store.query(f"SELECT * FROM candidates {where} ORDER BY document_id, start", params)

    def insert_candidate(self, document_id: int, row: dict[str, Any]) -> int:
        cursor = self._store.db.execute(
            'INSERT INTO candidates (document_id, start, "end", text, category, detector, confidence, status, '
            "placeholder, found_at, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                document_id,
                row["start"],
                row["end"],
                row["text"],
                row["category"],
                row["detector"],
                row["confidence"],
                row.get("status", "pending"),
                row.get("placeholder"),
                utc_now(),
                row.get("decided_by"),
                row.get("decided_at"),
            ],
        )
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def delete_candidates(self, ids: Sequence[int]) -> None:
        self._store.db.conn.executemany("DELETE FROM candidates WHERE id = ?", [(i,) for i in ids])

    def decide(self, ids: Sequence[int], status: str, placeholder: str | None, actor: str) -> None:
        at = utc_now()
        self._store.db.conn.executemany(
            "UPDATE candidates SET status = ?, placeholder = ?, decided_by = ?, decided_at = ? WHERE id = ?",
            [(status, placeholder, actor, at, i) for i in ids],
        )

    def reopen_candidates(self, ids: Sequence[int]) -> None:
        self._store.db.conn.executemany(
            "UPDATE candidates SET status = 'pending', placeholder = NULL, decided_by = NULL, decided_at = NULL "
            "WHERE id = ?",
            [(i,) for i in ids],
        )

    def recategorise(self, ids: Sequence[int], category: str) -> None:
        self._store.db.conn.executemany("UPDATE candidates SET category = ? WHERE id = ?", [(category, i) for i in ids])

    def placeholders(self) -> list[dict[str, Any]]:
        return self._store.query("SELECT * FROM placeholders ORDER BY category, number, key")

    def put_placeholder(self, key: str, original: str, category: str, number: int | None, custom: str | None) -> None:
        self._store.db.execute(
            "INSERT INTO placeholders (key, original, category, number, custom) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET category = excluded.category, number = excluded.number, "
            "custom = excluded.custom",
            [key, original, category, number, custom],
        )
