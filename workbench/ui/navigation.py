"""The app's pages, built by the router on every run, so that pages can link to each other."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

UI_FOLDER = Path(__file__).resolve().parent
_PAGES: dict[str, StreamlitPage] = {}


def build(pages: list[tuple[str, str, str, str]]) -> list[StreamlitPage]:
    """Return st.Page objects for (page file in workbench/ui, title, url path, icon); the first is the default."""
    _PAGES.clear()
    for index, (filename, title, url_path, icon) in enumerate(pages):
        _PAGES[url_path] = st.Page(UI_FOLDER / filename, title=title, url_path=url_path, icon=icon, default=index == 0)
    return list(_PAGES.values())


def page(url_path: str) -> StreamlitPage:
    """Return the page served at ``url_path``, for st.page_link and st.switch_page."""
    return _PAGES[url_path]
