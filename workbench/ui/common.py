"""What every page shares: who is working, which project is open, and safe Markdown for text from files."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

from workbench.errors import WorkbenchError
from workbench.project import Project, default_actor

PROJECT_KEY = "project_folder"
FLASH_KEY = "flash_messages"
ACTOR_KEY = "actor"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$])")


def escape_markdown(text: str) -> str:
    """Return text that st.markdown shows literally (file content must never become formatting or a link)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def project_folder() -> Path | None:
    """Return the folder of the open project: chosen on the Project page, else $WORKBENCH_PROJECT."""
    if PROJECT_KEY not in st.session_state:
        st.session_state[PROJECT_KEY] = os.environ.get("WORKBENCH_PROJECT") or None
    folder = st.session_state[PROJECT_KEY]
    return Path(folder) if folder else None


def set_project_folder(folder: Path | None) -> None:
    st.session_state[PROJECT_KEY] = str(folder) if folder else None


def actor() -> str:
    """Return the name the sidebar holds for the audit log."""
    if ACTOR_KEY not in st.session_state:
        st.session_state[ACTOR_KEY] = default_actor()
    return str(st.session_state[ACTOR_KEY]).strip() or default_actor()


def sidebar() -> None:
    """Draw the sidebar shared by every page: your name for the audit log and the open project."""
    actor()
    st.sidebar.text_input("Your name (for the audit log)", key=ACTOR_KEY)
    folder = project_folder()
    if folder is not None:
        st.sidebar.caption(f"Project: **{escape_markdown(folder.name)}**")


def flash(message: str) -> None:
    """Keep a success message to show after the rerun that brings the page up to date."""
    st.session_state.setdefault(FLASH_KEY, []).append(message)


def show_flashes() -> None:
    for message in st.session_state.pop(FLASH_KEY, []):
        st.success(message)


@contextmanager
def open_project() -> Iterator[Project | None]:
    """Yield the open project for this run of the page (None when none is open), and close it afterwards."""
    folder = project_folder()
    if folder is None:
        yield None
        return
    try:
        project = Project.open(folder, actor=actor())
    except WorkbenchError as error:
        st.error(str(error))
        set_project_folder(None)
        yield None
        return
    try:
        yield project
    finally:
        project.close()
