"""A plan read from a .qdpx written into a new project: codebooks, transcripts, participants, codings and memos.

Each text source is imported as a transcript through ``Project.prepare_import`` and ``commit_import``, so it enters
the anonymisation review like any other; its participant comes from the Case that refers to it, else from a number
in its name, else from the transcript itself, else a new number. The codings go to ``pending_codings`` (offsets into
the working text) in one transaction with the GUIDs, and become codings when an ethics reviewer signs the transcript
off; duplicate selections (same words, code and coder) are merged. Memos on codes are written now.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.coding import MEMO_KINDS
from workbench.participants import normalise_participant_id, participant_from_filename
from workbench.project import PreparedImport, Progress, Project, Source
from workbench.refi.align import TextMap
from workbench.refi.guids import CODE, CODER, DOCUMENT, MEMO, PARTICIPANT
from workbench.refi.plan import (
    DROPPED_CASES,
    DROPPED_EMPTY,
    DROPPED_NOT_FOUND,
    DROPPED_ON_LOST,
    DROPPED_RANGE,
    DROPPED_UNKNOWN_CODE,
    DROPPED_UNREADABLE,
    Case,
    Plan,
    Text,
)
from workbench.refi.positions import Positions, choose_counting, lf_text

if TYPE_CHECKING:
    from workbench.refi.import_qdpx import ImportReport  # import_qdpx imports this module

_ID_COLUMNS = {"id", "participant", "participant id", "participant_id", "case worker", "case_worker"}


def write_plan(project: Project, plan: Plan, report: ImportReport, progress: Progress | None = None) -> ImportReport:
    """Write what the plan holds into a new, empty project; return the report with what was written and dropped."""
    return _Writer(project, plan, report).write(progress)


class _Writer:
    """Writes a plan into a new project, filling in the report as it goes."""

    def __init__(self, project: Project, plan: Plan, report: ImportReport) -> None:
        self.project = project
        self.plan = plan
        self.report = report
        self.guids: list[tuple[str, str, str]] = []

    def write(self, progress: Progress | None) -> ImportReport:
        project, plan, report = self.project, self.plan, self.report
        code_ids: dict[str, str] = {}
        for codebook in plan.codebooks:
            loaded = project.codebooks.load(Path(f"{codebook.id}.yaml"), data=codebook.yaml.encode("utf-8"))
            report.codebooks.append(loaded.codebook.id)
            report.codes += len(loaded.codebook.codes)
            code_ids.update(codebook.codes)
            report.warnings += codebook.warnings
            report.dropped.update(codebook.dropped)
        self.guids += [(CODE, code_id, code_guid) for code_guid, code_id in code_ids.items()]
        documents = self._import_texts(progress)
        rows = self._pending_codings(documents, code_ids)
        memo_guids = self._code_memos(code_ids)
        self.guids += [(CODER, name, user_guid) for user_guid, name in plan.users.items() if name and user_guid]
        with project._store.transaction(
            project.actor, "import codings", {"source": report.file.name, "codings": len(rows)}
        ):
            project._store.db.conn.executemany(
                'INSERT INTO pending_codings (document_id, code_id, start, "end", coder, guid) '
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            project._store.db.conn.executemany(
                "INSERT OR IGNORE INTO guids (kind, local_id, guid) VALUES (?, ?, ?)",
                [(kind, local, value) for kind, local, value in [*self.guids, *memo_guids] if local and value],
            )
        report.codings = len(rows)
        report.dropped = +report.dropped  # only the kinds with something dropped
        report.participants = len({document.participant_id for document in report.documents})
        return report

    # --- transcripts and participants ---------------------------------------------------------------------------

    def _import_texts(self, progress: Progress | None) -> dict[int, list[Text]]:
        """Import every readable text as a transcript; return the texts that landed in each document."""
        plan, report = self.plan, self.report
        by_sha: dict[str, Text] = {}
        unique: list[Text] = []
        copies: dict[str, list[Text]] = defaultdict(list)
        for text in plan.texts:
            first = by_sha.setdefault(text.sha256, text)
            copies[text.sha256].append(text)
            if first is text:
                unique.append(text)
        case_of = self._case_of_sources()
        numbered: dict[str, str] = {}  # case GUID -> the number chosen for it
        chosen: dict[str, PreparedImport] = {}
        waiting: list[Text] = []
        for text in unique:
            case = case_of.get(text.guid)
            explicit = _number_in(case.name) if case is not None else None
            explicit = explicit or participant_from_filename(Path(text.name))
            item = self._prepare(text, explicit, copies[text.sha256], last_try=explicit is not None)
            if item is not None:
                chosen[text.sha256] = item
            elif explicit is None:
                waiting.append(text)
        used = {item.participant_id for item in chosen.values()}
        for text in waiting:
            case = case_of.get(text.guid)
            key = case.guid if case is not None else text.guid
            if key not in numbered:
                numbered[key] = _next_free(used)
                used.add(numbered[key])
            item = self._prepare(text, numbered[key], copies[text.sha256], last_try=True)
            if item is not None:
                chosen[text.sha256] = item
                report.warnings.append(
                    f"{text.name} names no participant number; it is participant {item.participant_id}"
                )
        self._load_participants(chosen, case_of)
        ready = [chosen[text.sha256] for text in unique if text.sha256 in chosen]
        report.documents = self.project.commit_import(ready, progress=progress) if ready else []
        documents: dict[int, list[Text]] = {}
        for text in unique:
            if text.sha256 not in chosen:
                continue
            document_id = int(self.project._store.scalar("SELECT id FROM documents WHERE sha256 = ?", [text.sha256]))
            documents[document_id] = copies[text.sha256]
            report.warnings += [
                f"{copy.name} has the same text as {text.name}; imported once" for copy in copies[text.sha256][1:]
            ]
            self.guids += [(DOCUMENT, str(document_id), copy.guid) for copy in copies[text.sha256]]
            report.warnings += [f"{text.name}: {warning}" for warning in chosen[text.sha256].warnings]
        return documents

    def _prepare(
        self, text: Text, participant: str | None, copies: Sequence[Text], *, last_try: bool
    ) -> PreparedImport | None:
        """Read a text as a transcript; on the last try, a text that cannot be read is dropped with its copies."""
        source = Source(Path(f"{text.name}.txt"), text.data)
        plan = self.project.prepare_import([source], participant=participant)
        if plan.ready:
            return plan.ready[0]
        if last_try:
            self.report.dropped[DROPPED_UNREADABLE] += len(copies)
            self.report.dropped[DROPPED_ON_LOST] += sum(len(s.codings) for copy in copies for s in copy.selections)
            self.report.warnings += [str(error) for error in plan.errors]
        return None

    def _case_of_sources(self) -> dict[str, Case]:
        selection_source = {
            selection.guid: text.guid for text in self.plan.texts for selection in text.selections if selection.guid
        }
        case_of: dict[str, Case] = {}
        for case in self.plan.cases:
            for reference in case.sources:
                source = selection_source.get(reference, reference)
                if source in case_of and case_of[source] is not case:
                    self.report.warnings.append(
                        f"source {source} belongs to the cases {case_of[source].name!r} and {case.name!r}; "
                        f"it goes to {case_of[source].name!r}"
                    )
                case_of.setdefault(source, case)
        return case_of

    def _load_participants(self, chosen: dict[str, PreparedImport], case_of: dict[str, Case]) -> None:
        """Give each participant the label and attributes of its Case (and of its sources' own variable values)."""
        labels: dict[str, str] = {}
        attributes: dict[str, dict[str, str]] = defaultdict(dict)
        case_guids: dict[str, str] = {}
        used_cases: set[str] = set()
        for text in self.plan.texts:
            item = chosen.get(text.sha256)
            if item is None:
                continue
            participant = item.participant_id
            case = case_of.get(text.guid)
            if case is not None:
                used_cases.add(case.guid)
                case_guids.setdefault(participant, case.guid)
                if case.name:
                    labels.setdefault(participant, case.name)
                for name, value in case.variables.items():
                    attributes[participant].setdefault(name, value)
            for name, value in text.variables.items():
                attributes[participant].setdefault(name, value)
        self.report.dropped[DROPPED_CASES] += sum(1 for case in self.plan.cases if case.guid not in used_cases)
        self.guids += [(PARTICIPANT, participant, case_guid) for participant, case_guid in case_guids.items()]
        people = sorted(set(labels) | set(attributes))
        if not people:
            return
        columns: list[str] = []
        for values in attributes.values():
            for name in values:
                column = f"{name} (variable)" if name.casefold() in _ID_COLUMNS else name
                if column not in columns and column.casefold() not in {c.casefold() for c in columns}:
                    columns.append(column)
        stream = io.StringIO()
        writer = csv.writer(stream, lineterminator="\n")
        header_columns = [column for column in columns if column.casefold() != "label"]
        writer.writerow(["id", "label", *header_columns])
        for participant in people:
            values = {
                (f"{name} (variable)" if name.casefold() in _ID_COLUMNS else name).casefold(): value
                for name, value in attributes[participant].items()
            }
            label = labels.get(participant) or values.get("label", "")
            writer.writerow([participant, label, *(values.get(column.casefold(), "") for column in header_columns)])
        self.project.load_participants(Path("participants from the qdpx.csv"), stream.getvalue().encode("utf-8"))

    # --- codings and memos --------------------------------------------------------------------------------------

    def _pending_codings(
        self, documents: dict[int, list[Text]], code_ids: dict[str, str]
    ) -> list[tuple[int, str, int, int, str, str | None]]:
        """Return the pending-coding rows: each selection's codings on the working text, duplicates merged."""
        rows: dict[tuple[int, str, int, int, str], str | None] = {}
        counted = 0
        for document_id, texts in documents.items():
            working = self.project.working_document(document_id)
            for text in texts:
                if not text.selections:
                    continue
                raw = text.raw
                ranges = [(s.start, s.end) for s in text.selections if s.end >= 0]
                counting = choose_counting(raw, ranges, self.plan.counting)
                if counting != self.plan.counting:
                    self.report.warnings.append(
                        f"{text.name}: its positions fit {counting.describe()} better than the producer's usual "
                        f"{self.plan.counting.describe()}; read that way"
                    )
                positions = Positions(raw, counting)
                source = lf_text(raw)
                mapper = TextMap(source, working.text, working.turns)
                for selection in text.selections:
                    whole = selection.end < 0
                    if not whole and selection.end > positions.length:
                        self.report.dropped[DROPPED_RANGE] += 1
                        continue
                    start = 0 if whole else positions.point(selection.start)
                    end = len(source) if whole else positions.point(selection.end)
                    mapped = mapper.map(start, end) if start < end else None
                    if mapped is None:
                        self.report.dropped[DROPPED_NOT_FOUND if start < end else DROPPED_EMPTY] += 1
                        continue
                    for coding in selection.codings:
                        code_id = code_ids.get(coding.code)
                        if code_id is None:
                            self.report.dropped[DROPPED_UNKNOWN_CODE] += 1
                            continue
                        counted += 1
                        key = (document_id, code_id, mapped[0], mapped[1], coding.coder)
                        rows.setdefault(key, coding.guid or selection.guid or None)
        self.report.merged = counted - len(rows)
        return [(*key, value) for key, value in rows.items()]

    def _code_memos(self, code_ids: dict[str, str]) -> list[tuple[str, str, str]]:
        """Write each Note on a code (by NoteRef or Link) as a code memo; return the memo GUID rows."""
        wanted = [(code_id, note) for codebook in self.plan.codebooks for code_id, note in codebook.note_refs]
        wanted += [(code_ids[code], note) for code, note in self.plan.code_notes if code in code_ids]
        memo_guids: list[tuple[str, str, str]] = []
        for code_id, note_guid in dict.fromkeys(wanted):
            note = self.plan.notes.get(note_guid)
            if note is None or not note.text.strip():
                continue
            kind = note.name.casefold() if note.name.casefold() in MEMO_KINDS else "memo"
            memo = self.project.coding.as_coder(note.author or self.project.actor).add_memo(
                "code", code_id, note.text, kind=kind
            )
            memo_guids.append((MEMO, str(memo.id), note_guid))
            self.report.memos += 1
        return memo_guids


def _number_in(name: str) -> str | None:
    """Return the participant number a Case or source name carries ("Participant 3", "CW12"), else None."""
    if not name:
        return None
    normalised = normalise_participant_id(name)
    return normalised if normalised.isdecimal() else participant_from_filename(Path(name))


def _next_free(used: set[str]) -> str:
    number = 1
    while str(number) in used:
        number += 1
    return str(number)
