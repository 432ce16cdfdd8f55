"""A project's codebooks: loaded from YAML, edited in place (codings follow), saved back with comments kept.

project.db keeps each codebook's YAML text (the authority, written in the same transaction as the codings an edit
moves) and a ``codes`` table that mirrors it for queries. After every change the YAML is also written to
``<project>/codebooks/<file>``, the file to keep in git.

The file is written after the transaction commits, so a process killed in between leaves the file one version
behind. Each change therefore records, in the same transaction, a fingerprint of the version the file held then (the
``codebook file`` setting): a file that is still that version, and no newer than the change, is the workbench's own
and is rewritten from the database when the codebooks are next read; only a file that matches neither the database
nor that fingerprint was edited by hand.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.codebook import Code, Codebook, CodebookFile, decode_text, read_text
from workbench.errors import CodebookEditError, CodebookError, WorkbenchError
from workbench.statecache import cached
from workbench.store import Store, utc_now

CODEBOOK_FOLDER = "codebooks"
# settings key of a codebook's last change: {"stale": sha256 of the file it left behind, "at": time.time_ns()}
FILE_SETTING = "codebook file:{}"

# A file being written is named .codebook-*.yaml until it is complete; one a killed process left behind goes later.
TEMPORARY_PREFIX = ".codebook-"
LEFTOVER_SECONDS = 600

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedCodebook:
    """A codebook in the project: its model, its file in the project folder, and whether that file was edited by
    hand since (load it again to take those edits in)."""

    codebook: Codebook
    file: Path
    changed_on_disk: bool


@dataclass(frozen=True)
class Usage:
    """How much a code is used: live codings, distinct documents and participants, memos, pending suggestions."""

    codings: int = 0
    documents: int = 0
    participants: int = 0
    memos: int = 0
    suggestions: int = 0

    @property
    def used(self) -> bool:
        return bool(self.codings or self.memos)


class Codebooks:
    def __init__(self, store: Store, folder: Path, actor: str) -> None:
        self._store = store
        self._folder = folder / CODEBOOK_FOLDER
        self.actor = actor

    # --- reading --------------------------------------------------------------------------------------------------

    def loaded(self) -> list[LoadedCodebook]:
        """Return the project's codebooks in the order they were loaded.

        A file left behind by a change that was cut off after its commit (or a missing file) is written anew here.
        """
        result = []
        for row in self._store.query("SELECT * FROM codebooks ORDER BY position"):
            state = self._file_state(row)
            if state in ("stale", "missing") and not self._store.db.conn.in_transaction:
                state = self._rewrite(row["id"])
            model = CodebookFile.parse(row["source"], row["file"]).codebook
            result.append(LoadedCodebook(model, self._folder / row["file"], state == "edited"))
        return result

    def codes(self) -> dict[str, Code]:
        """Every code of every codebook, by id, in codebook then file order."""
        return {code.id: code for loaded in self.loaded() for code in loaded.codebook.codes}

    def codebook_of(self, code_id: str) -> Codebook:
        for loaded in self.loaded():
            if code_id in loaded.codebook.ids:
                return loaded.codebook
        raise CodebookEditError(f"there is no code {code_id!r} in this project's codebooks")

    def usage(self) -> dict[str, Usage]:
        """Return each used code's usage; codes missing from the result are unused."""
        return dict(cached(self._store, ("usage",), self._usage))

    def _usage(self) -> dict[str, Usage]:
        counts: dict[str, dict[str, int]] = {}
        # Summed from coding_counts (live codings per document, code and coder, kept by migration 7's triggers), and
        # the documents' participants from the documents_outline index, never from the rows that hold the text.
        for row in self._store.query(
            """
            WITH outline AS MATERIALIZED (SELECT id, participant_id FROM documents)
            SELECT t.code_id, SUM(t.codings) AS codings, COUNT(DISTINCT t.document_id) AS documents,
                   COUNT(DISTINCT d.participant_id) AS participants
            FROM coding_counts t JOIN outline d ON d.id = t.document_id
            GROUP BY t.code_id
            """
        ):
            counts[row["code_id"]] = {k: row[k] for k in ("codings", "documents", "participants")}
        for column, sql in (
            (
                "memos",
                "SELECT target_id AS id, COUNT(*) AS n FROM memos WHERE target = 'code' AND removed_at IS NULL "
                "GROUP BY target_id",
            ),
            (
                "suggestions",
                "SELECT code_id AS id, COUNT(*) AS n FROM suggestions WHERE status = 'pending' GROUP BY code_id",
            ),
        ):
            for row in self._store.query(sql):
                counts.setdefault(row["id"], {})[column] = row["n"]
        return {code_id: Usage(**values) for code_id, values in counts.items()}

    # --- loading --------------------------------------------------------------------------------------------------

    def load(self, path: str | Path, data: bytes | None = None) -> LoadedCodebook:
        """Add a codebook to the project, or reload one already in it (its codings kept, by code id).

        A reload that would drop a code still in use is refused; so is a code id another codebook already uses.
        """
        path = Path(path)
        text = read_text(path) if data is None else decode_text(path, data)
        edited = CodebookFile.parse(text, path)
        codebook = edited.codebook
        # The checks run inside the write transaction, so a concurrent edit cannot slip in between check and write.
        with self._store.transaction(self.actor, "load codebook", {"codebook": codebook.id}) as record:
            file, reload = self._place_for(path, codebook)
            record.update(codes=len(codebook.codes), reload=reload)
            previous = self._store.query("SELECT id, file, source FROM codebooks WHERE id = ?", [codebook.id])
            self._note_file(codebook.id, file, previous[0] if previous else None)
            if not reload:
                position = int(self._store.scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM codebooks"))
                self._store.db.execute(
                    "INSERT INTO codebooks (id, name, file, source, position, loaded_at, loaded_by) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [codebook.id, codebook.name, file, text, position, utc_now(), self.actor],
                )
            self._write(codebook.id, edited)
        self._save_file(file, edited.dump())
        return next(loaded for loaded in self.loaded() if loaded.codebook.id == codebook.id)

    def _place_for(self, path: Path, codebook: Codebook) -> tuple[str, bool]:
        """The file name a loaded codebook is kept under, and whether it reloads one already in the project; refuses
        a code id another codebook uses, or a reload that drops a code still in use."""
        rows = self._store.query("SELECT id, file FROM codebooks")
        previous = next((row for row in rows if row["id"] == codebook.id), None)
        clashes = self._store.query(
            f"SELECT id, codebook_id FROM codes WHERE codebook_id != ? "
            f"AND id IN ({', '.join('?' for _ in codebook.ids)})",
            [codebook.id, *sorted(codebook.ids)],
        )
        if clashes:
            raise CodebookError(
                path, f"code id {clashes[0]['id']!r} is already used by codebook {clashes[0]['codebook_id']!r}"
            )
        if previous is not None:
            usage = self.usage()
            dropped = [
                code_id
                for code_id in self._code_ids(codebook.id)
                if code_id not in codebook.ids and usage.get(code_id, Usage()).used
            ]
            if dropped:
                raise CodebookError(
                    path,
                    f"code {dropped[0]!r} is used ({usage[dropped[0]].codings} codings) but is missing from this "
                    "file: merge or delete it in the workbench first, or put it back in the file",
                )
            return previous["file"], True
        taken = {row["file"] for row in rows}
        file = path.name if path.suffix.lower() in {".yaml", ".yml"} else f"{codebook.id}.yaml"
        return (f"{codebook.id}.yaml" if file in taken else file), False

    # --- editing --------------------------------------------------------------------------------------------------

    def add(self, *, codebook_id: str | None = None, parent: str | None, **fields: object) -> Code:
        """Add a code under ``parent`` (a new theme when None: then say which codebook)."""
        if parent is not None:
            codebook_id = self.codebook_of(parent).id
        if codebook_id is None:
            raise CodebookEditError("say which codebook a new theme goes in")
        new_id = str(fields.get("id", ""))
        if new_id in self._all_ids():
            raise CodebookEditError(f"code id {new_id!r} is already used in this project")
        return self._edit(codebook_id, "add code", {"code": new_id}, lambda f: f.add(parent=parent, **fields))  # type: ignore[arg-type]

    def update(self, code_id: str, **fields: object) -> Code:
        """Rename, re-describe, re-colour or change the keywords of a code (None leaves a field as it is)."""
        changed = sorted(key for key, value in fields.items() if value is not None)
        return self._edit(
            self.codebook_of(code_id).id,
            "edit code",
            {"code": code_id, "fields": changed},
            lambda f: f.update(code_id, **fields),  # type: ignore[arg-type]
        )

    def move(self, code_id: str, parent: str | None, *, before: str | None = None) -> Code:
        """Move a code (with its sub-codes) under another parent, or make it a theme; its codings stay."""
        codebook = self.codebook_of(code_id)
        if parent is not None and parent not in codebook.ids:
            raise CodebookEditError(
                f"{parent!r} is not a code of codebook {codebook.id!r}; a code moves within its own codebook"
            )
        return self._edit(
            codebook.id,
            "move code",
            {"code": code_id, "parent": parent},
            lambda f: f.move(code_id, parent, before=before),
        )

    def merge(self, source_id: str, target_id: str) -> int:
        """Merge a code into another: its codings, memos and suggestions follow. Returns the codings moved."""
        codebook = self.codebook_of(source_id)
        if target_id not in codebook.ids:
            raise CodebookEditError(f"{target_id!r} is not a code of codebook {codebook.id!r}")
        moved = self._count_codings(source_id)
        self._edit(
            codebook.id,
            "merge codes",
            {"code": source_id, "into": target_id, "codings": moved},
            lambda f: f.merge(source_id, target_id),
            follow=(source_id, target_id),
        )
        return moved

    def delete(self, code_id: str, *, reassign: str | None = None) -> int:
        """Delete a code that is unused, or whose codings and memos are given to ``reassign``. Returns codings moved."""
        codebook = self.codebook_of(code_id)
        usage = self.usage().get(code_id, Usage())
        if reassign is None and usage.used:
            raise CodebookEditError(
                f"code {code_id!r} has {usage.codings} coding{'s' if usage.codings != 1 else ''} and {usage.memos} "
                f"memo{'s' if usage.memos != 1 else ''}; reassign them to another code to delete it"
            )
        if reassign is not None and (reassign == code_id or reassign not in self._all_ids()):
            raise CodebookEditError(f"cannot reassign {code_id!r}'s codings to {reassign!r}: choose another code")
        self._edit(
            codebook.id,
            "delete code",
            {"code": code_id, "reassign": reassign, "codings": usage.codings},
            lambda f: f.delete(code_id),
            follow=(code_id, reassign) if reassign else None,
            drop=None if reassign else code_id,
        )
        return usage.codings if reassign else 0

    # --- writing --------------------------------------------------------------------------------------------------

    def _edit(
        self,
        codebook_id: str,
        action: str,
        payload: dict[str, object],
        change: Callable[[CodebookFile], object],
        *,
        follow: tuple[str, str] | None = None,
        drop: str | None = None,
    ) -> Code:
        # Read and change the YAML inside the write transaction, so that two people editing the same codebook at once
        # are put in order (BEGIN IMMEDIATE) and neither edit is lost.
        with self._store.transaction(self.actor, action, {"codebook": codebook_id, **payload}):
            row = self._store.query("SELECT id, file, source FROM codebooks WHERE id = ?", [codebook_id])[0]
            if self._file_state(row) == "edited":
                # Writing the edit would put the database's version over the hand edits: take them in first.
                raise CodebookEditError(
                    f"{CODEBOOK_FOLDER}/{row['file']} was edited by hand since the workbench wrote it; load it again "
                    '(`workbench codebook load`, or "Reload from the file" on the Codebook page) to take those edits '
                    "in first"
                )
            self._note_file(codebook_id, row["file"], row)
            edited = CodebookFile.parse(row["source"], row["file"])
            result = change(edited)
            if follow is not None:
                _follow(self._store, *follow)
            if drop is not None:
                # Only removed codings and decided or pending suggestions can still name an unused code.
                self._store.db.execute("DELETE FROM suggestions WHERE code_id = ?", [drop])
                self._store.db.execute("DELETE FROM codings WHERE code_id = ? AND removed_at IS NOT NULL", [drop])
            self._write(codebook_id, edited)
        self._save_file(row["file"], edited.dump())
        if isinstance(result, Code):
            return result
        target = follow[1] if follow else None
        return edited.codebook.code(target) if target in edited.codebook.ids else edited.codebook.codes[0]

    def _write(self, codebook_id: str, edited: CodebookFile) -> None:
        """Replace a codebook's YAML and its rows in ``codes`` (inside the caller's transaction)."""
        codebook = edited.codebook
        self._store.db.execute(
            "UPDATE codebooks SET name = ?, source = ? WHERE id = ?", [codebook.name, edited.dump(), codebook_id]
        )
        self._store.db.execute("DELETE FROM codes WHERE codebook_id = ?", [codebook_id])
        offset = int(self._store.scalar("SELECT position FROM codebooks WHERE id = ?", [codebook_id])) * 100_000
        self._store.db.conn.executemany(
            "INSERT INTO codes (id, codebook_id, parent_id, theme_id, position, depth, name, colour, keywords) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    code.id,
                    codebook_id,
                    code.parent,
                    codebook.theme_of(code.id).id,
                    offset + code.position,
                    code.depth,
                    code.name,
                    code.colour,
                    json.dumps(list(code.keywords), ensure_ascii=False),
                )
                for code in codebook.codes
            ],
        )

    def _save_file(self, name: str, text: str) -> None:
        """Write the YAML to the project's codebooks folder, whole or not at all (a temporary file, then a rename)."""
        temporary = None
        try:
            self._folder.mkdir(exist_ok=True)
            _clear_leftovers(self._folder)
            handle, temporary = tempfile.mkstemp(dir=self._folder, prefix=TEMPORARY_PREFIX, suffix=".yaml")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self._folder / name)
            temporary = None
            _sync_folder(self._folder)
        except OSError as error:
            raise WorkbenchError(
                f"the change is saved in the project, but {CODEBOOK_FOLDER}/{name} could not be written "
                f"({error.strerror or error}); fix the folder's permissions and edit again to rewrite it"
            ) from None
        finally:
            if temporary is not None:
                Path(temporary).unlink(missing_ok=True)

    # --- keeping the file in step with the database ---------------------------------------------------------------

    def _on_disk(self, name: str) -> str | None:
        """Return the text of a codebook's file in the project folder (LF line ends), or None when there is none."""
        try:
            data = (self._folder / name).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        except OSError as error:
            # There, but not readable: not the workbench's to overwrite.
            log.warning("%s/%s cannot be read: %s", CODEBOOK_FOLDER, name, error)
            return ""
        return data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")

    def _file_state(self, row: dict[str, object]) -> str:
        """Return whether a codebook's file is "current", "missing", "stale" (the version a change cut off after its
        commit left behind) or "edited" (by hand, since it was loaded or last changed)."""
        name = str(row["file"])
        on_disk = self._on_disk(name)
        if on_disk is None:
            return "missing"
        if on_disk == row["source"]:
            return "current"
        note = self._note(str(row["id"]))
        if note.get("stale") == _digest(on_disk):
            try:
                changed = (self._folder / name).stat().st_mtime_ns
            except OSError:
                return "missing"
            # A file written after the change (put back from git, say) is the user's, even when it is that version.
            if changed <= int(note.get("at", 0)):
                return "stale"
        return "edited"

    def _note(self, codebook_id: str) -> dict[str, Any]:
        try:
            note = json.loads(self._store.setting(FILE_SETTING.format(codebook_id), "{}"))
        except ValueError:
            return {}
        return note if isinstance(note, dict) else {}

    def _note_file(self, codebook_id: str, name: str, previous: dict[str, object] | None) -> None:
        """Record which version of its file a change leaves behind until the file is written (inside the caller's
        transaction, so that the record and the change commit together)."""
        on_disk = self._on_disk(name)
        stale = ""
        if on_disk is not None and (previous is None or self._file_state(previous) in ("current", "stale")):
            stale = _digest(on_disk)
        elif previous is not None:
            # The file was edited by hand: it stays so until reloaded, and no version of it is the workbench's own.
            stale = _digest(str(previous["source"]))
        self._store.write_setting(FILE_SETTING.format(codebook_id), json.dumps({"stale": stale, "at": time.time_ns()}))

    def _rewrite(self, codebook_id: str) -> str:
        """Write a stale or missing codebook file anew from the database; return the file's state afterwards.

        It runs under the write lock, so that it cannot overwrite the file of a change made in the meantime.
        """
        try:
            with self._store.transaction(self.actor, "rewrite codebook file", {"codebook": codebook_id}) as record:
                row = self._store.query("SELECT id, file, source FROM codebooks WHERE id = ?", [codebook_id])[0]
                state = self._file_state(row)
                if state not in ("stale", "missing"):
                    raise _NothingToDo(state)
                record.update(file=f"{CODEBOOK_FOLDER}/{row['file']}", was=state)
                self._save_file(row["file"], row["source"])
        except _NothingToDo as nothing:
            return nothing.state
        except WorkbenchError as error:
            # A folder that cannot be written to: the file is still the workbench's own, only out of date.
            log.warning("%s", error)
            return "current"
        log.info("rewrote %s/%s from the project database (it was %s)", CODEBOOK_FOLDER, row["file"], state)
        return "current"

    def _code_ids(self, codebook_id: str) -> list[str]:
        return [row["id"] for row in self._store.query("SELECT id FROM codes WHERE codebook_id = ?", [codebook_id])]

    def _all_ids(self) -> set[str]:
        return {row["id"] for row in self._store.query("SELECT id FROM codes")}

    def _count_codings(self, code_id: str) -> int:
        return int(
            self._store.scalar("SELECT COUNT(*) FROM codings WHERE code_id = ? AND removed_at IS NULL", [code_id])
        )


