"""Sentences: each turn split with the spaCy model's sentence boundaries, as code-point offsets into the text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from workbench.ingest.model import Transcript
from workbench.nlp import load_nlp

Span = tuple[int, int]
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
BATCH_SIZE = 128


def paragraphs(text: str, start: int, end: int) -> list[Span]:
    """Return the [start, end) spans of the paragraphs of ``text[start:end]``; a sentence never crosses one."""
    spans: list[Span] = []
    position = start
    for found in _PARAGRAPH_BREAK.finditer(text, start, end):
        spans.append((position, found.start()))
        position = found.end()
    spans.append((position, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def sentence_spans(transcripts: Iterable[Transcript]) -> Iterator[list[list[Span]]]:
    """Yield, for each transcript in order, the sentence spans of each of its turns.

    All paragraphs of all transcripts go through one ``nlp.pipe`` stream, so the model works in full batches.
    """
    nlp = load_nlp()
    pending: list[tuple[Transcript, list[list[Span]]]] = []

    def paragraph_stream() -> Iterator[tuple[str, tuple[int, int, int]]]:
        for number, transcript in enumerate(transcripts):
            per_turn: list[list[Span]] = [[] for _ in transcript.turns]
            pending.append((transcript, per_turn))
            for turn_index, turn in enumerate(transcript.turns):
                for start, end in paragraphs(transcript.text, turn.start, turn.end):
                    yield transcript.text[start:end], (number, turn_index, start)

    emitted = 0
    for doc, (number, turn_index, offset) in nlp.pipe(paragraph_stream(), as_tuples=True, batch_size=BATCH_SIZE):
        # A transcript is complete once the stream has moved past it.
        while emitted < number:
            yield pending[emitted][1]
            emitted += 1
        per_turn = pending[number][1]
        for sentence in doc.sents:
            start, end = _trim(doc.text, sentence.start_char, sentence.end_char)
            if start < end:
                per_turn[turn_index].append((offset + start, offset + end))
    while emitted < len(pending):
        yield pending[emitted][1]
        emitted += 1


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
