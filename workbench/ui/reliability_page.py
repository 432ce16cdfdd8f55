"""Reliability page: how far the chosen coders agree, code by code, on the transcripts they have all coded (percent
agreement, Cohen's kappa, Krippendorff's alpha), and the disagreements a lead coder reconciles into agreed codings."""

from __future__ import annotations

import math
from functools import partial

import streamlit as st

from workbench.errors import WorkbenchError
from workbench.project import Project
from workbench.reliability import AGREED, Disagreement, DisagreementPage, ReliabilityReport
from workbench.ui.common import actor, escape_markdown, flash, link, open_project, show_flashes, sidebar

# Streamlit runs this file as a script, so its "magic" would print a docstring under a constant: comments here.
CODERS_KEY = "reliability_coders"
CODE_KEY = "reliability_code"
UNDECIDED_KEY = "reliability_undecided"
PAGE_KEY = "reliability_page_number"
# The filters the page number belongs to: when they change, the page goes back to 1.
VIEW_KEY = "reliability_view"
EVERY_CODE = ""
PER_PAGE = 20
_DECISIONS = {
    "apply": ":green[:material/check_circle: Agreed: the code applies]",
    "reject": ":red[:material/cancel: Agreed: the code does not apply]",
    None: ":orange[:material/pending: Undecided]",
}
_READING = """
- **Agreement** is the share of sentences on which the coders made the same call, code applied or not (averaged
  over each pair of coders when there are more than two). Most sentences carry no code at all, so it is high
  whatever the coders did: read kappa and alpha instead.
- **Cohen's kappa** (two coders) and **Krippendorff's alpha** (any number) take out the agreement expected by chance:
  1 is perfect agreement, 0 no better than chance, below 0 worse than chance. Krippendorff asks for alpha ≥ 0.800
  to rely on a code, and accepts 0.667–0.800 for tentative conclusions; for kappa, 0.61–0.80 is often called
  substantial and above 0.80 almost perfect (Landis and Koch).
- A code that no coder applied (or that every coder applied to every sentence) leaves nothing to agree on: kappa and
  alpha are then **undefined** and left empty, with a note.
- The unit is the sentence: a coding counts for every sentence it overlaps, so a turn coded whole counts for each of
  its sentences. The pooled row treats every (sentence, code) pair as a unit.
"""


def render() -> None:
    sidebar()
    with open_project() as project:
        st.title("Reliability")
        if project is None:
            st.info("Open a project first.")
            link("project", label="Go to the Project page", icon=":material/folder_open:")
            return
        coders = project.reliability.coders()
        if len([coder for coder in coders if coder != AGREED]) < 2:
            st.info("Reliability compares two or more coders on the same transcripts: code them on the Coding page "
                    "under two coders' names first.")  # fmt: skip
            link("coding", label="Go to the Coding page", icon=":material/label:")
            return
        show_flashes()
        chosen = _choose(coders)
        try:
            report = project.reliability.report(chosen)
            summary = project.reliability.disagreement_page(report.coders, limit=0)
        except WorkbenchError as error:
            st.error(str(error))
            return
        _figures(report)
        _disagreements(project, report, summary)


def _choose(coders: list[str]) -> list[str]:
    """The coders to compare: every coder but the agreed codings unless the user chose otherwise."""
    kept = [coder for coder in st.session_state.get(CODERS_KEY) or [] if coder in coders]
    st.session_state[CODERS_KEY] = kept if CODERS_KEY in st.session_state else [c for c in coders if c != AGREED]
    return st.multiselect(
        "Coders to compare", coders, key=CODERS_KEY, placeholder="Choose two or more coders",
        help=f"“{AGREED}” holds the agreed codings: compare a coder with it to see how far they are from the "
        "consensus.",
    )  # fmt: skip


# --- the figures --------------------------------------------------------------------------------------------------


def _figures(report: ReliabilityReport) -> None:
    count = len(report.documents)
    st.caption(f"{escape_markdown(_names(report.coders))} have all coded {count} transcript{_s(count)}: "
               f"{report.sentences} sentences, each one a unit. Codes none of them applied there are left "
               "out.")  # fmt: skip
    two = len(report.coders) == 2
    columns = ["code", "name", *report.coders, "agreement", *(["kappa"] if two else []), "alpha", "note"]
    st.dataframe(
        report.table(),
        key="reliability_table",
        hide_index=True,
        column_order=columns,
        column_config={
            "code": st.column_config.TextColumn("Code", pinned=True),
            "name": st.column_config.TextColumn("Name"),
            **{coder: st.column_config.NumberColumn(coder, help=f"Sentences {coder} applied the code to")
               for coder in report.coders},
            "agreement": st.column_config.NumberColumn("Agreement", format="percent"),
            "kappa": st.column_config.NumberColumn("Cohen's κ", format="%.3f"),
            "alpha": st.column_config.NumberColumn("Krippendorff's α", format="%.3f"),
            "note": st.column_config.TextColumn("Note"),
        },
    )  # fmt: skip
    overall = report.overall
    kappa = f", Cohen's κ {overall.kappa:.3f}" if overall.kappa is not None else ""
    alpha = f"Krippendorff's α {overall.alpha:.3f}" if overall.alpha is not None else "Krippendorff's α undefined"
    st.markdown(f"All codes pooled: **{alpha}**{kappa}, agreement {_percent(overall.agreement)}.")
    with st.expander("How to read these figures", icon=":material/help:"):
        st.markdown(_READING)


