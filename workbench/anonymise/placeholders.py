"""Placeholders: one person, one placeholder, everywhere in the project; and putting them into a text."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.anonymise.categories import CATEGORIES
from workbench.anonymise.lists import TITLES
from workbench.errors import SettingError

STYLES = {
    "braces": "{{{label}{number}}}",  # {service user 1}, {phone}
    "brackets": "[{label}{number}]",  # [service user 1]
    "capitals": "{{{LABEL}{number}}}",  # {SERVICE USER 1}
}
DEFAULT_STYLE = "braces"
_TITLE = re.compile(r"^(?:" + "|".join(TITLES) + r")\.?\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(?:['’]s|s['’]|['’])$", re.IGNORECASE)


def check_style(style: str) -> str:
    if style not in STYLES:
        raise SettingError(f"the placeholder style {style!r} is not one of: {', '.join(STYLES)}")
    return style


def render(category: str, number: int | None, style: str) -> str:
    label = CATEGORIES[category].label
    suffix = f" {number}" if number is not None and CATEGORIES[category].numbered else ""
    return STYLES[style].format(label=label, LABEL=label.upper(), number=suffix)


def entity_key(text: str, category: str) -> str:
    """The key that makes mentions of one identifier share a placeholder: "Mrs Walsh's" and "mrs  walsh" agree.

    Numbers, emails and the like that are never numbered share one placeholder per category, whatever their text.
    """
    if not CATEGORIES[category].numbered:
        return f"<{category}>"
    return mention_key(text)


def mention_key(text: str) -> str:
    """What two mentions share when they are the same words: "Mrs Walsh's" and "mrs  walsh" give "walsh"."""
    return _POSSESSIVE.sub("", _TITLE.sub("", " ".join(text.split()))).casefold()


def linked_key(key: str, category: str, known: Sequence[tuple[str, str]]) -> str:
    """A person's first or last name alone belongs to the full name already known: "denise" to "denise walsh"."""
    if CATEGORIES[category].kind != "person" or " " in key:
        return key
    for other, other_category in known:
        if CATEGORIES[other_category].kind == "person" and key in other.split():
            return other
    return key


@dataclass(frozen=True)
class Replacement:
    start: int
    end: int
    placeholder: str


class OffsetMap:
    """Maps positions in a text to positions in the same text after replacements."""

    def __init__(self, replacements: Sequence[Replacement]) -> None:
        self._starts = [r.start for r in replacements]
        self._replacements = list(replacements)
        self._shift: list[int] = []
        shift = 0
        for replacement in replacements:
            shift += len(replacement.placeholder) - (replacement.end - replacement.start)
            self._shift.append(shift)

    def __call__(self, position: int, *, is_end: bool = False) -> int:
        index = bisect_right(self._starts, position) - 1
        if index < 0:
            return position
        replacement = self._replacements[index]
        before = self._shift[index - 1] if index else 0
        if position == replacement.start:
            return position + before
        if position < replacement.end:
            # Inside a replaced span: a segment that starts there starts at the placeholder, one that ends there ends
            # after it, so no segment ever holds half a placeholder.
            new_start = replacement.start + before
            return new_start + len(replacement.placeholder) if is_end else new_start
        return position + self._shift[index]


def apply_replacements(text: str, replacements: Sequence[Replacement]) -> tuple[str, OffsetMap]:
    """Return the text with each span replaced (spans must not overlap) and the map of old to new positions."""
    ordered = sorted(replacements, key=lambda r: r.start)
    pieces: list[str] = []
    position = 0
    for replacement in ordered:
        if replacement.start < position:
            raise ValueError(f"replacements overlap at {replacement.start}")
        pieces += [text[position : replacement.start], replacement.placeholder]
        position = replacement.end
    pieces.append(text[position:])
    return "".join(pieces), OffsetMap(ordered)
