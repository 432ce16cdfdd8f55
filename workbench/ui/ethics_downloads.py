"""The ethics report's two download buttons, shared by the Anonymisation and Reports pages."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from workbench.anonymise.report import build_ethics_report, render_docx, render_markdown
from workbench.project import Project

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_INTRO = (
    "For the ethics committee: what was found in each transcript by category, what was decided, who signed off and "
    "when, and a last scan of the signed-off text. It holds no identifiable text. Building it takes a few seconds."
)


def ethics_buttons(project: Project, *, docx_key: str, md_key: str) -> None:
    """Two buttons that build the ethics report (.docx and .md) only when clicked."""
    st.caption(_INTRO)
    name = f"ethics-report-{project.folder.resolve().name}"
    folder, reviewer = project.folder, project.actor
    word, markdown = st.columns(2)
    with word:
        st.download_button(
            "Ethics report (.docx)", _deferred(ethics_report_docx, folder, reviewer), file_name=f"{name}.docx",
            mime=DOCX_MIME, key=docx_key, icon=":material/description:", on_click="ignore", width="stretch",
        )  # fmt: skip
    with markdown:
        st.download_button(
            "Ethics report (.md)", _deferred(ethics_report_markdown, folder, reviewer), file_name=f"{name}.md",
            mime="text/markdown", key=md_key, icon=":material/article:", on_click="ignore", width="stretch",
        )  # fmt: skip


def _deferred(build: Callable[[Path, str], bytes], folder: Path, reviewer: str) -> Callable[[], bytes]:
    """The report is built only when its button is clicked (it rescans every signed-off transcript)."""
    return lambda: build(folder, reviewer)


def ethics_report_markdown(folder: Path, reviewer: str) -> bytes:
    """Return the ethics report of the project in ``folder`` as Markdown (UTF-8), built now."""
    with Project.open(folder, actor=reviewer) as project:
        return render_markdown(build_ethics_report(project)).encode("utf-8")


def ethics_report_docx(folder: Path, reviewer: str) -> bytes:
    """Return the ethics report of the project in ``folder`` as a Word document, built now."""
    with Project.open(folder, actor=reviewer) as project:
        buffer = io.BytesIO()
        render_docx(build_ethics_report(project)).save(buffer)
        return buffer.getvalue()
