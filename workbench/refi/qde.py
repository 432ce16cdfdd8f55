"""The project.qde of a .qdpx read leniently into a plan: users, codes, cases, variables, sources, selections, notes.

Elements are matched on local names, so namespace variants do not matter. Sources are text sources and the
transcripts of media sources; codings on pictures, PDFs, audio and video are counted as dropped, as is every other
element the workbench cannot hold (graphs, links, sets that are not codebooks, notes on transcripts and codings).
The CodeBook becomes YAML codebooks (``qde_codebooks``).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path
from xml.etree.ElementTree import Element

from workbench.errors import ExchangeFileError
from workbench.refi.archive import Archive
from workbench.refi.plan import (
    DROPPED_EMPTY,
    DROPPED_LATE_DESCRIPTIONS,
    DROPPED_LATE_NOTES,
    DROPPED_LOOSE_NOTES,
    DROPPED_MEDIA,
    DROPPED_MISSING,
    DROPPED_ON_LOST,
    DROPPED_POSITIONS,
    DROPPED_PROJECT,
    DROPPED_UNCODED,
    Case,
    Coding,
    Note,
    Plan,
    Selection,
    Text,
)
from workbench.refi.positions import counting_for, decode_source
from workbench.refi.qde_codebooks import read_codebooks
from workbench.refi.read_xml import attr, child_text, guid, kid, kids, local_name, parse_xml, text_of, walk

_SOURCE_SUFFIX = re.compile(r"\.(txt|docx?|rtf|odt|pdf|md|html?)$", re.IGNORECASE)
_MEDIA = {"PictureSource": "picture", "PDFSource": "PDF", "AudioSource": "audio", "VideoSource": "video"}
_MEDIA_SELECTIONS = ("PictureSelection", "PDFSelection", "AudioSelection", "VideoSelection", "TranscriptSelection")


def read_qde(archive: Archive, path: Path) -> Plan:
    """Return the plan of an import: everything the archive's .qde holds that the workbench can keep, and what not."""
    return _Reader(archive, path).read()


