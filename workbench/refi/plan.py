"""What the project.qde of a .qdpx holds, read and checked before any project is made: the plan of an import.

Positions are still as the producer wrote them; GUIDs are in one spelling (upper case, no braces). The DROPPED_*
names are the kinds of element the import cannot keep, as the report words them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from workbench.refi.positions import Counting
from workbench.refi.qdc_import import ImportedCodebook

# What the report calls each kind of element it could not keep.
DROPPED_MEDIA = "codings on pictures, PDFs, audio and video"
DROPPED_MISSING = "text sources whose text file is not in the archive"
DROPPED_UNREADABLE = "text sources that cannot be read as transcripts"
DROPPED_ON_LOST = "codings on text sources that were not imported"
DROPPED_RANGE = "selections beyond the end of their text"
DROPPED_POSITIONS = "selections with unreadable positions"
DROPPED_EMPTY = "empty selections"
DROPPED_UNCODED = "selections with no coding"
DROPPED_NOT_FOUND = "selections whose words are not in the imported transcript"
DROPPED_UNKNOWN_CODE = "codings of codes missing from the codebook"
DROPPED_LATE_NOTES = "notes on transcripts, selections and codings (add them as memos after sign-off)"
DROPPED_LATE_DESCRIPTIONS = "descriptions of transcripts, selections and codings (add them as memos after sign-off)"
DROPPED_LOOSE_NOTES = "notes attached to nothing the workbench keeps"
DROPPED_PROJECT = "the project's description and notes"
DROPPED_CASES = "cases with no imported transcript"


@dataclass
class Coding:
    """One Coding element: the GUID of its code, its coder's name and its own GUID."""

    code: str
    coder: str
    guid: str


@dataclass
class Selection:
    """A selection [start, end) with its codings; an end of -1 stands for the whole text (codings on a source)."""

    guid: str
    start: int
    end: int
    codings: list[Coding]


@dataclass
class Text:
    """A text source (or a media transcript) with its text and its codings, positions still as the producer wrote."""

    guid: str
    name: str
    data: bytes
    raw: str
    selections: list[Selection]
    variables: dict[str, str]
    sha256: str = ""


@dataclass
class Note:
    """A Note: its name (a memo kind, when it is one), its text and its author's name."""

    name: str
    text: str
    author: str


@dataclass
class Case:
    """A Case: its GUID, name, variable values and the GUIDs of the sources and selections it refers to."""

    guid: str
    name: str
    variables: dict[str, str]
    sources: list[str]


@dataclass
class Plan:
    """Everything read from the archive, checked, before the project is created."""

    name: str
    origin: str
    counting: Counting
    codebooks: list[ImportedCodebook]
    texts: list[Text]
    cases: list[Case]
    notes: dict[str, Note]
    code_notes: list[tuple[str, str]]
    """(code GUID, Note GUID) for each Note linked to a code (NVivo annotates codes with Links)."""
    users: dict[str, str]
    sources: int
    dropped: Counter[str]
    warnings: list[str]
