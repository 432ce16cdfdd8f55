"""The Quotes page end to end in Debian's Chromium: choose a case worker through the UI, every quote shown is cited as
theirs, and the CSV button downloads those quotes."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.test_browser import SCREENSHOTS, _settled, browser_type_launch_args, sample_url
from workbench.project import Project
from workbench.quotes import QuoteFilter

pytestmark = pytest.mark.browser
__all__ = ["browser_type_launch_args", "sample_url"]  # fixtures shared with test_browser.py


def test_filter_the_quotes_by_a_case_worker(page: Page, sample_url: str, sample_copy: Path) -> None:
    with Project.open(sample_copy) as project:
        theirs = len(project.quotes(QuoteFilter(participant="12")))
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{sample_url}/quotes")
    _settled(page)
    expect(page.get_by_role("heading", name="Quotes", exact=True)).to_be_visible()
    page.locator(".st-key-quotes_participant").get_by_role("combobox").click()
    page.get_by_role("option").filter(has_text=re.compile(r"^Case Worker 12$")).click()
    _settled(page)
    expect(page.get_by_role("heading", name=f"{theirs} quotes from 1 case worker")).to_be_visible()
    quotes = page.locator("[data-testid='stCode'] code")
    expect(quotes.first).to_be_visible()
    cited = quotes.all_inner_texts()
    assert 0 < len(cited) <= 50
    assert [text for text in cited if not text.strip().endswith("” (Case Worker 12)")] == []
    assert page.url.endswith("/quotes?participant=12")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "quotes_page.png"), full_page=True)

    with page.expect_download() as download:
        page.locator(".st-key-quotes_csv").get_by_role("button", name="CSV (.csv)").click()
    assert download.value.suggested_filename == "quotes.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert len(rows) == theirs
    assert {row["citation"] for row in rows} == {"(Case Worker 12)"}
    expect(page.locator("text=Traceback")).to_have_count(0)
