"""The labelled synthetic evaluation set for identifier detection: loading and checking it (`python -m bench.eval_set`).

The set lives in ``bench/anonymisation_eval/{dev,test}/*.txt``, with inline markup:

- ``[[KIND|text]]`` marks an identifier the detector should find, e.g. ``[[person|Denise]]``;
- ``((text))`` marks a domain term it must leave alone, e.g. ``((Needs Profile))``.

Everything else is plain text. Markup never nests and never spans a line. ``load_eval_set`` strips the markup and
returns spans that index into the plain text; see ``bench/anonymisation_eval/README.md`` for the rules of the set.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parent / "anonymisation_eval"
HALVES = ("dev", "test")
KINDS = ("person", "place", "organisation", "address", "postcode", "phone", "email", "nhs", "ni", "date", "url")
KEEP = "keep"
ROSTER_CATEGORIES = ("service user", "family member", "carer", "staff", "manager")

# Coverage the set promises (checked by __main__).
MIN_IDENTIFIERS = 200
MIN_PER_KIND = 10
MIN_KEEP = 120


class MarkupError(ValueError):
    """Bad markup in an evaluation file; the message names the file and line."""


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    """One of KINDS for an identifier, "keep" for a domain term."""
    text: str


@dataclass(frozen=True)
class EvalText:
    name: str
    """The file's stem, e.g. "cw03_older_people"."""
    text: str
    """The passage with the markup removed."""
    identifiers: list[Span]
    keep: list[Span]


_OPENERS = {"[[": "]]", "((": "))"}
_TOKEN = re.compile(r"\[\[|\]\]|\(\(|\)\)")


def _half_dir(half: str) -> Path:
    if half not in HALVES:
        raise ValueError(f"unknown half {half!r}: expected one of {', '.join(HALVES)}")
    return ROOT / half


def roster_path(half: str) -> Path:
    """The roster (columns original,category) of the people who appear in ``half``."""
    return _half_dir(half) / "roster.csv"


