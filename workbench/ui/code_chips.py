"""What the Codebook and Coding pages share: codes labelled by their path, colour swatches and coding chips as HTML,
widgets reset after an action, and the memo dialog.

Every piece of text from a file (code names, ids, transcript words, coders' names) is HTML-escaped here, and colours
are checked, so that a codebook or a transcript can never inject markup into the page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from workbench.codebook import Code, Codebook
from workbench.codebooks import LoadedCodebook
from workbench.coding import MEMO_KINDS
from workbench.errors import WorkbenchError
from workbench.ui.common import escape_markdown, flash, open_project

_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
_QUOTES = re.compile("['‘’\"“”]")
_QUOTE_CLASSES = {mark: "['‘’]" for mark in "'‘’"} | {mark: '["“”]' for mark in '"“”'}
FALLBACK_COLOUR = "#9E9E9E"
RESET_KEY = "widget_resets"
MEMO_KEY = "memo_target"


@dataclass(frozen=True)
class CodeIndex:
    """Every code of the project with its codebook, read once per run of a page (each read parses the YAML)."""

    loaded: list[LoadedCodebook]
    codes: dict[str, Code]
    codebook_of: dict[str, Codebook]

    @classmethod
    def of(cls, loaded: list[LoadedCodebook]) -> CodeIndex:
        codes: dict[str, Code] = {}
        owners: dict[str, Codebook] = {}
        for item in loaded:
            for code in item.codebook.codes:
                codes[code.id] = code
                owners[code.id] = item.codebook
        return cls(loaded, codes, owners)

    def path(self, code_id: str) -> str:
        """Return "Perception > The RAS form > Duplication" for a code, or its id if it is no longer in a codebook."""
        codebook = self.codebook_of.get(code_id)
        return codebook.path(code_id) if codebook is not None else code_id

    def name(self, code_id: str) -> str:
        code = self.codes.get(code_id)
        return code.name if code is not None else code_id

    def colour(self, code_id: str) -> str:
        code = self.codes.get(code_id)
        return safe_colour(code.colour if code is not None else None)


def reset_later(values: dict[str, object]) -> None:
    """Give widgets these values at the start of the next run: a drawn widget's value cannot be changed, and a key
    popped from the session state leaves the browser showing the old value."""
    st.session_state.setdefault(RESET_KEY, {}).update(values)


def apply_resets() -> None:
    """Set the values kept by reset_later (call it before any widget is drawn)."""
    for key, value in st.session_state.pop(RESET_KEY, {}).items():
        st.session_state[key] = value


def safe_colour(colour: str | None) -> str:
    """Return the colour if it is #RGB or #RRGGBB, else a neutral grey (it goes into a style attribute)."""
    return colour if colour and _COLOUR.fullmatch(colour) else FALLBACK_COLOUR


def ink_for(colour: str) -> str:
    """Black or white, whichever reads better on ``colour``."""
    value = safe_colour(colour).lstrip("#")
    if len(value) == 3:
        value = "".join(letter * 2 for letter in value)
    red, green, blue = (int(value[index : index + 2], 16) for index in (0, 2, 4))
    return "#111111" if 0.299 * red + 0.587 * green + 0.114 * blue > 150 else "#FFFFFF"


def swatch(colour: str | None) -> str:
    """A small square of the colour, as HTML."""
    return (
        f'<span style="display:inline-block;width:0.9em;height:0.9em;border-radius:3px;vertical-align:-0.1em;'
        f'background:{safe_colour(colour)};border:1px solid rgba(0,0,0,0.2)"></span>'
    )


def chip(label: str, colour: str, *, title: str = "", outline: bool = False) -> str:
    """One coding chip as HTML: ``label`` on the code's colour (an outlined chip for suggestions)."""
    colour = safe_colour(colour)
    if outline:
        look = f"border:1.5px dashed {colour};color:inherit;background:transparent"
    else:
        look = f"background:{colour};color:{ink_for(colour)};border:1.5px solid {colour}"
    return (
        f'<span class="wb-chip" title="{html.escape(title)}" style="display:inline-block;'
        f'padding:0.05em 0.6em;border-radius:1em;font-size:0.85em;line-height:1.6;{look}">{html.escape(label)}</span>'
    )


