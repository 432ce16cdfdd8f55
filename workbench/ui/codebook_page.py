"""Codebook page: load thematic codebooks (YAML), see each as a tree with how much every code is used, and edit,
move, merge, delete or add codes. Every edit is written back to the YAML file in the project's codebooks folder, and
codings follow their code."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from workbench.codebook import Code, Codebook
from workbench.codebooks import LoadedCodebook, Usage
from workbench.errors import WorkbenchError
from workbench.project import Project
from workbench.ui import exchange
from workbench.ui.code_chips import (
    CodeIndex,
    apply_resets,
    keywords_from,
    open_memo,
    reset_later,
    show_memo_dialog,
    tree_html,
)
from workbench.ui.common import escape_markdown, flash, link, open_project, show_flashes, sidebar

# Streamlit runs this file as a script, so its "magic" would print a docstring under a constant: comments here.
CODE_KEY = "codebook_code"
# The code to show in the picker on the next run (after an add, a merge or a delete); set before the picker is drawn.
NEXT_CODE_KEY = "codebook_next_code"
# The code (and its field values) whose fields fill the edit, move, merge and delete forms; reset when it changes.
SHOWN_KEY = "codebook_shown"
# A merge waiting for the user's confirmation: (source, target).
MERGE_KEY = "codebook_merge_pending"
EDIT_FIELDS = ("definition", "inclusion", "exclusion", "example")
_NO_CODE = "(none)"


def render() -> None:
    sidebar()
    apply_resets()
    with open_project() as project:
        st.title("Codebook")
        if project is None:
            st.info("Open a project first.")
            link("project", label="Go to the Project page", icon=":material/folder_open:")
            return
        show_flashes()
        try:
            index = CodeIndex.of(project.codebooks.loaded())
            usage = project.codebooks.usage()
        except WorkbenchError as error:
            st.error(str(error))
            return
        _load(project, expanded=not index.loaded)
        if not index.loaded:
            st.info("This project has no codebook yet: load one above (a .yaml file; see docs/codebooks.md).")
            return
        tree, tools = st.columns([3, 2], gap="large")
        with tree:
            for loaded in index.loaded:
                _tree(project, loaded, usage)
        with tools:
            _tools(project, index, usage)
        show_memo_dialog()


# --- loading and the tree ---------------------------------------------------------------------------------------


def _load(project: Project, *, expanded: bool) -> None:
    with st.expander("Load a codebook", icon=":material/upload_file:", expanded=expanded):
        st.caption(
            "A YAML file of themes, codes and sub-codes (docs/codebooks.md). Loading a codebook already in the "
            "project again takes in the edits made to its file; codings keep their codes by id."
        )
        upload = st.file_uploader(
            "Codebook (.yaml, or a REFI-QDA .qdc from NVivo, ATLAS.ti, MAXQDA, QualCoder or Taguette)",
            type=["yaml", "yml", "qdc"], key="codebook_upload",
        )  # fmt: skip
        if st.button("Load codebook", key="codebook_load", type="primary", disabled=upload is None) and upload:
            try:
                name, data = Path(upload.name), upload.getvalue()
                if name.suffix.lower() == ".qdc":
                    name, data = exchange.qdc_as_yaml(upload.name, data)
                loaded = project.codebooks.load(name, data)
            except WorkbenchError as error:
                st.error(str(error))
                return
            _loaded(loaded, f"Loaded {loaded.codebook.name}")


def _loaded(loaded: LoadedCodebook, done: str) -> None:
    codebook = loaded.codebook
    themes = len(codebook.children(None))
    flash(
        f"{escape_markdown(done)}: {themes} theme{_s(themes)} and {len(codebook.codes)} code{_s(len(codebook.codes))}"
        f", saved as codebooks/{escape_markdown(loaded.file.name)}"
    )
    st.rerun()


def _tree(project: Project, loaded: LoadedCodebook, usage: dict[str, Usage]) -> None:
    codebook = loaded.codebook
    st.subheader(escape_markdown(codebook.name))
    st.caption(
        escape_markdown(f"{codebook.id} · codebooks/{loaded.file.name} · {len(codebook.codes)} codes")
        + (f"  \n{escape_markdown(' '.join(codebook.description.split()))}" if codebook.description else "")
    )
    exchange.qdc_button(project, codebook.id, codebook.name)
    if loaded.changed_on_disk:
        st.warning(
            f"codebooks/{escape_markdown(loaded.file.name)} was edited outside the workbench since it was loaded: "
            "reload it to take those edits in (the workbench's own edits are already in the file)."
        )
        if st.button("Reload from the file", key=f"codebook_reload_{codebook.id}", icon=":material/refresh:"):
            try:
                reloaded = project.codebooks.load(loaded.file)
            except WorkbenchError as error:
                st.error(str(error))
                return
            _loaded(reloaded, f"Reloaded {reloaded.codebook.name}")
    counts = {code_id: (used.codings, used.participants) for code_id, used in usage.items()}
    st.html(tree_html(codebook, counts))


# --- the tools for one code -------------------------------------------------------------------------------------


def _tools(project: Project, index: CodeIndex, usage: dict[str, Usage]) -> None:
    ids = list(index.codes)
    wanted = st.session_state.pop(NEXT_CODE_KEY, None)
    if wanted in index.codes:
        st.session_state[CODE_KEY] = wanted
    elif st.session_state.get(CODE_KEY) not in index.codes:
        st.session_state.pop(CODE_KEY, None)
    chosen = st.selectbox("Code", ids, key=CODE_KEY, format_func=lambda code_id: f"{index.path(code_id)} [{code_id}]")
    code = index.codes[chosen if chosen in index.codes else ids[0]]
    codebook = index.codebook_of[code.id]
    used = usage.get(code.id, Usage())
    _prefill(code)
    _describe(code, used)
    edit, move, merge, delete, add, memos = st.tabs(
        ["Edit", "Move", "Merge", "Delete", "Add", "Memos"], key="codebook_tab"
    )
    with edit:
        _edit(project, code)
    with move:
        _move(project, code, codebook, index)
    with merge:
        _merge(project, code, codebook, index, used)
    with delete:
        _delete(project, code, index, used)
    with add:
        _add(project, code, index)
    with memos:
        _memos(project, code)


def _prefill(code: Code) -> None:
    """Fill the forms with the code's fields when another code is chosen, or when the code changed (after a save)."""
    shown = (code.id, code.name, *(getattr(code, field) for field in EDIT_FIELDS), code.keywords, code.colour)
    if st.session_state.get(SHOWN_KEY) == shown:
        return
    st.session_state[SHOWN_KEY] = shown
    st.session_state["code_edit_name"] = code.name
    for field in EDIT_FIELDS:
        st.session_state[f"code_edit_{field}"] = getattr(code, field) or ""
    st.session_state["code_edit_keywords"] = ", ".join(code.keywords)
    st.session_state["code_edit_colour"] = code.colour
    st.session_state["code_move_parent"] = code.parent or _NO_CODE
    for key in ("code_merge_target", "code_delete_reassign"):
        st.session_state[key] = None
    st.session_state.pop(MERGE_KEY, None)


