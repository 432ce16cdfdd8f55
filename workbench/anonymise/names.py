"""Name-like identifiers found from the text alone: relations ("her mum, Denise"), first names, towns, words no
dictionary knows, and the rules that tell a name from an ordinary word."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.lang.en.stop_words import STOP_WORDS

from workbench.anonymise.words import is_english, not_names, word_list


@dataclass(frozen=True)
class Hit:
    """A stretch of text one detector suspects, before hits are merged into candidates."""

    start: int
    end: int
    category: str
    detector: str
    confidence: float


WORD = re.compile(r"[^\W\d_][\w'’-]*")
POSSESSIVE = re.compile(r"(?:['’]s|s['’]|['’])$", re.IGNORECASE)
_TITLE = r"\b(?:mr|mrs|ms|miss|mx|dr|prof)\.?\s+"
TITLE_BEFORE = re.compile(_TITLE + "$", re.IGNORECASE)

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


def _capitalised_name_word(text: str, word: re.Match[str]) -> bool:
    value = word.group()
    return (
        value[:1].isupper()
        and value[1:].islower()
        and not sentence_start(text, word.start())
        and value.casefold() in word_list("ambiguous_names.txt")
    )


def trim_name(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading function words ("the", "and", "so") and a trailing possessive from a name-like span."""
    words = list(WORD.finditer(text, start, end))
    if len(words) == 1 and _capitalised_name_word(text, words[0]):
        return start, end  # "his mate Will is there": a capitalised name that is also a function word
    while words and words[0].group().casefold() in not_names():
        words.pop(0)
    while words and words[-1].group().casefold() in not_names():
        words.pop()
    if not words:
        return start, start
    start, end = words[0].start(), words[-1].end()
    title = TITLE_BEFORE.search(text, max(0, start - 8), start)
    if title:
        start = title.start()  # "Mrs Kaur" is the identifier, title and all
    suffix = POSSESSIVE.search(text[start:end])
    if suffix and end - suffix.start() - start < end - start:
        end = start + suffix.start()
    return start, end


def looks_like_a_name(span: str) -> bool:
    """A name has a capital letter (or is a known first name), and is not only digits or filler."""
    letters = [c for c in span if c.isalpha()]
    if len(letters) < 2:
        return False
    if any(c.isupper() for c in letters):
        return True
    words = [POSSESSIVE.sub("", word) for word in WORD.findall(span)]
    known = word_list("first_names.txt") | word_list("uk_places.txt")
    return any(word.casefold() in known or not is_english(word) for word in words if word)


def common_word(text: str, hit: Hit) -> bool:
    """A one-word name the model found at the start of a sentence ("Reviews slip.") that the same transcript also
    uses in lower case mid-sentence is an ordinary word, not a name."""
    word = text[hit.start : hit.end]
    if hit.detector != "model" or " " in word or not sentence_start(text, hit.start):
        return False
    return common_word_elsewhere(text, word)


# Someone giving their own name: "my name's Sarah", "I'm Bernadette, by the way".
_OWN_NAME = re.compile(r"\b(?:my name(?:'s| is)|I'm|I am|this is|it's)\s+(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)")


def context_hits(text: str) -> Iterator[Hit]:
    for found in _OWN_NAME.finditer(text):
        name = found.group("name")
        first = name.split()[0]
        if first.casefold() not in not_names() and (
            first.casefold() in word_list("first_names.txt") or not is_english(first)
        ):
            yield Hit(found.start("name"), found.end("name"), "person", "context", 0.7)
    for found in _CONTEXT.finditer(text):
        group = "any" if found.group("any") else "name"
        start, end = trim_name(text, found.start(group), found.end(group))
        if start >= end:
            continue
        relation = next(index for index in range(len(_RELATIONS)) if found.group(f"r{index}"))
        category = _RELATION_CATEGORIES[relation]
        yield Hit(start, end, category, "context", 0.85)


# A word after these is owned, not a name: "the rose's", "his will", "her free will".
DETERMINER_BEFORE = re.compile(r"\b(?:the|a|an|this|that|its|my|his|her|our|their|your|free|own)\s+$", re.IGNORECASE)


def first_name_hits(text: str) -> Iterator[Hit]:
    """Known first names the model missed: any case, except names that are also words ("Will"), only capitalised
    and mid-sentence."""
    first_names, ambiguous = word_list("first_names.txt"), word_list("ambiguous_names.txt")
    for found in WORD.finditer(text):
        start, end = trim_name(text, *found.span())
        word = text[start:end]
        key = word.casefold()
        if key.endswith("s") and word[:1].isupper() and key[:-1] in first_names and key not in first_names:
            key = key[:-1]  # "the Sheilas of this world"
        if key not in first_names and key not in ambiguous:
            continue
        owner = re.match(r"['’]s\b", text[end : end + 3]) is not None  # "Amber's mum": only a name owns things
        # In lower case only a name owns something with no article before it: "amber's money", not "the rose's".
        owned = owner and not DETERMINER_BEFORE.search(text, max(0, start - 6), start)
        if key in ambiguous and not (word[:1].isupper() and (owner or not sentence_start(text, start))) and not owned:
            continue
        end = _with_surname(text, end)  # "femi adebayo"
        yield Hit(start, end, "person", "names", 0.55 if key in ambiguous else 0.6)


def _with_surname(text: str, end: int) -> int:
    """Return where a name that ends at ``end`` ends with the word after it, if that word is a surname no dictionary
    knows (a compound of two words counts as unknown: "warsame" is not war + same)."""
    surname = WORD.match(text, end + 1) if text[end : end + 1] == " " else None
    if surname and surname.group().isalpha() and not is_english(surname.group(), compounds=False):
        return surname.end()
    return end


