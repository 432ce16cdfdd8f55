"""Finding identifiers in transcript text: every detector in one pass, overlaps merged into one candidate each.

Detectors, strongest first: shaped patterns (phones, NHS numbers...), the team's roster, names after a relation
("her mum, Denise"), the entity ruler's rules, the spaCy model's entities, a list of first names, and finally every
other occurrence of a name already found. Domain terms from the glossary, speaker role labels and placeholders
already in the text ({client}, [name]) are protected: the name-like detectors never flag them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain

from spacy.language import Language
from spacy.tokens import Doc, Span

from workbench.anonymise.lists import Glossary, Roster, default_glossary
from workbench.anonymise.names import (
    Hit,
    common_word,
    context_hits,
    first_name_hits,
    locative_hits,
    looks_like_a_name,
    lower_case_organisation_hits,
    place_name_hits,
    titled_hits,
    trim_name,
    unknown_word_hits,
)
from workbench.anonymise.patterns import STREET_TYPES, find_patterns
from workbench.anonymise.roster import RosterMatcher
from workbench.anonymise.spans import around, house_names, merge, outside, repeats, widen
from workbench.anonymise.words import not_names, word_list
from workbench.ingest.speakers import label_role
from workbench.nlp import load_nlp, pipe
from workbench.segment import SentenceSplitter, fork_pool, paragraphs

_MODEL_CATEGORIES = {"PERSON": "person", "GPE": "place", "LOC": "place", "FAC": "place", "ORG": "organisation"}
_PERSON_NOUNS = {"lady", "man", "gentleman", "woman", "chap", "family", "girl", "boy", "couple", "lad", "fella"}

# A placeholder or transcriber's note already in the text: {service user 2}, {NHS number}, {OTHER}, [name], [laughs].
# Nobody speaks in braces or brackets, so whatever is inside them was put there by a transcriber or a reviewer.
_PLACEHOLDER = re.compile(r"\{[^{}\n]{1,60}\}|\[[^\[\]\n]{1,60}\]|<[a-z _-]{1,30}>")
_SPEAKER_LABEL = re.compile(r"^([^\W\d_][^:\n]{0,40}):", re.MULTILINE)


@dataclass(frozen=True)
class Candidate:
    """A span of text that may identify someone, with where the suspicion came from."""

    start: int
    end: int
    text: str
    category: str
    detector: str
    confidence: float


_RULER_LOCK = threading.Lock()


def _ruler_patterns() -> list[dict[str, object]]:
    titles = ["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame"]
    # Any case but capitals: "MS" is multiple sclerosis, not a title.
    title = {"ORTH": {"IN": titles + [t.capitalize() for t in titles]}}
    dot = {"ORTH": ".", "OP": "?"}
    name = {"IS_ALPHA": True, "LENGTH": {">=": 2}, "LOWER": {"NOT_IN": sorted(not_names())}}
    organisation_words = sorted(word_list("organisation_words.txt"))
    organisation = {"LOWER": {"IN": organisation_words}, "IS_TITLE": True}
    street = {"LOWER": {"IN": STREET_TYPES.split("|")}, "IS_TITLE": True}
    capitalised = {"IS_TITLE": True, "LOWER": {"NOT_IN": sorted(not_names())}}
    joining = {"LOWER": {"IN": ["of", "from", "upon"]}}
    firm_words = ["logistics", "ltd", "limited", "partners", "associates", "solicitors", "sons", "plc", "builders"]
    firm = {"LOWER": {"IN": firm_words}, "IS_TITLE": True}
    house_words = ["cottage", "cottages", "farm", "barn", "bungalow", "villa", "maltings", "forge", "granary", "mill"]
    house = {"LOWER": {"IN": house_words}, "IS_TITLE": True}
    return [
        {"label": "PERSON", "id": "ruler", "pattern": [title, dot, name]},
        {"label": "PERSON", "id": "ruler", "pattern": [title, dot, capitalised, capitalised]},
        {"label": "ORG", "id": "ruler", "pattern": [{**capitalised, "OP": "+"}, organisation]},
        # "Helping Hands of Norbury", "Kettlebrook Home from Hospital"
        {"label": "ORG", "id": "ruler", "pattern": [{**capitalised, "OP": "+"}, joining, {**capitalised, "OP": "+"}]},
        # "Fenwick and Dale Logistics": a firm named after two people (not "Leeds and Brightwater Homecare")
        {"label": "ORG", "id": "ruler", "pattern": [capitalised, {"LOWER": {"IN": ["and", "&"]}}, capitalised, firm]},
        {"label": "FAC", "id": "ruler", "pattern": [{**capitalised, "OP": "+"}, street]},
        # A house with a name: "Rose Cottage", "The Old Forge", "Larch Bungalow".
        {"label": "FAC", "id": "ruler", "pattern": [{**capitalised, "OP": "+"}, house]},
    ]


def _with_ruler() -> Language:
    """The shared pipeline, with our entity ruler before the model's recogniser (whose entities then fill the gaps)."""
    nlp = load_nlp()
    with _RULER_LOCK:
        if "entity_ruler" not in nlp.pipe_names:
            ruler = nlp.add_pipe("entity_ruler", before="ner", config={"phrase_matcher_attr": "LOWER"})
            ruler.add_patterns(_ruler_patterns())  # type: ignore[attr-defined]
    return nlp


