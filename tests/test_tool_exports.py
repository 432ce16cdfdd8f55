"""Exports of the tools evaluators transcribe with (Teams, Zoom, Otter, Rev, HappyScribe) and their damaged files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest

from tests.conftest import write
from tests.test_readers import assert_clean, turns
from workbench.errors import TranscriptError
from workbench.ingest import read_transcript

ASK, ANSWER = "What does a typical week look like?", "Visits on Monday, notes by Friday."


def _word(tmp_path: Path, paragraphs: list[str], name: str = "export.docx") -> Path:
    """A Word file with one paragraph per item; a "\\n" in an item is a line break (Shift+Enter)."""
    document = docx.Document()
    for text in paragraphs:
        lines = text.split("\n")
        run = document.add_paragraph().add_run(lines[0])
        for line in lines[1:]:
            run.add_break()
            run.add_text(line)
    path = tmp_path / name
    document.save(str(path))
    return path


@pytest.mark.parametrize("one_paragraph_per_cue", [False, True])
def test_teams_classic_docx_time_name_and_text(tmp_path: Path, one_paragraph_per_cue: bool) -> None:
    cues = [("0:0:3.0 --> 0:0:5.420", "Jane Smith", ASK), ("0:0:5.420 --> 0:0:9.130", "Tom Example", ANSWER),
            ("0:0:9.130 --> 0:0:11.0", "Tom Example", "Mostly.")]  # fmt: skip
    paragraphs = ["\n".join(cue) for cue in cues] if one_paragraph_per_cue else [line for cue in cues for line in cue]
    transcript = read_transcript(_word(tmp_path, paragraphs))
    assert turns(transcript) == [
        ("Jane Smith", "interviewer", ASK),
        ("Tom Example", "participant", f"{ANSWER}\n\nMostly."),
    ]
    assert transcript.turns[1].start_time == "0:0:5.420"
    assert_clean(transcript)


def test_teams_new_docx_name_and_time_lines_without_the_transcription_notes(tmp_path: Path) -> None:
    paragraphs = ["Jane Smith started transcription", "Jane Smith   0:03", ASK, "Tom Example   0:09", ANSWER,
                  "Tom Example   0:15", "Mostly.", "Jane Smith   stopped transcription"]  # fmt: skip
    transcript = read_transcript(_word(tmp_path, paragraphs))
    assert turns(transcript) == [
        ("Jane Smith", "interviewer", ASK),
        ("Tom Example", "participant", f"{ANSWER}\n\nMostly."),
    ]
    assert "transcription" not in transcript.text


def test_zoom_text_transcript_with_bracketed_names(tmp_path: Path) -> None:
    text = f"[Jane Smith] 10:15:32\n{ASK}\n\n[Tom Example] 10:15:36\n{ANSWER}\n"
    transcript = read_transcript(write(tmp_path, "meeting_saved_closed_caption.txt", text))
    assert turns(transcript) == [("Jane Smith", "interviewer", ASK), ("Tom Example", "participant", ANSWER)]
    assert transcript.turns[0].start_time == "10:15:32"


def test_otter_export_merges_a_speakers_segments_and_drops_its_footer(tmp_path: Path) -> None:
    text = f"Speaker 1  0:00\n{ASK}\n\nSpeaker 2  0:04\n{ANSWER}\n\nSpeaker 2  0:09\nMostly.\n\nTranscribed by https://otter.ai\n"
    transcript = read_transcript(write(tmp_path, "otter.txt", text))
    assert turns(transcript) == [
        ("Speaker 1", "interviewer", ASK),
        ("Speaker 2", "participant", f"{ANSWER}\n\nMostly."),
    ]


@pytest.mark.parametrize(
    "text",
    [
        f"Jane Smith: (00:03) {ASK}\n\nTom Example: (00:07) {ANSWER}\n",  # Rev, time after the colon
        f"00:00:03 Jane Smith\n{ASK}\n\n00:00:07 Tom Example\n{ANSWER}\n",  # HappyScribe, time before the name
    ],
)
def test_times_beside_names_go_to_the_turn_not_the_speech(tmp_path: Path, text: str) -> None:
    transcript = read_transcript(write(tmp_path, "cw7.txt", text))
    assert turns(transcript) == [("Jane Smith", "interviewer", ASK), ("Tom Example", "participant", ANSWER)]
    assert transcript.turns[1].start_time in ("00:07", "00:00:07")


@pytest.mark.parametrize(
    ("interviewer", "participant"),
    [
        ("Jane Smith (she/her)", "Tom Example (he/him)"),
        ("Smith, Jane", "Example, Tom"),
        ("jane smith", "tom"),
        ("Jane Smith - Research Team", "Tom's iPhone"),
    ],
)
def test_zoom_vtt_display_names_as_people_type_them(tmp_path: Path, interviewer: str, participant: str) -> None:
    cues = [(interviewer, ASK), (participant, ANSWER), (interviewer, "And the paperwork?"), (participant, "Doubled.")]
    body = "".join(
        f"{n}\n00:00:{2 * n:02d}.000 --> 00:00:{2 * n + 1:02d}.500\n{who}: {text}\n\n"
        for n, (who, text) in enumerate(cues, 1)
    )
    transcript = read_transcript(write(tmp_path, "zoom.vtt", "WEBVTT\n\n" + body))
    assert turns(transcript) == [
        (interviewer, "interviewer", ASK),
        (participant, "participant", ANSWER),
        (interviewer, "interviewer", "And the paperwork?"),
        (participant, "participant", "Doubled."),
    ]


def test_labels_with_initials_in_brackets(tmp_path: Path) -> None:
    transcript = read_transcript(
        write(tmp_path, "notes.txt", f"Interviewer (JS): {ASK}\nParticipant (CW7): {ANSWER}\n")
    )
    assert turns(transcript) == [
        ("Interviewer (JS)", "interviewer", ASK),
        ("Participant (CW7)", "participant", ANSWER),
    ]
    assert transcript.participant_hint == "7"


def test_header_under_a_title_line_is_metadata_and_names_the_interviewer(tmp_path: Path) -> None:
    text = (
        "Interview transcript – Case Worker 7\n\n"
        "Interview: CW07\nDate: 12/03/2024\nInterviewer: Jane Smith\nDuration: 01:02:13\n\n"
        f"Jane Smith: {ASK}\n\nTom Example: {ANSWER}\n\nJane Smith: Thanks.\n\nTom Example: Bye.\n"
    )
    transcript = read_transcript(write(tmp_path, "cw07.txt", text))
    assert transcript.metadata == {
        "Interview": "CW07", "Date": "12/03/2024", "Interviewer": "Jane Smith", "Duration": "01:02:13"
    }  # fmt: skip
    assert [(t.speaker, t.role) for t in transcript.turns][:2] == [
        ("Jane Smith", "interviewer"),
        ("Tom Example", "participant"),
    ]
    assert transcript.text.startswith("Interview transcript – Case Worker 7\n\nJane Smith: ")


def test_header_typed_as_word_paragraphs_ends_where_the_first_short_turn_starts(tmp_path: Path) -> None:
    paragraphs = ["Interview: CW07", "Date: 12/03/2024", "Interviewer: Jane Smith", "Jane Smith: Thanks for coming.",
                  f"Tom Example: {ANSWER}", f"Jane Smith: {ASK}", "Tom Example: Busy."]  # fmt: skip
    transcript = read_transcript(_word(tmp_path, paragraphs))
    assert transcript.metadata == {"Interview": "CW07", "Date": "12/03/2024", "Interviewer": "Jane Smith"}
    assert turns(transcript)[0] == ("Jane Smith", "interviewer", "Thanks for coming.")


def test_times_of_day_in_speech_are_kept(tmp_path: Path) -> None:
    text = "Interviewer: When do visits start?\nCW7: Usually early.\n9:15 is the first one.\n"
    text += "10:30 - 11:00 is the huddle.\n"
    transcript = read_transcript(write(tmp_path, "cw7.txt", text))
    assert turns(transcript)[1][2] == "Usually early.\n9:15 is the first one.\n10:30 - 11:00 is the huddle."


# --- damaged and disguised files ----------------------------------------------------------------------------------


def _docx_bytes(tmp_path: Path) -> bytes:
    return _word(tmp_path, ["Interviewer: Hello?", "CW7: Hi."], name="source.docx").read_bytes()


def _corrupt_deflate(data: bytes) -> bytes:
    """Zero the compressed bytes of word/document.xml, leaving the zip directory intact."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged = bytearray(data)
    damaged[start + 10 : start + info.compress_size - 10] = bytes(info.compress_size - 20)
    return bytes(damaged)


