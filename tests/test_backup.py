"""Backup and restore: one archive made with SQLite's online backup while others code, restored whole; bad input
refused with one error line."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import stat
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.conftest import run_cli
from tests.test_concurrency import spawn_coder, wait_ready
from workbench import __version__
from workbench.backup import MANIFEST, read_manifest
from workbench.cli import cli
from workbench.cli_backup import COMMANDS
from workbench.cli_common import Context
from workbench.keystore import MIGRATIONS as KEYSTORE_MIGRATIONS
from workbench.keystore import KeyStore
from workbench.project import Project
from workbench.store import MIGRATIONS, SCHEMA_VERSION, Store

LIVE = "live-coder"
WARNING = (
    "Warning: {} holds the key store (the identifiable originals); keep it as safe as the key store, never share it"
)


def _run(*args: str) -> Result:
    """The CLI: through `workbench` once the commands are wired into it, else the commands themselves."""
    if "backup" in cli.commands:
        return run_cli(*args)
    command = {command.name: command for command in COMMANDS}[args[0]]
    return CliRunner().invoke(command, list(args[1:]), obj=Context("tester"), catch_exceptions=False)


def _rows(database: Path, sql: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(database)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def _live_codings(folder: Path) -> int:
    return int(_rows(folder / "project.db", f"SELECT COUNT(*) FROM codings WHERE coder = '{LIVE}'")[0][0])


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(scope="module")
def backup_file(sample_project_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of (a copy of) the sample study."""
    place = tmp_path_factory.mktemp("backup")
    shutil.copytree(sample_project_folder, place / "study")
    assert _run("backup", str(place / "study"), str(place / "study.zip")).exit_code == 0
    return place / "study.zip"


def test_a_backup_made_while_another_process_codes_restores_the_study_as_it_was(
    sample_copy: Path, tmp_path: Path
) -> None:
    coder = spawn_coder(sample_copy, LIVE, 0)
    wait_ready(coder)
    while _live_codings(sample_copy) < 5 and coder.poll() is None:
        time.sleep(0.002)
    archive, restored = tmp_path / "study.zip", tmp_path / "restored"
    made = _run("backup", str(sample_copy), str(archive))
    assert made.exit_code == 0, made.stderr
    assert made.stderr == WARNING.format(archive) + "\n"
    assert made.stdout == f"Backed up {sample_copy} to {archive}: project.db, the key store and 2 codebook files\n"
    snapshot = _live_codings(sample_copy)
    while _live_codings(sample_copy) < snapshot + 5 and coder.poll() is None:
        time.sleep(0.002)
    coder.kill()
    _, stderr = coder.communicate()
    assert "locked" not in stderr and "Traceback" not in stderr, stderr
    assert _mode(archive) == 0o600

    result = _run("restore", str(archive), str(restored))
    assert result.exit_code == 0, result.stderr
    manifest = read_manifest(archive)
    assert result.stdout == (
        f"Restored {restored} from {archive} (backed up {manifest.created_at} by {manifest.created_by})\n"
    )
    assert _mode(restored / "keystore") == 0o700 and _mode(restored / "keystore" / "keys.db") == 0o600
    for database in (restored / "project.db", restored / "keystore" / "keys.db"):
        assert _rows(database, "PRAGMA integrity_check") == [("ok",)]

    source, copy = sample_copy / "project.db", restored / "project.db"
    for table in ("documents", "segments", "participants", "signoffs", "codebooks", "codes", "settings"):
        assert _rows(copy, f"SELECT * FROM {table} ORDER BY 1") == _rows(source, f"SELECT * FROM {table} ORDER BY 1")
    for table, person in (("codings", "coder"), ("memos", "author")):
        before = _rows(source, f"SELECT * FROM {table} WHERE {person} != '{LIVE}' ORDER BY id")
        assert _rows(copy, f"SELECT * FROM {table} WHERE {person} != '{LIVE}' ORDER BY id") == before
        # The live coder's work up to the moment of the backup, whole: a prefix of what they went on to write.
        live = _rows(copy, f"SELECT * FROM {table} WHERE {person} = '{LIVE}' ORDER BY id")
        assert live == _rows(source, f"SELECT * FROM {table} WHERE {person} = '{LIVE}' ORDER BY id")[: len(live)]
    live_codings = [row[0] for row in _rows(copy, f"SELECT id FROM codings WHERE coder = '{LIVE}' ORDER BY id")]
    assert 5 <= len(live_codings) < _live_codings(sample_copy)
    audited = _rows(copy, f"SELECT payload FROM audit WHERE actor = '{LIVE}' AND action = 'code' ORDER BY id")
    assert [json.loads(payload)["codings"][0] for (payload,) in audited] == live_codings
    assert _rows(copy, "SELECT actor, action FROM audit ORDER BY id DESC LIMIT 1") == [("tester", "restore")]
    assert _rows(source, "SELECT COUNT(*) FROM audit WHERE action = 'back up'") == [(1,)]

    # The key store is copied whole: every original, working copy, decision and placeholder.
    keys = "keystore/keys.db"
    assert list(sqlite3.connect(restored / keys).iterdump()) == list(sqlite3.connect(sample_copy / keys).iterdump())
    for codebook in (sample_copy / "codebooks").iterdir():
        assert (restored / "codebooks" / codebook.name).read_bytes() == codebook.read_bytes()
    with Project.open(restored, actor="checker") as project:
        assert [d.id for d in project.documents()] == list(range(1, 17))
        assert len(project.quotes()) == len(live_codings) + int(
            _rows(source, f"SELECT COUNT(*) FROM codings WHERE removed_at IS NULL AND coder != '{LIVE}'")[0][0]
        )


