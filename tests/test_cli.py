"""The CLI contract that later tooling depends on: commands, JSON shape, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from tests.conftest import FIXTURES, database_dump, run_cli, sign_off_everything, write
from workbench.cli import cli

INTERVIEW = "Interviewer: What would you change?\n\nCase Worker 12: Slower training. And a buddy.\n"


def test_init_creates_a_project(tmp_path: Path) -> None:
    result = run_cli("init", str(tmp_path / "study"))
    assert result.exit_code == 0
    assert result.stdout == f"Created project {tmp_path / 'study'}\n"
    assert (tmp_path / "study" / "project.db").is_file()


def test_init_on_an_existing_project_fails_with_one_line(tmp_path: Path) -> None:
    run_cli("init", str(tmp_path / "study"))
    result = run_cli("init", str(tmp_path / "study"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'study'} is already a project; open it instead of creating it\n"


def test_import_then_transcripts_json_gives_text_turns_and_sentences(tmp_path: Path) -> None:
    folder = str(tmp_path / "study")
    run_cli("init", folder)
    result = run_cli("import", folder, str(write(tmp_path, "notes.txt", INTERVIEW)), "--participant", "CW12")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("Imported 1 transcript into " + folder + "\n")
    sign_off_everything(folder)
    listing = run_cli("transcripts", folder, "--json")
    assert listing.exit_code == 0
    (document,) = json.loads(listing.stdout)
    assert {"id", "participant", "source", "text", "turns", "sentences"} <= set(document)
    assert document["participant"] == "12"
    assert document["source"] == "notes.txt"
    assert [(t["speaker"], t["text"]) for t in document["turns"]] == [
        ("Interviewer", "What would you change?"),
        ("Case Worker 12", "Slower training. And a buddy."),
    ]
    for segment in document["turns"] + document["sentences"]:
        assert segment["text"] == document["text"][segment["start"] : segment["end"]]
    assert [s["text"] for s in document["sentences"]] == ["What would you change?", "Slower training.", "And a buddy."]
    assert [s["turn"] for s in document["sentences"]] == [document["turns"][0]["id"]] + [document["turns"][1]["id"]] * 2


def test_import_with_a_participants_csv(tmp_path: Path) -> None:
    folder = str(tmp_path / "study")
    run_cli("init", folder)
    csv_path = write(tmp_path, "people.csv", "id,role,team\n12,social worker,learning disability\n")
    result = run_cli("import", folder, str(write(tmp_path, "cw12.txt", INTERVIEW)), "--participants", str(csv_path))
    assert result.exit_code == 0, result.stderr
    people = json.loads(run_cli("participants", folder, "--json").stdout)
    assert people == [
        {"id": "12", "label": None, "role": "social worker", "attributes": {"team": "learning disability"},
         "citation": "Case Worker 12", "documents": 1}
    ]  # fmt: skip


def test_a_folder_imports_the_transcripts_in_it(tmp_path: Path) -> None:
    folder = str(tmp_path / "study")
    run_cli("init", folder)
    interviews = tmp_path / "interviews"
    interviews.mkdir()
    write(interviews, "cw12.txt", INTERVIEW)
    write(interviews, "CW3.txt", INTERVIEW.replace("Case Worker 12", "Case Worker 3"))
    write(interviews, "participants.csv", "id,role\n12,social worker\n")  # not a transcript: left out
    write(interviews, ".~lock.cw12.txt#", "")  # an editor's lock file
    (interviews / "old").mkdir()  # a subfolder is not looked into
    write(interviews / "old", "cw9.txt", INTERVIEW.replace("Case Worker 12", "Case Worker 9"))
    result = run_cli("import", folder, str(interviews))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(", ")[:2] for line in lines[:-1]] == [
        ["CW3.txt: document 1", "Case Worker 3"],  # in reading order: 3 before 12
        ["cw12.txt: document 2", "Case Worker 12"],
    ]
    assert lines[-1] == f"Imported 2 transcripts into {folder}"


def test_a_folder_without_transcripts_is_refused_and_nothing_is_imported(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    run_cli("init", str(folder))
    before = database_dump(folder)
    empty = tmp_path / "scans"
    empty.mkdir()
    write(empty, "cw1.pdf", "%PDF-1.5")
    result = run_cli("import", str(folder), str(write(tmp_path, "cw12.txt", INTERVIEW)), str(empty))
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: scans: is a folder with no transcript in it (accepted: .txt, .md, .docx, .vtt, .srt)\n"
    )
    assert database_dump(folder) == before


def test_a_bad_participants_row_is_reported_by_line_and_nothing_is_imported(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    run_cli("init", str(folder))
    before = database_dump(folder)
    csv_path = write(tmp_path, "people.csv", "id,role\n12,social worker\n,project officer\n")
    result = run_cli(
        "import", str(folder), str(write(tmp_path, "cw12.txt", INTERVIEW)), "--participants", str(csv_path)
    )
    assert result.exit_code == 1
    assert result.stderr == "Error: people.csv, line 3: the id is empty\n"
    assert database_dump(folder) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cw1.txt", b"", "cw1.txt: has no readable text (the file is empty or only white space)"),
        ("cw1.txt", b"   \n\n \t ", "cw1.txt: has no readable text (the file is empty or only white space)"),
        ("cw1.txt", bytes(range(256)), "cw1.txt: is a binary file, not a text transcript"),
        ("cw1.docx", b"\x89PNG\r\n\x1a\n" + bytes(200),
         "cw1.docx: is not a Word document (it looks like a PNG image, not a transcript)"),
        ("cw1.docx", b"PK\x03\x04 broken zip", "cw1.docx: is not a Word document or is damaged; open it in your word "
         "processor and save it as .docx again"),
        ("cw1.pdf", b"%PDF-1.5\n", "cw1.pdf: is a PDF, which cannot be imported; save the transcript as .docx or .txt "
         "(accepted: .txt, .md, .docx, .vtt, .srt)"),
        ("cw1.rtf", b"{\\rtf1 hello}", "cw1.rtf: is a .rtf file, which cannot be imported (accepted: .txt, .md, .docx, "
         ".vtt, .srt)"),
        ("cw1.vtt", b"not a caption file\n", "cw1.vtt: is not a WebVTT caption file: its first line must be WEBVTT"),
        ("cw1.vtt", b"WEBVTT\n\n", "cw1.vtt: has no readable text"),
    ],
)  # fmt: skip
def test_bad_files_are_refused_with_one_line_and_nothing_written(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    folder = tmp_path / "study"
    run_cli("init", str(folder))
    before = database_dump(folder)
    result = run_cli("import", str(folder), str(write(tmp_path, name, content)))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {message}\n"
    assert result.stdout == ""
    assert database_dump(folder) == before


def test_missing_file_and_missing_project_are_one_line_errors(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    result = run_cli("import", str(folder), str(tmp_path / "cw1.txt"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {folder} is not a workbench project")
    run_cli("init", str(folder))
    result = run_cli("import", str(folder), str(tmp_path / "cw1.txt"))
    assert (result.exit_code, result.stderr) == (1, "Error: cw1.txt: does not exist\n")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "cw4.docx",
            b"\x89PNG\r\n\x1a\n" + bytes(300),
            "Error: cw4.docx: is not a Word document (it looks like a PNG image, not a transcript)",
        ),
        (
            "cw4.pdf",
            b"%PDF-1.5\n",
            "Error: cw4.pdf: is a PDF, which cannot be imported; save the transcript as .docx or .txt "
            "(accepted: .txt, .md, .docx, .vtt, .srt)",
        ),
    ],
)
def test_the_installed_command_prints_one_line_and_no_traceback(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    folder = tmp_path / "study"
    run_cli("init", str(folder))
    before = database_dump(folder)
    workbench = Path(sys.executable).parent / "workbench"
    completed = subprocess.run(
        [str(workbench), "import", str(folder), str(write(tmp_path, name, content))],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert completed.returncode == 1
    assert completed.stderr == message + "\n"
    assert database_dump(folder) == before


def test_two_bad_files_give_one_line_each(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    run_cli("init", str(folder))
    result = run_cli("import", str(folder), str(write(tmp_path, "a.txt", b"")), str(write(tmp_path, "b.pdf", b"%PDF")))
    assert result.exit_code == 1
    assert [line.split(":")[1].strip() for line in result.stderr.splitlines()] == ["a.txt", "b.pdf"]


def test_demo_builds_the_sample_study(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = run_cli("demo", str(folder))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Built the sample study in {folder}: 16 transcripts\n"
    listing = run_cli("transcripts", str(folder)).stdout.splitlines()
    assert len(listing) == 16
    assert [line.split()[4] for line in listing if line.endswith("in review")] == ["cw03.docx", "cw09.txt", "cw13.docx"]
    again = run_cli("demo", str(folder))
    assert (again.exit_code, again.stderr) == (
        1, f"Error: {folder} already exists and is not empty; choose a new folder for the sample study\n"
    )  # fmt: skip


def test_settings_changes_the_citation_label(tmp_path: Path) -> None:
    folder = str(tmp_path / "study")
    run_cli("init", folder)
    assert run_cli("settings", folder).stdout == "citation label: Case Worker {n}\nplaceholder style: braces\n"
    changed = run_cli("settings", folder, "--citation-label", "Participant {n}", "--placeholder-style", "brackets")
    assert changed.stdout == "citation label: Participant {n}\nplaceholder style: brackets\n"
    bad = run_cli("settings", folder, "--citation-label", "Worker")
    assert (bad.exit_code, bad.stderr) == (
        1, "Error: the citation label 'Worker' must contain {n} or {label}, e.g. 'Case Worker {n}'\n"
    )  # fmt: skip


def test_every_command_has_help_text() -> None:
    assert isinstance(cli, click.Group)
    for name, command in cli.commands.items():
        assert command.help, f"workbench {name} has no help text"
        result = run_cli(name, "--help")
        assert result.exit_code == 0 and "Usage:" in result.stdout


def test_libreoffice_docx_imports_from_the_cli(tmp_path: Path) -> None:
    folder = str(tmp_path / "study")
    run_cli("init", folder)
    result = run_cli("import", folder, str(FIXTURES / "libreoffice_bold_labels.docx"))
    assert result.exit_code == 0, result.stderr
    sign_off_everything(folder)
    (document,) = json.loads(run_cli("transcripts", folder, "--json").stdout)
    assert document["participant"] == "5"
    assert document["metadata"]["Date"] == "12 March 2025"
