"""Which words are ordinary English and which may be names: the word lists the detectors share."""

from __future__ import annotations

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


_SUFFIXES = ("'s", "’s", "s", "es", "ed", "d", "ing", "ly", "er", "ers", "est", "ness", "ment", "ments", "ship")


def is_english(word: str) -> bool:
    """Whether a word (any case) is in the model's English dictionary, allowing common endings."""
    words = english_words()
    key = word.casefold()
    if key in words or key in STOP_WORDS or key in word_list("common_words.txt"):
        return True
    if any(key[:cut] in words and key[cut:] in words for cut in range(4, len(key) - 3)):
        return True  # a compound: "worktop", "overclaim"
    if key.endswith(("ies", "ied")) and key[:-3] + "y" in words:
        return True
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) + 2:
            stem = key[: -len(suffix)]
            if stem in words or stem + "e" in words or (len(stem) > 2 and stem[-1] == stem[-2] and stem[:-1] in words):
                return True
    return False
