"""The workbench app: only the router. Pages live in workbench/ui/."""

import streamlit as st

from workbench.ui import navigation


def run() -> None:
    st.set_page_config(page_title="Qualitative research workbench", page_icon=":material/forum:", layout="wide")
    pages = navigation.build(
        [
            ("project_page.py", "Project", "project", ":material/folder_open:"),
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
    )
    st.navigation(pages).run()


run()
