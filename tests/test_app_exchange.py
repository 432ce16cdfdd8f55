"""REFI-QDA exchange in the app: import a .qdpx as a new project, export the project, load and export a .qdc."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.test_app import _no_errors, _open, app  # noqa: F401  (the fixture)
from tests.test_app_coding import CODEBOOK_PAGE
from workbench.project import Project
from workbench.refi.export_qdpx import export_qdpx
from workbench.ui import exchange

SHARED_REFI = Path(__file__).resolve().parents[2] / "shared" / "refi"


def test_a_qdpx_becomes_a_new_project_whose_transcripts_await_review(
    app: AppTest,  # noqa: F811
    sample_project_folder: Path,
    tmp_path: Path,
) -> None:
    with Project.open(sample_project_folder) as project:
        export_qdpx(project, tmp_path / "sample.qdpx")
    app.run()
    app.file_uploader(key="qdpx_upload").upload("sample.qdpx", (tmp_path / "sample.qdpx").read_bytes())
    app.text_input(key="qdpx_folder").input(str(tmp_path / "imported"))
    app.run()
    app.button(key="qdpx_import").click().run()
    _no_errors(app)
    assert app.session_state["project_folder"] == str(tmp_path / "imported")
    with Project.open(tmp_path / "imported") as imported:
        assert len(imported.documents()) == 13
        assert {d.status for d in imported.documents()} == {"imported"}  # each waits for an ethics reviewer
        assert [c.codebook.id for c in imported.codebooks.loaded()] == ["ras_evaluation", "recommendations"]


def test_a_bad_qdpx_is_one_error_and_no_project(app: AppTest, tmp_path: Path) -> None:  # noqa: F811
    app.run()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../evil.txt", "x")
    app.file_uploader(key="qdpx_upload").upload("evil.qdpx", buffer.getvalue())
    app.text_input(key="qdpx_folder").input(str(tmp_path / "evil"))
    app.run()
    app.button(key="qdpx_import").click().run()
    assert not app.exception and len(app.error) == 1
    assert not (tmp_path / "evil").exists()


def test_the_project_exports_as_qdpx_and_codebooks_as_qdc(app: AppTest, sample_project_folder: Path) -> None:  # noqa: F811
    _open(app, sample_project_folder, "workbench/ui/project_page.py")
    app.button(key="qdpx_build").click().run()
    _no_errors(app)
    assert app.success[0].value.startswith("13 transcripts, 353 codings")
    assert "3 still in review left out" in app.success[0].value
    data = app.session_state["qdpx_built"]
    assert "project.qde" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    qdc = exchange.qdc_bytes(sample_project_folder, "app-tester", "recommendations")
    assert b"CodeBook" in qdc and b"Management support" in qdc


def test_a_qdc_from_taguette_loads_as_a_codebook(app: AppTest, sample_copy: Path) -> None:  # noqa: F811
    _open(app, sample_copy, CODEBOOK_PAGE)
    qdc = (SHARED_REFI / "samples" / "qdc" / "taguette-1.4.1-codebook.qdc").read_bytes()
    app.file_uploader(key="codebook_upload").upload("taguette.qdc", qdc)
    app.run()
    app.button(key="codebook_load").click().run()
    _no_errors(app)
    with Project.open(sample_copy) as project:
        assert len(project.codebooks.loaded()) == 3
        assert (sample_copy / "codebooks").glob("*.yaml")
