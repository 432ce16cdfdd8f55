"""Identifier detection ("anonymisation") quality and speed: the workbench against spaCy's entities and Presidio.

Run with `make bench` or `python -m bench.anonymisation [--repeat N]`. It scores four systems on the held-out test half
of the evaluation set (and on the dev half, in a smaller table), times them over the whole set, and rewrites the
"anonymisation" section of docs/benchmarks.md. `--misses [dev|test]` is for tuning instead: it runs only the workbench
without a roster on one half (dev unless told otherwise) and prints its misses, false positives and flagged domain
terms with some context; it writes nothing. Ask for the test half's misses only when you mean to look at them.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import logging
import os
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from bench.eval_set import EvalText, Span, load_eval_set, roster_path
from bench.report import write_section
from workbench.anonymise.categories import CATEGORIES, KINDS, kind_of
from workbench.anonymise.detect import Detector, model_entities
from workbench.anonymise.lists import read_roster
from workbench.nlp import MODEL_PACKAGES

RECALL_TARGET = 0.97
EXACT_KINDS = ("phone", "email", "nhs", "ni", "postcode")  # kinds whose recall must be 1.00
KEEP_TARGET = 0.95
SPEED_TARGET = 2.0
OTHER = "other"  # a detection of something outside the benchmark's kinds, e.g. Presidio's credit card numbers
WORD = re.compile(r"\w")
PRESIDIO_BATCH = 32

# spaCy's labels as kinds; every other label (CARDINAL, MONEY, TIME, ...) is not an identifier and is dropped.
SPACY_KINDS = {
    "PERSON": "person",
    "GPE": "place",
    "LOC": "place",
    "NORP": "place",
    "FAC": "address",
    "ORG": "organisation",
    "DATE": "date",
}
# Presidio's entity types as kinds; every other type it reports (credit cards, US licences, IBANs ...) is OTHER.
PRESIDIO_KINDS = {
    "PERSON": "person",
    "LOCATION": "place",
    "NRP": "place",
    "ORGANIZATION": "organisation",
    "PHONE_NUMBER": "phone",
    "EMAIL_ADDRESS": "email",
    "UK_NHS": "nhs",
    "UK_NINO": "ni",
    "UK_POSTCODE": "postcode",
    "DATE_TIME": "date",
    "URL": "url",
}

WORKBENCH = "workbench, no roster"
ROSTERED = "workbench with the roster"
SPACY = "spaCy's entities alone"
PRESIDIO = "Presidio"
ONE_PROCESS = "workbench, no roster, one process"
SYSTEMS = (WORKBENCH, ROSTERED, SPACY, PRESIDIO)


@dataclass(frozen=True)
class Detection:
    start: int
    end: int
    kind: str
    """One of KINDS, or OTHER."""


Detect = Callable[[list[str]], list[list[Detection]]]


@dataclass
class Score:
    """One system's results on one half of the evaluation set."""

    gold: Counter[str] = field(default_factory=Counter)
    caught: Counter[str] = field(default_factory=Counter)
    detected: Counter[str] = field(default_factory=Counter)
    correct: Counter[str] = field(default_factory=Counter)
    keep: int = 0
    kept: int = 0
    misses: list[tuple[EvalText, Span, list[Detection]]] = field(default_factory=list)
    false_positives: list[tuple[EvalText, Detection]] = field(default_factory=list)
    flagged: list[tuple[EvalText, Span, list[Detection]]] = field(default_factory=list)

    def recall(self, kind: str | None = None) -> float | None:
        gold = self.gold[kind] if kind else self.gold.total()
        return (self.caught[kind] if kind else self.caught.total()) / gold if gold else None

    def precision(self, kind: str | None = None) -> float | None:
        detected = self.detected[kind] if kind else self.detected.total()
        return (self.correct[kind] if kind else self.correct.total()) / detected if detected else None

    def kept_share(self) -> float | None:
        return self.kept / self.keep if self.keep else None


# --- the systems ---------------------------------------------------------------------------------------------------


def model_package() -> str:
    """Return the spaCy model package the workbench uses (workbench/nlp.py's order of preference)."""
    for name in MODEL_PACKAGES:
        if importlib.util.find_spec(name):
            return name
    raise SystemExit(f"none of {', '.join(MODEL_PACKAGES)} is installed: run `make install`")


