"""A synthetic project at study scale: ~1,000,000 words of released transcripts and 50,000 codings by three coders.

Two presets: "study" (500 transcripts, 1M words, 50,000 codings; `bench.retrieval`) and "scale" (1,000 transcripts of
about 12,000 words, 12M words, 300,000 codings and memos; `bench.scale_latency`). `cached(preset)` builds a preset
once into bench/.cache (git-ignored) and reuses it while the builder and the parameters are unchanged.
`python -m bench.synthetic_project FOLDER [--preset scale]` builds one to explore by hand. The sample
transcripts the demo signs off are split into sentences and lemma-indexed once; each synthetic interview alternates
turns shaped like the sample's, filled with its sentences (and their spaCy lemmas, shifted) drawn at random. Documents
are written through `Store` in the shape sign-off leaves them (skipping import, the anonymisation scan and sign-off);
codings through `Coding.insert`.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import hashlib
import json
import pickle
import random
import shutil
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

from workbench.coding import Coding
from workbench.demo import CODEBOOK_FOLDER, DEMO_CODEBOOKS, LEFT_FOR_THE_REVIEWER, SAMPLE_FOLDER, sample_files
from workbench.ingest import read_transcript
from workbench.lemmas import index_turns
from workbench.project import Project
from workbench.segment import sentence_spans
from workbench.store import utc_now

ACTOR = "bench"
REVIEWER = "Bench Reviewer"
# The lead coder codes every transcript; the others double-code some of them, as a team checking agreement does.
CODERS = (("Alex Morgan", 1.0), ("Sam Okoro", 0.5), ("Priya Shah", 0.2))
AGREEMENT = 0.7  # a second coder's coding repeats the lead's (same words, same code) this often
CODES_PER_INTERVIEW = (8, 20)
DOCUMENT_BATCH = 50  # documents (or their codings) per transaction
FORMATS = ["docx"] * 10 + ["txt"] * 3 + ["vtt"]
# How a new coding is placed: a whole sentence, a whole turn, two or three sentences of a turn, words of a sentence.
UNITS = (("sentence", 0.60), ("turn", 0.12), ("sentences", 0.13), ("words", 0.15))

# Bump when the builder changes what it writes: cached projects built by an older builder are rebuilt.
BUILDER_VERSION = 3
CACHE = Path(__file__).resolve().parent / ".cache"
PRESETS: dict[str, dict[str, Any]] = {
    "study": {"participants": 500, "words": 1_000_000, "codings": 50_000, "removed": 1_000},
    # 1,000 interviews of about 12,000 words: each coded by the lead in ~200 places on 20-40 codes, double-coded in
    # part by the others (~300 live codings an interview in all), with memos on codes, documents and some codings.
    "scale": {
        "participants": 1_000,
        "words": 12_000_000,
        "codings": 300_000,
        "removed": 6_000,
        "codes_per_interview": (20, 40),
        "memo_share": 0.02,
    },
}

Lemmas = list[list[Any]]  # a sentence's lemma index: [start, end, lemma] per word, document offsets


@dataclass(frozen=True)
class SourceSentence:
    text: str
    lemmas: tuple[tuple[int, int, str], ...]  # [start, end, lemma] relative to the sentence's start


@dataclass
class SourcePools:
    """The sample study cut into sentences and turn shapes, by role."""

    sentences: dict[str, list[SourceSentence]] = field(default_factory=dict)
    shapes: dict[str, list[list[int]]] = field(default_factory=dict)  # sentences per paragraph of each turn
    documents: int = 0
    words: int = 0


@dataclass
class Built:
    """What was built (and from what), and how long each part took."""

    folder: Path
    participants: list[str]
    pools: SourcePools
    codes: list[str] = field(default_factory=list)
    documents: int = 0
    words: int = 0
    turns: int = 0
    sentences: int = 0
    codings: int = 0
    removed: int = 0
    by_coder: dict[str, int] = field(default_factory=dict)
    by_unit: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    codes_per_interview: tuple[int, int] = CODES_PER_INTERVIEW
    memos: int = 0
    cached: bool = False  # taken from bench/.cache rather than built by this run


@dataclass
class _Sentence:
    id: str
    turn: int  # index of its turn in _Document.turns
    start: int
    end: int
    words: list[tuple[int, int]]


@dataclass
class _Document:
    id: int
    turns: list[tuple[str, int, int, str]] = field(default_factory=list)  # (id, start, end, role)
    sentences: list[_Sentence] = field(default_factory=list)  # participant sentences only (those that get coded)


def source_pools() -> SourcePools:
    """Read, split and lemma-index the sample transcripts the demo signs off."""
    files = [path for path in sample_files(SAMPLE_FOLDER) if path.name not in LEFT_FOR_THE_REVIEWER]
    transcripts = [read_transcript(path) for path in files]
    pools = SourcePools(sentences={"interviewer": [], "participant": []}, shapes={"interviewer": [], "participant": []})
    pools.documents, pools.words = len(transcripts), sum(len(t.text.split()) for t in transcripts)
    for transcript, spans in zip(transcripts, sentence_spans(transcripts), strict=True):
        text = transcript.text
        index = index_turns(text, [(t.start, t.end) for t in transcript.turns], [s for turn in spans for s in turn])
        lemmas = iter(index)
        for turn, sentences in zip(transcript.turns, spans, strict=True):
            shape: list[int] = []
            previous_end = None
            for start, end in sentences:
                entry = json.loads(next(lemmas))
                if previous_end is None or "\n\n" in text[previous_end:start]:
                    shape.append(0)
                shape[-1] += 1
                previous_end = end
                words = tuple((s - start, e - start, str(lemma)) for s, e, lemma in entry)
                pools.sentences[turn.role].append(SourceSentence(" ".join(text[start:end].split()), words))
            if shape:
                pools.shapes[turn.role].append(shape)
    return pools


def _participant_rows(count: int, rng: random.Random) -> list[tuple[str, str, str, str]]:
    """(id, label, role, attributes JSON) for ``count`` participants, attributes drawn from the sample's roster."""
    with (SAMPLE_FOLDER / "participants.csv").open(encoding="utf-8-sig") as handle:
        roster = list(csv.DictReader(handle))
    attributes = [name for name in roster[0] if name not in ("id", "label", "role")]
    rows = []
    for number in range(1, count + 1):
        values = {name: rng.choice(roster)[name] for name in attributes}
        rows.append((str(number), f"Case Worker {number}", rng.choice(roster)["role"], json.dumps(values)))
    return rows


