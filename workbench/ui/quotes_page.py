"""Quotes page: the coded words of signed-off transcripts, verbatim and cited "(Case Worker 12)", filtered by
participant, code, theme, coder, attribute and words; mark key quotes, read a quote's surrounding turns, and take
the quotes away as CSV, Excel or Word."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from workbench.errors import WorkbenchError
from workbench.exports import quote_table, table_bytes
from workbench.participants import normalise_participant_id
from workbench.project import Project
from workbench.quotes import Quote, QuoteCounts, QuoteFilter
from workbench.ui.code_chips import CodeIndex, short
from workbench.ui.common import actor, escape_markdown, flash, open_project, show_flashes, sidebar
from workbench.ui.findings import counted, participants, ready, show_error

# Streamlit runs this file as a script, so its "magic" would print a docstring under a constant: comments here.
PARTICIPANT_KEY = "quotes_participant"
CODE_KEY = "quotes_code"
SUBCODES_KEY = "quotes_subcodes"
THEME_KEY = "quotes_theme"
CODER_KEY = "quotes_coder"
ROLE_KEY = "quotes_role"
TEXT_KEY = "quotes_text"
KEY_ONLY_KEY = "quotes_key_only"
PAGE_KEY = "quotes_page_number"
# The filters the page number belongs to: when they change, the list goes back to its first page.
VIEW_KEY = "quotes_view"
# A key-quote toggle's change, kept by its callback until the page has the project open to write it.
PENDING_KEY = "quotes_key_pending"
QUOTES_PER_PAGE = 50
KEY_HELP = "Mark or unmark it as a key quote in your name (the sidebar's); Undo on the Coding page takes it back."
ANY = "Any"
_MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def render() -> None:
    sidebar()
    with open_project() as project:
        st.title("Quotes")
        index = ready(project, codings=True)
        if project is None or index is None:
            return
        _write_key_quote(project)
        show_flashes()
        noun = project.analysis.noun
        wanted, view = _filters(project, index, noun)
        try:
            counts = project.analysis.quote_counts(wanted)
        except WorkbenchError as error:
            show_error(error)
            return
        _summary(project, counts, wanted, noun)
        if counts.quotes:
            _list(project, wanted, counts.quotes, view)


# --- filters ----------------------------------------------------------------------------------------------------


def _filters(project: Project, index: CodeIndex, noun: str) -> tuple[QuoteFilter, tuple[object, ...]]:
    """Draw the filters and return the QuoteFilter they make, with the values that make it (for the page number)."""
    people = participants(project)
    _preselect(people)
    themes = [code.id for code in index.codes.values() if code.parent is None]
    values = _attribute_values(project, set(people))
    person_column, code_column, theme_column = st.columns([2, 3, 2])
    with person_column:
        participant = st.selectbox(
            noun[:-1].capitalize() if noun.endswith("s") else noun.capitalize(), [ANY, *people], key=PARTICIPANT_KEY,
            format_func=lambda p: people.get(p, ANY),
        )  # fmt: skip
    with code_column:
        code = st.selectbox("Code", [ANY, *index.codes], key=CODE_KEY, format_func=lambda c: _or_any(c, index.path))
    with theme_column:
        theme = st.selectbox("Theme", [ANY, *themes], key=THEME_KEY, format_func=lambda c: _or_any(c, index.name))
    coder_column, role_column, text_column = st.columns([2, 3, 2])
    with coder_column:
        coder = st.selectbox("Coder", [ANY, *project.coding.coders()], key=CODER_KEY)
    with role_column:
        pair = st.selectbox("Role or attribute", [ANY, *values], key=ROLE_KEY,
                            format_func=lambda v: _or_any(v, lambda pair: f"{pair[0]}: {pair[1]}"))  # fmt: skip
    with text_column:
        text = " ".join((st.text_input("Words in the quote", key=TEXT_KEY, placeholder="e.g. paperwork") or "").split())
    with st.container(horizontal=True, gap="large"):
        subcodes = st.toggle("Include sub-codes", value=True, key=SUBCODES_KEY,
                             help="Quotes coded with a code below the chosen one count too.")  # fmt: skip
        key_only = st.toggle("Key quotes only", key=KEY_ONLY_KEY)
    if participant == ANY:
        st.query_params.pop("participant", None)
    else:
        st.query_params["participant"] = participant
    wanted = QuoteFilter(
        participant=None if participant == ANY else participant,
        code=None if code == ANY else code,
        subcodes=subcodes,
        theme=None if theme == ANY else theme,
        coder=None if coder == ANY else coder,
        attributes={} if pair == ANY else {pair[0]: pair[1]},
        text=text or None,
        key_only=key_only,
    )
    return wanted, (participant, code, subcodes, theme, coder, pair, text, key_only)


def _or_any(value: object, label: Callable[..., str]) -> str:
    return ANY if value == ANY else label(value)


def _preselect(people: dict[str, str]) -> None:
    """A ?participant=12 link (or CW12, Case Worker 12) chooses that participant when the page opens."""
    wanted = st.query_params.get("participant")
    if not wanted or PARTICIPANT_KEY in st.session_state:
        return
    participant = normalise_participant_id(wanted)
    if participant in people:
        st.session_state[PARTICIPANT_KEY] = participant
    else:
        st.info(f"{escape_markdown(wanted)} has no signed-off transcript to quote: showing every participant.")


def _attribute_values(project: Project, released: set[str]) -> list[tuple[str, str]]:
    """(attribute, value) pairs the participants with a signed-off transcript have: role first, then the others."""
    pairs: set[tuple[str, str]] = set()
    for person in project.participants():
        if person.id in released:
            pairs |= {("role", person.role)} if person.role else set()
            pairs |= {(name, str(value)) for name, value in person.attributes.items() if str(value).strip()}
    return sorted(pairs, key=lambda pair: (pair[0] != "role", pair[0], *_natural(pair[1])))


def _natural(value: str) -> tuple[int, int | str]:
    return (0, int(value)) if value.isdigit() else (1, value.casefold())


# --- the list ---------------------------------------------------------------------------------------------------


def _summary(project: Project, counts: QuoteCounts, wanted: QuoteFilter, noun: str) -> None:
    """Counts, and the quotes as files (built when a button is clicked, in another thread: it opens the project)."""
    st.subheader(f"{counted(counts.quotes, 'quotes')} from {counted(counts.participants, noun)}")
    if not counts.quotes:
        st.info("No quote matches these filters.")
        return
    st.caption(f"{counted(counts.key_quotes, 'key quotes')} among them · every quote is from a signed-off transcript")
    folder = project.folder
    with st.container(horizontal=True, key="quotes_downloads"):
        for kind, label, icon in (("csv", "CSV", ":material/csv:"), ("xlsx", "Excel", ":material/table_view:"),
                                  ("docx", "Word", ":material/description:")):  # fmt: skip
            st.download_button(
                f"{label} (.{kind})", _deferred(folder, wanted, kind), file_name=f"quotes.{kind}", mime=_MIME[kind],
                key=f"quotes_{kind}", icon=icon, on_click="ignore",
            )  # fmt: skip


def _deferred(folder: Path, wanted: QuoteFilter, kind: str) -> Callable[[], bytes]:
    return lambda: quotes_file(folder, wanted, kind)


def quotes_file(folder: Path, wanted: QuoteFilter, kind: str) -> bytes:
    """Return the quotes that pass ``wanted`` as a CSV, XLSX or Word file's bytes (what the download buttons give)."""
    with Project.open(folder) as project:
        return table_bytes(quote_table(project.quotes(wanted)), kind, title="Quotes")