def parse_markup(source: str, where: str = "<text>") -> tuple[str, list[Span], list[Span]]:
    """Strip the markup from ``source``; return the plain text, the identifier spans and the keep spans.

    ``where`` names the source in error messages, which add the line number (1-based) of the offending markup.
    """
    out: list[str] = []
    length = 0  # characters written to out so far
    identifiers: list[Span] = []
    keep: list[Span] = []
    pos = 0

    def fail(at: int, message: str) -> MarkupError:
        line = source.count("\n", 0, at) + 1
        return MarkupError(f"{where}, line {line}: {message}")

    while True:
        match = _TOKEN.search(source, pos)
        if match is None:
            out.append(source[pos:])
            break
        token = match.group()
        if token not in _OPENERS:
            raise fail(match.start(), f"{token!r} without a matching opener")
        out.append(source[pos : match.start()])
        length += match.start() - pos
        closer = _OPENERS[token]
        body_start = match.end()
        end_of_line = source.find("\n", body_start)
        if end_of_line == -1:
            end_of_line = len(source)
        inner = _TOKEN.search(source, body_start, end_of_line)
        if inner is None:
            raise fail(match.start(), f"unclosed {token!r} (no {closer!r} before the end of the line)")
        if inner.group() != closer:
            if inner.group() in _OPENERS:
                raise fail(inner.start(), f"nested markup: {inner.group()!r} inside {token!r}")
            raise fail(inner.start(), f"{token!r} closed by {inner.group()!r}")
        body = source[body_start : inner.start()]
        if token == "[[":
            kind, bar, text = body.partition("|")
            if not bar:
                raise fail(match.start(), f"identifier {body!r} has no KIND| prefix")
            if kind not in KINDS:
                raise fail(match.start(), f"unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
        else:
            kind, text = KEEP, body
        if not text.strip():
            raise fail(match.start(), f"empty {token}{closer} markup")
        if text != text.strip():
            raise fail(match.start(), f"markup text {text!r} starts or ends with whitespace")
        if "|" in text:
            raise fail(match.start(), f"stray '|' in markup text {text!r}")
        span = Span(length, length + len(text), kind, text)
        (keep if kind == KEEP else identifiers).append(span)
        out.append(text)
        length += len(text)
        pos = inner.end()
    return "".join(out), identifiers, keep


def load_eval_set(half: str) -> list[EvalText]:
    """Load every passage of ``half`` ("dev" or "test"), sorted by file name, with the markup removed."""
    folder = _half_dir(half)
    texts: list[EvalText] = []
    for path in sorted(folder.glob("*.txt")):
        source = path.read_text(encoding="utf-8")
        text, identifiers, keep = parse_markup(source, where=str(path))
        texts.append(EvalText(path.stem, text, identifiers, keep))
    if not texts:
        raise FileNotFoundError(f"no passages in {folder}")
    return texts


def load_roster(half: str) -> list[tuple[str, str]]:
    """The roster of ``half`` as (original, category) rows, checked for its columns and categories."""
    path = roster_path(half)
    rows: list[tuple[str, str]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != ["original", "category"]:
            raise ValueError(f"{path}: expected columns original,category, found {reader.fieldnames}")
        for number, row in enumerate(reader, start=2):
            original, category = row["original"].strip(), row["category"].strip()
            if not original or category not in ROSTER_CATEGORIES:
                raise ValueError(f"{path}, line {number}: bad row {row}")
            rows.append((original, category))
    return rows


# --- checks of the rules of the set -----------------------------------------------------------------------------

_WORD_DIGITS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "nought": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}


def digits_of(text: str) -> str:
    """The digits of a number as written ("07700 900123") or spoken ("oh seven seven double oh...")."""
    out: list[str] = []
    repeat = 1
    for token in re.findall(r"\d+|[a-z]+", text.casefold()):
        if token.isdigit():
            out.append(token[0] * repeat + token[1:])
            repeat = 1
        elif token in ("double", "triple"):
            repeat = 2 if token == "double" else 3
        elif token in _WORD_DIGITS:
            out.append(_WORD_DIGITS[token] * repeat)
            repeat = 1
    return "".join(out)


def nhs_valid(text: str) -> bool:
    """A 999-range NHS number that passes the mod-11 check."""
    digits = digits_of(text)
    if len(digits) != 10 or not digits.startswith("999"):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


_DRAMA_PHONE = re.compile(r"07700900\d{3}|01164960\d{3}|01134960\d{3}|02079460\d{3}|01914980\d{3}")


def phone_valid(text: str) -> bool:
    """A number in one of Ofcom's drama ranges (mobile 07700 900xxx; a few geographic ranges)."""
    digits = digits_of(text)
    if text.lstrip().startswith("+44"):
        digits = "0" + digits[2:].removeprefix("0")
    return _DRAMA_PHONE.fullmatch(digits) is not None


def ni_valid(text: str) -> bool:
    """A National Insurance number with the never-issued QQ prefix."""
    return re.fullmatch(r"QQ\d{6}[A-D]", re.sub(r"[\s-]", "", text.upper())) is not None


def postcode_valid(text: str) -> bool:
    """A UK-format postcode, in any case and spacing."""
    return re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}", text.upper().strip()) is not None


_EXAMPLE_HOST = re.compile(r"(?:[a-z0-9-]+\.)*example\.(?:com|org|net)", re.IGNORECASE)


def email_valid(text: str) -> bool:
    local, at, host = text.partition("@")
    return bool(local) and bool(at) and _EXAMPLE_HOST.fullmatch(host) is not None


def url_valid(text: str) -> bool:
    host = re.sub(r"^[a-z]+://", "", text, flags=re.IGNORECASE).split("/")[0]
    return _EXAMPLE_HOST.fullmatch(host) is not None


_TITLES = {"mr", "mrs", "ms", "miss", "dr", "mx"}


def _name_tokens(text: str) -> list[str]:
    text = re.sub(r"['’]s$", "", text.strip()).casefold()
    return [t for t in re.split(r"[\s.\-]+", text) if t and t not in _TITLES]


def roster_match(text: str, roster: list[tuple[str, str]]) -> str | None:
    """The roster name a marked person most plausibly is (tolerating case, titles, typos, initials), or None."""
    tokens = _name_tokens(text)
    if not tokens:
        return None
    best, best_score = None, 0.0
    for original, _category in roster:
        names = _name_tokens(original)
        score = 1.0
        for token in tokens:
            if len(token) == 1:
                score = min(score, 1.0 if any(n.startswith(token) for n in names) else 0.0)
            else:
                # A short form of the roster name (Bev for Beverley, Jo for Joanne) counts as a match.
                ratio = max(
                    1.0 if min(len(token), len(n)) >= 2 and (n.startswith(token) or token.startswith(n)) else 0.0
                    for n in names
                )
                ratio = max(ratio, *(SequenceMatcher(None, token, n).ratio() for n in names))
                score = min(score, ratio)
        if score > best_score:
            best, best_score = original, score
    return best if best_score >= 0.7 else None


