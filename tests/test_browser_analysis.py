"""The Analysis page end to end in Debian's Chromium: its heatmap and ranked bars (Vega-Lite specs the page writes
itself) are drawn, with the case workers along the top and the codes down the side."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.test_browser import SCREENSHOTS, _settled, browser_type_launch_args, sample_url
from workbench.project import Project

pytestmark = pytest.mark.browser
__all__ = ["browser_type_launch_args", "sample_url"]  # fixtures shared with test_browser.py


def test_the_heatmap_and_the_ranked_codes_are_drawn(page: Page, sample_url: str, sample_copy: Path) -> None:
    with Project.open(sample_copy) as project:
        first = project.analysis.ranked().iloc[0]
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{sample_url}/analysis")
    _settled(page)
    expect(page.get_by_role("heading", name="Analysis", exact=True)).to_be_visible()
    charts = page.locator("[data-testid='stVegaLiteChart']")
    expect(charts).to_have_count(2)
    for chart in charts.all():
        chart.scroll_into_view_if_needed()
        drawn = chart.locator("canvas, svg").first
        expect(drawn).to_be_visible()
        box = drawn.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100
    # Vega draws on a canvas; its axis labels are in the chart's accessible description.
    heatmap = charts.nth(0).locator("[aria-roledescription], [role='graphics-document']").first
    assert "Case Worker 1" in (heatmap.get_attribute("aria-label") or "") + charts.nth(0).inner_html()
    assert str(first["name"]) in charts.nth(1).inner_html()
    SCREENSHOTS.mkdir(exist_ok=True)
    charts.nth(0).screenshot(path=str(SCREENSHOTS / "analysis_heatmap.png"))
    page.screenshot(path=str(SCREENSHOTS / "analysis_page.png"), full_page=True)
    expect(page.locator("text=Traceback")).to_have_count(0)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