def _list(project: Project, wanted: QuoteFilter, total: int, view: tuple[object, ...]) -> None:
    """The page of quotes chosen: only the quotes up to its last are read (a theme of a large study has a hundred
    thousand; the first pages are read at once, later ones as they are asked for)."""
    pages = max(1, math.ceil(total / QUOTES_PER_PAGE))
    page = int(st.session_state.get(PAGE_KEY) or 1)
    # Set only when it must change: Streamlit logs a warning whenever a pagination's page is set by the page.
    if page != 1 and (st.session_state.get(VIEW_KEY) != view or page > pages):
        st.session_state[PAGE_KEY] = 1
    st.session_state[VIEW_KEY] = view
    page = int(st.pagination(pages, key=PAGE_KEY)) if pages > 1 else 1
    first = (page - 1) * QUOTES_PER_PAGE
    shown = project.quotes(wanted, limit=first + QUOTES_PER_PAGE)[first:]
    if pages > 1:
        st.caption(f"Quotes {first + 1}–{first + len(shown)} of {total} (page {page} of {pages})")
    for quote in shown:
        _quote(project, quote)


def _quote(project: Project, quote: Quote) -> None:
    key, context = f"quote_key_{quote.coding}", f"quote_context_{quote.coding}"
    # The toggle follows the database: another tab, an undo or the Coding page may have changed the mark.
    st.session_state[key] = quote.key_quote
    with st.container(border=True, key=f"quote_{quote.coding}"):
        st.code(f"“{quote.text.strip()}” {quote.citation}", language=None, wrap_lines=True)
        star = ":orange[:material/star:] " if quote.key_quote else ""
        st.caption(f"{star}{escape_markdown(quote.code_path)} · coded by {escape_markdown(quote.coder)}")
        with st.container(horizontal=True):
            what = f"“{short(quote.text, 50)}” {quote.citation}"
            st.toggle("Key quote", key=key, on_change=_key_quote_changed, args=(quote.coding, what), help=KEY_HELP)
            show = st.toggle("Show context", key=context)
        if show:
            _context(project, quote)


