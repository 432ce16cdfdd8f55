"""Retrieval at study scale: quotes by participant and code, search with keyword in context, and the matrix.

Targets (on a project of 1M words and 50k codings): participant + code query p95 <= 20 ms, search with KWIC p95 <= 50
ms, full matrix <= 1 s. Run with `make bench` or `python -m bench.retrieval`. It builds the synthetic project of
`bench.synthetic_project` once, checks it, then times the project's own API calls (`Project.quotes`,
`Project.search.search`, `Project.analysis.*`) on it with a warm cache, as the app makes them, and records the query
plan of each measure's main statement. It rewrites the "retrieval" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS

from bench import synthetic_project as synthetic
from bench.report import nearest_rank, write_section
from workbench import statecache
from workbench.nlp import load_nlp
from workbench.project import Project
from workbench.quotes import QuoteFilter
from workbench.search import fts_query

QUOTES_TARGET_MS = 20.0
SEARCH_TARGET_MS = 50.0
MATRIX_TARGET_S = 1.0
SEARCH_LIMIT = 500  # Search.search's default and `workbench search --limit`'s
EVERYTHING = 10**9

# What a researcher on this study would type: its terms, as words, "phrases" and prefixes.
DOMAIN_WORDS = (
    "budget", "training", "supervision", "capacity", "paperwork", "authorisation", "duplication", "carer",
    "confidence", "provider", "assessment", "reckoner", "RAS",
)  # fmt: skip
DOMAIN_PHRASES = (
    '"needs profile"', '"support plan"', '"direct payments"', '"indicative budget"', '"personal budget"',
    '"line manager"', '"RAS form"', '"eligibility assessment"', '"district nurse"', '"employing staff"',
)  # fmt: skip
DOMAIN_PREFIXES = (
    "duplicat*", "train*", "assess*", "authoris*", "budget*", "supervis*", "employ*", "confiden*", "paper*", "form*",
)  # fmt: skip
FREQUENT_WORDS = ("the", "and", "I", "it")
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")

Call = Callable[[], Sequence[Any]]


@dataclass
class Timing:
    """Milliseconds of each call, and what each call returned (rows)."""

    ms: list[float] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)

    def percentile(self, share: float) -> float:
        return nearest_rank(self.ms, share)

    @property
    def p50(self) -> float:
        return statistics.median(self.ms)

    @property
    def p95(self) -> float:
        return self.percentile(0.95)

    @property
    def slowest(self) -> int:
        return max(range(len(self.ms)), key=self.ms.__getitem__)

    def spread(self, bold: str = "**") -> str:
        return f"p50 {self.p50:.1f} ms, {bold}p95 {self.p95:.1f} ms{bold}, max {max(self.ms):.1f} ms"


def _timed(call: Call) -> tuple[float, int]:
    statecache.clear()  # the query itself, as the first read after a change: never a result kept from before
    start = time.perf_counter()
    rows = len(call())
    return (time.perf_counter() - start) * 1000, rows


def _passes(calls: Sequence[Call], passes: int) -> Timing:
    """Run every call ``passes`` times, one pass after another (so that a slow spell of the machine hits all calls
    alike); each call's time is the median of its runs."""
    runs: list[list[float]] = [[] for _ in calls]
    rows = [0] * len(calls)
    for _ in range(passes):
        for index, call in enumerate(calls):
            ms, rows[index] = _timed(call)
            runs[index].append(ms)
    return Timing([statistics.median(times) for times in runs], rows)


def _quote_call(project: Project, wanted: QuoteFilter) -> Call:
    return lambda: project.quotes(wanted)


def _search_call(project: Project, query: str, limit: int) -> Call:
    """A call of the API as the app makes it (`project.search` is made afresh each time)."""
    return lambda: project.search.search(query, limit=limit)


