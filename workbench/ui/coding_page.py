"""Coding page: code a signed-off transcript turn by turn (a whole turn, a sentence or the exact words of a span),
see every coder's codings as chips in their code's colour, decide the suggestions found from the codes' keywords,
write memos, and undo or redo your own steps."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass

import streamlit as st

from workbench.autocode import SuggestionRecord, Suggestions
from workbench.coding import Coding, CodingRecord, Span
from workbench.errors import CodingError, WorkbenchError
from workbench.project import DocumentRecord, DocumentSummary, Project, SentenceRecord, TurnRecord
from workbench.ui.code_chips import (
    CodeIndex,
    apply_resets,
    chip,
    chips,
    find_words,
    open_memo,
    reset_later,
    short,
    show_memo_dialog,
)
from workbench.ui.common import actor, escape_markdown, flash, link, open_project, show_flashes, sidebar, team_mode

# Streamlit runs this file as a script, so its "magic" would print a docstring under a constant: comments here.
CODER_KEY = "coding_coder"
DOCUMENT_KEY = "coding_document"
PAGE_KEY = "coding_page_number"
PARTICIPANT_ONLY_KEY = "coding_participant_only"
FILTER_CODES_KEY = "coding_filter_codes"
FILTER_TEXT_KEY = "coding_filter_text"
# The document and filters the page number belongs to: when they change, the page goes back to 1.
VIEW_KEY = "coding_view"
TURNS_PER_PAGE = 15
SIGNED_OFF = "signed off"
WHOLE_TURN = "turn"
WORDS = "words"
_REVIEW_ICON = ":material/shield_person:"


def render() -> None:
    sidebar()
    apply_resets()
    with open_project() as project:
        st.title("Coding")
        if project is None:
            st.info("Open a project first.")
            link("project", label="Go to the Project page", icon=":material/folder_open:")
            return
        documents = project.documents()
        released = [d for d in documents if d.status == SIGNED_OFF]
        waiting = len(documents) - len(released)
        if not released:
            if documents:
                st.info(f"No transcript can be coded yet: {_waiting(waiting)} for ethics review.")
                link("anonymise", label="Go to the Anonymisation page", icon=_REVIEW_ICON)
            else:
                st.info("This project has no transcripts yet: import some on the Project page.")
            return
        try:
            index = CodeIndex.of(project.codebooks.loaded())
        except WorkbenchError as error:
            st.error(str(error))
            return
        if not index.codes:
            st.info("This project has no codebook yet: load one on the Codebook page before coding.")
            link("codebook", label="Go to the Codebook page", icon=":material/account_tree:")
            return
        show_flashes()
        summary, coder = _choose(project, released, waiting)
        try:
            document = project.document(summary.id, "coded")
        except WorkbenchError as error:
            st.error(str(error))
            return
        coding = project.coding.as_coder(coder)
        suggestions = project.suggestions.as_coder(coder)
        pending = suggestions.pending(document.id)
        _toolbar(coding, suggestions, document, pending)
        _transcript(coding, suggestions, document, index, pending)
        show_memo_dialog()


def _waiting(count: int) -> str:
    return f"{count} transcript{'' if count == 1 else 's'} {'is' if count == 1 else 'are'} waiting"


def _choose(project: Project, released: list[DocumentSummary], waiting: int) -> tuple[DocumentSummary, str]:
    """Pick the transcript and the coder whose codings the page writes (the sidebar's name unless another is chosen)."""
    by_id = {d.id: d for d in released}
    coders = list(dict.fromkeys([actor(), *project.coding.coders()]))
    chosen_coder = st.session_state.get(CODER_KEY)
    if isinstance(chosen_coder, str) and chosen_coder.strip() and chosen_coder not in coders:
        coders.append(chosen_coder)  # a name typed into the box last run
    if st.session_state.get(DOCUMENT_KEY) not in by_id:
        st.session_state.pop(DOCUMENT_KEY, None)
    document_column, coder_column = st.columns([3, 1])
    with document_column:
        chosen = st.selectbox(
            "Transcript", list(by_id), key=DOCUMENT_KEY,
            format_func=lambda d: f"{by_id[d].citation} · {by_id[d].source_name} ({by_id[d].turns} turns)",
        )  # fmt: skip
    with coder_column:
        if team_mode():  # a signed-in member codes in their own name only
            st.text_input("Coder", value=actor(), disabled=True, help="You code under the name you signed in with.")
            coder = actor()
        else:
            coder = st.selectbox(
                "Coder", coders, key=CODER_KEY, accept_new_options=True,
                help="Codings, undo and redo are in this coder's name; type a new name to add a coder.",
            )  # fmt: skip
    if waiting:
        st.caption(f"{_waiting(waiting)} for ethics review and cannot be coded yet.")
        link("anonymise", label="Review them on the Anonymisation page", icon=_REVIEW_ICON)
    return by_id[chosen if chosen in by_id else next(iter(by_id))], " ".join(str(coder or "").split()) or actor()


# --- undo, redo, suggestions and the document memo --------------------------------------------------------------


def _toolbar(
    coding: Coding, suggestions: Suggestions, document: DocumentRecord, pending: list[SuggestionRecord]
) -> None:
    history = coding.history(50)
    last_done = next((what for _, what, state in history if state == "done"), None)
    last_undone = next((what for _, what, state in history if state == "undone"), None)
    memos = len(coding.memos("document", document.id))
    with st.container(horizontal=True, vertical_alignment="center", key="coding_toolbar"):
        undo = st.button(f"Undo: {last_done}" if last_done else "Undo", key="coding_undo", icon=":material/undo:",
                         disabled=last_done is None)  # fmt: skip
        redo = st.button(f"Redo: {last_undone}" if last_undone else "Redo", key="coding_redo", icon=":material/redo:",
                         disabled=last_undone is None)  # fmt: skip
        if st.button(f"Memos on this transcript ({memos})", key="coding_document_memo", icon=":material/edit_note:"):
            open_memo("document", document.id, f"{document.citation}'s transcript", coding.coder)
        run = st.button("Find suggestions", key="suggest_run", icon=":material/lightbulb:",
                        help="Look for every code's keywords in this transcript's participant turns.")  # fmt: skip
        accept = st.button(f"Accept all {len(pending)}", key="suggest_accept_all", icon=":material/done_all:",
                           disabled=not pending)  # fmt: skip
        reject = st.button(f"Reject all {len(pending)}", key="suggest_reject_all", icon=":material/clear_all:",
                           disabled=not pending)  # fmt: skip
    try:
        if undo:
            flash(f"Undone ({escape_markdown(coding.coder)}): {coding.undo()}")
        elif redo:
            flash(f"Redone ({escape_markdown(coding.coder)}): {coding.redo()}")
        elif run:
            with st.spinner("Looking for the codes' keywords..."):
                found = suggestions.run([document.id])
            flash(f"Found {found.added} new suggestion{_s(found.added)}; {found.pending} waiting in this transcript")
        elif accept:
            made = suggestions.accept([item.id for item in pending])
            flash(f"Accepted {len(pending)} suggestion{_s(len(pending))}: {len(made)} new codings by "
                  f"{escape_markdown(coding.coder)}")  # fmt: skip
        elif reject:
            rejected = suggestions.reject([item.id for item in pending])
            flash(f"Rejected {rejected} suggestion{_s(rejected)}")
        else:
            return
    except WorkbenchError as error:
        st.error(str(error))
        return
    st.rerun()


# --- the turns --------------------------------------------------------------------------------------------------


def _transcript(
    coding: Coding, suggestions: Suggestions, document: DocumentRecord, index: CodeIndex,
    pending: list[SuggestionRecord],
) -> None:  # fmt: skip
    codings = coding.codings(document.id)
    starts = [turn.start for turn in document.turns]
    by_turn: dict[str, list[CodingRecord]] = defaultdict(list)
    for item in codings:
        by_turn[document.turns[max(bisect_right(starts, item.start) - 1, 0)].id].append(item)
    turns, view = _filter(document, by_turn, index)
    pages = max(1, math.ceil(len(turns) / TURNS_PER_PAGE))
    if st.session_state.get(VIEW_KEY) != view or not 1 <= int(st.session_state.get(PAGE_KEY) or 1) <= pages:
        st.session_state[VIEW_KEY] = view
        st.session_state[PAGE_KEY] = 1
    number_column, where_column = st.columns([1, 5], vertical_alignment="bottom")
    with number_column:
        page = int(st.number_input("Page", min_value=1, max_value=pages, step=1, key=PAGE_KEY) or 1)
    first = (page - 1) * TURNS_PER_PAGE
    shown = turns[first : first + TURNS_PER_PAGE]
    with where_column:
        if shown:
            st.caption(f"Turns {first + 1}–{first + len(shown)} of the {len(turns)} shown (page {page} of {pages}); "
                       f"the transcript has {len(document.turns)} turns.")  # fmt: skip
        else:
            st.caption("No turn matches the filters.")
    sentences: dict[str, list[SentenceRecord]] = defaultdict(list)
    for sentence in document.sentences:
        sentences[sentence.turn_id].append(sentence)
    suggested: dict[str, list[SuggestionRecord]] = defaultdict(list)
    for suggestion in pending:
        suggested[suggestion.segment_id].append(suggestion)
    memo_counts = coding.memo_counts(document.id)
    context = _Context(coding, suggestions, document, index, memo_counts)
    for turn in shown:
        _turn(context, turn, sentences[turn.id], by_turn[turn.id], suggested)
    if page < pages:
        st.button("Next page", key="coding_next_page", icon=":material/navigate_next:", on_click=_next_page)


@dataclass(frozen=True)
class _Context:
    """What every turn on the page needs."""

    coding: Coding
    suggestions: Suggestions
    document: DocumentRecord
    index: CodeIndex
    memo_counts: Counter[str]


def _filter(
    document: DocumentRecord, by_turn: dict[str, list[CodingRecord]], index: CodeIndex
) -> tuple[list[TurnRecord], tuple[object, ...]]:
    """The turns that pass the filters, and the filters themselves (the page number belongs to them)."""
    role_column, codes_column, text_column = st.columns([1, 2, 2], vertical_alignment="bottom")
    with role_column:
        participant_only = st.toggle("Participants' turns only", key=PARTICIPANT_ONLY_KEY)
    with codes_column:
        codes = st.multiselect("Turns coded with", list(index.codes), key=FILTER_CODES_KEY, format_func=index.path,
                               placeholder="Any turn, coded or not")  # fmt: skip
    with text_column:
        text = st.text_input("Text contains", key=FILTER_TEXT_KEY, placeholder="e.g. paperwork")
    wanted, needle = set(codes), " ".join((text or "").split()).casefold()
    turns = [
        turn
        for turn in document.turns
        if (not participant_only or turn.role != "interviewer")
        and (not wanted or any(item.code_id in wanted for item in by_turn[turn.id]))
        and (not needle or needle in " ".join(turn.text.split()).casefold())
    ]
    return turns, (document.id, participant_only, tuple(codes), needle)


def _next_page() -> None:
    st.session_state[PAGE_KEY] = int(st.session_state.get(PAGE_KEY) or 1) + 1


def _turn(
    context: _Context, turn: TurnRecord, sentences: list[SentenceRecord], codings: list[CodingRecord],
    suggested: dict[str, list[SuggestionRecord]],
) -> None:  # fmt: skip
    own = [item for item in codings if item.coder == context.coding.coder]
    with st.container(border=True, key=f"turn_{turn.id}"):
        text_column, tool_column = st.columns([6, 1])
        with text_column:
            colour = "gray" if turn.role == "interviewer" else "blue"
            speaker = escape_markdown(turn.speaker or "(no speaker label)")
            st.markdown(f":{colour}[**{speaker}**] :gray[· {escape_markdown(turn.role)} · `{turn.id}`]")
            start = turn.start
            for sentence in sentences:
                if suggested.get(sentence.id):
                    _paragraph(context.document.text[start : sentence.end])
                    start = sentence.end
                    for suggestion in suggested[sentence.id]:
                        _suggestion(context, suggestion)
            _paragraph(context.document.text[start : turn.end])
            if codings:
                st.html(chips([_chip(context, item, turn, sentences) for item in codings]))
        # A key keeps the popover (and so its open state) the same when its label counts a new coding.
        label = f"Code ({len(own)})" if own else "Code"
        with tool_column, st.popover(label, icon=":material/label:", width="stretch", key=f"code_popover_{turn.id}"):
            _apply(context, turn, sentences)
            if own:
                st.caption(f"{escape_markdown(context.coding.coder)}'s codings on this turn")
            for item in own:
                _own(context, item, turn, sentences)


def _paragraph(text: str) -> None:
    if text.strip():
        st.markdown(escape_markdown(text.strip()).replace("\n", "  \n"))


def _extent(document: DocumentRecord, item: CodingRecord, turn: TurnRecord, sentences: list[SentenceRecord]) -> str:
    """What a coding covers, in words: the turn, sentence 2, or its first words."""
    if (item.start, item.end) == (turn.start, turn.end):
        return "turn"
    for number, sentence in enumerate(sentences, 1):
        if (item.start, item.end) == (sentence.start, sentence.end):
            return f"sentence {number}"
    return f"“{short(document.text[item.start : item.end], 40)}”"


def _chip(context: _Context, item: CodingRecord, turn: TurnRecord, sentences: list[SentenceRecord]) -> str:
    index = context.index
    memos = context.memo_counts[str(item.id)]
    label = f"{'★ ' if item.key_quote else ''}{index.name(item.code_id)} · {item.coder} · "
    label += _extent(context.document, item, turn, sentences) + (f" · ✎{memos}" if memos else "")
    quoted = short(context.document.text[item.start : item.end], 160)
    title = f"{index.path(item.code_id)} · {item.coder} ({item.origin}) · “{quoted}”"
    return chip(label, index.colour(item.code_id), title=title)


def _suggestion(context: _Context, item: SuggestionRecord) -> None:
    with st.container(horizontal=True, vertical_alignment="center", key=f"suggestion_{item.id}"):
        st.markdown(f":orange[:material/lightbulb: Suggested:] **{escape_markdown(context.index.name(item.code_id))}**"
                    f" · “{escape_markdown(item.matched)}”", width="content")  # fmt: skip
        accept = st.button("Accept", key=f"suggestion_accept_{item.id}", icon=":material/check:", type="tertiary")
        reject = st.button("Reject", key=f"suggestion_reject_{item.id}", icon=":material/close:", type="tertiary")
    if not (accept or reject):
        return
    try:
        if accept:
            context.suggestions.accept([item.id])
        else:
            context.suggestions.reject([item.id])
    except WorkbenchError as error:
        st.error(str(error))
        return
    flash(f"{'Accepted' if accept else 'Rejected'} {escape_markdown(context.index.name(item.code_id))} for "
          f"“{escape_markdown(item.matched)}”")  # fmt: skip
    st.rerun()


# --- coding a turn ----------------------------------------------------------------------------------------------


def _apply(context: _Context, turn: TurnRecord, sentences: list[SentenceRecord]) -> None:
    labels = {WHOLE_TURN: "The whole turn", WORDS: "Exact words (type or paste them)"}
    labels |= {s.id: f"Sentence {n}: {short(s.text, 50)}" for n, s in enumerate(sentences, 1)}
    target = st.selectbox("Code what", list(labels), key=f"code_target_{turn.id}", format_func=labels.__getitem__)
    words = ""
    if target == WORDS:
        words = st.text_input("The exact words, copied from the turn", key=f"code_words_{turn.id}")
    index = context.index
    picked = st.multiselect("Codes", list(index.codes), key=f"code_pick_{turn.id}", format_func=index.path,
                            placeholder="Choose codes")  # fmt: skip
    if not st.button("Apply", key=f"code_apply_{turn.id}", type="primary", icon=":material/label:",
                     disabled=not picked):  # fmt: skip
        return
    coding = context.coding
    try:
        span, what, start, end = _span(context.document, turn, sentences, target, words)
        done = {
            c.code_id for c in coding.codings(span.document_id, coder=coding.coder) if (c.start, c.end) == (start, end)
        }
        new = [code_id for code_id in picked if code_id not in done]
        if new:
            coding.apply_many([(span, code_id) for code_id in new], origin="manual", action="code")
    except WorkbenchError as error:
        st.error(str(error))
        return
    if not new:
        st.info(f"{escape_markdown(coding.coder)} has already coded {what} with those codes.")
        return
    reset_later({f"code_pick_{turn.id}": [], f"code_words_{turn.id}": ""})
    flash(f"Coded {what} with {escape_markdown(', '.join(index.name(code_id) for code_id in new))}")
    st.rerun()


def _span(
    document: DocumentRecord, turn: TurnRecord, sentences: list[SentenceRecord], target: str, words: str
) -> tuple[Span, str, int, int]:
    """The span to code, how to name it, and its offsets: the turn, one sentence, or the first place the words occur
    in the turn."""
    if target == WHOLE_TURN:
        return Span(document.id, turn.id), f"turn {turn.id}", turn.start, turn.end
    for sentence in sentences:
        if sentence.id == target:
            return Span(document.id, sentence.id), f"sentence {sentence.id}", sentence.start, sentence.end
    found = find_words(turn.text, words)
    if found is None:
        raise CodingError(
            "those words are not in this turn: copy them from its text exactly (letter case and spaces may differ)"
            if words.strip()
            else "type or paste the words to code"
        )
    start, end = turn.start + found[0], turn.start + found[1]
    for sentence in sentences:
        if (sentence.start, sentence.end) == (start, end):
            return Span(document.id, sentence.id), f"sentence {sentence.id}", start, end
    what = f"“{escape_markdown(short(turn.text[found[0] : found[1]], 40))}”"
    return Span(document.id, turn.id, start, end), what, start, end


def _own(context: _Context, item: CodingRecord, turn: TurnRecord, sentences: list[SentenceRecord]) -> None:
    """One of the chosen coder's codings on the turn: mark it a key quote, write a memo on it, or remove it."""
    name, extent = context.index.name(item.code_id), _extent(context.document, item, turn, sentences)
    memos = context.memo_counts[str(item.id)]
    st.markdown(f"{'★ ' if item.key_quote else ''}**{escape_markdown(name)}** · {escape_markdown(extent)}")
    with st.container(horizontal=True, key=f"own_{item.id}"):
        key = st.button("Unmark key quote" if item.key_quote else "Key quote", key=f"coding_key_{item.id}",
                        icon=":material/star:" if item.key_quote else ":material/star_outline:")  # fmt: skip
        if st.button(f"Memo ({memos})" if memos else "Memo", key=f"coding_memo_{item.id}", icon=":material/edit_note:"):
            open_memo("coding", item.id, f"{name} on {turn.id} ({extent})", item.coder)
        remove = st.button("Remove", key=f"coding_remove_{item.id}", icon=":material/delete:")
    if not (key or remove):
        return
    try:
        if remove:
            context.coding.remove(item.id)
        else:
            context.coding.set_key_quote(item.id, not item.key_quote)
    except WorkbenchError as error:
        st.error(str(error))
        return
    if remove:
        flash(f"Removed {escape_markdown(name)} from {escape_markdown(extent)} (Undo brings it back)")
    else:
        flash(f"{'Unmarked' if item.key_quote else 'Marked'} {escape_markdown(extent)} as a key quote")
    st.rerun()


def _s(count: int) -> str:
    return "" if count == 1 else "s"


if __name__ == "__main__":  # Streamlit runs each page file as __main__
    render()
