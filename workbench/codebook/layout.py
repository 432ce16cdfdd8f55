"""Where each code entry lies in the codebook text, and line edits that keep everything around it byte for byte.

An entry's block runs from the comment lines directly above its "- " to the comment lines after it that are
indented deeper than its "- "; a comment at or left of the "- " column belongs to whatever comes next. Moving or
deleting an entry moves or deletes its block, so its own comments go with it and its neighbours' stay put.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from workbench.codebook.parse import CODE_FIELDS, load_document
from workbench.codebook.render import Splice, Value, indent, reindent, render_field, splice
from workbench.errors import CodebookEditError

# Where entries go: ("before" | "after", the id of an entry), or ("open", the code whose empty list they start;
# None for the themes list).
Place = tuple[str, str | None]
# A list key's line with an empty value: "themes:", "codes: []", "codes: ~  # none yet".
# A merge key: "<<: *defaults" (or "- <<: *defaults" opening an entry).
_MERGE_KEY = re.compile(r"^\s*(?:-\s+)?<<\s*:")
_EMPTY_LIST = re.compile(r"^(?P<key>\s*(?:-\s+)?[\w.-]+:)(?:\s*(?:\[\s*\]|~|null))?(?P<comment>\s+#.*)?\s*$")


@dataclass(frozen=True)
class Entry:
    """One code entry's place in the text (0-based lines, inclusive)."""

    id: str
    node: CommentedMap
    owner: str | None  # the code whose codes: list holds it; None for the themes list
    index: int  # its place in that list
    dash: int  # the line of its "- "
    col: int  # the column of its "-"
    key_col: int  # the column of its fields
    end: int  # the last line of its content, sub-codes included
    lead: int  # the first line of its block
    tail: int  # the last line of its block


