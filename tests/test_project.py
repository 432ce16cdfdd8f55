"""The project folder: creation, opening, migrations, the audit log, the key store and participant attribution."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, database_dump, write
from workbench.errors import ParticipantsError, ProjectError, SettingError
from workbench.project import ImportFailed, Project, Source
from workbench.store import SCHEMA_VERSION, Store

INTERVIEW = "Interviewer: How was the training?\nCase Worker 12: Too fast. Far too fast.\n"


def test_init_creates_a_wal_database_with_foreign_keys_and_a_separate_key_store(tmp_path: Path) -> None:
    with Project.init(tmp_path / "study", actor="alice"):
        pass
    folder = tmp_path / "study"
    assert (folder / "project.db").is_file()
    assert (folder / "keystore" / "keys.db").is_file()
    assert (folder / "keystore").stat().st_mode & 0o777 == 0o700
    connection = sqlite3.connect(folder / "project.db")
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    connection.close()
    store = Store(folder / "project.db")
    assert store.scalar("PRAGMA foreign_keys") == 1
    store.close()


def test_init_refuses_an_existing_project_or_a_folder_with_files(tmp_path: Path) -> None:
    Project.init(tmp_path / "study").close()
    with pytest.raises(ProjectError, match="is already a project"):
        Project.init(tmp_path / "study")
    write(tmp_path, "notes.txt", "x")
    with pytest.raises(ProjectError, match="is not empty"):
        Project.init(tmp_path)


def test_open_refuses_a_folder_that_is_not_a_project(tmp_path: Path) -> None:
    with pytest.raises(ProjectError) as error:
        Project.open(tmp_path / "nowhere")
    assert "is not a workbench project (it has no project.db)" in str(error.value)
    assert not (tmp_path / "nowhere").exists(), "opening must never create a database"


def test_open_migrates_a_schema_zero_database_and_refuses_a_newer_one(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    Project.init(folder).close()
    (folder / "project.db").unlink()
    for suffix in ("-wal", "-shm"):
        (folder / f"project.db{suffix}").unlink(missing_ok=True)
    sqlite3.connect(folder / "project.db").close()  # an empty database: schema version 0
    with Project.open(folder, actor="bob") as project:
        assert project.audit_log()[-1].action == "migrate"
        assert project.documents() == []
    connection = sqlite3.connect(folder / "project.db")
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(ProjectError, match="saved by a newer version of the workbench"):
        Project.open(folder)


def test_every_write_is_audited_with_who_and_what(project: Project, tmp_path: Path) -> None:
    project.import_files([Source(write(tmp_path, "cw12.txt", INTERVIEW))])
    project.set_citation_template("Participant {n}")
    latest, imported = project.audit_log()[:2]
    assert (latest.actor, latest.action, latest.payload) == (
        "alice",
        "set citation label",
        {"template": "Participant {n}"},
    )
    assert imported.action == "import transcript"
    assert imported.payload["source"] == "cw12.txt"
    assert imported.payload["participant"] == "12"
    assert imported.payload["turns"] == 2


def test_a_failed_write_leaves_no_audit_row_and_no_data(project: Project) -> None:
    before = project.audit_log()
    with pytest.raises(SettingError):
        project.set_citation_template("no placeholder")
    assert project.audit_log() == before
    assert project.citation_template == "Case Worker {n}"


def test_originals_go_to_the_key_store_and_never_into_project_db(project: Project, tmp_path: Path) -> None:
    original = FIXTURES / "libreoffice_bold_labels.docx"
    project.import_files([Source(original)], participant="5")
    keys = sqlite3.connect(project.folder / "keystore" / "keys.db")
    stored = keys.execute("SELECT content, source_name FROM originals").fetchall()
    audited = keys.execute("SELECT actor, action FROM audit WHERE action = 'keep original'").fetchall()
    keys.close()
    assert stored == [(original.read_bytes(), "libreoffice_bold_labels.docx")]
    assert audited == [("alice", "keep original")]
    connection = sqlite3.connect(project.folder / "project.db")
    tables = [  # the full-text index's own tables hold its index as blobs, built from released text only
        row[0]
        for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not row[0].startswith("sentence_fts")
    ]
    blobs = [
        row
        for table in tables
        for row in connection.execute(f"SELECT * FROM {table}")
        if any(isinstance(v, bytes) for v in row)
    ]
    connection.close()
    assert blobs == []


def test_participant_comes_from_option_then_header_then_label_then_file_name(project: Project, tmp_path: Path) -> None:
    by_option = write(tmp_path, "a.txt", "Interviewer: Hi?\nCW3: Hello.\n")
    by_header = write(tmp_path, "b.txt", "Participant: CW04\nDate: 1 May 2025\n\nInterviewer: Hi?\nR: Hello.\n")
    by_label = write(tmp_path, "cw99.txt", "Interviewer: Hi?\nCase Worker 6: Hello.\n")
    by_name = write(tmp_path, "CW_07.txt", "I: Hi?\nR: Hello.\n")
    project.import_files([Source(by_option)], participant="Case Worker 2")
    plan = project.prepare_import([Source(by_header), Source(by_label), Source(by_name)])
    assert plan.errors == []
    assert [item.participant_id for item in plan.ready] == ["4", "6", "7"]
    assert plan.ready[1].warnings == ["the transcript names participant 6 but the file name suggests 99"]
    assert project.documents()[0].participant_id == "2"


def test_a_transcript_with_no_participant_anywhere_is_refused(project: Project, tmp_path: Path) -> None:
    path = write(tmp_path, "meeting.txt", "I: Hi?\nR: Hello.\n")
    with pytest.raises(ImportFailed) as failure:
        project.import_files([Source(path)])
    assert str(failure.value.errors[0]) == (
        "meeting.txt: does not say which participant it belongs to (no 'Case Worker N' or 'CWN' speaker label, and "
        "no number in the file name); give one with --participant ID"
    )


def test_a_file_already_imported_is_skipped_so_an_interrupted_import_can_be_rerun(
    project: Project, tmp_path: Path
) -> None:
    first = write(tmp_path, "cw12.txt", INTERVIEW)
    project.import_files([Source(first)])
    copy = write(tmp_path, "cw12 copy.txt", INTERVIEW)
    other = write(tmp_path, "cw13.txt", INTERVIEW.replace("12", "13"))
    documents, plan = project.import_files([Source(first), Source(copy), Source(other)])
    assert [document.source_name for document in documents] == ["cw13.txt"]
    assert plan.skipped == [
        "cw12.txt: already in the project as document 1 (cw12.txt); skipped",
        "cw12 copy.txt: already in the project as document 1 (cw12.txt); skipped",
    ]
    assert len(project.documents()) == 2


def test_one_bad_file_in_a_batch_stops_the_whole_import(project: Project, tmp_path: Path) -> None:
    good = write(tmp_path, "cw1.txt", INTERVIEW)
    bad = write(tmp_path, "cw2.docx", b"\x89PNG\r\n\x1a\n" + bytes(100))
    before = database_dump(project.folder)
    with pytest.raises(ImportFailed) as failure:
        project.import_files([Source(good), Source(bad)])
    assert [str(error) for error in failure.value.errors] == [
        "cw2.docx: is not a Word document (it looks like a PNG image, not a transcript)"
    ]
    assert database_dump(project.folder) == before


def test_the_ui_path_imports_the_good_files_and_reports_the_bad(project: Project, tmp_path: Path) -> None:
    plan = project.prepare_import([Source(Path("cw1.txt"), INTERVIEW.encode()), Source(Path("cw2.pdf"), b"%PDF-1.4")])
    imported = project.commit_import(plan.ready)
    assert [document.source_name for document in imported] == ["cw1.txt"]
    assert [str(error) for error in plan.errors] == [
        "cw2.pdf: is a PDF, which cannot be imported; save the transcript as .docx or .txt "
        "(accepted: .txt, .md, .docx, .vtt, .srt)"
    ]


def test_participants_csv_loads_all_rows_or_none(project: Project, tmp_path: Path) -> None:
    good = write(tmp_path, "p.csv", "id,role,team\n1,social worker,older people\n2,project officer,RAS team\n")
    project.load_participants(good)
    bad = write(tmp_path, "q.csv", "id,role\n3,social worker\n3,homecare worker\n")
    before = database_dump(project.folder)
    with pytest.raises(ParticipantsError, match=r"q\.csv, line 3: participant 3 is listed twice"):
        project.load_participants(bad)
    assert database_dump(project.folder) == before
    records = project.participants()
    assert [(r.id, r.role, r.attributes, r.citation) for r in records] == [
        ("1", "social worker", {"team": "older people"}, "Case Worker 1"),
        ("2", "project officer", {"team": "RAS team"}, "Case Worker 2"),
    ]


def test_a_file_is_judged_by_type_and_size_before_it_is_read(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import workbench.ingest

    monkeypatch.setattr(workbench.ingest, "MAX_FILE_BYTES", 2 * 2**20)
    big = tmp_path / "cw1.txt"
    big.write_bytes(b"Interviewer: Hello?\n" * 200_000)
    plan = project.prepare_import([Source(big), Source(tmp_path / "missing.pdf")])
    assert [str(error) for error in plan.errors] == [
        "cw1.txt: is 4 MB, too large for a transcript (the limit is 2 MB)",
        "missing.pdf: is a PDF, which cannot be imported; save the transcript as .docx or .txt "
        "(accepted: .txt, .md, .docx, .vtt, .srt)",
    ]
