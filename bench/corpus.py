"""Synthetic scale-ups of the sample study: N copies of each interview, each a little different so none is skipped."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx

from workbench.demo import sample_files


def synthetic_corpus(folder: Path, copies: int) -> list[Path]:
    """Write ``copies`` variants of every sample transcript into ``folder`` and return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for copy in range(copies):
        for source in sample_files():
            target = folder / f"{source.stem}_{copy:04d}{source.suffix}"
            closing = f"Thank you, that is everything for interview {copy}."
            if copy == 0:
                shutil.copyfile(source, target)
            elif source.suffix == ".docx":
                document = docx.Document(str(source))
                paragraph = document.add_paragraph()
                paragraph.add_run("Interviewer:").bold = True
                paragraph.add_run(f" {closing}")
                document.save(str(target))
            elif source.suffix == ".vtt":
                cue = f"\n\nclosing-{copy}\n01:30:00.000 --> 01:30:04.000\n<v Interviewer>{closing}</v>\n"
                target.write_text(source.read_text(encoding="utf-8").rstrip() + cue, encoding="utf-8")
            else:
                line = (
                    f"\r\nInterviewer: {closing}\r\n"
                    if b"\r\n" in source.read_bytes()
                    else f"\nInterviewer: {closing}\n"
                )
                target.write_bytes(source.read_bytes().rstrip() + line.encode("cp1252"))
            paths.append(target)
    return paths
