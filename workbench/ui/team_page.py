"""Team page (team mode, admins only): who may sign in, with which roles; add, change, reset and remove members."""

from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd
import streamlit as st

from workbench.errors import WorkbenchError
from workbench.team import PAGES, ROLE_DESCRIPTIONS, ROLES, Member, Team, pages_for
from workbench.ui.common import escape_markdown, flash, open_team, show_flashes, sidebar

# Streamlit runs this file as a script, so its "magic" would print a docstring under a constant: comments here.
# The member whose roles fill the edit form: the form's roles are reset when another member is chosen.
EDITING_KEY = "team_editing"


def render() -> None:
    sidebar()
    st.title("Team")
    st.caption(
        "Who may sign in to this project's workbench, and what each role may open. Only reviewers see the key "
        "store's identifiable originals (the Anonymisation page); an admin does not, unless also a reviewer."
    )
    show_flashes()
    with open_team() as team:
        members = team.members()
        _members(members)
        add, change, roles, log = st.tabs(["Add a member", "Change a member", "Roles", "Sign-ins and changes"])
        with add:
            _add(team)
        with change:
            _change(team, members)
        with roles:
            _roles()
        with log:
            _log(team)


def _members(members: list[Member]) -> None:
    st.dataframe(
        pd.DataFrame(
            [{"Name": m.name, "Roles": m.role_label, "Added": _when(m.created_at), "Changed": _when(m.changed_at)}
             for m in members],
            columns=["Name", "Roles", "Added", "Changed"],
        ),
        hide_index=True, key="team_members",
    )  # fmt: skip


def _add(team: Team) -> None:
    with st.form("team_add_form", clear_on_submit=True):
        name = st.text_input("Name (as the audit log will record it)", key="team_add_name")
        roles = st.multiselect("Roles", ROLES, key="team_add_roles", help="A person may hold several roles.")
        password = st.text_input("Password (at least 8 characters)", type="password", key="team_add_password")
        repeated = st.text_input("The password again", type="password", key="team_add_repeat")
        submitted = st.form_submit_button("Add member", key="team_add", type="primary", icon=":material/person_add:")
    if submitted:
        if password != repeated:
            st.error("The two passwords differ; type the same password twice.")
            return
        try:
            member = team.add(name, roles, password)
        except WorkbenchError as error:
            st.error(str(error))
            return
        flash(f"Added {escape_markdown(member.name)} as {member.role_label}.")
        st.rerun()


def _change(team: Team, members: list[Member]) -> None:
    if not members:
        return
    by_name = {member.name: member for member in members}
    chosen = st.selectbox("Member", list(by_name), key="team_edit_member")
    member = by_name[chosen]
    if st.session_state.get(EDITING_KEY) != member.name:
        st.session_state[EDITING_KEY] = member.name
        st.session_state["team_edit_roles"] = list(member.roles)
        st.session_state["team_remove_sure"] = False  # a tick for one member never removes another
    roles = st.multiselect("Roles", ROLES, key="team_edit_roles")
    if st.button("Save roles", key="team_save_roles", icon=":material/badge:"):
        _do(lambda: team.set_roles(member.name, roles), f"{escape_markdown(member.name)} is now {', '.join(roles)}.")
    with st.form("team_password_form", clear_on_submit=True):
        password = st.text_input("New password", type="password", key="team_new_password")
        repeated = st.text_input("The new password again", type="password", key="team_new_repeat")
        reset = st.form_submit_button("Reset password", key="team_reset_password", icon=":material/key:")
    if reset:
        if password != repeated:
            st.error("The two passwords differ; type the same password twice.")
        else:
            _do(lambda: team.set_password(member.name, password), f"Reset {escape_markdown(member.name)}'s password.")
    sure = st.checkbox(f"Yes, remove {member.name} from the team", key="team_remove_sure")
    if st.button("Remove member", key="team_remove", icon=":material/person_remove:", disabled=not sure):
        _do(lambda: team.remove(member.name), f"Removed {escape_markdown(member.name)} from the team.")


def _do(change: Callable[[], object], message: str) -> None:
    try:
        change()
    except WorkbenchError as error:
        st.error(str(error))
        return
    st.session_state.pop(EDITING_KEY, None)
    flash(message)
    st.rerun()


def _roles() -> None:
    titles = {"project": "Project", "team": "Team", "anonymise": "Anonymisation", "transcript": "Transcript",
              "codebook": "Codebook", "coding": "Coding", "quotes": "Quotes", "explore": "Explore",
              "analysis": "Analysis", "reliability": "Reliability", "reports": "Reports"}  # fmt: skip
    rows = [
        {"Role": role, "What they do": ROLE_DESCRIPTIONS[role],
         "Pages": ", ".join(titles.get(page, page) for page in pages_for([role]))}
        for role in ROLES
    ]  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="team_roles_table")
    st.caption(f"Pages in menu order: {', '.join(titles.get(page, page) for page in PAGES)}.")


def _log(team: Team) -> None:
    rows = [
        {"When": _when(row["at"]), "Who": row["actor"], "What": row["action"],
         "Member": json.loads(row["payload"]).get("name", "")}
        for row in team.audit()
        if row["action"] != "migrate"
    ]  # fmt: skip
    st.dataframe(pd.DataFrame(rows, columns=["When", "Who", "What", "Member"]), hide_index=True, key="team_log")


def _when(at: str | None) -> str:
    return (at or "").replace("T", " ")[:16]


if __name__ == "__main__":  # Streamlit runs each page file as __main__
    render()
