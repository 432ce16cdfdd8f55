"""Explore page: search the signed-off transcripts sentence by sentence (keyword in context, or whole sentences),
narrowed to a participant or to what is coded with a code; and see how widely words or phrases spread across the
interviews, in any of their forms."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workbench.analysis import in_prose
from workbench.errors import WorkbenchError
from workbench.project import Project
from workbench.search import Hit
from workbench.ui.code_chips import CodeIndex, keywords_from
from workbench.ui.common import escape_markdown, open_project, sidebar
from workbench.ui.findings import counted, participants, ready, show_error, with_subcodes

# Streamlit runs this file as a script, so its "magic" would print a docstring under a constant: comments here.
QUERY_KEY = "explore_query"
PARTICIPANT_KEY = "explore_participant"
CODE_KEY = "explore_code"
KWIC_KEY = "explore_kwic"
SPREAD_KEY = "spread_words"
ANY = "Any"
LIMIT = 500
# Whole sentences are drawn one by one: past this many, the keyword-in-context table reads better.
SENTENCES_SHOWN = 100
QUERY_HELP = (
    'Every word must occur; "quoted words" must occur together; train* finds training, trained...; '
    "OR and NOT work between words."
)


def render() -> None:
    sidebar()
    with open_project() as project:
        st.title("Explore")
        index = ready(project, codings=False)
        if project is None or index is None:
            return
        people = participants(project)
        noun = project.analysis.noun
        _search(project, index, people, noun)
        _spread(project, len(people), noun)


# --- search -----------------------------------------------------------------------------------------------------


def _search(project: Project, index: CodeIndex, people: dict[str, str], noun: str) -> None:
    st.subheader("Search")
    query_column, person_column, code_column = st.columns([3, 2, 3], vertical_alignment="bottom")
    with query_column:
        query = st.text_input("Search the signed-off transcripts", key=QUERY_KEY, help=QUERY_HELP,
                              placeholder='e.g. duplication, "line manager", train*')  # fmt: skip
    with person_column:
        participant = st.selectbox(
            noun[:-1].capitalize() if noun.endswith("s") else noun.capitalize(), [ANY, *people], key=PARTICIPANT_KEY,
            format_func=lambda p: people.get(p, ANY),
        )  # fmt: skip
    with code_column:
        code = st.selectbox("Only where coded with", [ANY, *index.codes], key=CODE_KEY,
                            format_func=lambda c: ANY if c == ANY else index.path(c),
                            help="The sentences that overlap a coding with this code or a code below it.")  # fmt: skip
    kwic = st.toggle("Keyword in context", value=True, key=KWIC_KEY,
                     help="A table of the words either side of the keyword; off, the whole sentences.")  # fmt: skip
    if not (query or "").strip():
        st.caption(QUERY_HELP)
        return
    try:
        hits = project.search.search(
            query,
            participant=None if participant == ANY else participant,
            code_ids=None if code == ANY else with_subcodes(index, code),
            limit=LIMIT,
        )
    except WorkbenchError as error:
        show_error(error)
        return
    if not hits:
        st.info("No sentence matches: try fewer words, or a prefix such as train*.")
        return
    found = f"{counted(len(hits), 'sentences')} from {counted(len({hit.participant for hit in hits}), noun)}"
    st.caption(f"The first {found}: there may be more, narrow the search" if len(hits) == LIMIT else found)
    if kwic:
        _kwic(hits)
    else:
        _sentences(hits)


def _kwic(hits: list[Hit]) -> None:
    frame = pd.DataFrame(
        [(hit.citation, hit.left, hit.keyword, hit.right, hit.segment) for hit in hits],
        columns=["citation", "left", "keyword", "right", "sentence"],
    )
    st.dataframe(
        frame, hide_index=True, width="stretch",
        column_config={
            "citation": st.column_config.TextColumn("Citation", width="small"),
            "left": st.column_config.TextColumn("Left", alignment="right"),
            "keyword": st.column_config.TextColumn("Keyword", width="small", alignment="center"),
            "right": st.column_config.TextColumn("Right"),
            "sentence": st.column_config.TextColumn("Sentence", width="small"),
        },
    )  # fmt: skip


def _sentences(hits: list[Hit]) -> None:
    """Each sentence with its keyword in bold (a matched keyword is whole words, so the bold run is well formed)."""
    for hit in hits[:SENTENCES_SHOWN]:
        start, end = hit.keyword_start - hit.start, hit.keyword_end - hit.start
        before, keyword, after = hit.text[:start], hit.text[start:end], hit.text[end:]
        words = f"{escape_markdown(before)}**{escape_markdown(keyword)}**{escape_markdown(after)}" if keyword else ""
        st.markdown(f"{words or escape_markdown(hit.text)} :gray[{escape_markdown(hit.citation)} · `{hit.segment}`]")
    if len(hits) > SENTENCES_SHOWN:
        st.caption(f"The first {SENTENCES_SHOWN} are shown: the keyword-in-context table has them all.")


# --- keyword spread ---------------------------------------------------------------------------------------------


def _spread(project: Project, total: int, noun: str) -> None:
    st.subheader("Keyword spread")
    typed = st.text_input(
        "Words or phrases, separated by commas", key=SPREAD_KEY, placeholder="e.g. duplication, line manager",
        help="In how many interviews each one occurs, in any of its forms: duplication also counts duplicated.",
    )  # fmt: skip
    words = list(dict.fromkeys(keywords_from(typed or "")))
    if not words:
        return
    try:
        spreads = project.search.spread(words)
    except WorkbenchError as error:
        show_error(error)
        return
    rows = []
    for spread in spreads:
        count = len(spread.participants)
        prose, share = in_prose(count, total, noun)
        forms = ", ".join(f"{form} {n}" for form, n in sorted(spread.forms.items(), key=lambda item: -item[1]))
        who = ", ".join(spread.participants)
        rows.append({"word or phrase": spread.query, "participants": count, "share": share, "in prose": prose,
                     "occurrences": spread.occurrences, "forms": forms, "who": who})  # fmt: skip
    frame = pd.DataFrame(rows)
    st.dataframe(
        frame, hide_index=True, width="stretch",
        column_config={
            "participants": st.column_config.NumberColumn(noun.capitalize(), help=f"How many {noun} said it"),
            "share": st.column_config.TextColumn("Of all", help=f"Out of the {total} with a signed-off transcript"),
            "who": st.column_config.TextColumn("Who (ids)"),
        },
    )  # fmt: skip
    st.bar_chart(frame, x="word or phrase", y="participants", horizontal=True, sort="-participants",
                 y_label=noun, x_label="", height=80 + 40 * len(frame))  # fmt: skip


if __name__ == "__main__":  # Streamlit runs each page file as __main__
    render()
