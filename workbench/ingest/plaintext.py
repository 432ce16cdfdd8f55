"""Plain-text and Markdown transcripts: lines to blocks, with a ``Key: value`` header or YAML front matter."""

from __future__ import annotations

import re
from pathlib import Path

from workbench.ingest.decode import decode_text
from workbench.ingest.model import Block, Join, SourceDocument

# Header keys that only ever describe the interview, never a speaker; a header must hold at least one of them, so
# that a transcript opening "Interviewer: Hello" is never mistaken for one.
_DESCRIPTIVE_KEYS = {
    "date", "time", "duration", "length", "location", "venue", "place", "transcriber", "transcribed by",
    "recorded", "recording", "recording date", "interview date", "interview", "interview id", "interview no",
    "interview number", "transcript", "transcript id", "project", "study", "site", "file", "mode", "format",
    "role", "team", "audio", "language", "setting",
}  # fmt: skip
_HEADER_LINE = re.compile(r"^(?P<key>[A-Za-z][\w '’/-]{0,30}?)\s*:\s*(?P<value>.{0,100})$")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")
_MARKDOWN_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def read_plain_text(path: Path, data: bytes, *, markdown: bool = False) -> SourceDocument:
    """Return the blocks of a .txt or .md transcript: one per line, joined as paragraphs at blank lines."""
    text = decode_text(data, path)
    lines = text.split("\n")
    metadata: dict[str, str] = {}
    if markdown:
        lines, metadata = _front_matter(lines)
    if not metadata:
        lines, metadata = _header(lines)
    blocks: list[Block] = []
    join = Join.PARAGRAPH
    for line in lines:
        if not line.strip():
            join = Join.PARAGRAPH
            continue
        if markdown:
            line = _MARKDOWN_HEADING.sub("", line)
            line = _MARKDOWN_EMPHASIS.sub(lambda found: _emphasis(found), line)
        blocks.append(Block(text=line.strip(), join=join))
        join = Join.LINE
    return SourceDocument(blocks=blocks, format="md" if markdown else "txt", metadata=metadata)


def _emphasis(found: re.Match[str]) -> str:
    # "**Interviewer:**" keeps its markers so the label parser sees a bold label; other emphasis is dropped.
    inner = found.group(2)
    return found.group(0) if inner.rstrip().endswith(":") else inner


def _header(lines: list[str]) -> tuple[list[str], dict[str, str]]:
    """Split off a leading block of ``Key: value`` lines that describes the interview."""
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    found = [_HEADER_LINE.match(line.strip()) for line in lines[start:end]]
    if not found or end >= len(lines) or not all(found):
        return lines, {}
    pairs = {match.group("key").strip(): match.group("value").strip() for match in found if match}
    if not any(key.casefold() in _DESCRIPTIVE_KEYS for key in pairs):
        return lines, {}
    return lines[end:], pairs


def _front_matter(lines: list[str]) -> tuple[list[str], dict[str, str]]:
    """Split off YAML front matter (``---`` ... ``---``) of simple ``key: value`` lines."""
    if not lines or lines[0].strip() != "---":
        return lines, {}
    for end in range(1, len(lines)):
        if lines[end].strip() in {"---", "..."}:
            pairs = {}
            for line in lines[1:end]:
                if (match := _HEADER_LINE.match(line.strip())) is not None:
                    pairs[match.group("key").strip()] = match.group("value").strip().strip("\"'")
            return lines[end + 1 :], pairs
    return lines, {}
