"""Which words are ordinary English and which may be names: the word lists the detectors share."""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources

from spacy.lang.en.stop_words import STOP_WORDS

from workbench.nlp import english_words


@cache
def word_list(name: str) -> frozenset[str]:
    text = resources.files("workbench.anonymise").joinpath(name).read_text("utf-8")
    return frozenset(word for line in text.splitlines() if not line.startswith("#") for word in line.split())


@cache
def not_names() -> frozenset[str]:
    """Capitalised words that are never anyone's name: pronouns, fillers, days, months, kin words, titles."""
    return word_list("not_names.txt")


_SUFFIXES = (
    "'s",
    "’s",
    "s",
    "es",
    "ed",
    "d",
    "ing",
    "ly",
    "er",
    "ers",
    "est",
    "ness",
    "ment",
    "ments",
    "ship",
    "able",
    "ible",
)


def is_english(word: str, *, compounds: bool = True) -> bool:
    """Whether a word (any case) is in the model's English dictionary, allowing common endings, and (unless told
    not to, where a name is likelier) compounds of two words: "worktop", but also "warsame" as war + same."""
    words = english_words()
    key = unicodedata.normalize("NFKD", word.casefold()).encode("ascii", "ignore").decode()  # "café" is "cafe"
    if key in words or key in STOP_WORDS or key in word_list("common_words.txt"):
        return True
    if compounds and any(key[:cut] in words and _is_word(key[cut:], words) for cut in range(3, len(key) - 3)):
        return True  # a compound: "worktop", "overclaim", "timescales", "keyworker"
    if key.endswith(("ies", "ied")) and key[:-3] + "y" in words:
        return True
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) + 2:
            stem = key[: -len(suffix)]
            if stem in words or stem + "e" in words or (len(stem) > 2 and stem[-1] == stem[-2] and stem[:-1] in words):
                return True
    return False


def _is_word(key: str, words: frozenset[str]) -> bool:
    """A dictionary word, or one with a plural or verb ending."""
    return key in words or any(
        key.endswith(end) and key[: -len(end)] in words for end in ("s", "es", "ed", "ing", "er")
    )
