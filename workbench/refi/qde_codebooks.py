"""The CodeBook of a project.qde as codebook YAML: one codebook per Set of codes, or one named after the project.

The Sets become codebooks only when they split the code tree into whole themes, each code in exactly one Set (our
own export writes them so, one Set per codebook with its name and description); otherwise the whole tree is one
codebook and the Sets are reported as dropped. Code ids are unique across all the codebooks of one import.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

from workbench.refi.qdc_import import (
    CodeNode,
    ImportedCodebook,
    build_codebook,
    not_codable,
    producer_prefix,
    read_codes,
)
from workbench.refi.read_xml import attr, child_text, guid, kid, kids, slug


def read_codebooks(
    root: Element, *, name: str, origin: str, path: Path, warnings: list[str]
) -> tuple[list[ImportedCodebook], bool]:
    """Return the codebooks a project's CodeBook becomes, and whether its Sets of codes made them (not dropped then)."""
    codebook = kid(root, "CodeBook")
    if codebook is None:
        return [], False
    nodes = read_codes(codebook, warnings=warnings)
    if not nodes:
        return [], False
    prefix = producer_prefix(origin)
    header = f"Imported from {path.name}" + (f" ({origin})" if origin else "") + "."
    used: set[str] = set()
    groups = _codebook_sets(root, nodes)
    books: list[ImportedCodebook] = []
    taken_books: set[str] = set()
    for title, description, members in groups or [(name, "", nodes)]:
        book_id = base = slug(title) or "imported"
        number = 1
        while book_id in taken_books:
            number += 1
            book_id = f"{base}_{number}"
        taken_books.add(book_id)
        books.append(
            build_codebook(
                members,
                book_id=book_id,
                name=title,
                description=description or f"Imported from {path.name}.",
                prefix=prefix,
                used_ids=used,
                header=header,
                path=Path(f"{book_id}.yaml"),
            )
        )
    count = not_codable(codebook)
    if count:
        warnings.append(
            f"{count} code{'s were' if count != 1 else ' was'} marked not codable (category headings); the "
            "workbench lets any code be applied"
        )
    return books, bool(groups)


def _codebook_sets(root: Element, nodes: list[CodeNode]) -> list[tuple[str, str, list[CodeNode]]]:
    """Return (name, description, themes) per codebook when the Sets of codes split the tree into whole themes."""
    sets = [element for wrapper in kids(root, "Sets") for element in kids(wrapper, "Set")]
    code_sets = [s for s in sets if kids(s, "MemberCode") and not kids(s, "MemberSource")]
    if not code_sets:
        return []
    owner: dict[str, int] = {}
    for number, element in enumerate(code_sets):
        for member in kids(element, "MemberCode"):
            key = guid(attr(member, "targetGUID") or attr(member, "guid"))
            if key in owner:
                return []
            owner[key] = number
    groups: list[list[CodeNode]] = [[] for _ in code_sets]
    for node in nodes:
        found = {owner.get(code.guid) for code in node.tree()}
        index = found.pop() if len(found) == 1 else None
        if index is None:
            return []  # a theme split over two sets, or partly in none: the sets are not codebooks
        groups[index].append(node)
    if any(not group for group in groups) or len(owner) != sum(len(list(n.tree())) for n in nodes):
        return []
    return [
        (attr(element, "name") or f"Codebook {number + 1}", child_text(element, "Description"), group)
        for number, (element, group) in enumerate(zip(code_sets, groups, strict=True))
    ]
