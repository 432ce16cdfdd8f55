"""Batch import at scale: the synthetic corpus generator, and a streaming import that still writes all or nothing."""

from __future__ import annotations

import re
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.synthetic_corpus import Corpus, write_corpus
from bench.synthetic_project import SourcePools, source_pools
from tests.conftest import INTERVIEW, database_dump, run_cli, write
from workbench.errors import TranscriptError
from workbench.ingest import Transcript, read_transcript
from workbench.participants import read_participants_csv
from workbench.project import ImportFailed, Project, Source
from workbench.segment import SentenceSplitter

PNG = b"\x89PNG\r\n\x1a\n" + bytes(100)


@pytest.fixture(scope="module")
def pools() -> SourcePools:
    return source_pools()


@pytest.fixture(scope="module")
def corpus(pools: SourcePools, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The smallest corpus the generator makes, at full size: 16 interviews of ~12,000 words."""
    return write_corpus(tmp_path_factory.mktemp("corpus"), 16, seed=3, pools=pools)


@pytest.fixture(params=["kept ready", "streamed", "some kept"])
def budget(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The three ways a batch is written: all kept ready by the check (a small batch), all parsed again as they are
    written (a large one), and the first few kept, the rest parsed again."""
    if request.param == "streamed":
        monkeypatch.setattr("workbench.project.KEEP_READY_BYTES", 0)
    elif request.param == "some kept":
        monkeypatch.setattr("workbench.project.KEEP_READY_BYTES", 1)
    return str(request.param)


def interviews(folder: Path, count: int) -> list[Path]:
    """``count`` small distinct transcripts, cw1.txt, cw2.txt ..."""
    return [
        write(folder, f"cw{number}.txt", INTERVIEW.replace("one morning", f"{number} mornings"))
        for number in range(1, count + 1)
    ]


# --- the generator ----------------------------------------------------------------------------------------------------


def test_the_generator_writes_readable_interviews_of_about_twelve_thousand_words(corpus: Corpus) -> None:
    assert {path.suffix for path in corpus.files} == {".docx", ".txt", ".vtt"}
    assert Counter(path.suffix for path in corpus.files).most_common(1)[0][0] == ".docx"
    for number, path in enumerate(corpus.files, 1):
        assert path.name == f"cw{number:04d}{path.suffix}"
        transcript = read_transcript(path)
        assert 9_000 <= len(transcript.text.split()) <= 15_000, path.name
        assert {turn.role for turn in transcript.turns} == {"interviewer", "participant"}
        assert transcript.warnings == []
    assert 16 * 10_000 <= corpus.words <= 16 * 14_000


def test_the_participants_csv_names_every_interview(corpus: Corpus) -> None:
    participants = read_participants_csv(corpus.participants)
    assert [p.id for p in participants] == [str(number) for number in range(1, 17)]
    assert participants[11].label == "Case Worker 12"
    assert set(participants[0].attributes) == {"team", "years_in_post", "service_users_introduced", "interview_mode"}


def test_the_interviews_hold_only_fictitious_identifiers(corpus: Corpus) -> None:
    text = " ".join(read_transcript(path).text for path in corpus.files)
    phones = re.findall(r"\b07\d{3} \d{6}\b", text)
    nhs = re.findall(r"\b\d{3} \d{3} \d{4}\b", text)
    assert phones and all(phone.startswith("07700 900") for phone in phones)
    assert nhs and all(number.startswith("999") for number in nhs)
    for number in nhs:
        digits = [int(d) for d in number.replace(" ", "")]
        assert (11 - sum(d * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11) % 11 == digits[9]
    assert re.search(r"@example\.org\b", text)


def test_the_same_seed_gives_the_same_files(pools: SourcePools, tmp_path: Path) -> None:
    first = write_corpus(tmp_path / "a", 16, seed=5, words=600, pools=pools)
    again = write_corpus(tmp_path / "b", 16, seed=5, words=600, pools=pools)
    other = write_corpus(tmp_path / "c", 16, seed=6, words=600, pools=pools)
    contents = [[path.read_bytes() for path in [*c.files, c.participants]] for c in (first, again, other)]
    assert contents[0] == contents[1]
    assert contents[0] != contents[2]


def test_a_generated_corpus_imports_from_the_command_line(corpus: Corpus, tmp_path: Path, budget: str) -> None:
    folder = tmp_path / "study"
    run_cli("init", str(folder))
    files = [str(path) for path in corpus.files]
    result = run_cli("import", str(folder), *files, "--participants", str(corpus.participants))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"Imported 16 transcripts into {folder}"
    with Project.open(folder, actor="checker") as project:
        documents = sorted(project.documents(), key=lambda d: d.id)
        assert [d.source_name for d in documents] == [path.name for path in corpus.files]
        assert [d.participant_id for d in documents] == [str(number) for number in range(1, 17)]
        assert sum(d.words for d in documents) >= 16 * 10_000
        record = project.working_document(documents[-1].id)
        assert len(record.sentences) > 500
        assert all(record.text[s.start : s.end] == s.text for s in record.sentences)


# --- the streaming import ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [0, 2])
def test_one_corrupt_file_in_the_middle_of_a_batch_writes_nothing_and_is_named(
    project: Project, tmp_path: Path, workers: int, budget: str
) -> None:
    files = interviews(tmp_path, 9)
    files[4] = write(tmp_path, "cw5.docx", PNG)
    before = database_dump(project.folder)
    with pytest.raises(ImportFailed) as failure:
        project.import_files([Source(path) for path in files], workers=workers)
    assert [str(error) for error in failure.value.errors] == [
        "cw5.docx: is not a Word document (it looks like a PNG image, not a transcript)"
    ]
    assert isinstance(failure.value.errors[0], TranscriptError)
    assert database_dump(project.folder) == before


def test_the_command_line_names_the_corrupt_file_and_imports_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    run_cli("init", str(folder))
    files = interviews(tmp_path, 7)
    files[3] = write(tmp_path, "cw4.docx", PNG)
    before = database_dump(folder)
    result = run_cli("import", str(folder), *map(str, files))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: cw4.docx: is not a Word document (it looks like a PNG image, not a transcript)"
    )
    assert database_dump(folder) == before


@pytest.mark.parametrize("workers", [0, 2])
def test_a_batch_is_written_in_the_order_given_and_duplicates_are_skipped(
    project: Project, tmp_path: Path, workers: int, budget: str
) -> None:
    files = interviews(tmp_path, 6)
    copy = write(tmp_path, "cw2 copy.txt", files[1].read_bytes())
    order = [files[5], files[1], copy, files[0], files[4], files[3], files[2]]
    documents, check = project.import_files([Source(path) for path in order], workers=workers)
    assert [d.source_name for d in sorted(documents, key=lambda d: d.id)] == [
        "cw6.txt", "cw2.txt", "cw1.txt", "cw5.txt", "cw4.txt", "cw3.txt",
    ]  # fmt: skip
    assert check.skipped == ["cw2 copy.txt: same content as cw2.txt; skipped"]
    assert [item.participant_id for item in check.ready] == ["6", "2", "1", "5", "4", "3"]
    again, check = project.import_files([Source(path) for path in files], workers=workers)
    assert again == []
    assert len(check.skipped) == 6
    assert check.skipped[0] == "cw1.txt: already in the project as document 3 (cw1.txt); skipped"


def test_the_workers_split_sentences_as_this_process_does(project: Project, tmp_path: Path, budget: str) -> None:
    files = interviews(tmp_path, 5)
    project.import_files([Source(path) for path in files], workers=2)
    with Project.init(tmp_path / "serial", actor="tester") as serial:
        serial.import_files([Source(path) for path in files], workers=0)
        for summary in project.documents():
            pooled, alone = project.working_document(summary.id), serial.working_document(summary.id)
            assert [(s.start, s.end) for s in pooled.sentences] == [(s.start, s.end) for s in alone.sentences]
            assert pooled.text == alone.text


@pytest.mark.parametrize("workers", [0, 2])
def test_a_file_changed_after_the_check_stops_the_import_there_and_a_rerun_finishes(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.setattr("workbench.project.KEEP_READY_BYTES", 0)  # as in a batch too large to keep ready
    files = interviews(tmp_path, 5)

    def change_the_third(done: int, total: int, what: str) -> None:
        if what == "checked":  # between the checking pass and the writing pass
            files[2].write_text(INTERVIEW.replace("RAS form", "new form"), encoding="utf-8")

    with pytest.raises(TranscriptError) as failure:
        project.import_files([Source(path) for path in files], progress=change_the_third, workers=workers)
    assert str(failure.value) == (
        "cw3.txt: changed after it was checked; run the same import again to import it and the files after it "
        "(those already in are skipped)"
    )
    assert [d.source_name for d in project.documents()] == ["cw1.txt", "cw2.txt"]
    documents, check = project.import_files([Source(path) for path in files], workers=workers)
    assert [d.source_name for d in documents] == ["cw3.txt", "cw4.txt", "cw5.txt"]
    assert len(check.skipped) == 2


def test_progress_is_shown_for_the_check_and_for_each_file_written(project: Project, tmp_path: Path) -> None:
    files = interviews(tmp_path, 3)
    seen: list[tuple[int, int, str]] = []
    project.import_files([Source(path) for path in files], progress=lambda *step: seen.append(step), workers=0)
    assert seen == [
        (0, 3, "checking cw1.txt"), (1, 3, "checking cw2.txt"), (2, 3, "checking cw3.txt"), (3, 3, "checked"),
        (0, 3, "importing cw1.txt"), (1, 3, "importing cw2.txt"), (2, 3, "importing cw3.txt"), (3, 3, "done"),
    ]  # fmt: skip


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def test_a_worker_stops_when_the_import_is_stopped_even_if_the_parent_handles_sigterm() -> None:
    # The app launcher turns SIGTERM into KeyboardInterrupt; a worker that inherited that handler survived the
    # pool's terminate (after a bad file), and the import waited for it forever.
    signal.signal(signal.SIGTERM, _interrupt)  # conftest puts the test process's own handler back
    with SentenceSplitter(2) as splitter:
        assert list(splitter.map(signal.getsignal, [signal.SIGTERM, signal.SIGINT])) == [
            signal.SIG_DFL,
            signal.SIG_IGN,
        ]


def test_the_workers_take_only_a_few_jobs_ahead_of_the_results(tmp_path: Path) -> None:
    taken = 0

    def jobs() -> Iterator[int]:
        nonlocal taken
        for number in range(100):
            taken += 1
            yield number

    with SentenceSplitter(2) as splitter:
        results = splitter.map(abs, jobs())
        assert next(results) == 0
        assert taken <= 5
        assert list(results) == list(range(1, 100))
    assert taken == 100


def test_an_error_in_a_worker_while_importing_reaches_the_user_whole(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("workbench.project.KEEP_READY_BYTES", 0)  # so every file is parsed again in a worker
    files = interviews(tmp_path, 5)
    marker = tmp_path / "checked"

    def unreadable_once_checked(path: str | Path, data: bytes | None = None) -> Transcript:
        if marker.exists() and Path(path).name == "cw4.txt":
            raise TranscriptError(path, "could not be read the second time")
        return read_transcript(path, data)

    # Patched before the workers are forked, so they inherit it.
    monkeypatch.setattr("workbench.project.read_transcript", unreadable_once_checked)
    with pytest.raises(TranscriptError, match=r"^cw4\.txt: could not be read the second time$"):
        project.import_files(
            [Source(path) for path in files],
            progress=lambda done, total, what: marker.touch() if what == "checked" else None,
            workers=2,
        )
    assert [d.source_name for d in project.documents()] == ["cw1.txt", "cw2.txt", "cw3.txt"]


def test_a_file_kept_ready_by_the_check_is_imported_as_it_was_checked(project: Project, tmp_path: Path) -> None:
    files = interviews(tmp_path, 3)
    checked = files[1].read_text(encoding="utf-8")

    def change_the_second(done: int, total: int, what: str) -> None:
        if what == "checked":
            files[1].write_text("Interviewer: Changed?\nCW2: Yes.\n", encoding="utf-8")

    project.import_files([Source(path) for path in files], progress=change_the_second, workers=0)
    assert project.working_document(2).text == read_transcript(Path("cw2.txt"), checked.encode()).text


@pytest.mark.parametrize("workers", [0, 2])
def test_every_bad_file_is_named_in_the_order_given(project: Project, tmp_path: Path, workers: int) -> None:
    files = interviews(tmp_path, 6)
    files[1] = write(tmp_path, "cw2.docx", PNG)  # refused by the parser, in a worker
    files[2] = write(tmp_path, "cw3.pdf", b"%PDF-1.5\n")  # refused before it is read
    files[4] = tmp_path / "cw5.txt"  # missing
    files[4].unlink()
    with pytest.raises(ImportFailed) as failure:
        project.import_files([Source(path) for path in files], workers=workers)
    assert [str(error).split(":")[0] for error in failure.value.errors] == ["cw2.docx", "cw3.pdf", "cw5.txt"]
    assert project.documents() == []
