"""Analysis page: the participant x code matrix (codings, or presence) as a table and a heatmap, the codes ranked by
how many participants raised them (with the words a report needs), a cross-tab by role or another attribute, and
which codes occur together."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from workbench.analysis import MEASURES, Analysis
from workbench.errors import WorkbenchError
from workbench.exports import table_bytes
from workbench.project import Project
from workbench.ui.common import escape_markdown, open_project, sidebar
from workbench.ui.findings import column_labels, participants, ready, show_error

# Streamlit runs this file as a script, so its "magic" would print a docstring under a constant: comments here.
MEASURE_KEY = "analysis_measure"
CODER_KEY = "analysis_coder"
ATTRIBUTE_KEY = "analysis_attribute"
COOCCURRENCE_KEY = "analysis_cooccurrence"
ALL_CODERS = "All coders"
MEASURE_LABELS = {"codings": "Codings", "presence": "Presence (1 or 0)"}
SCOPE_LABELS = {"segment": "Same turn", "overlap": "Overlapping words"}
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render() -> None:
    sidebar()
    with open_project() as project:
        st.title("Analysis")
        index = ready(project, codings=True)
        if project is None or index is None:
            return
        analysis = project.analysis
        measure_column, coder_column = st.columns([2, 1], vertical_alignment="bottom")
        with measure_column:
            measure = st.segmented_control("Count", MEASURES, default="codings", required=True, key=MEASURE_KEY,
                                           format_func=MEASURE_LABELS.__getitem__)  # fmt: skip
        with coder_column:
            chosen = st.selectbox("Coder", [ALL_CODERS, *project.coding.coders()], key=CODER_KEY)
        coder = None if chosen == ALL_CODERS else chosen
        try:
            labels = column_labels(analysis.code_names())
            matrix = analysis.matrix(str(measure or "codings"), coder=coder)
            ranked = analysis.ranked(coder=coder)
        except WorkbenchError as error:
            show_error(error)
            return
        _matrix(matrix.rename(columns=labels), str(measure or "codings"), analysis.noun)
        _ranked(ranked, labels, analysis.noun)
        _crosstab(project, analysis, labels, coder)
        _cooccurrence(analysis, labels, coder)


def _matrix(matrix: pd.DataFrame, measure: str, noun: str) -> None:
    st.subheader(f"{noun.capitalize()} x codes")
    what = "the number of codings" if measure == "codings" else "1 where the code was applied at least once"
    st.caption(f"Each cell is {what}: {len(matrix)} {noun} with a signed-off transcript, {matrix.shape[1]} codes.")
    st.dataframe(matrix, width="stretch")
    # The files are made when a button is clicked, not on every run (an Excel file of a thousand rows takes a while).
    with st.container(horizontal=True, key="matrix_downloads"):
        st.download_button("Matrix (.csv)", _file(matrix, "csv"), file_name=f"matrix-{measure}.csv",
                           mime="text/csv", key="matrix_csv", icon=":material/csv:", on_click="ignore")  # fmt: skip
        st.download_button("Matrix (.xlsx)", _file(matrix, "xlsx"), file_name=f"matrix-{measure}.xlsx", mime=_XLSX,
                           key="matrix_xlsx", icon=":material/table_view:", on_click="ignore")  # fmt: skip
    used = matrix.loc[:, (matrix > 0).any()]
    if used.empty:
        return
    # Zero cells are left undrawn (empty on a light or a dark theme); the domains keep every row and column.
    grid = used.to_numpy()
    rows, columns = np.nonzero(grid)
    people, codes = [str(person) for person in used.index], [str(code) for code in used.columns]
    cells = pd.DataFrame(
        {"participant": np.array(people)[rows], "code": np.array(codes)[columns], measure: grid[rows, columns]}
    )
    across = {"labelAngle": -45, "labelOverlap": False, "orient": "top"}
    _chart(cells, {
        "mark": "rect",
        "height": 22 * len(codes) + 40,
        "encoding": {
            "x": _nominal("participant", sort=people, scale={"domain": people}, title=None, axis=across),
            "y": _nominal("code", sort=codes, scale={"domain": codes}, title=None, axis={"labelLimit": 320}),
            "color": {"field": measure, "type": "quantitative", "title": MEASURE_LABELS[measure],
                      "scale": {"scheme": "blues", "domainMin": 0}},
            "tooltip": [_nominal("participant"), _nominal("code"), {"field": measure, "type": "quantitative"}],
        },
    })  # fmt: skip
    if used.shape[1] < matrix.shape[1]:
        st.caption(f"The heatmap leaves out the {matrix.shape[1] - used.shape[1]} codes nobody was coded with.")


def _nominal(field: str, **settings: Any) -> dict[str, Any]:
    return {"field": field, "type": "nominal", **settings}


def _chart(data: pd.DataFrame, spec: dict[str, Any]) -> None:
    """A Vega-Lite chart from its spec. Altair would build the same spec from objects it checks against the schema,
    which for a thousand participants took a fifth of a second per run, for charts that are always well formed."""
    st.vega_lite_chart(data, spec, width="stretch")


def _file(matrix: pd.DataFrame, kind: str) -> Callable[[], bytes]:
    return lambda: table_bytes(matrix, kind, title="Matrix", index=True)


def _ranked(ranked: pd.DataFrame, labels: dict[str, str], noun: str) -> None:
    st.subheader(f"Codes by the number of {noun} who raised them")
    raised = ranked[ranked["participants"] > 0]
    if not raised.empty:
        bars = pd.DataFrame({"code": [labels.get(code, code) for code in raised.index], noun: raised["participants"]})
        _chart(bars, {
            "mark": "bar",
            "height": 22 * len(bars) + 40,
            "encoding": {
                "x": {"field": noun, "type": "quantitative", "title": noun.capitalize()},
                "y": _nominal("code", sort="-x", title=None, axis={"labelLimit": 320}),
                "tooltip": [_nominal("code"), {"field": noun, "type": "quantitative"}],
            },
        })  # fmt: skip
    table = ranked.assign(theme=[labels.get(theme, theme) for theme in ranked["theme"]]).reset_index()
    st.dataframe(
        table[["name", "theme", "participants", "share", "prose", "documents", "codings", "code"]],
        width="stretch",
        hide_index=True,
        column_config={
            "code": st.column_config.TextColumn("Code id"),
            "participants": st.column_config.NumberColumn(noun.capitalize()),
            "share": st.column_config.TextColumn("Of all"),
            "prose": st.column_config.TextColumn("In prose", help='As a report says it: "eight case workers"'),
            "documents": st.column_config.NumberColumn("Transcripts"),
        },
    )


def _crosstab(project: Project, analysis: Analysis, labels: dict[str, str], coder: str | None) -> None:
    st.subheader("By role or attribute")
    released = participants(project)
    people = [person for person in project.participants() if person.id in released]
    names = list(dict.fromkeys(name for person in people for name in person.attributes))
    attribute = st.selectbox("Group the participants by", ["role", *names], key=ATTRIBUTE_KEY)
    try:
        table = analysis.crosstab(str(attribute), coder=coder)
    except WorkbenchError as error:
        show_error(error)
        return
    sizes: dict[str, int] = {}
    for person in people:
        value = person.role if attribute == "role" else person.attributes.get(str(attribute))
        value = str(value) if value else "(none)"
        sizes[value] = sizes.get(value, 0) + 1
    table = table.rename(columns=labels).T
    table.columns = [f"{value} ({sizes.get(str(value), 0)})" for value in table.columns]
    st.caption(
        f"How many participants of each {escape_markdown(str(attribute))} (their number in brackets) raised each code."
    )
    st.dataframe(table[(table > 0).any(axis=1)], width="stretch")


def _cooccurrence(analysis: Analysis, labels: dict[str, str], coder: str | None) -> None:
    st.subheader("Codes that occur together")
    scope = st.segmented_control("Together means", list(SCOPE_LABELS), default="segment", required=True,
                                 key=COOCCURRENCE_KEY, format_func=SCOPE_LABELS.__getitem__)  # fmt: skip
    try:
        table = analysis.cooccurrence(str(scope or "segment"), coder=coder)
    except WorkbenchError as error:
        show_error(error)
        return
    table = table.rename(index=labels, columns=labels)
    together = (table > 0).any(axis=1)
    if not together.any():
        st.info("No two codes occur together in these codings.")
        return
    where = "the same turn" if scope == "segment" else "overlapping words"
    st.caption(f"How many times two codes were applied to {where} (codes that never occur with another are left out).")
    st.dataframe(table.loc[together, together], width="stretch")


if __name__ == "__main__":  # Streamlit runs each page file as __main__
    render()