def _describe(code: Code, used: Usage) -> None:
    facts = [
        f"{used.codings} coding{_s(used.codings)} in {used.documents} transcript{_s(used.documents)}",
        f"{used.participants} participant{_s(used.participants)}",
        f"{used.memos} memo{_s(used.memos)}",
        f"{used.suggestions} suggestion{_s(used.suggestions)} pending",
    ]
    st.caption(escape_markdown(" · ".join(facts)))
    if code.definition:
        st.markdown(escape_markdown(" ".join(code.definition.split())))


def _edit(project: Project, code: Code) -> None:
    name = st.text_input("Name", key="code_edit_name")
    for field in EDIT_FIELDS:
        st.text_area(field.capitalize(), key=f"code_edit_{field}", height=80 if field != "definition" else 100)
    keywords = st.text_input(
        "Keywords (comma-separated)", key="code_edit_keywords",
        help="Words or phrases that suggest this code; suggestions find them by lemma and near-spelling.",
    )  # fmt: skip
    colour = st.color_picker("Colour", key="code_edit_colour")
    if not st.button("Save changes", key="code_edit_save", type="primary", icon=":material/save:"):
        return
    if not (name or "").strip():
        st.error("A code needs a name: type one in Name.")
        return
    fields: dict[str, object] = {}
    if name.strip() != code.name:
        fields["name"] = name.strip()
    for field in EDIT_FIELDS:
        typed = str(st.session_state.get(f"code_edit_{field}") or "").strip()
        if typed != (getattr(code, field) or "").strip():
            fields[field] = typed
    if keywords_from(keywords or "") != list(code.keywords):
        fields["keywords"] = keywords_from(keywords or "")
    if (colour or "").casefold() != code.colour.casefold():
        fields["colour"] = colour
    if not fields:
        st.info("Nothing to save: no field was changed.")
        return
    try:
        saved = project.codebooks.update(code.id, **fields)
    except WorkbenchError as error:
        st.error(str(error))
        return
    flash(f"Saved {escape_markdown(saved.name)}: {', '.join(sorted(fields))} changed")
    st.rerun()


