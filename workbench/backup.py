"""Backups: a whole project in one archive, copied safely while others work, and restored into a new folder.

A backup is a zip file (one file to move and to protect, readable by any zip tool) holding:

    manifest.json       what it is: the format, when and by whom it was made, the workbench version, each database's
                        schema version, and the SHA-256 of every other member
    project.db          copied with SQLite's online backup API: one consistent snapshot, even while others code
    keystore/keys.db    likewise; the identifiable originals, so the archive is written for its owner only (0600)
    team.db             likewise, when the project has a team (team mode's accounts and password hashes); format
                        version 2 marks a backup that holds it, so that an older workbench refuses it plainly
    codebooks/*         the project's codebook files as they are on disk (hand edits included)

The key store is copied after project.db. Every write that touches both databases writes the key store first (an
import keeps the original before it adds the document), so the key store's copy is at least as new as project.db's
and every document in the backup has its original.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import shutil
import sqlite3
import stat
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from workbench import __version__
from workbench.codebooks import CODEBOOK_FOLDER
from workbench.errors import ProjectError
from workbench.keystore import KEYSTORE_FILE, KEYSTORE_FOLDER
from workbench.keystore import MIGRATIONS as KEYSTORE_MIGRATIONS
from workbench.project import PROJECT_FILE, Project, default_actor
from workbench.store import SCHEMA_VERSION, Store, check_database, copy_database, utc_now
from workbench.team import MIGRATIONS as TEAM_MIGRATIONS
from workbench.team import TEAM_FILE

log = logging.getLogger(__name__)

FORMAT = "workbench backup"
FORMAT_VERSION = 2  # 1: no team.db; 2: with team.db (a backup without a team is still written as version 1)
MANIFEST = "manifest.json"
KEYSTORE_MEMBER = f"{KEYSTORE_FOLDER}/{KEYSTORE_FILE}"
DATABASES = {PROJECT_FILE: SCHEMA_VERSION, KEYSTORE_MEMBER: len(KEYSTORE_MIGRATIONS)}
OPTIONAL_DATABASES = {TEAM_FILE: len(TEAM_MIGRATIONS)}  # backed up and restored when the project has them
PRIVATE_MEMBERS = {KEYSTORE_MEMBER, TEAM_FILE}  # restored for their owner only (0600)
_CHUNK = 1 << 20


class BackupError(ProjectError):
    """A backup cannot be made or restored as asked: a missing or damaged file, not a backup, a target in use."""


@dataclass(frozen=True)
class BackupManifest:
    """What a backup holds: made when, by whom, with which workbench; the schema version of each database; and the
    SHA-256 of every member but the manifest."""

    created_at: str
    created_by: str
    workbench_version: str
    project: str
    schemas: dict[str, int]
    files: dict[str, str]

    def as_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "format_version": 2 if TEAM_FILE in self.files else 1, **self.__dict__}

    @property
    def has_team(self) -> bool:
        return TEAM_FILE in self.files

    @property
    def codebooks(self) -> list[str]:
        return sorted(name for name in self.files if name.startswith(f"{CODEBOOK_FOLDER}/"))


def backup_project(folder: str | Path, out: str | Path, *, actor: str | None = None) -> BackupManifest:
    """Write the project in ``folder`` to the new archive ``out`` (mode 0600) and return its manifest.

    The archive holds the key store: identifiable material that must be kept as safely as the key store itself.
    Others may go on working meanwhile. The archive is made in a hidden folder (mode 0700) beside ``out`` and renamed
    at the end, so a killed backup never leaves a partial archive. The backup is recorded in the project's audit log.
    """
    folder, out = Path(folder), Path(out)
    actor = actor or default_actor()
    databases = {PROJECT_FILE: folder / PROJECT_FILE, KEYSTORE_MEMBER: folder / KEYSTORE_FOLDER / KEYSTORE_FILE}
    if (folder / TEAM_FILE).is_file():
        databases[TEAM_FILE] = folder / TEAM_FILE
    if not databases[PROJECT_FILE].is_file():
        raise BackupError(f"{folder} is not a workbench project (it has no {PROJECT_FILE}); give the project's folder")
    if not databases[KEYSTORE_MEMBER].is_file():
        raise BackupError(
            f"the key store of {folder} is missing ({databases[KEYSTORE_MEMBER]}); a backup without it could not be "
            "restored, so restore the key store first"
        )
    if out.exists():
        raise BackupError(f"{out} already exists; give a new file name (a backup never overwrites a file)")
    if not out.parent.is_dir():
        raise BackupError(f"the folder {out.parent} does not exist; create it or give another place for the backup")
    if out.resolve().is_relative_to(folder.resolve()):
        raise BackupError(
            f"{out} is inside the project folder; put the backup elsewhere, since it holds the key store and the "
            "project folder is what gets shared"
        )
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))  # mode 0700, beside the archive
    try:
        schemas: dict[str, int] = {}
        copies: dict[str, Path] = {}
        for member, path in databases.items():  # project.db, the key store (see the module's docstring), the team
            copies[member] = staging / member.replace("/", "-")
            schemas[member] = _copy(path, copies[member], folder)
        codebooks = {
            f"{CODEBOOK_FOLDER}/{path.name}": path.read_bytes()
            for path in sorted((folder / CODEBOOK_FOLDER).glob("*"))
            if path.is_file() and not path.name.startswith(".")  # dot files are codebook writes under way
        }
        files = {member: _sha256_file(path) for member, path in copies.items()}
        files |= {member: hashlib.sha256(data).hexdigest() for member, data in codebooks.items()}
        manifest = BackupManifest(utc_now(), actor, __version__, folder.resolve().name, schemas, files)
        archive = staging / "archive.zip"
        # Created 0600 from the start (os.open's mode), so the identifiable copies are never readable by others.
        with os.fdopen(os.open(archive, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
                _add(zipped, MANIFEST, json.dumps(manifest.as_json(), ensure_ascii=False, indent=2).encode())
                for member, path in copies.items():
                    _add(zipped, member, path)
                for member, data in codebooks.items():
                    _add(zipped, member, data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(archive, out)
    except OSError as error:
        raise BackupError(f"the backup could not be written to {out} ({error.strerror or error}); check the folder "
                          "and the free space and try again") from None  # fmt: skip
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    store = Store(databases[PROJECT_FILE])
    try:
        with store.transaction(actor, "back up", {"archive": out.name, "files": len(files)}):
            pass  # the audit row is the whole write
    finally:
        store.close()
    log.info("backed up %s to %s", folder, out)
    return manifest


def read_manifest(archive: str | Path) -> BackupManifest:
    """Return a backup's manifest, refusing a file that is missing, not a backup, or from a newer workbench."""
    archive = Path(archive)
    with _open_archive(archive) as zipped:
        return _manifest(archive, zipped)