def _transcript(
    pools: SourcePools, speaker: str, target_words: int, rng: random.Random
) -> tuple[str, list[tuple[str, int, int, list[tuple[int, int, Lemmas]]]]]:
    """One interview: its text and its turns (role, start, end, and each sentence's span and lemma index)."""
    parts: list[str] = []
    turns: list[tuple[str, int, int, list[tuple[int, int, Lemmas]]]] = []
    position = words = 0
    role = "interviewer"

    def add(piece: str) -> None:
        nonlocal position
        parts.append(piece)
        position += len(piece)

    while words < target_words or role == "participant":  # end on the participant's answer
        label = f"{'Interviewer' if role == 'interviewer' else speaker}: "
        add(("\n\n" if parts else "") + label)
        start, sentences = position, []
        for number, size in enumerate(rng.choice(pools.shapes[role])):
            add("\n\n" if number else "")
            for index in range(size):
                sentence = rng.choice(pools.sentences[role])
                add(" " if index else "")
                lemmas = [[position + s, position + e, lemma] for s, e, lemma in sentence.lemmas]
                sentences.append((position, position + len(sentence.text), lemmas))
                add(sentence.text)
                words += len(sentence.text.split())
        turns.append((role, start, position, sentences))
        words += len(label.split())
        role = "participant" if role == "interviewer" else "interviewer"
    return "".join(parts), turns


