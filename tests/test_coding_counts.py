"""The tallies of migration 7 (coding_counts: live codings per document, code and coder; turn_codes and code_pairs:
codes applied together in a turn), kept by triggers in the transaction of every write to codings, whichever path
makes it, and built from the codings when an older project is opened."""

from __future__ import annotations

import contextlib
import random
import sqlite3
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import pytest

from tests.conftest import sign_off_everything
from tests.test_refi_import import INTERVIEW, SOURCE, make_qdpx, project_xml, span
from workbench import statecache
from workbench.coding import Span
from workbench.errors import CodingError, WorkbenchError
from workbench.project import Project
from workbench.refi.import_qdpx import import_qdpx
from workbench.store import MIGRATIONS, SCHEMA_VERSION, _v7_coding_counts

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


def _pairs(folder: Path) -> tuple[Counter[tuple[str, int, str, str]], Counter[tuple[str, int, str, str]]]:
    """code_pairs as kept, and as counted here from the codings and their turns (coder '' for anyone)."""
    connection = sqlite3.connect(folder / "project.db")
    try:
        kept = Counter({(coder, d, a, b): n for coder, d, a, b, n in connection.execute("SELECT * FROM code_pairs")})
        codes: dict[tuple[str, int, str], set[str]] = defaultdict(set)
        for document_id, turn, code_id, coder in connection.execute(
            "SELECT c.document_id, COALESCE(s.parent_id, s.id), c.code_id, c.coder FROM codings c "
            "JOIN segments s ON s.id = c.segment_id WHERE c.removed_at IS NULL"
        ):
            codes[(coder, document_id, turn)].add(code_id)
            codes[("", document_id, turn)].add(code_id)
    finally:
        connection.close()
    counted: Counter[tuple[str, int, str, str]] = Counter()
    for (coder, document_id, _), together in codes.items():
        counted.update((coder, document_id, a, b) for a, b in combinations(sorted(together), 2))
    return kept, counted


def _pair_totals(folder: Path) -> Counter[tuple[str, str, str]]:
    connection = sqlite3.connect(folder / "project.db")
    try:
        return Counter({(c, a, b): n for c, a, b, n in connection.execute("SELECT * FROM code_pair_totals")})
    finally:
        connection.close()


def _sentences(folder: Path) -> tuple[Counter[tuple[int, str, str, str]], Counter[tuple[int, str, str, str]]]:
    """sentence_codes as kept, and as counted here: a coding counts for every sentence of its transcript that it
    overlaps."""
    connection = sqlite3.connect(folder / "project.db")
    try:
        kept = Counter({(d, s, k, c): n for d, s, k, c, n in connection.execute("SELECT * FROM sentence_codes")})
        spans: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
        for document_id, sentence_id, start, end in connection.execute(
            "SELECT document_id, id, start, \"end\" FROM segments WHERE kind = 'sentence'"
        ):
            spans[document_id].append((sentence_id, start, end))
        counted: Counter[tuple[int, str, str, str]] = Counter()
        for document_id, code_id, coder, start, end in connection.execute(
            'SELECT document_id, code_id, coder, start, "end" FROM codings WHERE removed_at IS NULL'
        ):
            counted.update(
                (document_id, sentence_id, code_id, coder)
                for sentence_id, first, last in spans[document_id]
                if first < end and start < last
            )
    finally:
        connection.close()
    return kept, counted


def _in_step(project: Project) -> Tally:
    kept = _kept(project.folder)
    assert kept == _counted(project.folder)
    pairs, counted = _pairs(project.folder)
    assert pairs == counted
    totals: Counter[tuple[str, str, str]] = Counter()
    for (coder, _, first, second), turns in pairs.items():
        totals[(coder, first, second)] += turns
    assert _pair_totals(project.folder) == totals  # migration 8: code_pairs summed over the transcripts
    sentences, overlapped = _sentences(project.folder)
    assert sentences == overlapped
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
        "DROP TABLE coding_counts; DROP TABLE turn_codes; DROP TABLE code_pairs; DROP TABLE sentence_codes; "
        f"PRAGMA user_version = {MIGRATIONS.index(_v7_coding_counts)};"
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


def _cooccurrence_from_codings(folder: Path, coder: str | None) -> dict[tuple[str, str], int]:
    """Co-occurrence per segment as it was counted before migration 7: pairs of codes in the same turn of a
    signed-off transcript, each turn once."""
    connection = sqlite3.connect(folder / "project.db")
    try:
        rows = connection.execute(
            "SELECT c.document_id, c.code_id, COALESCE(s.parent_id, s.id) FROM codings c "
            "JOIN documents d ON d.id = c.document_id LEFT JOIN segments s ON s.id = c.segment_id "
            "WHERE c.removed_at IS NULL AND d.status = 'signed off' AND (? IS NULL OR c.coder = ?)",
            [coder, coder],
        ).fetchall()
    finally:
        connection.close()
    by_turn: dict[tuple[int, str], set[str]] = defaultdict(set)
    for document_id, code_id, turn in rows:
        if turn is not None:
            by_turn[(document_id, turn)].add(code_id)
    counted: Counter[tuple[str, str]] = Counter()
    for together in by_turn.values():
        counted.update(combinations(sorted(together), 2))
    return dict(counted)


def _grid_pairs(project: Project, coder: str | None) -> dict[tuple[str, str], int]:
    grid = project.analysis.cooccurrence("segment", coder=coder)
    ids = list(grid.index)
    return {
        (min(a, b), max(a, b)): int(grid.loc[a, b]) for i, a in enumerate(ids) for b in ids[i + 1 :] if grid.loc[a, b]
    }


def test_random_edits_of_the_sample_study_keep_every_tally_and_the_tables_right(sample_copy: Path) -> None:
    rng = random.Random(8)
    with Project.open(sample_copy, actor="alice") as project:
        _in_step(project)
        codes = list(project.analysis.code_names())
        coders = [project.coding.as_coder(name) for name in (*project.coding.coders(), "alice")]
        documents = [document.id for document in project.documents() if document.status == "signed off"][:3]
        segments = []  # a few turns of each transcript, and two sentences of each
        for document_id in documents:
            document = project.document(document_id)
            for turn in document.turns[:4]:
                sentences = [s.id for s in document.sentences if s.turn_id == turn.id][:2]
                segments += [(document_id, segment_id) for segment_id in (turn.id, *sentences)]
        done: Counter[str] = Counter()
        for _ in range(80):
            coder = rng.choice(coders)
            choice = rng.random()
            with contextlib.suppress(WorkbenchError):  # a coding made twice, nothing to undo, a merge refused...
                if choice < 0.55:
                    document_id, segment_id = rng.choice(segments)
                    coder.apply(Span(document_id, segment_id), rng.choice(codes))
                    done["code"] += 1
                elif choice < 0.7:
                    live = [c for c in coder.codings(rng.choice(documents)) if c.coder == coder.coder]
                    coder.remove(rng.choice(live).id)
                    done["uncode"] += 1
                elif choice < 0.85:
                    coder.undo()
                    done["undo"] += 1
                    if rng.random() < 0.5:  # any other change would drop what can be redone
                        _in_step(project)
                        coder.redo()
                        done["redo"] += 1
                else:
                    source, target = rng.sample(codes, 2)
                    project.codebooks.merge(source, target)
                    codes.remove(source)
                    done["merge"] += 1
            _in_step(project)
        assert min(done[kind] for kind in ("code", "uncode", "undo", "redo", "merge")) >= 2, done
        for who in (None, *(coder.coder for coder in coders)):
            assert _grid_pairs(project, who) == _cooccurrence_from_codings(sample_copy, who)
