"""coding_counts (migration 7): live codings per document, code and coder, kept by triggers in the transaction of
every write to codings, whichever path makes it, and built from the codings when an older project is opened."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import sign_off_everything
from tests.test_refi_import import INTERVIEW, SOURCE, make_qdpx, project_xml, span
from workbench import statecache
from workbench.coding import Span
from workbench.errors import CodingError
from workbench.project import Project
from workbench.refi.import_qdpx import import_qdpx
from workbench.store import SCHEMA_VERSION

Tally = list[tuple[int, str, str, int]]


def _kept(folder: Path) -> Tally:
    connection = sqlite3.connect(folder / "project.db")
    try:
        return connection.execute(
            "SELECT document_id, code_id, coder, codings FROM coding_counts ORDER BY document_id, code_id, coder"
        ).fetchall()
    finally:
        connection.close()


def _counted(folder: Path) -> Tally:
    connection = sqlite3.connect(folder / "project.db")
    try:
        return connection.execute(
            "SELECT document_id, code_id, coder, COUNT(*) FROM codings WHERE removed_at IS NULL "
            "GROUP BY document_id, code_id, coder ORDER BY document_id, code_id, coder"
        ).fetchall()
    finally:
        connection.close()


def _in_step(project: Project) -> Tally:
    kept = _kept(project.folder)
    assert kept == _counted(project.folder)
    return kept


def test_the_counts_follow_coding_uncoding_undo_and_redo(coded: Project) -> None:
    assert _in_step(coded) == []
    first = coded.coding.apply(Span(1, "d1.t2"), "t.training")
    coded.coding.apply(Span(1, "d1.t2.s1"), "t.training")
    bob = coded.coding.as_coder("bob")
    bob.apply(Span(1, "d1.t2.s2"), "t.training")
    assert _in_step(coded) == [(1, "t.training", "alice", 2), (1, "t.training", "bob", 1)]
    coded.coding.remove(first.id)
    assert _in_step(coded) == [(1, "t.training", "alice", 1), (1, "t.training", "bob", 1)]
    coded.coding.undo()
    assert _in_step(coded) == [(1, "t.training", "alice", 2), (1, "t.training", "bob", 1)]
    coded.coding.redo()
    bob.undo()
    assert _in_step(coded) == [(1, "t.training", "alice", 1)]  # a count that falls to 0 leaves no row
    bob.redo()
    assert _in_step(coded) == [(1, "t.training", "alice", 1), (1, "t.training", "bob", 1)]


def test_the_counts_follow_merging_and_deleting_codes_and_reconciling(coded: Project) -> None:
    coded.coding.apply(Span(1, "d1.t2"), "t.training")
    coded.coding.apply(Span(1, "d1.t2.s2"), "t.paperwork")
    coded.coding.apply(Span(1, "d1.t2.s3"), "t.duplication")
    coded.coding.as_coder("bob").apply(Span(1, "d1.t2.s2"), "t.duplication")
    coded.codebooks.merge("t.duplication", "t.paperwork")
    assert _in_step(coded) == [
        (1, "t.paperwork", "alice", 2),
        (1, "t.paperwork", "bob", 1),
        (1, "t.training", "alice", 1),
    ]
    coded.codebooks.delete("t.paperwork", reassign="t.training")
    assert _in_step(coded) == [(1, "t.training", "alice", 3), (1, "t.training", "bob", 1)]
    coded.reliability.reconcile("d1.t2.s2", "t.training", True, "carol")
    assert (1, "t.training", "Agreed", 1) in _in_step(coded)
    coded.reliability.reconcile("d1.t2.s2", "t.training", False, "carol")
    assert (1, "t.training", "Agreed", 1) not in _in_step(coded)


def test_a_failed_write_leaves_the_counts_as_they_were(coded: Project) -> None:
    coded.coding.apply(Span(1, "d1.t2"), "t.training")
    before = _in_step(coded)
    with pytest.raises(CodingError):
        coded.coding.apply(Span(1, "d1.t2"), "t.training")  # the same coding twice
    assert _in_step(coded) == before


def test_codings_imported_with_a_qdpx_are_counted_at_sign_off(tmp_path: Path) -> None:
    selection = span(INTERVIEW, "the paperwork never ended")
    archive = make_qdpx(
        tmp_path / "study.qdpx", {"project.qde": project_xml([selection]), f"Sources/{SOURCE}.txt": INTERVIEW}
    )
    folder = tmp_path / "imported"
    import_qdpx(archive, folder, "alice")
    assert _kept(folder) == []  # still pending: the transcript is in review
    sign_off_everything(folder)
    assert _kept(folder) == _counted(folder) == [(1, "qualcoder.paperwork", "Ana Coder", 1)]
    with Project.open(folder, actor="alice") as project:
        assert project.codebooks.usage()["qualcoder.paperwork"].codings == 1


def test_an_older_project_gains_the_counts_of_its_codings(coded: Project) -> None:
    coded.coding.apply(Span(1, "d1.t2"), "t.training")
    removed = coded.coding.apply(Span(1, "d1.t2.s1"), "t.paperwork")
    coded.coding.remove(removed.id)
    before = (coded.codebooks.usage(), coded.analysis.matrix(), coded.analysis.ranked())
    folder = coded.folder
    coded.close()
    connection = sqlite3.connect(folder / "project.db")
    connection.executescript(
        "DROP TRIGGER coding_counts_insert; DROP TRIGGER coding_counts_delete; DROP TRIGGER coding_counts_update; "
        f"DROP TABLE coding_counts; PRAGMA user_version = {SCHEMA_VERSION - 1};"
    )
    connection.close()
    statecache.clear()
    with Project.open(folder, actor="alice") as project:
        assert project._store.schema_version == SCHEMA_VERSION
        assert _in_step(project) == [(1, "t.training", "alice", 1)]
        after = (project.codebooks.usage(), project.analysis.matrix(), project.analysis.ranked())
        project.coding.apply(Span(1, "d1.t2.s1"), "t.paperwork")  # and the triggers keep them from then on
        assert _in_step(project) == [(1, "t.paperwork", "alice", 1), (1, "t.training", "alice", 1)]
    assert before[0] == after[0] and before[1].equals(after[1]) and before[2].equals(after[2])


def test_usage_is_read_again_after_a_change(coded: Project) -> None:
    assert coded.codebooks.usage() == {}
    made = coded.coding.apply(Span(1, "d1.t2"), "t.training")
    assert coded.codebooks.usage()["t.training"].codings == 1
    coded.coding.remove(made.id)
    assert "t.training" not in coded.codebooks.usage()
