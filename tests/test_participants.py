"""Participants: ids however they are written, the participants CSV and its errors, and citation labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write
from workbench.errors import ParticipantsError, SettingError
from workbench.ingest.speakers import label_number
from workbench.participants import (
    Participant,
    check_citation_template,
    citation_for,
    normalise_participant_id,
    participant_from_filename,
    read_participants_csv,
)


@pytest.mark.parametrize(
    ("written", "expected"),
    [("12", "12"), ("012", "12"), ("CW12", "12"), ("cw 12", "12"), ("Case Worker 12", "12"), ("case-worker-07", "7"),
     ("P3", "3"), ("Participant 3", "3"), ("R-4", "4"), ("site2-a", "site2-a"), ("  Mary  ", "Mary")],
)  # fmt: skip
def test_participant_ids_are_normalised(written: str, expected: str) -> None:
    assert normalise_participant_id(written) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("cw12.docx", "12"), ("CW_03_final.docx", "3"), ("Case Worker 7.txt", "7"), ("interview-cw-15-v2.vtt", "15"),
     ("P09.txt", "9"), ("11.srt", "11"), ("transcript_2025-03-14.docx", None), ("meeting.txt", None)],
)  # fmt: skip
def test_participant_from_file_name(name: str, expected: str | None) -> None:
    assert participant_from_filename(name) == expected


def test_csv_loads_id_label_role_and_attributes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "people.csv",
        "\ufeffID,Label,Role,Team,Years in post\nCW1,Case Worker 1,social worker,older people,9\n"
        "2,,homecare worker,older people,20\n\n",
    )
    assert read_participants_csv(path) == [
        Participant("1", "Case Worker 1", "social worker", {"Team": "older people", "Years in post": "9"}),
        Participant("2", None, "homecare worker", {"Team": "older people", "Years in post": "20"}),
    ]


def test_csv_saved_by_excel_with_semicolons_and_windows_1252(tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", "id;role;note\r\n5;project officer;café £\r\n", encoding="cp1252")
    assert read_participants_csv(path) == [Participant("5", None, "project officer", {"note": "café £"})]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,role\nA,social worker\n", "people.csv, line 1: the header has no 'id' column (it has: name, role)"),
        ("id,role\n1,social worker\n,project officer\n", "people.csv, line 3: the id is empty"),
        ("id,role\n1,a\n2,b\nCW1,c\n", "people.csv, line 4: participant CW1 is listed twice (also on line 2)"),
        ("id,role\n1,a,extra\n", "people.csv, line 2: has 3 values but the header has 2 columns"),
        ("id,role,role\n1,a,b\n", "people.csv, line 1: the header names a column twice"),
        ("id,role\n", "people.csv: lists no participants (it has a header but no rows)"),
        ("", "people.csv: has no readable text (the file is empty or only white space)"),
        ('id,role\n1,"unclosed\n', "people.csv, line 2: is not valid CSV (unexpected end of data)"),
    ],
)
def test_bad_csv_is_reported_with_its_line(tmp_path: Path, content: str, message: str) -> None:
    path = write(tmp_path, "people.csv", content)
    with pytest.raises(ParticipantsError) as error:
        read_participants_csv(path)
    assert str(error.value) == message


def test_citation_labels_follow_the_project_template() -> None:
    worker = Participant("12", "CW-twelve")
    assert citation_for("Case Worker {n}", worker) == "Case Worker 12"
    assert citation_for("{label}", worker) == "CW-twelve"
    assert citation_for("Participant {n}", Participant("3")) == "Participant 3"


@pytest.mark.parametrize("template", ["Case Worker", "Case Worker {number}", "Case Worker {n", "{0}"])
def test_bad_citation_templates_are_refused(template: str) -> None:
    with pytest.raises(SettingError):
        check_citation_template(template)


@pytest.mark.parametrize("written", ["case-worker-07", "Case_Worker 7", "CW#7", "P07", "Respondent 7"])
def test_a_participant_id_and_a_speaker_label_read_the_same_number(written: str) -> None:
    assert normalise_participant_id(written) == label_number(written) == "7"
