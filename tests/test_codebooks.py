"""A project's codebooks: every edit keeps the codings (they point at stable ids), the YAML file is rewritten with its
comments, and a refused edit or load leaves the project exactly as it was."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, TEST_CODEBOOK, database_dump, participant_turn, run_cli, write
from workbench.codebook import read_codebook
from workbench.coding import Span
from workbench.errors import CodebookEditError, CodebookError, WorkbenchError
from workbench.project import Project

SHIPPED = sorted((REPO / "codebooks").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_the_shipped_codebooks_are_valid_and_fully_described(path: Path) -> None:
    codebook = read_codebook(path)
    assert len(codebook.children(None)) >= 3
    for code in codebook.codes:
        assert code.definition and code.colour.startswith("#"), code.id
        if code.depth > 0:
            assert code.keywords and code.inclusion and code.exclusion and code.example, code.id


def test_the_ras_codebook_has_the_model_studys_themes() -> None:
    codebook = read_codebook(REPO / "codebooks" / "ras_evaluation.yaml")
    assert [theme.id for theme in codebook.children(None)] == ["ras.context", "ras.perception", "ras.benefits"]
    assert len(codebook.children("ras.perception")) == 8
    assert codebook.path("ras.perception.ras_form.duplication").startswith("Perception")


def _coding_on(project: Project, code_id: str, coder: str = "alice") -> int:
    turn_id, *_ = participant_turn(project.document(1))
    return project.coding.as_coder(coder).apply(Span(1, turn_id), code_id).id


def _yaml(project: Project) -> str:
    return (project.folder / "codebooks" / "test_book.yaml").read_text("utf-8")


def test_rename_describe_and_move_keep_codings_and_comments(coded: Project) -> None:
    made = _coding_on(coded, "t.training")
    coded.codebooks.update("t.training", name="Preparatory training", definition="What training was like.")
    coded.codebooks.move("t.training", "t.perception")
    code = coded.codebooks.codes()["t.training"]
    assert (code.name, code.parent) == ("Preparatory training", "t.perception")
    assert code.definition == "What training was like."
    assert coded.coding.coding(made).code_id == "t.training"
    text = _yaml(coded)
    assert "# A small codebook for the tests." in text and "# the first theme" in text
    assert "name: Preparatory training" in text
    assert read_codebook(coded.folder / "codebooks" / "test_book.yaml").code("t.training").parent == "t.perception"


def test_merge_moves_codings_memos_and_keywords_to_the_target(coded: Project) -> None:
    _coding_on(coded, "t.manager")
    _coding_on(coded, "t.training", coder="bob")
    _coding_on(coded, "t.manager", coder="bob")  # bob has both on the same turn: merged, he keeps one
    coded.coding.add_memo("code", "t.manager", "Managers vary a lot.")
    assert coded.codebooks.merge("t.manager", "t.training") == 2
    assert "t.manager" not in coded.codebooks.codes()
    assert sorted((c.coder, c.code_id) for c in coded.coding.codings()) == [
        ("alice", "t.training"),
        ("bob", "t.training"),
    ]
    assert coded.coding.memos("code", "t.training")[0].text == "Managers vary a lot."
    assert set(coded.codebooks.codes()["t.training"].keywords) == {"train", "line manager"}


def test_delete_needs_an_unused_code_or_a_reassignment(coded: Project) -> None:
    made = _coding_on(coded, "t.paperwork")
    before = database_dump(coded.folder)
    used = r"code 't.paperwork' has 1 coding and 0 memos; reassign them to another code"
    with pytest.raises(CodebookEditError, match=used):
        coded.codebooks.delete("t.paperwork")
    with pytest.raises(CodebookEditError, match=r"move or delete its sub-codes first"):
        coded.codebooks.delete("t.context")
    assert database_dump(coded.folder) == before
    coded.codebooks.delete("t.duplication")  # unused
    assert coded.codebooks.delete("t.paperwork", reassign="t.training") == 1
    assert coded.coding.coding(made).code_id == "t.training"
    assert set(coded.codebooks.codes()) == {"t.context", "t.training", "t.manager", "t.perception"}


def test_add_a_code_and_a_theme(coded: Project) -> None:
    coded.codebooks.add(parent="t.perception", id="t.faces", name="Cartoon faces", keywords=["smiley"])
    coded.codebooks.add(codebook_id="test_book", parent=None, id="t.benefits", name="Benefits", colour="#2ca02c")
    codes = coded.codebooks.codes()
    assert codes["t.faces"].parent == "t.perception" and codes["t.benefits"].depth == 0
    with pytest.raises(CodebookEditError, match=r"code id 't.faces' is already used"):
        coded.codebooks.add(parent=None, codebook_id="test_book", id="t.faces", name="Again")


def test_a_failed_edit_changes_neither_the_project_nor_the_file(coded: Project) -> None:
    before, text = database_dump(coded.folder), _yaml(coded)
    with pytest.raises((CodebookError, CodebookEditError)):
        coded.codebooks.update("t.training", colour="red")
    with pytest.raises(CodebookEditError):
        coded.codebooks.move("t.context", "t.training")  # under its own sub-code
    with pytest.raises(CodebookEditError, match=r"no code 't.nothing'"):
        coded.codebooks.update("t.nothing", name="x")
    assert database_dump(coded.folder) == before and _yaml(coded) == text


def test_reloading_a_file_that_drops_a_used_code_is_refused(coded: Project, tmp_path: Path) -> None:
    _coding_on(coded, "t.manager")
    before = database_dump(coded.folder)
    manager = '      - id: t.manager\n        name: Line-manager support\n        keywords: ["line manager"]\n'
    dropped = TEST_CODEBOOK.replace(manager, "")
    assert dropped != TEST_CODEBOOK
    with pytest.raises(CodebookError, match=r"code 't.manager' is used .1 codings. but is missing from this file"):
        coded.codebooks.load(write(tmp_path, "test_book.yaml", dropped))
    clash = "id: other\nname: Other\nthemes:\n  - id: t.training\n    name: Clash\n"
    with pytest.raises(CodebookError, match=r"code id 't.training' is already used by codebook 'test_book'"):
        coded.codebooks.load(write(tmp_path, "other.yaml", clash))
    assert database_dump(coded.folder) == before
    renamed = TEST_CODEBOOK.replace("name: Paperwork", "name: The paperwork")
    coded.codebooks.load(write(tmp_path, "test_book.yaml", renamed))
    assert coded.codebooks.codes()["t.paperwork"].name == "The paperwork"


def test_a_hand_edited_file_is_noticed_until_it_is_loaded_again(coded: Project) -> None:
    path = coded.folder / "codebooks" / "test_book.yaml"
    path.write_text(path.read_text("utf-8").replace("name: Training", "name: Training days"), "utf-8")
    assert coded.codebooks.loaded()[0].changed_on_disk
    coded.codebooks.load(path)
    assert not coded.codebooks.loaded()[0].changed_on_disk
    assert coded.codebooks.codes()["t.training"].name == "Training days"


def test_an_edit_in_the_workbench_never_overwrites_a_hand_edited_file(coded: Project) -> None:
    path = coded.folder / "codebooks" / "test_book.yaml"
    path.write_text(path.read_text("utf-8").replace("name: Training", "name: Training days"), "utf-8")
    hand_edited, before = path.read_bytes(), database_dump(coded.folder)
    result = run_cli("codebook", "rename", str(coded.folder), "t.paperwork", "The paperwork")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: codebooks/test_book.yaml was edited by hand since the workbench wrote it; load it again (`workbench "
        'codebook load`, or "Reload from the file" on the Codebook page) to take those edits in first'
    )
    assert path.read_bytes() == hand_edited
    assert database_dump(coded.folder) == before
    coded.codebooks.load(path)
    coded.codebooks.update("t.paperwork", name="The paperwork")
    assert "name: Training days" in path.read_text("utf-8") and "name: The paperwork" in path.read_text("utf-8")


def test_a_file_left_a_version_behind_by_a_failed_write_is_rewritten_not_reported(
    coded: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = coded.folder / "codebooks" / "test_book.yaml"
    before = path.read_text("utf-8")

    def refuse(*args: object) -> None:
        raise PermissionError(13, "Permission denied")

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", refuse)
        with pytest.raises(WorkbenchError, match=r"the change is saved in the project, but codebooks/test_book.yaml"):
            coded.codebooks.update("t.training", name="Training days")
    assert path.read_text("utf-8") == before
    assert [path.name for path in path.parent.iterdir()] == ["test_book.yaml"]
    # Reading the codebooks brings the file up to date: it was the workbench's, not edited by hand.
    assert not coded.codebooks.loaded()[0].changed_on_disk
    assert read_codebook(path).code("t.training").name == "Training days"
    assert [entry.action for entry in coded.audit_log(limit=2)] == ["rewrite codebook file", "edit code"]


def test_the_version_before_an_edit_put_back_by_hand_is_noticed_and_kept(coded: Project) -> None:
    path = coded.folder / "codebooks" / "test_book.yaml"
    before = path.read_text("utf-8")
    coded.codebooks.update("t.training", name="Training days")
    time.sleep(0.01)  # the file system's clock is coarser than the edit's
    path.write_text(before, "utf-8")  # as `git checkout` would
    assert coded.codebooks.loaded()[0].changed_on_disk
    assert path.read_text("utf-8") == before


def test_a_file_saved_by_hand_in_another_encoding_is_reported_not_a_crash(coded: Project) -> None:
    path = coded.folder / "codebooks" / "test_book.yaml"
    path.write_bytes(path.read_bytes().replace(b"name: Training", b"name: Training caf\xe9"))
    result = run_cli("codebook", "show", str(coded.folder))
    assert result.exit_code == 0
    assert "(its file was edited by hand: `workbench codebook load` it to take the edits in)" in result.output


def test_a_missing_file_is_written_again(coded: Project) -> None:
    path = coded.folder / "codebooks" / "test_book.yaml"
    text = path.read_text("utf-8")
    path.unlink()
    assert not coded.codebooks.loaded()[0].changed_on_disk
    assert path.read_text("utf-8") == text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty.yaml: is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "empty.yaml: is a PNG image, not a codebook"),
        (b"name: x\nthemes: [\n", "empty.yaml, line"),
    ],
)
def test_bad_codebook_files_are_refused_with_the_file_named(
    coded: Project,
    tmp_path: Path,
    content: bytes,
    message: str,
) -> None:
    before = database_dump(coded.folder)
    with pytest.raises(CodebookError, match=message):
        coded.codebooks.load(write(tmp_path, "empty.yaml", content))
    assert database_dump(coded.folder) == before


SHARED = """\
name: Shared values
defaults: &defaults   # values the codes take in
  colour: "#aabbcc"
