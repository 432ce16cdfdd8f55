"""The lemma index: each released sentence's words with their spaCy lemmas, made once when a transcript is signed off.

Coding suggestions (and later keyword spread) match words by lemma, so "trained" finds the keyword "train". Tagging
is the slow part of that, so it is done once per released text and kept beside its segments.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from workbench.nlp import LEMMA_COMPONENTS, pipe


@dataclass(frozen=True)
class Word:
    """A word of a sentence: [start, end) in the document text, its lower-case form and its lemma."""

    start: int
    end: int
    form: str
    lemma: str


def index_turns(text: str, turns: Sequence[tuple[int, int]], sentences: Sequence[tuple[int, int]]) -> list[str]:
    """Return, for each sentence span (in order), its words as the JSON the lemma index keeps.

    The tagger runs over whole turns, so that every word is tagged in its context, not over the full document (a
    turn boundary is a change of speaker).
    """
    words: list[Word] = []
    for (start, _end), doc in zip(turns, pipe((text[s:e] for s, e in turns), LEMMA_COMPONENTS), strict=True):
        words += [
            Word(start + token.idx, start + token.idx + len(token), token.lower_, token.lemma_.casefold())
            for token in doc
            if not (token.is_punct or token.is_space)
        ]
    words.sort(key=lambda word: word.start)
    index: list[str] = []
    position = 0
    for start, end in sentences:
        while position < len(words) and words[position].start < start:
            position += 1
        inside: list[list[int | str]] = []
        while position < len(words) and words[position].end <= end:
            word = words[position]
            inside.append([word.start, word.end, word.form if word.lemma == word.form else word.lemma])
            position += 1
        index.append(json.dumps(inside, ensure_ascii=False))
    return index


def sentence_lemmas(text: str, segments: Sequence[tuple[str, str, int, int]]) -> list[tuple[str, str]]:
    """Return (lemma index, sentence id) pairs for a released transcript's (id, kind, start, end) segments."""
    turns = [(start, end) for _, kind, start, end in segments if kind == "turn"]
    sentences = [(segment_id, start, end) for segment_id, kind, start, end in segments if kind == "sentence"]
    index = index_turns(text, turns, [(start, end) for _, start, end in sentences])
    return [(entry, segment_id) for entry, (segment_id, _, _) in zip(index, sentences, strict=True)]


def words_of(index: str, text: str) -> list[Word]:
    """Return the words of one sentence from its lemma index entry (the form is cut from the document text)."""
    return [Word(start, end, text[start:end].casefold(), str(lemma)) for start, end, lemma in json.loads(index)]


def all_lemmas(phrases: Iterable[str]) -> dict[str, tuple[tuple[str, str], ...]]:
    """Return ``lemmas_of`` for many phrases at once (one pass of the pipeline)."""
    unique = sorted(set(phrases))
    return {
        phrase: tuple((t.lower_, t.lemma_.casefold()) for t in doc if not (t.is_punct or t.is_space))
        for phrase, doc in zip(unique, pipe(unique, LEMMA_COMPONENTS), strict=True)
    }