class _NothingToDo(Exception):
    """A codebook file another process already brought up to date (or that was edited by hand meanwhile)."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def _clear_leftovers(folder: Path) -> None:
    """Remove temporary files that a process killed while writing a codebook left behind (old ones only: a recent one
    may be another process's write in progress)."""
    for leftover in folder.glob(f"{TEMPORARY_PREFIX}*.yaml"):
        try:
            if time.time() - leftover.stat().st_mtime > LEFTOVER_SECONDS:
                leftover.unlink()
        except OSError:
            continue


def _sync_folder(folder: Path) -> None:
    """Make a rename in a folder durable (where the system lets a folder be opened for it)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _follow(store: Store, source: str, target: str) -> None:
    """Give a code's codings, memos and suggestions to another code (inside the caller's transaction).

    Where a coder already has the target code on the same span, the source's coding is removed rather than doubled.
    """
    store.db.execute(
        """
        UPDATE codings SET removed_at = ?, removed_by = 'merge'
        WHERE code_id = ? AND removed_at IS NULL AND EXISTS (
            SELECT 1 FROM codings t WHERE t.code_id = ? AND t.removed_at IS NULL AND t.document_id = codings.document_id
            AND t.coder = codings.coder AND t.start = codings.start AND t."end" = codings."end")
        """,
        [utc_now(), source, target],
    )
    store.db.execute("UPDATE codings SET code_id = ? WHERE code_id = ?", [target, source])
    store.db.execute("UPDATE memos SET target_id = ? WHERE target = 'code' AND target_id = ?", [target, source])
    # One suggestion per sentence and code: where the target already has one, the source's goes.
    store.db.execute(
        """
        DELETE FROM suggestions WHERE code_id = ? AND EXISTS (
            SELECT 1 FROM suggestions t WHERE t.code_id = ? AND t.segment_id = suggestions.segment_id)
        """,
        [source, target],
    )
    store.db.execute("UPDATE suggestions SET code_id = ? WHERE code_id = ?", [target, source])
