"""Anonymisation page: the ethics reviewer scans transcripts, decides each candidate, marks what the scan missed and
signs transcripts off so that coders can read them. It shows identifiable originals from the key store."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from workbench.anonymise.categories import CATEGORIES
from workbench.anonymise.lists import read_roster
from workbench.anonymise.placeholders import STYLES
from workbench.anonymise.placeholders import render as render_placeholder
from workbench.anonymise.review import CONTEXT_CHARS, CandidateRecord, ReviewProgress
from workbench.errors import WorkbenchError
from workbench.project import DocumentSummary, Project
from workbench.ui.common import actor, escape_markdown, flash, link, open_project, show_flashes, sidebar, team_mode
from workbench.ui.ethics_downloads import ethics_buttons

# Streamlit runs this file as a script, so its "magic" would print a docstring under a constant: comments here.
DOCUMENT_KEY = "anonymise_document"
# The candidate on the card, (document id, candidate id), when the reviewer moved to it with Next or Previous.
CURRENT_KEY = "anonymise_current"
# Where the last decision was made, (document id, offset): the card then shows the next candidate after it.
CURSOR_KEY = "anonymise_cursor"
# The candidate (id, placeholder, category) whose proposals fill the card's inputs; they are reset when it changes.
SHOWN_KEY = "anonymise_shown"
# The placeholder the page put in the card's input: anything else there is the reviewer's own.
PROPOSED_KEY = "anonymise_proposed"
# Decisions are confirmed by a toast after the rerun, so that the card stays where it is on the page.
TOAST_KEY = "anonymise_toasts"
SIGNOFF_ERROR_KEY = "anonymise_signoff_error"
SIGNED_OFF = "signed off"
SHORTCUTS = {"accept": "A", "reject": "X", "next": "N", "previous": "P"}
_SPACES = re.compile(r"\s+")
_BREAKS = re.compile(r"\s*\n\s*")


def render() -> None:
    sidebar()
    with open_project() as project:
        st.title("Anonymisation")
        if project is None:
            st.info("Open a project first.")
            link("project", label="Go to the Project page", icon=":material/folder_open:")
            return
        st.caption(
            ":material/lock: **For ethics reviewers.** This page shows the identifiable originals kept in the key "
            "store. Coders read only transcripts signed off here, anonymised, on the Transcript page."
        )
        show_flashes()
        for message in st.session_state.pop(TOAST_KEY, []):
            st.toast(message, icon=":material/check_circle:")
        documents = project.documents()
        if not documents:
            st.info("This project has no transcripts yet: import some on the Project page.")
            link("project", label="Go to the Project page", icon=":material/folder_open:")
            return
        progress = {item.document_id: item for item in project.review.progress()}
        _overview(project, documents, progress)
        review, table, settings, report = st.tabs(
            ["Review", "Progress", "Settings", "Ethics report"], key="anonymise_tab"
        )
        with review:
            document = _choose_document(documents, progress)
            if document.status == SIGNED_OFF:
                _signed_off(project, document)
            else:
                _review(project, document, progress[document.id])
        with table:
            _progress(project, documents, progress)
        with settings:
            _settings(project)
        with report:
            _report(project)


# --- progress ---------------------------------------------------------------------------------------------------


def _overview(project: Project, documents: list[DocumentSummary], progress: dict[int, ReviewProgress]) -> None:
    """Where the review stands, and the scan that starts it."""
    unsigned = [d for d in documents if d.status != SIGNED_OFF]
    pending = sum(progress[d.id].pending for d in unsigned)
    signed, waiting, to_decide, scan = st.columns([1, 1, 1, 2], vertical_alignment="bottom")
    signed.metric("Signed off", f"{len(documents) - len(unsigned)} of {len(documents)}", border=True)
    waiting.metric("In review", len(unsigned), border=True)
    to_decide.metric("Candidates to decide", pending, border=True)
    with scan:
        st.caption(
            "A scan looks for names, places, organisations, addresses, phone, NHS and NI numbers in every "
            "transcript not signed off; decisions already made are kept."
        )
        if st.button("Scan for identifiers", key="anonymise_scan", icon=":material/search:", disabled=not unsigned):
            _scan(project, f"Scanned {len(unsigned)} transcript{_s(len(unsigned))}")


def _progress(project: Project, documents: list[DocumentSummary], progress: dict[int, ReviewProgress]) -> None:
    signoffs = project.review.signoffs()
    table = pd.DataFrame(
        {
            "Document": [d.id for d in documents],
            "Participant": [d.citation for d in documents],
            "File": [d.source_name for d in documents],
            "Status": [d.status for d in documents],
            "To decide": [progress[d.id].pending for d in documents],
            "Accepted": [progress[d.id].accepted for d in documents],
            "Rejected": [progress[d.id].rejected for d in documents],
            "Signed off by": [signoffs[d.id]["reviewer"] if d.id in signoffs else "" for d in documents],
            "Signed off at": [_when(signoffs[d.id]["at"]) if d.id in signoffs else "" for d in documents],
        }
    )
    st.dataframe(table, hide_index=True, key="anonymise_progress")


def _scan(project: Project, done: str) -> None:
    """Scan every transcript not signed off, with a progress bar, then rerun the page with the result."""
    bar = st.progress(0.0, text="Loading the language model...")

    def report(finished: int, total: int, what: str) -> None:
        bar.progress(finished / total if total else 1.0, text=what)

    with st.spinner("Scanning for identifiers..."):
        found = project.review.scan(progress=report)
    bar.empty()
    total = sum(found.values())
    flash(f"{done}: {total} candidate{_s(total)} to decide")
    st.rerun()


def _choose_document(documents: list[DocumentSummary], progress: dict[int, ReviewProgress]) -> DocumentSummary:
    """Pick the transcript to review; the first one not signed off comes up first."""
    by_id = {d.id: d for d in documents}
    ids = list(by_id)
    first = next((index for index, d in enumerate(documents) if d.status != SIGNED_OFF), 0)
    # The labels never change with the counts: Streamlit keeps a selectbox's choice by its label.
    chosen = st.selectbox(
        "Transcript", ids, index=first, key=DOCUMENT_KEY,
        format_func=lambda document_id: f"{by_id[document_id].citation} · {by_id[document_id].source_name}",
    )  # fmt: skip
    document = by_id[chosen if chosen in by_id else ids[first]]
    state = progress[document.id]
    if document.status == "imported":
        status = "not scanned yet"
    else:
        status = f"{document.status}: {state.pending} to decide, {state.accepted} accepted, {state.rejected} rejected"
    waiting = [f"{d.source_name} ({progress[d.id].pending})" for d in documents if d.status != SIGNED_OFF]
    st.caption(
        escape_markdown(status) + (f" · still in review: {escape_markdown(', '.join(waiting))}" if waiting else "")
    )
    return document


# --- reviewing one transcript -----------------------------------------------------------------------------------


def _review(project: Project, document: DocumentSummary, state: ReviewProgress) -> None:
    if document.status == "imported":
        st.info(
            f"{escape_markdown(document.source_name)} has not been scanned yet: press **Scan for identifiers** above, "
            "then decide what the scan finds."
        )
        _preview(project, document)
        return
    candidates = sorted(project.review.candidates(document.id), key=lambda c: (c.start, c.id))
    pending = [c for c in candidates if c.status == "pending"]
    if pending:
        card, listing = st.columns([3, 2], gap="large")
        with card:
            _current(project, document, pending)
            _bulk(project, document, pending)
        with listing:
            _pending_list(pending, _current_candidate(document, pending))
    else:
        st.success(
            f"Every candidate in {escape_markdown(document.source_name)} is decided ({state.accepted} accepted, "
            f"{state.rejected} rejected). Check the preview, mark anything the scan missed, then sign it off below."
        )
    _mark(project, document)
    _decided(candidates, project)
    _preview(project, document)
    _signoff(project, document, len(pending))


def _current_candidate(document: DocumentSummary, pending: list[CandidateRecord]) -> CandidateRecord:
    """The candidate on the card: the one chosen with Next/Previous, else the first one after the last decision."""
    chosen = st.session_state.get(CURRENT_KEY)
    for candidate in pending:
        if chosen == (document.id, candidate.id):
            return candidate
    cursor = st.session_state.get(CURSOR_KEY)
    after = cursor[1] if isinstance(cursor, tuple) and cursor[0] == document.id else -1
    return next((c for c in pending if c.start > after), pending[0])


def _current(project: Project, document: DocumentSummary, pending: list[CandidateRecord]) -> None:
    """The card that makes deciding fast: the candidate in context, what it becomes, Accept and Reject."""
    candidate = _current_candidate(document, pending)
    position = pending.index(candidate)
    shown = (candidate.id, candidate.placeholder, candidate.category)
    if st.session_state.get(SHOWN_KEY) != shown or "candidate_placeholder" not in st.session_state:
        # A new candidate on the card (or a new proposal for it, after a change of style): its own proposals replace
        # whatever the reviewer typed for the last one.
        st.session_state[SHOWN_KEY] = shown
        st.session_state[PROPOSED_KEY] = candidate.placeholder
        st.session_state["candidate_placeholder"] = candidate.placeholder
        st.session_state["candidate_category"] = candidate.category
        st.session_state["candidate_everywhere"] = False
    with st.container(border=True, key="candidate_card"):
        st.subheader(f"Candidate {position + 1} of {len(pending)} to decide")
        st.markdown(_in_context(candidate, colour="orange"))
        st.caption(
            f"{escape_markdown(candidate.category)} · found by {escape_markdown(candidate.detector)} · "
            f"confidence {candidate.confidence:.0%}"
        )
        placeholder_column, category_column = st.columns(2)
        with category_column:
            category = st.selectbox(
                "Category", list(CATEGORIES), key="candidate_category", on_change=_category_changed,
                args=(project.review.style,),
            )  # fmt: skip
        with placeholder_column:
            placeholder = st.text_input(
                "Becomes", key="candidate_placeholder",
                help="The placeholder that replaces the text when you accept. Edit it to choose your own; the same "
                "person keeps the same placeholder in every transcript.",
            )  # fmt: skip
        everywhere = st.checkbox(
            "Apply to every occurrence (every undecided candidate with this text, in every transcript under review)",
            key="candidate_everywhere",
        )
        accept, reject, previous, following = st.columns(4)
        with accept:
            accepted = st.button(
                "Accept", key="candidate_accept", type="primary", icon=":material/check:",
                shortcut=SHORTCUTS["accept"], width="stretch", help="Replace the text with the placeholder",
            )  # fmt: skip
        with reject:
            rejected = st.button(
                "Reject", key="candidate_reject", icon=":material/close:", shortcut=SHORTCUTS["reject"],
                width="stretch", help="Not an identifier: keep the text as it is",
            )  # fmt: skip
        with previous:
            back = st.button(
                "Previous", key="candidate_previous", shortcut=SHORTCUTS["previous"], width="stretch",
                disabled=len(pending) < 2,
            )  # fmt: skip
        with following:
            skip = st.button(
                "Next", key="candidate_next", shortcut=SHORTCUTS["next"], width="stretch", disabled=len(pending) < 2
            )
        st.caption(
            "Keys: **A** accept · **X** reject · **N** next · **P** previous (while no text box has the focus; "
            "press Esc to leave one). Tab and Enter also work."
        )
    if back or skip:
        step = -1 if back else 1
        st.session_state[CURRENT_KEY] = (document.id, pending[(position + step) % len(pending)].id)
        st.rerun()
    if accepted or rejected:
        typed = (placeholder or "").strip()
        own = typed if typed and typed != st.session_state.get(PROPOSED_KEY) else None
        new_category = category if category != candidate.category else None
        try:
            count = project.review.decide(
                candidate.id, accepted, placeholder=own if accepted else None,
                category=new_category if accepted else None, everywhere=everywhere,
            )  # fmt: skip
        except WorkbenchError as error:
            st.error(str(error))
            return
        st.session_state[CURSOR_KEY] = (document.id, candidate.start)
        st.session_state.pop(CURRENT_KEY, None)
        verb = "Accepted" if accepted else "Rejected"
        others = f" and {count - 1} more occurrence{_s(count - 1)}" if count > 1 else ""
        text = escape_markdown(_one_line(candidate.text))
        st.session_state.setdefault(TOAST_KEY, []).append(f"{verb} “{text}”{others}")
        st.rerun()


def _category_changed(style: str) -> None:
    """A new category means a new placeholder: propose that category's, unless the reviewer wrote their own."""
    typed = str(st.session_state.get("candidate_placeholder", "")).strip()
    if not typed or typed == st.session_state.get(PROPOSED_KEY):
        # The core gives the placeholder its number when the candidate is accepted; until then show its form.
        proposed = render_placeholder(st.session_state["candidate_category"], None, style)
        st.session_state[PROPOSED_KEY] = proposed
        st.session_state["candidate_placeholder"] = proposed


