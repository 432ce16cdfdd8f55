"""The Codebook and Coding pages in AppTest: load and edit a codebook (its YAML file follows), code turns, sentences
and spans, undo and redo, memos, and suggestions."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO, sign_off_everything, write
from tests.test_app import _no_errors, _open
from workbench.coding import Span
from workbench.project import Project, Source

APP = str(REPO / "streamlit_app.py")
CODEBOOK_PAGE = "workbench/ui/codebook_page.py"
CODING_PAGE = "workbench/ui/coding_page.py"
INTERVIEW = (
    "Interviewer: Tell me about the training before the RAS.\n"
    "CW7: The training was rushed. My line manager checked every form.\n"
    "Interviewer: And the paperwork?\n"
    "CW7: The paperwork duplicates the Needs Profile. I filled in the same answers twice.\n"
)
CODEBOOK = """\
# Codes for the app tests: this comment must survive every edit.
id: app_book
name: App test codebook
themes:
  - id: a.context
    name: Context
    colour: "#4C78A8"
    codes:
      - id: a.training
        name: Training
        keywords: [training]
      - id: a.manager
        name: Line-manager support
        keywords: ["line manager"]
  - id: a.process
    name: Process
    colour: "#F58518"
    codes:
      - id: a.paperwork
        name: Paperwork
        keywords: [paperwork]
"""


def build_study(folder: Path) -> Path:
    """Build a project in ``folder`` with one signed-off interview (document 1, participant 7) and the codebook."""
    with Project.init(folder, actor="builder") as project:
        project.import_files([Source(write(folder.parent, "cw07.txt", INTERVIEW))])
        project.codebooks.load(write(folder.parent, "app_book.yaml", CODEBOOK))
    sign_off_everything(folder)
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The study of build_study, built once for the module."""
    return build_study(tmp_path_factory.mktemp("coding") / "study")


@pytest.fixture
def study(built: Path, tmp_path: Path) -> Path:
    """A private copy of the built project, for a test to change."""
    return Path(shutil.copytree(built, tmp_path / "study"))


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.delenv("WORKBENCH_PROJECT", raising=False)
    monkeypatch.setenv("WORKBENCH_USER", "app-tester")
    yield AppTest.from_file(APP, default_timeout=60)


def _chips(at: AppTest) -> str:
    """The coding chips on the page (st.html), as HTML."""
    return "\n".join(str(element.value) for element in at.html if "wb-chip" in str(element.value))


def _codings(folder: Path) -> list[tuple[str, str, int, int, bool, str]]:
    with Project.open(folder) as project:
        return [(c.code_id, c.coder, c.start, c.end, c.key_quote, c.origin) for c in project.coding.codings(1)]


def _code(folder: Path, turn: int, code_id: str) -> None:
    """Code the whole of turn ``turn`` of document 1 as the coder alice."""
    with Project.open(folder, actor="alice") as project:
        project.coding.apply(Span(1, project.document(1).turns[turn - 1].id), code_id)


def _turn(folder: Path, number: int) -> tuple[str, int, int]:
    with Project.open(folder) as project:
        turn = project.document(1).turns[number - 1]
    return turn.id, turn.start, turn.end


@pytest.mark.parametrize("page", [CODEBOOK_PAGE, CODING_PAGE])
def test_pages_without_a_project_point_to_the_project_page(app: AppTest, page: str) -> None:
    app.run()
    app.switch_page(page).run()
    _no_errors(app)
    assert app.info[0].value == "Open a project first."


def test_coding_page_waits_for_sign_off_and_for_a_codebook(app: AppTest, tmp_path: Path) -> None:
    with Project.init(tmp_path / "study") as project:
        project.import_files([Source(write(tmp_path, "cw07.txt", INTERVIEW))])
    _open(app, tmp_path / "study", CODING_PAGE)
    assert app.info[0].value == "No transcript can be coded yet: 1 transcript is waiting for ethics review."
    sign_off_everything(tmp_path / "study")
    app.run()
    _no_errors(app)
    assert app.info[0].value.startswith("This project has no codebook yet")


