"""A project as a REFI-QDA .qdpx file: project.qde (checked against Project-mrt2019.xsd) and sources/<GUID>.txt.

Only signed-off transcripts go out, after a fresh residual scan (``Project.export_documents``); nothing is read from
the key store. What goes where:

- coders (with "Agreed", if the lead reconciled) and memo authors -> Users
- the codebooks -> one CodeBook of nested, codable Codes with colours and descriptions, and a Set per codebook
- "role" and the participant attributes -> Text Variables; participants -> Cases with their values and a SourceRef
  to each exported transcript
- each transcript -> a TextSource whose text is sources/<its GUID>.txt (UTF-8, LF, no BOM)
- each coding -> a PlainTextSelection [start, end) in code points holding one Coding
- memos -> Notes (named by their kind), referenced from the coding's selection, the Code or the TextSource

The archive is written to a temporary file and renamed, so a failure leaves no file behind.
"""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from workbench.codebook import Codebook
from workbench.coding import CodingRecord, MemoRecord
from workbench.errors import NotSignedOff, WorkbenchError
from workbench.project import DocumentRecord, DocumentSummary, ParticipantRecord, Project
from workbench.refi.guids import (
    CODE,
    CODER,
    CODING,
    DOCUMENT,
    MEMO,
    PARTICIPANT,
    SELECTION,
    VARIABLE,
    Key,
    project_guids,
)
from workbench.refi.qdc_export import add_codebook_sets, add_codes, codebook_keys
from workbench.refi.xml import (
    ORIGIN,
    PROJECT_NS,
    PROJECT_SCHEMA,
    check_writable,
    refi_datetime,
    require_valid,
    sub,
    to_bytes,
    write_atomically,
)

SIGNED_OFF = "signed off"
QDE_NAME = "project.qde"
SOURCES_FOLDER = "sources"  # lower case: ATLAS.ti refuses "Sources/" (NOTES.md §4.1)
ROLE_VARIABLE = "role"


@dataclass(frozen=True)
class ExportSummary:
    """What a .qdpx export wrote, and the transcripts it left out because they are not signed off."""

    path: Path
    documents: int
    left_out: int
    codings: int
    codes: int
    cases: int
    variables: int
    notes: int
    users: int


@dataclass(frozen=True)
class _Content:
    """Everything one export takes from the project, already limited to the signed-off transcripts."""

    summaries: dict[int, DocumentSummary]
    documents: list[DocumentRecord]
    codebooks: list[Codebook]
    codings: list[CodingRecord]
    memos: list[MemoRecord]
    participants: list[ParticipantRecord]
    users: list[str]
    variables: list[str]

    def keys(self) -> list[Key]:
        """The GUID keys of every entity the export writes."""
        return [
            *codebook_keys(self.codebooks),
            *((CODER, user) for user in self.users),
            *((VARIABLE, name) for name in self.variables),
            *((PARTICIPANT, participant.id) for participant in self.participants),
            *((DOCUMENT, str(document.id)) for document in self.documents),
            *((kind, str(coding.id)) for coding in self.codings for kind in (SELECTION, CODING)),
            *((MEMO, str(memo.id)) for memo in self.memos),
        ]


def export_qdpx(project: Project, out_path: str | Path) -> ExportSummary:
    """Write the project's signed-off transcripts with their codes, codings, cases and memos as a validated .qdpx.

    Refused (nothing written) when no transcript is signed off, or when the residual scan finds a possible
    identifier in one that is.
    """
    path = Path(out_path)
    check_writable(path, "project", ".qdpx")
    summaries = project.documents()
    signed = [summary.id for summary in summaries if summary.status == SIGNED_OFF]
    if not signed:
        raise NotSignedOff(
            "nothing to export: no transcript is signed off yet; an ethics reviewer signs transcripts off with "
            "`workbench anonymise signoff`"
        )
    content = _gather(project, project.export_documents(signed), summaries)
    guids = project_guids(project, content.keys())
    texts = {guids[(DOCUMENT, str(document.id))]: _plain_text(document) for document in content.documents}
    root = _project_element(project, content, guids)
    require_valid(root, PROJECT_SCHEMA, "project")
    write_atomically(path, _archive(to_bytes(root), texts), "project")
    return ExportSummary(
        path=path,
        documents=len(content.documents),
        left_out=len(summaries) - len(signed),
        codings=len(content.codings),
        codes=sum(len(codebook.codes) for codebook in content.codebooks),
        cases=len(content.participants),
        variables=len(content.variables),
        notes=len(content.memos),
        users=len(content.users),
    )


def _gather(project: Project, documents: list[DocumentRecord], summaries: Sequence[DocumentSummary]) -> _Content:
    exported = {document.id for document in documents}
    codebooks = [item.codebook for item in project.codebooks.loaded()]
    code_ids = {code.id for codebook in codebooks for code in codebook.codes}
    codings = [coding for coding in project.coding.codings() if coding.document_id in exported]
    coding_ids = {str(coding.id) for coding in codings}
    targets = {"coding": coding_ids, "code": code_ids, "document": {str(document_id) for document_id in exported}}
    memos = [memo for memo in project.coding.memos() if memo.target_id in targets[memo.target]]
    holders = {document.participant_id for document in documents}
    participants = [participant for participant in project.participants() if participant.id in holders]
    role = [ROLE_VARIABLE] if any(participant.role for participant in participants) else []
    variables = list(dict.fromkeys([*role, *(name for participant in participants for name in participant.attributes)]))
    return _Content(
        summaries={summary.id: summary for summary in summaries},
        documents=documents,
        codebooks=codebooks,
        codings=codings,
        memos=memos,
        participants=participants,
        users=list(dict.fromkeys([*(coding.coder for coding in codings), *(memo.author for memo in memos)])),
        variables=variables,
    )


