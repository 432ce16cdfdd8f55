"""Where a producer's selection positions fall in a source text: code points, or NVivo's UTF-16 code units.

The standard counts code points over the text with LF line ends; NVivo counts UTF-16 code units (a character
beyond U+FFFF as two) and a CRLF line break as two (NOTES.md §3, "Text positions"). A text is decoded without its
BOM first, so that no producer counts it. When another counting puts clearly more selection boundaries on word
edges than the producer's usual one, that one is used.
"""

from __future__ import annotations

import bisect
import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass

_WIDE = re.compile("\r\n|[\U00010000-\U0010ffff]")
_SWITCH_MARGIN = 0.15
"""Another counting of positions is used when it puts this much larger a share of boundaries on word edges."""


@dataclass(frozen=True)
class Counting:
    """How a producer counted text positions: UTF-16 code units or code points, and CRLF as one or two."""

    utf16: bool
    crlf_two: bool

    def describe(self) -> str:
        unit = "UTF-16 code units" if self.utf16 else "code points"
        return f"{unit}, a CRLF line break as {'two' if self.crlf_two else 'one'}"


STANDARD = Counting(utf16=False, crlf_two=False)
NVIVO = Counting(utf16=True, crlf_two=True)


def counting_for(origin: str) -> Counting:
    """Return how the producer named in ``Project@origin`` counts positions (NVivo breaks the standard)."""
    return NVIVO if "nvivo" in origin.casefold() else STANDARD


class Positions:
    """Turns positions counted one way over a decoded text into code points over the same text with LF line ends."""

    def __init__(self, raw: str, counting: Counting) -> None:
        self._units: list[int] = []
        self._points: list[int] = []
        self._widths: list[int] = []
        unit_shift = point_shift = 0
        for found in _WIDE.finditer(raw):
            crlf = found.group() == "\r\n"
            width = (2 if counting.crlf_two else 1) if crlf else (2 if counting.utf16 else 1)
            self._units.append(found.start() + unit_shift)
            self._points.append(found.start() + point_shift)
            self._widths.append(width)
            unit_shift += width - len(found.group())
            point_shift += 1 - len(found.group())
        self.length = len(raw) + unit_shift

    def point(self, unit: int) -> int:
        """Return the code point offset in the LF text for a position counted in units (0 <= unit <= length)."""
        index = bisect.bisect_right(self._units, unit) - 1
        if index < 0:
            return unit
        start, point, width = self._units[index], self._points[index], self._widths[index]
        if unit < start + width:
            return point  # inside a CRLF or a surrogate pair: the start of that character
        return point + 1 + (unit - start - width)


def lf_text(raw: str) -> str:
    """Return a decoded source text with LF line ends, the text positions are re-mapped onto."""
    return raw.replace("\r\n", "\n").replace("\r", "\n")


def on_word_edge(text: str, position: int) -> bool:
    """True when a position does not cut a word in two."""
    return position <= 0 or position >= len(text) or not (text[position - 1].isalnum() and text[position].isalnum())


def choose_counting(raw: str, ranges: Sequence[tuple[int, int]], default: Counting) -> Counting:
    """Return the producer's counting, or another that puts clearly more selection boundaries on word edges."""
    if len(ranges) < 5 or _WIDE.search(raw) is None:
        return default
    text = lf_text(raw)

    def score(counting: Counting) -> float:
        positions = Positions(raw, counting)
        edges = [
            on_word_edge(text, positions.point(value))
            for pair in ranges
            for value in pair
            if 0 <= value <= positions.length
        ]
        return sum(edges) / max(len(edges), 1)

    scores = {counting: score(counting) for counting in (default, STANDARD, NVIVO, Counting(False, True))}
    best = max(scores, key=lambda counting: scores[counting])
    return best if scores[best] - scores[default] >= _SWITCH_MARGIN else default


def decode_source(data: bytes, name: str, warnings: list[str]) -> str:
    """Return a source file's text: UTF-8 without its BOM, else UTF-16 with a BOM, else Windows-1252 (warned)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        warnings.append(f"{name}: its text is UTF-16, where REFI-QDA asks for UTF-8; read anyway")
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        warnings.append(f"{name}: its text is not UTF-8; read as Windows-1252 (check accented letters)")
        return data.decode("cp1252", errors="replace")
