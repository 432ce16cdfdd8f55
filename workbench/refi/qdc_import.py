"""REFI-QDA codebooks from other tools (a .qdc file, or the CodeBook of a .qdpx) as codebook YAML in our format.

Lenient on purpose (NOTES.md §4): any namespace, a BOM, Taguette's empty ``<Sets/>``, colours in any usual spelling
(unreadable ones are dropped with a warning), codes marked not codable. Each code gets a readable id made from its
name (``nvivo.perceived_severity``), unique in the codebook; the GUID -> id map is kept so that a .qdpx import can
point codings and memos at the new ids. A Description becomes the definition, or is split into definition,
inclusion, exclusion, example and keywords when it is written as labelled paragraphs ("Inclusion: ..."), which is
how our own export writes them. The YAML is checked with ``parse_codebook`` before it is handed back.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from workbench.codebook import parse_codebook
from workbench.codebook.fields import ID_PATTERN, ID_RULE
from workbench.codebook.parse import new_yaml
from workbench.errors import ExchangeFileError, WorkbenchError
from workbench.refi.read_xml import (
    attr,
    child_text,
    colour,
    guid,
    kids,
    local_name,
    parse_xml,
    slug,
)
from workbench.refi.xml import write_atomically
from workbench.userfiles import read_user_file

MAX_QDC_BYTES = 50 * 2**20
_LABELLED = re.compile(
    r"^(definition|inclusion|exclusion|examples?|keywords)[ \t]*:[ \t]*", re.IGNORECASE | re.MULTILINE
)
# Control characters (C0 and C1) that YAML does not allow in a file, or that mean nothing in a code's text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f]")
_PRODUCERS = (
    ("nvivo", "nvivo"), ("maxqda", "maxqda"), ("atlas.ti", "atlasti"), ("qualcoder", "qualcoder"),
    ("taguette", "taguette"), ("quirkos", "quirkos"), ("dedoose", "dedoose"), ("workbench", "workbench"),
)  # fmt: skip


@dataclass
class CodeNode:
    """One Code element as found: its GUID, name, colour, description, Notes referred to and sub-codes."""

    guid: str
    name: str
    colour: str | None
    description: str
    notes: list[str] = field(default_factory=list)
    children: list[CodeNode] = field(default_factory=list)

    def tree(self) -> Iterable[CodeNode]:
        """This code and every code below it, in pre-order."""
        yield self
        for child in self.children:
            yield from child.tree()


@dataclass
class ImportedCodebook:
    """A codebook converted to our YAML: its id, name and text, and what became of the other tool's codes."""

    id: str
    name: str
    yaml: str
    codes: dict[str, str]
    """The other tool's code GUID (upper case, no braces) -> our code id."""
    note_refs: list[tuple[str, str]] = field(default_factory=list)
    """(code id, Note GUID) for each NoteRef on a code: code memos, once the codebook is in a project."""
    dropped: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    @property
    def code_count(self) -> int:
        return len(self.codes)


def producer_prefix(origin: str) -> str:
    """Return the id prefix for codes made by a tool: "NVivo for Windows 12.6" gives "nvivo", unknown ones "refi"."""
    folded = origin.casefold()
    for marker, prefix in _PRODUCERS:
        if marker in folded:
            return prefix
    return "refi"


def read_codes(parent: Element, *, warnings: list[str], seen: set[str] | None = None) -> list[CodeNode]:
    """Return the code tree below a Codes element (or a Code), lenient about names, colours and GUIDs."""
    seen = set() if seen is None else seen
    nodes: list[CodeNode] = []
    elements = kids(parent, "Code") + [code for wrapper in kids(parent, "Codes") for code in kids(wrapper, "Code")]
    for element in elements:
        code_guid = guid(attr(element, "guid"))
        name = " ".join(_clean(attr(element, "name")).split())
        if not name:
            name = f"Unnamed code {len(seen) + 1}"
            warnings.append(f"a code had no name; it is called {name!r}")
        raw_colour = attr(element, "color") or attr(element, "colour")
        code_colour = colour(raw_colour) if raw_colour else None
        if raw_colour and code_colour is None:
            warnings.append(f"code {name!r}: colour {raw_colour!r} is not a colour the workbench can read; dropped")
        if code_guid and code_guid in seen:
            warnings.append(f"code {name!r} repeats the GUID {code_guid} of an earlier code; codings go to the first")
        if code_guid:
            seen.add(code_guid)
        node = CodeNode(
            guid=code_guid,
            name=name,
            colour=code_colour,
            description=_clean(child_text(element, "Description")),
            notes=[guid(attr(ref, "targetGUID")) for ref in kids(element, "NoteRef") if attr(ref, "targetGUID")],
        )
        node.children = read_codes(element, warnings=warnings, seen=seen)
        nodes.append(node)
    return nodes


