"""REFI-QDA exchange in the app: import a .qdpx as a new project, export the project, codebooks as .qdc."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import streamlit as st

from workbench.errors import WorkbenchError
from workbench.project import Project
from workbench.refi.export_qdpx import export_qdpx
from workbench.refi.import_qdpx import import_qdpx
from workbench.refi.qdc_export import export_qdc
from workbench.refi.qdc_import import read_qdc
from workbench.ui.common import actor, escape_markdown, flash, set_project_folder

T = TypeVar("T")
_QDPX_MIME = "application/zip"
_BUILT_KEY = "qdpx_built"


def import_form() -> None:
    """Create a project from a .qdpx made by NVivo, ATLAS.ti, MAXQDA, QualCoder or the workbench."""
    with st.expander("Import a REFI-QDA project (.qdpx)", icon=":material/move_to_inbox:"):
        st.caption(
            "From NVivo, ATLAS.ti, MAXQDA, QualCoder or another workbench: its transcripts enter the anonymisation "
            "review like any other, and their codings appear once a reviewer signs each transcript off."
        )
        upload = st.file_uploader("REFI-QDA project", type=["qdpx"], key="qdpx_upload")
        folder = st.text_input("New project folder", key="qdpx_folder", placeholder="/path/to/new-project")
        if st.button("Import", key="qdpx_import", disabled=upload is None or not folder.strip()) and upload:
            try:
                with st.spinner("Reading the archive and importing its transcripts..."):
                    report = import_qdpx(upload.name, folder.strip(), actor(), data=upload.getvalue())
            except WorkbenchError as error:
                st.error(escape_markdown(str(error)))
                return
            for line in report.lines():
                flash(escape_markdown(line))
            set_project_folder(Path(folder.strip()))
            st.rerun()


def export_section(project: Project) -> None:
    """Build the signed-off part of the project as a .qdpx on click, then offer it for download."""
    with st.expander("Export as REFI-QDA (.qdpx) for NVivo, ATLAS.ti, MAXQDA or QualCoder", icon=":material/outbox:"):
        st.caption(
            "Signed-off transcripts only, anonymised, with codebooks, codings, coders, participants and memos. "
            "A residual anonymity scan runs first; nothing from the key store is ever exported."
        )
        if st.button("Build the export", key="qdpx_build"):
            try:
                with st.spinner("Scanning and exporting..."):
                    data, summary = _via_file(lambda path: export_qdpx(project, path), ".qdpx")
            except WorkbenchError as error:
                st.error(escape_markdown(str(error)))
                return
            st.session_state[_BUILT_KEY] = data
            st.success(
                f"{summary.documents} transcripts, {summary.codings} codings, {summary.codes} codes and "
                f"{summary.notes} memos are ready"
                + (f"; {summary.left_out} still in review left out" if summary.left_out else "")
            )
        if st.session_state.get(_BUILT_KEY):
            st.download_button(
                "Download the .qdpx", st.session_state[_BUILT_KEY], file_name=f"{project.folder.resolve().name}.qdpx",
                mime=_QDPX_MIME, key="qdpx_download", icon=":material/download:", on_click="ignore",
            )  # fmt: skip


def qdc_button(project: Project, codebook_id: str, name: str) -> None:
    """A download of one codebook as REFI-QDA .qdc, built when clicked."""
    folder, who = project.folder, project.actor
    st.download_button(
        "Export as .qdc", lambda: qdc_bytes(folder, who, codebook_id), file_name=f"{codebook_id}.qdc",
        mime="application/xml", key=f"codebook_qdc_{codebook_id}", icon=":material/outbox:", on_click="ignore",
        help=f"{name} as a REFI-QDA codebook, for NVivo, ATLAS.ti, MAXQDA or QualCoder",
    )  # fmt: skip


def qdc_bytes(folder: Path, who: str, codebook_id: str) -> bytes:
    """Return one codebook of the project in ``folder`` as .qdc bytes."""
    with Project.open(folder, actor=who) as project:
        return _via_file(lambda path: export_qdc(project, codebook_id, path), ".qdc")[0]


def qdc_as_yaml(name: str, data: bytes) -> tuple[Path, bytes]:
    """Turn an uploaded .qdc into the YAML codebook the project loads (its name and text)."""
    book = read_qdc(data, name)
    return Path(f"{book.id}.yaml"), book.yaml.encode("utf-8")


def _via_file(write: Callable[[Path], T], suffix: str) -> tuple[bytes, T]:
    """Run an exporter that writes a file, in a private temporary folder, and return the file's bytes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export{suffix}"
        result = write(path)
        return path.read_bytes(), result
