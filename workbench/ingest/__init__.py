"""Reading transcript files into text and speaker turns."""

from __future__ import annotations

import re
from pathlib import Path

from workbench.errors import TranscriptError
from workbench.ingest.captions import read_captions
from workbench.ingest.model import Block, Join, SourceDocument, Transcript, Turn
from workbench.ingest.plaintext import read_plain_text
from workbench.ingest.turns import build_transcript
from workbench.ingest.wordfile import read_word
from workbench.userfiles import read_user_file

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".vtt", ".srt")
# A 90-minute interview is about 100 kB of text; a Word file with pictures can be a few MB. Far beyond that, the file
# is not a transcript, and reading it would only tie up memory.
MAX_FILE_BYTES = 200 * 1024 * 1024

__all__ = [
    "SUPPORTED_SUFFIXES", "Block", "Join", "SourceDocument", "Transcript", "Turn", "read_source", "read_transcript",
    "transcript_files",
]  # fmt: skip


def transcript_files(paths: list[Path]) -> list[Path]:
    """Return the files named, each folder among them replaced by the transcripts directly in it, in reading order,
    leaving out hidden files, Word's lock files and files of other types, such as the participants CSV."""
    files: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        found = sorted(
            (
                entry
                for entry in path.iterdir()
                if entry.suffix.lower() in SUPPORTED_SUFFIXES
                and entry.is_file()
                and not entry.name.startswith((".", "~$"))
            ),
            key=_natural,
        )
        if not found:
            raise TranscriptError(
                path, f"is a folder with no transcript in it (accepted: {', '.join(SUPPORTED_SUFFIXES)})"
            )
        files += found
    return files


def _natural(path: Path) -> list[tuple[int, str]]:
    """A file name's sort key in reading order: "cw3" before "cw12"."""
    return [(int(part), "") if part.isdigit() else (-1, part.casefold()) for part in re.split(r"(\d+)", path.name)]


def read_source(path: Path) -> bytes:
    """Return a transcript file's bytes, once its type and size are known to be acceptable."""
    _check_type(path)
    return read_user_file(path, TranscriptError, "a transcript", MAX_FILE_BYTES)


def read_transcript(path: str | Path, data: bytes | None = None) -> Transcript:
    """Return the transcript in a file: its normalised text and its speaker turns.

    ``data`` is the file's content when it has already been read (an upload); otherwise the file is read from disk.
    Raises TranscriptError, naming the file, for unsupported types and unreadable or empty files.
    """
    path = Path(path)
    _check_type(path)
    if data is None:
        data = read_source(path)
    elif len(data) > MAX_FILE_BYTES:
        raise TranscriptError(path, f"is too large for a transcript (the limit is {MAX_FILE_BYTES // 2**20} MB)")
    suffix = path.suffix.lower()
    if not data.strip():
        raise TranscriptError(path, "has no readable text (the file is empty or only white space)")
    if suffix == ".docx":
        source = read_word(path, data)
    elif suffix in (".vtt", ".srt"):
        source = read_captions(path, data, subrip=suffix == ".srt")
    else:
        source = read_plain_text(path, data, markdown=suffix == ".md")
    transcript = build_transcript(source)
    if not transcript.text.strip():
        raise TranscriptError(path, "has no readable text")
    return transcript


def _check_type(path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise TranscriptError(path, _unsupported(suffix))


def _unsupported(suffix: str) -> str:
    accepted = ", ".join(SUPPORTED_SUFFIXES)
    if suffix == ".pdf":
        return f"is a PDF, which cannot be imported; save the transcript as .docx or .txt (accepted: {accepted})"
    if suffix == ".doc":
        return f"is an old-style Word .doc; open it in Word or LibreOffice and save it as .docx (accepted: {accepted})"
    if not suffix:
        return f"has no file extension, so its type is unknown (accepted: {accepted})"
    return f"is a {suffix} file, which cannot be imported (accepted: {accepted})"