class _Reader:
    """Reads the .qde leniently into a Plan, counting everything it leaves out."""

    def __init__(self, archive: Archive, path: Path) -> None:
        self.archive = archive
        self.path = path
        self.dropped: Counter[str] = Counter()
        self.warnings: list[str] = []
        self.users: dict[str, str] = {}
        self.default_user = ""
        self.sets_used = False

    def read(self) -> Plan:
        qde_name, data = self.archive.project_file()
        root = parse_xml(data, self.path, what=f"its {qde_name}")
        if local_name(root.tag) != "Project":
            raise ExchangeFileError(
                self.path, f"is not a REFI-QDA project: {qde_name} holds <{local_name(root.tag)}>, not <Project>"
            )
        origin = attr(root, "origin")
        name = attr(root, "name")
        if not name or name.casefold() in ("untitled", "project"):
            name = self.path.stem
        for user in walk(root, "User"):
            user_guid = guid(attr(user, "guid"))
            self.users[user_guid] = " ".join((attr(user, "name") or attr(user, "id") or "").split())
        self.default_user = guid(attr(root, "creatingUserGUID"))
        notes = {
            guid(attr(note, "guid")): self._note(note)
            for wrapper in kids(root, "Notes")
            for note in kids(wrapper, "Note")
        }
        codebooks, self.sets_used = read_codebooks(
            root, name=name, origin=origin, path=self.path, warnings=self.warnings
        )
        variables = {
            guid(attr(variable, "guid")): attr(variable, "name") or "variable"
            for wrapper in kids(root, "Variables")
            for variable in kids(wrapper, "Variable")
        }
        texts, sources = self._sources(root, variables)
        cases = [self._case(case, variables) for wrapper in kids(root, "Cases") for case in kids(wrapper, "Case")]
        code_guids = {code_guid for codebook in codebooks for code_guid in codebook.codes}
        code_notes = self._count_others(root, notes, code_guids)
        return Plan(
            name=name,
            origin=origin,
            counting=counting_for(origin),
            codebooks=codebooks,
            texts=texts,
            cases=cases,
            notes=notes,
            code_notes=code_notes,
            users=self.users,
            sources=sources,
            dropped=self.dropped,
            warnings=self.warnings,
        )

    def user(self, *guids: str) -> str:
        """Return the name of the first user given that is known, for codings and memos."""
        for value in guids:
            if self.users.get(guid(value)):
                return self.users[guid(value)]
        for value in guids:
            if value:
                return f"User {guid(value)[:8]}"  # named by a GUID the file's Users do not list
        return self.users.get(self.default_user) or "Imported coder"

    def _note(self, note: Element) -> Note:
        text = child_text(note, "PlainTextContent")
        reference = attr(note, "plainTextPath")
        if not text and reference:
            info, _ = self.archive.resolve(reference)
            if info is not None:
                text = decode_source(self.archive.read(info), info.filename, []).strip()
        text = text or child_text(note, "Description") or attr(note, "name")
        return Note(attr(note, "name"), text, self.user(attr(note, "creatingUser")))

    def _sources(self, root: Element, variables: dict[str, str]) -> tuple[list[Text], int]:
        texts: list[Text] = []
        count = 0
        for wrapper in kids(root, "Sources"):
            for source in wrapper:
                kind = local_name(source.tag) if isinstance(source.tag, str) else ""
                if kind == "TextSource":
                    count += 1
                    text = self._text_source(source, variables)
                    if text is not None:
                        texts.append(text)
                elif kind in _MEDIA:
                    self.dropped[f"{_MEDIA[kind]} sources"] += 1
                    media_codings = sum(
                        len(kids(selection, "Coding")) for selection in walk(source, *_MEDIA_SELECTIONS)
                    ) + len(kids(source, "Coding"))
                    text_codings = sum(len(kids(s, "Coding")) for s in walk(source, "PlainTextSelection"))
                    self.dropped[DROPPED_MEDIA] += media_codings + text_codings
                    for transcript in kids(source, "Transcript"):
                        count += 1
                        text = self._transcript(source, transcript)
                        if text is not None:
                            texts.append(text)
        return texts, count

    def _text_source(self, source: Element, variables: dict[str, str]) -> Text | None:
        source_guid = guid(attr(source, "guid"))
        name = _source_name(attr(source, "name"), source_guid)
        selections = list(kids(source, "PlainTextSelection"))
        codings_here = sum(len(kids(selection, "Coding")) for selection in selections) + len(kids(source, "Coding"))
        self.dropped[DROPPED_LATE_NOTES] += len(kids(source, "NoteRef"))
        self.dropped[DROPPED_LATE_DESCRIPTIONS] += int(bool(child_text(source, "Description")))
        found = self._source_text(source, name)
        if found is None:
            self.dropped[DROPPED_ON_LOST] += codings_here
            return None
        raw, data = found
        whole = [self._coding(coding, source) for coding in kids(source, "Coding")]
        read: list[Selection] = [Selection("", 0, -1, whole)] if whole else []
        for element in selections:
            selection = self._selection(element)
            if selection is not None:
                read.append(selection)
        values = {
            variables.get(guid(attr(ref, "targetGUID")), "variable"): value
            for value_element in kids(source, "VariableValue")
            if (ref := kid(value_element, "VariableRef")) is not None and (value := _variable_value(value_element))
        }
        return Text(source_guid, name, data, raw, read, values, hashlib.sha256(data).hexdigest())

    def _transcript(self, media: Element, transcript: Element) -> Text | None:
        transcript_guid = guid(attr(transcript, "guid"))
        name = _source_name(attr(transcript, "name") or attr(media, "name"), transcript_guid)
        found = self._source_text(transcript, name)
        if found is None:
            return None
        raw, data = found
        return Text(transcript_guid, name, data, raw, [], {}, hashlib.sha256(data).hexdigest())

    def _source_text(self, source: Element, name: str) -> tuple[str, bytes] | None:
        """Return a source's decoded text (BOM stripped) and bytes, from its file or PlainTextContent, or None."""
        reference = attr(source, "plainTextPath")
        content = kid(source, "PlainTextContent")
        if reference:
            info, problem = self.archive.resolve(reference)
            if info is None:
                if content is None:
                    self.dropped[DROPPED_MISSING] += 1
                    if problem == "external":
                        self.warnings.append(
                            f"{name}: its text is outside the archive ({reference}); the import reads only the archive"
                        )
                    return None
            else:
                if problem == "no scheme":
                    self.warnings.append(f"{name}: plainTextPath {reference!r} has no internal:// scheme; read anyway")
                data = self.archive.read(info)
                return decode_source(data, name, self.warnings), data
        if content is not None:
            raw = "".join(content.itertext())
            return raw, raw.encode("utf-8")
        self.dropped[DROPPED_MISSING] += 1
        return None

    def _selection(self, selection: Element) -> Selection | None:
        codings = [self._coding(coding, selection) for coding in kids(selection, "Coding")]
        late = len(kids(selection, "NoteRef")) + sum(
            len(kids(coding, "NoteRef")) for coding in kids(selection, "Coding")
        )
        self.dropped[DROPPED_LATE_NOTES] += late
        if child_text(selection, "Description"):
            self.dropped[DROPPED_LATE_DESCRIPTIONS] += 1
        if not codings:
            if not child_text(selection, "Description") and not kids(selection, "NoteRef"):
                self.dropped[DROPPED_UNCODED] += 1
            return None
        try:
            start, end = int(attr(selection, "startPosition")), int(attr(selection, "endPosition"))
        except ValueError:
            self.dropped[DROPPED_POSITIONS] += 1
            return None
        if start < 0 or end < start:
            self.dropped[DROPPED_POSITIONS] += 1
            return None
        if start == end:
            self.dropped[DROPPED_EMPTY] += 1
            return None
        return Selection(guid(attr(selection, "guid")), start, end, codings)

    def _coding(self, coding: Element, holder: Element) -> Coding:
        """Return a Coding's code, coder (its creator, else the creator of what holds it) and GUID."""
        reference = kid(coding, "CodeRef")
        code = guid(attr(reference, "targetGUID")) if reference is not None else ""
        coder = self.user(attr(coding, "creatingUser"), attr(holder, "creatingUser"))
        return Coding(code, coder, guid(attr(coding, "guid")))

    def _case(self, case: Element, variables: dict[str, str]) -> Case:
        values = {
            variables.get(guid(attr(ref, "targetGUID")), "variable"): value
            for value_element in kids(case, "VariableValue")
            if (ref := kid(value_element, "VariableRef")) is not None and (value := _variable_value(value_element))
        }
        sources = [guid(attr(ref, "targetGUID")) for ref in kids(case, "SourceRef")]
        sources += [guid(attr(ref, "targetGUID")) for ref in kids(case, "SelectionRef")]
        return Case(guid(attr(case, "guid")), " ".join(attr(case, "name").split()), values, sources)

    def _count_others(self, root: Element, notes: dict[str, Note], codes: set[str]) -> list[tuple[str, str]]:
        """Count Graphs, Links, Sets and Notes the workbench cannot keep; return (code GUID, Note GUID) links."""
        self.dropped["graphs"] += sum(len(kids(found, "Graph")) for found in kids(root, "Graphs"))
        if not self.sets_used:
            sets = [element for wrapper in kids(root, "Sets") for element in kids(wrapper, "Set")]
            self.dropped["sets"] += sum(1 for element in sets if kids(element, "MemberCode", "MemberSource"))
        self.dropped[DROPPED_PROJECT] += int(bool(child_text(root, "Description"))) + len(kids(root, "NoteRef"))
        referenced = {guid(attr(ref, "targetGUID")) for ref in walk(root, "NoteRef")}
        code_notes: list[tuple[str, str]] = []
        for link in (found for wrapper in kids(root, "Links") for found in kids(wrapper, "Link")):
            ends = guid(attr(link, "originGUID")), guid(attr(link, "targetGUID"))
            referenced.update(ends)
            note = next((end for end in ends if end in notes), None)
            other = ends[1] if note == ends[0] else ends[0]
            if note is not None and other in codes:
                code_notes.append((other, note))  # NVivo annotates a code this way
            elif note is not None:
                self.dropped[DROPPED_LATE_NOTES] += 1
            else:
                self.dropped["links"] += 1
        self.dropped[DROPPED_LOOSE_NOTES] += sum(1 for key in notes if key not in referenced)
        return code_notes


def _variable_value(element: Element) -> str:
    for child in element:
        if isinstance(child.tag, str) and local_name(child.tag).endswith("Value"):
            return " ".join(text_of(child).split())
    return ""


def _source_name(name: str, source_guid: str) -> str:
    """Return a file name for a source: its name without a document suffix or path separators, else its GUID."""
    name = _SOURCE_SUFFIX.sub("", " ".join(name.split())).replace("/", "-").replace("\\", "-").strip(" .")
    return name or f"source {source_guid[:8]}"