def _move(project: Project, code: Code, codebook: Codebook, index: CodeIndex) -> None:
    inside = {code.id, *(c.id for c in codebook.descendants(code.id))}
    parents = [_NO_CODE, *(c.id for c in codebook.codes if c.id not in inside)]
    if st.session_state.get("code_move_parent") not in parents:
        st.session_state["code_move_parent"] = _NO_CODE
    parent = st.selectbox(
        "New parent", parents, key="code_move_parent",
        format_func=lambda option: "None: make it a theme" if option == _NO_CODE else index.path(option),
    )  # fmt: skip
    st.caption("Its sub-codes move with it, and its codings stay on their segments.")
    current = code.parent or _NO_CODE
    if st.button("Move", key="code_move", icon=":material/low_priority:", disabled=parent == current):
        try:
            project.codebooks.move(code.id, None if parent == _NO_CODE else parent)
        except WorkbenchError as error:
            st.error(str(error))
            return
        where = "a theme" if parent == _NO_CODE else f"under {index.name(str(parent))}"
        flash(f"Moved {escape_markdown(code.name)}: it is now {escape_markdown(where)}")
        st.rerun()


def _merge(project: Project, code: Code, codebook: Codebook, index: CodeIndex, used: Usage) -> None:
    targets = [c.id for c in codebook.codes if c.id != code.id]
    if not targets:
        st.caption("This codebook has no other code to merge into.")
        return
    target = st.selectbox(
        "Merge into", targets, index=None, key="code_merge_target", placeholder="Choose a code",
        format_func=index.path,
    )  # fmt: skip
    st.caption("Its codings, memos and pending suggestions go to the code chosen here; it leaves the codebook.")
    if st.button("Merge…", key="code_merge", icon=":material/merge:", disabled=target is None):
        st.session_state[MERGE_KEY] = (code.id, target)
    if target is None or st.session_state.get(MERGE_KEY) != (code.id, target):
        return
    with st.container(border=True, key="code_merge_confirmation"):
        st.warning(
            f"Merge **{escape_markdown(code.name)}** into **{escape_markdown(index.name(target))}**? "
            f"{used.codings} coding{_s(used.codings)} ({used.participants} participant{_s(used.participants)}), "
            f"{used.memos} memo{_s(used.memos)} and {used.suggestions} pending suggestion{_s(used.suggestions)} "
            f"follow it, and {escape_markdown(code.name)} leaves the codebook. Merging cannot be undone."
        )
        confirm, cancel = st.columns(2)
        with confirm:
            confirmed = st.button("Merge", key="code_merge_confirm", type="primary", width="stretch")
        with cancel:
            if st.button("Cancel", key="code_merge_cancel", width="stretch"):
                st.session_state.pop(MERGE_KEY, None)
                st.rerun()
    if confirmed:
        try:
            moved = project.codebooks.merge(code.id, target)
        except WorkbenchError as error:
            st.error(str(error))
            return
        st.session_state.pop(MERGE_KEY, None)
        st.session_state[NEXT_CODE_KEY] = target
        flash(
            f"Merged {escape_markdown(code.name)} into {escape_markdown(index.name(target))}: "
            f"{moved} coding{_s(moved)} moved"
        )
        st.rerun()


