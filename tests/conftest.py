"""Shared fixtures: a fresh project on disk, the sample study built once, and helpers for files and the CLI."""

from __future__ import annotations

import shutil
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from workbench.cli import cli
from workbench.demo import build_demo
from workbench.project import DocumentRecord, Project, Source

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
SAMPLE = REPO / "transcripts_sample"


@pytest.fixture(autouse=True)
def _keep_sigterm() -> Iterator[None]:
    """Put back the test process's SIGTERM handler: tests that start the app in-process install the launcher's."""
    handler = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, handler)


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


INTERVIEW = (
    "Interviewer: Tell me about the training you had before the RAS.\n"
    "CW: The training was rushed. I was trained in one morning, and the paperwrok never ended. "
    "My line manager checked everything.\n"
    "Interviewer: And the form itself?\n"
    "CW: The RAS form duplicates the Needs Profile. We duplicated every question, honestly.\n"
)

TEST_CODEBOOK = """# A small codebook for the tests.
id: test_book
name: Test codebook
themes:
  - id: t.context   # the first theme
    name: Context
    colour: "#4C78A8"
    codes:
      - id: t.training
        name: Training
        keywords: [train]
      - id: t.manager
        name: Line-manager support
        keywords: ["line manager"]
  - id: t.perception
    name: Perception
    codes:
      - id: t.paperwork
        name: Paperwork
        keywords: [paperwork]
      - id: t.duplication
        name: Duplication
        keywords: [duplicate]
"""


@pytest.fixture
def coded(tmp_path: Path) -> Iterator[Project]:
    """A project with one signed-off interview (document 1) and the test codebook, opened by 'alice'."""
    folder = tmp_path / "study"
    Project.init(folder, actor="alice").close()
    with Project.open(folder, actor="alice") as project:
        project.import_files([Source(write(tmp_path, "cw01.txt", INTERVIEW))])
        project.codebooks.load(write(tmp_path, "test_book.yaml", TEST_CODEBOOK))
    sign_off_everything(folder)
    with Project.open(folder, actor="alice") as project:
        yield project


def participant_turn(document: DocumentRecord, number: int = 1) -> tuple[str, int, int]:
    turn = [t for t in document.turns if t.role == "participant"][number - 1]
    return turn.id, turn.start, turn.end
