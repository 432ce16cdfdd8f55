"""Finding identifiers in transcript text: every detector in one pass, overlaps merged into one candidate each.

Detectors, strongest first: shaped patterns (phones, NHS numbers...), the team's roster, names after a relation
("her mum, Denise"), the entity ruler's rules, the spaCy model's entities, a list of first names, and finally every
other occurrence of a name already found. Domain terms from the glossary, speaker role labels and placeholders
already in the text ({client}, [name]) are protected: the name-like detectors never flag them.
"""

from __future__ import annotations

import multiprocessing
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from workbench.anonymise.categories import CATEGORIES
from workbench.anonymise.lists import Glossary, Roster, default_glossary
from workbench.anonymise.patterns import STREET_TYPES, find_patterns
from workbench.anonymise.roster import RosterMatcher
from workbench.anonymise.words import is_english, not_names, word_list
from workbench.ingest.speakers import label_role
from workbench.nlp import load_nlp, pipe
from workbench.segment import SentenceSplitter, paragraphs

# When two detections overlap, the candidate takes the category of the stronger detector.
DETECTORS = ("pattern", "roster", "context", "ruler", "model", "names", "repeat")
_STRENGTH = {name: rank for rank, name in enumerate(DETECTORS)}
_NAME_LIKE = {"roster", "context", "ruler", "model", "names", "repeat"}
_MODEL_CATEGORIES = {"PERSON": "person", "GPE": "place", "LOC": "place", "FAC": "place", "ORG": "organisation"}
_PERSON_NOUNS = {"lady", "man", "gentleman", "woman", "chap", "family", "girl", "boy", "couple", "lad", "fella"}

# A placeholder or transcriber's note already in the text: {service user 2}, {NHS number}, {OTHER}, [name], [laughs].
# Nobody speaks in braces or brackets, so whatever is inside them was put there by a transcriber or a reviewer.
_PLACEHOLDER = re.compile(r"\{[^{}\n]{1,60}\}|\[[^\[\]\n]{1,60}\]|<[a-z _-]{1,30}>")
_SPEAKER_LABEL = re.compile(r"^([^\W\d_][^:\n]{0,40}):", re.MULTILINE)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_POSSESSIVE = re.compile(r"(?:['’]s|s['’]|['’])$", re.IGNORECASE)
_TITLE_BEFORE = re.compile(r"\b(?:mr|mrs|ms|miss|mx|dr|prof)\.?\s+$", re.IGNORECASE)

_RELATIONS = {
    "family member": "mum|mam|mom|mother|dad|father|son|daughter|husband|wife|partner|brother|sister|nephew|niece"
    "|grandson|granddaughter|grandma|grandmother|gran|granny|grandad|grandfather|nan|nanna|aunt|auntie|uncle|cousin"
    "|son-in-law|daughter-in-law|stepson|stepdaughter|stepmum|stepdad|fiancée?|boyfriend|girlfriend|carer's son",
    "manager": "manager|team manager|line manager|boss|supervisor|team leader|senior|service manager|head of service",
    "staff": "colleague|social worker|OT|occupational therapist|nurse|district nurse|advocate|broker|case worker"
    "|support planner|duty worker|student|admin|receptionist|GP|doctor|consultant|physio",
    "carer": "carer|care worker|PA|personal assistant|support worker|home help|helper|cleaner",
    "service user": "client|service user|customer|gentleman|lady|old lady|old man|fella|chap|bloke",
    "person": "neighbour|friend|landlord|landlady|vicar|man|woman|girl|boy|lad",
}
_NAME_WORD = r"(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?"
_CONTEXT = re.compile(
    r"\b(?P<relation>"
    + "|".join(f"(?P<r{index}>{words})" for index, words in enumerate(_RELATIONS.values()))
    + r")(?:['’]s)?\s*,?\s+(?:(?:who\s+is\s+|who's\s+|was\s+|is\s+)?(?P<called>called|named|name's|known as)\s+"
    r"(?P<any>[^\W\d_][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)|(?:(?:was|is|being)\s+)?(?P<name>" + _NAME_WORD + r"))",
)
_RELATION_CATEGORIES = list(_RELATIONS)