class Layout:
    """The lines of a codebook text with the place of every entry, its list, and each of its fields."""

    def __init__(self, text: str, path: str | Path) -> None:
        self.path = Path(path)
        self.lines = text.split("\n")
        self.document: Any = load_document(text, path)
        self.entries: dict[str, Entry] = {}
        self.lists: dict[str | None, list[Entry]] = {None: []}
        self.flow = False  # an entry or list in flow style ({...} or [...]): see blockify()
        self.offset = 2  # columns from a list's key to its "- ", as the file writes it
        themes = self.document.get("themes") if isinstance(self.document, CommentedMap) else None
        if isinstance(themes, CommentedSeq):
            self._walk(themes, None, self.document.lc.key("themes"))

    def _walk(self, seq: CommentedSeq, owner: str | None, key: tuple[int, int]) -> None:
        self.flow = self.flow or (bool(seq.fa.flow_style()) and len(seq) > 0)
        entries = self.lists.setdefault(owner, [])
        for index, node in enumerate(seq):
            if self.flow or bool(node.fa.flow_style()):
                self.flow = True
                return
            dash, col = self._dash(node.lc.line, node.lc.col)
            if owner is None and index == 0:
                self.offset = col - key[1]
            end = self._end(dash, col)
            floor = entries[-1].tail + 1 if entries else key[0] + 1
            entry = Entry(str(node["id"]), node, owner, index, dash, col, node.lc.col, end, self._lead(dash, floor),
                          self._tail(end, col))  # fmt: skip
            entries.append(entry)
            self.entries[entry.id] = entry
            # Only a list written in the entry itself: one taken in with <<: *anchor lies elsewhere in the file.
            codes = node.get("codes") if "codes" in (node.lc.data or {}) else None
            if isinstance(codes, CommentedSeq):
                self._walk(codes, entry.id, node.lc.key("codes"))

    def _dash(self, line: int, col: int) -> tuple[int, int]:
        before = self.lines[line][:col].rstrip()
        if before.endswith("-") and not before[:-1].strip():
            return line, len(before) - 1
        for above in range(line - 1, -1, -1):
            text = self.lines[above].strip()
            if text == "-" or text.startswith("- #"):
                return above, indent(self.lines[above])
            if text and not text.startswith("#"):
                break
        raise CodebookEditError(f"line {line + 1} of the codebook is laid out in a way the editor cannot follow")

    def _end(self, dash: int, col: int) -> int:
        end = dash
        for number in range(dash + 1, len(self.lines)):
            text = self.lines[number]
            if _is_content(text):
                if indent(text) <= col:
                    break
                end = number
        return end

    def _tail(self, end: int, col: int) -> int:
        tail = end
        for number in range(end + 1, len(self.lines)):
            text = self.lines[number]
            if _is_content(text) or (text.strip() and indent(text) <= col):
                break
            if text.strip():
                tail = number
        return tail

    def _lead(self, dash: int, floor: int) -> int:
        lead = dash
        while lead - 1 >= floor and self.lines[lead - 1].lstrip().startswith("#"):
            lead -= 1
        return lead

    def spaced(self, owner: str | None) -> bool:
        """Return True when the entries of this list are separated by blank lines."""
        return any(not self.lines[entry.lead - 1].strip() for entry in self.lists.get(owner, [])[1:])

    def starts(self, entry: Entry) -> dict[str, int]:
        """Return the line of each field written in the entry itself: not those it takes in with <<: *anchor."""
        return {str(key): int(line[0]) for key, line in (entry.node.lc.data or {}).items()}

    def merges(self, entry: Entry) -> list[int]:
        """Return the lines of the entry's own merge keys (<<: *anchor)."""
        found = []
        for number in range(entry.dash, entry.end + 1):
            line = self.lines[number]
            if _MERGE_KEY.match(line) and line.find("<<") == entry.key_col:
                found.append(number)
        return found

    def span(self, entry: Entry, key: str) -> tuple[int, int]:
        """Return the lines [start, stop) of one field of an entry, without the comment lines after it."""
        starts = self.starts(entry)
        start = starts[key]
        later = [line for line in [*starts.values(), *self.merges(entry)] if line > start]
        stop = min(later) if later else entry.end + 1
        while stop - 1 > start and not _is_content(self.lines[stop - 1]):
            stop -= 1
        return start, stop

    def field(self, code_id: str, key: str, value: Value | None) -> list[Splice]:
        """Return the splices that write one field of an entry anew, add it in its place, or remove it (None)."""
        entry = self.entries[code_id]
        node, lines = entry.node, self.lines
        prefix = lines[entry.dash][: entry.key_col]
        starts = self.starts(entry)
        if key not in starts:
            at = self._new_field_line(entry, key)
            return [] if value is None else [(at, at, render_field(key, value, entry.key_col))]
        start, stop = self.span(entry, key)
        if value is not None:
            new = render_field(key, value, entry.key_col)
            if start == entry.dash:
                new[0] = prefix + new[0][entry.key_col :]
            if stop - start == 1 and len(new) == 1:
                new[0] += _end_comment(lines[start], node, key, start)
            return [(start, stop, new)]
        if start != entry.dash:
            return [(start, stop, [])]
        # The field opened the entry: the next field moves up onto the "- " line, above any comments before it.
        later = min(line for line in [*starts.values(), *self.merges(entry)] if line > start)
        return [(start, later + 1, [prefix + lines[later][entry.key_col :], *lines[stop:later]])]

    def _new_field_line(self, entry: Entry, key: str) -> int:
        """Return where a field the entry lacks goes: before the fields that follow it in the usual order."""
        line = self.starts(entry)
        later = [line[other] for other in CODE_FIELDS[CODE_FIELDS.index(key) + 1 :] if other in line]
        above = [other for other in line if line[other] < min((at for at in later if at != entry.dash), default=-1)]
        if above:
            # Right after the field above the next one, so that comments written over the next field stay over it.
            return self.span(entry, max(above, key=line.__getitem__))[1]
        earlier = [other for other in CODE_FIELDS[: CODE_FIELDS.index(key)] if other in line]
        return self.span(entry, earlier[-1])[1] if earlier and key != "codes" else entry.end + 1

    def block(self, code_id: str, parent: str | None) -> list[str]:
        """Return the lines of an entry's block, with its parent: field set to parent (or removed when None)."""
        entry = self.entries[code_id]
        lines = splice(self.lines, self.field(code_id, "parent", parent))
        return lines[entry.lead : entry.tail + 1 + len(lines) - len(self.lines)]

    def cut(self, code_id: str) -> Splice:
        """Return the splice that removes an entry's block, with the blank lines that set it apart."""
        entry, lines = self.entries[code_id], self.lines
        start, stop = entry.lead, entry.tail + 1
        blank_before = start > 0 and not lines[start - 1].strip()
        while start > 0 and not lines[start - 1].strip():
            start -= 1
        if not blank_before and entry.index < len(self.lists[entry.owner]) - 1:
            while stop < len(lines) and not lines[stop].strip():
                stop += 1
        return (start, stop, [])

    def close(self, owner: str | None) -> Splice:
        """Return the splice that tidies a list whose entries are all cut: themes: [], or no codes: at all."""
        if owner is None:
            line = int(self.document.lc.key("themes")[0])
            return (line, line + 1, [self._empty_key(line, " []")])
        entry = self.entries[owner]
        if "codes" not in self.starts(entry):
            raise CodebookEditError(f'the codes of "{owner}" come from a YAML anchor (<<: *...); edit them by hand')
        line = self.starts(entry)["codes"]
        if line == entry.dash:
            raise CodebookEditError(f'the codes: of "{owner}" opens its entry; move it below id: and name: first')
        return (line, line + 1, [])

    def put(self, place: Place, blocks: list[tuple[list[str], int]]) -> list[Splice]:
        """Return the splices that put entry blocks (each with the column of its "- ") at a place, re-indented."""
        kind, anchor = place
        if kind != "open":
            assert anchor is not None
            entry = self.entries[anchor]
            gap = [""] if self.spaced(entry.owner) else []
            new = [line for block, col in blocks for line in [*gap, *reindent(block, entry.col - col)]]
            at = entry.lead if kind == "before" else entry.tail + 1
            return [(at, at, new[len(gap) :] + gap if kind == "before" else new)]
        if anchor is None:
            key_line, key_col = (int(number) for number in self.document.lc.key("themes"))
            new = [line for block, col in blocks for line in reindent(block, key_col + self.offset - col)]
            return [(key_line, key_line + 1, [self._empty_key(key_line, ""), *new])]
        entry = self.entries[anchor]
        new = [line for block, col in blocks for line in reindent(block, entry.key_col + self.offset - col)]
        header = " " * entry.key_col + "codes:"
        if "codes" in self.starts(entry):  # an empty list: codes: [] or codes: with nothing after it
            start, stop = self.span(entry, "codes")
            return [(start, stop, [self._empty_key(start, ""), *new])]
        return [(entry.end + 1, entry.end + 1, [header, *new])]

    def apply(self, splices: list[Splice]) -> str:
        """Return the text with the splices made (see splice())."""
        return "\n".join(splice(self.lines, splices))

    def _empty_key(self, line: int, value: str) -> str:
        found = _EMPTY_LIST.match(self.lines[line])
        if found is None:
            raise CodebookEditError(f"line {line + 1} of the codebook is laid out in a way the editor cannot follow")
        text = found["key"] + value
        if found["comment"]:
            # The comment keeps its column, so that it stays lined up with the comments around it.
            gap = len(found["comment"]) - len(found["comment"].lstrip())
            text += " " * max(min(gap, 2), found.start("comment") + gap - len(text)) + found["comment"].lstrip()
        return text


def _end_comment(line: str, node: CommentedMap, key: str, number: int) -> str:
    """Return the end-of-line comment of a one-line field with the spaces before it, or ""."""
    slots = node.ca.items.get(key) or []
    token = slots[2] if len(slots) > 2 else None
    mark = getattr(token, "start_mark", None)
    if token is None or mark is None or mark.line != number or not token.value.startswith("#"):
        return ""
    return line[len(line[: mark.column].rstrip()) :]


def _is_content(line: str) -> bool:
    text = line.strip()
    return bool(text) and not text.startswith("#")