class Detector:
    """Finds candidate identifiers; ``roster`` adds the team's known names, ``glossary`` adds terms never to flag.

    ``known`` maps names already decided elsewhere in the project (original -> category), so a name accepted in one
    transcript is found in every other.
    """

    def __init__(
        self,
        roster: Roster | None = None,
        glossary: Glossary | None = None,
        known: dict[str, str] | None = None,
    ) -> None:
        self.glossary = default_glossary() + glossary if glossary else default_glossary()
        self._protected_terms = self.glossary.pattern()
        self._roster = RosterMatcher(roster) if roster else None
        self._known = dict(known or {})

    def detect(self, text: str) -> list[Candidate]:
        return next(self.detect_many([text]))

    def detect_many(self, texts: Iterable[str], *, workers: int | None = None) -> Iterator[list[Candidate]]:
        """Yield the candidates of each text in order.

        The model's entities are the costly part. With ``workers`` (by default one per core for a batch of four or
        more texts, in a single-threaded process) each text goes to a forked process that already holds the model
        and sends back only its entity spans; otherwise all paragraphs go through the model here, in one stream.
        """
        _with_ruler()
        texts = list(texts)
        if workers is None:
            workers = SentenceSplitter.workers_for(len(texts))
        if workers > 0:
            with fork_pool(workers) as pool:
                futures = [pool.apply_async(_entity_hits, ([text],)) for text in texts]
                for text, future in zip(texts, futures, strict=True):
                    yield self._candidates(text, future.get()[0])
            return
        for text, hits in zip(texts, _entity_hits(texts), strict=True):
            yield self._candidates(text, hits)

    def _candidates(self, text: str, model_hits: list[Hit]) -> list[Candidate]:
        protected = self._protected(text)
        hits = [Hit(m.start, m.end, m.category, "pattern", m.confidence) for m in find_patterns(text)]
        if self._roster:
            hits += [Hit(h.start, h.end, h.entry.category, "roster", h.confidence) for h in self._roster.find(text)]
        hits += context_hits(text)
        hits += [hit for hit in model_hits if not common_word(text, hit)]
        hits += first_name_hits(text)
        hits += place_name_hits(text)
        hits += locative_hits(text)
        hits += unknown_word_hits(text)
        hits = [piece for hit in hits for piece in outside(text, hit, protected)]
        # Found by their shape or a title, not by a capital, so they need no capital to look like a name.
        shaped_names = chain(lower_case_organisation_hits(text), titled_hits(text))
        hits += [piece for hit in shaped_names for piece in outside(text, hit, protected, vouched=True)]
        shaped = [(hit.start, hit.end) for hit in hits if hit.detector == "pattern"]
        hits = [piece for hit in hits for piece in around(text, hit, shaped)]
        merged = house_names(text, merge([widen(text, hit) for hit in merge(hits)]))
        merged += repeats(text, merged, self._known, protected)
        return [
            Candidate(hit.start, hit.end, text[hit.start : hit.end], hit.category, hit.detector, hit.confidence)
            for hit in merge(merged)
        ]

    def _protected(self, text: str) -> list[tuple[int, int]]:
        spans = [found.span() for found in self._protected_terms.finditer(text)]
        spans += [found.span() for found in _PLACEHOLDER.finditer(text)]
        spans += [found.span(1) for found in _SPEAKER_LABEL.finditer(text) if label_role(found.group(1).strip())]
        return sorted(spans)


def model_entities(texts: Sequence[str]) -> Iterator[list[Candidate]]:
    """The spaCy model's own entities, unfiltered: the baseline the benchmark compares the detector with."""
    labels = {**_MODEL_CATEGORIES, "NORP": "place", "DATE": "date"}
    for doc in pipe(texts, ("ner",), batch_size=64):
        yield [
            Candidate(e.start_char, e.end_char, e.text, labels[e.label_], "model", 0.5)
            for e in doc.ents
            if e.label_ in labels
        ]


def _entity_hits(texts: list[str]) -> list[list[Hit]]:
    """The model's and the ruler's entities in each text, all paragraphs in one stream."""

    def stream() -> Iterator[tuple[str, tuple[int, int, str]]]:
        for number, text in enumerate(texts):
            for start, end in paragraphs(text, 0, len(text)):
                yield text[start:end], (number, start, text[start:end])

    entities: list[list[Hit]] = [[] for _ in texts]
    for doc, (number, offset, paragraph) in pipe(stream(), ("entity_ruler", "ner"), as_tuples=True, batch_size=64):
        entities[number].extend(_model_hits(doc, paragraph, offset))
    return entities


def _model_hits(doc: Doc, text: str, offset: int) -> Iterator[Hit]:
    """The entities of one paragraph; ``text`` is the paragraph itself (spaCy rebuilds doc.text on every access)."""
    for entity in doc.ents:
        detector = "ruler" if entity.ent_id_ == "ruler" else "model"
        category = _entity_category(entity)
        if category is None:
            continue
        start, end = trim_name(text, entity.start_char, entity.end_char)
        if start < end and looks_like_a_name(text[start:end]):
            confidence = 0.8 if detector == "ruler" else 0.7
            yield Hit(offset + start, offset + end, category, detector, confidence)


def _entity_category(entity: Span) -> str | None:
    label = entity.label_
    if label == "FAC" and entity.ent_id_ == "ruler":
        return "address"
    if label == "NORP":
        # A nationality identifies only when it describes a person ("the Somali lady"), and then it is that person.
        following = entity.doc[entity.end].lower_ if entity.end < len(entity.doc) else ""
        return "person" if following in _PERSON_NOUNS else None
    return _MODEL_CATEGORIES.get(label)
