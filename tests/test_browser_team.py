"""Team mode end to end in Debian's Chromium: `workbench app DIR --team`, a coder who neither sees nor reaches the
Anonymisation page, and a reviewer who does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import REPO
from tests.test_browser import SCREENSHOTS, _free_port, _settled, wait_until_healthy
from tests.test_browser import browser_type_launch_args as browser_type_launch_args  # Debian's Chromium
from workbench.team import CODER, REVIEWER, Team

pytestmark = pytest.mark.browser
PASSWORD = "correct horse"


@pytest.fixture
def team_url(sample_copy: Path) -> Iterator[str]:
    """The sample study served by `workbench app DIR --team` on a free loopback port, with a coder and a reviewer."""
    with Team.open(sample_copy, actor="setup") as team:
        team.add("Ada", ["admin"], PASSWORD)
        team.add("Cora", [CODER], PASSWORD)
        team.add("Rhea", [REVIEWER], PASSWORD)
    port = _free_port()
    environment = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    server = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", "app", str(sample_copy), "--team", "--port", str(port)],
        cwd=REPO, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        yield wait_until_healthy(f"http://127.0.0.1:{port}", server, "`workbench app --team`", timeout=90)
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the launcher and the Streamlit server it started
        server.wait(timeout=30)


def _sign_in(page: Page, name: str) -> None:
    _settled(page)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.locator(".st-key-team_name input").fill(name)
    page.locator(".st-key-team_password input").fill(PASSWORD)
    page.locator(".st-key-team_sign_in button").click()
    _settled(page)
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible()


def test_a_coder_never_reaches_the_anonymisation_page_and_a_reviewer_does(page: Page, team_url: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(team_url)
    _settled(page)
    expect(page.locator("[data-testid='stSidebarNav']")).to_have_count(0)  # nothing before sign-in
    expect(page.locator("body")).not_to_contain_text("Case Worker")

    _sign_in(page, "Cora")
    navigation = page.locator("[data-testid='stSidebarNav']")
    expect(navigation).to_contain_text("Coding")
    expect(navigation).not_to_contain_text("Anonymisation")
    expect(navigation).not_to_contain_text("Project")
    expect(page.get_by_role("heading", name="Case Worker 1")).to_be_visible()  # the Transcript page
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "team_coder.png"), full_page=True)

    # No link leads a coder to the page (the refusal a link would end in is in test_app_team), and a typed address
    # shows none of it.
    expect(page.get_by_text("waiting for ethics review").first).to_be_visible()
    expect(page.get_by_role("link", name="Review them on the Anonymisation page")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Denise")
    expect(page.locator("body")).not_to_contain_text("Meadow Lane")
    page.goto(f"{team_url}/anonymise")  # a new session: sign in again, and the coder lands on their own page
    _sign_in(page, "Cora")
    expect(page.get_by_role("heading", name="Anonymisation")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Meadow Lane")

    page.locator(".st-key-team_sign_out button").click()
    _settled(page)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    _sign_in(page, "Rhea")
    navigation.get_by_role("link", name="Anonymisation").click()
    _settled(page)
    expect(page.get_by_role("heading", name="Anonymisation")).to_be_visible()
    expect(page.locator(".st-key-candidate_card")).to_contain_text("14 Meadow Lane")
    page.screenshot(path=str(SCREENSHOTS / "team_reviewer.png"), full_page=True)