def test_the_manifest_names_the_versions_and_every_file(backup_file: Path) -> None:
    manifest = read_manifest(backup_file)
    assert manifest.schemas == {"project.db": SCHEMA_VERSION, "keystore/keys.db": len(KEYSTORE_MIGRATIONS)}
    assert manifest.workbench_version == __version__ and manifest.created_by == "tester"
    assert manifest.project == "study" and manifest.created_at.endswith("+00:00")
    with zipfile.ZipFile(backup_file) as zipped:
        assert sorted(zipped.namelist()) == sorted([MANIFEST, *manifest.files])
        for member, checksum in manifest.files.items():
            assert hashlib.sha256(zipped.read(member)).hexdigest() == checksum
    assert manifest.codebooks == ["codebooks/ras_evaluation.yaml", "codebooks/recommendations.yaml"]


def _rewritten(backup_file: Path, target: Path, **changes: bytes | None) -> Path:
    """A copy of a backup with some members replaced (bytes) or left out (None); manifest.json is kept as it was."""
    with zipfile.ZipFile(backup_file) as source, zipfile.ZipFile(target, "w") as out:
        for name in source.namelist():
            data = changes.get(name.replace("/", "_").replace(".", "_"), source.read(name))
            if data is not None:
                out.writestr(name, data)
    return target


def _with_manifest(backup_file: Path, target: Path, **fields: Any) -> Path:
    """A copy of a backup whose manifest has these fields changed (a callable is given the field's old value)."""
    manifest = json.loads(zipfile.ZipFile(backup_file).read(MANIFEST))
    for key, value in fields.items():
        manifest[key] = value(manifest[key]) if callable(value) else value
    return _rewritten(backup_file, target, manifest_json=json.dumps(manifest).encode())


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda b, t: t / "none.zip", "{t}/none.zip does not exist; give the .zip file made by `workbench backup`"),
        (lambda b, t: t, "{t} is a folder; give the .zip file made by `workbench backup`"),
        (
            lambda b, t: _write(t / "notes.zip", b"just some notes"),
            "notes.zip is not a workbench backup (it is not a zip archive, or it is cut short); give the .zip file "
            "made by `workbench backup`",
        ),
        (
            lambda b, t: _write(t / "cut.zip", b.read_bytes()[: b.stat().st_size // 2]),
            "cut.zip is not a workbench backup (it is not a zip archive, or it is cut short); give the .zip file made "
            "by `workbench backup`",
        ),
        (
            lambda b, t: _rewritten(b, t / "other.zip", manifest_json=None),
            "other.zip is not a workbench backup (it has no valid manifest.json); give the .zip file made by "
            "`workbench backup`",
        ),
        (
            lambda b, t: _with_manifest(b, t / "other.zip", format="something else"),
            "other.zip is not a workbench backup (it has no valid manifest.json); give the .zip file made by "
            "`workbench backup`",
        ),
        (
            lambda b, t: _with_manifest(b, t / "evil.zip", files=lambda files: {**files, "../outside.txt": "0" * 64}),
            "evil.zip is not a workbench backup (it has no valid manifest.json); give the .zip file made by "
            "`workbench backup`",
        ),
        (
            lambda b, t: _rewritten(b, t / "damaged.zip", project_db=b"SQLite format 3\x00" + b"\x00" * 100),
            "damaged.zip is damaged (project.db does not match its checksum); restore from another backup",
        ),
        (
            lambda b, t: _rewritten(b, t / "damaged.zip", keystore_keys_db=None),
            "damaged.zip is damaged (keystore/keys.db is missing); restore from another backup",
        ),
        (
            lambda b, t: _with_manifest(b, t / "new.zip", schemas={"project.db": 99, "keystore/keys.db": 2}),
            f"new.zip was made by a newer version of the workbench (project.db version 99, this one knows up to "
            f"{SCHEMA_VERSION}); upgrade the workbench to restore it",
        ),
    ],
    ids=["missing", "folder", "not-zip", "cut-short", "no-manifest", "wrong-format", "outside", "checksum",
         "no-keystore", "newer"],
)  # fmt: skip
def test_a_bad_backup_is_refused_with_one_error_line_and_nothing_restored(
    backup_file: Path, tmp_path: Path, make: Any, message: str
) -> None:
    archive = make(backup_file, tmp_path)
    result = _run("restore", str(archive), str(tmp_path / "restored"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {message.format(t=tmp_path)}\n"
    assert not (tmp_path / "restored").exists()
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".")]