def _bulk(project: Project, document: DocumentSummary, pending: list[CandidateRecord]) -> None:
    with st.expander(f"Decide all {len(pending)} pending candidates at once"):
        st.caption("For a transcript you have read through: every candidate still to decide gets the same decision.")
        accept, reject = st.columns(2)
        with accept:
            sure = st.checkbox(f"Yes, accept all {len(pending)}", key="accept_all_confirm")
            accept_all = st.button("Accept all pending", key="accept_all", disabled=not sure)
        with reject:
            sure = st.checkbox(f"Yes, reject all {len(pending)}", key="reject_all_confirm")
            reject_all = st.button("Reject all pending", key="reject_all", disabled=not sure)
    if accept_all or reject_all:
        try:
            for candidate in pending:
                project.review.decide(candidate.id, accept_all)
        except WorkbenchError as error:
            st.error(str(error))
            return
        for key in ("accept_all_confirm", "reject_all_confirm"):
            st.session_state.pop(key, None)
        verb = "Accepted" if accept_all else "Rejected"
        flash(f"{verb} all {len(pending)} pending candidates in {escape_markdown(document.source_name)}")
        st.rerun()


def _pending_list(pending: list[CandidateRecord], current: CandidateRecord) -> None:
    st.subheader("To decide")
    box = st.container(height=520 if len(pending) > 5 else "content", key="pending_list")
    for number, candidate in enumerate(pending, 1):
        on_card = candidate.id == current.id
        with box:
            marker = ":orange[:material/double_arrow:] " if on_card else ""
            st.markdown(f"{marker}**{number}.** {_in_context(candidate, colour='orange' if on_card else 'red')}")
            st.caption(
                f"{escape_markdown(candidate.category)} · {escape_markdown(candidate.detector)} · "
                f"{candidate.confidence:.0%} · becomes {escape_markdown(candidate.placeholder)}"
            )