def _write_documents(
    project: Project, participants: Sequence[tuple[str, str, str, str]], words: int, rng: random.Random, built: Built
) -> list[_Document]:
    """One released interview per participant, ``words`` words in all."""
    pools, documents = built.pools, []
    # A transcript ends on the participant's answer after passing its target: aim below by half a question and answer.
    turn_words = {
        role: statistics.mean(len(s.text.split()) for s in pools.sentences[role])
        * statistics.mean(sum(shape) for shape in pools.shapes[role])
        for role in pools.shapes
    }
    mean = words / len(participants) - sum(turn_words.values()) / 2
    summary = json.dumps({"candidates": 0, "accepted": 0, "rejected": 0, "by_hand": 0, "by_category": {}})
    store, keys = project._store, project._keys
    for first in range(0, len(participants), DOCUMENT_BATCH):
        batch = participants[first : first + DOCUMENT_BATCH]
        # The key store keeps each transcript's working copy, as import leaves it (the Anonymisation page reads it):
        # here the released text itself, since the synthetic interviews name no one.
        working: list[tuple[str, str, str, str]] = []
        with store.transaction(ACTOR, "synthetic transcripts", {"count": len(batch)}):
            for participant_id, label, _, _ in batch:
                text, turns = _transcript(pools, label, max(400, int(rng.gauss(mean, mean * 0.12))), rng)
                source_format, number = rng.choice(FORMATS), int(participant_id)
                metadata = {
                    "Interview": f"CW{number:02d}",
                    "Date": f"{rng.randint(1, 28)} {rng.choice(['March', 'April', 'May', 'June'])} 2025",
                    "Interviewer": rng.choice(["Researcher A", "Researcher B"]),
                    "Duration": f"{rng.randint(45, 90)} minutes",
                }
                document_id = store.insert_document(
                    {
                        "participant_id": participant_id,
                        "source_name": f"cw{number:03d}.{source_format}",
                        "source_format": source_format,
                        "sha256": hashlib.sha256(text.encode()).hexdigest(),
                        "text": text,
                        "words": len(text.split()),
                        "turns": len(turns),
                        "status": "signed off",
                        "imported_at": utc_now(),
                        "imported_by": ACTOR,
                    }
                )
                document = _Document(document_id)
                rows: list[tuple[Any, ...]] = []
                lemma_rows: list[tuple[str, str]] = []
                for n, (role, start, end, sentences) in enumerate(turns, 1):
                    turn_id, speaker = f"d{document_id}.t{n}", "Interviewer" if role == "interviewer" else label
                    rows.append((turn_id, document_id, "turn", None, len(rows), speaker, role, start, end, "{}"))
                    document.turns.append((turn_id, start, end, role))
                    for m, (s, e, lemmas) in enumerate(sentences, 1):
                        sentence_id = f"{turn_id}.s{m}"
                        rows.append(
                            (sentence_id, document_id, "sentence", turn_id, len(rows), speaker, role, s, e, "{}")
                        )
                        lemma_rows.append((json.dumps(lemmas, ensure_ascii=False), sentence_id))
                        if role == "participant":
                            words_at = [(int(w[0]), int(w[1])) for w in lemmas]
                            document.sentences.append(_Sentence(sentence_id, n - 1, s, e, words_at))
                store.release_document(document_id, text, json.dumps(metadata), rows)
                turn_entries = [
                    {"speaker": "Interviewer" if role == "interviewer" else label, "role": role, "start": start,
                     "end": end, "start_time": None, "end_time": None, "sentences": [[s, e] for s, e, _ in sentences]}
                    for role, start, end, sentences in turns
                ]  # fmt: skip
                working.append((hashlib.sha256(text.encode()).hexdigest(), text, json.dumps(metadata),
                                json.dumps(turn_entries)))  # fmt: skip
                store.write_lemmas(lemma_rows)
                store.add_signoff(document_id, REVIEWER, summary)
                documents.append(document)
                built.documents += 1
                built.words += len(text.split())
                built.turns += len(turns)
                built.sentences += len(lemma_rows)
        with keys.transaction(ACTOR, "synthetic working copies", {"count": len(working)}):
            for sha256, text, metadata_json, turns_json in working:
                keys.put_working_copy(sha256, text, metadata_json, turns_json)
    return documents


