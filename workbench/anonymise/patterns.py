"""Identifiers with a shape: UK postcodes, NHS and National Insurance numbers, phones, emails, web addresses,
street addresses and specific dates. Each match is checked beyond its shape where a check exists (NHS mod-11)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
STREET_TYPES = (
    "road|rd|street|st|lane|ln|avenue|ave|close|drive|dr|way|court|ct|crescent|place|pl|grove|gardens|gdns|terrace"
    "|walk|hill|row|square|sq|mews|rise|view|green|parade|gate|fields|meadows|vale|chase|croft|wynd|boulevard|park"
    "|yard|wharf|quay|approach|circus|embankment|heights|villas|bank|brow|brae|garth|loan|promenade|ridge|hollow"
)
# Words that never belong to a street's name: "3 visits down the road" is not an address.
_NOT_STREET_WORDS = {
    "the",
    "a",
    "an",
    "to",
    "of",
    "in",
    "on",
    "at",
    "up",
    "down",
    "and",
    "or",
    "from",
    "for",
    "by",
    "with",
    "my",
    "her",
    "his",
    "their",
    "our",
    "your",
    "times",
    "days",
    "weeks",
    "months",
    "years",
    "hours",
    "minutes",
    "visits",
    "calls",
    "people",
    "miles",
    "doors",
    "houses",
    "along",
    "across",
    "over",
    "round",
    "around",
    "past",
    "off",
    "into",
    "just",
}


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    category: str
    confidence: float


_POSTCODE = re.compile(r"(?<![\w-])([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})(?![\w-])", re.IGNORECASE)
_NHS = re.compile(r"(?<![\w+])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\w-])")
# "QQ 12 34 56 C", "qq123456c", "QQ-12-34-56-C", "QQ 123456 C", and without the final letter as people often say it.
_NI = re.compile(
    r"(?<![\w-])(?P<prefix>[A-Z] ?[A-Z])[ ./-]?(?:\d{2}[ ./-]?\d{2}[ ./-]?\d{2}|\d{6}|\d{3}[ ./-]?\d{3})"
    r"(?:[ ./-]?(?P<suffix>[A-D]))?(?![\w-])",
    re.IGNORECASE,
)
_NI_CONTEXT = re.compile(r"\b(?:NI|N\.I\.|national insurance|NINO)\b", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w+])(?:\+\s?44\s?(?:\(0\)\s?)?|\(?0)\d(?:[ \-)]{0,2}\d){8,9}(?![\w-])")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z\d-]+(?:\.[A-Za-z\d-]+)+", re.IGNORECASE)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"]+|(?<![@\w.-])[a-z\d-]+(?:\.[a-z\d-]+)*\.(?:co\.uk|org\.uk|gov\.uk|nhs\.uk|ac\.uk"
    r"|com|org|net|uk|info|io)(?:/[^\s<>\"]*)?(?![\w@])",
    re.IGNORECASE,
)
_ADDRESS = re.compile(
    rf"(?<![\w-])(?:(?:flat|apartment|apt|unit|room)\s+\d+[a-z]?,?\s+(?:\d{{1,4}}[a-z]?,?\s+)?|\d{{1,4}}[a-z]?,?\s+)"
    rf"(?P<name>(?:the\s+)?(?:[^\W\d_][\w'’-]*\s+){{0,3}})(?P<type>{STREET_TYPES})\b\.?",
    re.IGNORECASE,
)
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_DAY_MONTH = rf"(?:the\s+)?{_ORDINAL}\s+(?:of\s+)?(?:{MONTHS})\b\.?"
_MONTH_DAY = rf"(?:{MONTHS})\b\.?\s+(?:the\s+)?{_ORDINAL}"
_DATE_WITH_YEAR = re.compile(
    rf"(?<![\w/.-])(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})|(?:{_DAY_MONTH}|{_MONTH_DAY}),?\s+\d{{4}})(?![\w/-])",
    re.IGNORECASE,
)
_DATE_NO_YEAR = re.compile(rf"(?<![\w/.-])(?:{_DAY_MONTH}|{_MONTH_DAY})(?![\w/-])", re.IGNORECASE)
_BIRTH_YEAR = re.compile(r"\bborn\s+in\s+(?P<year>(?:19|20)\d{2})\b", re.IGNORECASE)
# A named day with its year is one day: "Diwali 1955", "Christmas Day 1948"; a month and year after a birth or death.
_FEAST_YEAR = re.compile(
    r"\b(?:christmas(?: day| eve)?|boxing day|new year's (?:day|eve)|easter(?: sunday| monday)?|diwali|eid"
    r"(?: al-fitr| al-adha)?|vaisakhi|hogmanay|bonfire night|st patrick's day|remembrance (?:day|sunday))"
    r",?\s+(?:19|20)\d{2}\b",
    re.IGNORECASE,
)
_MONTH_YEAR = re.compile(rf"\b(?:{MONTHS})\b\.?,?\s+(?:19|20)\d{{2}}\b", re.IGNORECASE)
# A day and month without a year identifies someone only when it is their birth or death.
_LIFE_EVENT = re.compile(
    r"\b(?:born|birthday|dob|d\.o\.b|date of birth|died|passed away|passed|death|funeral)\b", re.IGNORECASE
)


_DIGIT_WORD = r"(?:oh|o|zero|nought|one|two|three|four|five|six|seven|eight|nine)"
# A number read out as words: "oh seven seven double oh, nine double oh, seven three five".
_SPOKEN_NUMBER = re.compile(
    rf"\b(?:(?:double|treble)\s+)?{_DIGIT_WORD}(?:[\s,-]+(?:(?:double|treble)\s+)?{_DIGIT_WORD}){{5,}}\b", re.IGNORECASE
)
# A street named without its number ("on tanner street"): lower case is how sloppy transcripts write it.
_LOWER_STREET = re.compile(
    r"\b(?:on|in|at|off|along|near|down|up|from|to)\s+(?:the\s+)?(?P<street>(?P<name>[^\W\d_][\w'’-]+(?:\s+[^\W\d_][\w'’-]+)?)"
    r"\s+(?:street|road|lane|avenue|crescent|terrace|gardens|estate))\b",  # not "close" or "way": "in what way"
    re.IGNORECASE,
)
_GENERIC_STREET_WORDS = {
    "main",
    "high",
    "busy",
    "same",
    "other",
    "next",
    "back",
    "side",
    "little",
    "big",
    "long",
    "new",
    "old",
    "wrong",
    "right",
    "this",
    "that",
    "council",
    "one",
    "housing",
    "whole",
    "ring",
}


def nhs_number_is_valid(digits: str) -> bool:
    """Apply the NHS number's modulus-11 check: weights 10..2 on the first nine digits give the tenth."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    remainder = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    check = 11 - remainder
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def find_patterns(text: str) -> Iterator[Match]:
    """Yield every shaped identifier in ``text``; overlaps are resolved by the caller."""
    for found in _EMAIL.finditer(text):
        yield Match(found.start(), found.end(), "email", 0.99)
    for found in _URL.finditer(text):
        end = found.start() + len(found.group().rstrip(".,;:!?)'’\""))
        if "@" not in text[max(0, found.start() - 1) : found.start()]:
            yield Match(found.start(), end, "url", 0.95)
    for found in _NHS.finditer(text):
        digits = "".join(found.groups())
        if nhs_number_is_valid(digits):
            yield Match(found.start(), found.end(), "NHS number", 0.99)
        elif re.search(r"\bnhs\b", text[max(0, found.start() - 40) : found.start()], re.IGNORECASE):
            yield Match(found.start(), found.end(), "NHS number", 0.6)  # a mistyped NHS number still points at someone
    for found in _NI.finditer(text):
        # Without its final letter, only a capital prefix makes it an NI number ("is 12 34 56" is not one).
        context = _NI_CONTEXT.search(text, max(0, found.start() - 60), found.start())
        if found.group("suffix") or found.group("prefix").isupper() or context:
            yield Match(found.start(), found.end(), "NI number", 0.97 if found.group("suffix") else 0.8)
    for found in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", found.group())
        national = digits[2:] if found.group().lstrip("(").startswith("+") else digits[1:]
        if len(national) in (9, 10) and not nhs_number_is_valid(digits):
            yield Match(found.start(), found.end(), "phone", 0.97)
    for found in _POSTCODE.finditer(text):
        yield Match(found.start(), found.end(), "postcode", 0.95 if found.group().isupper() else 0.85)
    for found in _ADDRESS.finditer(text):
        words = found.group("name").casefold().split()
        named = (
            words[1:] if words[:1] == ["the"] else words
        )  # "14 The Green" is an address, "3 visits down the road" not
        if (named or words[:1] == ["the"]) and not any(word in _NOT_STREET_WORDS for word in named):
            yield Match(found.start(), found.end() - found.group().endswith("."), "address", 0.9)
    yield from _dates(text)
    for found in _SPOKEN_NUMBER.finditer(text):
        if _spoken_digits(found.group()) >= 9:
            yield Match(found.start(), found.end(), "phone", 0.8)
    for found in _LOWER_STREET.finditer(text):
        if not set(found.group("name").casefold().split()) & (_NOT_STREET_WORDS | _GENERIC_STREET_WORDS):
            yield Match(found.start("street"), found.end("street"), "address", 0.6)


