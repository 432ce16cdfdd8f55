"""The key store: the project's restricted second database for identifiable material.

It holds each transcript file exactly as it arrived (the identifiable original) and, once anonymisation exists, the
original -> placeholder map. It lives in its own folder beside project.db so that it can be kept under tighter access
and left out of anything shared: nothing in it is ever exported, reported or shown to coders.
"""

from __future__ import annotations

import os
from pathlib import Path

from workbench.errors import ProjectError
from workbench.store import connect, utc_now

KEYSTORE_FOLDER = "keystore"
KEYSTORE_FILE = "keys.db"
_SCHEMA_VERSION = 1


class KeyStore:
    """Identifiable originals, content-addressed by the SHA-256 of the file's bytes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        path = folder / KEYSTORE_FILE
        if not path.exists():
            raise ProjectError(f"the key store is missing ({path}); restore it from a backup of the project folder")
        self.db = connect(path)
        self._migrate()

    @classmethod
    def create(cls, project_folder: Path) -> KeyStore:
        folder = project_folder / KEYSTORE_FOLDER
        folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)  # mkdir's mode is reduced by the umask; the key store is for its owner only
        (folder / KEYSTORE_FILE).touch(mode=0o600)
        return cls(folder)

    def close(self) -> None:
        self.db.close()

    def _migrate(self) -> None:
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        if version > _SCHEMA_VERSION:
            raise ProjectError("the key store was saved by a newer version of the workbench; upgrade to open it")
        if version < 1:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executescript(
                """
                CREATE TABLE originals (
                    sha256 TEXT PRIMARY KEY,
                    source_name TEXT NOT NULL,
                    content BLOB NOT NULL,
                    stored_at TEXT NOT NULL,
                    stored_by TEXT NOT NULL
                );
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY,
                    at TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subject TEXT NOT NULL
                );
                PRAGMA user_version = 1;
                """
            )
            self.db.execute("COMMIT")

    def keep_original(self, sha256: str, source_name: str, content: bytes, actor: str) -> None:
        """Store a file's original bytes (once per content), with its audit row, in one transaction."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            inserted = self.db.execute(
                "INSERT OR IGNORE INTO originals (sha256, source_name, content, stored_at, stored_by) "
                "VALUES (?, ?, ?, ?, ?)",
                [sha256, source_name, content, utc_now(), actor],
            ).rowcount
            if inserted:
                self.db.execute(
                    "INSERT INTO audit (at, actor, action, subject) VALUES (?, ?, 'keep original', ?)",
                    [utc_now(), actor, sha256],
                )
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.conn.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    def original(self, sha256: str) -> bytes | None:
        row = self.db.execute("SELECT content FROM originals WHERE sha256 = ?", [sha256]).fetchone()
        return None if row is None else bytes(row[0])

    def original_hashes(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT sha256 FROM originals")}