@dataclass(frozen=True)
class Candidate:
    """A span of text that may identify someone, with where the suspicion came from."""

    start: int
    end: int
    text: str
    category: str
    detector: str
    confidence: float


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
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
            context = multiprocessing.get_context("fork")
            with context.Pool(workers) as pool:
                futures = [pool.apply_async(_entity_hits, ([text],)) for text in texts]
                for text, future in zip(texts, futures, strict=True):
                    yield self._candidates(text, future.get()[0])
            return
        for text, hits in zip(texts, _entity_hits(texts), strict=True):
            yield self._candidates(text, hits)

    def _candidates(self, text: str, model_hits: list[_Hit]) -> list[Candidate]:
        protected = self._protected(text)
        hits = [_Hit(m.start, m.end, m.category, "pattern", m.confidence) for m in find_patterns(text)]
        if self._roster:
            hits += [_Hit(h.start, h.end, h.entry.category, "roster", h.confidence) for h in self._roster.find(text)]
        hits += _context_hits(text)
        hits += [hit for hit in model_hits if not _common_word(text, hit)]
        hits += _first_name_hits(text)
        hits += _place_name_hits(text)
        hits += _locative_hits(text)
        hits += _unknown_word_hits(text)
        hits = [piece for hit in hits for piece in _outside(text, hit, protected)]
        shaped = [(hit.start, hit.end) for hit in hits if hit.detector == "pattern"]
        hits = [piece for hit in hits for piece in _around(text, hit, shaped)]
        merged = _house_names(text, _merge([_widen(text, hit) for hit in _merge(hits)]))
        merged += _repeats(text, merged, self._known, protected)
        return [
            Candidate(hit.start, hit.end, text[hit.start : hit.end], hit.category, hit.detector, hit.confidence)
            for hit in _merge(merged)
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


def _entity_hits(texts: list[str]) -> list[list[_Hit]]:
    """The model's and the ruler's entities in each text, all paragraphs in one stream."""

    def stream() -> Iterator[tuple[str, tuple[int, int, str]]]:
        for number, text in enumerate(texts):
            for start, end in paragraphs(text, 0, len(text)):
                yield text[start:end], (number, start, text[start:end])

    entities: list[list[_Hit]] = [[] for _ in texts]
    for doc, (number, offset, paragraph) in pipe(stream(), ("entity_ruler", "ner"), as_tuples=True, batch_size=64):
        entities[number].extend(_model_hits(doc, paragraph, offset))
    return entities


def _model_hits(doc: Doc, text: str, offset: int) -> Iterator[_Hit]:
    """The entities of one paragraph; ``text`` is the paragraph itself (spaCy rebuilds doc.text on every access)."""
    for entity in doc.ents:
        detector = "ruler" if entity.ent_id_ == "ruler" else "model"
        category = _entity_category(entity)
        if category is None:
            continue
        start, end = _trim_name(text, entity.start_char, entity.end_char)
        if start < end and _looks_like_a_name(text[start:end]):
            confidence = 0.8 if detector == "ruler" else 0.7
            yield _Hit(offset + start, offset + end, category, detector, confidence)


def _entity_category(entity: Span) -> str | None:
    label = entity.label_
    if label == "FAC" and entity.ent_id_ == "ruler":
        return "address"
    if label == "NORP":
        # A nationality identifies only when it describes a person ("the Somali lady"), and then it is that person.
        following = entity.doc[entity.end].lower_ if entity.end < len(entity.doc) else ""
        return "person" if following in _PERSON_NOUNS else None
    return _MODEL_CATEGORIES.get(label)


def _trim_name(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading function words ("the", "and", "so") and a trailing possessive from a name-like span."""
    words = list(_WORD.finditer(text, start, end))
    while words and words[0].group().casefold() in not_names():
        words.pop(0)
    while words and words[-1].group().casefold() in not_names():
        words.pop()
    if not words:
        return start, start
    start, end = words[0].start(), words[-1].end()
    title = _TITLE_BEFORE.search(text, max(0, start - 8), start)
    if title:
        start = title.start()  # "Mrs Kaur" is the identifier, title and all
    suffix = _POSSESSIVE.search(text[start:end])
    if suffix and end - suffix.start() - start < end - start:
        end = start + suffix.start()
    return start, end


def _looks_like_a_name(span: str) -> bool:
    """A name has a capital letter (or is a known first name), and is not only digits or filler."""
    letters = [c for c in span if c.isalpha()]
    if len(letters) < 2:
        return False
    if any(c.isupper() for c in letters):
        return True
    words = [_POSSESSIVE.sub("", word) for word in _WORD.findall(span)]
    known = word_list("first_names.txt") | word_list("uk_places.txt")
    return any(word.casefold() in known or not is_english(word) for word in words if word)


def _common_word(text: str, hit: _Hit) -> bool:
    """A one-word name the model found at the start of a sentence ("Reviews slip.") that the same transcript also
    uses in lower case mid-sentence is an ordinary word, not a name."""
    word = text[hit.start : hit.end]
    if hit.detector != "model" or " " in word or not _sentence_start(text, hit.start):
        return False
    return _common_word_elsewhere(text, word)


# Someone giving their own name: "my name's Sarah", "I'm Bernadette, by the way".
_OWN_NAME = re.compile(r"\b(?:my name(?:'s| is)|I'm|I am|this is|it's)\s+(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)")


def _context_hits(text: str) -> Iterator[_Hit]:
    for found in _OWN_NAME.finditer(text):
        name = found.group("name")
        first = name.split()[0]
        if first.casefold() not in not_names() and (
            first.casefold() in word_list("first_names.txt") or not is_english(first)
        ):
            yield _Hit(found.start("name"), found.end("name"), "person", "context", 0.7)
    for found in _CONTEXT.finditer(text):
        group = "any" if found.group("any") else "name"
        start, end = _trim_name(text, found.start(group), found.end(group))
        if start >= end:
            continue
        relation = next(index for index in range(len(_RELATIONS)) if found.group(f"r{index}"))
        category = _RELATION_CATEGORIES[relation]
        yield _Hit(start, end, category, "context", 0.85)


def _first_name_hits(text: str) -> Iterator[_Hit]:
    """Known first names the model missed: any case, except names that are also words ("Will"), only capitalised
    and mid-sentence."""
    first_names, ambiguous = word_list("first_names.txt"), word_list("ambiguous_names.txt")
    for found in _WORD.finditer(text):
        start, end = _trim_name(text, *found.span())
        word = text[start:end]
        key = word.casefold()
        if key.endswith("s") and word[:1].isupper() and key[:-1] in first_names and key not in first_names:
            key = key[:-1]  # "the Sheilas of this world"
        if key not in first_names and key not in ambiguous:
            continue
        owner = re.match(r"['’]s\b", text[end : end + 3]) is not None  # "Amber's mum": only a name owns things
        if key in ambiguous and not (word[:1].isupper() and (owner or not _sentence_start(text, start))):
            continue
        surname = _WORD.match(text, end + 1) if text[end : end + 1] == " " else None
        if surname and surname.group().isalpha() and not is_english(surname.group()):
            end = surname.end()  # "femi adebayo": a surname no dictionary knows
        yield _Hit(start, end, "person", "names", 0.55 if key in ambiguous else 0.6)


def _unknown_word_hits(text: str) -> Iterator[_Hit]:
    """Words that are in no English dictionary, such as unusual names in lower case ("spoke to okwuosa") or
    misspelt ones ("Zbiginew"). A run of them, with a title before, is one hit; a weak signal left to review."""
    run: list[tuple[int, int]] = []
    for found in _WORD.finditer(text):
        word = _POSSESSIVE.sub("", found.group())
        key = word.casefold()
        unknown = (
            len(key) >= 3
            and word.isalpha()
            and key not in not_names()
            and not is_english(word)
            and not (word[0].isupper() and _sentence_start(text, found.start()) and _common_word_elsewhere(text, word))
        )
        if unknown and run and not text[run[-1][1] : found.start()].strip():
            run.append((found.start(), found.start() + len(word)))
            continue
        if run:
            start, end = _trim_name(text, run[0][0], run[-1][1])
            if start < end:
                yield _Hit(start, end, "person", "names", 0.45)
            run = []
        if unknown:
            run.append((found.start(), found.start() + len(word)))
    if run:
        start, end = _trim_name(text, run[0][0], run[-1][1])
        if start < end:
            yield _Hit(start, end, "person", "names", 0.45)


def _common_word_elsewhere(text: str, word: str) -> bool:
    return re.search(rf"(?<![.?!]\s)(?<!^)\b{re.escape(word.casefold())}\b", text) is not None


_PLACES_THAT_ARE_WORDS = {
    "bath", "reading", "wells", "bury", "hull", "derby", "rugby", "stoke", "barrow", "barry", "perth", "dover", "poole",
    "sale", "deal", "ely", "ayr", "sutton", "kingston", "newport", "chester", "lancaster", "worthing", "bootle",
}  # fmt: skip


def _place_name_hits(text: str) -> Iterator[_Hit]:
    """UK cities and large towns in any case; those that are also words ("Reading", "Bath") only capitalised."""
    places = word_list("uk_places.txt")
    for found in _WORD.finditer(text):
        word = _POSSESSIVE.sub("", found.group())
        if word.casefold() in places and (word[0].isupper() or word.casefold() not in _PLACES_THAT_ARE_WORDS):
            yield _Hit(found.start(), found.start() + len(word), "place", "names", 0.6)


_LOCATIVE = re.compile(
    r"\b(?:in|at|from|near|round|around|outside|towards|to|over|up|down|out)\s+(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)"
)


def _locative_hits(text: str) -> Iterator[_Hit]:
    """A capitalised word after "in", "at", "near"... mid-sentence is a place more often than not ("up in Hope")."""
    for found in _LOCATIVE.finditer(text):
        name = found.group("name")
        if name.split()[0].casefold() in not_names() | _NEVER_IN_NAMES:
            continue
        yield _Hit(found.start("name"), found.end("name"), "place", "names", 0.5)


def _sentence_start(text: str, position: int) -> bool:
    before = text[max(0, position - 3) : position].rstrip(" \t\"'“‘")
    return not before or before[-1] in ".?!:\n"


def _outside(text: str, hit: _Hit, protected: list[tuple[int, int]]) -> Iterator[_Hit]:
    """Keep a name-like hit unless it is only a protected term (a glossary term, a role label, a placeholder).

    "Sangam Day Centre" stays whole although "Day Centre" is a glossary term, because "Sangam" looks like a name;
    "the RAS team" goes, because nothing outside "RAS" does.
    """
    if hit.detector not in _NAME_LIKE:
        yield hit
        return
    pieces = [(hit.start, hit.end)]
    for left, right in protected:
        if right <= hit.start or left >= hit.end:
            continue
        pieces = [part for s, e in pieces for part in ((s, min(e, left)), (max(s, right), e)) if part[0] < part[1]]
    vouched = hit.detector == "roster"  # the team named it: only a protected term inside it can overrule that
    trimmed = pieces if vouched else [_trim_name(text, s, e) for s, e in pieces]
    named = [(s, e) for s, e in trimmed if s < e and (vouched or _looks_like_a_name(text[s:e]))]
    if not named:
        return
    if any(re.match(r"['’]s\s", text[e : e + 3]) for s, e in named):
        # "Amber's NI number": the name is the owner, not part of the protected term.
        for start, end in named:
            yield _Hit(start, end, hit.category, hit.detector, hit.confidence)
        return
    overlapping = [(left, right) for left, right in protected if left < hit.end and hit.start < right]
    if not any(left <= hit.start and hit.end <= right for left, right in overlapping):
        yield hit


def _around(text: str, hit: _Hit, shaped: list[tuple[int, int]]) -> Iterator[_Hit]:
    """Cut a name-like hit around a shaped identifier it overlaps ("Email jo@example.org" is the email alone), keeping
    only the pieces that still look like a name."""
    if hit.detector not in _NAME_LIKE or not any(s < hit.end and hit.start < e for s, e in shaped):
        yield hit
        return
    pieces = [(hit.start, hit.end)]
    for left, right in shaped:
        pieces = [part for s, e in pieces for part in ((s, min(e, left)), (max(s, right), e)) if part[0] < part[1]]
    for start, end in pieces:
        start, end = _trim_name(text, start, end)
        piece = text[start:end]
        if start < end and _looks_like_a_name(piece) and not (" " not in piece and is_english(piece)):
            yield _Hit(start, end, hit.category, hit.detector, hit.confidence)


_CAPITALISED_BEFORE = re.compile(r"(?<![\w'’-])([A-Z][\w'’-]*) $")
_CAPITALISED_AFTER = re.compile(r" ([A-Z][\w'’-]*)(?![\w'’-])")


def _widen(text: str, hit: _Hit) -> _Hit:
    """Take in capitalised words right next to a name: "in Little Mardon", "Speak Up Hollinsford", "Norbury Vale
    Town", "Our Lady of Częstochowa". A word before it joins unless it starts a sentence and is an ordinary word
    ("Then Mardon..."); a name that starts a sentence joins ("Will Ormerod, his mum...")."""
    if hit.detector not in _NAME_LIKE - {"roster"} or CATEGORIES[hit.category].kind not in _NAMED_KINDS:
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
    if start == hit.start and text[max(0, start - 4) : start] == "The " and not _sentence_start(text, start - 4):
        start -= 4  # "at The Old Forge": the article is part of the name
    return hit if (start, end) == (hit.start, hit.end) else _Hit(start, end, hit.category, hit.detector, hit.confidence)


def _joins(text: str, word: str, position: int) -> bool:
    key = word.casefold()
    first_name = key in word_list("first_names.txt") or key in word_list("ambiguous_names.txt")
    if first_name:
        return True
    if _sentence_start(text, position):
        return not is_english(word) and key not in not_names()
    return word != "I" and key not in _NEVER_IN_NAMES


_NAMED_KINDS = ("person", "place", "organisation")
_JOINING_BEFORE = re.compile(r"(?<![\w'’-])([A-Z][\w'’-]*(?: [A-Z][\w'’-]*)*) (?:of|upon) $")
# Capitalised words that never belong to the name beside them, even mid-sentence.
_NEVER_IN_NAMES = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
    "april", "june", "july", "august", "september", "october", "november", "december", "christmas", "easter",
    "mum", "dad", "nan", "mr", "mrs", "ms", "miss", "dr", "interviewer", "and", "but", "so", "then", "yeah", "oh",
}  # fmt: skip


_FLAT_BEFORE = re.compile(r"\b(?:flat|apartment|apt|unit|room)\s+\d+[a-z]?,?\s+$", re.IGNORECASE)


def _house_names(text: str, hits: list[_Hit]) -> list[_Hit]:
    """A house or building name before a street is part of the address: "The Old Forge, Chapel Row"; so is a flat
    number before a building: "Flat 3, The Maltings"."""
    joined: list[_Hit] = []
    for hit in hits:
        flat = _FLAT_BEFORE.search(text, max(0, hit.start - 20), hit.start)
        if flat is not None and CATEGORIES[hit.category].kind != "date":
            hit = _Hit(flat.start(), hit.end, "address", hit.detector, hit.confidence)
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
            joined[-1] = _Hit(start, hit.end, "address", hit.detector, hit.confidence)
        else:
            joined.append(hit)
    return joined


def _merge(hits: Iterable[_Hit]) -> list[_Hit]:
    """Merge overlapping hits into one spanning them all, with the category of the strongest detector."""
    merged: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if merged and hit.start < merged[-1].end:
            last = merged[-1]
            best = min((last, hit), key=lambda h: (_STRENGTH[h.detector], -h.confidence))
            merged[-1] = _Hit(
                last.start, max(last.end, hit.end), best.category, best.detector, max(last.confidence, hit.confidence)
            )
        else:
            merged.append(hit)
    return merged


def _repeats(text: str, found: list[_Hit], known: dict[str, str], protected: list[tuple[int, int]]) -> list[_Hit]:
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
        words = [_POSSESSIVE.sub("", word) for word in _WORD.findall(span)]
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
    repeats: list[_Hit] = []
    alternatives = sorted((re.escape(name) for name in names), key=len, reverse=True)
    pattern = re.compile(r"(?<![\w{\[])(?:" + "|".join(alternatives) + r")(?![\w}\]])", re.IGNORECASE)
    for match in pattern.finditer(text):
        start, end = match.span()
        category, confidence, any_case = names[match.group().casefold()]
        if not any_case and not match.group()[0].isupper():
            continue
        if any(s < end and start < e for s, e in covered):
            continue
        start, end = _trim_name(text, start, end)
        repeats.append(_Hit(start, end, category, "repeat", round(confidence, 2)))
    return repeats
