"""Edits of a codebook text, each made from one reading of the text as a set of line splices.

A code goes where the tree puts it: after the last sub-code of its parent (or before a given one) in whichever list
that sub-code sits. When that is the themes list, the entry names its parent with parent:; anywhere else it is
nested, and any parent: field it had is dropped.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedSeq

from workbench.codebook.layout import Layout, Place
from workbench.codebook.model import Code, Codebook
from workbench.codebook.parse import new_yaml, parse_codebook
from workbench.codebook.render import Overlap, Splice, Value, render_entry
from workbench.errors import CodebookEditError


def check_move(book: Codebook, code_id: str, parent: str | None, before: str | None) -> None:
    """Raise CodebookEditError unless the code can become a sub-code of parent (before `before`, when given)."""
    known(book, code_id)
    if parent is not None:
        known(book, parent)
        if parent == code_id or parent in {below.id for below in book.descendants(code_id)}:
            raise CodebookEditError(f'cannot move the code "{code_id}" under itself or one of its own sub-codes')
    if before is not None and (before == code_id or before not in {code.id for code in book.children(parent)}):
        under = f'sub-code of "{parent}"' if parent else "theme"
        raise CodebookEditError(f'cannot move the code "{code_id}" before "{before}", which is not another {under}')


def move_entry(text: str, path: Path, code_id: str, parent: str | None, before: str | None) -> str:
    """Return the text with a code's entry, sub-codes and comments moved under parent, last or before `before`."""
    book = parse_codebook(text, path)
    check_move(book, code_id, parent, before)
    code = book.code(code_id)
    others = [sibling for sibling in book.children(parent) if sibling.id != code_id]
    following = book.code(before) if before else None
    at = others.index(following) if following else len(others)
    preceding = others[at - 1] if at else None
    if code.parent == parent and book.children(parent) == [*others[:at], code, *others[at:]]:
        return text
    layout = Layout(text, path)
    in_order = (preceding is None or preceding.line < code.line) and (following is None or code.line < following.line)
    if "parent" in layout.starts(layout.entries[code_id]) and in_order:
        # A flat entry already sits in the right place among its new siblings: only its parent: changes.
        return layout.apply(layout.field(code_id, "parent", parent))
    return move_entries(layout, book, [code_id], parent, before)


def move_entries(layout: Layout, book: Codebook, code_ids: list[str], parent: str | None, before: str | None) -> str:
    """Return the text with entries moved, in the order given, to the end of parent's sub-codes or before `before`."""
    place = _place(book, layout, code_ids, parent, before)
    return layout.apply([*_remove(layout, code_ids, place), *_put(layout, code_ids, parent, place)])


def merge_entries(text: str, path: Path, source_id: str, target_id: str, keywords: list[str] | None) -> str:
    """Return the text with a code's sub-codes moved to the end of another's, its keywords given, and it removed."""
    book, layout = parse_codebook(text, path), Layout(text, path)
    children = [code.id for code in book.children(source_id)]
    # The source may still be the anchor: when it is the target's last sub-code, its sub-codes go right after it.
    place = _place(book, layout, children, target_id, None)
    splices = layout.field(target_id, "keywords", keywords) if keywords is not None else []
    splices += _remove(layout, [*children, source_id], place)
    return layout.apply([*splices, *_put(layout, children, target_id, place)])


def nest_flat(text: str, path: Path, code_id: str) -> str:
    """Return the text with the sub-codes of a code written under themes with parent: nested under their parents.

    A code's sub-codes come in file order, so when a code moves, those of its sub-codes listed apart from it could
    change places with those nested in it; nesting them first keeps their order.
    """
    for code in parse_codebook(text, path).descendants(code_id):
        layout = Layout(text, path)
        entry = layout.entries[code.id]
        if entry.owner is not None:
            continue
        nested = layout.lists.get(code.parent, [])
        above = len([sibling for sibling in nested if sibling.dash < entry.dash])
        place: Place = ("open", code.parent)
        if nested:
            place = ("before", nested[above].id) if above < len(nested) else ("after", nested[-1].id)
        text = layout.apply([*_remove(layout, [code.id], place), *_put(layout, [code.id], code.parent, place)])
    return text


