"""Reading a codebook file's bytes as text, refusing files that are missing, empty, binary or not UTF-8."""

from __future__ import annotations

import codecs
from pathlib import Path

from workbench.codebook.model import Codebook
from workbench.codebook.parse import parse_codebook
from workbench.errors import CodebookError
from workbench.userfiles import read_user_file

# A codebook of a few hundred codes is tens of kB; anything far larger is not a codebook.
MAX_FILE_BYTES = 10 * 1024 * 1024
_BINARY = (
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"), (b"%PDF", "a PDF"),
    (b"PK\x03\x04", "a zip archive (such as .docx or .xlsx)"), (b"\xd0\xcf\x11\xe0", "an old-style Office file"),
)  # fmt: skip


def read_codebook(path: str | Path) -> Codebook:
    """Return the codebook in a YAML file; raise CodebookError naming the file (and line) when it cannot be used."""
    return parse_codebook(read_text(path), path)


def read_text(path: str | Path) -> str:
    """Return a codebook file's text with LF line ends; raise CodebookError when it is not a readable text file."""
    path = Path(path)
    return decode_text(path, read_user_file(path, CodebookError, "a codebook", MAX_FILE_BYTES))


def decode_text(path: str | Path, data: bytes) -> str:
    """Return a codebook's bytes (read from ``path`` or uploaded as it) as text with LF line ends."""
    path = Path(path)
    if not data.strip():
        raise CodebookError(path, "is empty; a codebook needs a name and a list of themes")
    for magic, kind in _BINARY:
        if data.startswith(magic):
            raise CodebookError(path, f"is {kind}, not a codebook; a codebook is a YAML text file")
    if b"\x00" in data:
        raise CodebookError(path, "is a binary file, not a codebook; a codebook is a YAML text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise CodebookError(
            path, f"is not UTF-8 text (byte {error.start + 1} on line {line} is not valid UTF-8); save it as UTF-8"
        ) from None
    return text.removeprefix(codecs.BOM_UTF8.decode()).replace("\r\n", "\n").replace("\r", "\n")
