"""Readers: each format evaluators bring gives the right speakers and text, with no BOM, timestamps or tags left."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from tests.conftest import FIXTURES, write
from workbench.ingest import Transcript, read_transcript


def turns(transcript: Transcript) -> list[tuple[str, str, str]]:
    return [(t.speaker, t.role, transcript.text[t.start : t.end]) for t in transcript.turns]


def assert_clean(transcript: Transcript) -> None:
    """No byte-order mark, caption timestamp, cue arrow or markup may reach the document text."""
    assert "\ufeff" not in transcript.text
    assert "-->" not in transcript.text
    assert not re.search(r"\d\d:\d\d:\d\d", transcript.text)
    assert not re.search(r"</?(v|c|i|b|u)\b", transcript.text)


# --- Word ---------------------------------------------------------------------------------------------------------


def test_libreoffice_docx_with_metadata_table_and_bold_labels() -> None:
    transcript = read_transcript(FIXTURES / "libreoffice_bold_labels.docx")
    assert transcript.metadata == {
        "Interview ID": "CW05",
        "Date": "12 March 2025",
        "Interviewer": "Researcher B",
        "Duration": "71 minutes",
    }
    assert turns(transcript) == [
        ("Interviewer", "interviewer", "Right, we’re recording. How did the “live test” start for you?"),
        (
            "Case Worker 5",
            "participant",
            "Well, um, it started with the training day, and honestly it was a lot.\n\n"
            "The indicative budget for my first lady came out at £182.50 a week, which – I mean – was about right.",
        ),
        ("Interviewer", "interviewer", "And the forms?"),
        ("Case Worker 5", "participant", "Duplicated, mostly. Same questions twice."),
    ]
    assert transcript.participant_hint == "5"
    # The title paragraph before the first label stays in the text but belongs to no turn.
    assert transcript.text.startswith("Interview transcript\n\nInterviewer: Right")
    assert "Researcher B" not in transcript.text
    assert_clean(transcript)


def test_libreoffice_docx_with_labels_bold_through_a_character_style_and_a_tab() -> None:
    transcript = read_transcript(FIXTURES / "libreoffice_strong_labels.docx")
    assert turns(transcript) == [
        ("INT", "interviewer", "Can you describe the support plan?"),
        ("CW14", "participant", "It’s the hardest bit. You’re writing it with them, not for them."),
        ("INT", "interviewer", "Thank you."),
    ]
    assert transcript.metadata["Participant"] == "CW 14"


def _word_file(tmp_path: Path, build: object, name: str = "cw07.docx") -> Path:
    document = docx.Document()
    assert callable(build)
    build(document)
    path = tmp_path / name
    document.save(str(path))
    return path


def _labelled(document: docx.document.Document, label: str, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(label).bold = True
    paragraph.add_run(text)


def test_docx_tracked_changes_keep_inserted_and_drop_deleted_text(tmp_path: Path) -> None:
    def build(document: docx.document.Document) -> None:
        _labelled(document, "Interviewer:", " Who filled in the form?")
        paragraph = document.add_paragraph()
        paragraph.add_run("CW7:").bold = True
        paragraph.add_run(" She did ")
        paragraph._p.append(
            parse_xml(
                f'<w:del {nsdecls("w")} w:id="1" w:author="T" w:date="2025-01-01T00:00:00Z">'
                "<w:r><w:delText>none </w:delText></w:r></w:del>"
            )
        )
        paragraph._p.append(
            parse_xml(
                f'<w:ins {nsdecls("w")} w:id="2" w:author="T" w:date="2025-01-01T00:00:00Z">'
                '<w:r><w:t xml:space="preserve">all </w:t></w:r></w:ins>'
            )
        )
        paragraph.add_run("of it herself.")

    transcript = read_transcript(_word_file(tmp_path, build))
    assert turns(transcript)[1] == ("CW7", "participant", "She did all of it herself.")


def test_docx_hyperlink_text_and_line_breaks_are_kept(tmp_path: Path) -> None:
    def build(document: docx.document.Document) -> None:
        _labelled(document, "Interviewer:", " Where is the guidance?")
        paragraph = document.add_paragraph()
        paragraph.add_run("CW7:").bold = True
        paragraph.add_run(" It is on the ")
        paragraph._p.append(
            parse_xml(f'<w:hyperlink {nsdecls("w", "r")} r:id="rIdX"><w:r><w:t>intranet page</w:t></w:r></w:hyperlink>')
        )
        run = paragraph.add_run(", somewhere.")
        run.add_break()
        run.add_text("Second line.")

    transcript = read_transcript(_word_file(tmp_path, build))
    assert turns(transcript)[1][2] == "It is on the intranet page, somewhere.\nSecond line."


def test_docx_paragraphs_and_tables_are_read_in_document_order(tmp_path: Path) -> None:
    def build(document: docx.document.Document) -> None:
        meta = document.add_table(rows=2, cols=2)
        for row, (key, value) in zip(meta.rows, [("Participant", "CW7"), ("Date", "3 May 2025")], strict=True):
            row.cells[0].text, row.cells[1].text = key, value
        _labelled(document, "Interviewer:", " What did the budget cover?")
        _labelled(document, "CW7:", " Here is what we agreed:")
        budget = document.add_table(rows=2, cols=2)
        for row, (item, cost) in zip(budget.rows, [("Personal assistant", "£95"), ("Art class", "£20")], strict=True):
            row.cells[0].text, row.cells[1].text = item, cost
        document.add_paragraph("And that was it, really.")

    transcript = read_transcript(_word_file(tmp_path, build))
    assert transcript.metadata == {"Participant": "CW7", "Date": "3 May 2025"}
    assert turns(transcript)[1][2] == (
        "Here is what we agreed:\n\nPersonal assistant | £95\n\nArt class | £20\n\nAnd that was it, really."
    )


def test_docx_transcript_laid_out_as_a_speaker_and_text_table(tmp_path: Path) -> None:
    rows = [
        ("Time", "Speaker", "Text"),
        ("00:00:04", "Interviewer", "Shall we start?"),
        ("00:00:07", "Case Worker 9", "Yes, go on."),
        ("00:00:10", "Interviewer", "Tell me about training."),
    ]

    def build(document: docx.document.Document) -> None:
        table = document.add_table(rows=len(rows), cols=3)
        for row, values in zip(table.rows, rows, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value

    transcript = read_transcript(_word_file(tmp_path, build))
    assert turns(transcript) == [
        ("Interviewer", "interviewer", "Shall we start?"),
        ("Case Worker 9", "participant", "Yes, go on."),
        ("Interviewer", "interviewer", "Tell me about training."),
    ]
    assert transcript.turns[1].start_time == "00:00:07"
    assert transcript.metadata == {}
    assert_clean(transcript)


def test_docx_bold_word_inside_speech_is_emphasis_not_a_speaker(tmp_path: Path) -> None:
    def build(document: docx.document.Document) -> None:
        _labelled(document, "Interviewer:", " Was it hard?")
        paragraph = document.add_paragraph()
        paragraph.add_run("CW7: ")
        paragraph.add_run("Really").bold = True
        paragraph.add_run(" hard.")
        paragraph = document.add_paragraph()
        paragraph.add_run("Never").bold = True
        paragraph.add_run("theless we got there.")

    transcript = read_transcript(_word_file(tmp_path, build))
    assert [speaker for speaker, _, _ in turns(transcript)] == ["Interviewer", "CW7"]
    assert turns(transcript)[1][2] == "Really hard.\n\nNevertheless we got there."


# --- Captions -----------------------------------------------------------------------------------------------------

TEAMS_VTT = """WEBVTT

