"""The Coding page end to end in Debian's Chromium: code a turn through the UI, the chip is still there after a
reload of the page, and a memo typed in the dialog is saved by one click."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.test_app_coding import build_study
from tests.test_browser import SCREENSHOTS, _serve, _settled, browser_type_launch_args
from workbench.project import Project

pytestmark = pytest.mark.browser
__all__ = ["browser_type_launch_args"]  # the fixture that launches Debian's Chromium, shared with test_browser.py


@pytest.fixture
def coding_url(tmp_path: Path) -> Iterator[str]:
    """The app opened on a project with one signed-off interview and a small codebook."""
    with _serve(build_study(tmp_path / "study")) as url:
        yield url


def test_code_a_turn_and_see_its_chip_after_a_reload(page: Page, coding_url: str, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{coding_url}/coding")
    _settled(page)
    expect(page.get_by_role("heading", name="Coding")).to_be_visible()
    turn = page.locator(".st-key-turn_d1-t2")
    expect(turn).to_contain_text("The training was rushed.")
    turn.get_by_role("button", name="Code").click()
    picker = page.locator(".st-key-code_pick_d1-t2")
    expect(picker).to_be_visible()
    picker.get_by_role("combobox").click()
    page.get_by_role("option", name="Context > Training").click()
    _settled(page)
    page.keyboard.press("Escape")
    page.locator(".st-key-code_apply_d1-t2").get_by_role("button", name="Apply").click()
    _settled(page)
    expect(page.get_by_text("Coded turn d1.t2 with Training")).to_be_visible()
    chip = turn.locator(".wb-chip")
    expect(chip).to_have_text("Training · browser-tester · turn")
    # The popover stays open on the coder's new coding, its code picker emptied for the next one.
    expect(picker).not_to_contain_text("Context > Training")
    expect(page.locator(".st-key-own_1")).to_contain_text("Key quote")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "coding_page.png"), full_page=True)

    page.reload()
    _settled(page)
    expect(page.locator(".st-key-turn_d1-t2 .wb-chip")).to_have_text("Training · browser-tester · turn")
    expect(page.locator("text=Traceback")).to_have_count(0)

    # A memo on the coding, typed and saved in one go (the text is still in the box when Save is clicked).
    page.locator(".st-key-turn_d1-t2").get_by_role("button", name="Code (1)").click()
    page.locator(".st-key-coding_memo_1").get_by_role("button", name="Memo").click()
    _settled(page)
    dialog = page.get_by_role("dialog", name="Memo")
    expect(dialog).to_contain_text("On Training on d1.t2 (turn), as browser-tester")
    dialog.locator(".st-key-memo_text textarea").fill("Rushed training comes up again in turn 4.")
    dialog.get_by_role("button", name="Save memo").click()
    _settled(page)
    expect(page.get_by_role("dialog", name="Memo")).to_have_count(0)
    expect(page.locator(".st-key-turn_d1-t2 .wb-chip")).to_have_text("Training · browser-tester · turn · ✎1")
    with Project.open(tmp_path / "study") as project:
        assert [(c.code_id, c.coder, c.segment_id) for c in project.coding.codings(1)] == [
            ("a.training", "browser-tester", "d1.t2")
        ]
        assert [m.text for m in project.coding.memos("coding", 1)] == ["Rushed training comes up again in turn 4."]
