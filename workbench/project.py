"""The project: one folder holding project.db and the key store, and the only way the CLI and the UI reach data."""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, takewhile
from pathlib import Path
from typing import Any, Generic, TypeVar

from workbench.analysis import Analysis, people_noun
from workbench.anonymise.review import Review
from workbench.autocode import Suggestions
from workbench.codebooks import Codebooks
from workbench.coding import Coding
from workbench.errors import FileProblem, ProjectError, ResidualFound, TranscriptError, WorkbenchError
from workbench.ingest import Transcript, Turn, read_source, read_transcript
from workbench.keystore import KEYSTORE_FOLDER, KeyStore
from workbench.participants import (
    DEFAULT_CITATION,
    Participant,
    check_citation_template,
    citation_for,
    normalise_participant_id,
    participant_from_filename,
    read_participants_csv,
)
from workbench.quotes import ContextTurn, Quote, QuoteFilter, Quotes
from workbench.reliability import Reliability
from workbench.search import Search
from workbench.segment import SentenceSplitter, TurnSpans, sentence_spans
from workbench.statecache import cached
from workbench.store import Store, utc_now

log = logging.getLogger(__name__)

PROJECT_FILE = "project.db"
CITATION_SETTING = "citation_label"
# Header fields that may name the participant ("Participant: CW12", "Interview: CW07").
_PARTICIPANT_FIELDS = ("participant", "participant id", "interviewee", "respondent", "case worker", "interview")

Progress = Callable[[int, int, str], None]
"""Called as progress(done, total, what) while long work runs."""


def default_actor() -> str:
    """Return who is working: $WORKBENCH_USER, else the operating-system user name."""
    name = os.environ.get("WORKBENCH_USER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True)
class Source:
    """A file to import: its name (for messages and the record) and its bytes, or None to read it from disk."""

    path: Path
    data: bytes | None = None


@dataclass
class PreparedImport:
    """A transcript read, parsed and attributed, ready to be written."""

    source: Source
    data: bytes
    sha256: str
    transcript: Transcript
    participant_id: str
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TurnRecord:
    id: str
    speaker: str
    role: str
    start: int
    end: int
    text: str
    start_time: str | None = None
    end_time: str | None = None


@dataclass(frozen=True)
class SentenceRecord:
    id: str
    turn_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class DocumentSummary:
    id: int
    participant_id: str
    citation: str
    source_name: str
    source_format: str
    status: str
    turns: int
    words: int
    imported_at: str
    imported_by: str


@dataclass(frozen=True)
class DocumentRecord:
    """A stored transcript with its turns and sentences; every segment's text is ``text[start:end]``."""

    id: int
    participant_id: str
    citation: str
    source_name: str
    source_format: str
    status: str
    text: str
    metadata: dict[str, str]
    turns: list[TurnRecord]
    sentences: list[SentenceRecord]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "participant": self.participant_id,
            "citation": self.citation,
            "source": self.source_name,
            "format": self.source_format,
            "status": self.status,
            "metadata": self.metadata,
            "text": self.text,
            "turns": [
                {"id": t.id, "speaker": t.speaker, "role": t.role, "text": t.text, "start": t.start, "end": t.end}
                for t in self.turns
            ],
            "sentences": [
                {"id": s.id, "turn": s.turn_id, "text": s.text, "start": s.start, "end": s.end} for s in self.sentences
            ],
        }


@dataclass(frozen=True)
class ParticipantRecord:
    id: str
    label: str | None
    role: str | None
    attributes: dict[str, str]
    citation: str
    documents: int


@dataclass(frozen=True)
class AuditEntry:
    at: str
    actor: str
    action: str
    payload: dict[str, Any]


Ready = TypeVar("Ready")