def test_a_database_that_is_not_sound_is_refused(backup_file: Path, tmp_path: Path) -> None:
    broken = b"SQLite format 3\x00" + b"\xff" * 4000
    manifest = json.loads(zipfile.ZipFile(backup_file).read(MANIFEST))
    manifest["files"]["project.db"] = hashlib.sha256(broken).hexdigest()
    archive = _rewritten(
        backup_file, tmp_path / "broken.zip", project_db=broken, manifest_json=json.dumps(manifest).encode()
    )
    result = _run("restore", str(archive), str(tmp_path / "restored"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: broken.zip is damaged (project.db fails SQLite's integrity check: ")
    assert result.stderr.endswith("); restore from another backup\n") and result.stderr.count("\n") == 1
    assert not (tmp_path / "restored").exists()


def test_a_restore_never_overwrites(backup_file: Path, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    _write(tmp_path / "file", b"mine")
    for target, message in (
        ("full", f"{tmp_path}/full is not empty; restore into a new or empty folder (a restore never overwrites)"),
        ("file", f"{tmp_path}/file is a file; restore into a new or empty folder"),
    ):
        result = _run("restore", str(backup_file), str(tmp_path / target))
        assert (result.exit_code, result.stderr) == (1, f"Error: {message}\n")
    assert (tmp_path / "full" / "notes.txt").read_text() == "mine" and (tmp_path / "file").read_bytes() == b"mine"
    (tmp_path / "empty").mkdir()
    assert _run("restore", str(backup_file), str(tmp_path / "empty")).exit_code == 0
    assert (tmp_path / "empty" / "project.db").is_file()


def test_a_bad_backup_request_is_refused_with_one_error_line(sample_copy: Path, tmp_path: Path) -> None:
    _write(tmp_path / "taken.zip", b"mine")
    cases = [
        (tmp_path, tmp_path / "a.zip", f"{tmp_path} is not a workbench project (it has no project.db); give the "
         "project's folder"),
        (sample_copy, tmp_path / "taken.zip", f"{tmp_path}/taken.zip already exists; give a new file name (a backup "
         "never overwrites a file)"),
        (sample_copy, tmp_path / "nowhere" / "a.zip", f"the folder {tmp_path}/nowhere does not exist; create it or "
         "give another place for the backup"),
        (sample_copy, sample_copy / "codebooks" / "a.zip", f"{sample_copy}/codebooks/a.zip is inside the project "
         "folder; put the backup elsewhere, since it holds the key store and the project folder is what gets shared"),
    ]  # fmt: skip
    for folder, out, message in cases:
        result = _run("backup", str(folder), str(out))
        assert (result.exit_code, result.stderr) == (1, f"Error: {message}\n")
    assert (tmp_path / "taken.zip").read_bytes() == b"mine"
    assert not (tmp_path / "a.zip").exists() and not (sample_copy / "codebooks" / "a.zip").exists()
    (sample_copy / "keystore" / "keys.db").unlink()
    result = _run("backup", str(sample_copy), str(tmp_path / "a.zip"))
    assert result.stderr == (
        f"Error: the key store of {sample_copy} is missing ({sample_copy}/keystore/keys.db); a backup without it "
        "could not be restored, so restore the key store first\n"
    )
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".")]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_an_older_project_is_backed_up_as_it_is_and_brought_up_to_date_when_restored(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    KeyStore.create(folder, actor="alice").close()
    old = Store(folder / "project.db", MIGRATIONS[:-1])
    old.migrate("alice")
    old.close()
    assert _run("backup", str(folder), str(tmp_path / "old.zip")).exit_code == 0
    assert read_manifest(tmp_path / "old.zip").schemas["project.db"] == SCHEMA_VERSION - 1
    assert _rows(folder / "project.db", "PRAGMA user_version") == [(SCHEMA_VERSION - 1,)]  # a backup never migrates
    assert _run("restore", str(tmp_path / "old.zip"), str(tmp_path / "new")).exit_code == 0
    restored = tmp_path / "new" / "project.db"
    assert _rows(restored, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert _rows(restored, "SELECT action FROM audit ORDER BY id DESC LIMIT 2") == [("restore",), ("migrate",)]