def add_entry(text: str, path: Path, code_id: str, parent: str | None, fields: Sequence[tuple[str, Value]]) -> str:
    """Return the text with a new entry (its fields after id, empty ones left out) as the last sub-code of parent."""
    layout = Layout(text, path)
    place = _place(parse_codebook(text, path), layout, [], parent, None)
    named = [("parent", parent)] if parent and _is_flat(layout, place, parent) else []
    written = [
        (key, value) for key, value in fields if key == "name" or (value.strip() if isinstance(value, str) else value)
    ]
    return layout.apply(layout.put(place, [(render_entry([("id", code_id), *named, *written], 0), 0)]))


def update_entry(text: str, path: Path, code_id: str, changes: dict[str, Value | None]) -> str:
    """Return the text with fields of an entry written anew, or removed where the value is None."""
    layout = Layout(text, path)
    try:
        return layout.apply([item for key, value in changes.items() for item in layout.field(code_id, key, value)])
    except Overlap:
        # Two changes touch the same lines (a field removed from the "- " line): make them one at a time.
        for key, value in changes.items():
            layout = Layout(text, path)
            text = layout.apply(layout.field(code_id, key, value))
        return text


def delete_entry(text: str, path: Path, code_id: str) -> str:
    """Return the text without a code's entry and its comments."""
    layout = Layout(text, path)
    return layout.apply(_remove(layout, [code_id], None))


def known(book: Codebook, code_id: str) -> Code:
    """Return the code with this id; raise CodebookEditError when there is none."""
    try:
        return book.code(code_id)
    except KeyError:
        raise CodebookEditError(f'there is no code "{code_id}" in the codebook') from None


def _remove(layout: Layout, code_ids: list[str], place: Place | None) -> list[Splice]:
    """Return the splices that cut entries out, tidying each list they leave empty (unless others move into it)."""
    cut = Counter(layout.entries[code_id].owner for code_id in code_ids)
    receiving = None if place is None else _owner(layout, place)
    emptied = [
        owner for owner, count in cut.items()
        if count == len(layout.lists[owner]) and owner not in code_ids and (place is None or owner != receiving)
    ]  # fmt: skip
    return [*(layout.cut(code_id) for code_id in code_ids), *(layout.close(owner) for owner in emptied)]


def _put(layout: Layout, code_ids: list[str], parent: str | None, place: Place) -> list[Splice]:
    """Return the splices that put the entries' blocks at a place, naming their parent when they land in themes."""
    if not code_ids:
        return []
    named = parent if _is_flat(layout, place, parent) else None
    return layout.put(place, [(layout.block(code_id, named), layout.entries[code_id].col) for code_id in code_ids])


def _owner(layout: Layout, place: Place) -> str | None:
    """Return the code whose list a place is in (None for the themes list)."""
    kind, anchor = place
    return anchor if kind == "open" or anchor is None else layout.entries[anchor].owner


def _place(book: Codebook, layout: Layout, moving: list[str], parent: str | None, before: str | None) -> Place:
    """Return where codes go to become the last sub-codes of parent, or the ones just before `before`."""
    if before is not None:
        return ("before", before)
    if parent is None:
        listed = [entry.id for entry in layout.lists[None] if entry.id not in moving]
        return ("after", listed[-1]) if listed else ("open", None)
    others = [code.id for code in book.children(parent) if code.id not in moving]
    return ("after", others[-1]) if others else ("open", parent)


def _is_flat(layout: Layout, place: Place, parent: str | None) -> bool:
    """Return True when codes land in the themes list and so must name their parent."""
    kind, anchor = place
    return parent is not None and kind != "open" and anchor is not None and layout.entries[anchor].owner is None


def blockify(text: str, path: str | Path) -> str:
    """Return the text with code entries and lists written in flow style ({...}, [...]) turned to block style."""
    layout = Layout(text, path)
    if not layout.flow:
        return text
    document = new_yaml().load(text)  # its own copy: load_document() shares the documents it loads
    stack: list[Any] = [document["themes"]]
    while stack:
        node = stack.pop()
        node.fa.set_block_style()
        for entry in node:
            entry.fa.set_block_style()
            if isinstance(entry.get("codes"), CommentedSeq):
                stack.append(entry["codes"])
    yaml = new_yaml()
    yaml.indent(mapping=2, sequence=layout.offset + 2, offset=layout.offset)
    stream = io.StringIO()
    yaml.dump(document, stream)
    return stream.getvalue()
