"""What keeps reads fast on a large project (issue 8): the indexes of migration 6, results kept while the database
stays as it is (and never after it changes), reliability figures from counts, and long transcripts read a page of
turns at a time. Speed itself is measured by bench/scale_latency.py, never here."""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO, sign_off_everything, write
from tests.test_app import _no_errors, _open
from workbench import statecache
from workbench.coding import Span
from workbench.project import Project, Source
from workbench.quotes import QuoteFilter
from workbench.reliability import _pattern_figures, _undefined_note, alpha, cohens_kappa, percent_agreement
from workbench.store import MIGRATIONS, SCHEMA_VERSION, _v6_scale

APP = str(REPO / "streamlit_app.py")
TRANSCRIPT_PAGE = "workbench/ui/transcript_page.py"
NEW_INDEXES = {"documents_outline", "codings_tally", "codings_coder"}


def _indexes(folder: Path) -> set[str]:
    connection = sqlite3.connect(folder / "project.db")
    try:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    finally:
        connection.close()


def _code(project: Project, code_id: str) -> int:
    document = project.document(1)
    turn = next(t for t in document.turns if t.role == "participant")
    return project.coding.apply(Span(1, turn.id), code_id).id


def test_an_old_project_gains_the_indexes_and_reads_the_same(coded: Project) -> None:
    _code(coded, "t.training")
    before = (coded.quotes(), coded.analysis.matrix(), coded.analysis.ranked(), coded.documents())
    folder = coded.folder
    coded.close()
    connection = sqlite3.connect(folder / "project.db")
    for name in NEW_INDEXES:
        connection.execute(f"DROP INDEX {name}")
    connection.execute(f"PRAGMA user_version = {MIGRATIONS.index(_v6_scale)}")  # as before migration 6
    connection.commit()
    connection.close()
    assert not NEW_INDEXES & _indexes(folder)
    statecache.clear()
    with Project.open(folder, actor="alice") as project:
        assert project._store.schema_version == SCHEMA_VERSION
        assert _indexes(folder) >= NEW_INDEXES
        after = (project.quotes(), project.analysis.matrix(), project.analysis.ranked(), project.documents())
    assert before[0] == after[0] and before[3] == after[3]
    assert before[1].equals(after[1]) and before[2].equals(after[2])


def test_tables_are_read_again_after_every_change(coded: Project) -> None:
    assert coded.analysis.matrix().to_numpy().sum() == 0
    _code(coded, "t.training")
    assert coded.analysis.matrix().loc["Case Worker 1", "t.training"] == 1
    assert coded.analysis.ranked().loc["t.training", "codings"] == 1
    assert [quote.code for quote in coded.quotes()] == ["t.training"]
    assert coded.coding.coders() == ["alice"]
    _code(coded, "t.paperwork")
    assert coded.analysis.matrix().loc["Case Worker 1", "t.paperwork"] == 1
    assert [quote.code for quote in coded.quotes(QuoteFilter(theme="t.perception"))] == ["t.paperwork"]


def test_a_change_by_another_process_is_seen(coded: Project) -> None:
    coding = _code(coded, "t.training")
    assert coded.quotes()[0].key_quote is False
    with Project.open(coded.folder, actor="bob") as other:  # its own connection, as another process has
        other.coding.set_key_quote(coding, True)
    assert coded.quotes()[0].key_quote is True


def test_results_are_kept_while_the_project_is_closed_and_opened_again(coded: Project) -> None:
    _code(coded, "t.training")
    folder = coded.folder
    coded.close()  # the last connection to close checkpoints the write-ahead log: the state is the same
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    for _ in range(2):
        with Project.open(folder, actor="alice") as project:
            assert statecache.cached(project._store, "reopened", compute) == 1


def test_a_kept_table_cannot_be_changed_by_its_reader(coded: Project, tmp_path: Path) -> None:
    coded.load_participants(write(tmp_path, "people.csv", "id,label,role\n1,,social worker\n"))
    _code(coded, "t.training")
    first = coded.analysis.matrix()
    first.loc[:, :] = 99
    coded.analysis.crosstab("role")  # changes the presence matrix it reads
    assert coded.analysis.matrix().loc["Case Worker 1", "t.training"] == 1
    assert coded.analysis.matrix("presence").to_numpy().max() == 1


def test_nothing_is_kept_inside_a_transaction(coded: Project) -> None:
    calls = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    with coded._store.transaction("alice", "test"):
        assert statecache.cached(coded._store, "test", compute) == 1
        assert statecache.cached(coded._store, "test", compute) == 2
    assert statecache.cached(coded._store, "test", compute) == 3
    assert statecache.cached(coded._store, "test", compute) == 3


def test_memo_counts_are_those_of_the_documents_codings(coded: Project) -> None:
    coding = _code(coded, "t.training")
    coded.coding.add_memo("coding", coding, "first")
    coded.coding.add_memo("coding", coding, "second")
    coded.coding.add_memo("document", 1, "on the transcript")
    assert coded.coding.memo_counts(1) == Counter({str(coding): 2})
    assert coded.coding.memo_counts(2) == Counter()


