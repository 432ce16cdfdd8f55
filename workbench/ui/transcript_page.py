"""Transcript page: read one interview turn by turn, speakers told apart, segment ids on show.

Coders read here, so it offers only transcripts an ethics reviewer has signed off, in their anonymised form.
"""

from __future__ import annotations

import math

import streamlit as st

from workbench.project import DocumentRecord, DocumentSummary, Project, TurnRecord
from workbench.ui.common import escape_markdown, link, open_project, sidebar

PARTICIPANT_KEY = "transcript_participant"
DOCUMENT_KEY = "transcript_document"
PAGE_KEY = "transcript_page_number"
# The transcript the page number belongs to: another transcript starts again from its first page.
VIEW_KEY = "transcript_view"
# A long interview is read a page of turns at a time (a 12,000-word one has some 250 turns): every sample study
# interview fits on one page.
TURNS_PER_PAGE = 60
SIGNED_OFF = "signed off"
_REVIEW_ICON = ":material/shield_person:"
_AVATARS = {"interviewer": ":material/record_voice_over:", "participant": ":material/person:"}


def render() -> None:
    sidebar()
    with open_project() as project:
        if project is None:
            st.title("Transcript")
            st.info("Open a project first.")
            link("project", label="Go to the Project page", icon=":material/folder_open:")
            return
        documents = project.documents()
        if not documents:
            st.title("Transcript")
            st.info("This project has no transcripts yet: import some on the Project page.")
            return
        released = [d for d in documents if d.status == SIGNED_OFF]
        waiting = [d for d in documents if d.status != SIGNED_OFF]
        if not released:
            st.title("Transcript")
            st.info(
                f"No transcript can be read yet: {_waiting(waiting)} for ethics review. An ethics reviewer "
                "anonymises and signs off each transcript before coders read it."
            )
            link("anonymise", label="Go to the Anonymisation page", icon=_REVIEW_ICON)
            return
        document = _choose_document(project, released, waiting)
        _show(document)


def _waiting(waiting: list[DocumentSummary]) -> str:
    return f"{len(waiting)} transcript{'' if len(waiting) == 1 else 's'} {'is' if len(waiting) == 1 else 'are'} waiting"


def _choose_document(
    project: Project, documents: list[DocumentSummary], waiting: list[DocumentSummary]
) -> DocumentRecord:
    """Pick a signed-off transcript by participant (a ?participant=12 link preselects one), then by file if they have
    several; ``waiting`` (the transcripts still in ethics review) are only counted, never opened."""
    citations = {d.participant_id: d.citation for d in documents}
    wanted = st.query_params.get("participant")
    if wanted in citations and PARTICIPANT_KEY not in st.session_state:
        st.session_state[PARTICIPANT_KEY] = wanted
    elif wanted not in citations and any(d.participant_id == wanted for d in waiting):
        cited = next(d.citation for d in waiting if d.participant_id == wanted)
        st.info(f"{escape_markdown(cited)}'s transcript is waiting for ethics review and cannot be read yet.")
    with st.sidebar:
        participant = st.selectbox(
            "Jump to participant", list(citations), format_func=citations.__getitem__, key=PARTICIPANT_KEY
        )
        own = [d for d in documents if d.participant_id == participant]
        chosen = own[0]
        if len(own) > 1:
            chosen = st.selectbox(
                "Transcript", own, format_func=lambda d: f"{d.source_name} (document {d.id})", key=DOCUMENT_KEY
            )
        st.toggle("Show sentence ids", value=True, key="show_sentence_ids")
        if waiting:
            st.info(f"{_waiting(waiting)} for ethics review.", icon=_REVIEW_ICON)
            link("anonymise", label="Review them on the Anonymisation page", icon=_REVIEW_ICON)
    st.query_params["participant"] = participant
    return project.document(chosen.id)


def _show(document: DocumentRecord) -> None:
    st.title(escape_markdown(document.citation))
    facts = [f"File: {document.source_name}", f"document {document.id}", f"{len(document.turns)} turns",
             f"{len(document.sentences)} sentences", f"status: {document.status}"]  # fmt: skip
    st.caption(escape_markdown(" · ".join(facts)))
    if document.metadata:
        with st.expander("Interview details"):
            for key, value in document.metadata.items():
                st.text(f"{key}: {value}")
    sentences_by_turn: dict[str, list[tuple[str, str]]] = {}
    for sentence in document.sentences:
        sentences_by_turn.setdefault(sentence.turn_id, []).append((sentence.id, sentence.text))
    show_ids = bool(st.session_state.get("show_sentence_ids", True))
    for turn in _page(document):
        _show_turn(turn, sentences_by_turn.get(turn.id, []), show_ids)
    if len(document.turns) > TURNS_PER_PAGE:
        st.pagination(math.ceil(len(document.turns) / TURNS_PER_PAGE), key=PAGE_KEY)


def _page(document: DocumentRecord) -> list[TurnRecord]:
    """The turns of the page chosen (all of them when the transcript fits on one), and a caption saying which."""
    pages = max(1, math.ceil(len(document.turns) / TURNS_PER_PAGE))
    page = int(st.session_state.get(PAGE_KEY) or 1)
    # Set only when it must change: Streamlit logs a warning whenever a pagination's page is set by the page.
    if page != 1 and (st.session_state.get(VIEW_KEY) != document.id or page > pages):
        st.session_state[PAGE_KEY] = page = 1
    st.session_state[VIEW_KEY] = document.id
    if pages == 1:
        return document.turns
    first = (page - 1) * TURNS_PER_PAGE
    shown = document.turns[first : first + TURNS_PER_PAGE]
    st.caption(
        f"Turns {first + 1}–{first + len(shown)} of {len(document.turns)} (page {page} of {pages}): the pages are "
        "at the foot of the transcript."
    )
    return shown


def _show_turn(turn: TurnRecord, sentences: list[tuple[str, str]], show_ids: bool) -> None:
    speaker = turn.speaker or "(no speaker label)"
    with st.chat_message(turn.role, avatar=_AVATARS.get(turn.role)):
        colour = "gray" if turn.role == "interviewer" else "blue"
        time = f" · {turn.start_time}" if turn.start_time else ""
        st.markdown(
            f":{colour}[**{escape_markdown(speaker)}**] :gray[· {turn.role} · `{turn.id}`{escape_markdown(time)}]"
        )
        if show_ids:
            for sentence_id, text in sentences:
                st.text(f"{sentence_id}  {text}")
        else:
            st.text(turn.text)


if __name__ == "__main__":  # Streamlit runs each page file as __main__
    render()