def test_codebook_page_shows_the_tree_with_usage(app: AppTest, study: Path) -> None:
    _code(study, 2, "a.training")
    _open(app, study, CODEBOOK_PAGE)
    assert app.subheader[0].value == "App test codebook"
    tree = next(str(element.value) for element in app.html if "wb-tree" in str(element.value))
    assert "Training <code" in tree and "a.training" in tree
    assert "1 coding · 1 participant" in tree
    assert "background:#4c78a8" in tree.lower()


def test_editing_a_code_rewrites_its_yaml_file(app: AppTest, study: Path) -> None:
    _open(app, study, CODEBOOK_PAGE)
    app.selectbox(key="codebook_code").select("a.training").run()
    assert app.text_input(key="code_edit_name").value == "Training"
    app.text_input(key="code_edit_name").input("Training before the RAS")
    app.text_input(key="code_edit_keywords").input("training, course, too fast")
    app.text_area(key="code_edit_definition").input("What case workers say about their training.")
    app.run()
    app.button(key="code_edit_save").click().run()
    _no_errors(app)
    assert app.success[0].value == "Saved Training before the RAS: definition, keywords, name changed"
    saved = (study / "codebooks" / "app_book.yaml").read_text("utf-8")
    assert "name: Training before the RAS" in saved
    assert "What case workers say about their training." in saved
    assert "# Codes for the app tests: this comment must survive every edit." in saved
    assert app.text_input(key="code_edit_name").value == "Training before the RAS"
    with Project.open(study) as project:
        code = project.codebooks.codes()["a.training"]
    assert code.keywords == ("training", "course", "too fast")


def test_a_bad_codebook_upload_shows_one_error_with_its_line(app: AppTest, study: Path) -> None:
    before = (study / "codebooks" / "app_book.yaml").read_text("utf-8")
    _open(app, study, CODEBOOK_PAGE)
    broken = CODEBOOK.replace('colour: "#F58518"', 'colour: "#12"')
    app.file_uploader(key="codebook_upload").upload("app_book.yaml", broken.encode())
    app.run()
    app.button(key="codebook_load").click().run()
    assert not app.exception
    assert len(app.error) == 1
    assert app.error[0].value.startswith("app_book.yaml, line 17: ")
    assert "#12" in app.error[0].value
    assert (study / "codebooks" / "app_book.yaml").read_text("utf-8") == before


def test_loading_a_second_codebook_adds_its_tree(app: AppTest, study: Path) -> None:
    _open(app, study, CODEBOOK_PAGE)
    second = "id: second\nname: Second book\nthemes:\n  - id: s.one\n    name: One\n"
    app.file_uploader(key="codebook_upload").upload("second.yaml", second.encode())
    app.run()
    app.button(key="codebook_load").click().run()
    _no_errors(app)
    assert app.success[0].value == "Loaded Second book: 1 theme and 1 code, saved as codebooks/second\\.yaml"
    assert [header.value for header in app.subheader] == ["App test codebook", "Second book"]
    assert (study / "codebooks" / "second.yaml").is_file()


