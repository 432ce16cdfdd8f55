"""The findings draft for the sample study (issue 6's target: at most 3 s).

Run with `make bench` or `python -m bench.report_speed [--repeat N]`. It builds the sample study once, then times
the whole export as `workbench report --kind findings` does it: building the draft from the project, the checks
(every quote re-cut and compared, the sign-off of every quoted transcript, the residual anonymity scan over the whole
draft) and rendering the .docx; the recommendations draft and the Markdown rendering are timed alongside.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.report import write_section
from workbench.demo import build_demo
from workbench.nlp import load_nlp
from workbench.project import Project
from workbench.report import build_draft, draft_bytes

TARGET = 3.0


def measure(repeat: int) -> dict[str, float]:
    load_nlp()
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        built = Path(folder) / "sample"
        build_demo(built, actor="bench").close()
        with Project.open(built, actor="bench") as project:
            draft_bytes(project, build_draft(project, "findings"), "docx")  # the detector warmed up once
            for _ in range(repeat):
                for kind, fmt in (("findings", "docx"), ("findings", "md"), ("recommendations", "docx")):
                    start = time.perf_counter()
                    report = build_draft(project, kind)
                    data = draft_bytes(project, report, fmt)
                    results.setdefault(f"{kind} {fmt}", []).append(time.perf_counter() - start)
            quotes = len(build_draft(project, "findings").quotes())
            size = len(data)
    return {"quotes": quotes, "bytes": size, **{key: statistics.median(times) for key, times in results.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    result = measure(args.repeat)
    met = "met" if result["findings docx"] <= TARGET else "**not met**"
    body = f"""
Target: the findings draft for the sample study in at most {TARGET:.0f} s. `python -m bench.report_speed`; medians of
{args.repeat} runs on the sample study as `workbench demo` builds it (13 signed-off transcripts, 353 codings by two
coders), each run building the draft, checking it (quotes re-cut, sign-offs, the residual anonymity scan over the
whole draft) and rendering it.

| draft | format | seconds | target |
|---|---|---|---|
| findings ({result["quotes"]} quotes) | .docx | {result["findings docx"]:.2f} | {met} |
| findings | .md | {result["findings md"]:.2f} | |
| recommendations | .docx | {result["recommendations docx"]:.2f} | |
"""
    write_section("report", "Report drafts", body)
    print(body)


if __name__ == "__main__":
    main()
