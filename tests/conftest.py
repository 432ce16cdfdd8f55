"""Shared fixtures: a fresh project on disk, the sample study built once, and helpers for files and the CLI."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from workbench.cli import cli
from workbench.demo import build_demo
from workbench.project import Project

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
SAMPLE = REPO / "transcripts_sample"


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    """A new, empty project in a temporary folder, opened by the tester 'alice'."""
    with Project.init(tmp_path / "study", actor="alice") as opened:
        yield opened


@pytest.fixture(scope="session")
def sample_project_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample study built once per test session; tests that change it must copy it first."""
    folder = tmp_path_factory.mktemp("sample") / "demo"
    build_demo(folder, actor="demo-builder").close()
    return folder


@pytest.fixture
def sample_copy(sample_project_folder: Path, tmp_path: Path) -> Path:
    """A private copy of the sample study that a test may change."""
    target = tmp_path / "demo-copy"
    shutil.copytree(sample_project_folder, target)
    return target


def run_cli(*args: str) -> Result:
    """Run the workbench CLI in-process and return its result (stdout and stderr kept apart)."""
    return CliRunner().invoke(cli, ["--user", "tester", *args], catch_exceptions=False)


def sign_off_everything(folder: str | Path) -> None:
    """Scan every transcript, keep whatever the scan flags (the fixtures hold no identifiers) and sign it off."""
    assert run_cli("anonymise", "scan", str(folder)).exit_code == 0
    for line in run_cli("anonymise", "review", str(folder)).stdout.splitlines():
        if line.startswith("document ") and "signed off" not in line:
            document = line.split()[1]
            assert run_cli("anonymise", "review", str(folder), "--document", document, "--reject-all").exit_code == 0
    result = run_cli("anonymise", "signoff", str(folder), "all", "--reviewer", "Test Reviewer")
    assert result.exit_code == 0, result.stderr


def database_dump(folder: Path) -> list[str]:
    """Return every row of project.db and the key store as SQL, to prove a failed command changed nothing."""
    lines: list[str] = []
    for path in (folder / "project.db", folder / "keystore" / "keys.db"):
        connection = sqlite3.connect(path)
        try:
            lines.extend(connection.iterdump())
        finally:
            connection.close()
    return lines


def write(folder: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    """Write a file for a test and return its path."""
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path