def _in_context(candidate: CandidateRecord, *, colour: str) -> str:
    """Markdown for the candidate highlighted between the words around it; text from the file is escaped."""
    before, after = candidate.before, candidate.after
    # The context is cut at a fixed number of characters: drop the half word at each cut end.
    if len(before) >= CONTEXT_CHARS and " " in before:
        before = before.split(" ", 1)[1]
    if len(after) >= CONTEXT_CHARS and " " in after:
        after = after.rsplit(" ", 1)[0]
    before = escape_markdown(_one_line(before).lstrip())
    after = escape_markdown(_one_line(after).rstrip())
    text = escape_markdown(_one_line(candidate.text))
    return f"…{before}:{colour}-background[**:{colour}[{text}]**]{after}…"


def _one_line(text: str) -> str:
    """Turn breaks become a pilcrow, so the context reads on one line but turns stay visible."""
    return _SPACES.sub(" ", _BREAKS.sub(" ¶ ", text))


def _mark(project: Project, document: DocumentSummary) -> None:
    with st.expander("Mark an identifier the scan missed", icon=":material/ink_highlighter:"):
        text_column, category_column = st.columns([2, 1])
        with text_column:
            text = st.text_input(
                "Text exactly as it appears", key="mark_text", placeholder="e.g. Auntie Pat",
                help="Every whole-word occurrence in this transcript is found, in any letter case.",
            )  # fmt: skip
        with category_column:
            category = st.selectbox("Category", list(CATEGORIES), key="mark_category")
        everywhere = st.checkbox("Every occurrence in every transcript under review", key="mark_everywhere")
        if st.button("Mark as identifier", key="mark_button", disabled=not (text or "").strip()):
            _mark_text(project, document, (text or "").strip(), category, everywhere)


