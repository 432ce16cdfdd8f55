"""CodebookFile: a codebook file's text and model, with edits that change only the lines of the codes they touch.

Each edit works on a copy of the text, then checks the result twice before keeping it: it must be a valid codebook,
and its tree must be exactly the one the edit asked for (so a layout the editor misreads cannot change other codes).
An edit that fails leaves the file's text as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from workbench.codebook.fields import normalise_colour, printable
from workbench.codebook.files import read_text
from workbench.codebook.layout import Layout
from workbench.codebook.model import Code, Codebook
from workbench.codebook.ops import (
    add_entry,
    blockify,
    check_move,
    delete_entry,
    known,
    merge_entries,
    move_entry,
    nest_flat,
    update_entry,
)
from workbench.codebook.parse import parse_codebook, shared_lines
from workbench.codebook.render import Value
from workbench.errors import CodebookEditError, CodebookError

FIELDS = ("name", "definition", "inclusion", "exclusion", "example", "keywords", "colour")
# What an edit may change: each code's fields (in FIELDS order) and each code's sub-codes, in order.
Fields = dict[str, tuple[object, ...]]
Children = dict[str | None, list[str]]


class _Reordered(CodebookEditError):
    """The edited text reads as a different tree than the edit asked for."""


class CodebookFile:
    """A codebook file kept as its text and its validated model, so that edits keep comments, order and layout.

    The text is read with ruamel's round-trip loader to learn where each entry and field lies; an edit rewrites
    those lines only, and the rest of the file stays byte for byte as it was.
    """

    def __init__(self, text: str, path: str | Path, codebook: Codebook) -> None:
        self.path = Path(path)
        self.codebook = codebook
        self._text = text

    @classmethod
    def parse(cls, text: str, path: str | Path) -> CodebookFile:
        """Return the codebook file for a YAML text; raise CodebookError when it is not a valid codebook."""
        text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        return cls(text, path, parse_codebook(text, path))

    @classmethod
    def read(cls, path: str | Path) -> CodebookFile:
        """Return the codebook file at a path; raise CodebookError when it cannot be read or is not valid."""
        return cls.parse(read_text(path), path)

    def dump(self) -> str:
        """Return the YAML text of the codebook, with its comments, order and layout."""
        return self._text

    def add(
        self, *, id: str, name: str, parent: str | None, definition: str = "", inclusion: str = "",
        exclusion: str = "", example: str = "", keywords: Sequence[str] = (), colour: str | None = None,
    ) -> Code:  # fmt: skip
        """Return the new code, added as the last sub-code of parent (the last theme when parent is None)."""
        if id in self.codebook.ids:
            raise CodebookEditError(f'the id "{id}" is already used by the code "{self.codebook.code(id).name}"')
        if parent is not None:
            known(self.codebook, parent)
        values: dict[str, Value] = {"name": name, "definition": definition, "inclusion": inclusion}
        values |= {"exclusion": exclusion, "example": example, "keywords": list(keywords), "colour": colour or ""}

        def expect(fields: Fields, children: Children) -> None:
            fields[id] = _expected((), values)
            children.setdefault(parent, []).append(id)

        self._apply(lambda text: add_entry(text, self.path, id, parent, list(values.items())), expect, (parent,))
        return self.codebook.code(id)

    def update(
        self, code_id: str, *, name: str | None = None, definition: str | None = None, inclusion: str | None = None,
        exclusion: str | None = None, example: str | None = None, keywords: Sequence[str] | None = None,
        colour: str | None = None,
    ) -> Code:  # fmt: skip
        """Return the code with fields changed: None leaves a field as it is, "" (or no keywords) removes it."""
        known(self.codebook, code_id)
        given: dict[str, Value | None] = {"name": name, "definition": definition, "inclusion": inclusion}
        given |= {"exclusion": exclusion, "example": example, "colour": colour}
        given["keywords"] = None if keywords is None else list(keywords)
        # A field given as it already is stays untouched, quotes, line breaks and comments included.
        current = _shape(self.codebook)[0][code_id]
        changes = {key: value for key, value in given.items() if value is not None and _differs(current, key, value)}
        # An empty name is written as it is, so that checking the result refuses it with the usual message.
        written = {key: None if key != "name" and not _filled(value) else value for key, value in changes.items()}

        def expect(fields: Fields, children: Children) -> None:
            fields[code_id] = _expected(fields[code_id], changes)

        self._apply(lambda text: update_entry(text, self.path, code_id, written), expect, (code_id,))
        return self.codebook.code(code_id)

    def move(self, code_id: str, parent: str | None, *, before: str | None = None) -> Code:
        """Return the code moved, with its sub-codes, to the end of parent's sub-codes or just before `before`."""
        check_move(self.codebook, code_id, parent, before)

        def expect(fields: Fields, children: Children) -> None:
            children[self.codebook.code(code_id).parent].remove(code_id)
            siblings = children.setdefault(parent, [])
            siblings.insert(siblings.index(before) if before else len(siblings), code_id)

        involved = (code_id, parent, before, self.codebook.code(code_id).parent)
        try:
            self._apply(lambda text: move_entry(text, self.path, code_id, parent, before), expect, involved)
        except _Reordered:
            nested = partial(nest_flat, path=self.path, code_id=code_id)
            self._apply(lambda text: move_entry(nested(text), self.path, code_id, parent, before), expect, involved)
        return self.codebook.code(code_id)

    def merge(self, source_id: str, target_id: str) -> None:
        """Merge a code into another: its sub-codes and new keywords go to the target, then the source is removed."""
        source, target = known(self.codebook, source_id), known(self.codebook, target_id)
        if source_id == target_id:
            raise CodebookEditError(f'cannot merge the code "{source_id}" into itself')
        if target_id in {code.id for code in self.codebook.descendants(source_id)}:
            raise CodebookEditError(f'cannot merge the code "{source_id}" into "{target_id}", one of its own sub-codes')
        keywords = list(target.keywords)
        for word in source.keywords:
            if word.casefold() not in {known_word.casefold() for known_word in keywords}:
                keywords.append(word)
        added = keywords if keywords != list(target.keywords) else None

        def expect(fields: Fields, children: Children) -> None:
            fields[target_id] = _expected(fields[target_id], {"keywords": keywords})
            del fields[source_id]
            children.setdefault(target_id, []).extend(children.pop(source_id, []))
            children[source.parent].remove(source_id)

        involved = (source_id, target_id)
        try:
            self._apply(lambda text: merge_entries(text, self.path, source_id, target_id, added), expect, involved)
        except _Reordered:
            nested = partial(nest_flat, path=self.path, code_id=source_id)
            self._apply(
                lambda text: merge_entries(nested(text), self.path, source_id, target_id, added), expect, involved
            )

    def delete(self, code_id: str) -> None:
        """Remove a code that has no sub-codes, with its comments."""
        code = known(self.codebook, code_id)
        if self.codebook.children(code_id):
            raise CodebookEditError(f'the code "{code_id}" has sub-codes; move or delete its sub-codes first')

        def expect(fields: Fields, children: Children) -> None:
            del fields[code_id]
            children[code.parent].remove(code_id)

        self._apply(lambda text: delete_entry(text, self.path, code_id), expect, (code_id,))

    def _apply(
        self,
        edit: Callable[[str], str],
        expect: Callable[[Fields, Children], None],
        involved: Sequence[str | None] = (),
    ) -> None:
        """Run an edit on a copy of the text; keep the result only when it is valid and the tree asked for.

        In a file that shares values between codes with YAML anchors and merge keys, an edit that would break them
        (an alias before its anchor, a change to shared values that other codes take in) is refused, naming the line.
        """
        try:
            text = edit(blockify(self._text, self.path))
            codebook = parse_codebook(text, self.path)
        except CodebookError as error:
            raise CodebookEditError(self._shared(involved) or error.reason) from None
        fields, children = _shape(self.codebook)
        expect(fields, children)
        wanted = (_header(self.codebook), fields, {key: value for key, value in children.items() if value})
        if (_header(codebook), *_shape(codebook)) != wanted:
            raise _Reordered(
                self._shared(involved)
                or f"this edit would change more of {self.path.name} than asked, as the file is laid out in a way the "
                "editor does not follow here; make the change in a text editor"
            )
        self._text, self.codebook = text, codebook

    def _shared(self, involved: Sequence[str | None]) -> str | None:
        """Return why an edit that failed is refused when the file uses YAML anchors (None when it uses none): the
        first anchor, alias or merge key within the codes the edit touches, else the first in the file."""
        marks = shared_lines(self._text)
        if not marks:
            return None
        try:
            entries = Layout(self._text, self.path).entries
        except CodebookError:
            entries = {}
        ranges = [(entries[code].lead, entries[code].end) for code in involved if code in entries]
        line = next((mark for mark in marks if any(start <= mark <= end for start, end in ranges)), marks[0])
        shown = printable(self._text.split("\n")[line].strip())
        shown = f"{shown[:60]}..." if len(shown) > 60 else shown
        return (
            f"{self.path.name}, line {line + 1}: this edit cannot be made without changing what the YAML anchor, "
            f"alias or merge key there ({shown}) shares between codes; make the change in a text editor"
        )


