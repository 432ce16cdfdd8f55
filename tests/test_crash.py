"""Crash safety: an import, coding, sign-off or codebook edit killed with SIGKILL midway leaves a readable project
with nothing half written."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, TEST_CODEBOOK, run_cli, write
from tests.test_concurrency import make_small_study, spawn_coder, wait_ready
from workbench.codebook import read_codebook
from workbench.coding import Span
from workbench.project import Project, Source

FILES = 120  # enough that the writes take longer than the poll below needs to see two of them


def _committed_documents(database: Path) -> int:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    try:
        return int(connection.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        connection.close()


def test_kill_minus_nine_during_import_leaves_only_whole_documents(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    run_cli("init", str(folder))
    originals = sorted(SAMPLE.glob("*.txt"))
    files = []
    for number in range(FILES):
        source = originals[number % len(originals)]
        # Distinct content for every copy, so none is skipped as already imported.
        copy = tmp_path / f"cw{number + 1:02d}{source.suffix}"
        copy.write_bytes(source.read_bytes() + f"\nInterviewer: Copy {number}, thank you.\n".encode())
        files.append(copy)
    workbench = Path(sys.executable).parent / "workbench"
    process = subprocess.Popen(
        [str(workbench), "import", str(folder), *map(str, files)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while _committed_documents(folder / "project.db") < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the import finished before it could be killed"

    connection = sqlite3.connect(folder / "project.db")
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    connection.close()
    with Project.open(folder, actor="checker") as project:
        documents = project.documents()
        assert 2 <= len(documents) < FILES
        audited = [entry for entry in project.audit_log(limit=1000) if entry.action == "import transcript"]
        assert sorted(entry.payload["document"] for entry in audited) == sorted(d.id for d in documents)
        for summary in documents:
            record = project.working_document(summary.id)
            entry = next(e for e in audited if e.payload["document"] == summary.id)
            assert len(record.turns) == entry.payload["turns"] > 0
            assert len(record.sentences) == entry.payload["sentences"] > 0
            assert record.text.rstrip().endswith("thank you.")
        # Running the same import again finishes the job: the files already in are skipped.
        rest, plan = project.import_files([Source(path) for path in files])
        assert len(plan.skipped) == len(documents)
        assert len(rest) == FILES - len(documents)
        assert len(project.documents()) == FILES


# --- coding -----------------------------------------------------------------------------------------------------------


def _coder_count(database: Path, coder: str) -> int:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    try:
        return int(connection.execute("SELECT COUNT(*) FROM codings WHERE coder = ?", [coder]).fetchone()[0])
    finally:
        connection.close()


def _assert_sound(folder: Path) -> None:
    """Both databases pass SQLite's own checks."""
    for database in (folder / "project.db", folder / "keystore" / "keys.db"):
        connection = sqlite3.connect(database)
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        connection.close()


def _assert_intact(folder: Path) -> None:
    """Both databases are sound, and every coding and memo came with its audit row and its undo step."""
    _assert_sound(folder)
    connection = sqlite3.connect(folder / "project.db")
    audited: list[int] = []
    for (payload,) in connection.execute("SELECT payload FROM audit WHERE action = 'code'"):
        audited += json.loads(payload)["codings"]
    steps: list[int] = []
    for (payload,) in connection.execute("SELECT payload FROM coding_actions WHERE action = 'code'"):
        steps += json.loads(payload)["codings"]
    codings = [row[0] for row in connection.execute("SELECT id FROM codings ORDER BY id")]
    assert sorted(audited) == sorted(steps) == codings
    memos = {row[0]: row[1] for row in connection.execute("SELECT id, author FROM memos")}
    memo_steps = [json.loads(row[0])["memo"] for row in connection.execute(
        "SELECT payload FROM coding_actions WHERE action = 'memo'")]  # fmt: skip
    assert sorted(memo_steps) == sorted(memos)
    memo_audit = connection.execute("SELECT actor, COUNT(*) FROM audit WHERE action = 'memo' GROUP BY actor")
    assert dict(memo_audit.fetchall()) == dict(Counter(memos.values()))
    connection.close()


def test_kill_minus_nine_while_coding_leaves_no_half_written_coding(tmp_path: Path) -> None:
    folder = make_small_study(tmp_path)
    chance = random.Random()
    # A long-lived project, then a project opened and closed per step (as the UI and the CLI do, so some kills land
    # in an open or a close), then the command itself.
    for round_, mode in enumerate(("api", "reopen", "cli", "api")):
        coder = f"killed-{round_}"
        process = spawn_coder(folder, coder, 0, mode=mode)
        wait_ready(process)
        wanted, deadline = chance.randint(3, 40), time.monotonic() + 30
        while (
            _coder_count(folder / "project.db", coder) < wanted
            and time.monotonic() < deadline
            and process.poll() is None
        ):
            time.sleep(0.002)
        time.sleep(chance.uniform(0, 0.02))
        process.send_signal(signal.SIGKILL)
        process.communicate()
        assert process.returncode == -signal.SIGKILL
        assert _coder_count(folder / "project.db", coder) >= wanted
        _assert_intact(folder)

    with Project.open(folder, actor="after") as project:
        turn = project.document(1).turns[1]
        made = project.coding.apply(Span(1, start=turn.start, end=turn.end), "t.training")
        project.coding.add_memo("coding", made.id, "still works")
        assert project.coding.undo() == "write a memo"
        assert project.coding.undo() == "code 1 segment"
        assert project.coding.codings(coder="after") == []
    _assert_intact(folder)


