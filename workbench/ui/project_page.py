"""Project page: open or create a project, import transcripts and participants, see what the project holds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from workbench.demo import build_demo
from workbench.errors import WorkbenchError
from workbench.project import Project, Source
from workbench.ui import exchange
from workbench.ui.common import (
    actor,
    escape_markdown,
    flash,
    link,
    open_project,
    set_project_folder,
    show_flashes,
    sidebar,
    team_mode,
)


def render() -> None:
    sidebar()
    with open_project() as project:
        if project is None:
            _choose_project()
            return
        st.title(f"Project: {project.folder.name}")
        st.caption(f"Folder: {escape_markdown(str(project.folder.resolve()))}")
        if not team_mode() and st.sidebar.button("Close project", key="close_project"):  # a team has one project
            set_project_folder(None)
            st.rerun()
        show_flashes()
        _import_transcripts(project)
        _transcripts(project)
        _participants(project)
        _settings(project)
        exchange.export_section(project)
        _audit(project)


def _choose_project() -> None:
    st.title("Qualitative research workbench")
    st.write("Open a project folder, create a new one, or build the sample study of 16 case-worker interviews.")
    opened, created, sample = st.columns(3)
    with opened:
        st.subheader("Open a project")
        folder = st.text_input("Project folder", key="open_folder", placeholder="/path/to/project")
        if st.button("Open", key="open_button", disabled=not folder.strip()):
            _switch(lambda: Project.open(folder.strip(), actor=actor()))
    with created:
        st.subheader("Create a project")
        folder = st.text_input("New project folder", key="create_folder", placeholder="/path/to/new-project")
        if st.button("Create", key="create_button", disabled=not folder.strip()):
            _switch(lambda: Project.init(folder.strip(), actor=actor()))
    with sample:
        st.subheader("Sample study")
        folder = st.text_input("Folder for the sample study", key="demo_folder", value="demo_project")
        if st.button("Build the sample study", key="demo_button", disabled=not folder.strip()):
            with st.spinner("Importing 16 interviews..."):
                _switch(lambda: build_demo(Path(folder.strip()), actor=actor()))
    exchange.import_form()


def _switch(opener: Callable[[], Project]) -> None:
    """Open (or create) a project with ``opener`` and make it this session's project."""
    try:
        project = opener()
    except WorkbenchError as error:
        st.error(str(error))
        return
    folder = project.folder
    project.close()
    set_project_folder(folder)
    st.rerun()


def _import_transcripts(project: Project) -> None:
    st.header("Import transcripts")
    st.caption(
        "Word (.docx), text (.txt, .md) and captions (.vtt from Teams or Zoom, .srt). Each file belongs to one "
        "participant, read from its speaker labels (Case Worker 12, CW12) or its name (cw12.docx) unless you give one."
    )
    uploads = st.file_uploader("Transcript files", accept_multiple_files=True, key="upload_files")
    participant = st.text_input(
        "Participant ID for these files (optional)", key="upload_participant", placeholder="e.g. 12"
    )
    if st.button("Import", key="import_button", type="primary", disabled=not uploads):
        bar = st.progress(0.0, text="Reading files...")

        def progress(done: int, total: int, what: str) -> None:
            bar.progress(done / total if total else 1.0, text=what)

        sources = [Source(Path(upload.name), upload.getvalue()) for upload in uploads or []]
        plan = project.prepare_import(sources, participant=participant or None, progress=progress)
        for error in plan.errors:
            st.error(escape_markdown(str(error)))
        for message in plan.skipped:
            st.info(escape_markdown(message))
        imported = project.commit_import(plan.ready, progress=progress) if plan.ready else []
        bar.empty()
        for item in plan.ready:
            for warning in item.warnings:
                st.warning(escape_markdown(f"{item.source.path.name}: {warning}"))
        if imported:
            names = ", ".join(f"{d.source_name} ({d.citation}, {d.turns} turns)" for d in imported)
            st.success(f"Imported {len(imported)} of {len(sources)} files: {escape_markdown(names)}")


def _transcripts(project: Project) -> None:
    st.header("Transcripts")
    documents = project.documents()
    if not documents:
        st.info("No transcripts yet: import some above.")
        return
    table = pd.DataFrame(
        {
            "Document": [d.id for d in documents],
            "Participant": [d.citation for d in documents],
            "File": [d.source_name for d in documents],
            "Format": [d.source_format for d in documents],
            "Turns": [d.turns for d in documents],
            "Words": [d.words for d in documents],
            "Status": [d.status for d in documents],
            "Imported": [d.imported_at.replace("T", " ")[:16] for d in documents],
        }
    )
    st.dataframe(table, hide_index=True, key="documents_table")
    link("transcript", label="Read a transcript", icon=":material/article:")


def _participants(project: Project) -> None:
    st.header("Participants")
    records = project.participants()
    if records:
        attribute_names = list(dict.fromkeys(name for record in records for name in record.attributes))
        table = pd.DataFrame(
            [
                {
                    "ID": record.id,
                    "Citation": record.citation,
                    "Role": record.role or "",
                    **{name: record.attributes.get(name, "") for name in attribute_names},
                    "Transcripts": record.documents,
                }
                for record in records
            ]
        )
        st.dataframe(table, hide_index=True, key="participants_table")
    else:
        st.info("No participants yet: they are added as transcripts are imported, or from a CSV below.")
    with st.expander("Load participants from a CSV"):
        st.caption("Columns: id, label, role, and any further columns as attributes (team, years in post, ...).")
        upload = st.file_uploader("Participants CSV", key="participants_csv")
        if st.button("Load participants", key="participants_load", disabled=upload is None) and upload is not None:
            try:
                loaded = project.load_participants(upload.name, upload.getvalue())
            except WorkbenchError as error:
                st.error(str(error))
            else:
                flash(f"Loaded {len(loaded)} participants from {escape_markdown(upload.name)}")
                st.rerun()


def _settings(project: Project) -> None:
    st.header("Settings")
    template = st.text_input(
        "Citation label", value=project.citation_template, key="citation_label",
        help="How quotes are attributed: {n} is the participant number, {label} the label from the participants CSV.",
    )  # fmt: skip
    if st.button("Save citation label", key="citation_save", disabled=template == project.citation_template):
        try:
            project.set_citation_template(template)
        except WorkbenchError as error:
            st.error(str(error))
        else:
            flash(f"Quotes will now be cited as ({escape_markdown(project.citation('12'))})")
            st.rerun()


def _audit(project: Project) -> None:
    with st.expander("Audit log (most recent first)"):
        entries = project.audit_log()
        table = pd.DataFrame(
            {
                "When (UTC)": [entry.at.replace("T", " ")[:19] for entry in entries],
                "Who": [entry.actor for entry in entries],
                "What": [entry.action for entry in entries],
                "Details": [
                    ", ".join(f"{k}={v}" for k, v in entry.payload.items() if k != "sha256") for entry in entries
                ],
            }
        )
        st.dataframe(table, hide_index=True, key="audit_table")


if __name__ == "__main__":  # Streamlit runs each page file as __main__
    render()