def _code_weights(codes: Sequence[str]) -> list[float]:
    """How often each code is used: the sample study's coders' counts, and a little for codes they never used."""
    counts: Counter[str] = Counter()
    for path in (SAMPLE_FOLDER / "codings").glob("*.csv"):
        with path.open(encoding="utf-8-sig") as handle:
            counts.update(row["code"] for row in csv.DictReader(handle) if row.get("code"))
    return [counts.get(code, 0) + 0.5 for code in codes]


def _pick(items: Sequence[Any], cumulative: Sequence[float], rng: random.Random) -> Any:
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


def _new_span(document: _Document, rng: random.Random) -> tuple[str, str, int, int]:
    """(unit kind, segment id, start, end) of a fresh coding in the participant's talk."""
    unit = _pick([u for u, _ in UNITS], list(accumulate(w for _, w in UNITS)), rng)
    index = rng.randrange(len(document.sentences))
    sentence = document.sentences[index]
    turn_id, turn_start, turn_end, _ = document.turns[sentence.turn]
    if unit == "turn":
        return unit, turn_id, turn_start, turn_end
    if unit == "sentences":
        following = [s for s in document.sentences[index + 1 : index + 3] if s.turn == sentence.turn]
        if following:
            last = following[: rng.randint(1, len(following))][-1]
            return unit, turn_id, sentence.start, last.end
    if unit == "words" and len(sentence.words) >= 5:
        length = rng.randint(3, len(sentence.words) - 1)
        first = rng.randrange(len(sentence.words) - length + 1)
        return unit, turn_id, sentence.words[first][0], sentence.words[first + length - 1][1]
    return "sentence", sentence.id, sentence.start, sentence.end


_MEMO_TEXT = (
    "Echoes what other case workers said about the form; check against the team leader interviews. "
    "Possible theme: the tool is trusted less than the worker's own judgement. Follow up on the training gap."
)
MEMO_WORDS = _MEMO_TEXT.split(" ")


def _memo(coder: Coding, target: str, target_id: str, rng: random.Random, built: Built) -> None:
    """A memo of 10-60 words by ``coder`` (inside the caller's transaction)."""
    text = " ".join(rng.choice(MEMO_WORDS) for _ in range(rng.randint(10, 60)))
    kind = rng.choice(["memo"] * 8 + ["future consideration", "recommendation"])
    now = utc_now()
    coder._store.db.execute(
        "INSERT INTO memos (target, target_id, kind, text, author, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [target, target_id, kind, text, coder.coder, now, now],
    )
    built.memos += 1


def _write_codings(
    project: Project,
    documents: Sequence[_Document],
    total: int,
    removed: int,
    rng: random.Random,
    built: Built,
    memo_share: float = 0.0,
) -> None:
    """``total`` live codings spread over the documents, codes and coders, and ``removed`` ones (as undo leaves)."""
    weights = _code_weights(built.codes)
    coders = {name: project.coding.as_coder(name) for name, _ in CODERS}
    shares = [len(d.sentences) * rng.lognormvariate(0, 0.35) for d in documents]
    counts = [int(total * share / sum(shares)) for share in shares]
    for index in rng.sample(range(len(documents)), total - sum(counts)):
        counts[index] += 1
    extra = [0] * len(documents)
    for index in rng.choices(range(len(documents)), k=removed):
        extra[index] += 1
    for first in range(0, len(documents), DOCUMENT_BATCH):
        with project._store.transaction(ACTOR, "synthetic codings", {"documents": DOCUMENT_BATCH}):
            for index in range(first, min(first + DOCUMENT_BATCH, len(documents))):
                _code_document(documents[index], counts[index], extra[index], weights, coders, rng, built, memo_share)
                if memo_share:
                    for _ in range(rng.randint(1, 3)):
                        _memo(coders[CODERS[0][0]], "document", str(documents[index].id), rng, built)
        if memo_share and first == 0:
            with project._store.transaction(ACTOR, "synthetic code memos", {"codes": len(built.codes)}):
                for code in built.codes:
                    _memo(coders[CODERS[0][0]], "code", code, rng, built)