def restore_project(archive: str | Path, folder: str | Path, *, actor: str | None = None) -> BackupManifest:
    """Recreate a project in ``folder`` (new, or an empty folder) from a backup; return the backup's manifest.

    Every member is checked against its checksum and each database against SQLite's integrity check before the
    project appears in ``folder`` (it is built in a hidden folder beside it and renamed at the end); an older
    backup's schema is brought up to date. The restore is recorded in the restored project's audit log.
    """
    archive, folder = Path(archive), Path(folder)
    actor = actor or default_actor()
    if folder.exists() and not folder.is_dir():
        raise BackupError(f"{folder} is a file; restore into a new or empty folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty; restore into a new or empty folder (a restore never overwrites)")
    with _open_archive(archive) as zipped:
        manifest = _manifest(archive, zipped)
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = folder.parent / f".{folder.name}.restoring-{secrets.token_hex(4)}"
        try:
            staging.mkdir()
            keystore = staging / KEYSTORE_FOLDER
            keystore.mkdir(mode=0o700)
            os.chmod(keystore, 0o700)  # mkdir's mode is reduced by the umask; the key store is for its owner only
            (staging / CODEBOOK_FOLDER).mkdir()
            for member, checksum in manifest.files.items():
                mode = 0o600 if member in PRIVATE_MEMBERS else 0o666  # less the umask
                if _extract(zipped, member, staging / member, mode) != checksum:
                    raise BackupError(f"{archive.name} is damaged ({member} does not match its checksum); "
                                      "restore from another backup")  # fmt: skip
            for member in [*DATABASES, *(m for m in OPTIONAL_DATABASES if m in manifest.files)]:
                _, findings = check_database(staging / member)
                if findings:
                    raise BackupError(f"{archive.name} is damaged ({member} fails SQLite's integrity check: "
                                      f"{findings[0]}); restore from another backup")  # fmt: skip
            _record_restore(staging, archive, manifest, actor)
            if folder.is_dir():
                folder.rmdir()
            staging.rename(folder)
        except OSError as error:
            raise BackupError(f"the project could not be restored into {folder} ({error.strerror or error}); "
                              "check the folder and the free space and try again") from None  # fmt: skip
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    log.info("restored %s into %s", archive, folder)
    return manifest


# --- helpers ------------------------------------------------------------------------------------------------------


def _copy(source: Path, target: Path, folder: Path) -> int:
    try:
        return copy_database(source, target)
    except sqlite3.DatabaseError as error:
        raise BackupError(
            f"{source.relative_to(folder)} in {folder} cannot be read ({error}); open the project to see what is "
            "wrong, or restore it from an earlier backup"
        ) from None


