"""The sample study ships what the issue promises: 16 synthetic interviews, the role mix, residual identifiers."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

from tests.conftest import SAMPLE
from workbench.demo import sample_files
from workbench.project import Project


def test_sixteen_interviews_mostly_docx_some_txt_one_vtt() -> None:
    files = sample_files()
    assert len(files) == 16
    suffixes = Counter(path.suffix for path in files)
    assert suffixes[".vtt"] == 1
    assert suffixes[".txt"] >= 2
    assert suffixes[".docx"] > 16 / 2


def test_participants_csv_has_the_studys_role_mix() -> None:
    with (SAMPLE / "participants.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert Counter(row["role"] for row in rows) == {
        "social worker": 10, "community care worker": 3, "project officer": 2, "homecare worker": 1
    }  # fmt: skip
    assert sum(int(row["service_users_introduced"]) for row in rows) == 33


def test_the_sample_study_imports_whole(sample_project_folder: Path) -> None:
    with Project.open(sample_project_folder) as project:
        documents = project.documents()
        assert [d.participant_id for d in documents] == [str(n) for n in range(1, 17)]
        assert all(1500 <= d.words <= 3000 for d in documents), [d.words for d in documents]
        for summary in documents:
            record = project.working_document(summary.id)
            roles = Counter(turn.role for turn in record.turns)
            assert roles["interviewer"] >= 10 and roles["participant"] >= 10, summary.source_name
            assert {t.speaker for t in record.turns if t.role == "participant"} <= {
                f"Case Worker {summary.participant_id}",
                f"CW{summary.participant_id}",
                "R",
            }
            assert "{" in record.text  # already anonymised with brace placeholders
        people = project.participants()
        assert Counter(p.role for p in people)["social worker"] == 10


def test_the_residual_identifiers_listed_in_the_readme_are_in_those_transcripts(sample_project_folder: Path) -> None:
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| (cw\d\d\.\w+) \| [^|]+ \| `([^`]+)` \|", readme, flags=re.MULTILINE)
    assert len({name for name, _ in listed}) == 3
    with Project.open(sample_project_folder) as project:
        texts = {d.source_name: project.working_document(d.id).text for d in project.documents()}
    for name, identifier in listed:
        assert identifier in texts[name], (name, identifier)
        others = [other for other, text in texts.items() if other != name and identifier in text]
        assert others == [], (identifier, others)


def test_the_demo_loads_two_coders_codings_quotes_and_memos(sample_project_folder: Path) -> None:
    with Project.open(sample_project_folder, actor="reader") as project:
        assert [c.codebook.id for c in project.codebooks.loaded()] == ["ras_evaluation", "recommendations"]
        assert project.coding.coders() == ["Alex Morgan", "Sam Okoro"]
        quotes = project.quotes()
        texts = {d.id: project.document(d.id).text for d in project.documents() if d.status == "signed off"}
        assert all(quote.text == texts[quote.document][quote.start : quote.end] for quote in quotes)
        by_coder = {
            coder: {q.participant for q in quotes if q.coder == coder} for coder in ("Alex Morgan", "Sam Okoro")
        }
        assert len(by_coder["Alex Morgan"]) == 13 and 0 < len(by_coder["Sam Okoro"]) < 13
        assert {q.code for q in quotes} >= {code.id for code in project.codebooks.codes().values() if code.depth == 1
                                           and code.id.startswith("ras.")}  # fmt: skip
        assert sum(q.key_quote for q in quotes) > 20
        assert {memo.kind for memo in project.coding.memos()} == {"memo", "future consideration", "recommendation"}
        duplication = {q.participant for q in quotes if q.code == "ras.perception.ras_form.duplication"}
        assert len(duplication) >= 10  # the study's most widely raised issue