def test_add_move_merge_and_delete_codes(app: AppTest, study: Path) -> None:
    _open(app, study, CODEBOOK_PAGE)
    app.selectbox(key="codebook_code").select("a.context").run()
    app.text_input(key="code_add_id").input("a.peers")
    app.text_input(key="code_add_name").input("Support from peers").run()
    app.button(key="code_add_button").click().run()
    _no_errors(app)
    assert app.success[0].value == "Added Support from peers \\[a\\.peers\\]"
    assert app.selectbox(key="codebook_code").value == "a.peers"

    app.selectbox(key="code_move_parent").select("a.process").run()
    app.button(key="code_move").click().run()
    _no_errors(app)
    with Project.open(study) as project:
        assert project.codebooks.codes()["a.peers"].parent == "a.process"

    # a.manager is used: deleting it without a reassignment is refused; merging it tells how many codings follow.
    _code(study, 2, "a.manager")
    app.selectbox(key="codebook_code").select("a.manager").run()
    app.button(key="code_delete").click().run()
    assert [error.value for error in app.error] == [
        "Line\\-manager support is in use (1 coding, 0 memos): choose a code to reassign them to, or merge it into "
        "another code."
    ]
    app.selectbox(key="code_merge_target").select("a.training").run()
    app.button(key="code_merge").click().run()
    assert "**Line\\-manager support** into **Training**? 1 coding (1 participant)" in app.warning[0].value
    app.button(key="code_merge_confirm").click().run()
    _no_errors(app)
    assert app.success[0].value == "Merged Line\\-manager support into Training: 1 coding moved"
    assert app.selectbox(key="codebook_code").value == "a.training"
    assert [code_id for code_id, *_ in _codings(study)] == ["a.training"]

    app.selectbox(key="codebook_code").select("a.peers").run()
    app.button(key="code_delete").click().run()
    _no_errors(app)
    assert app.success[0].value == "Deleted Support from peers"
    saved = (study / "codebooks" / "app_book.yaml").read_text("utf-8")
    assert "a.peers" not in saved and "a.manager" not in saved


def test_apply_a_code_to_a_turn_see_its_chip_and_undo_it(app: AppTest, study: Path) -> None:
    turn_id, start, end = _turn(study, 2)
    _open(app, study, CODING_PAGE)
    assert app.selectbox(key="coding_coder").value == "app-tester"
    assert app.button(key="coding_undo").disabled
    app.multiselect(key=f"code_pick_{turn_id}").select("a.training").run()
    app.button(key=f"code_apply_{turn_id}").click().run()
    _no_errors(app)
    assert app.success[0].value == f"Coded turn {turn_id} with Training"
    assert "Training · app-tester · turn" in _chips(app)
    assert "background:#4c78a8" in _chips(app).lower()
    assert _codings(study) == [("a.training", "app-tester", start, end, False, "manual")]
    assert app.multiselect(key=f"code_pick_{turn_id}").value == []

    undo = app.button(key="coding_undo")
    assert undo.label == "Undo: code 1 segment"
    undo.click().run()
    _no_errors(app)
    assert app.success[0].value == "Undone (app\\-tester): code 1 segment"
    assert _codings(study) == []
    assert _chips(app) == ""
    app.button(key="coding_redo").click().run()
    assert _codings(study) == [("a.training", "app-tester", start, end, False, "manual")]


def test_code_a_sentence_and_exact_words_as_another_coder(app: AppTest, study: Path) -> None:
    turn_id, start, _ = _turn(study, 4)
    app.session_state["coding_coder"] = "Bob"
    _open(app, study, CODING_PAGE)
    app.selectbox(key=f"code_target_{turn_id}").select(f"{turn_id}.s1").run()
    app.multiselect(key=f"code_pick_{turn_id}").select("a.paperwork").select("a.process").run()
    app.button(key=f"code_apply_{turn_id}").click().run()
    _no_errors(app)
    app.selectbox(key=f"code_target_{turn_id}").select("words").run()
    app.text_input(key=f"code_words_{turn_id}").input("the  SAME answers").run()
    app.multiselect(key=f"code_pick_{turn_id}").select("a.training").run()
    app.button(key=f"code_apply_{turn_id}").click().run()
    _no_errors(app)
    assert app.success[0].value == "Coded “the same answers” with Training"
    chips = _chips(app)
    assert "Paperwork · Bob · sentence 1" in chips and "Process · Bob · sentence 1" in chips
    assert "Training · Bob · “the same answers”" in chips
    text = INTERVIEW.split("\n")[3].removeprefix("CW7: ")
    words = start + text.index("the same answers")
    assert ("a.training", "Bob", words, words + len("the same answers"), False, "manual") in _codings(study)

    app.text_input(key=f"code_words_{turn_id}").input("words not in the turn").run()
    app.multiselect(key=f"code_pick_{turn_id}").select("a.manager").run()
    app.button(key=f"code_apply_{turn_id}").click().run()
    assert [error.value for error in app.error] == [
        "those words are not in this turn: copy them from its text exactly (letter case and spaces may differ)"
    ]