def search_queries(pools: synthetic.SourcePools, count: int, rng: random.Random) -> list[str]:
    """A third each single words, phrases and prefixes; half of each the study's terms, half drawn from the corpus:
    content words chosen by vocabulary, not by frequency (as a reader looking for something does), pairs of adjacent
    words that are not both stop words, and the first 4+ letters of content words."""
    tokenised = [_WORD.findall(s.text) for role in ("participant", "interviewer") for s in pools.sentences[role]]
    # Content words: no stop words and no contractions (that's, they're), which nobody looks for.
    vocabulary = sorted({w.lower() for words in tokenised for w in words if len(w) >= 4 and w.isalpha()} - STOP_WORDS)
    long_words = [w for w in vocabulary if len(w) >= 6]
    pairs = [
        (a, b)
        for words in tokenised
        for a, b in itertools.pairwise(words)
        if not (a.lower() in STOP_WORDS and b.lower() in STOP_WORDS)
    ]
    queries: list[str] = []
    for number in range(count):
        kind, ours = number % 3, number % 6 < 3
        if kind == 0:
            query = rng.choice(DOMAIN_WORDS) if ours else rng.choice(vocabulary)
        elif kind == 1:
            query = rng.choice(DOMAIN_PHRASES) if ours else '"{} {}"'.format(*rng.choice(pairs))
        else:
            word = rng.choice(long_words)
            query = rng.choice(DOMAIN_PREFIXES) if ours else word[: rng.randint(4, len(word) - 2)] + "*"
        queries.append(query)
    rng.shuffle(queries)
    return queries


def query_plan(project: Project, call: Callable[[], Any], marker: str) -> list[str]:
    """`EXPLAIN QUERY PLAN` of the first statement ``call`` issues that contains ``marker`` (traced, with its
    parameters written in)."""
    statements: list[str] = []
    connection = project._store.db.conn
    connection.set_trace_callback(statements.append)
    try:
        call()
    finally:
        connection.set_trace_callback(None)
    sql = next((sql for sql in statements if marker in sql), None)
    return [str(row[3]) for row in connection.execute("EXPLAIN QUERY PLAN " + sql)] if sql else ["(not found)"]


