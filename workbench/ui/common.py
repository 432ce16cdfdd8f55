"""What every page shares: who is working, which project is open, and safe Markdown for text from files.

In team mode (`workbench app DIR --team`, which sets $WORKBENCH_TEAM=1) this is also the gate: the router calls
``enter`` with the page asked for before it runs the page, and ``enter`` shows the sign-in form, or refuses a page the
signed-in member's roles may not open, and stops the run. ``sidebar``, which every page calls first, checks the page
again, and ``actor`` (so ``open_project``) stops a run without a signed-in member. The project is the one the app was
started on; nobody can open another.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

from workbench.errors import WorkbenchError
from workbench.project import Project, default_actor
from workbench.team import MAX_NAME, MAX_PASSWORD, ROLE_PAGES, ROLES, Member, SignInFailed, Team
from workbench.ui import navigation

PROJECT_KEY = "project_folder"
FLASH_KEY = "flash_messages"
ACTOR_KEY = "actor"
TEAM_ENV = "WORKBENCH_TEAM"  # launch.TEAM_ENV; not imported from there, so that the app never imports the launcher
MEMBER_KEY = "team_member"  # the signed-in member's name: the one thing a sign-in keeps in the session
_CURRENT_MEMBER = "_team_current_member"  # the member as read from team.db on this run, by ``enter``
_CURRENT_PAGE = "_team_current_page"  # the url path ``enter`` let through on this run
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$])")


def escape_markdown(text: str) -> str:
    """Return text that st.markdown shows literally (file content must never become formatting or a link)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def team_mode() -> bool:
    """Return whether the app runs in team mode: sign-in required, pages by role, one fixed project."""
    return os.environ.get(TEAM_ENV) == "1"


def project_folder() -> Path | None:
    """Return the folder of the open project: chosen on the Project page, else $WORKBENCH_PROJECT (in team mode
    always $WORKBENCH_PROJECT)."""
    if team_mode():
        return _team_folder()
    if PROJECT_KEY not in st.session_state:
        st.session_state[PROJECT_KEY] = os.environ.get("WORKBENCH_PROJECT") or None
    folder = st.session_state[PROJECT_KEY]
    return Path(folder) if folder else None


def set_project_folder(folder: Path | None) -> None:
    """Open another project (or none); in team mode the app serves one project only, so nothing changes."""
    if team_mode():
        return
    st.session_state[PROJECT_KEY] = str(folder) if folder else None


def actor() -> str:
    """Return the name for the audit log: the signed-in member in team mode, else the name the sidebar holds."""
    if team_mode():
        return _member_or_stop().name
    if ACTOR_KEY not in st.session_state:
        st.session_state[ACTOR_KEY] = default_actor()
    return str(st.session_state[ACTOR_KEY]).strip() or default_actor()


def sidebar() -> None:
    """Draw the sidebar shared by every page: your name for the audit log (in team mode: who is signed in, with a
    Sign out button) and the open project."""
    if team_mode():
        member = _member_or_stop()
        page = st.session_state.get(_CURRENT_PAGE)
        if not isinstance(page, str) or not member.may(page):  # the router's gate did not let this page through
            st.error("This page is not open to your role.")
            st.stop()
        _signed_in_box(member)
    else:
        actor()
        st.sidebar.text_input("Your name (for the audit log)", key=ACTOR_KEY)
    folder = project_folder()
    if folder is not None:
        st.sidebar.caption(f"Project: **{escape_markdown(folder.name)}**")


# --- team mode ------------------------------------------------------------------------------------------------------


def allowed_pages() -> list[str] | None:
    """Return the url paths of the pages to offer: None (every page) in single-user mode, else the signed-in
    member's pages (none before sign-in)."""
    if not team_mode():
        return None
    member = _read_member()
    st.session_state[_CURRENT_MEMBER] = member
    return member.pages if member is not None else []


