"""The app in AppTest: both pages render, and what a user does on them (create, upload, import, read) works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import FIXTURES, REPO
from workbench.project import Project

APP = str(REPO / "streamlit_app.py")
TRANSCRIPT_PAGE = "workbench/ui/transcript_page.py"


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.delenv("WORKBENCH_PROJECT", raising=False)
    monkeypatch.setenv("WORKBENCH_USER", "app-tester")
    yield AppTest.from_file(APP, default_timeout=60)


def _table(at: AppTest, column: str) -> pd.DataFrame:
    """Return the table on the page that has the given column (AppTest cannot find st.dataframe by key)."""
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_project_page_without_a_project_offers_open_create_and_sample(app: AppTest) -> None:
    app.run()
    _no_errors(app)
    assert app.title[0].value == "Qualitative research workbench"
    assert {"open_button", "create_button", "demo_button"} <= {button.key for button in app.button}


def test_transcript_page_without_a_project_points_to_the_project_page(app: AppTest) -> None:
    app.run()
    app.switch_page(TRANSCRIPT_PAGE).run()
    _no_errors(app)
    assert app.info[0].value == "Open a project first."


def test_opening_a_folder_that_is_not_a_project_shows_one_error(app: AppTest, tmp_path: Path) -> None:
    app.run()
    app.text_input(key="open_folder").input(str(tmp_path)).run()
    app.button(key="open_button").click().run()
    assert [error.value for error in app.error] == [
        f"{tmp_path} is not a workbench project (it has no project.db); create one with `workbench init {tmp_path}`"
    ]


def test_create_a_project_upload_transcripts_and_see_them_listed(app: AppTest, tmp_path: Path) -> None:
    folder = tmp_path / "study"
    app.run()
    app.text_input(key="create_folder").input(str(folder)).run()
    app.button(key="create_button").click().run()
    _no_errors(app)
    assert app.title[0].value == "Project: study"
    uploader = app.file_uploader(key="upload_files")
    uploader.upload("libreoffice_bold_labels.docx", (FIXTURES / "libreoffice_bold_labels.docx").read_bytes())
    uploader.upload("cw2.txt", b"Interviewer: Any barriers?\nCW2: Capacity, mostly.\n")
    uploader.upload("cw3.docx", b"\x89PNG\r\n\x1a\n" + bytes(64))
    app.run()
    app.button(key="import_button").click().run()
    assert not app.exception
    assert [error.value for error in app.error] == [
        "cw3.docx: is not a Word document (it looks like a PNG image, not a transcript)"
    ]
    assert app.success[0].value.startswith("Imported 2 of 3 files")
    documents = _table(app, "File")
    assert list(documents["File"]) == ["cw2.txt", "libreoffice_bold_labels.docx"]
    assert list(documents["Participant"]) == ["Case Worker 2", "Case Worker 5"]
    with Project.open(folder) as project:
        assert project.audit_log()[0].actor == "app-tester"


def test_a_participant_id_given_on_the_page_is_used(app: AppTest, tmp_path: Path) -> None:
    Project.init(tmp_path / "study").close()
    app.session_state["project_folder"] = str(tmp_path / "study")
    app.run()
    app.file_uploader(key="upload_files").upload("interview.txt", b"I: How was it?\nR: Long.\n")
    app.text_input(key="upload_participant").input("CW9")
    app.run()
    app.button(key="import_button").click().run()
    _no_errors(app)
    assert list(_table(app, "File")["Participant"]) == ["Case Worker 9"]


def test_participants_csv_upload_shows_attributes_or_the_bad_line(app: AppTest, tmp_path: Path) -> None:
    Project.init(tmp_path / "study").close()
    app.session_state["project_folder"] = str(tmp_path / "study")
    app.run()
    app.file_uploader(key="participants_csv").upload("people.csv", b"id,role,team\n4,social worker,older people\n")
    app.run()
    app.button(key="participants_load").click().run()
    _no_errors(app)
    table = _table(app, "Citation")
    assert list(table.columns) == ["ID", "Citation", "Role", "team", "Transcripts"]
    assert table.iloc[0].tolist() == ["4", "Case Worker 4", "social worker", "older people", 0]
    app.file_uploader(key="participants_csv").clear().upload("bad.csv", b"id,role\n4,a\n4,b\n")
    app.run()
    app.button(key="participants_load").click().run()
    assert [error.value for error in app.error] == ["bad.csv, line 3: participant 4 is listed twice (also on line 2)"]


def test_citation_label_setting_changes_how_participants_are_cited(app: AppTest, sample_copy: Path) -> None:
    app.session_state["project_folder"] = str(sample_copy)
    app.run()
    app.text_input(key="citation_label").input("CW{n}").run()
    app.button(key="citation_save").click().run()
    _no_errors(app)
    assert app.success[0].value == "Quotes will now be cited as (CW12)"
    assert _table(app, "Citation")["Citation"].iloc[11] == "CW12"


def test_transcript_page_reads_turn_by_turn_and_jumps_by_participant(app: AppTest, sample_project_folder: Path) -> None:
    app.session_state["project_folder"] = str(sample_project_folder)
    app.run()
    app.switch_page(TRANSCRIPT_PAGE).run()
    _no_errors(app)
    assert app.title[0].value == "Case Worker 1"
    app.sidebar.selectbox(key="transcript_participant").select("12").run()
    _no_errors(app)
    assert app.title[0].value == "Case Worker 12"
    assert app.query_params["participant"] == "12"
    with Project.open(sample_project_folder) as project:
        record = project.working_document(next(d.id for d in project.documents() if d.participant_id == "12"))
    messages = app.chat_message
    assert len(messages) == len(record.turns)
    first_answer = messages[1]
    assert first_answer.name == "participant"
    assert "Case Worker 12" in first_answer.markdown[0].value
    assert f"`{record.turns[1].id}`" in first_answer.markdown[0].value
    own = [s for s in record.sentences if s.turn_id == record.turns[1].id]
    assert [text.value for text in first_answer.text] == [f"{s.id}  {s.text}" for s in own]
    assert messages[0].name == "interviewer"
    app.sidebar.toggle(key="show_sentence_ids").set_value(False).run()
    assert app.chat_message[1].text[0].value == record.turns[1].text


def test_a_link_with_a_participant_opens_their_transcript(app: AppTest, sample_project_folder: Path) -> None:
    app.session_state["project_folder"] = str(sample_project_folder)
    app.query_params["participant"] = "16"
    app.run()
    app.switch_page(TRANSCRIPT_PAGE).run()
    _no_errors(app)
    assert app.title[0].value == "Case Worker 16"
    # The Teams cue time is shown beside the turn (the Markdown source escapes its punctuation).
    assert "00:00:03.000" in app.chat_message[0].markdown[0].value.replace("\\", "")
