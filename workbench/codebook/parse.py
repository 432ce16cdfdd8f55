"""Reading a codebook: YAML text to a validated Codebook, or a CodebookError naming the line of the first problem."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, ScalarEvent
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.reader import ReaderError

from workbench.codebook.fields import (
    check_colour,
    check_id,
    check_keywords,
    key_line,
    kind,
    node_line,
    optional_text,
    printable,
    required_text,
    unknown_field,
)
from workbench.codebook.model import PALETTE, Code, Codebook
from workbench.errors import CodebookError

TOP_FIELDS = ("id", "name", "description", "themes")
# Also the order in which the editor writes the fields of a code.
CODE_FIELDS = ("id", "parent", "name", "definition", "inclusion", "exclusion", "example", "keywords", "colour", "codes")
TEXT_FIELDS = ("definition", "inclusion", "exclusion", "example")


_TYPES = {"timestamp": "a date", "int": "a whole number", "float": "a number", "bool": "true or false"}


class _Constructor(RoundTripConstructor):
    """The round-trip constructor, reporting a value it cannot build as a YAML error on the value's line.

    ruamel builds tagged and implicitly typed scalars with int(), float(), date() and a table of booleans, so a date
    such as 2025-02-30, "!!int x" or an integer of 5,000 digits raises ValueError, KeyError or IndexError from deep
    inside it, without a line.
    """

    def construct_non_recursive_object(self, node: Any, tag: str | None = None) -> Any:
        try:
            return super().construct_non_recursive_object(node, tag)
        except (ValueError, KeyError, IndexError, TypeError):
            tag = str(tag or node.tag).removeprefix("tag:yaml.org,2002:")
            value = str(node.value) if isinstance(node, ScalarNode) else "here"
            value = f"{value[:40]}..." if len(value) > 40 else value
            problem = f"the value {value} cannot be read as {_TYPES.get(tag, tag)}; put it in quotes to keep it as text"
            raise ConstructorError(None, None, problem, node.start_mark) from None

    def construct_mapping(self, node: Any, maptyp: Any, deep: bool = False) -> Any:  # type: ignore[override]
        # ruamel cannot merge a mapping into one it contains ("- &a ... codes: [{<<: *a}]"): it fails on an attribute
        # of the mapping it has not finished building.
        try:
            return super().construct_mapping(node, maptyp, deep=deep)
        except AttributeError:
            problem = "a merge key (<<) here takes in a mapping that contains it; merge only from outside it"
            raise ConstructorError(None, None, problem, node.start_mark) from None


def new_yaml() -> YAML:
    """Return a round-trip YAML instance that keeps quotes and never re-wraps long lines."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.preserve_quotes = True
    yaml.width = 100_000
    return yaml


def load_document(text: str, path: str | Path) -> Any:
    """Return the round-trip document of a YAML text; raise CodebookError with the line when it is not YAML."""
    try:
        return _load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        # The problem may quote values from the file, which can span lines (a duplicate key's folded text).
        problem = printable(error.problem or error.context or "the text is not YAML")
        if "\\t" in problem or "\t" in problem:
            problem += " (indent with spaces, not tabs)"
        line = mark.line + 1 if mark is not None else None
        raise CodebookError(path, f"malformed YAML: {problem}", line=line) from None
    except ReaderError as error:
        line = text.count("\n", 0, max(error.position, 0)) + 1
        raise CodebookError(
            path, f"malformed YAML: character #x{error.character:04x} is not allowed", line=line
        ) from None
    except YAMLError as error:
        raise CodebookError(path, f"malformed YAML: {printable(error)}") from None
    except RecursionError:
        # ruamel reads nested lists and mappings by recursion; a codebook needs a few levels, not hundreds.
        raise CodebookError(
            path, "is nested too deeply to read; a codebook needs only themes, their codes and sub-codes"
        ) from None


@functools.lru_cache(maxsize=8)
def _load(text: str) -> Any:
    """Return the loaded document, shared by the edit that checks a text and the next edit that starts from it.

    Loading is by far the slowest step of an edit (ruamel reads about 5,000 lines a second), and callers only read
    the document; blockify(), which changes one, loads its own copy.
    """
    return new_yaml().load(text)


