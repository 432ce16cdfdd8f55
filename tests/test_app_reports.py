"""The Reports page in AppTest: the findings and recommendations drafts previewed and built as Word files, a draft
refused with every problem listed, the ethics report offered, and what the page says when there is nothing to draft."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO, sign_off_everything, write
from tests.test_app import _no_errors, _open
from tests.test_app_coding import CODEBOOK, INTERVIEW
from workbench.project import Project, Source
from workbench.ui import ethics_downloads

APP = str(REPO / "streamlit_app.py")
REPORTS_PAGE = "workbench/ui/reports_page.py"
THEMES = ["Context", "Perception of the RAS", "Benefits and outcomes"]
AREAS = ["Training", "Support", "Management support", "Case worker responsibilities"]
PLANTED_MEMO = "Ring her daughter Denise Okafor on 07700 900461."
_ESCAPE = re.compile(r"\\(.)")


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.delenv("WORKBENCH_PROJECT", raising=False)
    monkeypatch.setenv("WORKBENCH_USER", "app-tester")
    yield AppTest.from_file(APP, default_timeout=120)


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with one signed-off interview and no codebook yet."""
    folder = tmp_path_factory.mktemp("reports") / "study"
    with Project.init(folder, actor="builder") as project:
        project.import_files([Source(write(folder.parent, "cw07.txt", INTERVIEW))])
    sign_off_everything(folder)
    return folder


def _plain(markdown: str) -> str:
    """The text a reader sees in Markdown the page escaped."""
    return _ESCAPE.sub(r"\1", markdown)


def _headings(at: AppTest) -> list[str]:
    return [_plain(str(heading.value)) for heading in at.subheader]


def _quotes(at: AppTest) -> list[str]:
    """The quotations of the preview, as read: “words” (Case Worker 12)."""
    return [_plain(str(block.value)).removeprefix("> ") for block in at.markdown if str(block.value).startswith(">")]


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: str(metric.value) for metric in at.metric}


def _preview(at: AppTest) -> AppTest:
    at.button(key="report_preview").click().run()
    _no_errors(at)
    return at


# --- nothing to draft -------------------------------------------------------------------------------------------


def test_without_a_project_it_points_to_the_project_page(app: AppTest) -> None:
    app.run()
    app.switch_page(REPORTS_PAGE).run()
    _no_errors(app)
    assert app.title[0].value == "Reports"
    assert app.info[0].value == "Open a project first."


def test_a_project_with_no_codebook_or_no_codings_says_what_to_do(app: AppTest, signed: Path, tmp_path: Path) -> None:
    _open(app, signed, REPORTS_PAGE)
    assert app.info[0].value.startswith("This project has no codebook yet: load one on the Codebook page")
    assert not app.button

    study = Path(shutil.copytree(signed, tmp_path / "study"))
    with Project.open(study, actor="builder") as project:
        project.codebooks.load(write(tmp_path, "app_book.yaml", CODEBOOK))
    _open(app, study, REPORTS_PAGE)
    assert app.info[0].value.startswith("No codings yet: a draft is written from coded passages")
    assert "report_preview" not in {button.key for button in app.button}


def test_a_project_with_nothing_signed_off_says_so(app: AppTest, tmp_path: Path) -> None:
    Project.init(tmp_path / "empty", actor="builder").close()
    _open(app, tmp_path / "empty", REPORTS_PAGE)
    assert app.info[0].value.startswith("Nothing to draft yet: no transcript has been signed off")
    app.segmented_control(key="report_kind").set_value("ethics").run()
    _no_errors(app)
    assert app.info[0].value == "This project has no transcripts yet: import some on the Project page."


# --- the findings draft -----------------------------------------------------------------------------------------


def test_findings_preview_has_a_section_per_theme_and_cited_quotes(app: AppTest, sample_project_folder: Path) -> None:
    _open(app, sample_project_folder, REPORTS_PAGE)
    assert app.segmented_control(key="report_kind").value == "findings"
    assert app.multiselect(key="report_codebooks").value == ["ras_evaluation"]
    assert app.multiselect(key="report_themes").value == []
    assert app.slider(key="report_quotes").value == 3
    assert app.text_input(key="report_citation").value == "Case Worker {n}"
    assert not app.subheader
    _preview(app)
    assert _headings(app) == ["The study", *THEMES]
    quotes = _quotes(app)
    assert quotes and all(re.fullmatch(r"“.+” \(Case Worker \d+\)", quote, re.DOTALL) for quote in quotes)
    metrics = _metrics(app)
    assert metrics["Themes"] == "3" and metrics["Quotes"] == str(len(quotes))
    # What comes from transcripts is escaped: the placeholders' braces never become Markdown.
    assert any("\\{service user\\}" in str(block.value) for block in app.markdown)