def _spoken_digits(words: str) -> int:
    """How many digits "oh seven seven double oh" reads out (six)."""
    count, repeat = 0, 1
    for word in re.findall(r"[a-z]+", words.casefold()):
        if word in ("double", "treble"):
            repeat = 2 if word == "double" else 3
            continue
        count, repeat = count + repeat, 1
    return count


def _dates(text: str) -> Iterator[Match]:
    with_year = [(found.start(), found.end()) for found in _DATE_WITH_YEAR.finditer(text)]
    for start, end in with_year:
        yield Match(start, end - text[start:end].endswith("."), "date", 0.85)
    for found in _DATE_NO_YEAR.finditer(text):
        # A day and month pins an event to a person even without the year: "Panel on the 14th of November".
        if not any(start <= found.start() < end for start, end in with_year):
            certain = _LIFE_EVENT.search(text, max(0, found.start() - 50), found.start())
            yield Match(found.start(), found.end() - found.group().endswith("."), "date", 0.8 if certain else 0.6)
    for found in _BIRTH_YEAR.finditer(text):
        yield Match(found.start("year"), found.end("year"), "date", 0.7)
    for found in _FEAST_YEAR.finditer(text):
        yield Match(found.start(), found.end(), "date", 0.7)
    for found in _MONTH_YEAR.finditer(text):
        if _LIFE_EVENT.search(text, max(0, found.start() - 50), found.start()):
            yield Match(found.start(), found.end(), "date", 0.6)
