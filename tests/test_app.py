"""The app in AppTest: every page renders, and what a user does on them (create, upload, import, review, sign off,
read) works."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import docx
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from tests.conftest import FIXTURES, REPO
from workbench.project import Project
from workbench.ui import ethics_downloads

APP = str(REPO / "streamlit_app.py")
TRANSCRIPT_PAGE = "workbench/ui/transcript_page.py"
ANONYMISE_PAGE = "workbench/ui/anonymise_page.py"
# The identifiers left in three sample transcripts for the ethics reviewer to catch (transcripts_sample/README.md).
PLANTED = ["Denise", "14 Meadow Lane", "07700 900461", "Brightwater Homecare", "999 000 0018", "Okafor", "AB1 2CD"]


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


def _shown(at: AppTest) -> str:
    """Everything the page sends to the browser (text, tables, options, inputs), to prove what is never shown."""
    return "\n".join(str(node.proto) for node in [*at.main, *at.sidebar] if node.proto is not None)


def _open(app: AppTest, folder: Path, page: str) -> AppTest:
    app.session_state["project_folder"] = str(folder)
    app.run()
    app.switch_page(page).run()
    _no_errors(app)
    return app


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
        "cw3\\.docx\\: is not a Word document \\(it looks like a PNG image, not a transcript\\)"
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
        record = project.document(next(d.id for d in project.documents() if d.participant_id == "12"))
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


def _card(at: AppTest) -> str:
    """The candidate in context on the reviewer's card, as Markdown."""
    card = next(node for node in at.main if isinstance(node, Block) and node.key == "candidate_card")
    return str(card.markdown[0].value)


def _on_card(at: AppTest) -> str:
    """The text of the candidate highlighted on the reviewer's card."""
    found = re.search(r":orange-background\[\*\*:orange\[(.*?)\]\*\*\]", _card(at))
    assert found, _card(at)
    return found.group(1).replace("\\", "")


def _progress_row(at: AppTest, source_name: str) -> dict[str, object]:
    table = _table(at, "To decide")
    return dict(table[table["File"] == source_name].iloc[0])


def test_anonymisation_page_without_a_project_points_to_the_project_page(app: AppTest) -> None:
    app.run()
    app.switch_page(ANONYMISE_PAGE).run()
    _no_errors(app)
    assert app.title[0].value == "Anonymisation"
    assert app.info[0].value == "Open a project first."


def test_anonymisation_page_lists_the_transcripts_in_review_and_opens_the_first(
    app: AppTest, sample_project_folder: Path
) -> None:
    _open(app, sample_project_folder, ANONYMISE_PAGE)
    assert "**For ethics reviewers.** This page shows the identifiable originals" in app.caption[0].value
    progress = _table(app, "To decide")
    waiting = progress[progress["Status"] != "signed off"]
    assert list(waiting["File"]) == ["cw03.docx", "cw09.txt", "cw13.docx"]
    assert list(waiting["Participant"]) == ["Case Worker 3", "Case Worker 9", "Case Worker 13"]
    assert list(waiting["Status"]) == ["in review"] * 3
    assert list(waiting["To decide"]) == [3, 2, 4]
    assert set(progress[progress["Status"] == "signed off"]["Signed off by"]) == {"Demo Reviewer"}
    chooser = app.selectbox(key="anonymise_document")
    assert chooser.options[chooser.index] == "Case Worker 3 · cw03.docx"
    assert app.caption[2].value == (
        "in review\\: 3 to decide, 0 accepted, 0 rejected · still in review: cw03\\.docx \\(3\\), cw09\\.txt \\(2\\), "
        "cw13\\.docx \\(4\\)"
    )
    assert app.subheader[0].value == "Candidate 1 of 3 to decide"
    assert "terrace at :orange-background[**:orange[14 Meadow Lane]**]\\. She's got good days" in _card(app)
    assert app.text_input(key="candidate_placeholder").value == "{address}"
    assert app.selectbox(key="candidate_category").value == "address"
    listed = [markdown.value for markdown in app.markdown]
    assert any("Her daughter, :red-background[**:red[Denise]**], rang me" in value for value in listed)