def _mark_text(project: Project, document: DocumentSummary, text: str, category: str, everywhere: bool) -> None:
    try:
        marked = project.review.mark_text(document.id, text, category, everywhere=everywhere)
    except WorkbenchError as error:
        st.error(f"{escape_markdown(str(error))}; copy the text from the preview below, exactly as it is written")
        return
    if not marked:
        st.info(f"Every occurrence of “{escape_markdown(text)}” is already replaced by an accepted candidate.")
        return
    st.session_state.pop("mark_text", None)
    flash(f"Marked {marked} occurrence{_s(marked)} of “{escape_markdown(text)}” as {escape_markdown(category)}")
    st.rerun()


def _decided(candidates: list[CandidateRecord], project: Project | None = None) -> None:
    """The reviewer's audit: every decision, who made it and when; with ``project``, a decision can be changed."""
    decided = sorted((c for c in candidates if c.status != "pending"), key=lambda c: c.decided_at or "", reverse=True)
    with st.expander(f"Decided ({len(decided)}): who decided what, and when", icon=":material/history:"):
        if not decided:
            st.caption("Nothing decided yet.")
            return
        table = pd.DataFrame(
            {
                "Text": [_one_line(c.text) for c in decided],
                "Decision": [c.status for c in decided],
                "Becomes": [c.placeholder if c.status == "accepted" else "(kept)" for c in decided],
                "Category": [c.category for c in decided],
                "Found by": [c.detector for c in decided],
                "Decided by": [c.decided_by or "" for c in decided],
                "When (UTC)": [_when(c.decided_at) for c in decided],
            }
        )
        st.dataframe(table, hide_index=True, key="decided_table")
        if project is not None:
            _change_decision(project, decided)


