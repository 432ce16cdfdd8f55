"""Crash safety: an import killed with SIGKILL midway leaves a readable project with no partial document."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import SAMPLE, run_cli
from workbench.project import Project, Source

FILES = 48


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
