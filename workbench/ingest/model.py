"""What the readers hand on: blocks of source text, and the transcript (text plus speaker turns) built from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Join(Enum):
    """How a block attaches to the one before it in the same turn."""

    PARAGRAPH = "\n\n"  # a new paragraph (docx paragraphs, txt paragraphs)
    LINE = "\n"  # a line break inside a paragraph (hard-wrapped txt)
    CUE = " "  # the next caption cue of the same utterance


@dataclass(frozen=True)
class Block:
    """One paragraph, line or caption cue of a source file, before speaker turns are found.

    ``speaker`` is set only where the format states it outright: a bold label in Word, a voice tag in WebVTT, a
    speaker column in a table. Otherwise the turn builder looks for a ``Label:`` at the start of ``text``.
    """

    text: str
    join: Join = Join.PARAGRAPH
    speaker: str | None = None
    start_time: str | None = None
    end_time: str | None = None


@dataclass
class SourceDocument:
    """A file read into blocks, with any metadata its header held (a docx table, a txt header, YAML front matter)."""

    blocks: list[Block]
    format: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Turn:
    """One speaker's uninterrupted talk: ``text[start:end]`` of the transcript, without the speaker label."""

    speaker: str
    role: str  # "interviewer" or "participant"
    start: int
    end: int
    start_time: str | None = None
    end_time: str | None = None


@dataclass
class Transcript:
    """The document text of one interview and its speaker turns, as offsets into that text."""

    text: str
    turns: list[Turn]
    format: str
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    participant_hint: str | None = None  # a participant number read from the speaker labels, if one was clear
