"""Results kept per transcript (statecache.per_document, migration 9's document_versions): after a write only the
transcripts it touched are read again, and what is kept never differs from a fresh read."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import INTERVIEW, TEST_CODEBOOK, sign_off_everything, write
from workbench import statecache
from workbench.coding import Span
from workbench.errors import CodingError
from workbench.project import Project, Source
from workbench.quotes import QuoteFilter
from workbench.store import MIGRATIONS, SCHEMA_VERSION, _v9_document_versions

CODES = ["t.training", "t.manager", "t.paperwork", "t.duplication"]


@pytest.fixture
def study(tmp_path: Path) -> Iterator[Project]:
    """Three signed-off interviews (documents 1-3) and the test codebook, opened by 'alice'."""
    folder = tmp_path / "study"
    Project.init(folder, actor="alice").close()
    with Project.open(folder, actor="alice") as project:
        files = [write(tmp_path, f"cw0{n}.txt", f"{INTERVIEW}CW: Interview {n} of three.\n") for n in (1, 2, 3)]
        project.import_files([Source(path) for path in files])
        project.codebooks.load(write(tmp_path, "test_book.yaml", TEST_CODEBOOK))
    sign_off_everything(folder)
    statecache.clear()
    with Project.open(folder, actor="alice") as project:
        yield project


def _read_by(project: Project) -> tuple[list[list[int]], object]:
    """A per-document read that records which transcripts it was asked to read."""
    asked: list[list[int]] = []

    def read(ids: list[int]) -> dict[int, int]:
        asked.append(sorted(ids))
        return {document: len(project.coding.codings(document)) for document in ids}

    return asked, lambda: statecache.per_document(project._store, "test counts", read, weight=lambda _: 1)


def _sentence(project: Project, document: int, number: int = 1) -> str:
    return project.document(document).sentences[number].id


def test_after_a_coding_only_its_transcript_is_read_again(study: Project) -> None:
    asked, counts = _read_by(study)
    assert counts() == {1: 0, 2: 0, 3: 0} and asked == [[1, 2, 3]]
    assert counts() == {1: 0, 2: 0, 3: 0} and len(asked) == 1  # nothing changed, nothing read
    coding = study.coding.apply(Span(2, _sentence(study, 2)), "t.training")
    assert counts() == {1: 0, 2: 1, 3: 0} and asked[-1] == [2]
    study.coding.set_key_quote(coding.id, True)
    counts()
    assert asked[-1] == [2]
    study.coding.remove(coding.id)
    assert counts() == {1: 0, 2: 0, 3: 0} and asked[-1] == [2]
    study.coding.undo()
    assert counts()[2] == 1 and asked[-1] == [2]
    study.coding.add_memo("document", 1, "a memo changes no coding")  # audited, but no transcript touched
    counts()
    assert len(asked) == 5


def test_a_coding_saved_by_another_process_is_seen(study: Project) -> None:
    asked, counts = _read_by(study)
    counts()
    with Project.open(study.folder, actor="bob") as other:  # its own connection, as another process has
        other.coding.apply(Span(3, _sentence(other, 3)), "t.manager")
    assert counts() == {1: 0, 2: 0, 3: 1} and asked[-1] == [3]


def test_a_transcript_sent_back_to_review_is_read_again(study: Project) -> None:
    asked, counts = _read_by(study)
    counts()
    spread = study.search.spread(["duplicated"])[0]
    assert (spread.participants, spread.forms) == (["1", "2", "3"], {"duplicates": 3, "duplicated": 3})
    study.review.reopen(1)
    counts()
    assert asked[-1] == [1]
    spread = study.search.spread(["duplicated"])[0]
    assert (spread.participants, spread.documents, spread.occurrences) == (["2", "3"], 2, 4)


def test_kept_parts_always_equal_a_fresh_read(study: Project) -> None:
    """Two coders code, remove and undo at random; after every step the kept tables equal those read afresh."""
    rng = random.Random(9)
    coders = {name: study.coding.as_coder(name) for name in ("alice", "bob")}
    sentences = {d: [s.id for s in study.document(d).sentences] for d in (1, 2, 3)}
    made: list[tuple[str, int]] = []

    def tables() -> tuple[object, ...]:
        reads: list[object] = [
            study.analysis.matrix().to_numpy().tolist(),
            study.analysis.ranked()[["participants", "documents", "codings"]].to_numpy().tolist(),
            *(study.analysis.quote_counts(QuoteFilter(code=code)) for code in CODES),
            study.analysis.quote_counts(QuoteFilter(theme="t.context")),
            study.analysis.quote_counts(QuoteFilter(key_only=True)),
            study.search.spread(["training", "line manager"]),
            study.quotes(),
            study.quotes(QuoteFilter(theme="t.perception")),
            study.quotes(QuoteFilter(key_only=True)),
        ]
        try:
            report = study.reliability.report()
            page = study.reliability.disagreement_page(limit=50)
            reads += [report, page.total, page.code_ids, [(n, item.segment_id, item.code_id) for n, item in page.items]]
        except CodingError:  # one coder so far, or none on the same transcript
            reads.append("no comparison")
        return tuple(reads)

    for step in range(40):
        coder = rng.choice(list(coders))
        action = rng.random()
        try:
            if action < 0.6 or not made:
                document = rng.choice([1, 2, 3])
                span = Span(document, rng.choice(sentences[document]))
                made.append((coder, coders[coder].apply(span, rng.choice(CODES), key_quote=rng.random() < 0.3).id))
            elif action < 0.85:
                who, coding = made.pop(rng.randrange(len(made)))
                coders[who].remove(coding)
            else:
                coders[coder].undo()
        except CodingError:  # the same code on the same sentence again, or nothing to undo
            continue
        kept = tables()
        statecache.clear()
        assert kept == tables(), f"step {step}"


def test_an_older_project_gains_versions_for_every_transcript(study: Project) -> None:
    folder = study.folder
    study.close()
    connection = sqlite3.connect(folder / "project.db")
    made = (
        "SELECT name FROM sqlite_master WHERE type = 'trigger' "
        "AND (name LIKE 'document_versions_%' OR name LIKE 'catalogue_%')"
    )
    for (trigger,) in connection.execute(made).fetchall():
        connection.execute(f"DROP TRIGGER {trigger}")
    connection.execute("DROP TABLE document_versions")
    connection.execute("DROP TABLE catalogue_version")
    connection.execute(f"PRAGMA user_version = {MIGRATIONS.index(_v9_document_versions)}")  # as before migration 9
    connection.commit()
    connection.close()
    statecache.clear()
    with Project.open(folder, actor="alice") as project:
        assert project._store.schema_version == SCHEMA_VERSION
        versions = dict(project._store.db.execute("SELECT document_id, version FROM document_versions").fetchall())
        assert set(versions) == {1, 2, 3}
        project.coding.apply(Span(1, _sentence(project, 1)), "t.training")
        after = dict(project._store.db.execute("SELECT document_id, version FROM document_versions").fetchall())
        assert after[1] != versions[1] and after[2] == versions[2] and after[3] == versions[3]
        catalogue = project._store.scalar("SELECT version FROM catalogue_version")
        project.set_citation_template("Social Worker {n}")
        assert project._store.scalar("SELECT version FROM catalogue_version") != catalogue


def test_lists_of_transcripts_and_participants_outlive_a_coding_not_a_catalogue_change(
    study: Project, tmp_path: Path
) -> None:
    reads: list[str] = []
    original = study._read_documents

    def counted(ids: object) -> object:
        reads.append("documents")
        return original(ids)  # type: ignore[arg-type]

    study._read_documents = counted  # type: ignore[assignment,method-assign]
    assert [d.citation for d in study.documents()] == ["Case Worker 1", "Case Worker 2", "Case Worker 3"]
    study.coding.apply(Span(1, _sentence(study, 1)), "t.training")
    hits = study.search.search("duplicated")
    study.documents()
    assert reads == ["documents"]  # the coding changed neither
    study.set_citation_template("{label}")
    assert [d.citation for d in study.documents()] == ["1", "2", "3"]  # a label defaults to the id
    study.load_participants(write(tmp_path, "people.csv", "id,label,role\n2,Alex,social worker\n"))
    assert [d.citation for d in study.documents()] == ["1", "Alex", "3"]
    assert reads == ["documents"] * 3
    assert [hit.citation for hit in study.search.search("duplicated")] == ["(1)", "(Alex)", "(3)"]
    assert [hit.citation for hit in hits] == ["(Case Worker 1)", "(Case Worker 2)", "(Case Worker 3)"]


def test_every_quote_follows_a_renamed_or_moved_code(study: Project) -> None:
    study.coding.apply(Span(2, _sentence(study, 2)), "t.training")
    assert [q.code_path for q in study.quotes(QuoteFilter(theme="t.context"))] == ["Context > Training"]
    study.codebooks.update("t.training", name="Training on the RAS")
    assert [q.code_path for q in study.quotes(QuoteFilter(theme="t.context"))] == ["Context > Training on the RAS"]
    study.codebooks.move("t.training", "t.perception")
    assert study.quotes(QuoteFilter(theme="t.context")) == []
    assert [q.theme for q in study.quotes(QuoteFilter(theme="t.perception"))] == ["t.perception"]