def _project_element(project: Project, content: _Content, guids: Mapping[Key, str]) -> etree._Element:
    """The Project element, its children in the order the schema's sequences demand (NOTES.md §3)."""
    ns = PROJECT_NS
    root = etree.Element(f"{{{ns}}}Project", nsmap={None: ns})
    root.set("name", project.folder.resolve().name)
    root.set("origin", ORIGIN)
    notes: dict[tuple[str, str], list[str]] = defaultdict(list)
    for memo in content.memos:
        notes[(memo.target, memo.target_id)].append(guids[(MEMO, str(memo.id))])

    if content.users:
        users = sub(root, ns, "Users")
        for user in content.users:
            sub(users, ns, "User", guid=guids[(CODER, user)], name=user)

    if content.codebooks:
        codes = sub(sub(root, ns, "CodeBook"), ns, "Codes")
        code_notes = {target_id: refs for (target, target_id), refs in notes.items() if target == "code"}
        for codebook in content.codebooks:
            add_codes(codes, ns, codebook, guids, notes=code_notes)

    if content.variables:
        variables = sub(root, ns, "Variables")
        for name in content.variables:
            sub(variables, ns, "Variable", guid=guids[(VARIABLE, name)], name=name, typeOfVariable="Text")

    if content.participants:
        cases = sub(root, ns, "Cases")
        for participant in content.participants:
            _add_case(cases, participant, content, guids)

    sources = sub(root, ns, "Sources")
    by_document: dict[int, list[CodingRecord]] = defaultdict(list)
    for coding in content.codings:
        by_document[coding.document_id].append(coding)
    for document in content.documents:
        _add_source(sources, document, content.summaries[document.id], by_document[document.id], notes, guids)

    if content.memos:
        _add_notes(sub(root, ns, "Notes"), content.memos, guids)

    if content.codebooks:
        add_codebook_sets(root, ns, content.codebooks, guids, member_attribute="targetGUID")
    return root


def _add_case(
    cases: etree._Element, participant: ParticipantRecord, content: _Content, guids: Mapping[Key, str]
) -> None:
    ns = PROJECT_NS
    case = sub(cases, ns, "Case", guid=guids[(PARTICIPANT, participant.id)], name=participant.citation)
    values = {ROLE_VARIABLE: participant.role or "", **participant.attributes}
    for name in content.variables:
        if values.get(name, "").strip():
            value = sub(case, ns, "VariableValue")
            sub(value, ns, "VariableRef", targetGUID=guids[(VARIABLE, name)])
            sub(value, ns, "TextValue", values[name].strip())
    for document in content.documents:
        if document.participant_id == participant.id:
            sub(case, ns, "SourceRef", targetGUID=guids[(DOCUMENT, str(document.id))])


def _add_source(
    sources: etree._Element,
    document: DocumentRecord,
    summary: DocumentSummary,
    codings: Sequence[CodingRecord],
    notes: Mapping[tuple[str, str], Sequence[str]],
    guids: Mapping[Key, str],
) -> None:
    ns = PROJECT_NS
    guid = guids[(DOCUMENT, str(document.id))]
    source = sub(
        sources,
        ns,
        "TextSource",
        guid=guid,
        name=document.source_name,
        plainTextPath=f"internal://{guid}.txt",
        creationDateTime=refi_datetime(summary.imported_at),
    )
    for coding in sorted(codings, key=lambda coding: (coding.start, coding.end, coding.id)):
        author = {
            "creatingUser": guids[(CODER, coding.coder)],
            "creationDateTime": refi_datetime(coding.created_at),
        }
        selection = sub(
            source,
            ns,
            "PlainTextSelection",
            guid=guids[(SELECTION, str(coding.id))],
            startPosition=str(coding.start),
            endPosition=str(coding.end),
            **author,
        )
        element = sub(selection, ns, "Coding", guid=guids[(CODING, str(coding.id))], **author)
        sub(element, ns, "CodeRef", targetGUID=guids[(CODE, coding.code_id)])
        for note in notes.get(("coding", str(coding.id)), ()):
            sub(selection, ns, "NoteRef", targetGUID=note)
    for note in notes.get(("document", str(document.id)), ()):
        sub(source, ns, "NoteRef", targetGUID=note)


def _add_notes(parent: etree._Element, memos: Sequence[MemoRecord], guids: Mapping[Key, str]) -> None:
    ns = PROJECT_NS
    for memo in memos:
        note = sub(
            parent,
            ns,
            "Note",
            guid=guids[(MEMO, str(memo.id))],
            name=memo.kind.capitalize(),
            creatingUser=guids[(CODER, memo.author)],
            creationDateTime=refi_datetime(memo.created_at),
            modifiedDateTime=refi_datetime(memo.updated_at) if memo.updated_at != memo.created_at else None,
        )
        sub(note, ns, "PlainTextContent", memo.text)


def _plain_text(document: DocumentRecord) -> bytes:
    """A transcript's released text as its .txt: UTF-8, LF, no BOM, so that code-point offsets count as written."""
    if "\r" in document.text or document.text.startswith("\ufeff"):
        # Import normalises line breaks and drops BOMs, so every offset already counts LF-only text.
        raise WorkbenchError(
            f"document {document.id} ({document.source_name}) has a carriage return or byte-order mark in its text, "
            "which import should have removed; this is a bug in the workbench: please report it"
        )
    return document.text.encode("utf-8")


def _archive(qde: bytes, texts: Mapping[str, bytes]) -> bytes:
    """The .qdpx: project.qde at the root and each text as sources/<GUID>.txt."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(QDE_NAME, qde)
        for guid, text in texts.items():
            archive.writestr(f"{SOURCES_FOLDER}/{guid}.txt", text)
    return buffer.getvalue()
