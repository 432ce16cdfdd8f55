"""Selections carried over from a source text to the document text the import built from it, word by word.

The import builds a canonical document text (speaker labels, white space, header lines) that can differ from the
source file, so a selection is found again by aligning the words of both texts, then snapped to word boundaries and
kept inside the turns it touches.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher

from workbench.project import TurnRecord

_TOKEN = re.compile(r"\S+")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_MATCH_SHARE = 0.5
"""A selection is carried over when at least this share of its words is found in the imported transcript."""


def align(a: Sequence[str], b: Sequence[str]) -> list[int]:
    """Return, for each item of ``a``, the index of the equal item of ``b`` it is aligned with, or -1.

    Patience alignment: words found once in both texts anchor the alignment (their longest increasing run), and the
    gaps between anchors are aligned the same way, down to gaps small enough for difflib. Near-linear for two
    versions of the same text, where difflib alone takes seconds on a long transcript.
    """
    match = [-1] * len(a)
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            match[alo] = blo
            alo, blo = alo + 1, blo + 1
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
            ahi, bhi = ahi - 1, bhi - 1
            match[ahi] = bhi
        if alo >= ahi or blo >= bhi:
            continue
        anchors = _unique_anchors(a, alo, ahi, b, blo, bhi)
        if anchors:
            previous_a, previous_b = alo, blo
            for i, j in anchors:
                match[i] = j
                stack.append((previous_a, i, previous_b, j))
                previous_a, previous_b = i + 1, j + 1
            stack.append((previous_a, ahi, previous_b, bhi))
            continue
        small = (ahi - alo) * (bhi - blo) <= 250_000
        matcher = SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=not small)
        for block in matcher.get_matching_blocks():
            for offset in range(block.size):
                match[alo + block.a + offset] = blo + block.b + offset
    return match


def _unique_anchors(
    a: Sequence[str], alo: int, ahi: int, b: Sequence[str], blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Return the longest run of (i, j) pairs, increasing in both, of items found exactly once in each range."""
    count_a = Counter(a[alo:ahi])
    count_b = Counter(b[blo:bhi])
    where_b = {b[j]: j for j in range(blo, bhi) if count_b[b[j]] == 1}
    pairs = [(i, where_b[a[i]]) for i in range(alo, ahi) if count_a[a[i]] == 1 and a[i] in where_b]
    if not pairs:
        return []
    # Longest increasing subsequence of the j's (patience sorting), with links back to rebuild it.
    tails: list[int] = []
    tail_index: list[int] = []
    back = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        place = bisect.bisect_left(tails, j)
        if place == len(tails):
            tails.append(j)
            tail_index.append(index)
        else:
            tails[place] = j
            tail_index[place] = index
        back[index] = tail_index[place - 1] if place > 0 else -1
    run: list[tuple[int, int]] = []
    index = tail_index[-1]
    while index >= 0:
        run.append(pairs[index])
        index = back[index]
    return run[::-1]


def _key(token: str) -> str:
    return unicodedata.normalize("NFC", _INVISIBLE.sub("", token)).casefold()


class TextMap:
    """Carries [start, end) ranges of a source text over to the document text the import built from it."""

    def __init__(self, source: str, working: str, turns: Sequence[TurnRecord] = ()) -> None:
        self.source = source
        self.working = working
        self._source_tokens = [(found.start(), found.end()) for found in _TOKEN.finditer(source)]
        self._working_tokens = [(found.start(), found.end()) for found in _TOKEN.finditer(working)]
        self._starts = [start for start, _ in self._source_tokens]
        self._ends = [end for _, end in self._source_tokens]
        self._match = align(
            [_key(source[s:e]) for s, e in self._source_tokens], [_key(working[s:e]) for s, e in self._working_tokens]
        )
        self._turns = sorted((turn.start, turn.end) for turn in turns)

    def map(self, start: int, end: int) -> tuple[int, int] | None:
        """Return the range in the working text holding the same words, on word edges; None when they are not there."""
        first = bisect.bisect_right(self._ends, start)
        last = bisect.bisect_left(self._starts, end) - 1
        if first > last:
            return None
        found = [index for index in range(first, last + 1) if self._match[index] >= 0]
        if not found or len(found) < _MATCH_SHARE * (last - first + 1):
            return None
        new_start = self._carry(found[0], start, at_end=False)
        new_end = self._carry(found[-1], end, at_end=True)
        new_start, new_end = self._within_turns(new_start, new_end)
        text = self.working
        while new_start < new_end and text[new_start].isspace():
            new_start += 1
        while new_end > new_start and text[new_end - 1].isspace():
            new_end -= 1
        while 0 < new_start < len(text) and text[new_start - 1].isalnum() and text[new_start].isalnum():
            new_start -= 1
        while 0 < new_end < len(text) and text[new_end - 1].isalnum() and text[new_end].isalnum():
            new_end += 1
        return (new_start, new_end) if new_start < new_end else None

    def _carry(self, index: int, position: int, *, at_end: bool) -> int:
        """Return where a boundary falls in the working text, keeping its place inside a word that is unchanged."""
        source_start, source_end = self._source_tokens[index]
        working_start, working_end = self._working_tokens[self._match[index]]
        same = self.source[source_start:source_end] == self.working[working_start:working_end]
        if not at_end:
            if position <= source_start:
                return working_start
            return working_start + (position - source_start) if same else working_start
        if position >= source_end:
            return working_end
        return working_start + (position - source_start) if same else working_end

    def _within_turns(self, start: int, end: int) -> tuple[int, int]:
        """Keep a range inside the turns it touches, so that it never starts or ends on a speaker label."""
        touched = [(s, e) for s, e in self._turns if s < end and e > start]
        if not touched:
            return start, end
        return max(start, touched[0][0]), min(end, touched[-1][1])
