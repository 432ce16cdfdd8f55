"""The Reliability page in AppTest: the figures of the sample study's two coders, and a lead coder reconciling their
disagreements into agreed codings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO
from tests.test_app import _no_errors, _open
from workbench.coding import Span
from workbench.project import Project
from workbench.reliability import AGREED

APP = str(REPO / "streamlit_app.py")
PAGE = "workbench/ui/reliability_page.py"


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.delenv("WORKBENCH_PROJECT", raising=False)
    monkeypatch.setenv("WORKBENCH_USER", "Lead Coder")
    yield AppTest.from_file(APP, default_timeout=60)


def _agreed(folder: Path) -> list[tuple[str | None, str]]:
    with Project.open(folder) as project:
        return [(c.segment_id, c.code_id) for c in project.coding.codings(coder=AGREED)]


def test_page_without_a_project_points_to_the_project_page(app: AppTest) -> None:
    app.run()
    app.switch_page(PAGE).run()
    _no_errors(app)
    assert app.info[0].value == "Open a project first."


def test_page_with_one_coder_asks_for_a_second(app: AppTest, coded: Project) -> None:
    coded.coding.apply(Span(1, "d1.t2.s1"), "t.training")
    _open(app, coded.folder, PAGE)
    assert app.info[0].value.startswith("Reliability compares two or more coders on the same transcripts")


def test_the_sample_studys_coders_figures_and_disagreements(app: AppTest, sample_project_folder: Path) -> None:
    _open(app, sample_project_folder, PAGE)
    assert app.multiselect(key="reliability_coders").value == ["Alex Morgan", "Sam Okoro"]
    table = app.dataframe[0].value
    assert table["code"].iloc[-1] == "(all codes)" and len(table) > 10
    assert table["kappa"].between(-1, 1).all() and table["alpha"].between(-1, 1).all()
    overall = table.iloc[-1]
    assert 0.5 < overall["alpha"] < 0.8 and overall["agreement"] > 0.95
    captions = [caption.value for caption in app.caption]
    assert any(text.startswith("Alex Morgan and Sam Okoro have all coded 6 transcripts") for text in captions)
    assert app.button(key="reconcile_apply_0") is not None and app.button(key="reconcile_reject_0") is not None


def test_the_lead_applies_a_disagreement_and_agrees_the_unanimous(app: AppTest, sample_copy: Path) -> None:
    _open(app, sample_copy, PAGE)
    app.selectbox(key="reliability_code").set_value("ras.context.training").run()
    first = next(button for button in app.button if button.key.startswith("reconcile_apply_"))
    first.click().run()
    _no_errors(app)
    assert app.success[0].value.startswith("Agreed: Training to prepare case workers applies to `d1.t10.s3`")
    assert _agreed(sample_copy) == [("d1.t10.s3", "ras.context.training")]
    assert app.button(key=first.key).disabled  # decided: apply
    app.button(key="reliability_agree_unanimous").click().run()
    _no_errors(app)
    made = len(_agreed(sample_copy)) - 1
    assert made > 50 and app.success[0].value.startswith(f"{made} new agreed codings where Alex Morgan and Sam Okoro")
    app.toggle(key="reliability_undecided").set_value(True).run()
    assert not any(button.key == first.key for button in app.button)  # decided ones are hidden


def test_choosing_one_coder_is_refused_on_the_page(app: AppTest, sample_project_folder: Path) -> None:
    _open(app, sample_project_folder, PAGE)
    app.multiselect(key="reliability_coders").set_value(["Alex Morgan"]).run()
    assert [error.value for error in app.error] == [
        "choose at least two coders to compare; this project's coders are Alex Morgan and Sam Okoro"
    ]