themes:
  - id: a
    name: A
    codes:
      - &one
        id: a.one
        <<: *defaults
        name: One
      - <<: *one
        id: a.two
        name: Two
"""


def test_a_codebook_with_anchors_and_merge_keys_is_edited_or_refused_leaving_it_as_it_was(
    project: Project, tmp_path: Path
) -> None:
    project.codebooks.load(write(tmp_path, "shared.yaml", SHARED))
    path = project.folder / "codebooks" / "shared.yaml"
    assert path.read_text("utf-8") == SHARED
    assert project.codebooks.codes()["a.two"].colour == "#aabbcc"
    before, data = database_dump(project.folder), path.read_bytes()
    with pytest.raises(CodebookEditError) as caught:
        project.codebooks.delete("a.one")  # a.two takes it in
    assert str(caught.value) == (
        "shared.yaml, line 8: this edit cannot be made without changing what the YAML anchor, alias or merge key "
        "there (- &one) shares between codes; make the change in a text editor"
    )
    assert (database_dump(project.folder), path.read_bytes()) == (before, data)

    project.codebooks.update("a.two", name="Second", colour="#112233")
    project.codebooks.delete("a.two")
    project.codebooks.update("a.one", name="First")
    text = path.read_text("utf-8")
    assert text.startswith("name: Shared values\ndefaults: &defaults   # values the codes take in\n")
    assert "      - &one\n        id: a.one\n        <<: *defaults\n        name: First\n" in text
    assert project.codebooks.codes()["a.one"].colour == "#aabbcc"
    assert not project.codebooks.loaded()[0].changed_on_disk