def test_build_the_word_file_then_download_it(app: AppTest, sample_project_folder: Path) -> None:
    _open(app, sample_project_folder, REPORTS_PAGE)
    assert not app.download_button
    app.button(key="report_build_docx").click().run()
    _no_errors(app)
    assert [status.label for status in app.status] == ["Built the Word file: the checks passed"]
    assert [button.key for button in app.download_button] == ["report_download_docx"]
    assert app.download_button(key="report_download_docx").label == "Download the Word file"
    # AppTest has no browser to save the download: read the bytes the button was given, kept in the session.
    _, data = app.session_state["report_built"]["docx"]
    document = docx.Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings == ["The study", *THEMES]
    cited = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Quote"]
    assert cited and all(re.search(r"” \(Case Worker \d+\)$", text) for text in cited)
    # Building shows the draft the file was made from.
    assert _headings(app) == ["The study", *THEMES]

    app.button(key="report_build_md").click().run()
    _no_errors(app)
    assert [button.key for button in app.download_button] == ["report_download_docx", "report_download_md"]
    assert app.session_state["report_built"]["md"][1].decode("utf-8").startswith("# Findings\n")

    # Other choices make another draft: the files built for the old ones are no longer offered.
    app.slider(key="report_quotes").set_value(1).run()
    _no_errors(app)
    assert not app.download_button


def test_choosing_one_theme_leaves_out_the_others(app: AppTest, sample_project_folder: Path) -> None:
    _open(app, sample_project_folder, REPORTS_PAGE)
    _preview(app)
    app.multiselect(key="report_themes").select("ras.context").run()
    _no_errors(app)
    assert not app.subheader  # the preview was of other choices
    _preview(app)
    assert _headings(app) == ["The study", "Context"]
    assert _metrics(app)["Themes"] == "1"
    codes = app.multiselect(key="report_codes").options
    assert codes and all(str(code).startswith("Context > ") for code in codes)
    markdown = [_plain(str(block.value)) for block in app.markdown]
    assert "#### Training to prepare case workers" in markdown


def test_a_citation_label_for_this_draft_only(app: AppTest, sample_project_folder: Path) -> None:
    _open(app, sample_project_folder, REPORTS_PAGE)
    app.text_input(key="report_citation").input("Participant {n}").run()
    _preview(app)
    assert _quotes(app) and all(re.search(r"” \(Participant \d+\)$", quote) for quote in _quotes(app))
    app.text_input(key="report_citation").input("Participant").run()
    app.button(key="report_preview").click().run()
    assert [error.value for error in app.error] == [
        "the citation label 'Participant' must contain \\{n\\} or \\{label\\}, e\\.g\\. 'Case Worker \\{n\\}'"
    ]


# --- the recommendations draft and the ethics report ------------------------------------------------------------


def test_recommendations_preview_shows_the_four_areas(app: AppTest, sample_project_folder: Path) -> None:
    _open(app, sample_project_folder, REPORTS_PAGE)
    app.segmented_control(key="report_kind").set_value("recommendations").run()
    _no_errors(app)
    assert app.multiselect(key="report_codebooks").value == ["recommendations"]
    assert app.slider(key="report_quotes").disabled
    _preview(app)
    assert _headings(app) == AREAS
    assert _metrics(app)["Areas"] == "4"
    assert int(_metrics(app)["Recommendations"]) > 0
    # Back to the findings: their own defaults again.
    app.segmented_control(key="report_kind").set_value("findings").run()
    assert app.multiselect(key="report_codebooks").value == ["ras_evaluation"]
    assert not app.subheader


def test_ethics_report_offers_both_downloads(app: AppTest, sample_project_folder: Path) -> None:
    _open(app, sample_project_folder, REPORTS_PAGE)
    app.segmented_control(key="report_kind").set_value("ethics").run()
    _no_errors(app)
    assert {button.key: button.label for button in app.download_button} == {
        "report_ethics_docx": "Ethics report (.docx)",
        "report_ethics_md": "Ethics report (.md)",
    }
    assert "report_preview" not in {button.key for button in app.button}
    # AppTest has no browser to click a deferred download: call what the button runs.
    text = ethics_downloads.ethics_report_markdown(sample_project_folder, "app-tester").decode("utf-8")
    assert text.startswith("# Ethics report: anonymisation")


# --- a draft refused ---------------------------------------------------------------------------------------------


def test_a_draft_with_an_identifier_is_refused_with_every_problem(app: AppTest, sample_copy: Path) -> None:
    with Project.open(sample_copy, actor="Alex Morgan") as project:
        project.coding.add_memo("coding", project.quotes()[0].coding, PLANTED_MEMO, kind="future consideration")
    _open(app, sample_copy, REPORTS_PAGE)
    app.button(key="report_build_docx").click().run()
    assert not app.exception
    assert not app.download_button
    assert [status.label for status in app.status] == ["The Word file was not built"]
    [error] = [str(error.value) for error in app.error]
    head, _, listed = error.partition("\n\n")
    lines = listed.splitlines()
    assert head == f"The Word file was not built: {len(lines)} problems to fix, then build it again."
    assert [line.split(". ", 1)[0] for line in lines] == [str(number) for number in range(1, len(lines) + 1)]
    problems = _plain(listed)
    for planted in ("Denise Okafor", "07700 900461"):
        assert f"“{planted}” may identify someone" in problems
    # The refusal stays on the page until the choices change, and nothing can be downloaded.
    app.run()
    assert app.error and not app.download_button
