"""The key store: the project's restricted second database for identifiable material.

It holds each transcript file exactly as it arrived (the identifiable original) and, once anonymisation exists, the
original -> placeholder map. It lives in its own folder beside project.db so that it can be kept under tighter access
and left out of anything shared: nothing in it is ever exported, reported or shown to coders.
"""

from __future__ import annotations

import os
from pathlib import Path

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


MIGRATIONS: tuple[Migration, ...] = (_v1_originals,)


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

    def keep_original(self, sha256: str, source_name: str, content: bytes, actor: str) -> None:
        """Store a file's original bytes (once per content), with its audit row, in one transaction."""
        with self._store.transaction(actor, "keep original", {"sha256": sha256, "source": source_name}):
            self._store.db.execute(
                "INSERT OR IGNORE INTO originals (sha256, source_name, content, stored_at, stored_by) "
                "VALUES (?, ?, ?, ?, ?)",
                [sha256, source_name, content, utc_now(), actor],
            )
