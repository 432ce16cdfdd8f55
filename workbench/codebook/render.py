"""Line work for the editor: YAML lines for new fields and entries, re-indenting blocks, and splicing lines."""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from workbench.codebook.parse import new_yaml

# The value of a field as the editor writes it: text, or a list of keywords.
Value = str | Sequence[str]
# Replace lines [start, stop) of a text with these lines.
Splice = tuple[int, int, list[str]]


class Overlap(ValueError):
    """Two splices change the same lines."""


def render_field(key: str, value: Value, col: int) -> list[str]:
    """Return the YAML lines of one field at a column, quoted as YAML needs and never wrapped."""
    node: Any
    if not isinstance(value, str):
        node = CommentedSeq(value)
        node.fa.set_flow_style()
    elif key == "colour":
        node = DoubleQuotedScalarString(value)
    else:
        node = LiteralScalarString(value) if "\n" in value else value
    stream = io.StringIO()
    new_yaml().dump(CommentedMap([(key, node)]), stream)
    return [" " * col + line for line in stream.getvalue().rstrip("\n").split("\n")]


def render_entry(fields: Sequence[tuple[str, Value]], col: int) -> list[str]:
    """Return the YAML lines of a new list entry whose "- " sits at a column."""
    lines = [line for key, value in fields for line in render_field(key, value, col + 2)]
    lines[0] = " " * col + "- " + lines[0][col + 2 :]
    return lines


def reindent(lines: list[str], shift: int) -> list[str]:
    """Return lines moved right (or left, never past their own text) by a number of columns."""
    if shift >= 0:
        return [" " * shift + line if line.strip() else line for line in lines]
    return [line[min(-shift, indent(line)) :] for line in lines]


def indent(line: str) -> int:
    """Return the number of spaces a line starts with."""
    return len(line) - len(line.lstrip(" "))


def splice(lines: list[str], splices: list[Splice]) -> list[str]:
    """Return lines with each splice (start, stop, new lines) replacing lines[start:stop] of the original.

    Removals that overlap are merged, and a line put inside a removed range goes where the range was; any other
    overlap raises Overlap. Lines put at the same place keep the order given.
    """
    removals: list[list[int]] = []
    for start, stop, _ in sorted(item for item in splices if not item[2] and item[0] < item[1]):
        if removals and start <= removals[-1][1]:
            removals[-1][1] = max(removals[-1][1], stop)
        else:
            removals.append([start, stop])
    changes: list[Splice] = [(start, stop, []) for start, stop in removals]
    for start, stop, new in splices:
        if new or start == stop:
            inside = [first for first, last in removals if first < start < last]
            changes.append((inside[0], inside[0], new) if inside and start == stop else (start, stop, new))
    ordered = sorted(enumerate(changes), key=lambda item: (item[1][0], item[1][1], item[0]))
    for (_, before), (_, after) in itertools.pairwise(ordered):
        if before[1] > after[0]:
            raise Overlap(f"overlapping line edits at lines {before[0]}-{before[1]} and {after[0]}-{after[1]}")
    result = list(lines)
    for _, (start, stop, new) in reversed(ordered):
        result[start:stop] = new
    return result