def _context(project: Project, quote: Quote) -> None:
    """The turn that holds the quote, marked, between the turns before and after it."""
    for turn in project.quote_context(quote, around=1):
        speaker = escape_markdown(turn.speaker or "(no speaker label)")
        colour = "gray" if turn.role == "interviewer" else "blue"
        mark = " :orange-badge[:material/format_quote: the quote]" if turn.holds_quote else ""
        with st.container(border=turn.holds_quote):
            st.markdown(f":{colour}[**{speaker}**] :gray[· `{turn.segment}`]{mark}")
            st.markdown(_marked(turn.text, quote.text if turn.holds_quote else ""))


def _marked(text: str, words: str) -> str:
    """The turn as Markdown that shows it literally, the quoted words in bold when they lie in one paragraph and
    between spaces (Markdown would show the asterisks of a bold run that starts or ends inside a word)."""
    words = words.strip()
    found = text.find(words) if words and "\n" not in words else -1
    before, after = text[: max(found, 0)], text[found + len(words) :]
    if found < 0 or before[-1:].strip() or after[:1].strip():
        return escape_markdown(text.strip()).replace("\n", "  \n")
    marked = f"{escape_markdown(before)}**{escape_markdown(words)}**{escape_markdown(after)}"
    return marked.strip().replace("\n", "  \n")


def _key_quote_changed(coding: int, what: str) -> None:
    st.session_state[PENDING_KEY] = (coding, bool(st.session_state.get(f"quote_key_{coding}")), what)


def _write_key_quote(project: Project) -> None:
    """Write the key-quote mark a toggle changed since the last run, in the sidebar's name."""
    pending = st.session_state.pop(PENDING_KEY, None)
    if pending is None:
        return
    coding, key, what = pending
    try:
        project.coding.as_coder(actor()).set_key_quote(coding, key)
    except WorkbenchError as error:
        show_error(error)
        return
    flash(f"{'Marked' if key else 'Unmarked'} {escape_markdown(what)} as a key quote")


if __name__ == "__main__":  # Streamlit runs each page file as __main__
    render()
