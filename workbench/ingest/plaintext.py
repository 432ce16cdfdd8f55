"""Plain-text and Markdown transcripts: lines to blocks, with a ``Key: value`` header or YAML front matter."""

from __future__ import annotations

import re
from pathlib import Path

from workbench.ingest.decode import decode_text
from workbench.ingest.model import Block, Join, SourceDocument

_FIELD = re.compile(r"^(?P<key>[A-Za-z][\w '’/-]{0,30}?)\s*:\s*(?P<value>.{0,100})$")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")
_MARKDOWN_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def read_plain_text(path: Path, data: bytes, *, markdown: bool = False) -> SourceDocument:
    """Return the blocks of a .txt or .md transcript: one per line, joined as paragraphs at blank lines.

    A ``Key: value`` header is found later, for every format alike (turns.py); Markdown front matter is found here.
    """
    text = decode_text(data, path)
    lines = text.split("\n")
    metadata: dict[str, str] = {}
    if markdown:
        lines, metadata = _front_matter(lines)
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


def _front_matter(lines: list[str]) -> tuple[list[str], dict[str, str]]:
    """Split off YAML front matter (``---`` ... ``---``) of simple ``key: value`` lines."""
    if not lines or lines[0].strip() != "---":
        return lines, {}
    for end in range(1, len(lines)):
        if lines[end].strip() in {"---", "..."}:
            pairs = {}
            for line in lines[1:end]:
                if (match := _FIELD.match(line.strip())) is not None:
                    pairs[match.group("key").strip()] = match.group("value").strip().strip("\"'")
            return lines[end + 1 :], pairs
    return lines, {}