def test_accept_and_reject_on_the_card_record_the_reviewers_decisions(app: AppTest, sample_copy: Path) -> None:
    _open(app, sample_copy, ANONYMISE_PAGE)
    app.button(key="candidate_next").click().run()
    assert _on_card(app) == "Reviews"
    app.button(key="candidate_previous").click().run()
    assert _on_card(app) == "14 Meadow Lane"
    app.button(key="candidate_accept").click().run()
    assert [toast.value for toast in app.toast] == ["Accepted “14 Meadow Lane”"]
    assert app.subheader[0].value == "Candidate 1 of 2 to decide"
    assert _on_card(app) == "Reviews"
    app.button(key="candidate_reject").click().run()
    assert _on_card(app) == "Denise"
    assert app.text_input(key="candidate_placeholder").value == "{family member 1}"
    app.button(key="candidate_accept").click().run()
    _no_errors(app)
    assert "Every candidate in cw03\\.docx is decided (2 accepted, 1 rejected)" in app.success[0].value
    decided = _table(app, "Decided by")
    assert set(decided["Decided by"]) == {"app-tester"}
    with Project.open(sample_copy) as project:
        candidates = project.review.candidates(3)
    assert {c.text: (c.status, c.decided_by) for c in candidates} == {
        "14 Meadow Lane": ("accepted", "app-tester"),
        "Reviews": ("rejected", "app-tester"),
        "Denise": ("accepted", "app-tester"),
    }
    assert {c.text: c.placeholder for c in candidates if c.status == "accepted"} == {
        "14 Meadow Lane": "{address}",
        "Denise": "{family member 1}",
    }


def test_the_reviewer_can_choose_the_placeholder_and_the_category(app: AppTest, sample_copy: Path) -> None:
    _open(app, sample_copy, ANONYMISE_PAGE)
    app.selectbox(key="anonymise_document").select(9).run()
    app.button(key="candidate_next").click().run()
    assert _on_card(app) == "Brightwater Homecare"
    app.text_input(key="candidate_placeholder").input("{care agency}").run()
    app.button(key="candidate_accept").click().run()
    assert app.selectbox(key="anonymise_document").value == 9  # still on cw09, now on its phone number
    assert _on_card(app) == "07700 900461"
    app.selectbox(key="anonymise_document").select(3).run()
    app.button(key="candidate_next").click().run()
    app.button(key="candidate_next").click().run()
    assert _on_card(app) == "Denise"
    app.selectbox(key="candidate_category").select("service user").run()
    assert app.text_input(key="candidate_placeholder").value == "{service user}"
    app.button(key="candidate_accept").click().run()
    _no_errors(app)
    with Project.open(sample_copy) as project:
        agency = next(c for c in project.review.candidates(9) if c.text == "Brightwater Homecare")
        denise = next(c for c in project.review.candidates(3) if c.text == "Denise")
        preview = project.review.released_text(9)
    assert (agency.status, agency.placeholder) == ("accepted", "{care agency}")
    assert "her agency, {care agency}, they're on the list" in preview
    assert denise.category == "service user"
    assert denise.placeholder.startswith("{service user ")


def test_marking_a_span_the_scan_missed_replaces_every_occurrence(app: AppTest, sample_copy: Path) -> None:
    _open(app, sample_copy, ANONYMISE_PAGE)
    app.text_input(key="mark_text").input("Zebedee").run()
    app.button(key="mark_button").click().run()
    assert [error.value for error in app.error] == [
        "'Zebedee' does not occur in document 3; copy the text from the preview below, exactly as it is written"
    ]
    app.text_input(key="mark_text").input("PHYSIO").run()
    app.selectbox(key="mark_category").select("staff").run()
    app.button(key="mark_button").click().run()
    _no_errors(app)
    assert app.success[0].value == "Marked 2 occurrences of “PHYSIO” as staff"
    assert app.text_input(key="mark_text").value == ""
    preview = next(text.value for text in app.text if "{staff member 1}" in text.value)
    assert "rang his {staff member 1}, who's got her own view" in preview
    assert "physio" not in preview.casefold()
    with Project.open(sample_copy) as project:
        marked = [c for c in project.review.candidates(3) if c.detector == "manual"]
    assert [(c.text, c.status, c.category, c.decided_by) for c in marked] == [
        ("physio", "accepted", "staff", "app-tester")
    ] * 2


