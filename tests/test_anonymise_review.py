"""The ethics review on the sample study: decisions, placeholders, the key store, the sign-off gate, the report."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import docx
import pytest

from tests.conftest import FIXTURES, database_dump, run_cli, write
from workbench.anonymise.report import build_ethics_report, render_markdown, write_ethics_report
from workbench.errors import NotSignedOff, ResidualFound, ReviewError
from workbench.project import Project, Source

# The identifiers planted in the sample study (transcripts_sample/README.md) and their transcripts.
PLANTED = {
    "cw03.docx": ["Denise", "14 Meadow Lane"],
    "cw09.txt": ["07700 900461", "Brightwater Homecare"],
    "cw13.docx": ["999 000 0018", "Mrs Okafor", "AB1 2CD"],
}
ORIGINALS = [identifier for identifiers in PLANTED.values() for identifier in identifiers]


def _document_id(project: Project, source_name: str) -> int:
    return next(d.id for d in project.documents() if d.source_name == source_name)


def _review_everything(project: Project) -> None:
    """Accept the planted identifiers, reject everything else, and sign all three transcripts off."""
    for source_name, identifiers in PLANTED.items():
        document_id = _document_id(project, source_name)
        for candidate in project.review.candidates(document_id):
            if candidate.status == "pending":
                project.review.decide(candidate.id, candidate.text in identifiers)
        project.review.signoff(document_id, "Ruth Reviewer")


def _project_db_text(folder: Path) -> str:
    connection = sqlite3.connect(folder / "project.db")
    try:
        return "\n".join(connection.iterdump())
    finally:
        connection.close()


def test_the_scan_finds_every_planted_identifier_of_the_sample_study(sample_project_folder: Path) -> None:
    with Project.open(sample_project_folder) as project:
        for source_name, identifiers in PLANTED.items():
            found = [c.text for c in project.review.candidates(_document_id(project, source_name))]
            assert set(identifiers) <= set(found), (source_name, found)


def test_originals_never_reach_project_db_before_or_after_review(sample_copy: Path) -> None:
    before = _project_db_text(sample_copy)
    assert not [original for original in ORIGINALS if original in before]
    with Project.open(sample_copy, actor="ruth") as project:
        _review_everything(project)
        texts = {d.source_name: project.document(d.id).text for d in project.documents()}
    after = _project_db_text(sample_copy)
    assert not [original for original in ORIGINALS if original in after]
    exported = run_cli("transcripts", str(sample_copy), "--json")
    assert exported.exit_code == 0 and exported.stdout.count('"citation"') == 16
    assert not [original for original in ORIGINALS if original in exported.stdout]
    assert "Her daughter, {family member 1}, rang me" in texts["cw03.docx"]
    assert "a little terrace at {address}." in texts["cw03.docx"]
    assert "our team manager was {manager 2}, and" in texts["cw13.docx"]  # the transcriber already used {manager}
    # ...while the key store still holds the originals and the map, for the ethics reviewer.
    connection = sqlite3.connect(sample_copy / "keystore" / "keys.db")
    try:
        mapping = dict(connection.execute("SELECT original, category FROM placeholders").fetchall())
    finally:
        connection.close()
    assert mapping["Denise"] == "family member" and mapping["Mrs Okafor"] == "manager"


def test_segments_of_the_released_text_are_its_own_slices(sample_copy: Path) -> None:
    with Project.open(sample_copy) as project:
        _review_everything(project)
        record = project.document(_document_id(project, "cw03.docx"))
        working = project.working_document(record.id)
    assert len(record.turns) == len(working.turns) and len(record.sentences) == len(working.sentences)
    for segment in [*record.turns, *record.sentences]:
        assert segment.text == record.text[segment.start : segment.end]
        assert segment.text.count("{") == segment.text.count("}")  # no segment holds half a placeholder
    assert any("{family member 1}" in sentence.text for sentence in record.sentences)


def test_the_gate_refuses_unsigned_transcripts_for_coders_and_export(sample_copy: Path) -> None:
    with Project.open(sample_copy) as project:
        unsigned = _document_id(project, "cw03.docx")
        with pytest.raises(NotSignedOff, match=r"document \d+ \(cw03.docx\) cannot be coded: an ethics reviewer"):
            project.document(unsigned, "coded")
        with pytest.raises(NotSignedOff, match="cannot be exported"):
            project.export_documents([unsigned])
    result = run_cli("transcripts", str(sample_copy), "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert "cw03.docx) cannot be exported: an ethics reviewer has not signed off" in result.stderr


def test_sign_off_is_refused_while_candidates_are_undecided(sample_copy: Path) -> None:
    with Project.open(sample_copy) as project:
        document_id = _document_id(project, "cw03.docx")
        with pytest.raises(ReviewError, match=r"still has 3 undecided candidates"):
            project.review.signoff(document_id, "Ruth Reviewer")
        assert project.documents([document_id])[0].status == "in review"


def test_one_person_keeps_one_placeholder_across_transcripts(project: Project, tmp_path: Path) -> None:
    first = write(tmp_path, "cw01.txt", "Interviewer: Who helps?\n\nCase Worker 1: Her son, Gary Pickering, mostly.\n")
    second = write(
        tmp_path, "cw02.txt", "Interviewer: And then?\n\nCase Worker 2: Gary rang me. Then Mr Pickering came.\n"
    )
    project.import_files([Source(first), Source(second)])
    project.review.scan()
    for document in project.documents():
        for candidate in project.review.candidates(document.id):
            project.review.decide(candidate.id, True)
        project.review.signoff(document.id, "Ruth")
    texts = [project.document(d.id).text for d in project.documents()]
    assert "Her son, {family member 1}, mostly." in texts[0]
    assert "{family member 1} rang me. Then {family member 1} came." in texts[1]


def test_apply_to_every_occurrence_and_an_edited_placeholder(project: Project, tmp_path: Path) -> None:
    for number in (1, 2):
        text = f"Interviewer: Agency?\n\nCase Worker {number}: Brightwater Homecare, always Brightwater Homecare.\n"
        project.import_files([Source(write(tmp_path, f"cw0{number}.txt", text))])
    project.review.scan()
    first = project.review.candidates(project.documents()[0].id)[0]
    decided = project.review.decide(first.id, True, placeholder="{home care agency}", everywhere=True)
    assert decided == 4
    for document in project.documents():
        assert {c.status for c in project.review.candidates(document.id)} == {"accepted"}
        project.review.signoff(document.id, "Ruth")
        assert "{home care agency}, always {home care agency}." in project.document(document.id).text
    decisions = [c for d in project.documents() for c in project.review.candidates(d.id)]
    assert {(c.decided_by, c.decided_at is not None) for c in decisions} == {("alice", True)}


def test_a_missed_name_marked_by_hand_is_replaced_and_the_residual_scan_finds_it_elsewhere(
    project: Project, tmp_path: Path
) -> None:
    one = write(tmp_path, "cw01.txt", "Interviewer: Who?\n\nCase Worker 1: The lodger, Quillon, helps a lot.\n")
    two = write(tmp_path, "cw02.txt", "Interviewer: Who?\n\nCase Worker 2: Quillon does the shopping now.\n")
    project.import_files([Source(one), Source(two)])
    project.review.scan()
    first, second = (d.id for d in project.documents())
    for document_id in (first, second):
        for candidate in project.review.candidates(document_id):
            project.review.decide(candidate.id, False)  # whatever the scan thought, the reviewer keeps it
    start = project.review.working_text(first).index("Quillon")
    assert project.review.mark(first, start, start + len("Quillon"), "service user") == 1
    project.review.signoff(first, "Ruth")
    assert "The lodger, {service user 1}, helps" in project.document(first).text
    # The second transcript was scanned before anyone knew the name: sign-off rescans with what the project knows.
    with pytest.raises(ReviewError, match="residual scan found 1 possible identifier"):
        project.review.signoff(second, "Ruth")
    residual = [c for c in project.review.candidates(second) if c.status == "pending"]
    assert [(c.text, c.placeholder) for c in residual] == [("Quillon", "{service user 1}")]


def test_ethics_report_counts_decisions_and_holds_no_original(sample_copy: Path, tmp_path: Path) -> None:
    with Project.open(sample_copy) as project:
        _review_everything(project)
        report = build_ethics_report(project)
        markdown = render_markdown(report)
        path = write_ethics_report(report, tmp_path / "ethics.docx")
    assert report.total("accepted") == len(ORIGINALS)
    assert all(entry.signed_off_by for entry in report.transcripts)
    assert "| 3 | Case Worker 3 | cw03.docx | signed off |" in markdown
    assert "Ruth Reviewer" in markdown
    word = docx.Document(str(path))
    word_text = "\n".join(
        [p.text for p in word.paragraphs] + [c.text for t in word.tables for r in t.rows for c in r.cells]
    )
    assert "Ethics report: anonymisation" in word_text and "Ruth Reviewer" in word_text
    for original in ORIGINALS:
        assert original not in markdown and original not in word_text


def test_export_reruns_the_residual_scan(project: Project, tmp_path: Path) -> None:
    path = write(tmp_path, "cw01.txt", "Interviewer: Who?\n\nCase Worker 1: Zorbrook Lettice visits her.\n")
    project.import_files([Source(path)])
    project.review.scan()
    (document,) = project.documents()
    for candidate in project.review.candidates(document.id):
        project.review.decide(candidate.id, False)
    project.review.signoff(document.id, "Ruth")
    assert project.export_documents([document.id])[0].text.endswith("Zorbrook Lettice visits her.")
    # A roster loaded later names the person: the next export refuses until the review is reopened and decided.
    project.review.load_roster(_roster(tmp_path, "original,category\nZorbrook Lettice,family member\n"))
    with pytest.raises(ResidualFound, match="export refused: the residual scan found 1 possible identifier"):
        project.export_documents([document.id])


def _roster(tmp_path: Path, content: str):  # type: ignore[no-untyped-def]
    from workbench.anonymise.lists import read_roster

    return read_roster(write(tmp_path, "roster.csv", content))


def test_cli_review_and_signoff_on_the_sample_study(sample_copy: Path, tmp_path: Path) -> None:
    folder = str(sample_copy)
    listing = run_cli("anonymise", "review", folder, "--document", "3").stdout
    assert "document 3 cw03.docx (Case Worker 3): in review, 3 to decide" in listing
    ids = {line.split()[0]: line for line in listing.splitlines()[1:]}
    denise = next(i for i, line in ids.items() if "[Denise]" in line)
    address = next(i for i, line in ids.items() if "[14 Meadow Lane]" in line)
    other = next(i for i in ids if i not in (denise, address))
    result = run_cli("anonymise", "review", folder, "--accept", denise, "--accept", address, "--reject", other)
    assert result.stdout.startswith("Recorded 3 decisions as tester\n")
    signed = run_cli("anonymise", "signoff", folder, "3", "--reviewer", "Ruth Reviewer")
    assert signed.stdout == "Signed off document 3 as Ruth Reviewer\n"
    report = run_cli("anonymise", "report", folder, "--out", str(tmp_path / "ethics.md"))
    assert report.exit_code == 0
    assert "| 3 | Case Worker 3 | cw03.docx | signed off |" in (tmp_path / "ethics.md").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["review", "{folder}", "--accept", "99999"], "Error: there is no candidate 99999\n"),
        (["signoff", "{folder}", "3", "--reviewer", "Ruth"], "Error: document 3 (cw03.docx) still has 3 undecided"),
        (["signoff", "{folder}", "1", "--reviewer", "Ruth"], "Error: document 1 (cw01.docx) is already signed off"),
        (["signoff", "{folder}", "xyz", "--reviewer", "Ruth"], "Error: DOC must be a document number or `all`"),
        (["review", "{folder}", "--mark", "Zyxwv", "--document", "3", "--category", "person"],
         "Error: 'Zyxwv' does not occur in document 3\n"),
        (["review", "{folder}", "--mark", "Denise", "--document", "3", "--category", "astronaut"],
         "Error: unknown category 'astronaut'"),
        (["report", "{folder}", "--out", "{tmp}/ethics.pdf"], "Error: ethics.pdf: the ethics report is written as"),
        (["scan", "{folder}", "--roster", "{tmp}/roster.csv"], "Error: roster.csv, line 2: unknown category"),
    ],
)  # fmt: skip
def test_bad_review_commands_say_why_in_one_line_and_change_nothing(
    sample_copy: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    write(tmp_path, "roster.csv", "original,category\nDenise,astronaut\n")
    before = database_dump(sample_copy)
    result = run_cli("anonymise", *[a.format(folder=sample_copy, tmp=tmp_path) for a in args])
    assert result.exit_code == 1
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert database_dump(sample_copy) == before


def test_anonymise_a_file_writes_the_automatic_pass(tmp_path: Path) -> None:
    out = tmp_path / "cw03.txt"
    result = run_cli("anonymise", str(FIXTURES.parent.parent / "transcripts_sample" / "cw03.docx"), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Replaced ")
    text = out.read_text(encoding="utf-8")
    assert "Her daughter, {family member 1}, rang me" in text and "{address}" in text
    assert "Denise" not in text and "14 Meadow Lane" not in text
    missing = run_cli("anonymise", str(tmp_path / "nope.docx"), "--out", str(out))
    assert missing.exit_code == 1 and missing.stderr.startswith("Error: nope.docx")
    nowhere = run_cli("anonymise", str(out), "--out", str(tmp_path / "no" / "such" / "folder.txt"))
    assert (nowhere.exit_code, nowhere.stderr.count("\n")) == (1, 1)
    assert nowhere.stderr.startswith("Error: ") and "cannot be written (No such file or directory)" in nowhere.stderr


def test_an_old_project_with_unreviewed_text_in_project_db_has_it_moved_to_the_key_store(
    project: Project, tmp_path: Path
) -> None:
    path = write(tmp_path, "cw01.txt", "Interviewer: Who?\n\nCase Worker 1: Her son, Gary, helps.\n")
    (summary,), _ = project.import_files([Source(path)])
    working = project.working_document(summary.id)
    # What the previous version wrote: the unreviewed text and its segments in project.db.
    connection = sqlite3.connect(project.folder / "project.db")
    with connection:
        connection.execute("UPDATE documents SET text = ? WHERE id = ?", [working.text, summary.id])
        connection.execute(
            'INSERT INTO segments (id, document_id, kind, position, speaker, role, start, "end") '
            "VALUES ('d1.t1', ?, 'turn', 0, 'Case Worker 1', 'participant', 0, 5)",
            [summary.id],
        )
    connection.close()
    with Project.open(project.folder) as reopened:
        assert reopened.working_document(summary.id).text == working.text
    assert "Gary" not in _project_db_text(project.folder)


def test_the_placeholder_style_is_a_project_setting(project: Project, tmp_path: Path) -> None:
    path = write(tmp_path, "cw01.txt", "Interviewer: Who?\n\nCase Worker 1: Her son, Gary, rings on 07700 900123.\n")
    project.import_files([Source(path)])
    project.review.set_style("brackets")
    project.review.scan()
    (document,) = project.documents()
    for candidate in project.review.candidates(document.id):
        project.review.decide(candidate.id, True)
    project.review.signoff(document.id, "Ruth")
    assert project.document(document.id).text.endswith("Her son, [family member 1], rings on [phone].")


def test_every_occurrence_means_the_same_words_not_the_same_category(project: Project, tmp_path: Path) -> None:
    text = (
        "Interviewer: Numbers?\n\nCase Worker 1: Hers is 07700 900123, his is 07700 900456, hers again 07700 900123.\n"
    )
    project.import_files([Source(write(tmp_path, "cw01.txt", text))])
    project.review.scan()
    (document,) = project.documents()
    first = project.review.candidates(document.id)[0]
    assert project.review.decide(first.id, True, everywhere=True) == 2
    statuses = {c.text: c.status for c in project.review.candidates(document.id)}
    assert statuses == {"07700 900123": "accepted", "07700 900456": "pending"}


def test_marking_inside_an_accepted_identifier_keeps_it_whole(sample_copy: Path) -> None:
    with Project.open(sample_copy) as project:
        document_id = _document_id(project, "cw03.docx")
        address = next(c for c in project.review.candidates(document_id) if c.text == "14 Meadow Lane")
        project.review.decide(address.id, True)
        assert project.review.mark_text(document_id, "meadow lane", "place") == 0
        assert "a little terrace at {address}." in project.review.released_text(document_id)
        with pytest.raises(ReviewError, match="'Zyxwv' does not occur in document 3"):
            project.review.mark_text(document_id, "Zyxwv", "place")


def test_hand_made_placeholders_keep_their_numbers(sample_copy: Path) -> None:
    # cw03 was typed with {service user} and {service user 2}: a newly found service user must not reuse those.
    with Project.open(sample_copy) as project:
        document_id = _document_id(project, "cw03.docx")
        denise = next(c for c in project.review.candidates(document_id) if c.text == "Denise")
        assert project.review.proposed_placeholder(denise.id, "service user") == "{service user 4}"
        project.review.decide(denise.id, True, category="service user")
        project.review.undecide(denise.id)
        assert next(c for c in project.review.candidates(document_id) if c.id == denise.id).status == "pending"