def enter(page: str, title: str) -> None:
    """Let the run go on to the page at url path ``page`` only if it may: in team mode show the sign-in form to
    someone not signed in, and refuse a page the member's roles may not open; either way stop the run."""
    st.session_state.pop(_CURRENT_PAGE, None)
    if not team_mode():
        return
    if _team_folder() is None:
        st.error("Team mode serves one project: start it with `workbench app DIR --team`.")
        st.stop()
    member = st.session_state.get(_CURRENT_MEMBER)
    if not isinstance(member, Member):
        _sign_in_form(page)
        st.stop()
    if not member.may(page):
        _signed_in_box(member)
        may = [f"{role}s" for role in ROLES if page in ROLE_PAGES[role]]
        st.title(title)
        st.error(
            f"The {title} page is open to {' and '.join(may) or 'nobody'} only, and you are signed in as "
            f"{escape_markdown(member.role_label)}; ask a team admin if you need it."
        )
        st.stop()
    st.session_state[_CURRENT_PAGE] = page


def may_open(page: str) -> bool:
    """Return whether this run may offer a link to the page at url path ``page`` (always, in single-user mode)."""
    member = signed_in()
    return not team_mode() or (member is not None and member.may(page))


def link(page: str, label: str, icon: str, query_params: dict[str, str] | None = None) -> None:
    """Show a link to the page at url path ``page``, unless team mode keeps that page from the signed-in member: a
    link that ends in a refusal is a dead end."""
    if may_open(page):
        st.page_link(navigation.page(page), label=label, icon=icon, query_params=query_params)


def signed_in() -> Member | None:
    """Return the member signed in on this run (None in single-user mode or before sign-in)."""
    member = st.session_state.get(_CURRENT_MEMBER) if team_mode() else None
    return member if isinstance(member, Member) else None


def open_team() -> Team:
    """Return the team of the app's project, opened by the signed-in member (team mode only)."""
    folder = _team_folder()
    if folder is None:
        raise WorkbenchError("team mode serves one project: start it with `workbench app DIR --team`")
    return Team.open(folder, actor=_member_or_stop().name)


def _team_folder() -> Path | None:
    folder = os.environ.get("WORKBENCH_PROJECT")
    return Path(folder) if folder else None


def _read_member() -> Member | None:
    """Return the signed-in member as team.db has them now: a removed member is signed out, a new role applies."""
    name = st.session_state.get(MEMBER_KEY)
    folder = _team_folder()
    if not isinstance(name, str) or folder is None:
        return None
    try:
        with Team.open(folder, actor=name) as team:
            member = team.member(name)
    except WorkbenchError as error:
        st.error(str(error))
        st.stop()
    if member is None:
        del st.session_state[MEMBER_KEY]
    return member


def _member_or_stop() -> Member:
    member = signed_in()
    if member is None:
        st.error("Sign in first.")
        st.stop()
    return member


def _sign_in_form(page: str) -> None:
    """The only thing shown before sign-in: nothing of the project, not even its name. A member who signs in goes on
    to the page asked for (``page``) if their roles may open it, else to the first page they may."""
    st.title("Sign in")
    st.caption("This workbench is shared by a team: sign in with the name and password a team admin gave you.")
    with st.form("team_sign_in_form", clear_on_submit=True, enter_to_submit=True):
        name = st.text_input("Name", key="team_name", autocomplete="username", max_chars=MAX_NAME)
        password = st.text_input(
            "Password", key="team_password", type="password", autocomplete="current-password", max_chars=MAX_PASSWORD
        )
        submitted = st.form_submit_button("Sign in", key="team_sign_in", type="primary", icon=":material/login:")
    if not submitted:
        return
    folder = _team_folder()
    assert folder is not None
    try:
        with Team.open(folder, actor=name) as team:
            member = team.sign_in(name, password)
    except SignInFailed as failure:
        st.error(f"{str(failure)[:1].upper()}{str(failure)[1:]}.")
        return
    except WorkbenchError as error:
        st.error(str(error))
        return
    st.session_state.clear()  # nothing from before the sign-in carries over
    st.session_state[MEMBER_KEY] = member.name
    if member.may(page):
        st.rerun()
    st.switch_page(navigation.page(member.pages[0]))


def _signed_in_box(member: Member) -> None:
    st.sidebar.markdown(f":material/account_circle: Signed in as **{escape_markdown(member.name)}**")
    st.sidebar.caption(f"Role: {escape_markdown(member.role_label)}")
    st.sidebar.button("Sign out", key="team_sign_out", icon=":material/logout:", on_click=_sign_out)


def _sign_out() -> None:
    st.session_state.clear()  # the next person at this browser starts from nothing


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
        if team_mode():
            st.stop()  # the one project the app serves: there is no other to choose
        set_project_folder(None)
        yield None
        return
    try:
        yield project
    finally:
        project.close()