def test_signing_off_cw03_releases_it_to_coders_without_the_originals(app: AppTest, sample_copy: Path) -> None:
    _open(app, sample_copy, ANONYMISE_PAGE)
    assert app.button(key="signoff_button").disabled
    assert app.warning[0].value == (
        "3 candidates still to decide: accept or reject every one before signing off cw03\\.docx."
    )
    for decide in ("candidate_accept", "candidate_reject", "candidate_accept"):  # 14 Meadow Lane, Reviews, Denise
        app.button(key=decide).click().run()
    assert not app.button(key="signoff_button").disabled
    assert app.text_input(key="signoff_reviewer").value == "app-tester"
    app.text_input(key="signoff_reviewer").input("Dr Ethics").run()
    app.button(key="signoff_button").click().run()
    _no_errors(app)
    assert app.success[0].value.startswith("Signed off Case Worker 3 (cw03\\.docx) as Dr Ethics")
    row = _progress_row(app, "cw03.docx")
    assert (row["Status"], row["To decide"], row["Accepted"], row["Signed off by"]) == ("signed off", 0, 2, "Dr Ethics")

    app.switch_page(TRANSCRIPT_PAGE).run()
    app.sidebar.selectbox(key="transcript_participant").select("3").run()
    _no_errors(app)
    assert app.title[0].value == "Case Worker 3"
    sentences = [text.value for text in app.text]
    assert any("Her daughter, {family member 1}, rang me" in sentence for sentence in sentences)
    assert any("lives on her own in a little terrace at {address}." in sentence for sentence in sentences)
    assert "Denise" not in _shown(app)
    assert "Meadow Lane" not in _shown(app)
    assert app.sidebar.info[0].value == "2 transcripts are waiting for ethics review."


def test_a_placeholder_that_names_someone_is_caught_at_signoff(app: AppTest, sample_copy: Path) -> None:
    _open(app, sample_copy, ANONYMISE_PAGE)
    app.button(key="candidate_accept").click().run()
    app.button(key="candidate_reject").click().run()
    app.text_input(key="candidate_placeholder").input("Mrs Okafor").run()
    app.button(key="candidate_accept").click().run()
    app.button(key="signoff_button").click().run()
    assert not app.exception
    assert [error.value for error in app.error] == [
        "sign-off refused: the residual scan found 1 possible identifier in the anonymised text of document 3 "
        "(cw03.docx) that the original does not have: check the placeholders written by hand (one may name someone)"
    ]
    assert _progress_row(app, "cw03.docx")["Status"] == "in review"
    with Project.open(sample_copy) as project:
        denise = next(c for c in project.review.candidates(3) if c.text == "Denise")
    # The reviewer changes that decision back to the usual placeholder, and the sign-off goes through.
    app.selectbox(key="change_candidate").select(denise.id).run()
    app.button(key="change_accept").click().run()
    assert [toast.value for toast in app.toast] == ["“Denise” is now accepted"]
    app.button(key="signoff_button").click().run()
    _no_errors(app)
    assert _progress_row(app, "cw03.docx")["Status"] == "signed off"


def test_accept_all_needs_a_confirmation_and_signoff_needs_a_name(app: AppTest, sample_copy: Path) -> None:
    _open(app, sample_copy, ANONYMISE_PAGE)
    app.selectbox(key="anonymise_document").select(9).run()
    assert app.button(key="accept_all").disabled
    app.checkbox(key="accept_all_confirm").check().run()
    app.button(key="accept_all").click().run()
    _no_errors(app)
    assert app.success[0].value == "Accepted all 2 pending candidates in cw09\\.txt"
    app.text_input(key="signoff_reviewer").input("  ").run()
    app.button(key="signoff_button").click().run()
    assert [error.value for error in app.error] == ["give the reviewer's name to sign off"]
    with Project.open(sample_copy) as project:
        assert [c.status for c in project.review.candidates(9)] == ["accepted", "accepted"]
        assert project.documents([9])[0].status == "in review"


def test_coders_never_see_the_originals_of_the_sample_study(app: AppTest, sample_project_folder: Path) -> None:
    app.query_params["participant"] = "3"
    _open(app, sample_project_folder, TRANSCRIPT_PAGE)
    assert app.info[0].value == "Case Worker 3's transcript is waiting for ethics review and cannot be read yet."
    assert app.title[0].value == "Case Worker 1"
    chooser = app.sidebar.selectbox(key="transcript_participant")
    released = [str(n) for n in range(1, 17) if n not in (3, 9, 13)]
    assert chooser.options == [f"Case Worker {n}" for n in released]
    assert app.sidebar.info[0].value == "3 transcripts are waiting for ethics review."
    for participant in released:
        app.sidebar.selectbox(key="transcript_participant").select(participant).run()
        _no_errors(app)
        shown = _shown(app)
        assert [original for original in PLANTED if original in shown] == [], participant


def test_a_coded_transcript_cannot_be_reopened(app: AppTest, sample_copy: Path) -> None:
    _open(app, sample_copy, ANONYMISE_PAGE)
    app.selectbox(key="anonymise_document").select(1).run()
    app.button(key="reopen_button").click().run()
    assert "its released text cannot change under them, so remove them before reopening" in app.error[0].value
    assert _progress_row(app, "cw01.docx")["Status"] == "signed off"


