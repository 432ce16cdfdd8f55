"""Writing results into docs/benchmarks.md: the machine, the date, and one section per benchmark."""

from __future__ import annotations

import math
import os
import platform
import re
from datetime import date
from pathlib import Path

import spacy

from workbench.nlp import load_nlp

BENCHMARKS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
_HEADER = """# Benchmarks

Measured figures, never guesses: each section is rewritten by its benchmark (`make bench` runs them all). Targets
come from the issues. Timings are medians of repeated runs, with the spaCy model loaded and warmed up beforehand.
"""


def nearest_rank(values: list[float], share: float) -> float:
    """The nearest-rank percentile of ``values`` (``share`` 0.95 for the p95)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def machine() -> str:
    """Return a one-paragraph description of this machine and software."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    nlp = load_nlp()
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; Python "
        f"{platform.python_version()}; spaCy {spacy.__version__} with {nlp.meta['name']} {nlp.meta['version']} "
        f"({', '.join(nlp.pipe_names)})"
    )


def write_section(name: str, title: str, body: str) -> None:
    """Replace (or add) the section ``name`` of docs/benchmarks.md."""
    text = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else _HEADER
    section = (
        f"<!-- bench:{name} -->\n## {title}\n\nMeasured on {date.today().isoformat()}: {machine()}.\n\n"
        f"{body.strip()}\n<!-- /bench:{name} -->"
    )
    pattern = re.compile(rf"<!-- bench:{name} -->.*?<!-- /bench:{name} -->", re.DOTALL)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section + "\n"
    BENCHMARKS.parent.mkdir(exist_ok=True)
    BENCHMARKS.write_text(text, encoding="utf-8")