@dataclass
class _Sorted(Generic[Ready]):
    """A batch of files sorted: those ready to write, in order, those refused, and those already imported."""

    ready: list[Ready] = field(default_factory=list)
    errors: list[WorkbenchError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass
class ImportPlan(_Sorted[PreparedImport]):
    """What an import of a few files would do, with each ready file's bytes and parsed text (the app's uploads)."""


@dataclass(frozen=True)
class CheckedFile:
    """What a batch import keeps of a file it has checked: its hash, participant and warnings, never its text."""

    source: Source
    sha256: str
    participant_id: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportCheck(_Sorted[CheckedFile]):
    """What a batch import found, keeping of each ready file only what ``CheckedFile`` says (never its text)."""


@dataclass(frozen=True)
class _Parsed:
    """A transcript ready to write: its original bytes, its working copy for the key store, and its outline."""

    name: str
    data: bytes
    sha256: str
    participant_id: str
    format: str
    words: int
    turns: int
    sentences: int
    working_copy: tuple[str, str, str]

    @property
    def size(self) -> int:
        """Roughly the bytes it holds."""
        return len(self.data) + sum(len(part) for part in self.working_copy)


def _parsed(
    name: str, data: bytes, sha256: str, participant_id: str, transcript: Transcript, spans: TurnSpans
) -> _Parsed:
    return _Parsed(
        name=name,
        data=data,
        sha256=sha256,
        participant_id=participant_id,
        format=transcript.format,
        words=len(transcript.text.split()),
        turns=len(transcript.turns),
        sentences=sum(len(turn) for turn in spans),
        working_copy=_working_copy(transcript, spans),
    )


KEEP_READY_BYTES = 64 * 2**20
"""How much of a batch the checking pass keeps ready to write. The files up to this much are parsed and split once,
in the check; after it, the check keeps only each file's hash, participant and warnings, and the file is read and
parsed again when it is written. A small batch is so handled once; a large one streams in bounded memory."""

Refusal = Callable[[], WorkbenchError]
"""A WorkbenchError as it crosses from a worker process: a picklable call that makes it again."""


def _check_one(
    job: tuple[Path, bytes, str, str | None, bool],
) -> tuple[str, list[str], Refusal | None, _Parsed | None]:
    """Parse one file and say whose it is, or why it cannot be imported; with ``split``, make it ready to write too.

    Runs in a worker when there are any. Returns the participant, the warnings, the refusal if the file cannot be
    imported, and the file ready to write if it was asked for.
    """
    path, data, sha256, participant, split = job
    try:
        transcript = read_transcript(path, data)
        participant_id, warnings = _attribute(path, transcript, participant)
    except WorkbenchError as error:
        return "", [], _portable(error), None
    if not split:
        return participant_id, transcript.warnings + warnings, None, None
    ready = _parsed(path.name, data, sha256, participant_id, transcript, next(sentence_spans([transcript])))
    return participant_id, transcript.warnings + warnings, None, ready


def _parse_and_split(job: tuple[Path, bytes, str, str]) -> _Parsed | Refusal:
    """Parse one checked file and split its sentences; runs in a worker, which holds the model, when there are any."""
    path, data, sha256, participant_id = job
    try:
        transcript = read_transcript(path, data)
    except WorkbenchError as error:  # not for the bytes that were checked, but an error must cross back whole
        return _portable(error)
    spans = next(sentence_spans([transcript]))
    return _parsed(path.name, data, sha256, participant_id, transcript, spans)


def _portable(error: WorkbenchError) -> Refusal:
    """The error as a call that makes it again: exceptions with their own constructor arguments do not survive
    pickling (a worker's would be lost on the way back, and the pool with it); the call that makes one does."""
    if isinstance(error, FileProblem):
        return partial(type(error), error.path, error.reason, line=error.line)
    return partial(WorkbenchError, str(error))


def _written(results: Iterable[_Parsed | Refusal]) -> Iterator[_Parsed]:
    for result in results:
        if not isinstance(result, _Parsed):
            raise result()
        yield result


def _reread(item: CheckedFile) -> bytes:
    """Return a checked file's bytes again, provided they are still the ones that were checked."""
    if item.source.data is not None:
        return item.source.data
    how_to = "; run the same import again to import it and the files after it (those already in are skipped)"
    try:
        data = read_source(item.source.path)
    except FileProblem as problem:
        raise TranscriptError(item.source.path, f"{problem.reason} after it was checked{how_to}") from None
    if hashlib.sha256(data).hexdigest() != item.sha256:
        raise TranscriptError(item.source.path, f"changed after it was checked{how_to}")
    return data


class _AlreadyImported(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


class ImportFailed(WorkbenchError):
    """One or more files could not be imported; nothing was written."""

    def __init__(self, errors: Sequence[WorkbenchError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(error) for error in self.errors))


class Project:
    """A project folder: project.db for the anonymised material, keystore/ for identifiable originals."""

    def __init__(self, folder: Path, store: Store, keys: KeyStore, actor: str) -> None:
        self.folder = folder
        self.actor = actor
        self._store = store
        self._keys = keys
        self.review = Review(store, keys, actor)
        """The ethics review: scanning, decisions, placeholders, sign-off (see workbench.anonymise.review)."""
        self.codebooks = Codebooks(store, folder, actor)
        """The codebooks: loading, editing (codings follow), usage (see workbench.codebooks)."""
        self.coding = Coding(store, actor, self.review.require_signed_off)
        """Codings, memos, undo and redo, in the actor's name; ``coding.as_coder(name)`` for another coder."""
        self.suggestions = Suggestions(store, self.coding, self.review.require_signed_off)
        """Suggested codings from the codes' keywords (see workbench.autocode)."""
        self.reliability = Reliability(
            store, self.coding, self.review.require_signed_off, lambda: self._citer(brackets=False)
        )
        """Agreement between coders and the lead coder's reconciliation (see workbench.reliability)."""

    # --- opening and creating -------------------------------------------------------------------------------------

    @classmethod
    def init(cls, folder: str | Path, *, actor: str | None = None) -> Project:
        """Create a new project in ``folder`` (which may exist, if it is empty) and return it open."""
        folder = Path(folder)
        actor = actor or default_actor()
        if (folder / PROJECT_FILE).exists():
            raise ProjectError(f"{folder} is already a project; open it instead of creating it")
        if folder.exists() and not folder.is_dir():
            raise ProjectError(f"{folder} is a file, not a folder")
        if folder.exists() and any(folder.iterdir()):
            raise ProjectError(f"{folder} is not empty; choose a new or empty folder for the project")
        folder.mkdir(parents=True, exist_ok=True)
        keys = KeyStore.create(folder, actor=actor)
        store = Store(folder / PROJECT_FILE)
        store.migrate(actor)
        with store.transaction(actor, "create project", {"folder": folder.name}):
            store.write_setting(CITATION_SETTING, DEFAULT_CITATION)
        return cls(folder, store, keys, actor)

    @classmethod
    def open(cls, folder: str | Path, *, actor: str | None = None) -> Project:
        """Open an existing project, bringing its schema up to date."""
        folder = Path(folder)
        if not (folder / PROJECT_FILE).is_file():
            raise ProjectError(
                f"{folder} is not a workbench project (it has no {PROJECT_FILE}); "
                f"create one with `workbench init {folder}`"
            )
        actor = actor or default_actor()
        keys = KeyStore(folder / KEYSTORE_FOLDER, actor=actor)
        store = Store(folder / PROJECT_FILE)
        store.migrate(actor)
        project = cls(folder, store, keys, actor)
        project._move_unreviewed_text()
        return project

    def _move_unreviewed_text(self) -> None:
        """Projects made before the sign-off gate kept unreviewed text in project.db: move it to the key store."""
        for row in self._store.query("SELECT id, sha256 FROM documents WHERE status = 'imported' AND text != ''"):
            record = self._read_document(row["id"])
            turns = [
                _turn_entry(turn, [(s.start, s.end) for s in record.sentences if s.turn_id == turn.id])
                for turn in record.turns
            ]
            working = (record.text, json.dumps(record.metadata, ensure_ascii=False), json.dumps(turns))
            with self._keys.transaction(self.actor, "move unreviewed text", {"document": row["id"]}):
                self._keys.put_working_copy(row["sha256"], *working)
            with self._store.transaction(self.actor, "move unreviewed text", {"document": row["id"]}):
                self._store.withdraw_release(row["id"])
                self._store.db.execute(
                    "UPDATE documents SET status = 'imported', turns = ? WHERE id = ?", [len(turns), row["id"]]
                )

    def close(self) -> None:
        self._store.close()
        self._keys.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- settings -------------------------------------------------------------------------------------------------

    @property
    def citation_template(self) -> str:
        return self._store.setting(CITATION_SETTING, DEFAULT_CITATION)

    def set_citation_template(self, template: str) -> None:
        """Change how quotes are attributed, e.g. "Case Worker {n}" or "Participant {n}"."""
        template = check_citation_template(template)
        with self._store.transaction(self.actor, "set citation label", {"template": template}):
            self._store.write_setting(CITATION_SETTING, template)

    # --- participants ---------------------------------------------------------------------------------------------

    def load_participants(self, path: str | Path, data: bytes | None = None) -> list[Participant]:
        """Add or update participants from a CSV (id, label, role, further attribute columns); all rows or none."""
        participants = read_participants_csv(path, data)
        with self._store.transaction(
            self.actor, "load participants", {"source": Path(path).name, "count": len(participants)}
        ):
            self._write_participants(participants)
        return participants

    def _write_participants(self, participants: Iterable[Participant]) -> None:
        for participant in participants:
            self._store.write_participant(
                participant.id,
                participant.label,
                participant.role,
                json.dumps(participant.attributes, ensure_ascii=False),
            )

    def participants(self) -> list[ParticipantRecord]:
        """Every participant in natural order of their ids, with their citation and number of transcripts."""
        return cached(self._store, "participants", self._read_participants, weight=len, catalogue=True)

    def _read_participants(self) -> list[ParticipantRecord]:
        template = self.citation_template
        rows = self._store.db.execute(
            "SELECT p.id, p.label, p.role, p.attributes, COUNT(d.id) FROM participants p "
            "LEFT JOIN documents d ON d.participant_id = p.id GROUP BY p.id"
        )
        records = []
        for pid, label, role, attributes, documents in rows:  # tuples: a study lists a thousand on every page
            participant = Participant(pid, label, role, json.loads(attributes))
            records.append(
                ParticipantRecord(
                    id=pid,
                    label=label,
                    role=role,
                    attributes=participant.attributes,
                    citation=citation_for(template, participant),
                    documents=documents,
                )
            )
        return sorted(records, key=lambda record: _natural_key(record.id))

    def citation(self, participant_id: str) -> str:
        row = self._store.query("SELECT id, label FROM participants WHERE id = ?", [participant_id])
        label = row[0]["label"] if row else None
        return citation_for(self.citation_template, Participant(participant_id, label))

    # --- import ---------------------------------------------------------------------------------------------------

    def prepare_import(
        self,
        sources: Sequence[Source],
        *,
        participant: str | None = None,
        progress: Progress | None = None,
    ) -> ImportPlan:
        """Read and parse each file without writing anything; say what can be imported, what cannot, and why.

        A file whose exact content is already in the project (or earlier in the same batch) is skipped, not refused,
        so that an import that was interrupted can simply be run again. The plan holds every file's bytes and
        parsed text, which suits the app's uploads; a large batch goes through ``import_files``, which streams.
        """
        plan = ImportPlan()
        seen: dict[str, str] = {}
        for done, source in enumerate(sources):
            if progress:
                progress(done, len(sources), f"reading {source.path.name}")
            try:
                item = self._prepare_one(source, participant)
                if item.sha256 in seen:
                    raise _AlreadyImported(f"{source.path.name}: same content as {seen[item.sha256]}; skipped")
                seen[item.sha256] = source.path.name
                plan.ready.append(item)
            except _AlreadyImported as duplicate:
                plan.skipped.append(duplicate.message)
            except WorkbenchError as error:
                plan.errors.append(error)
        return plan

    def _prepare_one(self, source: Source, participant: str | None) -> PreparedImport:
        data = read_source(source.path) if source.data is None else source.data
        sha256 = hashlib.sha256(data).hexdigest()
        self._refuse_if_imported(source, sha256)
        transcript = read_transcript(source.path, data)
        participant_id, warnings = _attribute(source.path, transcript, participant)
        return PreparedImport(source, data, sha256, transcript, participant_id, transcript.warnings + warnings)

    def commit_import(
        self, prepared: Sequence[PreparedImport], *, progress: Progress | None = None
    ) -> list[DocumentSummary]:
        """Segment and write each prepared transcript, one transaction per file; return the new documents.

        All in this process (the app's path: a threaded server must not fork), for the few files of an upload.
        """
        with SentenceSplitter() as splitter:
            for item in prepared:
                splitter.submit(item.transcript)
            parsed = (
                _parsed(item.source.path.name, item.data, item.sha256, item.participant_id, item.transcript, spans)
                for item, spans in zip(prepared, splitter.results(), strict=True)
            )
            return self.documents(self._write_parsed(parsed, len(prepared), progress))

    def import_files(
        self,
        sources: Sequence[Source],
        *,
        participant: str | None = None,
        participants_csv: Path | None = None,
        progress: Progress | None = None,
        workers: int | None = None,
    ) -> tuple[list[DocumentSummary], ImportCheck]:
        """Import every file or none: if any file (or the participants CSV) is bad, raise before writing anything.

        Returns the new documents and the check (whose ``skipped`` lists files that were already imported).
        ``workers`` is the number of sentence-splitting processes; by default one per core for a batch of files.

        The batch streams, so a thousand transcripts take little more memory than a few. A first pass reads and
        parses every file (in the workers, a few files ahead) and keeps only its hash, participant and warnings,
        except for the first files, up to KEEP_READY_BYTES, which it also splits into sentences and keeps ready to
        write. Only when every file is good does the second pass write those, then read each further file again,
        parse and split it in the workers, and write it in its own transaction as soon as it is ready. A file whose
        content changed between the passes stops the import there, with the files before it imported whole.
        """
        roster = read_participants_csv(participants_csv) if participants_csv else None
        if workers is None:
            workers = SentenceSplitter.workers_for(len(sources))
        with SentenceSplitter(workers) as splitter:
            check, kept = self._check_files(sources, participant, splitter, progress)
            if check.errors:
                raise ImportFailed(check.errors)
            if roster is not None:
                source = participants_csv.name if participants_csv else ""
                with self._store.transaction(self.actor, "load participants", {"source": source, "count": len(roster)}):
                    self._write_participants(roster)
            # The files kept ready by the check are the first ones (the check keeps files until its budget is spent).
            head = list(takewhile(lambda item: item.sha256 in kept, check.ready))
            jobs = (
                (item.source.path, _reread(item), item.sha256, item.participant_id) for item in check.ready[len(head) :]
            )
            parsed = chain((kept.pop(item.sha256) for item in head), _written(splitter.map(_parse_and_split, jobs)))
            return self.documents(self._write_parsed(parsed, len(check.ready), progress)), check

    def _check_files(
        self,
        sources: Sequence[Source],
        participant: str | None,
        splitter: SentenceSplitter,
        progress: Progress | None,
    ) -> tuple[ImportCheck, dict[str, _Parsed]]:
        """Read and parse every file (in the workers, if any) and say which can be imported.

        Returns the check, and the first files ready to write (parsed and split), by hash, up to KEEP_READY_BYTES.
        """
        check = ImportCheck()
        seen: dict[str, str] = {}
        wanted: deque[tuple[int, Source, str]] = deque()
        errors: list[tuple[int, WorkbenchError]] = []  # by the file's place in the batch, to report them in order
        kept: dict[str, _Parsed] = {}
        kept_bytes = 0

        def jobs() -> Iterator[tuple[Path, bytes, str, str | None, bool]]:
            for done, source in enumerate(sources):
                if progress:
                    progress(done, len(sources), f"checking {source.path.name}")
                try:
                    data = read_source(source.path) if source.data is None else source.data
                    sha256 = hashlib.sha256(data).hexdigest()
                    if sha256 in seen:
                        raise _AlreadyImported(f"{source.path.name}: same content as {seen[sha256]}; skipped")
                    self._refuse_if_imported(source, sha256)
                except _AlreadyImported as duplicate:
                    check.skipped.append(duplicate.message)
                    continue
                except WorkbenchError as error:
                    errors.append((done, error))
                    continue
                seen[sha256] = source.path.name
                wanted.append((done, source, sha256))
                yield source.path, data, sha256, participant, kept_bytes < KEEP_READY_BYTES

        # map() takes the next job before it yields that job's result, so ``wanted`` always holds its file.
        for attributed, warnings, refusal, ready in splitter.map(_check_one, jobs()):
            place, source, sha256 = wanted.popleft()
            if refusal is not None:
                errors.append((place, refusal()))
                continue
            check.ready.append(CheckedFile(source, sha256, attributed, warnings))
            if ready is not None and not errors:  # after an error, nothing will be written: keep nothing
                kept[sha256] = ready
                kept_bytes += ready.size
        check.errors = [error for _, error in sorted(errors, key=lambda entry: entry[0])]
        if progress:
            progress(len(sources), len(sources), "checked")
        return check, kept

    def _refuse_if_imported(self, source: Source, sha256: str) -> None:
        existing = self._store.query("SELECT id, source_name FROM documents WHERE sha256 = ?", [sha256])
        if existing:
            document, name = existing[0]["id"], existing[0]["source_name"]
            raise _AlreadyImported(
                f"{source.path.name}: already in the project as document {document} ({name}); skipped"
            )

    def _write_parsed(self, parsed: Iterable[_Parsed], total: int, progress: Progress | None) -> list[int]:
        """Write each parsed transcript as it comes, one file at a time; return the new document ids."""
        imported: list[int] = []
        for done, item in enumerate(parsed):
            if progress:
                progress(done, total, f"importing {item.name}")
            # The key store is written first: if we are stopped between the two writes, it holds an unreferenced
            # original (harmless) and project.db holds nothing of the file. Until a reviewer signs the transcript
            # off, its text and speaker names stay in the key store; project.db keeps only its outline.
            self._keys.keep_original(item.sha256, item.name, item.data, item.working_copy, self.actor)
            imported.append(self._write_document(item))
        if progress:
            progress(total, total, "done")
        return imported

    def _write_document(self, item: _Parsed) -> int:
        payload = {"source": item.name, "sha256": item.sha256, "participant": item.participant_id}
        with self._store.transaction(self.actor, "import transcript", payload) as audit:
            self._store.ensure_participant(item.participant_id)
            document_id = self._store.insert_document(
                {
                    "participant_id": item.participant_id,
                    "source_name": item.name,
                    "source_format": item.format,
                    "sha256": item.sha256,
                    "text": "",
                    "words": item.words,
                    "turns": item.turns,
                    "imported_at": utc_now(),
                    "imported_by": self.actor,
                }
            )
            audit.update(document=document_id, turns=item.turns, sentences=item.sentences)
        log.info("imported %s as document %s", item.name, document_id)
        return document_id

    # --- reading --------------------------------------------------------------------------------------------------

    def documents(self, ids: Sequence[int] | None = None) -> list[DocumentSummary]:
        """Return the transcripts in the project (or those with the given ids), ordered by participant."""
        if ids is None:  # every page lists them: kept while the transcripts, participants and settings are unchanged
            return cached(self._store, "documents", partial(self._read_documents, None), weight=len, catalogue=True)
        return self._read_documents(ids)

    def _read_documents(self, ids: Sequence[int] | None) -> list[DocumentSummary]:
        template = self.citation_template
        where = f"WHERE d.id IN ({', '.join('?' for _ in ids)})" if ids is not None else ""
        rows = self._store.db.execute(
            f"""
            SELECT d.id, d.participant_id, p.label, d.source_name, d.source_format, d.status, d.words,
                   d.imported_at, d.imported_by, d.turns
            FROM documents d JOIN participants p ON p.id = d.participant_id {where}
            """,
            list(ids or []),
        )
        summaries = [
            DocumentSummary(
                id=did,
                participant_id=pid,
                citation=citation_for(template, Participant(pid, label)),
                source_name=source_name,
                source_format=source_format,
                status=status,
                turns=turns,
                words=words,
                imported_at=imported_at,
                imported_by=imported_by,
            )
            for did, pid, label, source_name, source_format, status, words, imported_at, imported_by, turns in rows
        ]
        return sorted(summaries, key=lambda summary: (_natural_key(summary.participant_id), summary.id))

    def document(self, document_id: int, purpose: str = "read by coders") -> DocumentRecord:
        """Return one signed-off transcript with its anonymised turns and sentences.

        The gate: a transcript no ethics reviewer has signed off is refused with NotSignedOff, whatever the purpose
        ("coded", "quoted", "exported"...), because its text has not been released from the key store.
        """
        self.review.require_signed_off([document_id], purpose)
        return self._read_document(document_id)

    def working_document(self, document_id: int) -> DocumentRecord:
        """The transcript as imported, before anonymisation: for the ethics reviewer only, never for coders.

        Read from the key store, with the same turns and sentences the released text will have.
        """
        summary = self.documents([document_id])
        if not summary:
            raise ProjectError(f"there is no document {document_id} in this project")
        working = self.review.working_copy(document_id)
        text: str = working["text"]
        turns: list[TurnRecord] = []
        sentences: list[SentenceRecord] = []
        for number, turn in enumerate(json.loads(working["turns"]), 1):
            turn_id = f"d{document_id}.t{number}"
            start, end = turn["start"], turn["end"]
            turns.append(
                TurnRecord(
                    turn_id,
                    turn["speaker"],
                    turn["role"],
                    start,
                    end,
                    text[start:end],
                    turn.get("start_time"),
                    turn.get("end_time"),
                )
            )
            for sentence_number, (s, e) in enumerate(turn["sentences"], 1):
                sentences.append(SentenceRecord(f"{turn_id}.s{sentence_number}", turn_id, s, e, text[s:e]))
        first = summary[0]
        return DocumentRecord(
            id=document_id,
            participant_id=first.participant_id,
            citation=first.citation,
            source_name=first.source_name,
            source_format=first.source_format,
            status=first.status,
            text=text,
            metadata=json.loads(working["metadata"]),
            turns=turns,
            sentences=sentences,
        )

    def export_documents(self, document_ids: Sequence[int]) -> list[DocumentRecord]:
        """Signed-off transcripts for export, after a fresh residual scan; refused if any is unsigned or the scan
        finds a possible identifier (reopen that transcript's review and decide it)."""
        self.review.require_signed_off(document_ids, "exported")
        residual = self.review.residual_scan(document_ids)
        if residual:
            where = ", ".join(sorted({str(item.document_id) for item in residual}))
            raise ResidualFound(
                f"export refused: the residual scan found {len(residual)} possible identifier"
                f"{'s' if len(residual) != 1 else ''} in signed-off document{'s' if ',' in where else ''} {where}; "
                "see `workbench anonymise report` and reopen the review to decide them"
            )
        return [self._read_document(document_id) for document_id in document_ids]

    def _read_document(self, document_id: int) -> DocumentRecord:
        rows = self._store.query(
            "SELECT d.*, p.label FROM documents d JOIN participants p ON p.id = d.participant_id WHERE d.id = ?",
            [document_id],
        )
        if not rows:
            raise ProjectError(f"there is no document {document_id} in this project")
        row = rows[0]
        text: str = row["text"]
        turns: list[TurnRecord] = []
        sentences: list[SentenceRecord] = []
        for segment in self._store.query(
            'SELECT id, kind, parent_id, speaker, role, start, "end", metadata FROM segments '
            "WHERE document_id = ? ORDER BY position",
            [document_id],
        ):
            start, end = segment["start"], segment["end"]
            if segment["kind"] == "turn":
                times = json.loads(segment["metadata"])
                turns.append(
                    TurnRecord(
                        segment["id"],
                        segment["speaker"],
                        segment["role"],
                        start,
                        end,
                        text[start:end],
                        times.get("start_time"),
                        times.get("end_time"),
                    )
                )
            else:
                sentences.append(SentenceRecord(segment["id"], segment["parent_id"], start, end, text[start:end]))
        return DocumentRecord(
            id=row["id"],
            participant_id=row["participant_id"],
            citation=citation_for(self.citation_template, Participant(row["participant_id"], row["label"])),
            source_name=row["source_name"],
            source_format=row["source_format"],
            status=row["status"],
            text=text,
            metadata=json.loads(row["metadata"]),
            turns=turns,
            sentences=sentences,
        )

    def quotes(self, wanted: QuoteFilter | None = None, *, limit: int | None = None) -> list[Quote]:
        """The live codings that pass the filter as quotes: the coded words cut from the released text by their
        offsets, cited "(Case Worker 12)"."""
        return Quotes(self._store, self._citer()).find(wanted, limit=limit)

    def quote_context(self, quote: Quote, *, around: int = 1) -> list[ContextTurn]:
        """The turn holding a quote, with ``around`` turns before and after it."""
        return Quotes(self._store, self._citer()).context(quote, around=around)

    @property
    def search(self) -> Search:
        """Full-text search, keyword in context and keyword spread over the released text."""
        return Search(self._store, self._citer())

    @property
    def analysis(self) -> Analysis:
        """The participant x code matrix, ranked codes, cross-tabs and co-occurrence as pandas tables."""
        return Analysis(self._store, self._citer(brackets=False), people_noun(self.citation_template))

    def _citer(self, *, brackets: bool = True) -> Callable[[str, str | None], str]:
        """The citation function for this moment's label template: (participant id, label) -> "(Case Worker 12)"."""
        template = self.citation_template
        if not brackets:
            return lambda participant, label: citation_for(template, Participant(participant, label))
        return lambda participant, label: f"({citation_for(template, Participant(participant, label))})"

    def audit_log(self, limit: int = 200) -> list[AuditEntry]:
        """Return the most recent writes, newest first."""
        rows = self._store.query("SELECT at, actor, action, payload FROM audit ORDER BY id DESC LIMIT ?", [limit])
        return [AuditEntry(row["at"], row["actor"], row["action"], json.loads(row["payload"])) for row in rows]


def _turn_entry(turn: Turn | TurnRecord, sentences: Sequence[tuple[int, int]]) -> dict[str, Any]:
    """One turn as the key store's working copy keeps it, with its sentence spans."""
    return {
        "speaker": turn.speaker,
        "role": turn.role,
        "start": turn.start,
        "end": turn.end,
        "start_time": turn.start_time,
        "end_time": turn.end_time,
        "sentences": [list(span) for span in sentences],
    }


def _working_copy(transcript: Transcript, sentences: TurnSpans) -> tuple[str, str, str]:
    """The identifiable text of a transcript as the key store keeps it: text, metadata JSON, turns JSON."""
    turns = [_turn_entry(turn, spans) for turn, spans in zip(transcript.turns, sentences, strict=True)]
    return (
        transcript.text,
        json.dumps(transcript.metadata, ensure_ascii=False),
        json.dumps(turns, ensure_ascii=False),
    )


def _attribute(path: Path, transcript: Transcript, participant: str | None) -> tuple[str, list[str]]:
    """Return the participant a transcript belongs to and any warning about conflicting evidence."""
    if participant is not None and participant.strip():
        return normalise_participant_id(participant), []
    from_header = _participant_from_metadata(transcript.metadata)
    from_name = participant_from_filename(path)
    for found in (from_header, transcript.participant_hint, from_name):
        if found is not None:
            warnings = []
            if from_name is not None and from_name != found:
                warnings.append(f"the transcript names participant {found} but the file name suggests {from_name}")
            return found, warnings
    raise TranscriptError(
        path,
        "does not say which participant it belongs to (no 'Case Worker N' or 'CWN' speaker label, and no number in "
        "the file name); give one with --participant ID",
    )


def _participant_from_metadata(metadata: dict[str, str]) -> str | None:
    for key, value in metadata.items():
        if key.strip().casefold() in _PARTICIPANT_FIELDS:
            candidate = normalise_participant_id(value)
            if candidate.isdigit():
                return candidate
    return None


def _natural_key(value: str) -> tuple[int, int | str]:
    return (0, int(value)) if value.isdigit() else (1, value.casefold())
