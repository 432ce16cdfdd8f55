"""Concurrency: several processes coding one project at once lose nothing and never see 'database is locked'.

The coding worker below runs in its own Python process (``spawn_coder``); test_crash.py and test_backup.py use it too.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import INTERVIEW, REPO, TEST_CODEBOOK, sign_off_everything, write
from workbench import store
from workbench.coding import Span
from workbench.errors import ProjectError
from workbench.project import Project, Source
from workbench.store import MIGRATIONS, SCHEMA_VERSION, Store

CODINGS, MEMOS = 100, 10
MEMO_EVERY = CODINGS // MEMOS


def make_small_study(tmp_path: Path) -> Path:
    """A closed project with one signed-off interview (document 1) and the test codebook."""
    folder = tmp_path / "study"
    with Project.init(folder, actor="alice") as project:
        project.import_files([Source(write(tmp_path, "cw01.txt", INTERVIEW))], workers=1)
        project.codebooks.load(write(tmp_path, "test_book.yaml", TEST_CODEBOOK))
    sign_off_everything(folder)
    return folder


@pytest.fixture
def small_study(tmp_path: Path) -> Path:
    return make_small_study(tmp_path)


# --- the worker -------------------------------------------------------------------------------------------------------


def spans(project: Project) -> Iterator[tuple[Span, str]]:
    """Endless distinct (span, code) pairs within the turns of document 1, the same sequence for every coder."""
    document = project.document(1)
    codes = [code.id for code in project.codebooks.codes().values() if not code.is_theme][:4]
    for length in range(3, 1000):
        for turn in document.turns:
            for start in range(turn.start, turn.end - length + 1):
                for code in codes:
                    yield Span(document.id, start=start, end=start + length), code


def _work(folder: str, coder: str, count: int, mode: str, go: str | None) -> None:
    """Apply ``count`` codings in ``coder``'s name (forever if 0), one transaction each, and a memo every
    MEMO_EVERY codings: with one open project ('api'), a project opened per step like the UI ('reopen'), or the
    `workbench` command run in-process per step ('cli')."""
    from workbench.cli import cli

    with Project.open(folder, actor=coder) as project:
        pairs = spans(project)
        print("ready", flush=True)
        while go is not None and not Path(go).exists():
            time.sleep(0.002)
        done = 0
        while count == 0 or done < count:
            span, code = next(pairs)
            assert span.start is not None and span.end is not None
            if mode == "cli":
                arguments = ["--user", coder, "code", folder, "--doc", "1", "--code", code]
                cli.main([*arguments, "--start", str(span.start), "--end", str(span.end)], standalone_mode=False)
            elif mode == "reopen":
                with Project.open(folder, actor=coder) as step:
                    step.coding.apply(span, code)
            else:
                project.coding.apply(span, code)
            done += 1
            if done % MEMO_EVERY == 0:
                text = f"memo {done // MEMO_EVERY} by {coder}"
                if mode == "cli":
                    cli.main(["--user", coder, "memo", folder, text, "--on", "document:1"], standalone_mode=False)
                else:
                    project.coding.add_memo("document", 1, text)


def spawn_coder(
    folder: Path, coder: str, count: int = CODINGS, *, mode: str = "api", go: Path | None = None
) -> subprocess.Popen[str]:
    """Start a coding worker process (see ``_work``); it prints 'ready' on stdout once the project is open."""
    return _spawn("code", str(folder), coder, count, mode, str(go) if go else None)


def _spawn(job: str, *arguments: object) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.test_concurrency", job, json.dumps(arguments)]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _migrate(path: str, go: str) -> None:
    """Open a database, then bring its schema up to date as soon as ``go`` exists."""
    database = Store(Path(path))
    print("ready", flush=True)
    while not Path(go).exists():
        time.sleep(0.001)
    database.migrate("opener")
    database.close()


def wait_ready(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    line = process.stdout.readline()
    if line.strip() != "ready":
        process.wait(timeout=30)
        raise AssertionError(
            f"the coding worker failed to start: {line}{process.stderr.read() if process.stderr else ''}"
        )


# --- the tests --------------------------------------------------------------------------------------------------------


def test_three_processes_coding_at_once_lose_nothing(small_study: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    before = _audit_count(small_study)
    workers = {mode: spawn_coder(small_study, f"coder-{mode}", mode=mode, go=go) for mode in ("api", "reopen", "cli")}
    for process in workers.values():
        wait_ready(process)
    go.touch()
    outputs = {mode: process.communicate(timeout=60) for mode, process in workers.items()}
    for mode, (_, stderr) in outputs.items():
        assert workers[mode].returncode == 0, f"the {mode} worker failed:\n{stderr}"
        assert "locked" not in stderr.lower() and "busy" not in stderr.lower(), stderr
        assert stderr == ""
    assert outputs["cli"][0].count("Coding ") == CODINGS

    with Project.open(small_study, actor="checker") as project:
        audit = project.audit_log(limit=100_000)
        assert len(audit) == before + len(workers) * (CODINGS + MEMOS)
        for mode in workers:
            coder = f"coder-{mode}"
            codings = project.coding.codings(coder=coder)
            assert len(codings) == CODINGS
            memos = [memo for memo in project.coding.memos("document", 1) if memo.author == coder]
            assert sorted(memo.text for memo in memos) == sorted(f"memo {n} by {coder}" for n in range(1, MEMOS + 1))
            written = [entry for entry in audit if entry.actor == coder]
            assert sorted(i for entry in written if entry.action == "code" for i in entry.payload["codings"]) == sorted(
                coding.id for coding in codings
            )
            assert sum(entry.action == "memo" for entry in written) == MEMOS
            steps = project.coding.as_coder(coder).history(1000)
            assert sorted({(what, state) for _, what, state in steps}) == [
                ("code 1 segment", "done"),
                ("write a memo", "done"),
            ]
            assert len(steps) == CODINGS + MEMOS


def _audit_count(folder: Path) -> int:
    connection = sqlite3.connect(folder / "project.db")
    try:
        return int(connection.execute("SELECT COUNT(*) FROM audit").fetchone()[0])
    finally:
        connection.close()


def test_a_write_waits_out_a_writer_that_holds_the_lock_past_the_busy_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 100)
    database = _fresh_store(tmp_path)
    blocker = sqlite3.connect(database.path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.25, blocker.execute, ["ROLLBACK"])  # longer than one attempt's busy timeout
    release.start()
    with database.transaction("alice", "set", {}):
        database.write_setting("colour", "blue")
    release.join()
    assert database.setting("colour", "") == "blue"
    blocker.close()
    database.close()


def test_a_project_busy_for_too_long_is_one_plain_error_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 50)
    database = _fresh_store(tmp_path)
    blocker = sqlite3.connect(database.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    audit = database.scalar("SELECT COUNT(*) FROM audit")
    message = (
        f"p.db in {tmp_path.name} is busy: another workbench process has been writing to it for over 0.15 seconds; "
        "let it finish (or close it) and try again"
    )
    with pytest.raises(ProjectError, match=re.escape(message)), database.transaction("alice", "set", {}):
        database.write_setting("colour", "blue")
    blocker.execute("ROLLBACK")
    assert database.setting("colour", "") == "" and database.scalar("SELECT COUNT(*) FROM audit") == audit
    blocker.close()
    database.close()


def test_processes_opening_an_old_project_at_once_migrate_it_once(tmp_path: Path) -> None:
    path, go = tmp_path / "p.db", tmp_path / "go"
    old = Store(path, MIGRATIONS[:2])
    old.migrate("alice")
    old.close()
    openers = [_spawn("migrate", str(path), str(go)) for _ in range(3)]
    for opener in openers:
        wait_ready(opener)
    go.touch()
    for opener in openers:
        _, stderr = opener.communicate(timeout=30)
        assert opener.returncode == 0, stderr
    database = Store(path)
    assert database.schema_version == SCHEMA_VERSION
    migrations = database.query("SELECT payload FROM audit WHERE action = 'migrate'")
    assert sorted(json.loads(row["payload"])["to_version"] for row in migrations) == list(range(1, SCHEMA_VERSION + 1))
    database.close()


def _fresh_store(tmp_path: Path) -> Store:
    database = Store(tmp_path / "p.db")
    database.migrate("alice")
    return database


JOBS: dict[str, Callable[..., None]] = {"code": _work, "migrate": _migrate}

if __name__ == "__main__":
    JOBS[sys.argv[1]](*json.loads(sys.argv[2]))
