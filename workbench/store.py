"""The SQLite layer: connections, numbered migrations, and transactions that always carry their audit row.

All SQL lives here and in keystore.py. Every write happens inside ``Store.transaction``, which opens one
``BEGIN IMMEDIATE`` transaction, lets the caller write, adds the audit row and commits; on any exception nothing of it
reaches the database file.
"""

from __future__ import annotations

import json
import logging
import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from workbench.errors import ProjectError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
# How many times a write transaction tries to start, each attempt waiting up to BUSY_TIMEOUT_MS for the write lock.
BEGIN_ATTEMPTS = 3


def utc_now() -> str:
    """Return the current time as an ISO 8601 UTC timestamp with seconds."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def connect(path: Path) -> sqlite_utils.Database:
    """Return a database in WAL mode with foreign keys enforced and a busy timeout for concurrent writers."""
    connection = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    connection.isolation_level = None  # transactions are opened explicitly, never implicitly by the driver
    db = sqlite_utils.Database(connection, execute_plugins=False)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    db.enable_wal()
    # NORMAL is crash-safe in WAL mode: a killed process never leaves a half-written transaction behind.
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def copy_database(source: Path, target: Path) -> int:
    """Copy a database that others may be writing to into the new file ``target``; return its schema version.

    SQLite's online backup API copies every page in one step, under one read transaction: the copy is a single
    consistent snapshot, and in WAL mode the writers carry on meanwhile. The copy is left in rollback-journal mode, so
    that it is one self-contained file (opening it with ``connect`` turns WAL back on).
    """
    reading = sqlite3.connect(str(source), timeout=BUSY_TIMEOUT_MS / 1000)
    writing = sqlite3.connect(str(target))
    try:
        reading.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        reading.backup(writing)
        writing.execute("PRAGMA journal_mode = DELETE")
        return int(writing.execute("PRAGMA user_version").fetchone()[0])
    finally:
        writing.close()
        reading.close()


def check_database(path: Path) -> tuple[int, list[str]]:
    """Return a database file's schema version and SQLite's integrity findings (none when it is sound)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        findings = [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
        return int(connection.execute("PRAGMA user_version").fetchone()[0]), [f for f in findings if f != "ok"]
    except sqlite3.DatabaseError as error:
        return 0, [str(error)]
    finally:
        connection.close()


Migration = Callable[[sqlite_utils.Database], None]

# Every database of a project has the same audit table, written by Store.transaction.
AUDIT_TABLE = """
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        payload TEXT NOT NULL DEFAULT '{}'
    );
"""


def _v1_initial(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE participants (
            id TEXT PRIMARY KEY,
            label TEXT,
            role TEXT,
            attributes TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            participant_id TEXT NOT NULL REFERENCES participants(id),
            version INTEGER NOT NULL DEFAULT 1,
            source_name TEXT NOT NULL,
            source_format TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            text TEXT NOT NULL,
            words INTEGER NOT NULL,
            metadata TEXT NOT NULL DEFAULT '{}',
            status TEXT NOT NULL DEFAULT 'imported',
            imported_at TEXT NOT NULL,
            imported_by TEXT NOT NULL
        );
        CREATE INDEX documents_participant ON documents(participant_id);
        CREATE UNIQUE INDEX documents_source ON documents(sha256, version);
        CREATE TABLE segments (
            id TEXT PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('turn', 'sentence')),
            parent_id TEXT REFERENCES segments(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            speaker TEXT,
            role TEXT,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            metadata TEXT NOT NULL DEFAULT '{}',
            CHECK (0 <= start AND start <= "end")
        );
        CREATE INDEX segments_document ON segments(document_id, kind, position);
        CREATE INDEX segments_parent ON segments(parent_id);
        """
        + AUDIT_TABLE
    )


def _v2_signoff(db: sqlite_utils.Database) -> None:
    # Until a reviewer signs a transcript off, project.db keeps only its outline (text '', no segments): the text and
    # speaker names are in the key store. Projects made before this migration are moved over by Project.open.
    db.executescript(
        """
        ALTER TABLE documents ADD COLUMN turns INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE signoffs (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            reviewer TEXT NOT NULL,
            at TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT '{}',
            withdrawn_at TEXT,
            withdrawn_by TEXT
        );
        CREATE INDEX signoffs_document ON signoffs(document_id);
        """
    )


def _v3_coding(db: sqlite_utils.Database) -> None:
    # codes mirrors the project's codebook files (rewritten on every edit, hence the deferred foreign keys: a coding
    # may never point at a missing code, but the check waits for the end of the edit's transaction). A removed coding
    # keeps its row (removed_at) so that undo can bring it back. segments.lemmas is the lemma index of a released
    # sentence, made once at sign-off: [[start, end, lemma], ...] in document offsets.
    db.executescript(
        """
        ALTER TABLE segments ADD COLUMN lemmas TEXT;
        CREATE TABLE codebooks (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            file TEXT NOT NULL,
            source TEXT NOT NULL,
            position INTEGER NOT NULL,
            loaded_at TEXT NOT NULL,
            loaded_by TEXT NOT NULL
        );
        CREATE TABLE codes (
            id TEXT PRIMARY KEY,
            codebook_id TEXT NOT NULL REFERENCES codebooks(id) ON DELETE CASCADE,
            parent_id TEXT,
            theme_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            depth INTEGER NOT NULL,
            name TEXT NOT NULL,
            colour TEXT NOT NULL,
            keywords TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX codes_parent ON codes(parent_id);
        CREATE TABLE codings (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            segment_id TEXT REFERENCES segments(id),
            code_id TEXT NOT NULL REFERENCES codes(id) DEFERRABLE INITIALLY DEFERRED,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            coder TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT 'manual' CHECK (origin IN ('manual', 'suggestion', 'import')),
            key_quote INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            removed_at TEXT,
            removed_by TEXT,
            CHECK (0 <= start AND start < "end")
        );
        CREATE INDEX codings_document ON codings(document_id, start);
        CREATE INDEX codings_code ON codings(code_id);
        CREATE INDEX codings_segment ON codings(segment_id);
        CREATE UNIQUE INDEX codings_live ON codings(document_id, code_id, coder, start, "end") WHERE removed_at IS NULL;
        CREATE TABLE memos (
            id INTEGER PRIMARY KEY,
            target TEXT NOT NULL CHECK (target IN ('coding', 'code', 'document')),
            target_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('memo', 'future consideration', 'recommendation')),
            text TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            removed_at TEXT,
            removed_by TEXT
        );
        CREATE INDEX memos_target ON memos(target, target_id);
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            segment_id TEXT NOT NULL REFERENCES segments(id),
            code_id TEXT NOT NULL REFERENCES codes(id) DEFERRABLE INITIALLY DEFERRED,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            matched TEXT NOT NULL,
            score REAL NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
            decided_by TEXT,
            decided_at TEXT,
            coding_id INTEGER REFERENCES codings(id),
            UNIQUE (segment_id, code_id)
        );
        CREATE INDEX suggestions_document ON suggestions(document_id, status);
        CREATE TABLE coding_actions (
            id INTEGER PRIMARY KEY,
            coder TEXT NOT NULL,
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            payload TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('done', 'undone', 'dropped'))
        );
        CREATE INDEX coding_actions_coder ON coding_actions(coder, state);
        """
    )


def _v4_search(db: sqlite_utils.Database) -> None:
    # sentence_fts indexes each released sentence's text under its segment's rowid (written at sign-off, removed at
    # reopen). reconciliations records a lead coder's decision on a disagreement between coders.
    db.executescript(
        """
        CREATE VIRTUAL TABLE sentence_fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
        INSERT INTO sentence_fts (rowid, text)
            SELECT s.rowid, substr(d.text, s.start + 1, s."end" - s.start)
            FROM segments s JOIN documents d ON d.id = s.document_id
            WHERE s.kind = 'sentence' AND d.status = 'signed off';
        CREATE TABLE reconciliations (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            segment_id TEXT NOT NULL REFERENCES segments(id),
            code_id TEXT NOT NULL REFERENCES codes(id) DEFERRABLE INITIALLY DEFERRED,
            decision TEXT NOT NULL CHECK (decision IN ('apply', 'reject')),
            lead TEXT NOT NULL,
            at TEXT NOT NULL,
            coding_id INTEGER REFERENCES codings(id),
            UNIQUE (segment_id, code_id)
        );
        """
    )


def _v5_exchange(db: sqlite_utils.Database) -> None:
    # REFI-QDA exchange gives every project, document, code, coding, memo, participant and coder a GUID that must stay
    # the same from one export to the next; they are kept here, made on first export or taken from an import.
    # pending_codings holds codings imported with a transcript that is still in review: offsets into its working text
    # (numbers only, nothing identifiable), turned into codings on the released text when it is signed off.
    db.executescript(
        """
        CREATE TABLE guids (
            kind TEXT NOT NULL,
            local_id TEXT NOT NULL,
            guid TEXT NOT NULL UNIQUE,
            PRIMARY KEY (kind, local_id)
        );
        CREATE TABLE pending_codings (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            code_id TEXT NOT NULL REFERENCES codes(id) DEFERRABLE INITIALLY DEFERRED,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            coder TEXT NOT NULL,
            guid TEXT,
            CHECK (0 <= start AND start < "end")
        );
        CREATE INDEX pending_codings_document ON pending_codings(document_id);
        """
    )


def _v6_scale(db: sqlite_utils.Database) -> None:
    # Indexes for projects of a thousand transcripts. A document's row holds its whole text, and SQLite reaches every
    # column stored after it (status, words, turns...) only by reading the text's overflow pages: documents_outline
    # holds everything but the text and metadata, so that listing transcripts and checking their status (every
    # quote, search and table does) never reads a transcript. codings_tally holds every column the tables count
    # (live codings first: removed_at IS NULL), so the matrix, ranked codes and co-occurrence read only the index;
    # codings_coder finds one coder's codings, and the coders in the order they started (each coder's codings are in
    # id order in it). IF NOT EXISTS: a project taken back to an older schema by hand (as a
    # test does) keeps its indexes.
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS documents_outline ON documents(
            status, participant_id, source_name, source_format, words, turns, imported_at, imported_by, version, sha256
        );
        CREATE INDEX IF NOT EXISTS codings_tally ON codings(
            removed_at, document_id, code_id, coder, start, "end", segment_id, key_quote
        );
        CREATE INDEX IF NOT EXISTS codings_coder ON codings(coder);
        """
    )