def _code_document(
    document: _Document,
    count: int,
    undone: int,
    weights: Sequence[float],
    coders: dict[str, Coding],
    rng: random.Random,
    built: Built,
    memo_share: float = 0.0,
) -> None:
    """``count`` live codings of the document and ``undone`` removed ones, on some of the codes."""
    codes = built.codes
    chosen: dict[str, float] = {}  # the codes this interview touches, and how much
    wanted, everywhere = min(rng.randint(*built.codes_per_interview), len(codes)), list(accumulate(weights))
    while len(chosen) < wanted:  # some codes much more than others
        code = _pick(codes, everywhere, rng)
        chosen.setdefault(code, weights[codes.index(code)] * rng.gammavariate(1.0, 1.0))
    profile, cumulative = list(chosen), list(accumulate(chosen.values()))
    lead, *others = [coders[name] for name, share in CODERS if name == CODERS[0][0] or rng.random() < share]
    other_share = {0: 0.0, 1: 0.45, 2: 0.6}[len(others)]
    lead_codings: list[tuple[str, str, int, int, str]] = []
    made = attempts = 0
    while made < count + undone and attempts < 50 * (count + undone):
        attempts += 1
        coder = lead
        if others and lead_codings and rng.random() < other_share:
            coder = rng.choice(others)
            unit, segment, start, end, code = rng.choice(lead_codings)
            chance = rng.random()
            if chance > AGREEMENT + 0.15:
                unit, segment, start, end = _new_span(document, rng)
            elif chance > AGREEMENT:
                code = _pick(profile, cumulative, rng)
        else:
            unit, segment, start, end = _new_span(document, rng)
            code = _pick(profile, cumulative, rng)
        coding_id = coder.insert(document.id, segment, start, end, code, origin="manual", key_quote=rng.random() < 0.04)
        if coding_id is None:
            continue
        made += 1
        if made > count:  # coded, then taken back
            coder._set_removed([coding_id], True)
            built.removed += 1
            continue
        if coder is lead:
            lead_codings.append((unit, segment, start, end, code))
        if rng.random() < memo_share:
            _memo(coder, "coding", str(coding_id), rng, built)
        built.codings += 1
        built.by_coder[coder.coder] = built.by_coder.get(coder.coder, 0) + 1
        built.by_unit[unit] = built.by_unit.get(unit, 0) + 1


def build(
    folder: Path,
    *,
    participants: int = 500,
    words: int = 1_000_000,
    codings: int = 50_000,
    removed: int = 1_000,
    codes_per_interview: tuple[int, int] = CODES_PER_INTERVIEW,
    memo_share: float = 0.0,
    seed: int = 2025,
) -> Built:
    """Create the synthetic project in ``folder`` (new or empty) and return what it holds; the project is closed."""
    rng = random.Random(seed)
    started = mark = time.perf_counter()
    seconds: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal mark
        seconds[name], mark = time.perf_counter() - mark, time.perf_counter()

    pools = source_pools()
    lap("sample sentences and lemmas")
    with Project.init(folder, actor=ACTOR) as project:
        store = project._store
        for name in DEMO_CODEBOOKS:
            project.codebooks.load(CODEBOOK_FOLDER / name)
        rows = _participant_rows(participants, rng)
        with store.transaction(ACTOR, "synthetic participants", {"count": len(rows)}):
            for row in rows:
                store.write_participant(*row)
        built = Built(folder, [row[0] for row in rows], pools, seconds=seconds)
        built.codes_per_interview = codes_per_interview
        documents = _write_documents(project, rows, words, rng, built)
        lap("documents, segments, full-text and lemma index")
        built.codes = [row["id"] for row in store.query("SELECT id FROM codes ORDER BY position")]
        _write_codings(project, documents, codings, removed, rng, built, memo_share)
        lap("codings")
    seconds["total"] = time.perf_counter() - started
    return built