def not_codable(parent: Element) -> int:
    """Count the codes marked ``isCodable="false"`` (QualCoder's category nodes) below an element."""
    return sum(
        1
        for element in parent.iter()
        if isinstance(element.tag, str) and local_name(element.tag) == "Code"
        and attr(element, "isCodable").lower() == "false"
    )  # fmt: skip


def build_codebook(
    nodes: Sequence[CodeNode],
    *,
    book_id: str,
    name: str,
    description: str,
    prefix: str,
    used_ids: set[str],
    header: str,
    path: str | Path,
) -> ImportedCodebook:
    """Return the codebook YAML for a code tree, every id new and unique among ``used_ids`` (which it extends)."""
    # The name, description and header come from the other tool's file (its origin, a Set's name, the file's name):
    # control characters there would make YAML that does not read back, and a line break would end the header.
    name = " ".join(_clean(name).split()) or book_id
    description = _clean(description)
    header = " ".join(_clean(header).split())
    codes: dict[str, str] = {}
    note_refs: list[tuple[str, str]] = []

    def entry(node: CodeNode) -> CommentedMap:
        code_id = _unique_id(prefix, node.name, used_ids)
        if node.guid and node.guid not in codes:
            codes[node.guid] = code_id
        note_refs.extend((code_id, note) for note in node.notes)
        item = CommentedMap()
        item["id"] = code_id
        item["name"] = node.name
        for key, value in split_description(node.description).items():
            item[key] = CommentedSeq(value) if isinstance(value, list) else _block(value)
        if node.colour:
            item["colour"] = node.colour
        if node.children:
            item["codes"] = CommentedSeq(entry(child) for child in node.children)
        return item

    document = CommentedMap()
    document["id"] = book_id
    document["name"] = name
    if description:
        document["description"] = _block(description)
    document["themes"] = CommentedSeq(entry(node) for node in nodes)
    document.yaml_set_start_comment(header)
    yaml = new_yaml()
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    yaml.dump(document, stream)
    text = stream.getvalue()
    parse_codebook(text, path)  # a failure here is a bug in this converter, not in the user's file
    return ImportedCodebook(id=book_id, name=name, yaml=text, codes=codes, note_refs=note_refs)


def split_description(text: str) -> dict[str, str | list[str]]:
    """Return the fields a Description holds: all of it as the definition, or its labelled paragraphs.

    "Definition: ...", "Inclusion: ...", "Exclusion: ...", "Example: ..." and "Keywords: a, b" at the start of a line
    each open a field; text before the first label belongs to the definition.
    """
    text = text.strip()
    if not text:
        return {}
    found = list(_LABELLED.finditer(text))
    if not found:
        return {"definition": text}
    parts: dict[str, str] = {}
    head = text[: found[0].start()].strip()
    if head:
        parts["definition"] = head
    for number, match in enumerate(found):
        label = match.group(1).lower().rstrip("s") if match.group(1).lower() != "keywords" else "keywords"
        end = found[number + 1].start() if number + 1 < len(found) else len(text)
        body = text[match.end() : end].strip()
        if body:
            parts[label] = f"{parts[label]}\n\n{body}" if label in parts else body
    fields: dict[str, str | list[str]] = {key: value for key, value in parts.items() if key != "keywords"}
    if "keywords" in parts:
        words = [word.strip().strip("\"'") for word in re.split(r"[,;\n]", parts["keywords"])]
        fields["keywords"] = [word for word in words if word]
    return fields