def _v7_coding_counts(db: sqlite_utils.Database) -> None:
    # Tallies of the live codings, so that the whole-project tables are sums over a few tens of thousands of rows
    # rather than counts over a study's hundreds of thousands of codings:
    # - coding_counts: codings per document, code and coder (code usage, the matrix, ranked codes, cross-tabs, the
    #   transcripts that coders share);
    # - turn_codes: codings per turn (a coding's segment, or the turn of its sentence), code and coder;
    # - code_pairs: per coder and document, in how many turns two codes are both applied (coder '' for the codes
    #   applied by anyone), which is code co-occurrence per segment;
    # - sentence_codes: codings per sentence, code and coder, a coding counting for every sentence it overlaps (the
    #   unit of reliability: its figures and disagreements are counts of who applied a code to a sentence).
    # Triggers keep them in the transaction of every write to codings, whichever path makes it (coding, undo and
    # redo, reconciling, merging or deleting a code, sign-off of imported codings); a row whose count falls to 0
    # goes. They are built anew here from the codings, so running this again on a project taken back to an older
    # schema by hand leaves them right; for the same reason the indexes of migration 6 are made again if such a
    # project lost them.
    _v6_scale(db)
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS coding_counts (
            document_id INTEGER NOT NULL,
            code_id TEXT NOT NULL,
            coder TEXT NOT NULL,
            codings INTEGER NOT NULL CHECK (codings > 0),
            PRIMARY KEY (document_id, code_id, coder)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS turn_codes (
            turn_id TEXT NOT NULL,
            code_id TEXT NOT NULL,
            coder TEXT NOT NULL,
            codings INTEGER NOT NULL CHECK (codings > 0),
            PRIMARY KEY (turn_id, code_id, coder)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS code_pairs (
            coder TEXT NOT NULL,
            document_id INTEGER NOT NULL,
            first TEXT NOT NULL,
            second TEXT NOT NULL,
            turns INTEGER NOT NULL CHECK (turns > 0),
            PRIMARY KEY (coder, document_id, first, second),
            CHECK (first < second)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS sentence_codes (
            document_id INTEGER NOT NULL,
            sentence_id TEXT NOT NULL,
            code_id TEXT NOT NULL,
            coder TEXT NOT NULL,
            codings INTEGER NOT NULL CHECK (codings > 0),
            PRIMARY KEY (document_id, sentence_id, code_id, coder)
        ) WITHOUT ROWID;
        DELETE FROM coding_counts;
        INSERT INTO coding_counts (document_id, code_id, coder, codings)
            SELECT document_id, code_id, coder, COUNT(*) FROM codings WHERE removed_at IS NULL
            GROUP BY document_id, code_id, coder;
        DELETE FROM turn_codes;
        INSERT INTO turn_codes (turn_id, code_id, coder, codings)
            SELECT COALESCE(s.parent_id, s.id), c.code_id, c.coder, COUNT(*)
            FROM codings c JOIN segments s ON s.id = c.segment_id WHERE c.removed_at IS NULL
            GROUP BY 1, 2, 3;
        DELETE FROM code_pairs;
        INSERT INTO code_pairs (coder, document_id, first, second, turns)
            SELECT a.coder, s.document_id, a.code_id, b.code_id, COUNT(*)
            FROM turn_codes a JOIN turn_codes b ON b.turn_id = a.turn_id AND b.coder = a.coder AND a.code_id < b.code_id
            JOIN segments s ON s.id = a.turn_id
            GROUP BY 1, 2, 3, 4;
        INSERT INTO code_pairs (coder, document_id, first, second, turns)
            WITH anyone AS MATERIALIZED (SELECT DISTINCT turn_id, code_id FROM turn_codes)
            SELECT '', s.document_id, a.code_id, b.code_id, COUNT(*)
            FROM anyone a JOIN anyone b ON b.turn_id = a.turn_id AND a.code_id < b.code_id
            JOIN segments s ON s.id = a.turn_id
            GROUP BY 1, 2, 3, 4;
        DELETE FROM sentence_codes;
        INSERT INTO sentence_codes (document_id, sentence_id, code_id, coder, codings)
            SELECT document_id, sentence_id, code_id, coder, SUM(n) FROM (
                SELECT c.document_id, s.id AS sentence_id, c.code_id, c.coder, COUNT(*) AS n
                FROM codings c JOIN segments s ON s.id = c.segment_id
                WHERE c.removed_at IS NULL AND s.kind = 'sentence' AND s.start < c."end" AND c.start < s."end"
                GROUP BY 1, 2, 3, 4
                UNION ALL
                SELECT c.document_id, s.id, c.code_id, c.coder, COUNT(*)
                FROM codings c JOIN segments s ON s.parent_id = c.segment_id
                WHERE c.removed_at IS NULL AND s.kind = 'sentence' AND s.start < c."end" AND c.start < s."end"
                GROUP BY 1, 2, 3, 4
                UNION ALL
                SELECT c.document_id, s.id, c.code_id, c.coder, COUNT(*)
                FROM codings c JOIN segments s ON s.document_id = c.document_id AND s.kind = 'sentence'
                WHERE c.removed_at IS NULL AND c.segment_id IS NULL AND s.start < c."end" AND c.start < s."end"
                GROUP BY 1, 2, 3, 4
            ) GROUP BY 1, 2, 3, 4;
        """
        + f"""
        CREATE TRIGGER IF NOT EXISTS coding_counts_insert AFTER INSERT ON codings BEGIN
            {_tally("NEW", "in")}
        END;
        CREATE TRIGGER IF NOT EXISTS coding_counts_delete AFTER DELETE ON codings BEGIN
            {_tally("OLD", "out")}
        END;
        CREATE TRIGGER IF NOT EXISTS coding_counts_update
        AFTER UPDATE OF removed_at, document_id, segment_id, code_id, coder ON codings BEGIN
            {_tally("OLD", "out")}
            {_tally("NEW", "in")}
        END;
        """
    )


def _tally(row: str, way: str) -> str:
    """The trigger statements that count the coding ``row`` (NEW or OLD), if live, in or out of the tallies of
    migration 7: its document's coding_counts, its turn's turn_codes, the code_pairs it makes or unmakes there (a pair
    counts a turn once, however many codings make it), and the sentence_codes of the sentences it overlaps."""
    live = f"{row}.removed_at IS NULL"
    # A coding lies inside its segment: the sentences it overlaps are that sentence or sentences of that turn (and
    # any of the transcript's, for a coding without a segment).
    sentences = f"""
        SELECT s.id FROM segments s
        WHERE {live} AND (s.id = {row}.segment_id OR s.parent_id = {row}.segment_id) AND s.kind = 'sentence'
        AND s.start < {row}."end" AND {row}.start < s."end"
        UNION ALL
        SELECT s.id FROM segments s
        WHERE {live} AND {row}.segment_id IS NULL AND s.document_id = {row}.document_id AND s.kind = 'sentence'
        AND s.start < {row}."end" AND {row}.start < s."end"
    """
    key = f"document_id = {row}.document_id AND code_id = {row}.code_id AND coder = {row}.coder"
    turn = f"(SELECT COALESCE(parent_id, id) FROM segments WHERE id = {row}.segment_id)"
    coded = f"turn_id = {turn} AND code_id = {row}.code_id"
    # The codes the coding pairs with in its turn, for its coder and for anyone, where it is the only one of its
    # code there (for that coder / for anyone): before it is counted in, or after it is counted out.
    pairs = f"""
        SELECT {row}.coder AS coder, MIN(code_id, {row}.code_id) AS first, MAX(code_id, {row}.code_id) AS second
        FROM turn_codes
        WHERE {live} AND turn_id = {turn} AND coder = {row}.coder AND code_id <> {row}.code_id
        AND NOT EXISTS (SELECT 1 FROM turn_codes WHERE {coded} AND coder = {row}.coder)
        UNION
        SELECT '', MIN(code_id, {row}.code_id), MAX(code_id, {row}.code_id) FROM turn_codes
        WHERE {live} AND turn_id = {turn} AND code_id <> {row}.code_id
        AND NOT EXISTS (SELECT 1 FROM turn_codes WHERE {coded})
    """
    if way == "in":
        return f"""
            INSERT INTO coding_counts (document_id, code_id, coder, codings)
                SELECT {row}.document_id, {row}.code_id, {row}.coder, 1 WHERE {live}
                ON CONFLICT (document_id, code_id, coder) DO UPDATE SET codings = codings + 1;
            INSERT INTO code_pairs (coder, document_id, first, second, turns)
                SELECT pair.coder, {row}.document_id, pair.first, pair.second, 1 FROM ({pairs}) AS pair WHERE true
                ON CONFLICT (coder, document_id, first, second) DO UPDATE SET turns = turns + 1;
            INSERT INTO turn_codes (turn_id, code_id, coder, codings)
                SELECT {turn}, {row}.code_id, {row}.coder, 1 WHERE {live} AND {turn} IS NOT NULL
                ON CONFLICT (turn_id, code_id, coder) DO UPDATE SET codings = codings + 1;
            INSERT INTO sentence_codes (document_id, sentence_id, code_id, coder, codings)
                SELECT {row}.document_id, id, {row}.code_id, {row}.coder, 1 FROM ({sentences}) WHERE true
                ON CONFLICT (document_id, sentence_id, code_id, coder) DO UPDATE SET codings = codings + 1;
        """
    return f"""
        DELETE FROM coding_counts WHERE {live} AND {key} AND codings = 1;
        UPDATE coding_counts SET codings = codings - 1 WHERE {live} AND {key};
        DELETE FROM turn_codes WHERE {live} AND {coded} AND coder = {row}.coder AND codings = 1;
        UPDATE turn_codes SET codings = codings - 1 WHERE {live} AND {coded} AND coder = {row}.coder;
        DELETE FROM code_pairs
            WHERE document_id = {row}.document_id AND turns = 1 AND (coder, first, second) IN ({pairs});
        UPDATE code_pairs SET turns = turns - 1
            WHERE document_id = {row}.document_id AND (coder, first, second) IN ({pairs});
        DELETE FROM sentence_codes WHERE {key} AND codings = 1 AND sentence_id IN ({sentences});
        UPDATE sentence_codes SET codings = codings - 1 WHERE {key} AND sentence_id IN ({sentences});
    """


def _v8_pair_totals(db: sqlite_utils.Database) -> None:
    # code_pair_totals: code_pairs summed over the documents, per coder ('' for anyone), so that co-occurrence per
    # segment reads some hundreds of rows rather than sums a study's hundreds of thousands. Every live coding is on a
    # signed-off transcript (one with codings cannot return to review), so the sum over all documents is the sum over
    # the released ones. Kept by triggers on code_pairs, which migration 7's triggers on codings keep, so in the same
    # transaction as every write to codings.
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS code_pair_totals (
            coder TEXT NOT NULL,
            first TEXT NOT NULL,
            second TEXT NOT NULL,
            turns INTEGER NOT NULL CHECK (turns > 0),
            PRIMARY KEY (coder, first, second)
        ) WITHOUT ROWID;
        DELETE FROM code_pair_totals;
        INSERT INTO code_pair_totals (coder, first, second, turns)
            SELECT coder, first, second, SUM(turns) FROM code_pairs GROUP BY 1, 2, 3;
        CREATE TRIGGER IF NOT EXISTS code_pair_totals_insert AFTER INSERT ON code_pairs BEGIN
            INSERT INTO code_pair_totals (coder, first, second, turns)
                VALUES (NEW.coder, NEW.first, NEW.second, NEW.turns)
                ON CONFLICT (coder, first, second) DO UPDATE SET turns = turns + excluded.turns;
        END;
        CREATE TRIGGER IF NOT EXISTS code_pair_totals_update AFTER UPDATE OF turns ON code_pairs BEGIN
            UPDATE code_pair_totals SET turns = turns + NEW.turns - OLD.turns
                WHERE coder = NEW.coder AND first = NEW.first AND second = NEW.second;
        END;
        CREATE TRIGGER IF NOT EXISTS code_pair_totals_delete AFTER DELETE ON code_pairs BEGIN
            DELETE FROM code_pair_totals
                WHERE coder = OLD.coder AND first = OLD.first AND second = OLD.second AND turns = OLD.turns;
            UPDATE code_pair_totals SET turns = turns - OLD.turns
                WHERE coder = OLD.coder AND first = OLD.first AND second = OLD.second;
        END;
        """
    )


def _v9_document_versions(db: sqlite_utils.Database) -> None:
    # document_versions: a token per document, drawn anew in the transaction of every write to the document (import,
    # review, sign-off, reopen) or to its codings (whatever path makes it, as migration 7's tallies), so that results
    # kept per document (statecache.per_document) are read again for the documents a write touched and no other.
    # Random rather than counted, so that a project restored from a backup over the same file never shows a token it
    # showed before with other contents. The lemma index of a transcript signed off before it existed is written
    # later, on its own: that draws a new token too.
    # catalogue_version: one token, drawn anew by every write to the documents, the participants or the settings,
    # for what depends on those alone (the lists of transcripts and participants, citations, full-text search): a
    # saved coding leaves it as it was.
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS catalogue_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
        INSERT OR REPLACE INTO catalogue_version (id, version) VALUES (1, random());
        CREATE TABLE IF NOT EXISTS document_versions (document_id INTEGER PRIMARY KEY, version INTEGER NOT NULL);
        INSERT OR REPLACE INTO document_versions (document_id, version) SELECT id, random() FROM documents;
        """
    )
    # (trigger, the write it follows, the transcripts whose version it draws again)
    touched = (
        ("new", "INSERT ON documents", ["NEW.id"]),
        ("changed", "UPDATE ON documents", ["NEW.id"]),
        ("gone", "DELETE ON documents", ["OLD.id"]),
        ("coded", "INSERT ON codings", ["NEW.document_id"]),
        ("recoded", "UPDATE ON codings", ["OLD.document_id", "NEW.document_id"]),
        ("uncoded", "DELETE ON codings", ["OLD.document_id"]),
        ("lemmas", "UPDATE OF lemmas ON segments", ["NEW.document_id"]),
    )
    for name, write, documents in touched:
        body = " ".join(
            f"INSERT OR REPLACE INTO document_versions (document_id, version) VALUES ({document}, random());"
            for document in documents
        )
        db.execute(f"CREATE TRIGGER IF NOT EXISTS document_versions_{name} AFTER {write} BEGIN {body} END")
    for table in ("documents", "participants", "settings"):
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute(
                f"CREATE TRIGGER IF NOT EXISTS catalogue_{table}_{event.lower()} AFTER {event} ON {table} BEGIN "
                "UPDATE catalogue_version SET version = random(); END"
            )


# Migration N brings a database from schema version N-1 to N. Append, never edit: projects on disk ran the old ones.
MIGRATIONS: tuple[Migration, ...] = (
    _v1_initial, _v2_signoff, _v3_coding, _v4_search, _v5_exchange, _v6_scale, _v7_coding_counts, _v8_pair_totals,
    _v9_document_versions,
)  # fmt: skip
SCHEMA_VERSION = len(MIGRATIONS)


def id_list(ids: Iterable[int]) -> str:
    """Integer ids written into a query, "1, 2, 3": they come from the database, and a study's thousand transcripts
    would pass SQLite's limit on parameters."""
    return ", ".join(str(int(i)) for i in ids)


class _AlreadyMigrated(Exception):
    """Raised inside a migration's transaction when another process ran it first: roll back, write nothing."""


def _is_busy(error: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY ("database is locked") and its extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_BUSY_RECOVERY...)."""
    return (error.sqlite_errorcode & 0xFF) == sqlite3.SQLITE_BUSY


class Store:
    """A project database: reads as plain queries, writes only inside ``transaction``.

    ``migrations`` are project.db's by default; the key store passes its own.
    """

    def __init__(self, path: Path, migrations: tuple[Migration, ...] | None = None) -> None:
        self.path = path
        self.db = connect(path)
        self._migrations = MIGRATIONS if migrations is None else migrations

    def close(self) -> None:
        self.db.close()

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self, actor: str) -> None:
        """Bring the schema up to date, one numbered migration per transaction."""
        version, latest = self.schema_version, len(self._migrations)
        if version > latest:
            raise ProjectError(
                f"{self.path.name} in {self.path.parent.name} was saved by a newer version of the workbench (schema "
                f"{version}, this one knows up to {latest}); upgrade the workbench to open it"
            )
        for number in range(version + 1, latest + 1):
            try:
                with self.transaction(actor, "migrate", {"database": self.path.name, "to_version": number}):
                    # Two processes may open an old project at once: the one that waited for the write lock finds
                    # the migration done and leaves it (and its audit row) to the first.
                    if self.schema_version >= number:
                        raise _AlreadyMigrated
                    self._migrations[number - 1](self.db)
                    self.db.execute(f"PRAGMA user_version = {number}")
            except _AlreadyMigrated:
                continue

    @contextmanager
    def transaction(self, actor: str, action: str, payload: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Open one write transaction; on success add its audit row and commit, on any exception roll back.

        Other processes' writes are waited for (see ``_begin_immediate``), never reported as 'database is locked'.
        The yielded dict is the audit payload: writers may add to it (a new document's id, say) before it is saved.
        """
        record: dict[str, Any] = dict(payload or {})
        self._begin_immediate()
        try:
            yield record
            self.db.execute(
                "INSERT INTO audit (at, actor, action, payload) VALUES (?, ?, ?, ?)",
                [utc_now(), actor, action, json.dumps(record, ensure_ascii=False, sort_keys=True)],
            )
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.conn.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    def _begin_immediate(self) -> None:
        """Take the write lock, waiting for other writers; a project still busy after every attempt is a ProjectError.

        Each attempt waits up to BUSY_TIMEOUT_MS in SQLite's busy handler. Retrying is safe only here: a BEGIN that
        failed wrote nothing. Once the caller's writes have begun, an error is never retried (they roll back).
        """
        for attempt in range(1, BEGIN_ATTEMPTS + 1):
            try:
                self.db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if not _is_busy(error):
                    raise
                # info, not warning: unconfigured logging prints warnings on stderr, and a wait that ends well is
                # nothing for the user to see.
                log.info(
                    "%s is busy after attempt %d of %d to write (%s)", self.path.name, attempt, BEGIN_ATTEMPTS, error
                )
                if attempt < BEGIN_ATTEMPTS:
                    time.sleep(random.uniform(0.05, 0.25) * attempt)  # jittered, so waiting writers do not collide
        raise ProjectError(
            f"{self.path.name} in {self.path.parent.name} is busy: another workbench process has been writing to it "
            f"for over {BEGIN_ATTEMPTS * BUSY_TIMEOUT_MS / 1000:g} seconds; let it finish (or close it) and try again"
        )

    def query(self, sql: str, params: dict[str, Any] | list[Any] | tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, params))

    def scalar(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Any:
        row = self.db.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def texts(self, document_ids: Iterable[int]) -> dict[int, str]:
        """Each of these documents' text, by id, read once (the whole-study reads cut quotes and words from them)."""
        wanted = sorted(set(document_ids))
        texts: dict[int, str] = {}
        for first in range(0, len(wanted), 1000):
            chunk = wanted[first : first + 1000]
            texts.update(self.db.execute(f"SELECT id, text FROM documents WHERE id IN ({id_list(chunk)})"))
        return texts

    # --- settings -------------------------------------------------------------------------------------------------

    def setting(self, key: str, default: str) -> str:
        value = self.scalar("SELECT value FROM settings WHERE key = ?", [key])
        return default if value is None else str(value)

    def write_setting(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    # --- participants ---------------------------------------------------------------------------------------------

    def write_participant(self, participant_id: str, label: str | None, role: str | None, attributes: str) -> None:
        self.db.execute(
            """
            INSERT INTO participants (id, label, role, attributes) VALUES (?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET label = excluded.label, role = excluded.role, attributes = excluded.attributes
            """,
            [participant_id, label, role, attributes],
        )

    def ensure_participant(self, participant_id: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO participants (id) VALUES (?)", [participant_id])

    # --- documents and segments -----------------------------------------------------------------------------------

    def insert_document(self, row: dict[str, Any]) -> int:
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cursor = self.db.execute(f"INSERT INTO documents ({columns}) VALUES ({marks})", list(row.values()))
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def insert_segments(self, rows: list[tuple[Any, ...]]) -> None:
        """Insert (id, document_id, kind, parent_id, position, speaker, role, start, end, metadata) rows."""
        self.db.conn.executemany(
            'INSERT INTO segments (id, document_id, kind, parent_id, position, speaker, role, start, "end", metadata) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def set_document_status(self, document_id: int, status: str) -> None:
        self.db.execute("UPDATE documents SET status = ? WHERE id = ?", [status, document_id])

    def release_document(self, document_id: int, text: str, metadata: str, segments: list[tuple[Any, ...]]) -> None:
        """Write a signed-off transcript's anonymised text and its segments."""
        self.db.execute(
            "UPDATE documents SET text = ?, metadata = ?, status = 'signed off' WHERE id = ?",
            [text, metadata, document_id],
        )
        self.insert_segments(segments)
        self.db.execute(
            'INSERT INTO sentence_fts (rowid, text) SELECT rowid, substr(?, start + 1, "end" - start) FROM segments '
            "WHERE document_id = ? AND kind = 'sentence'",
            [text, document_id],
        )

    def release_pending_codings(
        self, document_id: int, offsets: Callable[..., int], turns: list[tuple[str, int, int]]
    ) -> int:
        """Turn the codings imported with a transcript into codings on its released text; returns how many."""
        rows = self.db.execute(
            'SELECT id, code_id, start, "end", coder, guid FROM pending_codings WHERE document_id = ?', [document_id]
        ).fetchall()
        made = 0
        for pending_id, code_id, start, end, coder, guid in rows:
            new_start, new_end = offsets(start), offsets(end, is_end=True)
            turn = next((t for t, s, e in turns if s <= new_start < e), None)
            if new_start < new_end:
                cursor = self.db.execute(
                    'INSERT INTO codings (document_id, segment_id, code_id, start, "end", coder, origin, created_at) '
                    "SELECT ?, ?, ?, ?, ?, ?, 'import', ? WHERE NOT EXISTS (SELECT 1 FROM codings WHERE "
                    'document_id = ? AND code_id = ? AND coder = ? AND start = ? AND "end" = ? AND removed_at IS NULL)',
                    [document_id, turn, code_id, new_start, new_end, coder, utc_now(),
                     document_id, code_id, coder, new_start, new_end],
                )  # fmt: skip
                if cursor.rowcount and guid:
                    self.db.execute(
                        "INSERT OR IGNORE INTO guids (kind, local_id, guid) VALUES ('coding', ?, ?)",
                        [str(cursor.lastrowid), guid],
                    )
                made += cursor.rowcount
            self.db.execute("DELETE FROM pending_codings WHERE id = ?", [pending_id])
        return made

    def write_lemmas(self, rows: list[tuple[str, str]]) -> None:
        """Write (lemma index, segment id) pairs: the words and lemmas of released sentences."""
        self.db.conn.executemany("UPDATE segments SET lemmas = ? WHERE id = ?", rows)

    def withdraw_release(self, document_id: int) -> None:
        """Take a transcript's text and segments back out of project.db (it returns to review).

        Only a transcript without live codings may be withdrawn; its removed codings and suggestions go with it.
        """
        self.db.execute("DELETE FROM suggestions WHERE document_id = ?", [document_id])
        self.db.execute("DELETE FROM reconciliations WHERE document_id = ?", [document_id])
        self.db.execute(
            "DELETE FROM sentence_fts WHERE rowid IN (SELECT rowid FROM segments WHERE document_id = ?)", [document_id]
        )
        self.db.execute("DELETE FROM codings WHERE document_id = ? AND removed_at IS NOT NULL", [document_id])
        self.db.execute("DELETE FROM segments WHERE document_id = ?", [document_id])
        self.db.execute(
            "UPDATE documents SET text = '', metadata = '{}', status = 'in review' WHERE id = ?", [document_id]
        )

    def add_signoff(self, document_id: int, reviewer: str, summary: str) -> None:
        self.db.execute(
            "INSERT INTO signoffs (document_id, reviewer, at, summary) VALUES (?, ?, ?, ?)",
            [document_id, reviewer, utc_now(), summary],
        )

    def withdraw_signoff(self, document_id: int, actor: str) -> None:
        self.db.execute(
            "UPDATE signoffs SET withdrawn_at = ?, withdrawn_by = ? WHERE document_id = ? AND withdrawn_at IS NULL",
            [utc_now(), actor, document_id],
        )