def _delete(project: Project, code: Code, index: CodeIndex, used: Usage) -> None:
    others = [code_id for code_id in index.codes if code_id != code.id]
    reassign = st.selectbox(
        "Reassign its codings and memos to", others, index=None, key="code_delete_reassign",
        placeholder="No one: the code is unused", format_func=index.path,
    )  # fmt: skip
    if used.used:
        st.caption(
            f"{escape_markdown(code.name)} has {used.codings} coding{_s(used.codings)} and {used.memos} "
            f"memo{_s(used.memos)}: choose a code to give them to before deleting it."
        )
    if not st.button("Delete code", key="code_delete", icon=":material/delete:"):
        return
    if used.used and reassign is None:
        st.error(
            f"{escape_markdown(code.name)} is in use ({used.codings} coding{_s(used.codings)}, "
            f"{used.memos} memo{_s(used.memos)}): "
            "choose a code to reassign them to, or merge it into another code."
        )
        return
    try:
        moved = project.codebooks.delete(code.id, reassign=reassign)
    except WorkbenchError as error:
        st.error(str(error))
        return
    if reassign:
        st.session_state[NEXT_CODE_KEY] = reassign
    followed = f": {moved} coding{_s(moved)} now {escape_markdown(index.name(reassign))}" if reassign else ""
    flash(f"Deleted {escape_markdown(code.name)}{followed}")
    st.rerun()


def _add(project: Project, code: Code, index: CodeIndex) -> None:
    places: list[tuple[str, str | None]] = [(item.codebook.id, None) for item in index.loaded]
    places += [(index.codebook_of[code_id].id, code_id) for code_id in index.codes]
    names = {item.codebook.id: item.codebook.name for item in index.loaded}
    here = (index.codebook_of[code.id].id, code.id)
    place = st.selectbox(
        "Parent", places, index=places.index(here), key="code_add_parent",
        format_func=lambda p: f"None: a new theme in {names[p[0]]}" if p[1] is None else index.path(p[1]),
    )  # fmt: skip
    new_id, new_name = st.columns(2)
    with new_id:
        code_id = st.text_input("Id", key="code_add_id", placeholder="e.g. ras.context.peer_support",
                                help="Letters, digits and . _ -; it never changes once codings use it.")  # fmt: skip
    with new_name:
        name = st.text_input("Name", key="code_add_name", placeholder="e.g. Support from peers")
    definition = st.text_area("Definition (optional)", key="code_add_definition", height=80)
    # Never disabled: a name typed but not yet sent (the field still has the focus) arrives with the click.
    if st.button("Add code", key="code_add_button", icon=":material/add:"):
        if not ((code_id or "").strip() and (name or "").strip()):
            st.error("A new code needs an id and a name: type both.")
            return
        codebook_id, parent = place if place in places else places[0]
        fields = {"id": code_id.strip(), "name": name.strip()}
        if (definition or "").strip():
            fields["definition"] = definition.strip()
        try:
            added = project.codebooks.add(codebook_id=codebook_id, parent=parent, **fields)
        except WorkbenchError as error:
            st.error(str(error))
            return
        reset_later({"code_add_id": "", "code_add_name": "", "code_add_definition": ""})
        st.session_state[NEXT_CODE_KEY] = added.id
        flash(escape_markdown(f"Added {added.name} [{added.id}]"))
        st.rerun()


def _memos(project: Project, code: Code) -> None:
    memos = project.coding.memos("code", code.id)
    st.caption("Memos on a code: what it is showing so far, future considerations and recommendations.")
    if st.button(f"Memos on this code ({len(memos)})", key="code_memos", icon=":material/edit_note:"):
        open_memo("code", code.id, code.name, project.actor)


def _s(count: int) -> str:
    return "" if count == 1 else "s"


if __name__ == "__main__":  # Streamlit runs each page file as __main__
    render()