def _record_restore(staging: Path, archive: Path, manifest: BackupManifest, actor: str) -> None:
    """Bring an older backup's schemas up to date, write the restore's audit row, and open the project as a check."""
    store = Store(staging / PROJECT_FILE)
    try:
        store.migrate(actor)
        payload = {"archive": archive.name, "backed_up_at": manifest.created_at, "backed_up_by": manifest.created_by}
        with store.transaction(actor, "restore", payload):
            pass  # the audit row is the whole write
    finally:
        store.close()
    if manifest.has_team:
        team = Store(staging / TEAM_FILE, TEAM_MIGRATIONS)
        try:
            team.migrate(actor)
        finally:
            team.close()
    Project.open(staging, actor=actor).close()


def _open_archive(archive: Path) -> zipfile.ZipFile:
    if not archive.exists():
        raise BackupError(f"{archive} does not exist; give the .zip file made by `workbench backup`")
    if archive.is_dir():
        raise BackupError(f"{archive} is a folder; give the .zip file made by `workbench backup`")
    try:
        return zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError):
        raise BackupError(
            f"{archive.name} is not a workbench backup (it is not a zip archive, or it is cut short); give the .zip "
            "file made by `workbench backup`"
        ) from None


def _manifest(archive: Path, zipped: zipfile.ZipFile) -> BackupManifest:
    not_a_backup = BackupError(
        f"{archive.name} is not a workbench backup (it has no valid {MANIFEST}); give the .zip file made by "
        "`workbench backup`"
    )
    try:
        data = json.loads(zipped.read(MANIFEST))
    except (KeyError, ValueError, zipfile.BadZipFile, zlib.error, EOFError):
        raise not_a_backup from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise not_a_backup
    try:
        if int(data["format_version"]) > FORMAT_VERSION:
            raise _newer(archive, "its format", int(data["format_version"]), FORMAT_VERSION)
        manifest = BackupManifest(
            created_at=str(data["created_at"]),
            created_by=str(data["created_by"]),
            workbench_version=str(data["workbench_version"]),
            project=str(data["project"]),
            schemas={str(k): int(v) for k, v in dict(data["schemas"]).items()},
            files={str(k): str(v) for k, v in dict(data["files"]).items()},
        )
    except (KeyError, TypeError, ValueError):
        raise not_a_backup from None
    for member, latest in DATABASES.items():
        if member not in manifest.files or member not in manifest.schemas:
            raise not_a_backup
        if manifest.schemas[member] > latest:
            raise _newer(archive, member, manifest.schemas[member], latest)
    for member, latest in OPTIONAL_DATABASES.items():
        if member in manifest.files:
            if member not in manifest.schemas:
                raise not_a_backup
            if manifest.schemas[member] > latest:
                raise _newer(archive, member, manifest.schemas[member], latest)
    names = set(zipped.namelist())
    for member in manifest.files:
        if member not in DATABASES and member not in OPTIONAL_DATABASES and not _is_codebook_member(member):
            raise not_a_backup
        if member not in names:
            raise BackupError(f"{archive.name} is damaged ({member} is missing); restore from another backup")
    return manifest


def _newer(archive: Path, what: str, version: int, latest: int) -> BackupError:
    return BackupError(
        f"{archive.name} was made by a newer version of the workbench ({what} version {version}, this one knows up "
        f"to {latest}); upgrade the workbench to restore it"
    )


def _is_codebook_member(member: str) -> bool:
    """Only a plain file name directly in codebooks/: nothing that could land outside the restored folder."""
    path = PurePosixPath(member)
    return (
        len(path.parts) == 2
        and path.parts[0] == CODEBOOK_FOLDER
        and not path.name.startswith(".")
        and "\\" not in path.name
        and "\x00" not in path.name
    )


def _extract(zipped: zipfile.ZipFile, member: str, target: Path, mode: int) -> str:
    """Write one member to ``target`` (created with ``mode``) and return its SHA-256; a damaged member is refused."""
    digest = hashlib.sha256()
    try:
        with zipped.open(member) as source, os.fdopen(
            os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "wb"
        ) as out:  # fmt: skip
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        name = Path(zipped.filename or "the backup").name
        raise BackupError(f"{name} is damaged ({member}: {error}); restore from another backup") from None
    return digest.hexdigest()


def _add(zipped: zipfile.ZipFile, member: str, content: Path | bytes) -> None:
    """Add a file to the archive marked 0600, so that even a plain unzip keeps the copies for their owner only."""
    info = zipfile.ZipInfo(member, date_time=time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o600) << 16
    with zipped.open(info, "w", force_zip64=True) as out:  # a key store of originals may pass 2 GiB
        if isinstance(content, bytes):
            out.write(content)
            return
        with content.open("rb") as source:
            while chunk := source.read(_CHUNK):
                out.write(chunk)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