def _encrypted_container() -> bytes:
    """The start of an OLE compound file whose directory names an EncryptedPackage stream, as Word writes."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "EncryptedPackage".encode("utf-16-le") + bytes(100)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cw7.docx", _corrupt_deflate, "cw7.docx: is a damaged Word document; open it in Word or LibreOffice and save "
         "it as .docx again"),
        ("cw7.docx", lambda _: _encrypted_container(), "cw7.docx: is password-protected; open it in Word, remove the "
         "password and save it again"),
        ("cw7.vtt", lambda _: b"1\n00:00:01,000 --> 00:00:02,000\nHi.\n", "cw7.vtt: is a SubRip caption file with a "
         ".vtt name; rename it to .srt"),
        ("cw7.vtt", lambda _: b"WEBVTT\n\n00:00:01.000 -> 00:00:04.000\nHello?\n", "cw7.vtt, line 3: the cue timing "
         "'00:00:01.000 -> 00:00:04.000' is not valid; it should look like 00:00:01.000 --> 00:00:04.000"),
        ("cw7.vtt", lambda _: b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nHello?\n\nLost words.\n", "cw7.vtt, line 6: "
         "this caption has no timing line (one like 00:00:01.000 --> 00:00:04.000), so its text would be lost"),
        ("cw7.srt", lambda _: b"1\n00:00:01 --> 00:00:02\nHi.\n", "cw7.srt, line 2: the cue timing '00:00:01 --> "
         "00:00:02' is not valid; it should look like 00:00:01,000 --> 00:00:04,000"),
    ],
)  # fmt: skip
def test_damaged_and_disguised_files_are_refused_in_one_sentence(
    tmp_path: Path, name: str, content: object, message: str
) -> None:
    assert callable(content)
    path = write(tmp_path, name, content(_docx_bytes(tmp_path)))
    with pytest.raises(TranscriptError) as error:
        read_transcript(path)
    assert str(error.value) == message