@pytest.mark.parametrize("coders", [2, 3, 4])
def test_reliability_from_counts_equals_the_figures_from_the_matrix(coders: int) -> None:
    rng = random.Random(coders)
    names = [f"coder {n}" for n in range(coders)]
    for _ in range(100):
        units, share = rng.randint(1, 30), rng.random()
        matrix = [[rng.random() < share for _ in range(units)] for _ in names]
        patterns = Counter(
            tuple(row[unit] for row in matrix) for unit in range(units) if any(row[unit] for row in matrix)
        )
        found = _pattern_figures("c", "C", names, units, patterns)
        applied = {name: sum(row) for name, row in zip(names, matrix, strict=True)}
        assert (found.units, found.applied, found.note) == (units, applied, _undefined_note(applied, units))
        kappa = cohens_kappa(matrix[0], matrix[1]) if coders == 2 else None
        assert found.agreement == pytest.approx(percent_agreement(matrix), abs=1e-12)
        assert found.kappa == pytest.approx(kappa, abs=1e-12)
        assert found.alpha == pytest.approx(alpha(matrix), abs=1e-12)


# --- a long transcript on the Transcript page -----------------------------------------------------------------


@pytest.fixture(scope="module")
def long_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with one signed-off interview of 130 turns (participant 7) and one of 4 turns (participant 8)."""
    folder = tmp_path_factory.mktemp("long") / "study"
    lines = []
    for number in range(1, 66):
        lines.append(f"Interviewer: Question number {number} about the form?")
        lines.append(f"CW7: Answer number {number}. The paperwork took a long time that week.")
    short = "Interviewer: How was it?\nCW8: Fine.\nInterviewer: Anything else?\nCW8: No.\n"
    with Project.init(folder, actor="builder") as project:
        project.import_files(
            [
                Source(write(folder.parent, "cw07.txt", "\n".join(lines) + "\n")),
                Source(write(folder.parent, "cw08.txt", short)),
            ]
        )
    sign_off_everything(folder)
    return folder


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.delenv("WORKBENCH_PROJECT", raising=False)
    monkeypatch.setenv("WORKBENCH_USER", "app-tester")
    yield AppTest.from_file(APP, default_timeout=60)


def _turn_ids(at: AppTest) -> list[str]:
    return [str(message.markdown[0].value).split("`")[1] for message in at.chat_message]


def test_a_long_transcript_is_read_sixty_turns_a_page(app: AppTest, long_study: Path) -> None:
    _open(app, long_study, TRANSCRIPT_PAGE)
    assert app.title[0].value == "Case Worker 7"
    assert _turn_ids(app) == [f"d1.t{n}" for n in range(1, 61)]
    assert app.caption[1].value.startswith("Turns 1–60 of 130 (page 1 of 3)")
    app.session_state["transcript_page_number"] = 2
    app.run()
    _no_errors(app)
    assert _turn_ids(app) == [f"d1.t{n}" for n in range(61, 121)]
    assert app.caption[1].value.startswith("Turns 61–120 of 130 (page 2 of 3)")
    app.session_state["transcript_page_number"] = 3
    app.run()
    assert _turn_ids(app) == [f"d1.t{n}" for n in range(121, 131)]


def test_another_transcript_opens_on_its_first_page_and_a_short_one_has_no_pages(
    app: AppTest, long_study: Path
) -> None:
    _open(app, long_study, TRANSCRIPT_PAGE)
    app.session_state["transcript_page_number"] = 2
    app.run()
    app.sidebar.selectbox(key="transcript_participant").select("8").run()
    _no_errors(app)
    assert _turn_ids(app) == [f"d2.t{n}" for n in range(1, 5)]
    assert not any(str(caption.value).startswith("Turns") for caption in app.caption)
    app.sidebar.selectbox(key="transcript_participant").select("7").run()
    assert _turn_ids(app)[0] == "d1.t1"


@pytest.mark.parametrize(
    "wanted",
    [
        QuoteFilter(),
        QuoteFilter(theme="ras.context"),
        QuoteFilter(code="ras.perception", subcodes=True),
        QuoteFilter(participant="12"),
        QuoteFilter(coder="Sam Okoro", attributes={"role": "social worker"}),
        QuoteFilter(text="training", key_only=True),
        QuoteFilter(participant="99"),
    ],
)
def test_quote_counts_are_those_of_the_list(sample_project_folder: Path, wanted: QuoteFilter) -> None:
    with Project.open(sample_project_folder) as project:
        quotes = project.quotes(wanted)
        counts = project.analysis.quote_counts(wanted)
        assert project.quotes(wanted, limit=7) == quotes[:7]
    assert counts.quotes == len(quotes)
    assert counts.participants == len({quote.participant for quote in quotes})
    assert counts.key_quotes == sum(quote.key_quote for quote in quotes)
