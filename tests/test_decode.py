"""Plain-text decoding: every encoding evaluators' tools produce comes out as the same clean text."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from workbench.errors import TranscriptError
from workbench.ingest import read_transcript

TEXT = "Interviewer: How was the “live test”?\nCW3: It cost £180 a week – that’s fine.\n"


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("utf-8", TEXT.encode("utf-8")),
        ("utf-8 with BOM", codecs.BOM_UTF8 + TEXT.encode("utf-8")),
        ("utf-16 LE with BOM", TEXT.encode("utf-16")),
        ("utf-16 BE with BOM", codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be")),
        ("utf-16 LE without BOM", TEXT.encode("utf-16-le")),
        ("windows-1252", TEXT.encode("cp1252")),
        ("windows-1252 with CRLF", TEXT.replace("\n", "\r\n").encode("cp1252")),
        ("old Mac CR line ends", TEXT.replace("\n", "\r").encode("utf-8")),
    ],
)
def test_every_encoding_gives_the_same_turns(tmp_path: Path, label: str, data: bytes) -> None:
    path = tmp_path / "cw03.txt"
    path.write_bytes(data)
    transcript = read_transcript(path)
    turns = [(turn.speaker, transcript.text[turn.start : turn.end]) for turn in transcript.turns]
    assert turns == [
        ("Interviewer", "How was the “live test”?"),
        ("CW3", "It cost £180 a week – that’s fine."),
    ], label
    assert "\ufeff" not in transcript.text and "\r" not in transcript.text


def test_decomposed_accents_are_composed_so_search_and_offsets_agree(tmp_path: Path) -> None:
    path = tmp_path / "cw1.txt"
    path.write_text("Interviewer: Cafe\u0301 or cafe?\nCW1: The cafe\u0301.\n", encoding="utf-8")
    transcript = read_transcript(path)
    assert "Café" in transcript.text and "e\u0301" not in transcript.text


def test_invisible_characters_and_non_breaking_spaces_are_removed(tmp_path: Path) -> None:
    path = tmp_path / "cw1.txt"
    path.write_text("Interviewer:\u00a0Self\u200b-assessment?\nCW1: Yes\u00ad.\n", encoding="utf-8")
    transcript = read_transcript(path)
    assert transcript.text == "Interviewer: Self-assessment?\n\nCW1: Yes."


def test_a_stray_control_character_is_dropped_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "cw1.txt"
    path.write_bytes(b"Interviewer: Hello?\nCW1: Hi there.\x1a")
    assert read_transcript(path).text.endswith("Hi there.")


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("cw1.txt", b"", "has no readable text (the file is empty or only white space)"),
        ("cw1.txt", b"  \n\t\r\n  ", "has no readable text (the file is empty or only white space)"),
        ("cw1.txt", bytes(range(256)) * 4, "is a binary file, not a text transcript"),
        ("cw1.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "is a PNG image, not a transcript"),
        (
            "cw1.md",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            "is a PDF; save the transcript from your word processor as .docx or .txt",
        ),
        (
            "cw1.vtt",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
            "is an old-style Word .doc or other Office 97 file; save it as .docx",
        ),
    ],
)
def test_binary_and_empty_text_files_are_refused(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(TranscriptError) as error:
        read_transcript(path)
    assert str(error.value) == f"{name}: {reason}"
