"""Bytes to clean text: encoding detection, line endings, Unicode normal form, and telling binaries apart."""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from workbench.errors import TranscriptError

# Magic numbers of the files people most often mistake for transcripts, with the fix to suggest.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF; save the transcript from your word processor as .docx or .txt"),
    (b"\x89PNG", "a PNG image, not a transcript"),
    (b"\xff\xd8\xff", "a JPEG image, not a transcript"),
    (b"GIF8", "a GIF image, not a transcript"),
    (b"\xd0\xcf\x11\xe0", "an old-style Word .doc or other Office 97 file; save it as .docx"),
    (b"{\\rtf", "an RTF document; save it as .docx or .txt"),
    (b"PK\x03\x04", "a zip archive (such as .docx, .xlsx or .odt) with the wrong file extension"),
    (b"ID3", "an audio file, not a transcript"),
    (b"RIFF", "an audio or video file, not a transcript"),
)

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"\r\n|\r|\u2028|\u2029|\u0085|\x0c|\x0b")
# Zero-width characters that word processors and web copy leave behind; they split words for search and spaCy.
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def describe_binary(data: bytes) -> str | None:
    """Return what a binary file looks like ("a PNG image, ...") or None when it has no known signature."""
    for magic, description in _SIGNATURES:
        if data.startswith(magic):
            return description
    return None


def decode_text(data: bytes, path: str | Path) -> str:
    """Return the text of a plain-text file: BOM-marked UTF-8 or UTF-16, else UTF-8, else Windows-1252.

    Raises TranscriptError for binary files and for files with no readable text.
    """
    if data.startswith(codecs.BOM_UTF8):
        text = _decode(data[len(codecs.BOM_UTF8) :], "utf-8", path)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode(data, "utf-16", path)
    elif (encoding := _bomless_utf16(data)) is not None:
        text = _decode(data, encoding, path)
    else:
        known = describe_binary(data)
        if known is not None:
            raise TranscriptError(path, f"is {known}")
        if b"\x00" in data:
            raise TranscriptError(path, "is a binary file, not a text transcript")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Windows-1252 leaves five bytes undefined; a file using them is not Windows-1252 text either.
            text = _decode(data, "cp1252", path)
    # A stray control character (a DOS end-of-file mark, a pasted escape) is noise; many of them mean binary data.
    sample = text[:20000]
    controls = len(_CONTROL.findall(sample))
    if controls > 0.1 * len(sample) or (controls > 8 and controls > 0.01 * len(sample)):
        raise TranscriptError(path, "is binary data, not a text transcript")
    text = clean_text(_CONTROL.sub("", text))
    if not text.strip():
        raise TranscriptError(path, "has no readable text (the file is empty or only white space)")
    return text


def clean_text(text: str) -> str:
    """Return text with LF line ends, NFC composition, no invisible characters and no trailing spaces on lines."""
    text = _LINE_BREAKS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = text.replace("\u00a0", " ").replace("\t", " ")
    text = unicodedata.normalize("NFC", text)
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _decode(data: bytes, encoding: str, path: str | Path) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise TranscriptError(
            path, f"cannot be read as text (byte {error.start} is not valid {encoding}); save it as UTF-8 text"
        ) from None


def _bomless_utf16(data: bytes) -> str | None:
    """Return "utf-16-le"/"utf-16-be" when the bytes look like UTF-16 text saved without a byte-order mark."""
    sample = data[:4000]
    if len(sample) < 8 or len(sample) % 2:
        return None
    even_zeros = sample[0::2].count(0)
    odd_zeros = sample[1::2].count(0)
    half = len(sample) // 2
    # ASCII-range text in UTF-16 has a zero in nearly every high byte and almost none in the low bytes.
    if odd_zeros > 0.8 * half and even_zeros < 0.05 * half:
        return "utf-16-le"
    if even_zeros > 0.8 * half and odd_zeros < 0.05 * half:
        return "utf-16-be"
    return None