def test_key_quote_memo_and_remove_on_own_codings(app: AppTest, study: Path) -> None:
    turn_id, *_ = _turn(study, 2)
    _open(app, study, CODING_PAGE)
    app.multiselect(key=f"code_pick_{turn_id}").select("a.manager").run()
    app.button(key=f"code_apply_{turn_id}").click().run()
    coding_id = _coding_ids(study)[0]
    app.button(key=f"coding_key_{coding_id}").click().run()
    _no_errors(app)
    assert _codings(study)[0][4] is True
    assert "★ Line-manager support · app-tester · turn" in _chips(app)

    app.button(key=f"coding_memo_{coding_id}").click().run()
    app.selectbox(key="memo_kind").select("future consideration")
    app.text_area(key="memo_text").input("Managers checked every form in the first weeks.").run()
    app.button(key="memo_save").click().run()
    _no_errors(app)
    assert app.success[0].value.startswith("Saved a future consideration on Line\\-manager support")
    with Project.open(study) as project:
        memos = project.coding.memos("coding", coding_id)
    assert [(m.kind, m.author, m.text) for m in memos] == [
        ("future consideration", "app-tester", "Managers checked every form in the first weeks.")
    ]
    assert app.button(key=f"coding_memo_{coding_id}").label == "Memo (1)"

    app.button(key=f"coding_remove_{coding_id}").click().run()
    _no_errors(app)
    assert _codings(study) == []


def test_document_memo_from_the_toolbar(app: AppTest, study: Path) -> None:
    _open(app, study, CODING_PAGE)
    app.button(key="coding_document_memo").click().run()
    app.text_area(key="memo_text").input("A rushed interview: the case worker was called away.").run()
    app.button(key="memo_save").click().run()
    _no_errors(app)
    assert app.button(key="coding_document_memo").label == "Memos on this transcript (1)"
    with Project.open(study) as project:
        assert [m.text for m in project.coding.memos("document", 1)] == [
            "A rushed interview: the case worker was called away."
        ]


def test_find_suggestions_then_accept_one_and_reject_the_rest(app: AppTest, study: Path) -> None:
    _open(app, study, CODING_PAGE)
    assert app.button(key="suggest_accept_all").disabled
    app.button(key="suggest_run").click().run()
    _no_errors(app)
    with Project.open(study) as project:
        pending = project.suggestions.pending(1)
    assert {s.code_id for s in pending} == {"a.training", "a.manager", "a.paperwork"}
    assert app.success[0].value == f"Found {len(pending)} new suggestions; {len(pending)} waiting in this transcript"
    assert app.button(key="suggest_accept_all").label == f"Accept all {len(pending)}"
    manager = next(s for s in pending if s.code_id == "a.manager")
    app.button(key=f"suggestion_accept_{manager.id}").click().run()
    _no_errors(app)
    assert app.success[0].value == "Accepted Line\\-manager support for “line manager”"
    assert [(code, coder, origin) for code, coder, *_, origin in _codings(study)] == [
        ("a.manager", "app-tester", "suggestion")
    ]
    assert "Line-manager support · app-tester · sentence 2" in _chips(app)
    app.button(key="suggest_reject_all").click().run()
    _no_errors(app)
    with Project.open(study) as project:
        assert project.suggestions.pending(1) == []