def test_reopening_a_signed_off_transcript_takes_it_away_from_coders(app: AppTest, sample_copy: Path) -> None:
    with Project.open(sample_copy) as project:  # the demo's coders take their codings of cw01 back first
        for coding in project.coding.codings(1):
            project.coding.as_coder(coding.coder).remove(coding.id)
    _open(app, sample_copy, ANONYMISE_PAGE)
    app.selectbox(key="anonymise_document").select(1).run()
    assert app.success[0].value.startswith("cw01\\.docx is signed off by Demo Reviewer on ")
    app.button(key="reopen_button").click().run()
    _no_errors(app)
    assert app.success[0].value == "cw01\\.docx is back in review; coders can no longer read it"
    assert _progress_row(app, "cw01.docx")["Status"] == "in review"
    app.switch_page(TRANSCRIPT_PAGE).run()
    _no_errors(app)
    assert "Case Worker 1" not in app.sidebar.selectbox(key="transcript_participant").options
    assert app.sidebar.info[0].value == "4 transcripts are waiting for ethics review."


def test_an_uploaded_transcript_is_read_only_after_its_signoff(app: AppTest, tmp_path: Path) -> None:
    Project.init(tmp_path / "study").close()
    app.session_state["project_folder"] = str(tmp_path / "study")
    app.run()
    app.file_uploader(key="upload_files").upload("cw2.txt", b"Interviewer: Any barriers?\nCW2: Capacity, mostly.\n")
    app.run()
    app.button(key="import_button").click().run()
    app.switch_page(TRANSCRIPT_PAGE).run()
    _no_errors(app)
    assert app.info[0].value.startswith("No transcript can be read yet: 1 transcript is waiting for ethics review.")
    assert not app.chat_message
    app.switch_page(ANONYMISE_PAGE).run()
    assert app.info[0].value.startswith("cw2\\.txt has not been scanned yet")
    app.button(key="anonymise_scan").click().run()
    _no_errors(app)
    assert app.success[0].value == "Scanned 1 transcript: 0 candidates to decide"
    app.button(key="signoff_button").click().run()
    _no_errors(app)
    app.switch_page(TRANSCRIPT_PAGE).run()
    _no_errors(app)
    assert app.title[0].value == "Case Worker 2"
    assert [message.name for message in app.chat_message] == ["interviewer", "participant"]
    assert app.chat_message[1].text[0].value.endswith("Capacity, mostly.")


def test_settings_glossary_roster_and_placeholder_style(app: AppTest, sample_copy: Path) -> None:
    _open(app, sample_copy, ANONYMISE_PAGE)
    app.text_area(key="glossary_terms").input("Reviews\n").run()
    app.button(key="glossary_save").click().run()
    _no_errors(app)
    assert app.success[0].value == "Saved 1 glossary term and rescanned: 8 candidates to decide"
    assert app.subheader[0].value == "Candidate 1 of 2 to decide"
    assert not any("[Reviews]" in markdown.value for markdown in app.markdown)
    app.file_uploader(key="roster_upload").upload("names.csv", b"name,category\nDenise,family member\n")
    app.run()
    app.button(key="roster_load").click().run()
    assert [error.value for error in app.error] == [
        "names.csv, line 1: the header must name the columns original and category (and optionally replacement)"
    ]
    app.selectbox(key="placeholder_style").select("brackets").run()
    app.button(key="placeholder_style_save").click().run()
    _no_errors(app)
    assert app.success[0].value == "Placeholders now look like \\[service user 1\\], \\[phone\\]"
    assert app.text_input(key="candidate_placeholder").value == "[address]"
    with Project.open(sample_copy) as project:
        assert project.review.glossary().terms == ("Reviews",)
        assert project.review.style == "brackets"


def test_ethics_report_downloads_hold_no_original(app: AppTest, sample_project_folder: Path) -> None:
    _open(app, sample_project_folder, ANONYMISE_PAGE)
    buttons = {button.key: button.label for button in app.download_button}
    assert buttons == {"report_docx": "Ethics report (.docx)", "report_md": "Ethics report (.md)"}
    # AppTest has no browser to click a deferred download: call what the buttons run (test_browser.py clicks one).
    markdown = ethics_downloads.ethics_report_markdown(sample_project_folder, "app-tester").decode("utf-8")
    assert markdown.startswith("# Ethics report: anonymisation\n")
    assert "| 3 | Case Worker 3 | cw03.docx | in review | 3 | 0 | 0 | 3 |" in markdown
    assert [original for original in PLANTED if original in markdown] == []
    document = docx.Document(io.BytesIO(ethics_downloads.ethics_report_docx(sample_project_folder, "app-tester")))
    assert document.paragraphs[0].text == "Ethics report: anonymisation"
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "cw13.docx" in cells
    words = "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)
    assert [original for original in PLANTED if original in words] == []
