"""The two lists a team gives the detector: a roster of names it knows, and a glossary of terms never to flag."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from workbench.anonymise.categories import CATEGORIES, category_named
from workbench.errors import FileProblem, TranscriptError
from workbench.ingest.decode import decode_text

TITLES = ("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "nurse", "auntie", "uncle", "nan")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


class ListError(FileProblem):
    """A roster or glossary file is malformed."""


@dataclass(frozen=True)
class RosterEntry:
    """A person (or place, organisation...) the team knows by name, with the placeholder it should become."""

    original: str
    category: str
    replacement: str | None = None

    @property
    def parts(self) -> tuple[str, ...]:
        """The name's words without titles, casefolded: "Mrs Denise Walsh" gives ("denise", "walsh")."""
        words = [word.casefold() for word in _WORD.findall(self.original)]
        return tuple(word for word in words if word.rstrip(".") not in TITLES)


@dataclass(frozen=True)
class Roster:
    entries: tuple[RosterEntry, ...] = ()

    def __len__(self) -> int:
        return len(self.entries)


def read_roster(path: str | Path, data: bytes | None = None) -> Roster:
    """Read a roster CSV with columns original, category and optionally replacement; every row or none."""
    path = Path(path)
    rows = _csv_rows(path, data)
    header = [cell.strip().casefold() for cell in rows[0]] if rows else []
    if "original" not in header or "category" not in header:
        raise ListError(
            path, "the header must name the columns original and category (and optionally replacement)", line=1
        )
    entries: list[RosterEntry] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise ListError(path, f"has {len(row)} values but the header has {len(header)} columns", line=line)
        values = {header[i]: cell.strip() for i, cell in enumerate(row)}
        original = values.get("original", "")
        if not _WORD.search(original):
            raise ListError(path, "the original name is empty", line=line)
        category = category_named(values.get("category", ""))
        if category is None:
            known = ", ".join(CATEGORIES)
            raise ListError(path, f"unknown category {values.get('category', '')!r} (use one of: {known})", line=line)
        entries.append(RosterEntry(original, category.name, values.get("replacement") or None))
    if not entries:
        raise ListError(path, "lists no names (it has a header but no rows)")
    return Roster(tuple(entries))


def _csv_rows(path: Path, data: bytes | None) -> list[list[str]]:
    try:
        text = decode_text(path.read_bytes() if data is None else data, path)
    except TranscriptError as error:
        raise ListError(path, error.reason) from None
    except OSError as error:
        raise ListError(path, f"cannot be read ({error.strerror})") from None
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), strict=True, delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as error:
        raise ListError(path, f"is not valid CSV ({error})", line=reader.line_num) from None


@dataclass(frozen=True)
class Glossary:
    """Domain terms that are never identifiers, matched whole-word and case-insensitively."""

    terms: tuple[str, ...]

    def __add__(self, other: Glossary) -> Glossary:
        return Glossary(tuple(dict.fromkeys(self.terms + other.terms)))

    def pattern(self) -> re.Pattern[str]:
        """One regex for every term, longest first, any spacing; "#" in a term stands for a number ("Case Worker #")."""
        alternatives = [
            r"\s+".join(re.escape(word).replace(r"\#", r"\d+") for word in term.split())
            for term in sorted(self.terms, key=len, reverse=True)
        ]
        return re.compile(r"(?<![\w{\[])(?:" + "|".join(alternatives) + r")(?:['’]s)?(?![\w}\]])", re.IGNORECASE)


def parse_glossary(text: str) -> Glossary:
    """One term per line; blank lines and lines starting with # are ignored."""
    terms = (" ".join(line.split()) for line in text.splitlines())
    return Glossary(tuple(dict.fromkeys(term for term in terms if term and not term.startswith("#"))))


def read_glossary(path: str | Path, data: bytes | None = None) -> Glossary:
    path = Path(path)
    try:
        text = decode_text(path.read_bytes() if data is None else data, path)
    except TranscriptError as error:
        raise ListError(path, error.reason) from None
    except OSError as error:
        raise ListError(path, f"cannot be read ({error.strerror})") from None
    glossary = parse_glossary(text)
    if not glossary.terms:
        raise ListError(path, "lists no terms (write one term per line)")
    return glossary


def default_glossary() -> Glossary:
    """The domain terms shipped with the workbench (personal budgets, adult social care, the NHS)."""
    return parse_glossary(resources.files("workbench.anonymise").joinpath("domain_terms.txt").read_text("utf-8"))