def test_filters_show_only_the_turns_asked_for(app: AppTest, study: Path) -> None:
    _open(app, study, CODING_PAGE)
    assert _turns_shown(app) == ["d1.t1", "d1.t2", "d1.t3", "d1.t4"]
    app.toggle(key="coding_participant_only").set_value(True).run()
    assert _turns_shown(app) == ["d1.t2", "d1.t4"]
    app.text_input(key="coding_filter_text").input("needs   profile").run()
    assert _turns_shown(app) == ["d1.t4"]
    app.text_input(key="coding_filter_text").input("").run()
    app.multiselect(key="code_pick_d1.t2").select("a.training").run()
    app.button(key="code_apply_d1.t2").click().run()
    app.multiselect(key="coding_filter_codes").select("a.training").run()
    _no_errors(app)
    assert _turns_shown(app) == ["d1.t2"]


def _turns_shown(at: AppTest) -> list[str]:
    keys = [str(button.key) for button in at.button]
    return [key.removeprefix("code_apply_") for key in keys if key.startswith("code_apply_")]


def _coding_ids(folder: Path) -> list[int]:
    with Project.open(folder) as project:
        return [c.id for c in project.coding.codings(1)]


def test_a_memo_on_a_code_from_the_codebook_page(app: AppTest, study: Path) -> None:
    _open(app, study, CODEBOOK_PAGE)
    app.selectbox(key="codebook_code").select("a.paperwork").run()
    app.button(key="code_memos").click().run()
    app.selectbox(key="memo_kind").select("recommendation")
    app.text_area(key="memo_text").input("Merge the RAS form with the Needs Profile.").run()
    app.button(key="memo_save").click().run()
    _no_errors(app)
    assert app.button(key="code_memos").label == "Memos on this code (1)"
    with Project.open(study) as project:
        memos = project.coding.memos("code", "a.paperwork")
    assert [(m.kind, m.author, m.text) for m in memos] == [
        ("recommendation", "app-tester", "Merge the RAS form with the Needs Profile.")
    ]


@pytest.mark.parametrize("page", [CODEBOOK_PAGE, CODING_PAGE])
def test_pages_render_the_sample_study(app: AppTest, sample_project_folder: Path, page: str) -> None:
    _open(app, sample_project_folder, page)
    assert app.title[0].value == ("Codebook" if page == CODEBOOK_PAGE else "Coding")


def test_a_codebook_edited_by_hand_is_reloaded_from_its_file(app: AppTest, study: Path) -> None:
    file = study / "codebooks" / "app_book.yaml"
    file.write_text(file.read_text("utf-8").replace("name: Paperwork", "name: Paperwork and forms"), "utf-8")
    _open(app, study, CODEBOOK_PAGE)
    assert app.warning[0].value.startswith("codebooks/app\\_book\\.yaml was edited outside the workbench")
    app.button(key="codebook_reload_app_book").click().run()
    _no_errors(app)
    assert app.success[0].value.startswith("Reloaded App test codebook: 2 themes and 5 codes")
    assert not app.warning
    with Project.open(study) as project:
        assert project.codebooks.codes()["a.paperwork"].name == "Paperwork and forms"


def test_long_transcripts_are_shown_a_page_of_turns_at_a_time(app: AppTest, sample_project_folder: Path) -> None:
    _open(app, sample_project_folder, CODING_PAGE)
    with Project.open(sample_project_folder) as project:
        summary = next(d for d in project.documents() if d.status == "signed off" and d.turns > 30)
        record = project.document(summary.id)
    turns = [turn.id for turn in record.turns]
    answers = [turn.id for turn in record.turns if turn.role != "interviewer"]
    app.selectbox(key="coding_document").select(summary.id).run()
    assert _turns_shown(app) == turns[:15]
    app.number_input(key="coding_page_number").set_value(2).run()
    assert _turns_shown(app) == turns[15:30]
    app.button(key="coding_next_page").click().run()
    _no_errors(app)
    assert app.number_input(key="coding_page_number").value == 3
    assert _turns_shown(app) == turns[30:45]
    app.toggle(key="coding_participant_only").set_value(True).run()
    assert app.number_input(key="coding_page_number").value == 1
    assert _turns_shown(app) == answers[:15]
