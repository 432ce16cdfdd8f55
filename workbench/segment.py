"""Sentences: each turn split with the spaCy model's sentence boundaries, as code-point offsets into the text."""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import AsyncResult, Pool
from types import TracebackType
from typing import TypeVar

from workbench.ingest.model import Transcript
from workbench.nlp import load_nlp, pipe

Span = tuple[int, int]
TurnSpans = list[list[Span]]
"""For each turn of a transcript, the [start, end) spans of its sentences."""
Job = TypeVar("Job")
Result = TypeVar("Result")

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# Transcribers' annotations ([laughs], [inaudible 00:12]), placeholders ({service user}) and asides in brackets are
# never cut in two, though the model often puts a boundary after an opening bracket.
_ENCLOSED = re.compile(r"\[[^\[\]\n]{0,120}\]|\{[^{}\n]{0,120}\}|\([^()\n]{0,240}\)")
# A "sentence" that is only an annotation or punctuation belongs with the one before it.
_NOT_ON_ITS_OWN = re.compile(r"^(?:\W*(?:\[[^\]]*\]|\([^)]*\)))*\W*$")
BATCH_SIZE = 128
# Below this many transcripts a worker process costs more to start than it saves.
MIN_TRANSCRIPTS_FOR_WORKERS = 4


def paragraphs(text: str, start: int, end: int) -> list[Span]:
    """Return the [start, end) spans of the paragraphs of ``text[start:end]``; a sentence never crosses one."""
    spans: list[Span] = []
    position = start
    for found in _PARAGRAPH_BREAK.finditer(text, start, end):
        spans.append((position, found.start()))
        position = found.end()
    spans.append((position, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def sentence_spans(transcripts: Iterable[Transcript]) -> Iterator[TurnSpans]:
    """Yield, for each transcript in order, the sentence spans of each of its turns, in this process.

    All paragraphs of all transcripts go through one ``nlp.pipe`` stream, so the model works in full batches.
    """
    return _split((t.text, [(turn.start, turn.end) for turn in t.turns]) for t in transcripts)


def _split(jobs: Iterable[tuple[str, list[Span]]]) -> Iterator[TurnSpans]:
    # The transcripts the stream has started and not yet yielded, by number: a long stream keeps only a few.
    pending: dict[int, TurnSpans] = {}
    started = 0

    def paragraph_stream() -> Iterator[tuple[str, tuple[int, int, int, str]]]:
        nonlocal started
        for number, (text, turns) in enumerate(jobs):
            pending[number] = [[] for _ in turns]
            started = number + 1
            for turn_index, (turn_start, turn_end) in enumerate(turns):
                for start, end in paragraphs(text, turn_start, turn_end):
                    paragraph = text[start:end]
                    yield paragraph, (number, turn_index, start, paragraph)

    emitted = 0
    for doc, (number, turn_index, offset, text) in pipe(
        paragraph_stream(), ("senter",), as_tuples=True, batch_size=BATCH_SIZE
    ):
        while emitted < number:  # the stream has moved past these transcripts, so they are complete
            yield pending.pop(emitted)
            emitted += 1
        # The paragraph's own text, not doc.text, which spaCy rebuilds from the tokens on every access.
        spans = (_trim(text, sentence.start_char, sentence.end_char) for sentence in doc.sents)
        pending[number][turn_index].extend((offset + s, offset + e) for s, e in _mend(text, spans))
    while emitted < started:
        yield pending.pop(emitted)
        emitted += 1


def _split_one(job: tuple[str, list[Span]]) -> TurnSpans:
    """Split one transcript; runs in a worker process that inherited the loaded model."""
    return next(_split([job]))


def _mend(text: str, spans: Iterable[Span]) -> list[Span]:
    """Return the model's sentence spans with no boundary inside brackets and no annotation standing alone.

    A boundary inside brackets moves to just after them when a sentence ends before them and a new one starts after
    ("Oh, the faces. [laughs] The little..." splits after "[laughs]"); otherwise the two pieces are one sentence.
    """
    enclosed = [found.span() for found in _ENCLOSED.finditer(text)] if any(c in text for c in "[{(") else []
    mended: list[Span] = []
    for start, end in spans:
        if start >= end:
            continue
        around = next(((left, right) for left, right in enclosed if left < start < right), None)
        if mended and around is not None:
            left, right = around
            after = right + len(text[right:end]) - len(text[right:end].lstrip())
            ended = text[:left].rstrip().rstrip("\"'”’").endswith((".", "?", "!", "…"))
            if ended and after < end and text[after].isupper():
                mended[-1] = (mended[-1][0], right)
                mended.append((after, end))
            else:
                mended[-1] = (mended[-1][0], end)
        elif mended and _NOT_ON_ITS_OWN.match(text[start:end]):
            mended[-1] = (mended[-1][0], end)
        else:
            mended.append((start, end))
    return mended


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def fork_pool(workers: int) -> Pool:
    """Return a pool of ``workers`` processes forked from this one, so that each inherits the loaded model.

    A worker takes the default SIGTERM (the parent's handler, such as the app launcher's, would keep it alive when
    the pool is terminated, and the pool would wait for it forever) and ignores SIGINT: Ctrl+C reaches the whole
    process group, and the parent alone decides to stop the pool.
    """
    return multiprocessing.get_context("fork").Pool(workers, initializer=_worker_signals)


def _worker_signals() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class SentenceSplitter:
    """Splits transcripts into sentences while the caller goes on reading and writing.

    With workers, each submitted transcript goes at once to a forked process that already holds the model and sends
    back only integer spans, so spaCy runs on every core while the parent reads files and writes rows. Without
    workers, the transcripts are split in this process, all in one batched stream, when ``results`` is read.
    ``map`` runs any per-file work (parse and split, say) in the same workers as a bounded stream, for batches too
    large to submit at once.
    """

    def __init__(self, workers: int = 0) -> None:
        self._pool: Pool | None = None
        self._workers = workers
        self._submitted: list[Transcript] = []
        self._futures: list[AsyncResult[TurnSpans]] = []
        if workers > 0:
            load_nlp()  # before the fork, so every worker inherits the loaded model instead of loading its own
            self._pool = fork_pool(workers)

    @staticmethod
    def workers_for(transcripts: int) -> int:
        """Return how many worker processes pay off for a batch: one per core, or none.

        None for small batches (a worker costs more to start than it saves), on a single core, and in a threaded
        process, since forking is only safe while this process has a single thread (a Streamlit server has many).
        The parent's reading and writing are light enough to share the cores with the workers (docs/benchmarks.md).
        """
        cores = os.cpu_count() or 1
        if transcripts < MIN_TRANSCRIPTS_FOR_WORKERS or cores < 2 or threading.active_count() > 1:
            return 0
        return min(cores, transcripts)

    def submit(self, transcript: Transcript) -> None:
        if self._pool is None:
            self._submitted.append(transcript)
        else:
            job = (transcript.text, [(turn.start, turn.end) for turn in transcript.turns])
            self._futures.append(self._pool.apply_async(_split_one, (job,)))

    def map(self, function: Callable[[Job], Result], jobs: Iterable[Job]) -> Iterator[Result]:
        """Yield ``function(job)`` for each job, in order: in the workers if there are any, else in this process.

        ``function`` must be a module-level function (it is sent to the workers by name). Jobs are taken from
        ``jobs`` only as there is room, about two per worker in flight, so however long the stream, the parent holds
        only a few jobs and results at a time. A job is always taken before its result is yielded; if taking a job
        raises, the results of the jobs before it are yielded first.
        """
        if self._pool is None:
            yield from map(function, jobs)
            return
        in_flight: deque[AsyncResult[Result]] = deque()
        taking = iter(jobs)
        while True:
            try:
                job = next(taking)
            except StopIteration:
                break
            except Exception:
                # The jobs before a failing one still finish, as they would one at a time in this process.
                while in_flight:
                    yield in_flight.popleft().get()
                raise
            in_flight.append(self._pool.apply_async(function, (job,)))
            if len(in_flight) > 2 * self._workers:
                yield in_flight.popleft().get()
        while in_flight:
            yield in_flight.popleft().get()

    def results(self) -> Iterator[TurnSpans]:
        """Yield the sentence spans of every submitted transcript, in the order they were submitted."""
        if self._pool is None:
            yield from sentence_spans(self._submitted)
        else:
            for future in self._futures:
                yield future.get()

    def __enter__(self) -> SentenceSplitter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._pool is not None:
            if kind is None:
                self._pool.close()
            else:
                self._pool.terminate()
            self._pool.join()