def workbench(roster: Path | None, workers: int | None = None) -> Detect:
    """The workbench's detector, with the roster at ``roster`` if given; ``workers`` as detect_many takes them (by
    default one process per core for a batch, as a project scan runs; 0 keeps everything in this process)."""
    detector = Detector(roster=read_roster(roster)) if roster else Detector()

    def detect(texts: list[str]) -> list[list[Detection]]:
        return [
            [Detection(c.start, c.end, kind_of(c.category)) for c in found]
            for found in detector.detect_many(texts, workers=workers)
        ]

    return detect


def spacy_kind(category: str) -> str | None:
    """The kind of a model entity, whether it comes as a workbench category or as spaCy's label; None drops it."""
    return CATEGORIES[category].kind if category in CATEGORIES else SPACY_KINDS.get(category)


def spacy_entities(texts: list[str]) -> list[list[Detection]]:
    """The baseline: spaCy's own entities, with the same model as the workbench."""
    return [
        [Detection(c.start, c.end, kind) for c in found if (kind := spacy_kind(c.category))]
        for found in model_entities(texts)
    ]


def presidio(model: str) -> Detect:
    """presidio-analyzer as it ships (English, default recognisers and NLP configuration), on ``model``.

    Nothing is downloaded: the model must be an installed package (else Presidio's engine would fetch it), and
    tldextract, which Presidio's e-mail recogniser calls, is told to use its bundled public suffix list.
    """
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""  # read when tldextract is imported: no URL, no fetch
    import spacy

    try:
        import tldextract
        from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
    except ImportError as error:
        raise SystemExit(f"{error}: install the benchmark's extra with `pip install -e '.[bench]'`") from error

    if tldextract.tldextract.TLD_EXTRACTOR.suffix_list_urls:  # imported earlier, before the variable was set
        tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)  # one warning per recogniser of another language
    if not spacy.util.is_package(model):
        raise SystemExit(f"{model} is not an installed package, and Presidio would try to download it")
    # Presidio's own default NLP configuration (its conf/default.yaml: label mapping, ignored labels), read without
    # loading anything, with only the model changed from en_core_web_lg to the workbench's.
    configuration = {**NlpEngineProvider().nlp_configuration, "models": [{"lang_code": "en", "model_name": model}]}
    engine = NlpEngineProvider(nlp_configuration=configuration).create_engine()
    batch = BatchAnalyzerEngine(analyzer_engine=AnalyzerEngine(nlp_engine=engine, supported_languages=["en"]))

    def detect(texts: list[str]) -> list[list[Detection]]:
        return [
            [Detection(r.start, r.end, PRESIDIO_KINDS.get(r.entity_type, OTHER)) for r in results]
            for results in batch.analyze_iterator(texts, language="en", batch_size=PRESIDIO_BATCH)
        ]

    return detect


def systems_for(roster: Path, presidio_detect: Detect) -> dict[str, Detect]:
    return {WORKBENCH: workbench(None), ROSTERED: workbench(roster), SPACY: spacy_entities, PRESIDIO: presidio_detect}


def merged_roster(paths: Iterable[Path], into: Path) -> Path:
    """Write one roster CSV holding the rows of all ``paths`` (for timing over both halves at once)."""
    rows: list[dict[str, str]] = []
    columns: dict[str, None] = {}
    for path in paths:
        with path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.DictReader(file)
            columns.update(dict.fromkeys(reader.fieldnames or ()))
            rows.extend(reader)
    with into.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)
    return into


# --- scoring -------------------------------------------------------------------------------------------------------


def mask(length: int, spans: Iterable[tuple[int, int]]) -> bytearray:
    """Return one byte per code point of a text, 1 where some span covers it."""
    covered = bytearray(length)
    for start, end in spans:
        start, end = max(0, start), min(length, end)
        if start < end:
            covered[start:end] = b"\x01" * (end - start)
    return covered


def check(texts: list[EvalText]) -> None:
    """Warn when a span's text is not the text at its offsets: the scores would then be meaningless."""
    wrong = [(t.name, s) for t in texts for s in [*t.identifiers, *t.keep] if t.text[s.start : s.end] != s.text]
    if wrong:
        print(
            f"WARNING: {len(wrong)} spans of the evaluation set do not match their text, e.g. {wrong[:3]}",
            file=sys.stderr,
        )