def _change_decision(project: Project, decided: list[CandidateRecord]) -> None:
    st.markdown("**Change a decision**")
    by_id = {c.id: c for c in decided}

    def label(candidate_id: int) -> str:
        candidate = by_id[candidate_id]
        outcome = f"becomes {candidate.placeholder}" if candidate.status == "accepted" else "kept"
        return f"{_one_line(candidate.text)} ({candidate.status}: {outcome})"

    choice_column, placeholder_column = st.columns(2)
    with choice_column:
        chosen = st.selectbox("Decision", list(by_id), format_func=label, key="change_candidate")
    candidate = by_id[chosen] if chosen in by_id else decided[0]
    with placeholder_column:
        typed = st.text_input(
            "Placeholder if accepted", key="change_placeholder", placeholder=f"{candidate.placeholder} (its usual one)"
        )
    accept, reject = st.columns(2)
    with accept:
        accepted = st.button("Accept with this placeholder", key="change_accept", width="stretch")
    with reject:
        rejected = st.button("Reject: keep the text", key="change_reject", width="stretch")
    if accepted or rejected:
        try:
            project.review.decide(candidate.id, accepted, placeholder=(typed or "").strip() or None)
        except WorkbenchError as error:
            st.error(str(error))
            return
        st.session_state.pop("change_placeholder", None)
        outcome = "accepted" if accepted else "rejected"
        st.session_state.setdefault(TOAST_KEY, []).append(
            f"“{escape_markdown(_one_line(candidate.text))}” is now {outcome}"
        )
        st.rerun()


def _preview(project: Project, document: DocumentSummary) -> None:
    with st.expander("Preview: the transcript as coders will read it", icon=":material/visibility:"):
        try:
            text = project.review.released_text(document.id)
        except WorkbenchError as error:
            st.error(str(error))
            return
        with st.container(height=420, key="preview_text"):
            st.text(text)


def _signoff(project: Project, document: DocumentSummary, pending: int) -> None:
    st.header("Sign off")
    error = st.session_state.pop(SIGNOFF_ERROR_KEY, None)
    if error:
        st.error(error)
    st.caption(
        "Signing off releases the anonymised text (the preview above) for coding, quoting and export; a last scan "
        "of that text runs first and refuses the sign-off if it still finds an identifier."
    )
    if pending:
        st.warning(
            f"{pending} candidate{_s(pending)} still to decide: accept or reject every one before signing off "
            f"{escape_markdown(document.source_name)}."
        )
    if "signoff_reviewer" not in st.session_state or team_mode():  # in team mode, always the signed-in reviewer
        st.session_state["signoff_reviewer"] = actor()
    name_column, button_column = st.columns([2, 1], vertical_alignment="bottom")
    with name_column:
        reviewer = st.text_input("Ethics reviewer", key="signoff_reviewer", disabled=team_mode())
    with button_column:
        clicked = st.button(
            f"Sign off {document.citation}", key="signoff_button", type="primary", icon=":material/verified:",
            disabled=pending > 0,
        )  # fmt: skip
    if clicked:
        try:
            project.review.signoff(document.id, reviewer or "")
        except WorkbenchError as failure:
            # The residual scan may have added candidates: rerun so that they are on the page with the message.
            st.session_state[SIGNOFF_ERROR_KEY] = str(failure)
            st.rerun()
        flash(
            f"Signed off {escape_markdown(document.citation)} ({escape_markdown(document.source_name)}) as "
            f"{escape_markdown((reviewer or '').strip())}: coders can now read it on the Transcript page"
        )
        st.rerun()