def shared_lines(text: str) -> list[int]:
    """Return the 0-based lines of the YAML anchors (&name), aliases (*name) and merge keys (<<:) of a text."""
    if "&" not in text and "*" not in text:
        return []
    lines: set[int] = set()
    try:
        for event in new_yaml().parse(text):
            if (
                isinstance(event, AliasEvent)
                or getattr(event, "anchor", None)
                or (isinstance(event, ScalarEvent) and event.value == "<<" and event.style is None)
            ):
                lines.add(event.start_mark.line)
    except (YAMLError, RecursionError):
        pass  # a text that is not YAML is refused on its own account
    return sorted(lines)


def _holds_anchor(document: CommentedMap, key: Any) -> bool:
    """Return True for a key at the top of the file whose value carries a YAML anchor (defaults: &d {...}): it only
    holds values that codes take in with <<: *d or *d, and is not a field of the codebook."""
    if key not in document.lc.data:  # merged into the top level: it has no place of its own
        return False
    anchor = getattr(document[key], "anchor", None)
    return isinstance(key, str) and getattr(anchor, "value", None) is not None


def parse_codebook(text: str, path: str | Path) -> Codebook:
    """Return the codebook a YAML text describes; raise CodebookError naming the line of the first problem."""
    return build_codebook(load_document(text, path), path)


def build_codebook(document: Any, path: str | Path) -> Codebook:
    """Return the codebook a loaded round-trip document describes; raise CodebookError when it is not valid."""
    if document is None:
        raise CodebookError(path, "is empty; a codebook needs a name and a list of themes")
    if not isinstance(document, CommentedMap):
        raise CodebookError(
            path,
            f"the top level is {kind(document)}; it must be a mapping with name and themes",
            line=node_line(document),
        )
    for key in document:
        if key not in TOP_FIELDS and not _holds_anchor(document, key):
            reason = unknown_field(key, "the codebook", TOP_FIELDS)
            if isinstance(document[key], CommentedMap):
                reason += "; a key at the top that only holds shared fields needs an anchor (defaults: &defaults)"
            raise CodebookError(path, reason, line=key_line(document, key), field=str(key))
    name = required_text(document, "name", "the codebook", path)
    book_id = Path(path).stem.lower().replace(" ", "_")
    if document.get("id") is not None:
        book_id = check_id(document, "the codebook", path)
    description = optional_text(document, "description", "the codebook", path)
    if "themes" not in document:
        raise CodebookError(
            path, "the codebook has no themes; add a list of them (themes:)", line=node_line(document), field="themes"
        )
    themes = document["themes"]
    if themes is not None and not isinstance(themes, CommentedSeq):
        raise CodebookError(
            path,
            "themes must be a list of codes, each starting with - id: ...",
            line=key_line(document, "themes"),
            field="themes",
        )
    walker = _Walker(path)
    walker.walk(themes or CommentedSeq(), None)
    return Codebook(id=book_id, name=name, description=description, codes=walker.build())


@dataclass
class _Entry:
    """A code entry as found in the file, before the tree is put together."""

    id: str
    values: dict[str, Any]
    parent: str | None  # the code it is nested under, or the parent it names
    flat: bool  # listed under themes with a parent: field
    line: int
    parent_line: int


