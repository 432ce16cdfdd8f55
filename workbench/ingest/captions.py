"""Caption transcripts (.vtt from Teams or Zoom, .srt): cues to blocks; times go to turn metadata, never the text."""

from __future__ import annotations

import html
import io
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from workbench.errors import TranscriptError
from workbench.ingest.decode import clean_text, decode_text
from workbench.ingest.model import Block, Join, SourceDocument
from workbench.ingest.speakers import NOT_SPEAKERS, clean_label, looks_like_label

# Teams writes "<v Jane Smith>text</v>"; a cue may hold several voices, one per line.
# Each pattern can match a piece of text in one way only, so that a long line without the closing ">" costs linear
# time: "(?:\.[^\s>]+)*" alone would try every split of "<v.a.a.a..." (exponential), and a tag that may hold "<"
# would rescan the rest of the line from every "<" (quadratic).
_VOICE = re.compile(r"^\s*<v(?:\.[^\s>.]+)*\s+([^>\s][^>]*)>")
_TAG = re.compile(r"</?[^<>\s][^<>]*>")
# Speaker notes some tools put in brackets at the start of a cue: "[Jane Smith] text", ">> JANE: text".
_BRACKETED_SPEAKER = re.compile(r"^\s*\[(?P<speaker>[^\]\d][^\]]{0,40})\]\s*(?P<text>.*)$", re.DOTALL)
_CHEVRONS = re.compile(r"^\s*(?:>>|-)\s*")
# Zoom puts the participant's display name before a colon, and display names are anything people type:
# "Smith, Jane", "jane smith", "Tom's iPhone", "Jane Smith (she/her)", "Jane Smith - Research Team".
_DISPLAY_NAME = re.compile(r"^(?P<speaker>[^:\n?!]{1,60}?):\s+(?P<text>\S.*)$", re.DOTALL)
_VTT_TIMING = re.compile(r"^(?:\d+:)?\d{2}:\d{2}\.\d{3}\s+-->\s+(?:\d+:)?\d{2}:\d{2}\.\d{3}(?:\s+\S.*)?$")
_SRT_TIMING = re.compile(r"^\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s+-->\s+\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}(?:\s+\S.*)?$")
# A clock reading with an arrow of some sort after it; see _looks_like_timing().
_CLOCK = re.compile(r"\d:\d")
_ARROWISH = re.compile(r"->|—>|=>|\s-\s")
_NOT_CUES = ("NOTE", "STYLE", "REGION")


def read_captions(path: Path, data: bytes, *, subrip: bool = False) -> SourceDocument:
    """Return one block per cue (or per voice within a cue), in time order."""
    content = decode_text(data, path)
    _check_cues(path, content, subrip=subrip)
    try:
        if subrip:
            captions = webvtt.WebVTT.from_buffer(io.StringIO(content), format="srt").captions
        else:
            captions = webvtt.WebVTT.from_string(content).captions
    except (MalformedFileError, MalformedCaptionError):
        kind = "SubRip (.srt)" if subrip else "WebVTT (.vtt)"
        raise TranscriptError(path, f"is not a valid {kind} file; export the captions again") from None
    pieces = [
        (speaker, text, caption.start, caption.end)
        for caption in captions
        for speaker, text in _voices(caption.raw_text)
        if text
    ]
    names = _display_names(text for speaker, text, _, _ in pieces if speaker is None)
    blocks = []
    for speaker, text, start, end in pieces:
        if speaker is None and (named := _DISPLAY_NAME.match(text)) and named.group("speaker").strip() in names:
            speaker, text = named.group("speaker").strip(), named.group("text").strip()
        blocks.append(Block(text=text, join=Join.CUE, speaker=speaker, start_time=start, end_time=end))
    return SourceDocument(blocks=blocks, format="srt" if subrip else "vtt")


def _check_cues(path: Path, content: str, *, subrip: bool) -> None:
    """Raise TranscriptError, with its line, for a cue the caption parser would silently drop."""
    blocks: list[tuple[int, list[str]]] = []  # (first line number, lines) of each blank-line-separated block
    in_block = False
    for number, line in enumerate(content.split("\n"), 1):
        if not line.strip():
            in_block = False
            continue
        if not in_block:
            blocks.append((number, []))
            in_block = True
        blocks[-1][1].append(line)
    if not subrip:
        if not blocks or not blocks[0][1][0].lstrip().startswith("WEBVTT"):
            looks_srt = len(blocks) > 0 and any(_SRT_TIMING.match(line.strip()) for line in blocks[0][1][:2])
            if looks_srt:
                raise TranscriptError(path, "is a SubRip caption file with a .vtt name; rename it to .srt")
            raise TranscriptError(path, "is not a WebVTT caption file: its first line must be WEBVTT")
        blocks = blocks[1:]
    timing = _SRT_TIMING if subrip else _VTT_TIMING
    example = "00:00:01,000 --> 00:00:04,000" if subrip else "00:00:01.000 --> 00:00:04.000"
    for start, block in blocks:
        if block[0].split(" ", 1)[0] in _NOT_CUES:
            continue
        for offset, line in enumerate(block[:2]):
            if timing.match(line.strip()):
                break
            if _looks_like_timing(line):
                reason = f"the cue timing {line.strip()!r} is not valid; it should look like {example}"
                raise TranscriptError(path, reason, line=start + offset)
        else:
            raise TranscriptError(
                path, f"this caption has no timing line (one like {example}), so its text would be lost", line=start
            )


def _looks_like_timing(line: str) -> bool:
    """True for a line with a clock reading and an arrow after it: a cue timing mistyped.

    Two searches instead of one pattern like "\\d+:\\d+.*->", which would rescan the rest of a long line from
    every digit (quadratic time: minutes for a 60 kB line).
    """
    clock = _CLOCK.search(line)
    return clock is not None and _ARROWISH.search(line, clock.end()) is not None


def _display_names(texts: Iterable[str]) -> set[str]:
    """Return the cue prefixes that are speakers' display names: those that open at least two cues."""
    counts: Counter[str] = Counter()
    for text in texts:
        named = _DISPLAY_NAME.match(text)
        if named is not None:
            counts[named.group("speaker").strip()] += 1
    return {
        name
        for name, count in counts.items()
        if count >= 2 and any(c.isalpha() for c in name) and name.casefold() not in NOT_SPEAKERS
    }


def _voices(raw_text: str) -> list[tuple[str | None, str]]:
    """Split a cue's raw text into (speaker, text) pieces: a new piece at each voice tag."""
    pieces: list[tuple[str | None, list[str]]] = []
    for line in raw_text.split("\n"):
        voice = _VOICE.match(line)
        if voice is not None or not pieces:
            pieces.append((voice.group(1).strip() if voice else None, []))
        pieces[-1][1].append(_plain(line))
    result: list[tuple[str | None, str]] = []
    for speaker, lines in pieces:
        text = " ".join(line for line in lines if line)
        if speaker is None:
            bracketed = _BRACKETED_SPEAKER.match(text)
            if bracketed is not None and looks_like_label(clean_label(bracketed.group("speaker"))):
                speaker, text = bracketed.group("speaker").strip(), bracketed.group("text")
        result.append((speaker, text.strip()))
    return result


def _plain(line: str) -> str:
    """Return a cue line without tags, entities, chevrons or stray white space."""
    text = html.unescape(_TAG.sub("", line))
    return clean_text(_CHEVRONS.sub("", text)).strip()