# A title before a word makes it a name in any case, as typed in lower case: "mrs warsame", "dr okafor".
_TITLED = re.compile(_TITLE + r"(?P<name>[^\W\d_][\w'’-]*)", re.IGNORECASE)


def titled_hits(text: str) -> Iterator[Hit]:
    for found in _TITLED.finditer(text):
        name = POSSESSIVE.sub("", found.group("name"))
        key = name.casefold()
        if text[found.start() : found.start() + 2].isupper():
            continue  # "MS", "DR": a condition or an abbreviation, not a title
        if not name.isalpha() or key in STOP_WORDS or key in NEVER_IN_NAMES or key in not_names():
            continue
        end = _with_surname(text, found.start("name") + len(name))
        yield Hit(found.start(), end, "person", "context", 0.7)


def unknown_word_hits(text: str) -> Iterator[Hit]:
    """Words that are in no English dictionary, such as unusual names in lower case ("spoke to okwuosa") or
    misspelt ones ("Zbiginew"). A run of them, with a title before, is one hit; a weak signal left to review."""
    run: list[tuple[int, int]] = []
    for found in WORD.finditer(text):
        word = POSSESSIVE.sub("", found.group())
        key = word.casefold()
        beside = bool(run) and not text[run[-1][1] : found.start()].strip()
        unknown = (
            len(key) >= 3
            and word.isalpha()
            and key not in not_names()
            and not is_english(word, compounds=not beside)  # beside an unknown word, a compound is a surname
            and not (word[0].isupper() and sentence_start(text, found.start()) and common_word_elsewhere(text, word))
        )
        if unknown and beside:
            run.append((found.start(), found.start() + len(word)))
            continue
        if run:
            start, end = trim_name(text, run[0][0], run[-1][1])
            if start < end:
                yield Hit(start, end, "person", "names", 0.45)
            run = []
        if unknown:
            run.append((found.start(), found.start() + len(word)))
    if run:
        start, end = trim_name(text, run[0][0], run[-1][1])
        if start < end:
            yield Hit(start, end, "person", "names", 0.45)


def common_word_elsewhere(text: str, word: str) -> bool:
    return re.search(rf"(?<![.?!]\s)(?<!^)\b{re.escape(word.casefold())}\b", text) is not None


_PLACES_THAT_ARE_WORDS = {
    "bath", "reading", "wells", "bury", "hull", "derby", "rugby", "stoke", "barrow", "barry", "perth", "dover", "poole",
    "sale", "deal", "ely", "ayr", "sutton", "kingston", "newport", "chester", "lancaster", "worthing", "bootle",
}  # fmt: skip


def place_name_hits(text: str) -> Iterator[Hit]:
    """UK cities and large towns in any case; those that are also words ("Reading", "Bath") only capitalised."""
    places = word_list("uk_places.txt")
    for found in WORD.finditer(text):
        word = POSSESSIVE.sub("", found.group())
        if word.casefold() in places and (word[0].isupper() or word.casefold() not in _PLACES_THAT_ARE_WORDS):
            yield Hit(found.start(), found.start() + len(word), "place", "names", 0.6)


_LOCATIVE = re.compile(
    r"\b(?:in|at|from|near|round|around|outside|towards|to|over|up|down|out)\s+(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)"
)


def locative_hits(text: str) -> Iterator[Hit]:
    """A capitalised word after "in", "at", "near"... mid-sentence is a place more often than not ("up in Hope")."""
    for found in _LOCATIVE.finditer(text):
        name = found.group("name")
        if name.split()[0].casefold() in not_names() | NEVER_IN_NAMES:
            continue
        yield Hit(found.start("name"), found.end("name"), "place", "names", 0.5)


def sentence_start(text: str, position: int) -> bool:
    before = text[max(0, position - 3) : position].rstrip(" \t\"'“‘")
    return not before or before[-1] in ".?!:\n"


# Capitalised words that never belong to the name beside them, even mid-sentence.
NEVER_IN_NAMES = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
    "april", "june", "july", "august", "september", "october", "november", "december", "christmas", "easter",
    "mum", "dad", "nan", "mr", "mrs", "ms", "miss", "dr", "interviewer", "and", "but", "so", "then", "yeah", "oh",
}  # fmt: skip


# Words that end a name-like run: spaCy's English stop words and a few generic modifiers ("the local day centre").
_NOT_IN_ORGANISATION_NAMES = frozenset(
    STOP_WORDS | {"go", "goes", "went", "going", "got", "local", "day", "old", "new"}
)


def lower_case_organisation_hits(text: str) -> Iterator[Hit]:
    """In a transcript typed without capitals, a name-like run ending in an organisation word ("hearthstone housing",
    "phoenix amateur boxing club"): two or more words before it, none of them function words, and no article."""
    words = [found.group() for found in WORD.finditer(text)]
    capitalised = sum(1 for word in words if word[:1].isupper() and len(word) > 1 and not word.isupper())
    # Ordinary transcripts capitalise one word in six or seven (sentence starts, "I'm", names); one typed in lower
    # case capitalises only a few domain terms and labels. Where capitals are used, the model and ruler see names.
    if not words or capitalised > len(words) * 0.06:
        return
    organisation_words = word_list("organisation_words.txt")
    run: list[re.Match[str]] = []
    for found in WORD.finditer(text):
        key = found.group().casefold()
        adjacent = run and not text[run[-1].end() : found.start()].strip()
        if key in organisation_words and adjacent and len(run) >= 2:
            start = run[-3].start() if len(run) > 3 else run[0].start()
            yield Hit(start, found.end(), "organisation", "names", 0.5)
            run = []
            continue
        if key in _NOT_IN_ORGANISATION_NAMES or not found.group().isalpha() or not found.group().islower():
            run = []
            continue
        run = [*run, found] if adjacent else [found]
