"""Importing 16, 160 and 1,000 interviews (~12M words) with `workbench import` (issue 8: <= 1 GB, every core used).

Run with `make bench` or `python -m bench.import_scale [--sizes 16 160 1000]`. For each size it writes a synthetic
corpus (`bench.synthetic_corpus`: ~12,000 words per transcript, mostly .docx and .txt, some .vtt, and a participants
CSV), creates a project with `workbench init`, and times `workbench import PROJECT FILE... --participants CSV` in a
subprocess, exactly as a user runs it, while sampling /proc for that process and its worker processes.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.report import write_section
from bench.synthetic_corpus import Corpus, write_corpus
from bench.synthetic_project import source_pools
from workbench.project import KEEP_READY_BYTES, Project

SIZES = (16, 160, 1000)
RSS_TARGET = 2**30  # 1 GiB, parent and workers together
READY_TARGET = 0.9  # "every core used": each worker running or ready to run at least this share of its life
SAMPLE_EVERY = 0.1  # seconds between samples of /proc
WORKBENCH = Path(sys.executable).parent / "workbench"
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    """One import, as measured from outside."""

    transcripts: int
    words: int
    generate_seconds: float
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # user + system of the import and every worker (getrusage of reaped children)
    peak_rss: int = 0  # the largest sum of VmRSS over the import and its workers at one sample
    peak_pss: int = 0  # the same with PSS, which counts pages shared after the fork once
    parent_rss: int = 0  # the import process's own peak (VmHWM)
    worker_rss: int = 0  # the largest worker's peak (VmHWM)
    workers: int = 0  # worker processes seen
    worker_cpu: float = 0.0  # CPU seconds of the workers, from their last sample
    imported: int = 0
    worker_ready: float = 0.0  # the least busy worker: share of its life on a CPU or ready for one
    load: float = 0.0  # the machine's 1-minute load average as the import started
    seen: set[int] = field(default_factory=set)


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (the import's workers)."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process in bytes (empty if it has gone)."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line.split(":")[0]] = int(line.split()[1]) * 1024
    except OSError:
        return {}
    return values


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime and stime


def _schedstat(pid: int) -> tuple[float, float]:
    """Seconds a process has run on a CPU, and seconds it has waited, ready to run, for a CPU to be free."""
    try:
        on_cpu, waiting, _ = Path(f"/proc/{pid}/schedstat").read_text().split()
    except (OSError, ValueError):
        return 0.0, 0.0
    return int(on_cpu) / 1e9, int(waiting) / 1e9


def _age(pid: int) -> float:
    """Seconds since the process started."""
    try:
        started = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]) / TICK
        return float(Path("/proc/uptime").read_text().split()[0]) - started
    except (OSError, ValueError, IndexError):
        return 0.0


def run_import(corpus: Corpus, project: Path, run: Run) -> None:
    """Run `workbench import` on the corpus in a subprocess and measure it from outside."""
    subprocess.run([str(WORKBENCH), "init", str(project)], check=True, stdout=subprocess.DEVNULL)
    command = [str(WORKBENCH), "import", str(project), *map(str, corpus.files), "--participants"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run.load = os.getloadavg()[0]
    started = time.perf_counter()
    process = subprocess.Popen(
        [*command, str(corpus.participants)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    worker_cpu: dict[int, float] = {}
    worker_ready: dict[int, float] = {}  # each worker's share of its life spent running or ready to run
    while process.poll() is None:
        workers = _children(process.pid)
        run.seen.update(workers)
        parent = _status(process.pid)
        run.parent_rss = max(run.parent_rss, parent.get("VmHWM", 0))
        rss, pss = parent.get("VmRSS", 0), _pss(process.pid)
        for worker in workers:
            status = _status(worker)
            run.worker_rss = max(run.worker_rss, status.get("VmHWM", 0))
            rss += status.get("VmRSS", 0)
            pss += _pss(worker)
            worker_cpu[worker] = max(worker_cpu.get(worker, 0.0), _cpu(worker))
            on_cpu, waiting = _schedstat(worker)
            # A small batch's workers live about a second: judged from their first quarter second on.
            if (age := _age(worker)) > 0.25:
                worker_ready[worker] = (on_cpu + waiting) / age
        run.peak_rss, run.peak_pss = max(run.peak_rss, rss), max(run.peak_pss, pss)
        time.sleep(SAMPLE_EVERY)
    run.seconds = time.perf_counter() - started
    _, stderr = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"workbench import failed ({process.returncode}): {stderr.strip()[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run.cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    run.workers = len(run.seen)
    run.worker_cpu = sum(worker_cpu.values())
    run.worker_ready = min(worker_ready.values(), default=0.0)
    with Project.open(project, actor="bench") as opened:
        documents = opened.documents()
    run.imported = len(documents)
    run.words = sum(document.words for document in documents)


def _header(*names: str) -> str:
    """A Markdown table header: numbers right-aligned, and names marked with a leading "-" left-aligned."""
    cells = [name.removeprefix("-") for name in names]
    rules = ["---" if name.startswith("-") else "---:" for name in names]
    return f"| {' | '.join(cells)} |\n|{'|'.join(rules)}|"


def _gib(value: int) -> str:
    return f"{value / 2**30:.2f} GiB" if value >= 2**30 else f"{value / 2**20:,.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="transcripts per corpus")
    parser.add_argument("--seed", type=int, default=1, help="the corpus generator's seed")
    arguments = parser.parse_args()
    cores = os.cpu_count() or 1
    bench_started = time.perf_counter()
    pools = source_pools()
    cutting = time.perf_counter() - bench_started
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as scratch:
        for size in arguments.sizes:
            corpus = write_corpus(Path(scratch) / f"corpus{size}", size, seed=arguments.seed, pools=pools)
            run = Run(size, corpus.words, corpus.seconds)
            run_import(corpus, Path(scratch) / f"project{size}", run)
            if run.imported != size:
                raise SystemExit(f"only {run.imported} of {size} transcripts were imported")
            runs.append(run)
            print(
                f"{size} transcripts, {run.words:,} words: written in {run.generate_seconds:.1f} s, imported in "
                f"{run.seconds:.1f} s, {run.cpu_seconds / run.seconds:.2f} cores busy, peak {_gib(run.peak_rss)} "
                f"RSS / {_gib(run.peak_pss)} PSS",
                flush=True,
            )
    total = time.perf_counter() - bench_started
    write_section("import-scale", "Importing at scale (issue 8)", _report(runs, cores, cutting, total))
    print(f"wrote docs/benchmarks.md ({total / 60:.1f} minutes in all)")


def _report(runs: list[Run], cores: int, cutting: float, total: float) -> str:
    """The section of docs/benchmarks.md: the method, a memory table and a CPU table."""
    memory, cpu = [], []
    for run in runs:
        memory.append(
            f"| {run.transcripts:,} | {run.words:,} | {run.generate_seconds:.1f} s | {run.seconds:.1f} s "
            f"| {run.words / run.seconds:,.0f} | **{_gib(run.peak_rss)}** | {_gib(run.peak_pss)} "
            f"| {_gib(run.parent_rss)} | {_gib(run.worker_rss)} "
            f"| {'met' if run.peak_rss <= RSS_TARGET else '**NOT met**'} |"
        )
        every_core = run.workers >= cores and run.worker_ready >= READY_TARGET
        cpu.append(
            f"| {run.transcripts:,} | {run.workers} | {run.worker_ready:.0%} | {run.cpu_seconds:.0f} s "
            f"| {run.worker_cpu:.0f} s | **{run.cpu_seconds / run.seconds:.2f} of {cores}** | {run.load:.1f} "
            f"| {'met' if every_core else '**NOT met**'} |"
        )
    sizes = ", ".join(f"{run.transcripts:,}" for run in runs)
    memory_header = _header(
        "transcripts", "words", "corpus written in", "import", "words per second", "peak RSS, all processes",
        "peak PSS, all processes", "import process", "largest worker", "-RSS <= 1 GiB",
    )  # fmt: skip
    cpu_header = _header(
        "transcripts", "workers", "least busy worker: running or ready to run", "CPU time", "in workers",
        "CPU ÷ wall", "load average", "-every core used",
    )  # fmt: skip
    return f"""
