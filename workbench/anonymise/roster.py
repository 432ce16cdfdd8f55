"""Finding the team's known names: any case, with titles and possessives, first or last name alone, misspelt."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from workbench.anonymise.categories import CATEGORIES
from workbench.anonymise.lists import TITLES, Roster, RosterEntry
from workbench.anonymise.names import DETERMINER_BEFORE
from workbench.anonymise.words import is_english

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_POSSESSIVE = re.compile(r"(?:['’]s|s['’]|['’])$", re.IGNORECASE)
_TITLE = re.compile(r"(?:" + "|".join(TITLES) + r")\.?\s+$", re.IGNORECASE)
# A misspelling keeps its first letter and most of the rest: "Denisse" for Denise, "Okafur" for Okafor.
FUZZY_CAPITALISED = 80
FUZZY_LOWER = 86
_MIN_FUZZY_LENGTH = 4
# Familiar forms that do not start like the name they stand for.
NICKNAMES = {
    "bill": "william", "billy": "william", "will": "william", "liam": "william", "bob": "robert", "bobby": "robert",
    "rob": "robert", "dick": "richard", "rick": "richard", "jim": "james", "jimmy": "james", "jack": "john",
    "johnny": "john", "peggy": "margaret", "maggie": "margaret", "meg": "margaret", "molly": "mary", "polly": "mary",
    "winnie": "winifred", "betty": "elizabeth", "beth": "elizabeth", "liz": "elizabeth", "lizzie": "elizabeth",
    "bess": "elizabeth", "libby": "elizabeth", "sandy": "alexandra", "sasha": "alexandra", "kate": "catherine",
    "kath": "catherine", "cathy": "catherine", "kasia": "katarzyna", "gosia": "małgorzata", "basia": "barbara",
    "ted": "edward", "ned": "edward", "harry": "henry", "hal": "henry", "tony": "anthony", "terry": "terence",
    "sue": "susan", "sally": "sarah", "jenny": "jennifer", "jen": "jennifer", "mo": "maureen", "nell": "eleanor",
    "nellie": "helen", "patsy": "patricia", "trish": "patricia", "pat": "patricia", "sheila": "cecilia",
    "chuck": "charles", "charlie": "charles", "frankie": "francesca", "pete": "peter", "steve": "stephen",
    "gaz": "gary", "dave": "david", "davy": "david", "taff": "david", "mick": "michael", "mike": "michael",
    "rosie": "rosemary", "dot": "dorothy", "dolly": "dorothy", "vi": "violet", "bert": "albert", "alf": "alfred",
}  # fmt: skip


# A rostered name that is also a word ("will", "grace", "rose") counts in lower case only where the word cannot be
# meant: before itself ("will will only go"), owning something with no article before it ("will's money"), or as
# the subject of a verb that neither a modal nor a noun without an article comes before ("his mate will is there").
_SUBJECT_VERBS = frozenset(
    {
        "is", "was", "has", "had", "says", "said", "does", "did", "goes", "went", "gets", "got", "comes", "came",
        "wants", "wanted", "likes", "liked", "loves", "loved", "lives", "lived", "rang", "phoned", "told", "asked",
        "thinks", "thought", "knows", "knew", "reckons",
    }
)  # fmt: skip


def _used_as_a_name(text: str, found: re.Match[str], key: str) -> bool:
    start, end = found.span()
    if DETERMINER_BEFORE.search(text, max(0, start - 6), start):
        return False
    if _POSSESSIVE.search(found.group()) and found.group()[-1:] not in "'’":
        return True
    following = _WORD.match(text, end + 1) if text[end : end + 1] == " " else None
    next_word = following.group().casefold() if following else ""
    return next_word == key or next_word in _SUBJECT_VERBS


@dataclass(frozen=True)
class RosterHit:
    start: int
    end: int
    entry: RosterEntry
    confidence: float


class RosterMatcher:
    def __init__(self, roster: Roster) -> None:
        # A person is found by any part of their name; a place or an organisation only by its whole name
        # ("Brightwater Homecare", never "homecare" alone).
        self._by_part: dict[str, RosterEntry] = {}
        self._whole: dict[str, RosterEntry] = {}
        for entry in roster.entries:
            if CATEGORIES[entry.category].kind == "person":
                for part in entry.parts:
                    self._by_part.setdefault(part, entry)
            else:
                self._whole.setdefault(" ".join(entry.original.split()).casefold(), entry)
        self._parts = list(self._by_part)
        names = sorted(self._whole, key=len, reverse=True)
        self._whole_pattern = (
            re.compile(
                r"(?<!\w)(?:" + "|".join(r"\s+".join(map(re.escape, n.split())) for n in names) + r")(?!\w)", re.I
            )
            if names
            else None
        )

    def find(self, text: str) -> Iterator[RosterHit]:
        """Yield each mention of a rostered name; a full name, with its title, is one hit."""
        if self._whole_pattern is not None:
            for found in self._whole_pattern.finditer(text):
                yield RosterHit(
                    found.start(), found.end(), self._whole[" ".join(found.group().split()).casefold()], 0.95
                )
        if self._parts:
            yield from self._find_people(text)

    def _find_people(self, text: str) -> Iterator[RosterHit]:
        cache: dict[tuple[str, bool], tuple[RosterEntry, float] | None] = {}
        pending: RosterHit | None = None
        for found in _WORD.finditer(text):
            word = _POSSESSIVE.sub("", found.group())
            if not word:
                continue
            key = word.casefold()
            capitalised = word[0].isupper()
            if (key, capitalised) not in cache:
                cache[key, capitalised] = self._lookup(key, capitalised)
            match = cache[key, capitalised]
            if match is None and key in self._by_part and self._followed_by_same_person(text, found.end(), key):
                match = self._by_part[key], 0.85  # "rose brennan": a name that is also a word, with its surname
            if match is None and key in self._by_part and _used_as_a_name(text, found, key):
                match = self._by_part[key], 0.7  # "his mate will", "will will only go", "will's money"
            if match is None:
                continue
            entry, confidence = match
            start, end = found.start(), found.start() + len(word)
            title = _TITLE.search(text, max(0, start - 6), start)
            if title:
                start = title.start()
            joined = pending is not None and pending.entry == entry and not text[pending.end : start].strip()
            if pending is not None and joined:
                pending = RosterHit(pending.start, end, entry, min(pending.confidence, confidence))
                continue
            if pending is not None:
                yield pending
            pending = RosterHit(start, end, entry, confidence)
        if pending is not None:
            yield pending

    def _followed_by_same_person(self, text: str, end: int, key: str) -> bool:
        after = _WORD.match(text, end + 1) if text[end : end + 1] == " " else None
        if after is None:
            return False
        following = _POSSESSIVE.sub("", after.group()).casefold()
        return following != key and self._by_part.get(following) is self._by_part[key]

    def _lookup(self, key: str, capitalised: bool) -> tuple[RosterEntry, float] | None:
        if key in self._by_part:
            # A name that is also a word ("Will", "Grace") counts only with its capital: "will will only go".
            return (self._by_part[key], 0.95) if capitalised or not is_english(key) else None
        for plural in ("es", "s"):  # a family by its surname: "the Hobbses", "the Tranters"
            base = key.removesuffix(plural)
            if base != key and base in self._by_part and (capitalised or not is_english(base)):
                return self._by_part[base], 0.9
        formal = NICKNAMES.get(key)
        if formal and formal in self._by_part:
            return self._by_part[formal], 0.8  # "Bill" for William, "Winnie" for Winifred
        if capitalised and len(key) >= 2 and not is_english(key):
            # A short form that starts the name: "Bev" for Beverley, "Des" for Desmond, "Jo" for Joanne.
            longer = [part for part in self._parts if part.startswith(key) and len(part) > len(key)]
            if len(longer) == 1:
                return self._by_part[longer[0]], 0.75
        if len(key) < _MIN_FUZZY_LENGTH:
            return None
        cutoff = FUZZY_CAPITALISED if capitalised else FUZZY_LOWER
        if is_english(key):
            return None  # a misspelt name is rarely a real word: "Adult" is not "Adele"
        best = process.extractOne(key, self._parts, scorer=fuzz.ratio, score_cutoff=cutoff)
        if best is None or best[0][0] != key[0]:
            return None
        return self._by_part[best[0]], round(0.5 + best[1] / 400, 2)
