"""The workbench app: only the router. Pages live in workbench/ui/; who may open which is decided in common.enter."""

import streamlit as st

from workbench.ui import common, memory, navigation

PAGES = [
    ("project_page.py", "Project", "project", ":material/folder_open:"),
    ("team_page.py", "Team", "team", ":material/group:"),  # team mode only
    ("anonymise_page.py", "Anonymisation", "anonymise", ":material/shield_person:"),
    ("transcript_page.py", "Transcript", "transcript", ":material/article:"),
    ("codebook_page.py", "Codebook", "codebook", ":material/account_tree:"),
    ("coding_page.py", "Coding", "coding", ":material/label:"),
    ("quotes_page.py", "Quotes", "quotes", ":material/format_quote:"),
    ("explore_page.py", "Explore", "explore", ":material/search:"),
    ("analysis_page.py", "Analysis", "analysis", ":material/monitoring:"),
    ("reliability_page.py", "Reliability", "reliability", ":material/handshake:"),
    ("reports_page.py", "Reports", "reports", ":material/description:"),
]


def run() -> None:
    st.set_page_config(page_title="Qualitative research workbench", page_icon=":material/forum:", layout="wide")
    allowed = common.allowed_pages()  # None in single-user mode: every page but Team
    pages = navigation.build([p for p in PAGES if allowed is not None or p[2] != "team"], allowed=allowed)
    page = st.navigation(pages, position="hidden" if allowed == [] else "sidebar")
    common.enter(navigation.url_path_of(page), page.title)  # in team mode: sign in first, and only the role's pages
    page.run()
    memory.settle(page.url_path)  # once per page and process: its imports stay out of the collector's walks


run()
