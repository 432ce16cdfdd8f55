"""The app's pages, built by the router on every run, so that pages can link to each other."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

UI_FOLDER = Path(__file__).resolve().parent
_PAGES: dict[str, StreamlitPage] = {}


def build(pages: list[tuple[str, str, str, str]], *, allowed: Collection[str] | None = None) -> list[StreamlitPage]:
    """Return st.Page objects for (page file in workbench/ui, title, url path, icon).

    ``allowed`` (team mode) names the url paths the signed-in member may open: only those are in the menu, and the
    first of them is the default page. The others stay registered, hidden, so that links to them still resolve and
    reach the refusal in ``common.enter`` rather than an error. None (single-user mode) offers every page, the first
    being the default.
    """
    _PAGES.clear()
    offered = [url_path for _, _, url_path, _ in pages if allowed is None or url_path in allowed]
    default = offered[0] if offered else pages[0][2]
    for filename, title, url_path, icon in pages:
        _PAGES[url_path] = st.Page(
            UI_FOLDER / filename, title=title, url_path=url_path, icon=icon, default=url_path == default,
            visibility="visible" if url_path in offered else "hidden",
        )  # fmt: skip
    return list(_PAGES.values())


def url_path_of(chosen: StreamlitPage) -> str:
    """Return the url path a page was built with (st.Page gives the default page's as "", for the root URL)."""
    return next((path for path, built in _PAGES.items() if built is chosen), chosen.url_path)


def page(url_path: str) -> StreamlitPage:
    """Return the page served at ``url_path``, for st.page_link and st.switch_page."""
    return _PAGES[url_path]