Targets: importing up to 1,000 transcripts (~12M words) with `workbench import` keeps the peak resident memory of
the import process and its workers together at or under 1 GiB, and uses every core for spaCy.
`python -m bench.import_scale` writes each corpus with `bench.synthetic_corpus` ({sizes} transcripts of ~12,000
words, 60% .docx, 30% .txt, 10% .vtt, and a participants CSV), creates a project with `workbench init`, and runs
`workbench import PROJECT FILE... --participants CSV` in a subprocess, as a user would. One run per size; the whole
benchmark took {total / 60:.1f} minutes. The corpus times are for writing the files, after the sample study has
been cut into sentences once, which took {cutting:.1f} s.

{memory_header}
{chr(10).join(memory)}

{cpu_header}
{chr(10).join(cpu)}

How it is measured. The import's time runs from the command's start to its exit (Python start-up and loading the
model included); the words are those the project recorded. Memory is sampled from /proc every {SAMPLE_EVERY} s. The
**peak RSS** judged against the target is the largest sum, at one sample, of VmRSS over the import process and its
workers; it counts the model's pages, which the workers share with the parent after the fork, once per process, so it
overstates what is really used. PSS is the same sum with each shared page divided among the processes sharing it.
The import process's and the largest worker's own peaks are their VmHWM. CPU time is `getrusage(RUSAGE_CHILDREN)`
around the import: user + system time of the import and its workers; the workers' part is from /proc/PID/stat.

**Every core used** is judged as: one worker per core, and no worker short of work, that is each worker spent at
least {READY_TARGET:.0%} of its life either running or ready to run and waiting for a core (/proc/PID/schedstat),
never idle for want of a file. That is the import's part; how many cores it then gets is the machine's. This is a
shared virtual machine on which other work was running (the load average as the import started is given), so CPU
time ÷ wall time, what the import actually got, is below the core count whenever the load is above it.

How the import streams (see docs/importing.md). A first pass reads each file, hashes it and parses it in the
workers, keeping only its hash, participant and warnings, except for the first files, up to
{KEEP_READY_BYTES // 2**20} MB, which it also splits into sentences and keeps ready to write; if any file is bad
nothing is written and every bad file is named. The second pass writes the files kept ready, then reads each further
file again (checking that its hash has not changed), and the workers parse it and split its sentences, at most two
files each ahead of the parent, which writes each transcript in its own transaction as soon as it comes back. So
the memory in use is the model plus at most {KEEP_READY_BYTES // 2**20} MB and a few transcripts, whatever the size
of the batch.
"""


if __name__ == "__main__":
    main()
