"""The Quotes, Explore and Analysis pages in AppTest: quotes filtered and cited, key quotes marked, quotes exported
without live formulas, keyword in context and keyword spread, and the participant x code matrix."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO, write
from tests.test_app import _no_errors, _open, _table
from tests.test_app_coding import build_study
from workbench.project import Project
from workbench.quotes import QuoteFilter
from workbench.ui import quotes_page

APP = str(REPO / "streamlit_app.py")
QUOTES_PAGE = "workbench/ui/quotes_page.py"
EXPLORE_PAGE = "workbench/ui/explore_page.py"
ANALYSIS_PAGE = "workbench/ui/analysis_page.py"
RAS_FORM = "ras.perception.ras_form"  # a code whose codings are all on its sub-codes (duplication, faces...)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.delenv("WORKBENCH_PROJECT", raising=False)
    monkeypatch.setenv("WORKBENCH_USER", "app-tester")
    yield AppTest.from_file(APP, default_timeout=60)


def _quotes(folder: Path, **wanted: object) -> list[tuple[int, str, bool]]:
    with Project.open(folder) as project:
        return [(q.coding, q.citation, q.key_quote) for q in project.quotes(QuoteFilter(**wanted))]  # type: ignore[arg-type]


def _cited(app: AppTest) -> list[str]:
    """The copy-ready quotes on the page: “words” (Case Worker 12)."""
    return [str(block.value) for block in app.code]


@pytest.mark.parametrize("page", [QUOTES_PAGE, EXPLORE_PAGE, ANALYSIS_PAGE])
def test_pages_without_a_project_point_to_the_project_page(app: AppTest, page: str) -> None:
    app.run()
    app.switch_page(page).run()
    _no_errors(app)
    assert app.info[0].value == "Open a project first."


@pytest.mark.parametrize("page", [QUOTES_PAGE, ANALYSIS_PAGE])
def test_pages_without_codings_say_so(app: AppTest, tmp_path: Path, page: str) -> None:
    _open(app, build_study(tmp_path / "study"), page)
    assert app.info[0].value.startswith("No codings yet: code the signed-off transcripts on the Coding page")


# --- Quotes -----------------------------------------------------------------------------------------------------


def test_quotes_of_one_case_worker_are_all_cited_as_theirs(app: AppTest, sample_project_folder: Path) -> None:
    _open(app, sample_project_folder, QUOTES_PAGE)
    everyone = _quotes(sample_project_folder)
    assert app.subheader[0].value == f"{len(everyone)} quotes from 13 case workers"
    app.selectbox(key="quotes_participant").select("12").run()
    _no_errors(app)
    theirs = _quotes(sample_project_folder, participant="12")
    assert app.subheader[0].value == f"{len(theirs)} quotes from 1 case worker"
    cited = _cited(app)
    assert len(cited) == min(len(theirs), quotes_page.QUOTES_PER_PAGE) > 0
    assert all(text.startswith("“") and text.endswith("” (Case Worker 12)") for text in cited)
    assert app.query_params["participant"] == "12"


def test_a_participant_link_preselects_the_case_worker(app: AppTest, sample_project_folder: Path) -> None:
    app.session_state["project_folder"] = str(sample_project_folder)
    app.query_params["participant"] = "CW12"
    app.run()
    app.switch_page(QUOTES_PAGE).run()
    _no_errors(app)
    assert app.selectbox(key="quotes_participant").value == "12"
    assert {text.rsplit("” ", 1)[1] for text in _cited(app)} == {"(Case Worker 12)"}


def test_a_code_counts_its_sub_codes_only_when_asked(app: AppTest, sample_project_folder: Path) -> None:
    _open(app, sample_project_folder, QUOTES_PAGE)
    app.selectbox(key="quotes_code").select(RAS_FORM).run()
    with_subcodes = len(_quotes(sample_project_folder, code=RAS_FORM))
    without = len(_quotes(sample_project_folder, code=RAS_FORM, subcodes=False))
    assert with_subcodes > without
    assert app.subheader[0].value.startswith(f"{with_subcodes} quotes from ")
    app.toggle(key="quotes_subcodes").set_value(False).run()
    _no_errors(app)
    assert app.subheader[0].value.startswith(f"{without} quotes from ")


def test_theme_coder_attribute_words_and_key_quotes_narrow_the_list(app: AppTest, sample_project_folder: Path) -> None:
    _open(app, sample_project_folder, QUOTES_PAGE)
    app.selectbox(key="quotes_theme").select("ras.context")
    app.selectbox(key="quotes_coder").select("Sam Okoro")
    app.selectbox(key="quotes_role").select(("role", "social worker"))
    app.text_input(key="quotes_text").input("training")
    app.toggle(key="quotes_key_only").set_value(True).run()
    _no_errors(app)
    wanted = {"theme": "ras.context", "coder": "Sam Okoro", "attributes": {"role": "social worker"}}
    expected = _quotes(sample_project_folder, **wanted, text="training", key_only=True)
    assert 0 < len(expected) < len(_quotes(sample_project_folder, **wanted))
    assert app.subheader[0].value.startswith(f"{len(expected)} quote")
    assert [str(toggle.key) for toggle in app.toggle if str(toggle.key).startswith("quote_key_")] == [
        f"quote_key_{coding}" for coding, *_ in expected
    ]


def test_long_lists_are_shown_fifty_quotes_a_page(app: AppTest, sample_project_folder: Path) -> None:
    _open(app, sample_project_folder, QUOTES_PAGE)
    everyone = _quotes(sample_project_folder)
    assert len(_cited(app)) == 50
    app.session_state["quotes_page_number"] = 2
    app.run()
    assert app.toggle(key=f"quote_key_{everyone[50][0]}").value == everyone[50][2]
    assert app.caption[1].value.startswith(f"Quotes 51–100 of {len(everyone)}")


def test_key_quote_toggle_marks_the_coding_in_the_sidebar_name(app: AppTest, sample_copy: Path) -> None:
    _open(app, sample_copy, QUOTES_PAGE)
    app.selectbox(key="quotes_participant").select("12").run()
    coding, _, before = next(quote for quote in _quotes(sample_copy, participant="12") if not quote[2])
    app.toggle(key=f"quote_key_{coding}").set_value(True).run()
    _no_errors(app)
    assert app.success[0].value.startswith("Marked “")
    assert app.toggle(key=f"quote_key_{coding}").value is True
    assert (coding, "(Case Worker 12)", True) in _quotes(sample_copy, participant="12")
    with Project.open(sample_copy) as project:
        assert project.coding.as_coder("app-tester").history(1)[0][2] == "done"
    app.toggle(key=f"quote_key_{coding}").set_value(False).run()
    assert (coding, "(Case Worker 12)", before) in _quotes(sample_copy, participant="12")


def test_show_context_marks_the_turn_that_holds_the_quote(app: AppTest, sample_project_folder: Path) -> None:
    _open(app, sample_project_folder, QUOTES_PAGE)
    app.selectbox(key="quotes_participant").select("12").run()
    with Project.open(sample_project_folder) as project:
        quote = project.quotes(QuoteFilter(participant="12"))[0]
        turns = project.quote_context(quote)
    app.toggle(key=f"quote_context_{quote.coding}").set_value(True).run()
    _no_errors(app)
    shown = [str(element.value) for element in app.markdown]
    holding = next(turn for turn in turns if turn.holds_quote)
    assert any(f"`{holding.segment}`" in line and "the quote" in line for line in shown)
    assert sum(f"`{turn.segment}`" in line for turn in turns for line in shown) == len(turns) > 1


def test_quote_exports_start_with_the_header_and_hold_no_formula(app: AppTest, sample_copy: Path) -> None:
    rows = (REPO / "transcripts_sample" / "participants.csv").read_text("utf-8").splitlines()
    rows = [row.replace("learning disability", '"=HYPERLINK(""http://x"")"') if row.startswith("12,") else row
            for row in rows]  # fmt: skip
    with Project.open(sample_copy) as project:
        project.load_participants(write(sample_copy.parent, "participants.csv", "\n".join(rows) + "\n"))
    _open(app, sample_copy, QUOTES_PAGE)
    app.selectbox(key="quotes_participant").select("12").run()
    assert {button.key for button in app.download_button} == {"quotes_csv", "quotes_xlsx", "quotes_docx"}
    # AppTest has no browser to click a deferred download: call what the buttons run (test_browser_quotes.py clicks).
    data = quotes_page.quotes_file(sample_copy, QuoteFilter(participant="12"), "csv")
    text = data.decode("utf-8-sig")
    assert text.startswith("citation,participant,role,team,years_in_post,")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [cell for cell in cells if cell.startswith("=")]
    assert '\'=HYPERLINK("http://x")' in cells
    assert cells.count("(Case Worker 12)") == len(_quotes(sample_copy, participant="12"))
    document = docx.Document(io.BytesIO(quotes_page.quotes_file(sample_copy, QuoteFilter(participant="12"), "docx")))
    assert document.paragraphs[0].text == "Quotes"
    assert len(document.tables[0].rows) == len(_quotes(sample_copy, participant="12")) + 1


# --- Explore ----------------------------------------------------------------------------------------------------


def test_search_shows_the_keyword_in_context(app: AppTest, sample_project_folder: Path) -> None:
    _open(app, sample_project_folder, EXPLORE_PAGE)
    app.text_input(key="explore_query").input("duplication").run()
    _no_errors(app)
    kwic = _table(app, "keyword")
    assert list(kwic.columns[:4]) == ["citation", "left", "keyword", "right"]
    assert len(kwic) > 5
    assert {keyword.casefold() for keyword in kwic["keyword"]} == {"duplication"}
    assert kwic["citation"].str.fullmatch(r"\(Case Worker \d+\)").all()
    app.selectbox(key="explore_participant").select("12").run()
    assert set(_table(app, "keyword")["citation"]) == {"(Case Worker 12)"}
    app.toggle(key="explore_kwic").set_value(False).run()
    _no_errors(app)
    assert any("**duplication**" in str(line.value) for line in app.markdown)


def test_search_within_a_code(app: AppTest, sample_project_folder: Path) -> None:
    _open(app, sample_project_folder, EXPLORE_PAGE)
    app.text_input(key="explore_query").input("needs profile").run()
    everywhere = len(_table(app, "keyword"))
    app.selectbox(key="explore_code").select(RAS_FORM).run()
    _no_errors(app)
    assert 0 < len(_table(app, "keyword")) < everywhere


def test_keyword_spread_counts_participants(app: AppTest, sample_project_folder: Path) -> None:
    _open(app, sample_project_folder, EXPLORE_PAGE)
    app.text_input(key="spread_words").input("duplication, line manager").run()
    _no_errors(app)
    spread = _table(app, "forms").set_index("word or phrase")
    assert spread.loc["duplication", "participants"] == 12
    assert spread.loc["duplication", "share"] == "twelve of the 13"
    assert spread.loc["duplication", "in prose"] == "twelve case workers"
    assert "duplicated" in str(spread.loc["duplication", "forms"])
    assert list(spread.index) == ["duplication", "line manager"]


@pytest.mark.parametrize("query", ['"', "*"])
def test_a_query_with_nothing_to_search_shows_one_error(app: AppTest, sample_project_folder: Path, query: str) -> None:
    _open(app, sample_project_folder, EXPLORE_PAGE)
    app.text_input(key="explore_query").input(query).run()
    assert not app.exception
    assert len(app.error) == 1
    assert "has nothing to search for" in app.error[0].value
    assert "\n" not in app.error[0].value


# --- Analysis ---------------------------------------------------------------------------------------------------


def test_analysis_shows_the_matrix_and_the_ranked_codes(app: AppTest, sample_project_folder: Path) -> None:
    _open(app, sample_project_folder, ANALYSIS_PAGE)
    with Project.open(sample_project_folder) as project:
        names = project.analysis.code_names()
        codings = project.analysis.matrix("codings")
    matrix = app.dataframe[0].value
    assert matrix.shape == (13, len(names))
    assert list(matrix.index) == [f"Case Worker {n}" for n in (1, 2, 4, 5, 6, 7, 8, 10, 11, 12, 14, 15, 16)]
    assert list(matrix.columns) == list(names.values())
    assert matrix.to_numpy().tolist() == codings.to_numpy().tolist()
    ranked = _table(app, "prose")
    assert ranked["prose"].iloc[0] == "thirteen case workers"
    assert list(ranked["participants"]) == sorted(ranked["participants"], reverse=True)
    assert {button.key for button in app.download_button} == {"matrix_csv", "matrix_xlsx"}
    heatmap, bars = app.get("vega_lite_chart")
    spec = json.loads(heatmap.proto.spec)
    assert spec["encoding"]["x"]["scale"]["domain"] == list(matrix.index)  # every participant keeps a column
    cells = convert_arrow_bytes_to_pandas_df(heatmap.proto.data.data)
    assert (cells["codings"] > 0).all() and int(cells["codings"].sum()) == int(codings.to_numpy().sum())
    drawn = convert_arrow_bytes_to_pandas_df(bars.proto.data.data)
    assert drawn.iloc[0]["case workers"] == 13 and len(drawn) == int((ranked["participants"] > 0).sum())
    app.segmented_control(key="analysis_measure").set_value("presence").run()
    _no_errors(app)
    assert set(app.dataframe[0].value.to_numpy().ravel()) == {0, 1}


def test_analysis_by_coder_attribute_and_cooccurrence(app: AppTest, sample_project_folder: Path) -> None:
    _open(app, sample_project_folder, ANALYSIS_PAGE)
    all_coders = int(app.dataframe[0].value.to_numpy().sum())
    app.segmented_control(key="analysis_cooccurrence").set_value("overlap").run()
    _no_errors(app)
    together = app.dataframe[3].value
    assert list(together.index) == list(together.columns)
    assert int(together.to_numpy().sum()) > 0
    app.selectbox(key="analysis_coder").select("Alex Morgan").run()
    _no_errors(app)
    assert 0 < int(app.dataframe[0].value.to_numpy().sum()) < all_coders
    crosstab = app.dataframe[2].value
    assert "social worker (8)" in crosstab.columns
    app.selectbox(key="analysis_attribute").select("team").run()
    _no_errors(app)
    assert "older people (6)" in app.dataframe[2].value.columns
    # One coder's codings never overlap each other in the sample study; two coders' do.
    assert app.info[0].value == "No two codes occur together in these codings."