def chips(items: Sequence[str]) -> str:
    return f'<div class="wb-chips" style="display:flex;flex-wrap:wrap;gap:0.3em">{"".join(items)}</div>'


def tree_html(codebook: Codebook, counts: dict[str, tuple[int, int]]) -> str:
    """The codebook as an indented tree: swatch, name, id, and (codings, participants) from ``counts``."""
    rows = []
    for code in codebook.codes:
        codings, participants = counts.get(code.id, (0, 0))
        used = f"{codings} coding{_s(codings)} · {participants} participant{_s(participants)}" if codings else "unused"
        weight = "600" if code.depth == 0 else "400"
        rows.append(
            f'<div class="wb-code" style="display:flex;gap:1em;justify-content:space-between;align-items:baseline;'
            f'padding:0.15em 0 0.15em {code.depth * 1.6}rem;border-bottom:1px solid rgba(128,128,128,0.15)">'
            f'<span style="font-weight:{weight}">{swatch(code.colour)} {html.escape(code.name)} '
            f'<code style="font-size:0.75em;font-weight:400">{html.escape(code.id)}</code></span>'
            f'<span style="opacity:0.65;font-size:0.85em;white-space:nowrap">{used}</span></div>'
        )
    return f'<div class="wb-tree">{"".join(rows)}</div>'


def short(text: str, limit: int = 60) -> str:
    """The text on one line, cut at a word before ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return f"{cut}…"


def find_words(text: str, words: str) -> tuple[int, int] | None:
    """Where ``words`` first occur in ``text``, whatever the spacing and the quote marks (and, failing an exact match,
    the letter case); None when they are not in it."""
    parts = [_QUOTES.sub(lambda mark: _QUOTE_CLASSES[mark.group(0)], re.escape(part)) for part in words.split()]
    if not parts:
        return None
    pattern = r"\s+".join(parts)
    found = re.search(pattern, text) or re.search(pattern, text, re.IGNORECASE)
    return found.span() if found else None


def keywords_from(typed: str) -> list[str]:
    """The keywords typed comma-separated, blanks dropped."""
    return [word.strip() for word in typed.split(",") if word.strip()]


def _s(count: int) -> str:
    return "" if count == 1 else "s"


# --- memos ------------------------------------------------------------------------------------------------------


def open_memo(target: str, target_id: str | int, what: str, coder: str) -> None:
    """Open the memo dialog on a coding, a code or a document, for ``coder``; show_memo_dialog draws it.

    The dialog is opened from a flag, not from the button's click, so that it stays open over the reruns its own
    widgets cause (and AppTest can press its Save button)."""
    st.session_state[MEMO_KEY] = (target, str(target_id), what, coder)


def show_memo_dialog() -> None:
    """Draw the memo dialog if one is open (call it last on the page)."""
    if st.session_state.get(MEMO_KEY):
        _memo_dialog(*st.session_state[MEMO_KEY])


def _close_memo() -> None:
    st.session_state.pop(MEMO_KEY, None)


@st.dialog("Memo", width="large", on_dismiss=_close_memo)
def _memo_dialog(target: str, target_id: str, what: str, coder: str) -> None:
    """The memos on a target, and a form for a new one in the coder's name. A dialog reruns alone, after the page
    has closed its project: it opens its own."""
    st.markdown(f"On {escape_markdown(what)}, as {escape_markdown(coder)}")
    with open_project() as project:
        if project is None:
            return
        coding = project.coding.as_coder(coder)
        for memo in coding.memos(target, target_id):
            with st.container(border=True):
                st.caption(escape_markdown(f"{memo.kind} · {memo.author} · {memo.updated_at.replace('T', ' ')[:16]}"))
                st.markdown(escape_markdown(memo.text))
        kind = st.selectbox("Kind", MEMO_KINDS, key="memo_kind")
        text = st.text_area("Memo", key="memo_text", height=140)
        with st.container(horizontal=True):
            save = st.button("Save memo", key="memo_save", type="primary")
            close = st.button("Close", key="memo_close")
        if save:
            try:
                coding.add_memo(target, target_id, text, kind=kind)
            except WorkbenchError as error:
                st.error(str(error))
                return
            reset_later({"memo_text": ""})
            flash(f"Saved a {escape_markdown(kind)} on {escape_markdown(what)}")
        if save or close:
            _close_memo()
            st.rerun()