# --- the disagreements --------------------------------------------------------------------------------------------


def _disagreements(project: Project, report: ReliabilityReport, summary: DisagreementPage) -> None:
    st.subheader("Disagreements")
    lead = actor()
    st.caption(f"{summary.total} sentence{_s(summary.total)} and codes where the coders differ, {summary.decided} "
               f"decided. You decide as the lead coder, **{escape_markdown(lead)}** (your name in the sidebar): "
               f"applying codes the sentence as “{AGREED}”, rejecting records that the code does not apply. The agreed "
               "codings are these decisions and the sentences every coder coded alike.")  # fmt: skip
    names = {row.code_id: row.name for row in report.codes}
    with st.container(horizontal=True, vertical_alignment="bottom", key="reliability_toolbar"):
        codes = [EVERY_CODE, *summary.code_ids]
        if st.session_state.get(CODE_KEY) not in codes:
            st.session_state.pop(CODE_KEY, None)
        code = st.selectbox("Code", codes, key=CODE_KEY,
                            format_func=lambda c: f"{c} · {names.get(c, c)}" if c else "Every code")  # fmt: skip
        undecided = st.toggle("Undecided only", key=UNDECIDED_KEY)
        unanimous = st.button(f"Agree where all {len(report.coders)} coders agree", key="reliability_agree_unanimous",
                              icon=":material/done_all:",
                              help=f"Code as “{AGREED}” every sentence that all the chosen coders applied the same "
                              "code to (unless you rejected it).")  # fmt: skip
    if unanimous:
        try:
            made = project.reliability.agree_all_unanimous(report.coders, lead=lead)
        except WorkbenchError as error:
            st.error(str(error))
            return
        flash(f"{made} new agreed coding{_s(made)} where {escape_markdown(_names(report.coders))} all applied a code")
        st.rerun()
    wanted = partial(
        project.reliability.disagreement_page, report.coders, code_id=code or None, undecided_only=undecided
    )
    matching = wanted(limit=0).matching
    if not matching:
        st.info("No disagreement left to show." if summary.total else "The coders agree on every sentence and code.")
        return
    pages = max(1, math.ceil(matching / PER_PAGE))
    view = (tuple(report.coders), code, undecided)
    if st.session_state.get(VIEW_KEY) != view or not 1 <= int(st.session_state.get(PAGE_KEY) or 1) <= pages:
        st.session_state[VIEW_KEY] = view
        st.session_state[PAGE_KEY] = 1
    page = int(st.number_input(f"Page (of {pages})", min_value=1, max_value=pages, step=1, key=PAGE_KEY) or 1)
    # Only this page's disagreements are built: a large study has tens of thousands.
    shown = wanted(offset=(page - 1) * PER_PAGE, limit=PER_PAGE).items
    for number, item in shown:
        _disagreement(project, number, item, names.get(item.code_id, item.code_id), lead)


def _disagreement(project: Project, number: int, item: Disagreement, name: str, lead: str) -> None:
    with st.container(border=True, key=f"disagreement_{number}"):
        st.markdown(f"**{escape_markdown(item.citation)}** · `{item.segment_id}` · **{escape_markdown(name)}** "
                    f":gray[({escape_markdown(item.code_id)})]")  # fmt: skip
        st.markdown(f"“{escape_markdown(' '.join(item.text.split()))}”")
        st.caption(f"Applied by {escape_markdown(', '.join(item.applied_by))} · not by "
                   f"{escape_markdown(', '.join(item.not_applied_by))}")  # fmt: skip
        with st.container(horizontal=True, vertical_alignment="center"):
            st.markdown(_DECISIONS[item.decision], width="content")
            apply = st.button("Apply", key=f"reconcile_apply_{number}", icon=":material/check:",
                              disabled=item.decision == "apply")  # fmt: skip
            reject = st.button("Reject", key=f"reconcile_reject_{number}", icon=":material/close:",
                               disabled=item.decision == "reject")  # fmt: skip
    if not (apply or reject):
        return
    try:
        project.reliability.reconcile(item.segment_id, item.code_id, apply, lead)
    except WorkbenchError as error:
        st.error(str(error))
        return
    verdict = "applies" if apply else "does not apply"
    flash(f"Agreed: {escape_markdown(name)} {verdict} to `{item.segment_id}` ({escape_markdown(item.citation)})")
    st.rerun()


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _percent(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.1%}"


def _s(count: int) -> str:
    return "" if count == 1 else "s"


if __name__ == "__main__":  # Streamlit runs each page file as __main__
    render()
