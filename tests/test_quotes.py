"""Quotes, search, keyword spread and the analysis tables, on the sample study's two coders."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.conftest import run_cli
from workbench.analysis import in_prose, number_in_words, people_noun
from workbench.errors import QuoteError
from workbench.exports import quote_table, safe_cell, table_bytes
from workbench.project import Project
from workbench.quotes import QuoteFilter
from workbench.search import fts_query


@pytest.fixture(scope="module")
def sample(sample_project_folder: Path) -> Iterator[Project]:
    with Project.open(sample_project_folder, actor="reader") as project:
        yield project


_PARTICIPANTS = ["1", "CW12", "Case Worker 4", "cw07", "15", "99", None]
_CODES = ["ras.context", "ras.perception.ras_form", "ras.perception.ras_form.duplication", "rec.support", None]
_THEMES = ["ras.context", "ras.benefits", "rec.training", None]
_CODERS = ["Alex Morgan", "Sam Okoro", "Nobody", None]
_TEXTS = ["RAS", "form", "the", "  needs   profile ", "zzz", "{", None]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    participant=st.sampled_from(_PARTICIPANTS),
    code=st.sampled_from(_CODES),
    subcodes=st.booleans(),
    theme=st.sampled_from(_THEMES),
    coder=st.sampled_from(_CODERS),
    text=st.sampled_from(_TEXTS),
    key_only=st.booleans(),
    role=st.sampled_from(["social worker", "project officer", None]),
)
def test_every_quote_under_any_filter_is_verbatim_at_its_offsets(
    sample: Project,
    participant: str | None,
    code: str | None,
    subcodes: bool,
    theme: str | None,
    coder: str | None,
    text: str | None,
    key_only: bool,
    role: str | None,
) -> None:
    wanted = QuoteFilter(participant, code, subcodes, theme, coder, {"role": role} if role else {}, text, key_only)
    for quote in sample.quotes(wanted):
        document = sample.document(quote.document)
        assert quote.text == document.text[quote.start : quote.end]
        assert quote.citation == f"({document.citation})"
        if participant:
            assert quote.participant == {"CW12": "12", "Case Worker 4": "4", "cw07": "7"}.get(participant, participant)
        if coder:
            assert quote.coder == coder
        if code and not subcodes:
            assert quote.code == code
        if code and subcodes:
            assert quote.code == code or quote.code.startswith(code + ".")
        if theme:
            assert quote.theme == theme
        if text:
            assert " ".join(text.split()).casefold() in quote.text.casefold()
        if key_only:
            assert quote.key_quote
        if role:
            assert quote.role == role


def test_participant_ids_match_in_every_form(sample: Project) -> None:
    counts = {form: len(sample.quotes(QuoteFilter(participant=form))) for form in ("12", "CW12", "Case Worker 12")}
    assert len(set(counts.values())) == 1 and counts["12"] > 5


def test_sub_codes_widen_a_code_and_a_theme_holds_its_codes(sample: Project) -> None:
    alone = sample.quotes(QuoteFilter(code="ras.perception.ras_form", subcodes=False))
    with_children = sample.quotes(QuoteFilter(code="ras.perception.ras_form"))
    assert {q.code for q in alone} == {"ras.perception.ras_form"}
    assert "ras.perception.ras_form.duplication" in {q.code for q in with_children}
    assert with_children[0].code_path.startswith("Perception of the RAS > The RAS form")
    theme = sample.quotes(QuoteFilter(theme="ras.context"))
    assert {q.theme for q in theme} == {"ras.context"} and len(theme) > len(alone)
    with pytest.raises(QuoteError, match=r"there is no theme 'ras.context.training'"):
        sample.quotes(QuoteFilter(theme="ras.context.training"))


def test_a_quotes_context_is_its_turn_and_its_neighbours(sample: Project) -> None:
    quote = sample.quotes(QuoteFilter(participant="4"))[3]
    context = sample.quote_context(quote, around=1)
    assert [turn.holds_quote for turn in context].count(True) == 1
    holding = next(turn for turn in context if turn.holds_quote)
    assert quote.text in holding.text and len(context) == 3


def test_exports_are_readable_and_neutralise_formulas(sample: Project) -> None:
    quotes = sample.quotes(QuoteFilter(participant="12"))
    frame = quote_table(quotes)
    frame.loc[0, "quote"] = "=HYPERLINK('http://example.invalid')"
    rows = list(csv.DictReader(io.StringIO(table_bytes(frame, "csv").decode("utf-8-sig"))))
    assert rows[0]["quote"] == "'=HYPERLINK('http://example.invalid')"
    assert rows[1]["citation"] == "(Case Worker 12)" and rows[1]["code path"]
    sheet = load_workbook(io.BytesIO(table_bytes(frame, "xlsx"))).active
    assert sheet is not None and sheet.cell(2, list(frame.columns).index("quote") + 1).value.startswith("'=")
    table = Document(io.BytesIO(table_bytes(frame, "docx"))).tables[0]
    assert table.rows[2].cells[0].text == "(Case Worker 12)" and len(table.rows) == len(quotes) + 1
    assert [safe_cell(v) for v in ("+1", "-x", "@a", "ok", 3)] == ["'+1", "'-x", "'@a", "ok", 3]


def test_search_finds_phrases_and_prefixes_with_keyword_in_context(sample: Project) -> None:
    hits = sample.search.search('"needs profile"')
    assert hits and all(hit.keyword.casefold() == "needs profile" for hit in hits)
    hit = hits[0]
    document = sample.document(hit.document)
    assert document.text[hit.keyword_start : hit.keyword_end] == hit.keyword
    assert hit.left and document.text[hit.start : hit.end] == hit.text
    prefixed = {h.keyword.casefold() for h in sample.search.search("duplicat*")}
    assert {"duplication", "duplicated"} <= prefixed
    only_12 = sample.search.search("form", participant="CW12")
    assert only_12 and {h.participant for h in only_12} == {"12"}
    coded = sample.search.search("form", code_ids=["ras.perception.ras_form.duplication"])
    assert 0 < len(coded) < len(sample.search.search("form"))


@pytest.mark.parametrize(
    ("typed", "query"),
    [
        ("duplication", '"duplication"'),
        ('"needs profile" train*', '"needs profile" "train"*'),
        ("RAS OR ILF", '"RAS" OR "ILF"'),
        ("it's (the) form", '"it\'s" "the" "form"'),
    ],
)
def test_typed_queries_become_safe_fts_queries(typed: str, query: str) -> None:
    assert fts_query(typed) == query


def test_a_query_with_nothing_to_find_is_refused(sample: Project) -> None:
    with pytest.raises(QuoteError, match="has nothing to search for"):
        sample.search.search('" * OR')


def test_spread_counts_interviews_across_word_forms(sample: Project) -> None:
    duplication, manager = sample.search.spread(["duplication", "line manager"])
    assert {"duplicated", "duplication"} <= set(duplication.forms)
    participants_with_words = {
        h.participant for query in ("duplicat*",) for h in sample.search.search(query, limit=10_000)
    }
    assert set(duplication.participants) == participants_with_words
    assert manager.forms and all(form == "line manager" for form in manager.forms)


def test_the_matrix_ranked_codes_crosstab_and_cooccurrence_agree_with_the_quotes(sample: Project) -> None:
    quotes = sample.quotes()
    matrix = sample.analysis.matrix()
    assert matrix.shape[0] == 13 and matrix.index[0] == "Case Worker 1"
    assert int(matrix.to_numpy().sum()) == len(quotes)
    presence = sample.analysis.matrix("presence")
    ranked = sample.analysis.ranked()
    duplication = "ras.perception.ras_form.duplication"
    raised_by = {q.participant for q in quotes if q.code == duplication}
    assert ranked.loc[duplication, "participants"] == len(raised_by) == presence[duplication].sum()
    assert ranked.loc[duplication, "share"] == f"{number_in_words(len(raised_by))} of the 13"
    by_role = sample.analysis.crosstab("role")
    assert by_role[duplication].sum() == len(raised_by) and "social worker" in by_role.index
    together = sample.analysis.cooccurrence("segment")
    assert (together.to_numpy() == together.to_numpy().T).all() and together.to_numpy().sum() > 0


def test_counts_read_as_report_prose() -> None:
    assert in_prose(8, 16, "case workers") == ("eight case workers", "eight of the 16")
    assert in_prose(1, 16, "case workers") == ("one case worker", "one of the 16")
    assert number_in_words(21) == "21"
    assert people_noun("Case Worker {n}") == "case workers" and people_noun("{label}") == "participants"


def test_the_cli_filters_exports_and_counts(sample_project_folder: Path, tmp_path: Path) -> None:
    folder = str(sample_project_folder)
    result = run_cli("quotes", folder, "--participant", "12", "--json")
    assert {q["citation"] for q in json.loads(result.stdout)} == {"(Case Worker 12)"}
    out = tmp_path / "quotes.docx"
    assert run_cli("quotes", folder, "--theme", "ras.context", "--out", str(out)).exit_code == 0
    assert Document(str(out)).tables[0].rows[0].cells[0].text == "Citation"
    kwic = run_cli("search", folder, "duplication", "--kwic")
    assert kwic.exit_code == 0 and "[duplication]" in kwic.stdout.casefold()
    assert run_cli("spread", folder, "duplication").stdout.startswith("duplication: 12 of 13 participants")
    matrix = run_cli("matrix", folder, "--out", str(tmp_path / "m.csv"))
    assert matrix.exit_code == 0 and (tmp_path / "m.csv").read_text("utf-8-sig").startswith("participant,ras.context")
    for args, message in [
        (("quotes", folder, "--code", "nope"), "Error: there is no code 'nope'"),
        (("quotes", folder, "--attribute", "role"), "Error: --attribute takes NAME=VALUE"),
        (("search", folder, "*"), "Error: '*' has nothing to search for"),
        (("matrix", folder, "--out", str(tmp_path / "m.pdf")), "Error: cannot export a table as 'pdf'"),
    ]:
        bad = run_cli(*args)
        assert bad.exit_code == 1 and bad.stderr.startswith(message) and bad.stderr.count("\n") == 1