class _Walker:
    """Checks each entry of the tree in file order, then links parents and lays the codes out in pre-order."""

    def __init__(self, path: str | Path) -> None:
        self.path = path
        self.entries: dict[str, _Entry] = {}
        self.id_lines: dict[str, int] = {}

    def fail(self, reason: str, line: int | None, field: str | None = None) -> CodebookError:
        """Return the error to raise for a problem on a line."""
        return CodebookError(self.path, reason, line=line, field=field)

    def walk(self, seq: CommentedSeq, owner: str | None) -> None:
        """Check the entries of a list (the themes, or a code's codes) and the lists below them, in file order."""
        where = "themes" if owner is None else f'the codes of "{owner}"'
        for index, node in enumerate(seq):
            line = seq.lc.item(index)[0] + 1
            if not isinstance(node, CommentedMap):
                raise self.fail(
                    f"entry {index + 1} of {where} is {kind(node)}, not a code (write it as - id: ... with name: ...)",
                    line,
                    "codes" if owner else "themes",
                )
            self.entry(node, owner, line)

    def entry(self, node: CommentedMap, owner: str | None, line: int) -> None:
        """Check one entry's fields and note it, with the code it sits under or names as its parent."""
        if "id" not in node:
            named = f' named "{printable(node["name"])}"' if isinstance(node.get("name"), str) else ""
            raise self.fail(f"the code{named} has no id (add id: ...)", line, "id")
        code_id = check_id(node, "a code", self.path)
        label = f'code "{code_id}"'
        id_line = key_line(node, "id")
        if code_id in self.id_lines:
            raise self.fail(f"{label} is defined twice (first on line {self.id_lines[code_id]})", id_line, "id")
        self.id_lines[code_id] = id_line
        for key in node:
            if key not in CODE_FIELDS:
                raise self.fail(unknown_field(key, label, CODE_FIELDS), key_line(node, key), str(key))
        values: dict[str, Any] = {"name": required_text(node, "name", label, self.path)}
        for key in TEXT_FIELDS:
            values[key] = optional_text(node, key, label, self.path)
        values["keywords"] = check_keywords(node, label, self.path)
        values["colour"] = check_colour(node, label, self.path)
        parent, parent_line = owner, line
        if "parent" in node:
            parent_line = key_line(node, "parent")
            if owner is not None:
                reason = (
                    f'{label}: parent is only for entries listed under themes; this one already sits under "{owner}"'
                )
                raise self.fail(reason, parent_line, "parent")
            parent = node["parent"]
            if not isinstance(parent, str) or not parent.strip():
                raise self.fail(f"{label}: parent must be the id of another code", parent_line, "parent")
            parent = parent.strip()
        self.entries[code_id] = _Entry(code_id, values, parent, owner is None and parent is not None, line, parent_line)
        codes = node.get("codes")
        if codes is not None and not isinstance(codes, CommentedSeq):
            raise self.fail(
                f"{label}: codes must be a list of sub-codes, each starting with - id: ...",
                key_line(node, "codes"),
                "codes",
            )
        self.walk(codes or CommentedSeq(), code_id)

    def build(self) -> tuple[Code, ...]:
        """Return the codes in pre-order, once every parent: names a code and none makes a loop."""
        flat = [entry for entry in self.entries.values() if entry.flat]
        for entry in flat:
            if entry.parent not in self.entries:
                reason = f'code "{entry.id}": parent "{printable(entry.parent)}" is not a code in this codebook'
                raise self.fail(reason, entry.parent_line, "parent")
        for entry in flat:
            self.check_loop(entry)
        children: dict[str | None, list[_Entry]] = {}
        for entry in sorted(self.entries.values(), key=lambda found: found.line):
            children.setdefault(entry.parent, []).append(entry)
        codes: list[Code] = []
        for theme_index, theme in enumerate(children.get(None, [])):
            for entry, depth, colour in _pre_order(theme, children, PALETTE[theme_index % len(PALETTE)]):
                values = entry.values
                codes.append(
                    Code(
                        id=entry.id, name=values["name"], parent=entry.parent, depth=depth, position=len(codes),
                        definition=values["definition"], inclusion=values["inclusion"], exclusion=values["exclusion"],
                        example=values["example"], keywords=values["keywords"], colour=colour,
                        own_colour=values["colour"], line=entry.line,
                    )
                )  # fmt: skip
        return tuple(codes)

    def check_loop(self, entry: _Entry) -> None:
        """Raise CodebookError when following parents up from an entry leads back to it."""
        chain = [entry.id]
        parent = entry.parent
        while parent is not None and parent not in chain[1:]:
            chain.append(parent)
            if parent == entry.id:
                reason = f'code "{entry.id}": parent "{entry.parent}" makes a loop ({" -> ".join(chain)})'
                raise self.fail(reason, entry.parent_line, "parent")
            parent = self.entries[parent].parent


def _pre_order(
    entry: _Entry, children: dict[str | None, list[_Entry]], inherited: str, depth: int = 0
) -> Iterator[tuple[_Entry, int, str]]:
    colour = entry.values["colour"] or inherited
    yield entry, depth, colour
    for child in children.get(entry.id, []):
        yield from _pre_order(child, children, colour, depth + 1)