def read_qdc(
    data: bytes,
    path: str | Path,
    *,
    book_id: str | None = None,
    name: str | None = None,
    prefix: str | None = None,
) -> ImportedCodebook:
    """Return the codebook a .qdc file holds, as our YAML; raise ExchangeFileError when it is not a codebook."""
    path = Path(path)
    if data.startswith(b"PK\x03\x04"):
        raise ExchangeFileError(
            path, "is a zip archive (a .qdpx project?), not a .qdc codebook; import it with `workbench import-qdpx`"
        )
    root = parse_xml(data, path, what="the codebook")
    kind = local_name(root.tag)
    codebook = root if kind == "CodeBook" else next(iter(kids(root, "CodeBook")), None)
    if codebook is None:
        raise ExchangeFileError(
            path, f"is not a REFI-QDA codebook: its top element is <{kind}>, where a .qdc has <CodeBook>"
        )
    origin = attr(root, "origin")
    warnings: list[str] = []
    nodes = read_codes(codebook, warnings=warnings)
    sets = [element for wrapper in kids(root, "Sets") for element in kids(wrapper, "Set")]
    description = ""
    dropped: Counter[str] = Counter()
    everything = {node.guid for top in nodes for node in top.tree()}
    members = {guid(attr(m, "guid") or attr(m, "targetGUID")) for s in sets[:1] for m in kids(s, "MemberCode")}
    if len(sets) == 1 and members == everything:
        # Our own export writes a one-codebook .qdc with a Set of all its codes holding its name and description.
        name = name or attr(sets[0], "name") or None
        description = child_text(sets[0], "Description")
    elif sets:
        dropped["sets of codes (the workbench has no code sets)"] += sum(1 for s in sets if kids(s, "MemberCode"))
    name = name or path.stem
    book_id = book_id or slug(name) or "imported"
    imported = build_codebook(
        nodes,
        book_id=book_id,
        name=name,
        description=description,
        prefix=prefix or producer_prefix(origin),
        used_ids=set(),
        header=f"Imported from {path.name}" + (f" ({origin})" if origin else "") + ".",
        path=Path(f"{book_id}.yaml"),
    )
    imported.warnings = warnings + _codable_warning(not_codable(codebook), origin)
    imported.dropped = dropped
    return imported


def import_qdc(
    source: str | Path, target: str | Path, *, force: bool = False, prefix: str | None = None
) -> ImportedCodebook:
    """Convert a .qdc file to a codebook YAML file at ``target`` (refused if it exists, unless ``force``)."""
    source, target = Path(source), Path(target)
    if prefix is not None and not ID_PATTERN.fullmatch(prefix):
        raise WorkbenchError(f"the prefix {prefix!r} is not a valid id ({ID_RULE})")
    if target.suffix.lower() not in (".yaml", ".yml"):
        raise WorkbenchError(f"{target.name}: a codebook is written as YAML; give a file name ending in .yaml")
    if target.exists() and not force:
        raise WorkbenchError(f"{target} already exists; choose another file name, or add --force to replace it")
    data = read_user_file(source, ExchangeFileError, "a .qdc codebook", MAX_QDC_BYTES)
    stem = slug(target.stem)
    imported = read_qdc(data, source, book_id=stem or None, prefix=prefix)
    if not target.parent.is_dir():
        raise WorkbenchError(
            f"{target.parent} is not a folder; create it first, or give another place for {target.name}"
        )
    write_atomically(target, imported.yaml.encode("utf-8"), "codebook")
    return imported


def _codable_warning(count: int, origin: str) -> list[str]:
    if not count:
        return []
    where = f" in {origin}" if origin else ""
    return [
        f"{count} code{'s were' if count != 1 else ' was'} marked not codable{where} (a category heading); the "
        "workbench lets any code be applied, so code only below them"
    ]


def _unique_id(prefix: str, name: str, used: set[str]) -> str:
    base = f"{prefix}.{slug(name) or 'code'}"
    candidate, number = base, 1
    while candidate in used:
        number += 1
        candidate = f"{base}_{number}"
    used.add(candidate)
    return candidate


def _clean(text: str) -> str:
    """Text fit for a YAML codebook: no control characters, no trailing spaces, at most one blank line in a row."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x85", "\n").replace("\u2028", "\n")
    text = _CONTROL.sub("", text.replace("\u2029", "\n\n").replace("\t", " "))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _block(text: str) -> str:
    return LiteralScalarString(text) if "\n" in text else text