0d5e6f7a-1b2c-4d3e-9f80-1234567890ab/15-0
00:00:03.150 --> 00:00:06.420
<v Interviewer>So the first thing I wanted to ask</v>

0d5e6f7a-1b2c-4d3e-9f80-1234567890ab/15-1
00:00:06.420 --> 00:00:09.000
<v Interviewer>was about the training &amp; the follow-up.</v>

0d5e6f7a-1b2c-4d3e-9f80-1234567890ab/16-0
00:00:09.800 --> 00:00:14.250
<v Case Worker 16>Yeah. It was <i>a lot</i>, if I'm honest,
all in one day.</v>

0d5e6f7a-1b2c-4d3e-9f80-1234567890ab/17-0
00:00:14.900 --> 00:00:16.000
<v Interviewer>Mm.</v>
"""

ZOOM_VTT = """WEBVTT

1
00:00:01.760 --> 00:00:05.120
Researcher A: Thanks for joining. Can you hear me okay?

2
00:00:05.900 --> 00:00:08.300
Case Worker 4: Yes, loud and clear.

3
00:00:08.300 --> 00:00:11.000
Case Worker 4: Sorry, the dog is barking.

4
00:00:11.500 --> 00:00:13.000
Researcher A: No problem at all. How many people did you introduce to the RAS?
"""

SRT = """1
00:00:01,000 --> 00:00:03,500
Interviewer: Did the Ready Reckoner help?

