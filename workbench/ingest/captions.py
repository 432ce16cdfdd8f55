"""Caption transcripts (.vtt from Teams or Zoom, .srt): cues to blocks; times go to turn metadata, never the text."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from workbench.errors import TranscriptError
from workbench.ingest.decode import clean_text, decode_text
from workbench.ingest.model import Block, Join, SourceDocument
from workbench.ingest.speakers import clean_label, looks_like_label

# Teams writes "<v Jane Smith>text</v>"; a cue may hold several voices, one per line.
_VOICE = re.compile(r"^\s*<v(?:\.[^\s>]+)*\s+([^>]+)>")
_TAG = re.compile(r"</?[^>\s][^>]*>")
# Speaker notes some tools put in brackets at the start of a cue: "[Jane Smith] text", ">> JANE: text".
_BRACKETED_SPEAKER = re.compile(r"^\s*\[(?P<speaker>[^\]\d][^\]]{0,40})\]\s*(?P<text>.*)$", re.DOTALL)
_CHEVRONS = re.compile(r"^\s*(?:>>|-)\s*")


def read_captions(path: Path, data: bytes, *, subrip: bool = False) -> SourceDocument:
    """Return one block per cue (or per voice within a cue), in time order."""
    content = decode_text(data, path)
    try:
        if subrip:
            captions = webvtt.WebVTT.from_buffer(io.StringIO(content), format="srt").captions
        else:
            captions = webvtt.WebVTT.from_string(content).captions
    except (MalformedFileError, MalformedCaptionError) as error:
        kind = "SubRip (.srt)" if subrip else "WebVTT (.vtt)"
        detail = str(error).rstrip(".") or "its cues cannot be read"
        raise TranscriptError(path, f"is not a valid {kind} file: {detail}") from None
    blocks: list[Block] = []
    for caption in captions:
        for speaker, text in _voices(caption.raw_text):
            if text:
                blocks.append(
                    Block(text=text, join=Join.CUE, speaker=speaker, start_time=caption.start, end_time=caption.end)
                )
    return SourceDocument(blocks=blocks, format="srt" if subrip else "vtt")


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
