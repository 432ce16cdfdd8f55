"""Codebooks as REFI-QDA .qdc files (Codebook.xsd): the code tree with colours and descriptions.

Also the code tree that a .qdpx export puts in its CodeBook. Every code is codable (a coding may point at a theme).
A code's description holds its definition, inclusion, exclusion and example as labelled paragraphs
("Definition: ...", a blank line, "Inclusion: ..."); each exported codebook is a Set of its codes, which keeps its
name and description (a CodeBook has neither).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from workbench.codebook import Code, Codebook
from workbench.errors import WorkbenchError
from workbench.project import Project
from workbench.refi.guids import CODE, CODEBOOK, Key, project_guids
from workbench.refi.xml import (
    CODEBOOK_NS,
    CODEBOOK_SCHEMA,
    ORIGIN,
    check_writable,
    refi_colour,
    require_valid,
    sub,
    to_bytes,
    write_atomically,
)

DESCRIPTION_LABELS = (("Definition", "definition"), ("Inclusion", "inclusion"), ("Exclusion", "exclusion"),
                      ("Example", "example"))  # fmt: skip
"""The paragraphs of a code's Description: (label, Code field), in this order."""


@dataclass(frozen=True)
class CodebookExport:
    """What a .qdc export wrote: the file, the codebooks in it and how many codes."""

    path: Path
    codebooks: list[str]
    codes: int


def export_qdc(project: Project, codebook_id: str | None, out_path: str | Path) -> CodebookExport:
    """Write one of the project's codebooks (all of them when ``codebook_id`` is None) as a validated .qdc file."""
    path = Path(out_path)
    check_writable(path, "codebook", ".qdc")
    chosen = _chosen(project, codebook_id)
    guids = project_guids(project, codebook_keys(chosen))
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS})
    root.set("origin", ORIGIN)
    codes = sub(root, CODEBOOK_NS, "Codes")
    for codebook in chosen:
        add_codes(codes, CODEBOOK_NS, codebook, guids)
    add_codebook_sets(root, CODEBOOK_NS, chosen, guids, member_attribute="guid")
    require_valid(root, CODEBOOK_SCHEMA, "codebook")
    write_atomically(path, to_bytes(root), "codebook")
    return CodebookExport(path, [codebook.id for codebook in chosen], sum(len(codebook.codes) for codebook in chosen))


def codebook_keys(codebooks: Sequence[Codebook]) -> list[Key]:
    """The GUID keys a code tree needs: every code, and every codebook (its Set)."""
    return [
        *((CODE, code.id) for codebook in codebooks for code in codebook.codes),
        *((CODEBOOK, codebook.id) for codebook in codebooks),
    ]


def code_description(code: Code) -> str | None:
    """A code's definition, inclusion, exclusion and example as labelled paragraphs, or None when it has none."""
    paragraphs = [f"{label}: {text}" for label, field in DESCRIPTION_LABELS if (text := getattr(code, field).strip())]
    return "\n\n".join(paragraphs) or None


def add_codes(
    parent: etree._Element,
    namespace: str,
    codebook: Codebook,
    guids: Mapping[Key, str],
    *,
    under: str | None = None,
    notes: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """Add the codes below ``under`` (the themes when None) as nested Code elements, each followed by its sub-codes.

    ``notes`` gives the GUIDs of the Notes on a code (a .qdpx only: a .qdc code has no NoteRef).
    """
    for code in codebook.children(under):
        element = sub(
            parent,
            namespace,
            "Code",
            guid=guids[(CODE, code.id)],
            name=code.name,
            isCodable="true",
            color=refi_colour(code.colour),
        )
        description = code_description(code)
        if description is not None:
            sub(element, namespace, "Description", description)
        for note in (notes or {}).get(code.id, ()):
            sub(element, namespace, "NoteRef", targetGUID=note)
        add_codes(element, namespace, codebook, guids, under=code.id, notes=notes)


def add_codebook_sets(
    parent: etree._Element,
    namespace: str,
    codebooks: Sequence[Codebook],
    guids: Mapping[Key, str],
    *,
    member_attribute: str,
) -> None:
    """Add one Set per codebook, named after it, holding all its codes.

    A .qdc names a member by ``guid``, a .qdpx by ``targetGUID`` (NOTES.md §3).
    """
    sets = sub(parent, namespace, "Sets")
    for codebook in codebooks:
        element = sub(sets, namespace, "Set", guid=guids[(CODEBOOK, codebook.id)], name=codebook.name)
        if codebook.description.strip():
            sub(element, namespace, "Description", codebook.description.strip())
        for code in codebook.codes:
            sub(element, namespace, "MemberCode", **{member_attribute: guids[(CODE, code.id)]})


def _chosen(project: Project, codebook_id: str | None) -> list[Codebook]:
    loaded = [item.codebook for item in project.codebooks.loaded()]
    if not loaded:
        raise WorkbenchError("the project has no codebook to export; load one with `workbench codebook load DIR FILE`")
    if codebook_id is None:
        return loaded
    chosen = [codebook for codebook in loaded if codebook.id == codebook_id]
    if not chosen:
        known = ", ".join(codebook.id for codebook in loaded)
        raise WorkbenchError(f"there is no codebook {codebook_id!r} in this project; its codebooks are: {known}")
    return chosen