def _signed_off(project: Project, document: DocumentSummary) -> None:
    signoff = project.review.signoffs().get(document.id)
    who = f" by {signoff['reviewer']} on {_when(signoff['at'])}" if signoff else ""
    st.success(f"{escape_markdown(document.source_name)} is signed off{escape_markdown(who)}.")
    link("transcript", label=f"Read {document.citation} as coders do",
        icon=":material/article:", query_params={"participant": document.participant_id},
    )  # fmt: skip
    _decided(project.review.candidates(document.id))
    expander = st.expander("The anonymised text as released", icon=":material/visibility:")
    with expander, st.container(height=420, key="preview_text"):
        st.text(project.document(document.id, "checked by the ethics reviewer").text)
    st.caption("Reopening withdraws the text from coders and puts the transcript back in review.")
    if st.button("Reopen review", key="reopen_button", icon=":material/undo:"):
        try:
            project.review.reopen(document.id)
        except WorkbenchError as error:
            st.error(str(error))
            return
        flash(f"{escape_markdown(document.source_name)} is back in review; coders can no longer read it")
        st.rerun()


# --- settings and the report ------------------------------------------------------------------------------------


def _settings(project: Project) -> None:
    glossary, roster, style = st.columns(3, gap="large")
    with glossary:
        _glossary(project)
    with roster:
        _roster(project)
    with style:
        _style(project)


def _glossary(project: Project) -> None:
    saved = list(project.review.glossary().terms)
    st.subheader("Glossary")
    st.caption(
        "Words of your study that are never identifiers (a team name, a form, a local scheme), one per line; they "
        "add to the built-in list of social care terms. Saving rescans the transcripts under review."
    )
    if "glossary_terms" not in st.session_state:
        st.session_state["glossary_terms"] = "\n".join(saved)
    typed = st.text_area("Project glossary", key="glossary_terms", height=140)
    wanted = [" ".join(line.split()) for line in (typed or "").splitlines() if line.strip()]
    if st.button("Save glossary and rescan", key="glossary_save", disabled=wanted == saved):
        known = {term.casefold() for term in saved}
        keep = {term.casefold() for term in wanted}
        try:
            project.review.remove_glossary_terms([term for term in saved if term.casefold() not in keep])
            project.review.add_glossary_terms([term for term in wanted if term.casefold() not in known])
        except WorkbenchError as error:
            st.error(str(error))
            return
        _scan(project, f"Saved {len(wanted)} glossary term{_s(len(wanted))} and rescanned")


def _roster(project: Project) -> None:
    st.subheader("Roster of known names")
    st.caption(
        "A CSV with columns original, category and optionally replacement (e.g. `Denise Walsh,family member,`). "
        "The scan then finds these names everywhere, misspelt or not. Loading it rescans the transcripts under review."
    )
    upload = st.file_uploader("Roster CSV", type=["csv", "txt"], key="roster_upload")
    if st.button("Load roster and rescan", key="roster_load", disabled=upload is None) and upload is not None:
        try:
            names = project.review.load_roster(read_roster(upload.name, upload.getvalue()))
        except WorkbenchError as error:
            st.error(str(error))
            return
        _scan(project, f"Loaded {names} name{_s(names)} from {escape_markdown(upload.name)} and rescanned")


def _style(project: Project) -> None:
    st.subheader("Placeholder style")
    current = project.review.style
    styles = list(STYLES)
    chosen = st.selectbox(
        "How placeholders look", styles, index=styles.index(current), key="placeholder_style",
        format_func=_style_example,
    )  # fmt: skip
    st.caption("Placeholders already written into signed-off transcripts keep their style until they are reopened.")
    if st.button("Save placeholder style", key="placeholder_style_save", disabled=chosen == current):
        try:
            project.review.set_style(str(chosen))
        except WorkbenchError as error:
            st.error(str(error))
            return
        flash(f"Placeholders now look like {escape_markdown(_style_example(str(chosen)))}")
        st.rerun()


def _style_example(style: str) -> str:
    return f"{render_placeholder('service user', 1, style)}, {render_placeholder('phone', None, style)}"


def _report(project: Project) -> None:
    ethics_buttons(project, docx_key="report_docx", md_key="report_md")


def _when(at: str | None) -> str:
    return (at or "").replace("T", " ")[:16]


def _s(count: int) -> str:
    return "" if count == 1 else "s"


if __name__ == "__main__":  # Streamlit runs each page file as __main__
    render()