def _shape(book: Codebook) -> tuple[Fields, Children]:
    fields = {
        code.id: tuple(getattr(code, "own_colour" if key == "colour" else key) for key in FIELDS) for code in book.codes
    }
    children = {parent: [code.id for code in book.children(parent)] for parent in (None, *fields)}
    return fields, {key: value for key, value in children.items() if value}


def _differs(current: tuple[object, ...], key: str, value: Value) -> bool:
    """Return True when writing the value would change the field (or the value is not valid, to be refused)."""
    try:
        return _expected(current, {key: value}) != current
    except CodebookError:
        return True


def _filled(value: Value) -> bool:
    return bool(value.strip() if isinstance(value, str) else value)


def _header(book: Codebook) -> tuple[str, str, str]:
    return book.id, book.name, book.description


def _expected(old: tuple[object, ...], changes: dict[str, Value]) -> tuple[object, ...]:
    """Return a code's fields as the model will hold them once the changes are written."""
    values = dict(zip(FIELDS, old or ("", "", "", "", "", (), None), strict=True))
    for key, value in changes.items():
        if key == "keywords":
            values[key] = tuple(word.strip() for word in value)
        elif key == "colour":
            values[key] = normalise_colour(str(value)) if str(value).strip() else None
        else:
            values[key] = str(value).strip()
    return tuple(values[key] for key in FIELDS)