# --- sign-off ---------------------------------------------------------------------------------------------------------


def _release_state(folder: Path) -> dict[int, tuple[str, bool, int, int, int, int]]:
    """Per document: status, has text, segments, indexed sentences, live sign-offs, sign-off audit rows."""
    connection = sqlite3.connect(folder / "project.db")
    rows = connection.execute(
        """
        SELECT d.id, d.status, d.text != '',
               (SELECT COUNT(*) FROM segments s WHERE s.document_id = d.id),
               (SELECT COUNT(*) FROM sentence_fts f JOIN segments s ON s.rowid = f.rowid WHERE s.document_id = d.id),
               (SELECT COUNT(*) FROM signoffs o WHERE o.document_id = d.id AND o.withdrawn_at IS NULL),
               (SELECT COUNT(*) FROM audit a
                WHERE a.action = 'sign off' AND json_extract(a.payload, '$.document') = d.id)
        FROM documents d
        """
    ).fetchall()
    connection.close()
    return {row[0]: row[1:] for row in rows}


def test_kill_minus_nine_during_sign_off_leaves_each_transcript_released_whole_or_not_at_all(
    sample_copy: Path,
) -> None:
    with Project.open(sample_copy, actor="reviewer") as project:
        reviewer = project.review.as_reviewer("Test Reviewer")
        waiting = [document.id for document in project.documents() if document.status != "signed off"]
        assert len(waiting) >= 2
        for document_id in waiting:
            for candidate in reviewer.candidates(document_id):
                if candidate.status == "pending":
                    reviewer.decide(candidate.id, accept=False)
        outlines = {document_id: project.working_document(document_id) for document_id in waiting}
        # Released whole: the text, every turn and sentence, the search index of its sentences, the sign-off and its
        # audit row. Not at all: none of these.
        whole = {
            d: ("signed off", True, len(o.turns) + len(o.sentences), len(o.sentences), 1, 1)
            for d, o in outlines.items()
        }
    before = _release_state(sample_copy)
    workbench = Path(sys.executable).parent / "workbench"
    process = subprocess.Popen(
        [str(workbench), "--user", "reviewer", "anonymise", "signoff", str(sample_copy), "all", "--reviewer", "R"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )

    def signed() -> int:
        return sum(_release_state(sample_copy)[d][0] == "signed off" for d in waiting)

    deadline = time.monotonic() + 60
    while signed() < 1 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    _, stderr = process.communicate()
    assert process.returncode == -signal.SIGKILL, f"the sign-off ended before it could be killed: {stderr!r}"

    _assert_sound(sample_copy)
    after = _release_state(sample_copy)
    assert {d: after[d] for d in after if d not in waiting} == {d: before[d] for d in before if d not in waiting}
    released = [d for d in waiting if after[d][0] == "signed off"]
    assert 1 <= len(released) < len(waiting)
    for document_id in waiting:
        if document_id in released:
            assert after[document_id] == whole[document_id]
        else:
            assert after[document_id] == before[document_id] == ("in review", False, 0, 0, 0, 0)
    with Project.open(sample_copy, actor="reviewer") as project:
        rest = next(d for d in waiting if d not in released)
        assert project.review.signoff(rest, "R") == []
        assert project.document(rest).text


# --- codebook edits ---------------------------------------------------------------------------------------------------

# Runs in its own process: makes codebook edits until killed. "after-commit" and "before-rename" stop (and say so) at
# that point of the first edit, with the change committed to project.db and its file not yet written; "loop" edits on.
_CODEBOOK_EDITOR = """
import itertools, os, sys, time
from pathlib import Path
from workbench import codebooks
from workbench.project import Project

folder, mode, extra = Path(sys.argv[1]), sys.argv[2], sys.argv[3]

def stop_here(*args, **kwargs):
    print("stopped", flush=True)
    time.sleep(120)

if mode == "after-commit":
    codebooks.Codebooks._save_file = stop_here
elif mode == "before-rename":
    os.replace = stop_here  # the temporary file is written and synced; the rename never happens
with Project.open(folder, actor="editor") as project:
    if mode == "load":
        codebooks.Codebooks._save_file = stop_here
        project.codebooks.load(extra)
    if mode != "loop":
        project.codebooks.update("t.training", name="Training (edited)")
    print("ready", flush=True)
    for number in itertools.count():
        edits = project.codebooks
        edits.update("t.training", name=f"Training {number}", keywords=["train", f"word{number}"])
        edits.add(id=f"t.new{number}", name=f"New {number}", parent="t.context")
        edits.move(f"t.new{number}", "t.training")
        edits.delete(f"t.new{number}")
"""


def _assert_codebooks_in_step(folder: Path) -> list[str]:
    """The project opens, no codebook is reported as edited by hand, and each file is the codebook in project.db,
    whose codes table mirrors it. Returns the names of the code t.training as the database and the file hold it."""
    _assert_sound(folder)
    result = run_cli("codebook", "show", str(folder))
    assert result.exit_code == 0, result.output
    assert "edited by hand" not in result.output
    with Project.open(folder, actor="checker") as project:
        assert [loaded.changed_on_disk for loaded in project.codebooks.loaded()] == [False]
    connection = sqlite3.connect(folder / "project.db")
    try:
        (book_id, name, source), *others = connection.execute("SELECT id, file, source FROM codebooks").fetchall()
        mirror = connection.execute(
            "SELECT id, name, parent_id FROM codes WHERE codebook_id = ? ORDER BY position", [book_id]
        ).fetchall()
    finally:
        connection.close()
    assert others == []
    file = folder / "codebooks" / name
    assert file.read_text("utf-8") == source
    codebook = read_codebook(file)
    assert [(code.id, code.name, code.parent) for code in codebook.codes] == mirror
    assert [path for path in folder.joinpath("codebooks").glob("*.yaml") if not path.name.startswith(".")] == [file]
    return [codebook.code("t.training").name]


def _run_codebook_editor(folder: Path, mode: str, extra: str = "") -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _CODEBOOK_EDITOR, str(folder), mode, extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    _, stderr = process.communicate()
    assert process.returncode == -signal.SIGKILL, f"the editor ended before it was killed: {stderr}"


@pytest.mark.parametrize("mode", ["after-commit", "before-rename"])
def test_kill_minus_nine_between_commit_and_file_write_leaves_the_codebook_in_step(tmp_path: Path, mode: str) -> None:
    folder = tmp_path / "study"
    with Project.init(folder, actor="alice") as project:
        project.codebooks.load(write(tmp_path, "test_book.yaml", TEST_CODEBOOK))
    before = (folder / "codebooks" / "test_book.yaml").read_text("utf-8")
    process = _run_codebook_editor(folder, mode)
    assert process.stdout is not None
    assert process.stdout.readline() == "stopped\n"
    _kill(process)
    # The change is in project.db, and the file still holds the version before it.
    assert (folder / "codebooks" / "test_book.yaml").read_text("utf-8") == before

    assert _assert_codebooks_in_step(folder) == ["Training (edited)"]
    # A real edit by hand afterwards is still noticed.
    path = folder / "codebooks" / "test_book.yaml"
    path.write_text(path.read_text("utf-8").replace("name: Line-manager support", "name: Managers"), "utf-8")
    result = run_cli("codebook", "show", str(folder))
    assert "(its file was edited by hand: `workbench codebook load` it to take the edits in)" in result.output


def test_a_hand_edit_made_after_a_killed_edit_is_noticed_and_kept(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    with Project.init(folder, actor="alice") as project:
        project.codebooks.load(write(tmp_path, "test_book.yaml", TEST_CODEBOOK))
    process = _run_codebook_editor(folder, "after-commit")
    assert process.stdout is not None
    assert process.stdout.readline() == "stopped\n"
    _kill(process)
    path = folder / "codebooks" / "test_book.yaml"
    edited = path.read_text("utf-8").replace("name: Line-manager support", "name: Managers")
    path.write_text(edited, "utf-8")
    with Project.open(folder, actor="checker") as project:
        assert [loaded.changed_on_disk for loaded in project.codebooks.loaded()] == [True]
    assert path.read_text("utf-8") == edited


def test_kill_minus_nine_after_loading_a_codebook_leaves_its_file_written(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    Project.init(folder, actor="alice").close()
    process = _run_codebook_editor(folder, "load", str(write(tmp_path, "test_book.yaml", TEST_CODEBOOK)))
    assert process.stdout is not None
    assert process.stdout.readline() == "stopped\n"
    _kill(process)
    assert not (folder / "codebooks" / "test_book.yaml").exists()
    assert _assert_codebooks_in_step(folder) == ["Training"]


def test_kill_minus_nine_at_random_while_editing_a_codebook_leaves_it_in_step(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    with Project.init(folder, actor="alice") as project:
        project.codebooks.load(write(tmp_path, "test_book.yaml", TEST_CODEBOOK))
    chance = random.Random()
    for _ in range(4):
        process = _run_codebook_editor(folder, "loop")
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
        time.sleep(chance.uniform(0.05, 0.6))
        _kill(process)
        _assert_codebooks_in_step(folder)
        # Leftover codes of the edit that was cut short go, so that the next round starts from the same tree.
        with Project.open(folder, actor="checker") as project:
            for code_id in [code for code in project.codebooks.codes() if code.startswith("t.new")]:
                project.codebooks.delete(code_id)
