"""What the Quotes, Explore and Analysis pages share: the check that there is signed-off material (and codings) to
show, the participants and codes to choose from, code names made unique for column labels, and counts in words.

These pages only read: everything they show comes from signed-off transcripts through the core's quote, search and
analysis APIs.
"""

from __future__ import annotations

import streamlit as st

from workbench.errors import WorkbenchError
from workbench.project import Project
from workbench.ui.code_chips import CodeIndex
from workbench.ui.common import escape_markdown, link

SIGNED_OFF = "signed off"


def ready(project: Project | None, *, codings: bool) -> CodeIndex | None:
    """Return the project's codes when the page has something to show, else say why (with a link to the page that
    fixes it) and return None: a project must be open, a transcript signed off and, when ``codings``, one coded."""
    if project is None:
        st.info("Open a project first.")
        link("project", label="Go to the Project page", icon=":material/folder_open:")
        return None
    if not any(document.status == SIGNED_OFF for document in project.documents()):
        st.info(
            "Nothing to show yet: no transcript has been signed off. An ethics reviewer anonymises and signs off each "
            "transcript before anyone reads, codes or quotes it."
        )
        link("anonymise", label="Go to the Anonymisation page", icon=":material/shield_person:")
        return None
    try:
        index = CodeIndex.of(project.codebooks.loaded())
        coded = bool(project.quotes(limit=1)) if codings else True
    except WorkbenchError as error:
        show_error(error)
        return None
    if not coded:
        st.info("No codings yet: code the signed-off transcripts on the Coding page, then come back here.")
        link("coding", label="Go to the Coding page", icon=":material/label:")
        return None
    return index


def show_error(error: WorkbenchError) -> None:
    """One plain line (escaped: a query such as ``*`` must not turn the message into italics)."""
    st.error(escape_markdown(str(error)))


def participants(project: Project) -> dict[str, str]:
    """Participants with a signed-off transcript, id -> citation ("Case Worker 12"), in natural order."""
    released = {document.participant_id for document in project.documents() if document.status == SIGNED_OFF}
    return {person.id: person.citation for person in project.participants() if person.id in released}


def with_subcodes(index: CodeIndex, code_id: str) -> list[str]:
    """The code and every code below it."""
    codebook = index.codebook_of.get(code_id)
    below = codebook.descendants(code_id) if codebook is not None else []
    return [code_id, *(code.id for code in below)]


def column_labels(names: dict[str, str]) -> dict[str, str]:
    """Code id -> its name as a column label; a name two codes share gets the id added, so columns stay distinct."""
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    return {code_id: name if counts[name] == 1 else f"{name} ({code_id})" for code_id, name in names.items()}


def counted(count: int, noun: str) -> str:
    """ "1 quote", "23 quotes"; "1 case worker", "9 case workers" (the noun given in the plural)."""
    plural = noun if noun.endswith("s") else f"{noun}s"
    singular = noun[:-1] if noun.endswith("s") else noun
    return f"{count} {singular if count == 1 else plural}"
