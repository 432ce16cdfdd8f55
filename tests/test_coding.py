"""Coding signed-off transcripts: codings on turns, sentences and spans, memos, each coder's undo and redo,
suggestions from keywords, and the gate that keeps unreviewed text out."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import INTERVIEW, TEST_CODEBOOK, database_dump, participant_turn, write
from workbench.coding import Span
from workbench.errors import CodingError, NotSignedOff, ReviewError
from workbench.project import DocumentRecord, Project, Source
from workbench.store import SCHEMA_VERSION


def _document(project: Project) -> DocumentRecord:
    return project.document(project.documents()[0].id)


def test_a_code_on_a_turn_a_sentence_and_a_span_quotes_the_exact_words(coded: Project) -> None:
    document = _document(coded)
    turn_id, start, end = participant_turn(document)
    sentence = next(s for s in document.sentences if s.turn_id == turn_id)
    coded.coding.apply(Span(document.id, turn_id), "t.training")
    coded.coding.apply(Span(document.id, sentence.id), "t.training")
    words = document.text.index("line manager")
    coded.coding.as_coder("bob").apply(Span(document.id, start=words, end=words + 12), "t.manager", key_quote=True)
    quotes = coded.quotes()
    assert [(q.code, q.coder, q.text) for q in quotes] == [
        ("t.training", "alice", document.text[start:end]),
        ("t.training", "alice", sentence.text),
        ("t.manager", "bob", "line manager"),
    ]
    assert all(q.text == document.text[q.start : q.end] and q.citation == "(Case Worker 1)" for q in quotes)
    assert [c.segment_id for c in coded.coding.codings(document.id)][2] == turn_id  # a span belongs to its turn
    assert coded.coding.codings(document.id, coder="bob")[0].key_quote
    assert coded.coding.coders() == ["alice", "bob"]
    assert [entry.action for entry in coded.audit_log(3)] == ["code", "code", "code"]


@pytest.mark.parametrize(
    ("span", "message"),
    [
        (Span(1, "d1.t9"), "document 1 has no segment 'd1.t9'"),
        (Span(1, "d1.t2", 0, 5), "[0, 5) is not inside segment d1.t2"),
        (Span(1, start=10, end=90), "[10, 90) in document 1 is not a span within one turn"),
        (Span(1), "say what to code: a segment id, or a start and an end"),
    ],
)
def test_a_span_that_is_not_in_the_transcript_is_refused(coded: Project, span: Span, message: str) -> None:
    with pytest.raises(CodingError, match=re.escape(message)):
        coded.coding.apply(span, "t.training")
    assert coded.coding.codings() == []


def test_unknown_codes_duplicates_and_other_coders_codings_are_refused(coded: Project) -> None:
    turn_id, *_ = participant_turn(_document(coded))
    with pytest.raises(CodingError, match=r"there is no code 't.nothing'"):
        coded.coding.apply(Span(1, turn_id), "t.nothing")
    made = coded.coding.apply(Span(1, turn_id), "t.training")
    with pytest.raises(CodingError, match=r"alice has already coded document 1"):
        coded.coding.apply(Span(1, turn_id), "t.training")
    with pytest.raises(CodingError, match=f"coding {made.id} is alice's; only alice can remove it"):
        coded.coding.as_coder("bob").remove(made.id)
    coded.coding.as_coder("bob").apply(Span(1, turn_id), "t.training")  # a second coder may code the same words
    assert len(coded.coding.codings()) == 2


def test_transcripts_not_signed_off_cannot_be_coded(coded: Project, tmp_path: Path) -> None:
    coded.import_files([Source(write(tmp_path, "cw02.txt", INTERVIEW.replace("RAS form", "RAS forms")))])
    waiting = coded.documents()[1]
    before = database_dump(coded.folder)
    with pytest.raises(NotSignedOff, match=r"cannot be coded: an ethics reviewer has not signed off"):
        coded.coding.apply(Span(waiting.id, start=0, end=5), "t.training")
    assert database_dump(coded.folder) == before


def test_undo_and_redo_replay_one_coders_actions_only(coded: Project) -> None:
    turn_id, *_ = participant_turn(_document(coded))
    alice, bob = coded.coding, coded.coding.as_coder("bob")
    made = alice.apply(Span(1, turn_id), "t.training")
    bob.apply(Span(1, turn_id), "t.manager")
    alice.remove(made.id)
    assert alice.undo() == "remove a coding"
    assert [c.code_id for c in alice.codings(coder="alice")] == ["t.training"]
    assert alice.undo() == "code 1 segment"
    assert alice.codings(coder="alice") == [] and len(bob.codings(coder="bob")) == 1
    assert alice.redo() == "code 1 segment"
    assert [c.id for c in alice.codings(coder="alice")] == [made.id]
    alice.undo()
    alice.add_memo("document", 1, "Worth a second read.")  # a new action ends what could be redone
    with pytest.raises(CodingError, match=r"alice has nothing to redo"):
        alice.redo()
    with pytest.raises(CodingError, match=r"carol has nothing to undo"):
        coded.coding.as_coder("carol").undo()


def test_memos_on_codings_codes_and_documents_with_their_kinds(coded: Project) -> None:
    turn_id, *_ = participant_turn(_document(coded))
    made = coded.coding.apply(Span(1, turn_id), "t.training")
    coded.coding.add_memo("coding", made.id, "Training felt rushed to most.", kind="future consideration")
    coded.coding.add_memo("code", "t.duplication", "Ask the RAS team to merge the forms.", kind="recommendation")
    memo = coded.coding.add_memo("document", 1, "Long interview; tired towards the end.")
    coded.coding.edit_memo(memo.id, "Long interview.")
    assert [(m.target, m.kind, m.text) for m in coded.coding.memos()] == [
        ("coding", "future consideration", "Training felt rushed to most."),
        ("code", "recommendation", "Ask the RAS team to merge the forms."),
        ("document", "memo", "Long interview."),
    ]
    coded.coding.undo()
    assert coded.coding.memo(memo.id).text == "Long interview; tired towards the end."
    with pytest.raises(CodingError, match=r"a memo's kind is one of memo, future consideration, recommendation"):
        coded.coding.add_memo("code", "t.training", "x", kind="idea")
    with pytest.raises(CodingError, match=r"there is no code t.nowhere"):
        coded.coding.add_memo("code", "t.nowhere", "x")
    with pytest.raises(CodingError, match=r"a memo needs some text"):
        coded.coding.add_memo("code", "t.training", "  ")


def test_suggestions_match_lemmas_and_near_spellings_but_not_the_interviewer(coded: Project) -> None:
    outcome = coded.suggestions.run()
    found = {(s.code_id, s.matched) for s in coded.suggestions.pending()}
    assert found == {
        ("t.training", "trained"),  # "trained" is the lemma "train"; the interviewer's "training" is not offered
        ("t.paperwork", "paperwrok"),  # a near-spelling
        ("t.manager", "line manager"),
        ("t.duplication", "duplicates"),
        ("t.duplication", "duplicated"),
    }
    assert outcome.added == 5
    assert coded.coding.codings() == []  # suggestions are never codings until accepted


def test_accepted_suggestions_become_codings_and_rejected_ones_stay_rejected(coded: Project) -> None:
    coded.suggestions.run()
    pending = {s.code_id + ":" + s.matched: s for s in coded.suggestions.pending()}
    accepted = pending["t.training:trained"]
    coded.suggestions.as_coder("bob").accept([accepted.id])
    coded.suggestions.reject([pending["t.paperwork:paperwrok"].id])
    rerun = coded.suggestions.run()
    assert rerun.added == 0
    assert {s.code_id for s in coded.suggestions.pending()} == {"t.manager", "t.duplication"}
    (coding,) = coded.coding.codings()
    assert (coding.coder, coding.origin, coding.code_id) == ("bob", "suggestion", "t.training")
    assert (coding.start, coding.end) == (accepted.start, accepted.end)
    assert coded.coding.as_coder("bob").undo() == "accept 1 suggestion"
    assert coded.coding.codings() == []
    assert "t.training" in {s.code_id for s in coded.suggestions.pending()}
    with pytest.raises(CodingError, match=f"suggestion {pending['t.paperwork:paperwrok'].id} is already rejected"):
        coded.suggestions.accept([pending["t.paperwork:paperwrok"].id])


def test_a_coded_transcript_cannot_be_reopened_until_its_codings_are_removed(coded: Project) -> None:
    turn_id, *_ = participant_turn(_document(coded))
    made = coded.coding.apply(Span(1, turn_id), "t.training")
    with pytest.raises(ReviewError, match=r"has 1 coding; its released text cannot change under them"):
        coded.review.reopen(1)
    coded.coding.remove(made.id)
    coded.review.reopen(1)
    assert coded.documents()[0].status == "in review"


def test_a_project_from_before_coding_is_migrated_and_its_lemma_index_made(coded: Project) -> None:
    folder = coded.folder
    coded.close()
    connection = sqlite3.connect(folder / "project.db")  # back to schema 2: no coding tables, no lemma index
    for table in (
        "guids",
        "pending_codings",
        "reconciliations",
        "sentence_fts",
        "coding_actions",
        "suggestions",
        "memos",
        "codings",
        "codes",
        "codebooks",
    ):
        connection.execute(f"DROP TABLE {table}")
    connection.execute("ALTER TABLE segments DROP COLUMN lemmas")
    connection.execute("PRAGMA user_version = 2")
    connection.commit()
    connection.close()
    with Project.open(folder, actor="alice") as project:
        migrated = [entry.payload.get("to_version") for entry in project.audit_log(SCHEMA_VERSION - 2)]
        assert migrated == list(range(SCHEMA_VERSION, 2, -1))
        assert project.document(1).text.startswith("Interviewer: Tell me")
        project.codebooks.load(folder / "codebooks" / "test_book.yaml")
        outcome = project.suggestions.run()
        assert outcome.indexed == [1] and outcome.added == 5
        assert project.suggestions.run().indexed == []


def test_codings_imported_with_a_transcript_in_review_land_on_its_released_text(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    text = "Interviewer: Who helped?\nCW: My daughter Denise rang the RAS team about the form.\n"
    with Project.init(folder, actor="alice") as project:
        project.import_files([Source(write(tmp_path, "cw01.txt", text))])
        project.codebooks.load(write(tmp_path, "test_book.yaml", TEST_CODEBOOK))
        working = project.working_document(1).text
        start = working.index("rang the RAS team")
        project._store.db.execute(  # what a REFI-QDA import leaves for a transcript still in review
            'INSERT INTO pending_codings (document_id, code_id, start, "end", coder) VALUES (1, ?, ?, ?, ?)',
            ["t.manager", start, start + len("rang the RAS team"), "Imported Coder"],
        )
        project.review.scan()
        for candidate in project.review.candidates(1):
            project.review.decide(candidate.id, accept=candidate.text == "Denise")
        project.review.signoff(1, "Ruth Reviewer")
        (quote,) = project.quotes()
    assert (quote.text, quote.coder, quote.code) == ("rang the RAS team", "Imported Coder", "t.manager")