def cached(preset: str = "study", *, seed: int = 2025, cache: Path = CACHE) -> Built:
    """The preset's project, built once into ``cache`` and reused while the builder and its parameters are the same.

    Callers that write to it should work on a copy (`copy_project`). The returned ``Built`` keeps the seconds the
    build took when it was made, with ``cached`` set when it was not built by this call.
    """
    parameters = {**PRESETS[preset], "seed": seed}
    key = hashlib.sha256(json.dumps([BUILDER_VERSION, parameters], sort_keys=True).encode()).hexdigest()[:12]
    folder = cache / f"{preset}-{key}"
    record = folder / "built.pickle"
    if record.is_file():
        with record.open("rb") as handle:
            built: Built = pickle.load(handle)
        built.folder, built.cached = folder / "project", True
        return built
    cache.mkdir(exist_ok=True)
    (cache / ".gitignore").write_text("*\n", encoding="utf-8")  # never committed, whatever the repo's own ignores
    shutil.rmtree(folder, ignore_errors=True)
    built = build(folder / "project", **parameters)
    with record.open("wb") as handle:
        pickle.dump(built, handle)
    return built


def copy_project(source: Path, target: Path) -> Path:
    """Copy a project folder (closed) to ``target``, for a run that may write to it; return ``target``."""
    shutil.copytree(source, target)
    return target


def check(project: Project, built: Built, *, sample: int = 1000, seed: int = 7) -> None:
    """Raise AssertionError unless the project holds what ``built`` says, and quotes cut the right words."""
    store = project._store
    assert store.scalar("SELECT COUNT(*) FROM documents WHERE status = 'signed off'") == built.documents
    assert store.scalar("SELECT COUNT(*) FROM segments WHERE kind = 'sentence'") == built.sentences
    assert store.scalar("SELECT COUNT(*) FROM sentence_fts") == built.sentences
    assert store.scalar("SELECT COUNT(*) FROM segments WHERE kind = 'sentence' AND lemmas IS NULL") == 0
    assert store.scalar("SELECT COUNT(*) FROM codings WHERE removed_at IS NULL") == built.codings
    quotes = project.quotes()
    assert len(quotes) == built.codings, (len(quotes), built.codings)
    texts: dict[int, str] = {}
    for quote in random.Random(seed).sample(quotes, min(sample, len(quotes))):
        if quote.document not in texts:
            texts[quote.document] = project.document(quote.document, "quoted").text
        text = texts[quote.document]
        assert quote.text == text[quote.start : quote.end], quote
        assert quote.text.strip() == quote.text and quote.text, quote
    # A sample of sentences: their lemma entries point at words inside them.
    for row in store.query(
        'SELECT s.id, s.start, s."end", s.lemmas, d.text FROM segments s JOIN documents d ON d.id = s.document_id '
        "WHERE s.kind = 'sentence' ORDER BY random() LIMIT 200"
    ):
        for s, e, _ in json.loads(row["lemmas"]):
            assert row["start"] <= s < e <= row["end"] and row["text"][s:e].strip() == row["text"][s:e], row["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a new or empty folder for the project")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="study")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    built = build(args.folder, **PRESETS[args.preset], seed=args.seed)
    with Project.open(args.folder, actor=ACTOR) as project:
        check(project, built)
    print(
        f"{built.documents} transcripts, {built.words:,} words, {built.sentences:,} sentences, {built.codings:,} "
        f"codings ({built.removed:,} removed), {built.memos:,} memos in {args.folder}"
    )
    for what, seconds in built.seconds.items():
        print(f"  {what}: {seconds:.1f} s")


if __name__ == "__main__":
    main()