def measure(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    load_nlp()
    results: dict[str, Any] = {"load": [os.getloadavg()[0]]}
    with tempfile.TemporaryDirectory() as scratch:
        # Built once into bench/.cache (see synthetic_project.cached) and copied: the measures below only read.
        built = results["built"] = synthetic.cached("study", seed=args.seed)
        folder = synthetic.copy_project(built.folder, Path(scratch) / "study")
        built.folder = folder
        with Project.open(folder, actor=synthetic.ACTOR) as project:
            start = time.perf_counter()
            synthetic.check(project, built)
            results["check_s"] = time.perf_counter() - start
            results["db_mb"] = (folder / "project.db").stat().st_size / 1e6

            # Participant + code: random pairs, the code with its sub-codes (a theme is a code too).
            pairs = [
                QuoteFilter(participant=rng.choice(built.participants), code=rng.choice(built.codes))
                for _ in range(args.queries)
            ]
            calls = [_quote_call(project, wanted) for wanted in pairs]
            _passes(calls[:20], 1)  # warm up
            quotes = results["quotes"] = _passes(calls, args.passes)
            results["quotes_plan"] = query_plan(project, calls[quotes.slowest], "FROM codings c")

            # Search with keyword in context, at the default limit and for every match.
            queries = search_queries(built.pools, args.searches, rng)
            _passes([_search_call(project, query, SEARCH_LIMIT) for query in queries[:10]], 1)
            for key, limit in (("search", SEARCH_LIMIT), ("search_all", EVERYTHING)):
                results[key] = _passes([_search_call(project, query, limit) for query in queries], args.passes)
            worst = results["search_worst"] = queries[results["search"].slowest]
            results["search_plan"] = query_plan(
                project, _search_call(project, worst, SEARCH_LIMIT), "sentence_fts MATCH"
            )
            count = "SELECT COUNT(*) FROM sentence_fts WHERE sentence_fts MATCH ?"
            results["frequent"] = {
                word: (
                    min(_timed(_search_call(project, word, SEARCH_LIMIT))[0] for _ in range(3)),
                    project._store.scalar(count, [fts_query(word)]),
                )
                for word in FREQUENT_WORDS
            }
            results["load"].append(os.getloadavg()[0])

            # The whole-project tables: interleaved, args.repeat runs each, after one run each to warm up.
            tables: dict[str, Callable[[], Any]] = {
                "matrix": lambda: project.analysis.matrix("codings"),
                "ranked": lambda: project.analysis.ranked(),
                "cooccurrence": lambda: project.analysis.cooccurrence("segment"),
                "spread": lambda: project.search.spread(["duplication"]),
            }
            for call in tables.values():
                call()
            times: dict[str, list[float]] = {name: [] for name in tables}
            for _ in range(args.repeat):
                for name, call in tables.items():
                    statecache.clear()
                    start = time.perf_counter()
                    call()
                    times[name].append(time.perf_counter() - start)
            results["tables"] = times
            results["matrix_shape"] = project.analysis.matrix("codings").shape
            results["matrix_plan"] = query_plan(project, tables["matrix"], "GROUP BY d.participant_id")
            spread = project.search.spread(["duplication"])[0]
            results["spread"] = (len(spread.participants), spread.occurrences)
            results["load"].append(os.getloadavg()[0])
    return results


def _verdict(met: bool) -> str:
    return "met" if met else "**not met**"


def _plan(lines: list[str]) -> str:
    return "; ".join(f"`{line}`" for line in lines)


def _seconds(times: list[float]) -> str:
    return f"median {statistics.median(times):.3f} s, max {max(times):.3f} s"


def corpus(results: dict[str, Any], args: argparse.Namespace) -> str:
    built = results["built"]
    s = built.seconds
    units = ", ".join(f"{unit} {n:,}" for unit, n in sorted(built.by_unit.items(), key=lambda kv: -kv[1]))
    coders = ", ".join(f"{name} {n:,}" for name, n in built.by_coder.items())
    low, high = synthetic.CODES_PER_INTERVIEW
    agreement, batch = synthetic.AGREEMENT, synthetic.DOCUMENT_BATCH
    return f"""**The corpus** (`bench/synthetic_project.py`, seed {args.seed}): {built.documents} signed-off
transcripts, one per participant: **{built.words:,} words**, {built.turns:,} turns, **{built.sentences:,}
sentences** (all in the full-text index), **{built.codings:,} live codings** (and {built.removed:,} removed ones, as
undo leaves them) of {len(built.codes)} codes (the study's two codebooks) by {len(built.by_coder)} coders ({coders});
coded units: {units}. project.db is {results["db_mb"]:.0f} MB.

How it is made. Interviews alternate interviewer and participant turns shaped like the sample study's (paragraphs of
so many sentences), filled with sentences of that role drawn at random from the {built.pools.documents} sample
transcripts the demo signs off ({built.pools.words:,} words), so word frequencies and sentence and turn lengths are
the sample's. Each interview touches {low}-{high} codes, weighted by how often the sample's coders used them; the lead
coder codes every interview, the second about half and the third a fifth, repeating the lead's coding {agreement:.0%}
of the time. The lemma index holds real spaCy lemmas: `index_turns` is run once over the sample's turns and each
sentence's entries are shifted to its new offsets (not a whitespace tokenisation). The documents skip import, the
anonymisation scan and sign-off: they are written directly through `Store` (`insert_document`, `release_document`
with its FTS rows, `write_lemmas`, `add_signoff`), and the codings through `Coding.insert`, one transaction per
{batch} documents. Build time **{s["total"]:.1f} s**: sample sentences and lemmas
{s["sample sentences and lemmas"]:.1f} s, documents with segments, full-text and lemma index
{s["documents, segments, full-text and lemma index"]:.1f} s, codings {s["codings"]:.1f} s. Then the project is opened
with `Project.open` and checked ({results["check_s"]:.1f} s): counts, `quotes()` returns all {built.codings:,} codings,
1,000 sampled quotes' text is `document.text[start:end]`, and the lemma entries of 200 sampled sentences lie inside
them."""


def report(results: dict[str, Any], args: argparse.Namespace) -> str:
    built = results["built"]
    quotes: Timing = results["quotes"]
    search: Timing = results["search"]
    every: Timing = results["search_all"]
    matrix: list[float] = results["tables"]["matrix"]
    people, codes = results["matrix_shape"]
    answered = Timing([ms for ms, rows in zip(quotes.ms, quotes.rows, strict=True) if rows])
    frequent: dict[str, tuple[float, int]] = results["frequent"]
    low, high = synthetic.CODES_PER_INTERVIEW
    load = " -> ".join(f"{value:.1f}" for value in results["load"])
    return f"""
Targets (a synthetic project of 1M words and 50k codings): participant + code query p95 <= {QUOTES_TARGET_MS:.0f} ms,
search with keyword in context p95 <= {SEARCH_TARGET_MS:.0f} ms, full participant x code matrix <=
{MATRIX_TARGET_S:.0f} s. `python -m bench.retrieval`: every figure is a call of the project's API (`Project.quotes`,
`Project.search`, `Project.analysis`) on the project opened with `Project.open`, with SQLite's and the OS's caches
warm (each kind of call made before timing) but never a result kept by `workbench.statecache` (cleared before each
call: these are first reads after a change), wall-clock time including building the Python objects. Each query runs
{args.passes} times, in {args.passes} passes over all of them, and its time is the median of its runs; the
percentiles are over queries.

| measure | target | measured | result |
|---|---|---|---|
| participant + code quotes: `project.quotes(QuoteFilter(participant=p, code=c))`, sub-codes included, \
{len(quotes.ms)} random pairs | p95 <= {QUOTES_TARGET_MS:.0f} ms | {quotes.spread()} | \
{_verdict(quotes.p95 <= QUOTES_TARGET_MS)} |
| search with KWIC: `project.search.search(q, limit={SEARCH_LIMIT})`, {len(search.ms)} queries | p95 <= \
{SEARCH_TARGET_MS:.0f} ms | {search.spread()} | {_verdict(search.p95 <= SEARCH_TARGET_MS)} |
| full matrix: `project.analysis.matrix("codings")`, {people} participants x {codes} codes, {len(matrix)} runs | <= \
{MATRIX_TARGET_S:.0f} s | **median {statistics.median(matrix):.2f} s**, max {max(matrix):.2f} s | \
{_verdict(statistics.median(matrix) <= MATRIX_TARGET_S)} |

{corpus(results, args)}

The participant + code pairs return {statistics.mean(quotes.rows):.1f} quotes on average (max {max(quotes.rows)});
{sum(1 for rows in quotes.rows if rows == 0)} of {len(quotes.rows)} return none (each interview is coded with
{low}-{high} of the {len(built.codes)} codes); the pairs that return quotes take p50 {answered.p50:.1f} ms, p95
{answered.p95:.1f} ms. The search queries are a third single words, a third "phrases" and a third prefixes (word*);
half of each are the study's terms (budget, RAS, "needs profile", duplicat* ...), half drawn from the corpus (content
words chosen by vocabulary, not frequency; adjacent word pairs; the first 4+ letters of a content word). Limit
{SEARCH_LIMIT} is the default of `Search.search` and of `workbench search --limit`;
{sum(1 for rows in search.rows if rows >= SEARCH_LIMIT)} of the {len(search.rows)} queries reached it.

For information (no target):

| measure | time | rows |
|---|---|---|
| search with KWIC, every match (no limit), the same {len(every.ms)} queries | {every.spread("")} | median \
{statistics.median(every.rows):.0f}, max {max(every.rows):,} |
| search (limit {SEARCH_LIMIT}) for a very common word, best of 3 | \
{", ".join(f"'{word}' {ms:.0f} ms" for word, (ms, _) in frequent.items())} | \
{", ".join(f"{rows:,}" for _, rows in frequent.values())} matching sentences |
| `ranked()` | {_seconds(results["tables"]["ranked"])} | {codes} codes |
| `cooccurrence("segment")` | {_seconds(results["tables"]["cooccurrence"])} | {codes} x {codes} codes |
| `spread(["duplication"])` | {_seconds(results["tables"]["spread"])} | {results["spread"][0]} participants, \
{results["spread"][1]:,} occurrences |

Query plans (`EXPLAIN QUERY PLAN` of each call's main statement, traced as the call issues it): participant + code
quotes (the slowest pair) {_plan(results["quotes_plan"])}. Search (`{results["search_worst"]}`, the slowest query)
{_plan(results["search_plan"])}. Matrix {_plan(results["matrix_plan"])}.

Machine load: the figures are wall-clock times on this {os.cpu_count()}-core machine, which other jobs may share; its
load average was {load} (at the start, after the quotes and search, and at the end).
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of each whole-project table (median reported)")
    parser.add_argument("--queries", type=int, default=300, help="random participant + code queries")
    parser.add_argument("--searches", type=int, default=150, help="search queries")
    parser.add_argument("--passes", type=int, default=3, help="runs of each query (the median is its time)")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    body = report(measure(args), args)
    write_section("retrieval", "Retrieval at study scale: quotes, search and the matrix", body)
    print(body)


if __name__ == "__main__":
    main()
