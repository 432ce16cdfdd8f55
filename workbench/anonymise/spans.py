"""Shaping the hits into candidates: protected terms, shaped identifiers, whole names, merging and repeats."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from workbench.anonymise.categories import CATEGORIES
from workbench.anonymise.names import (
    NEVER_IN_NAMES,
    POSSESSIVE,
    WORD,
    Hit,
    looks_like_a_name,
    sentence_start,
    trim_name,
)
from workbench.anonymise.words import is_english, not_names, word_list

# When two detections overlap, the candidate takes the category of the stronger detector.
DETECTORS = ("pattern", "roster", "context", "ruler", "model", "names", "repeat")
_STRENGTH = {name: rank for rank, name in enumerate(DETECTORS)}
NAME_LIKE = {"roster", "context", "ruler", "model", "names", "repeat"}


def outside(text: str, hit: Hit, protected: list[tuple[int, int]], *, vouched: bool = False) -> Iterator[Hit]:
    """Keep a name-like hit unless it is only a protected term (a glossary term, a role label, a placeholder).

    "Sangam Day Centre" stays whole although "Day Centre" is a glossary term, because "Sangam" looks like a name;
    "the RAS team" goes, because nothing outside "RAS" does. A ``vouched`` hit is kept whether or not it looks like a
    name, as long as it is not only protected terms.
    """
    if hit.detector not in NAME_LIKE:
        yield hit
        return
    pieces = [(hit.start, hit.end)]
    for left, right in protected:
        if right <= hit.start or left >= hit.end:
            continue
        pieces = [part for s, e in pieces for part in ((s, min(e, left)), (max(s, right), e)) if part[0] < part[1]]
    vouched = vouched or hit.detector == "roster"  # the team named it: only a protected term inside can overrule that
    trimmed = pieces if vouched else [trim_name(text, s, e) for s, e in pieces]
    named = [(s, e) for s, e in trimmed if s < e and (vouched or looks_like_a_name(text[s:e]))]
    if not named:
        return
    if any(re.match(r"['’]s\s", text[e : e + 3]) for s, e in named):
        # "Amber's NI number": the name is the owner, not part of the protected term.
        for start, end in named:
            yield Hit(start, end, hit.category, hit.detector, hit.confidence)
        return
    overlapping = [(left, right) for left, right in protected if left < hit.end and hit.start < right]
    if not any(left <= hit.start and hit.end <= right for left, right in overlapping):
        yield hit


def around(text: str, hit: Hit, shaped: list[tuple[int, int]]) -> Iterator[Hit]:
    """Cut a name-like hit around a shaped identifier it overlaps ("Email jo@example.org" is the email alone), keeping
    only the pieces that still look like a name."""
    if hit.detector not in NAME_LIKE or not any(s < hit.end and hit.start < e for s, e in shaped):
        yield hit
        return
    pieces = [(hit.start, hit.end)]
    for left, right in shaped:
        pieces = [part for s, e in pieces for part in ((s, min(e, left)), (max(s, right), e)) if part[0] < part[1]]
    for start, end in pieces:
        start, end = trim_name(text, start, end)
        piece = text[start:end]
        if start < end and looks_like_a_name(piece) and not (" " not in piece and is_english(piece)):
            yield Hit(start, end, hit.category, hit.detector, hit.confidence)


_CAPITALISED_BEFORE = re.compile(r"(?<![\w'’-])([A-Z][\w'’-]*) $")
_CAPITALISED_AFTER = re.compile(r" ([A-Z][\w'’-]*)(?![\w'’-])")


def widen(text: str, hit: Hit) -> Hit:
    """Take in capitalised words right next to a name: "in Little Mardon", "Speak Up Hollinsford", "Norbury Vale
    Town", "Our Lady of Częstochowa". A word before it joins unless it starts a sentence and is an ordinary word
    ("Then Mardon..."); a name that starts a sentence joins ("Will Ormerod, his mum...")."""
    if hit.detector not in NAME_LIKE - {"roster"} or CATEGORIES[hit.category].kind not in _NAMED_KINDS:
        return hit
    start, end = hit.start, hit.end
    while True:
        before = _CAPITALISED_BEFORE.search(text, max(0, start - 30), start)
        if before is None:
            before = _JOINING_BEFORE.search(text, max(0, start - 40), start)  # "Our Lady of" before "Częstochowa"
        if before is None or not _joins(text, before.group(1).split()[0], before.start()):
            break
        start = before.start()
    while (after := _CAPITALISED_AFTER.match(text, end)) is not None and after.group(1).casefold() not in not_names():
        end = after.end()
    if start == hit.start and text[max(0, start - 4) : start] == "The " and not sentence_start(text, start - 4):
        start -= 4  # "at The Old Forge": the article is part of the name
    return hit if (start, end) == (hit.start, hit.end) else Hit(start, end, hit.category, hit.detector, hit.confidence)


def _joins(text: str, word: str, position: int) -> bool:
    key = word.casefold()
    first_name = key in word_list("first_names.txt") or key in word_list("ambiguous_names.txt")
    if first_name:
        return True
    if sentence_start(text, position):
        return not is_english(word) and key not in not_names()
    return word != "I" and key not in NEVER_IN_NAMES


_NAMED_KINDS = ("person", "place", "organisation")
_JOINING_BEFORE = re.compile(r"(?<![\w'’-])([A-Z][\w'’-]*(?: [A-Z][\w'’-]*)*) (?:of|upon) $")


_FLAT_BEFORE = re.compile(r"\b(?:flat|apartment|apt|unit|room)\s+\d+[a-z]?,?\s+$", re.IGNORECASE)


def house_names(text: str, hits: list[Hit]) -> list[Hit]:
    """A house or building name before a street is part of the address: "The Old Forge, Chapel Row"; so is a flat
    number before a building: "Flat 3, The Maltings"."""
    joined: list[Hit] = []
    for hit in hits:
        flat = _FLAT_BEFORE.search(text, max(0, hit.start - 20), hit.start)
        if flat is not None and CATEGORIES[hit.category].kind != "date":
            hit = Hit(flat.start(), hit.end, "address", hit.detector, hit.confidence)
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and hit.category == "address"
            and CATEGORIES[previous.category].kind in ("place", "organisation", "address")
            and text[previous.end : hit.start] in (", ", " ")
        ):
            start = (
                previous.start - 4 if text[max(0, previous.start - 4) : previous.start] == "The " else previous.start
            )
            joined[-1] = Hit(start, hit.end, "address", hit.detector, hit.confidence)
        else:
            joined.append(hit)
    return joined


def merge(hits: Iterable[Hit]) -> list[Hit]:
    """Merge overlapping hits into one spanning them all, with the category of the strongest detector."""
    merged: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if merged and hit.start < merged[-1].end:
            last = merged[-1]
            best = min((last, hit), key=lambda h: (_STRENGTH[h.detector], -h.confidence))
            merged[-1] = Hit(
                last.start, max(last.end, hit.end), best.category, best.detector, max(last.confidence, hit.confidence)
            )
        else:
            merged.append(hit)
    return merged


def repeats(text: str, found: list[Hit], known: dict[str, str], protected: list[tuple[int, int]]) -> list[Hit]:
    """Every other occurrence of a name already found here or decided elsewhere.

    Names the team or a relation vouches for repeat in any case ("denise" for Denise); a name only the model or
    the rules suggested repeats only capitalised, so "Reviews" at a sentence's start never spreads to "reviews".
    """
    names: dict[str, tuple[str, float, bool]] = {}
    for original, category in known.items():
        names.setdefault(original.casefold(), (category, 0.9, True))
    first_names, ambiguous = word_list("first_names.txt"), word_list("ambiguous_names.txt")
    for hit in found:
        if CATEGORIES[hit.category].kind not in ("person", "place", "organisation"):
            continue
        span = text[hit.start : hit.end]
        vouched = hit.detector in ("roster", "context", "pattern")
        words = [POSSESSIVE.sub("", word) for word in WORD.findall(span)]
        words = [word for word in words if word.casefold() not in not_names()]
        candidates = [" ".join(words)]
        if CATEGORIES[hit.category].kind == "person" and len(words) > 1:
            candidates += words
        for name in candidates:
            key = name.casefold()
            if len(key) < 3 or key in not_names() or (key in ambiguous and not vouched):
                continue
            any_case = vouched or key in first_names
            names.setdefault(key, (hit.category, hit.confidence * 0.9, any_case))
    if not names:
        return []
    covered = [(hit.start, hit.end) for hit in found] + protected
    repeats: list[Hit] = []
    alternatives = sorted((re.escape(name) for name in names), key=len, reverse=True)
    pattern = re.compile(r"(?<![\w{\[])(?:" + "|".join(alternatives) + r")(?![\w}\]])", re.IGNORECASE)
    for match in pattern.finditer(text):
        start, end = match.span()
        category, confidence, any_case = names[match.group().casefold()]
        if not any_case and not match.group()[0].isupper():
            continue
        if any(s < end and start < e for s, e in covered):
            continue
        start, end = trim_name(text, start, end)
        repeats.append(Hit(start, end, category, "repeat", round(confidence, 2)))
    return repeats
