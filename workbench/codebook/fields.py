"""Checking the value of each field of a codebook entry, with the line and field named when it is wrong."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from workbench.errors import CodebookError

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
COLOUR_PATTERN = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
ID_RULE = 'use letters, digits, ".", "_" and "-", starting with a letter or digit'


def check_id(node: CommentedMap, label: str, path: str | Path) -> str:
    """Return the id of an entry; raise CodebookError when it is missing, a number or not a valid id."""
    value, line = node.get("id"), key_line(node, "id")
    if isinstance(value, dict | list):
        raise CodebookError(path, f"{label}: id must be text, not {kind(value)}", line=line, field="id")
    if value is not None and not isinstance(value, str):
        shown = printable(value)
        reason = f'the id {shown} is read as a number; put it in quotes (id: "...") so that it stays exactly as written'
        raise CodebookError(path, reason, line=line, field="id")
    if value is None or not value.strip():
        raise CodebookError(path, f"{label} has an empty id", line=line, field="id")
    if not ID_PATTERN.fullmatch(value):
        whose = "the codebook id" if label == "the codebook" else "the id"
        raise CodebookError(path, f'{whose} "{printable(value)}" is not a valid id ({ID_RULE})', line=line, field="id")
    return value


def required_text(node: CommentedMap, key: str, label: str, path: str | Path) -> str:
    """Return a text field that must be there and not be empty (a name)."""
    if key not in node:
        raise CodebookError(path, f"{label} has no {key} (add {key}: ...)", line=node_line(node), field=key)
    value = optional_text(node, key, label, path)
    if not value:
        raise CodebookError(path, f"{label} has an empty {key}", line=key_line(node, key), field=key)
    return value


def optional_text(node: CommentedMap, key: str, label: str, path: str | Path) -> str:
    """Return a text field, stripped, or "" when it is absent; numbers count as text, lists and mappings do not."""
    value = scalar_text(node.get(key))
    if value is None:
        reason = f"{label}: {key} must be text, not {kind(node[key])}"
        raise CodebookError(path, reason, line=key_line(node, key), field=key)
    return value.strip()


def check_keywords(node: CommentedMap, label: str, path: str | Path) -> tuple[str, ...]:
    """Return the keywords of an entry; raise CodebookError unless they are a list of words or phrases."""
    value = node.get("keywords")
    if value is None:
        return ()
    line = key_line(node, "keywords")
    if not isinstance(value, CommentedSeq):
        reason = f'{label}: keywords must be a list of words or phrases, e.g. [training, "too much too fast"]'
        raise CodebookError(path, reason, line=line, field="keywords")
    keywords: list[str] = []
    for index, item in enumerate(value):
        word = scalar_text(item)
        if not word or not word.strip():
            problem = "is empty" if word is not None else f"must be a word or phrase, not {kind(item)}"
            reason = f"{label}: keyword {index + 1} {problem}"
            raise CodebookError(path, reason, line=value.lc.item(index)[0] + 1, field="keywords")
        keywords.append(word.strip())
    return tuple(keywords)


def check_colour(node: CommentedMap, label: str, path: str | Path) -> str | None:
    """Return an entry's own colour as #rrggbb, or None when it has none."""
    if "colour" not in node:
        return None
    line = key_line(node, "colour")
    value = scalar_text(node["colour"])
    if not value:
        reason = f'{label}: colour is empty; write it in quotes, as colour: "#RRGGBB" (an unquoted # starts a comment)'
        raise CodebookError(path, reason, line=line, field="colour")
    return normalise_colour(value, f"{label}: ", path, line)


def normalise_colour(value: str, prefix: str = "", path: str | Path = "", line: int | None = None) -> str:
    """Return a colour as lower-case #rrggbb; raise CodebookError for anything but #RGB or #RRGGBB."""
    value = value.strip()
    if not COLOUR_PATTERN.fullmatch(value):
        reason = f'{prefix}colour "{printable(value)}" is not a colour (write it as #RRGGBB)'
        raise CodebookError(path, reason, line=line, field="colour")
    digits = value[1:].lower()
    return "#" + ("".join(digit * 2 for digit in digits) if len(digits) == 3 else digits)


def scalar_text(value: Any) -> str | None:
    """Return a scalar as text ("" for a missing value), or None for a list or mapping."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return None
    if isinstance(value, bool) or type(value).__name__ == "ScalarBoolean":
        return "true" if value else "false"
    return str(value)


def unknown_field(key: Any, label: str, allowed: tuple[str, ...]) -> str:
    """Return the message for a field name that is not allowed, with the nearest allowed name when one is close."""
    close = difflib.get_close_matches(str(key).lower(), allowed, n=1)
    guess = f'did you mean "{close[0]}"? ' if close else ""
    return f'{label}: unknown field "{printable(key)}" ({guess}the fields allowed are {", ".join(allowed)})'


def printable(value: Any) -> str:
    """Return a value from the file as text for a message, with line breaks and other unprintable characters escaped.

    A key or value may hold any character (YAML's "a\\nb" is a line break); messages must stay on one line.
    """
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in str(value))


def kind(value: Any) -> str:
    """Return what a YAML value is, in words ("a list", "empty", ...), for messages."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "empty" if value is None else "plain text" if isinstance(value, str) else f"the value {printable(value)}"


def key_line(node: CommentedMap, key: Any) -> int:
    """Return the 1-based line of a key of a mapping, or of the mapping when the key has no place of its own.

    Keys merged in with "<<: *anchor" and the keys of a !!omap have no recorded position.
    """
    positions = node.lc.data
    return int(positions[key][0]) + 1 if positions is not None and key in positions else node_line(node)


def node_line(node: Any) -> int:
    """Return the 1-based line where a mapping or list starts (1 for a plain value)."""
    return int(node.lc.line) + 1 if hasattr(node, "lc") and node.lc.line is not None else 1