def check(half: str, texts: list[EvalText]) -> list[str]:
    """Problems with ``half``: invalid numbers, unknown people, thin coverage."""
    problems: list[str] = []
    roster = load_roster(half)
    validators = {
        "nhs": nhs_valid,
        "phone": phone_valid,
        "ni": ni_valid,
        "postcode": postcode_valid,
        "email": email_valid,
        "url": url_valid,
    }
    used: set[str] = set()
    for item in texts:
        for span in item.identifiers:
            validator = validators.get(span.kind)
            if validator and not validator(span.text):
                problems.append(f"{half}/{item.name}: {span.kind} {span.text!r} breaks the rules of the set")
            if span.kind == "person":
                match = roster_match(span.text, roster)
                if match is None:
                    problems.append(f"{half}/{item.name}: person {span.text!r} is not in {roster_path(half)}")
                else:
                    used.add(match)
        for span in item.keep:
            if "\n" in span.text:
                problems.append(f"{half}/{item.name}: keep term {span.text!r} spans lines")
    for original, _category in roster:
        if original not in used:
            problems.append(f"{half}: roster name {original!r} is never marked in the passages")
    counts = Counter(span.kind for item in texts for span in item.identifiers)
    total = sum(counts.values())
    if total < MIN_IDENTIFIERS:
        problems.append(f"{half}: {total} identifiers, fewer than {MIN_IDENTIFIERS}")
    for kind in KINDS:
        if counts[kind] < MIN_PER_KIND:
            problems.append(f"{half}: {counts[kind]} {kind} identifiers, fewer than {MIN_PER_KIND}")
    keep = sum(len(item.keep) for item in texts)
    if keep < MIN_KEEP:
        problems.append(f"{half}: {keep} keep terms, fewer than {MIN_KEEP}")
    return problems


def _overlap(halves: dict[str, list[EvalText]]) -> list[str]:
    """Identifiers (other than dates) that occur in both halves: the halves must be independent."""
    seen = {
        half: {(s.kind, s.text.casefold()) for t in texts for s in t.identifiers if s.kind != "date"}
        for half, texts in halves.items()
    }
    shared = sorted(seen["dev"] & seen["test"])
    names = {name.casefold() for name, _ in load_roster("dev")} & {name.casefold() for name, _ in load_roster("test")}
    return [f"both halves mark {kind} {text!r}" for kind, text in shared] + [
        f"both rosters list {name!r}" for name in sorted(names)
    ]


def main() -> int:
    halves = {half: load_eval_set(half) for half in HALVES}
    problems: list[str] = []
    width = max(len(k) for k in (*KINDS, "identifiers", "keep terms", "passages", "words"))
    header = f"{'':<{width}}  " + "  ".join(f"{half:>6}" for half in HALVES)
    print(header)
    counts = {half: Counter(s.kind for t in texts for s in t.identifiers) for half, texts in halves.items()}
    for kind in KINDS:
        print(f"{kind:<{width}}  " + "  ".join(f"{counts[h][kind]:>6}" for h in HALVES))
    rows = {
        "identifiers": {h: sum(counts[h].values()) for h in HALVES},
        "keep terms": {h: sum(len(t.keep) for t in halves[h]) for h in HALVES},
        "passages": {h: len(halves[h]) for h in HALVES},
        "words": {h: sum(len(t.text.split()) for t in halves[h]) for h in HALVES},
        "roster": {h: len(load_roster(h)) for h in HALVES},
    }
    for label, values in rows.items():
        print(f"{label:<{width}}  " + "  ".join(f"{values[h]:>6}" for h in HALVES))
    for half, texts in halves.items():
        problems += check(half, texts)
        for item in texts:
            words = len(item.text.split())
            if not 400 <= words <= 900:
                problems.append(f"{half}/{item.name}: {words} words, outside 400-900")
    problems += _overlap(halves)
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