2
00:00:04,000 --> 00:00:06,000
CW2: Not really, no.

3
00:00:06,000 --> 00:00:08,200
It gave a number, that's all.
"""


def test_teams_vtt_voice_tags_merge_into_turns_with_times(tmp_path: Path) -> None:
    transcript = read_transcript(write(tmp_path, "interview.vtt", "\ufeff" + TEAMS_VTT))
    assert turns(transcript) == [
        ("Interviewer", "interviewer", "So the first thing I wanted to ask was about the training & the follow-up."),
        ("Case Worker 16", "participant", "Yeah. It was a lot, if I'm honest, all in one day."),
        ("Interviewer", "interviewer", "Mm."),
    ]
    first = transcript.turns[0]
    assert (first.start_time, first.end_time) == ("00:00:03.150", "00:00:09.000")
    assert transcript.participant_hint == "16"
    assert_clean(transcript)


def test_zoom_vtt_name_prefixes_become_speakers(tmp_path: Path) -> None:
    transcript = read_transcript(write(tmp_path, "zoom_0412.vtt", ZOOM_VTT))
    assert turns(transcript) == [
        ("Researcher A", "interviewer", "Thanks for joining. Can you hear me okay?"),
        ("Case Worker 4", "participant", "Yes, loud and clear. Sorry, the dog is barking."),
        ("Researcher A", "interviewer", "No problem at all. How many people did you introduce to the RAS?"),
    ]
    assert_clean(transcript)


def test_srt_cues_without_a_label_continue_the_speaker(tmp_path: Path) -> None:
    transcript = read_transcript(write(tmp_path, "cw2.srt", SRT))
    assert turns(transcript) == [
        ("Interviewer", "interviewer", "Did the Ready Reckoner help?"),
        ("CW2", "participant", "Not really, no. It gave a number, that's all."),
    ]
    assert transcript.turns[1].start_time == "00:00:04.000"
    assert_clean(transcript)


# --- Plain text ---------------------------------------------------------------------------------------------------


def test_txt_header_becomes_metadata_and_unlabelled_paragraphs_continue_the_turn(tmp_path: Path) -> None:
    text = (
        "Interview: CW08\nDate: 2 May 2025\nInterviewer: Researcher A\n\n"
        "Interviewer: Tell me about the forms.\n\n"
        "CW8: Well.\n\nThere were three of them.\nAll long.\n\n"
        "Interviewer: Three?\n"
    )
    transcript = read_transcript(write(tmp_path, "notes.txt", text))
    assert transcript.metadata == {"Interview": "CW08", "Date": "2 May 2025", "Interviewer": "Researcher A"}
    assert turns(transcript) == [
        ("Interviewer", "interviewer", "Tell me about the forms."),
        ("CW8", "participant", "Well.\n\nThere were three of them.\nAll long."),
        ("Interviewer", "interviewer", "Three?"),
    ]


def test_txt_starting_straight_with_a_turn_has_no_header(tmp_path: Path) -> None:
    transcript = read_transcript(write(tmp_path, "cw1.txt", "Interviewer: Hello, thanks for coming.\nCW1: Sure.\n"))
    assert transcript.metadata == {}
    assert [t.speaker for t in transcript.turns] == ["Interviewer", "CW1"]


def test_txt_timestamps_in_labels_and_alone_on_lines_are_taken_out_of_the_text(tmp_path: Path) -> None:
    text = (
        "[00:00:05] Interviewer: How long did it take?\n"
        "Speaker 2 (00:00:09):\n"
        "Months.\n"
        "00:01:15\n"
        "[00:01:20] Honestly, months.\n"
    )
    transcript = read_transcript(write(tmp_path, "cw6.txt", text))
    assert turns(transcript) == [
        ("Interviewer", "interviewer", "How long did it take?"),
        ("Speaker 2", "participant", "Months.\nHonestly, months."),
    ]
    assert transcript.turns[0].start_time == "00:00:05"
    assert_clean(transcript)


def test_personal_name_labels_need_to_recur_and_the_questioner_is_the_interviewer(tmp_path: Path) -> None:
    text = (
        "Sarah: What did the RAS change for him?\n"
        "Tom: More choice. Note: he chose a PA.\n"
        "Note: this is not a speaker.\n"
        "Sarah: And for you?\n"
        "Tom: More paperwork.\n"
    )
    transcript = read_transcript(write(tmp_path, "p4.txt", text))
    assert turns(transcript) == [
        ("Sarah", "interviewer", "What did the RAS change for him?"),
        ("Tom", "participant", "More choice. Note: he chose a PA.\nNote: this is not a speaker."),
        ("Sarah", "interviewer", "And for you?"),
        ("Tom", "participant", "More paperwork."),
    ]


def test_markdown_front_matter_and_bold_labels(tmp_path: Path) -> None:
    text = (
        "---\nparticipant: CW11\ndate: 2025-04-01\n---\n# Interview 11\n\n"
        "**Interviewer:** What was **most** useful?\n\n**CW11:** The follow-up visits.\n"
    )
    transcript = read_transcript(write(tmp_path, "interview.md", text))
    assert transcript.metadata == {"participant": "CW11", "date": "2025-04-01"}
    assert turns(transcript) == [
        ("Interviewer", "interviewer", "What was most useful?"),
        ("CW11", "participant", "The follow-up visits."),
    ]
    assert transcript.text.startswith("Interview 11\n\n")


def test_text_with_no_speaker_labels_is_one_turn_with_a_warning(tmp_path: Path) -> None:
    transcript = read_transcript(write(tmp_path, "cw3.txt", "The whole thing was long.\n\nToo long, really.\n"))
    assert turns(transcript) == [("", "participant", "The whole thing was long.\n\nToo long, really.")]
    assert transcript.warnings == ["no speaker labels were found, so the whole text is one turn with no speaker"]


@pytest.mark.parametrize("name", ["cw01.docx", "cw09.txt", "cw14.txt", "cw16.vtt"])
def test_every_turn_is_the_text_between_its_offsets(name: str) -> None:
    transcript = read_transcript(Path(__file__).parent.parent / "transcripts_sample" / name)
    for turn in transcript.turns:
        body = transcript.text[turn.start : turn.end]
        assert body == body.strip() and body
        prefix = transcript.text[: turn.start]
        assert prefix.endswith(f"{turn.speaker}: ")