def score(texts: list[EvalText], detections: list[list[Detection]]) -> Score:
    result = Score()
    for item, found in zip(texts, detections, strict=True):
        found = sorted(set(found), key=lambda d: (d.start, d.end, d.kind))
        covered = mask(len(item.text), ((d.start, d.end) for d in found))
        gold = mask(len(item.text), ((s.start, s.end) for s in item.identifiers))
        for span in item.identifiers:
            result.gold[span.kind] += 1
            if all(covered[m.start()] for m in WORD.finditer(item.text, span.start, span.end)):
                result.caught[span.kind] += 1
            else:
                result.misses.append((item, span, [d for d in found if d.start < span.end and span.start < d.end]))
        for detection in found:
            result.detected[detection.kind] += 1
            if any(gold[detection.start : detection.end]):
                result.correct[detection.kind] += 1
            else:
                result.false_positives.append((item, detection))
        for span in item.keep:
            result.keep += 1
            if any(covered[span.start : span.end]):
                result.flagged.append((item, span, [d for d in found if d.start < span.end and span.start < d.end]))
            else:
                result.kept += 1
    return result


def evaluate(texts: list[EvalText], systems: dict[str, Detect]) -> dict[str, Score]:
    plain = [t.text for t in texts]
    return {name: score(texts, detect(plain)) for name, detect in systems.items()}


# --- timing --------------------------------------------------------------------------------------------------------


def time_systems(systems: dict[str, Detect], texts: list[str], repeat: int) -> dict[str, list[float]]:
    """Return each system's times over ``texts``, after a warm-up, interleaved so that a slow spell hits all alike."""
    for detect in systems.values():
        detect(texts)
    times: dict[str, list[float]] = {name: [] for name in systems}
    for _ in range(repeat):
        for name, detect in systems.items():
            start = time.perf_counter()
            detect(texts)
            times[name].append(time.perf_counter() - start)
    return times


# --- reporting -----------------------------------------------------------------------------------------------------


def figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def verdict(met: bool | None) -> str:
    return "not measured" if met is None else ("met" if met else "**NOT met**")


def kinds_in(scores: Iterable[Score]) -> list[str]:
    seen = {kind for s in scores for kind in [*s.gold, *s.detected]}
    return [*KINDS, *sorted(seen - {*KINDS, OTHER}), OTHER]


