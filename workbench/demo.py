"""The sample study: 16 synthetic case-worker interviews built into a project (`workbench demo`, `make run`)."""

from __future__ import annotations

import shutil
from pathlib import Path

from workbench.errors import ProjectError
from workbench.ingest import SUPPORTED_SUFFIXES
from workbench.project import Progress, Project, Source
from workbench.sample_codings import load_sample_codings

SAMPLE_FOLDER = Path(__file__).resolve().parent.parent / "transcripts_sample"
CODEBOOK_FOLDER = Path(__file__).resolve().parent.parent / "codebooks"
CODINGS_FOLDER = "codings"
# The model study's codebooks; codebooks/personal_budget_outcomes.yaml belongs to another study.
DEMO_CODEBOOKS = ("ras_evaluation.yaml", "recommendations.yaml")
PARTICIPANTS_FILE = "participants.csv"
# The transcripts with identifiers deliberately left in (see transcripts_sample/README.md): the demo leaves their
# review to the user. Every other sample transcript is already anonymised by hand, so the demo reviewer rejects
# whatever the scan flags in them (domain words, not identifiers) and signs them off.
LEFT_FOR_THE_REVIEWER = {"cw03.docx", "cw09.txt", "cw13.docx"}
DEMO_REVIEWER = "Demo Reviewer"


def sample_files(folder: Path = SAMPLE_FOLDER) -> list[Path]:
    """Return the sample study's transcript files in name order (its README.md is documentation, not an interview)."""
    return sorted(
        path
        for path in folder.iterdir()
        if path.suffix.lower() in SUPPORTED_SUFFIXES and not path.name.upper().startswith("README")
    )


def build_demo(
    folder: Path, *, actor: str | None = None, sample: Path = SAMPLE_FOLDER, progress: Progress | None = None
) -> Project:
    """Create a project in ``folder`` holding the sample study's participants and transcripts; return it open."""
    if not (sample / PARTICIPANTS_FILE).is_file():
        raise ProjectError(f"the sample study is missing from {sample}; run this from a checkout of the workbench")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ProjectError(f"{folder} already exists and is not empty; choose a new folder for the sample study")
    # Build beside the target and rename at the end, so an interrupted build never leaves a half-made project there.
    building = folder.parent / f".{folder.name}.building"
    shutil.rmtree(building, ignore_errors=True)
    project = Project.init(building, actor=actor)
    try:
        project.import_files(
            [Source(path) for path in sample_files(sample)],
            participants_csv=sample / PARTICIPANTS_FILE,
            progress=progress,
        )
        for name in DEMO_CODEBOOKS:
            project.codebooks.load(CODEBOOK_FOLDER / name)  # before the scan: code names and keywords are never names
        _review(project)
        load_sample_codings(project, sample / CODINGS_FOLDER)
    finally:
        project.close()
    if folder.exists():
        folder.rmdir()
    building.rename(folder)
    return Project.open(folder, actor=actor)


def _review(project: Project) -> None:
    """Record the demo reviewer's decisions and sign-offs, leaving the planted identifiers to be found."""
    review = project.review
    review.scan()
    reviewer = review.as_reviewer(DEMO_REVIEWER)
    for document in project.documents():
        if document.source_name in LEFT_FOR_THE_REVIEWER:
            continue
        for candidate in reviewer.candidates(document.id):
            reviewer.decide(candidate.id, accept=False)
        reviewer.signoff(document.id, DEMO_REVIEWER)