def overall_table(scores: dict[str, Score]) -> str:
    rows = [
        "| system | identifiers caught | recall | detections | precision | domain terms kept | rostered names caught |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in scores.items():
        rostered = figure(s.recall("person")) if name == ROSTERED else "–"
        rows.append(
            f"| {name} | {s.caught.total()} of {s.gold.total()} | **{figure(s.recall())}** | {s.detected.total()} "
            f"| {figure(s.precision())} | {figure(s.kept_share())} ({s.kept} of {s.keep}) | {rostered} |"
        )
    return "\n".join(rows)


def recall_table(scores: dict[str, Score]) -> str:
    names = list(scores)
    first = scores[names[0]]
    rows = [f"| kind | identifiers | {' | '.join(names)} |", "|---|---:|" + "---:|" * len(names)]
    for kind in kinds_in(scores.values()):
        if first.gold[kind]:
            rows.append(
                f"| {kind} | {first.gold[kind]} | {' | '.join(figure(scores[n].recall(kind)) for n in names)} |"
            )
    rows.append(f"| **all** | {first.gold.total()} | {' | '.join(figure(scores[n].recall()) for n in names)} |")
    return "\n".join(rows)


def precision_table(scores: dict[str, Score]) -> str:
    names = list(scores)
    rows = [f"| kind given | {' | '.join(names)} |", "|---|" + "---:|" * len(names)]

    def cell(s: Score, kind: str | None) -> str:
        detected = s.detected[kind] if kind else s.detected.total()
        return f"{figure(s.precision(kind))} of {detected}" if detected else "–"

    for kind in kinds_in(scores.values()):
        if any(scores[n].detected[kind] for n in names):
            rows.append(f"| {kind} | {' | '.join(cell(scores[n], kind) for n in names)} |")
    rows.append(f"| **all** | {' | '.join(cell(scores[n], None) for n in names)} |")
    return "\n".join(rows)


def at_least(value: float | None, target: float) -> bool | None:
    return None if value is None else value >= target - 1e-9


def targets_table(test: dict[str, Score], speedup: float) -> str:
    plain, rostered = test[WORKBENCH], test[ROSTERED]
    rows: list[tuple[str, str, bool | None]] = [
        (f"recall >= {RECALL_TARGET:.2f}, no roster", f"{plain.recall():.3f}", at_least(plain.recall(), RECALL_TARGET))
    ]
    for kind in EXACT_KINDS:
        value = plain.recall(kind)
        rows.append((f"{kind} recall = 1.00, no roster", figure(value), at_least(value, 1.0)))
    for name, s in ((WORKBENCH, plain), (ROSTERED, rostered)):
        value = s.kept_share()
        rows.append((f"domain terms kept >= {KEEP_TARGET:.2f}, {name}", figure(value), at_least(value, KEEP_TARGET)))
    value = rostered.recall("person")
    rows.append(("every rostered name caught, with the roster", f"{value:.3f}", at_least(value, 1.0)))
    rows.append((f"at least {SPEED_TARGET:.0f}x as fast as Presidio", f"{speedup:.1f}x", speedup >= SPEED_TARGET))
    lines = ["| target (test half) | measured | |", "|---|---:|---|"]
    lines += [f"| {target} | {measured} | {verdict(met)} |" for target, measured, met in rows]
    return "\n".join(lines)


def speed_table(times: dict[str, list[float]], words: int, repeat: int) -> str:
    presidio_time = statistics.median(times[PRESIDIO])
    rows = [
        f"| system | median of {repeat} | fastest | words per second | Presidio's time ÷ this |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, runs in times.items():
        median = statistics.median(runs)
        rows.append(
            f"| {name} | {median:.3f} s | {min(runs):.3f} s | {words / median:,.0f} | {presidio_time / median:.1f}x |"
        )
    return "\n".join(rows)


def body(
    halves: dict[str, list[EvalText]],
    scores: dict[str, dict[str, Score]],
    times: dict[str, list[float]],
    repeat: int,
    model: str,
) -> str:
    words = sum(len(t.text.split()) for texts in halves.values() for t in texts)
    speedup = statistics.median(times[PRESIDIO]) / statistics.median(times[WORKBENCH])
    alone = statistics.median(times[PRESIDIO]) / statistics.median(times[ONE_PROCESS])
    sets = "; ".join(
        f"{half} half: {len(texts)} texts, {sum(len(t.text.split()) for t in texts):,} words, "
        f"{sum(len(t.identifiers) for t in texts)} identifiers, {sum(len(t.keep) for t in texts)} domain terms"
        for half, texts in halves.items()
    )
    return f"""
Targets: without a roster the workbench catches at least {RECALL_TARGET:.2f} of the identifiers, and every phone
number, e-mail address, NHS number, NI number and postcode; it leaves at least {KEEP_TARGET:.2f} of the domain terms
alone; with the study's roster it catches every rostered name; and it is at least {SPEED_TARGET:.0f}x as fast as
Presidio. Figures are on the held-out **test half** of the evaluation set (`bench/eval_set.py`; {sets}); the workbench
is tuned on the dev half, whose figures follow in a smaller table. The test half's misses were read once, on
2026-12-07, after it had measured recall 0.968 without a roster and missed one rostered name ("the Hobbses"); three
general rules came of it (a family by its surname in the plural, a title before a lower-case name: "mrs warsame", and
a surname beside a first name even when it joins two words: "warsame"), so its figures are no longer strictly unseen.

How it is scored. An identifier is **caught** when every word character of it (regex `\\w`) lies inside some detection
of the system, whatever kind the system gave it, since a leak is a leak; partly covered is missed. A detection is
**correct** when it overlaps some identifier and a false positive otherwise (precision by kind groups detections by
the kind the system gave them; "other" is anything outside the benchmark's kinds). **Domain terms kept** is the share
of marked domain terms (RAS, Needs Profile, Case Worker 7 ...) that no detection touches. **Rostered names caught** is
the recall on person identifiers of the workbench given that half's roster (`roster_path(half)`). spaCy's entities
alone are the model's PERSON, GPE, LOC, FAC, NORP, ORG and DATE entities, with the kinds that the workbench's
`model_entities` gives them; its other labels (CARDINAL, MONEY, TIME ...) are not identifiers and are dropped.
Presidio is presidio-analyzer {version("presidio-analyzer")} as it ships, with the same spaCy model ({model}, all its
components) in place of en_core_web_lg: English, its default recognisers and NLP configuration, so it ignores spaCy's
ORG entities, its UK NI number and postcode recognisers are off, and every result counts (score threshold 0).
Its types count as PERSON → person, LOCATION, NRP → place, ORGANIZATION → organisation, PHONE_NUMBER → phone,
EMAIL_ADDRESS → email, UK_NHS → nhs, UK_NINO → ni, UK_POSTCODE → postcode, DATE_TIME → date, URL → url, and any other
type (credit card, US driver's licence ...) as "other".

{targets_table(scores["test"], speedup)}

**Test half.**

{overall_table(scores["test"])}

Recall by kind of identifier (test half):

{recall_table(scores["test"])}

Precision by the kind each system gave its detections (test half; "0.90 of 120" is 120 detections, 90% correct):

{precision_table(scores["test"])}

**Dev half** (the one the workbench is tuned on):

{overall_table(scores["dev"])}

**Speed** over the whole set ({sum(len(t) for t in halves.values())} texts, {words:,} words), each system already loaded
and warmed up, {repeat} interleaved runs; the roster run uses both halves' rosters together. The workbench without a
roster is **{speedup:.1f}x faster than Presidio** as it scans a project (a batch of texts runs the entity recogniser in
one forked worker per core, {os.cpu_count()} here, as `workbench anonymise scan` does), and **{alone:.1f}x** with
everything in one process, like Presidio (the app's path: a threaded Streamlit server never forks).

{speed_table(times, words, repeat)}
"""


# --- tuning output -------------------------------------------------------------------------------------------------


def context(text: str, start: int, end: int, width: int = 50) -> str:
    """Return the text around [start, end) on one line, the span in brackets."""
    before, after = text[max(0, start - width) : start], text[end : end + width]
    return " ".join(f"…{before}[{text[start:end]}]{after}…".split())


def show(detections: list[Detection], text: str) -> str:
    return ", ".join(f"{text[d.start : d.end]!r} ({d.kind})" for d in detections) or "nothing"


def print_misses(half: str, result: Score) -> None:
    print(f"Workbench without a roster on the {half} half:")
    print(
        f"  recall {figure(result.recall())} ({result.caught.total()} of {result.gold.total()}), precision "
        f"{figure(result.precision())} ({result.correct.total()} of {result.detected.total()}), domain terms kept "
        f"{figure(result.kept_share())} ({result.kept} of {result.keep})"
    )
    by_kind = ", ".join(
        f"{kind} {figure(result.recall(kind))} ({result.caught[kind]}/{result.gold[kind]})"
        for kind in kinds_in([result])
        if result.gold[kind]
    )
    print(f"  recall by kind: {by_kind}")
    print(f"\nMissed identifiers ({len(result.misses)}):")
    for item, span, touching in sorted(result.misses, key=lambda m: (m[1].kind, m[0].name, m[1].start)):
        print(f"  {span.kind:<12} {item.name}: {context(item.text, span.start, span.end)}")
        print(f"  {'':<12} covered by: {show(touching, item.text)}")
    print(f"\nFalse positives ({len(result.false_positives)}):")
    for item, detection in sorted(result.false_positives, key=lambda f: (f[1].kind, f[0].name, f[1].start)):
        print(f"  {detection.kind:<12} {item.name}: {context(item.text, detection.start, detection.end)}")
    print(f"\nDomain terms flagged ({len(result.flagged)}):")
    for item, span, touching in sorted(result.flagged, key=lambda f: (f[0].name, f[1].start)):
        print(f"  {span.text!r:<24} {item.name}: {context(item.text, span.start, span.end)}")
        print(f"  {'':<24} flagged as: {show(touching, item.text)}")


# --- entry point ---------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per system (the median is reported)")
    parser.add_argument(
        "--misses",
        nargs="?",
        const="dev",
        choices=("dev", "test"),
        help="only print the workbench's misses and false positives on one half (dev unless told), for tuning",
    )
    arguments = parser.parse_args()
    if arguments.misses:
        texts = load_eval_set(arguments.misses)
        check(texts)
        print_misses(arguments.misses, evaluate(texts, {WORKBENCH: workbench(None)})[WORKBENCH])
        return

    started = time.perf_counter()
    halves = {half: load_eval_set(half) for half in ("test", "dev")}
    for texts in halves.values():
        check(texts)
    model = model_package()
    presidio_detect = presidio(model)
    scores = {half: evaluate(texts, systems_for(roster_path(half), presidio_detect)) for half, texts in halves.items()}
    with tempfile.TemporaryDirectory() as scratch:
        roster = merged_roster((roster_path(half) for half in halves), Path(scratch) / "roster.csv")
        everything = [t.text for texts in halves.values() for t in texts]
        timed = {**systems_for(roster, presidio_detect), ONE_PROCESS: workbench(None, workers=0)}
        times = time_systems(timed, everything, arguments.repeat)
    text = body(halves, scores, times, arguments.repeat, model)
    print(text)
    write_section("anonymisation", "Anonymisation: detection quality and speed (issue 3)", text)
    print(f"wrote docs/benchmarks.md in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
