"""End to end in Debian's Chromium: upload a transcript, review and sign it off, then read it as a coder does."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import FIXTURES, REPO
from workbench.project import Project

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = REPO / "test-results"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium (never a downloaded browser), without background network traffic."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run `make install`, which installs Debian's chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"],
    }  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _serve(folder: Path) -> Iterator[str]:
    """Serve the real app with `streamlit run` on a free loopback port, opened on the project in ``folder``."""
    port = _free_port()
    environment = {**os.environ, "WORKBENCH_PROJECT": str(folder), "WORKBENCH_USER": "browser-tester"}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "streamlit_app.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=REPO, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield wait_until_healthy(f"http://127.0.0.1:{port}", server, "the Streamlit app", timeout=60)
    finally:
        server.terminate()
        server.wait(timeout=20)


def wait_until_healthy(url: str, server: subprocess.Popen[bytes], what: str, *, timeout: float) -> str:
    """Return ``url`` once the app there answers its health check; raise if ``server`` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return url
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"{what} did not start") from None
            time.sleep(0.3)


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    """The app opened on a new, empty project."""
    folder = tmp_path / "study"
    Project.init(folder, actor="browser-tester").close()
    with _serve(folder) as url:
        yield url


@pytest.fixture
def sample_url(sample_copy: Path) -> Iterator[str]:
    """The app opened on a private copy of the sample study (three transcripts still in ethics review)."""
    with _serve(sample_copy) as url:
        yield url


def _settled(page: Page) -> None:
    """Wait until the app is connected and no script run is in progress."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=30_000)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)


def test_upload_a_transcript_and_read_its_turns(page: Page, app_url: str) -> None:
    page.goto(app_url)
    _settled(page)
    expect(page.get_by_role("heading", name="Project: study")).to_be_visible()
    page.locator(".st-key-upload_files input[type='file']").set_input_files(
        str(FIXTURES / "libreoffice_bold_labels.docx")
    )
    expect(page.get_by_role("button", name="Remove libreoffice_bold_labels.docx")).to_be_visible()
    _settled(page)
    page.locator(".st-key-import_button button").click()
    _settled(page)
    expect(page.get_by_text("Imported 1 of 1 files")).to_be_visible(timeout=60_000)

    # Nobody reads it before an ethics reviewer has scanned it and signed it off.
    page.goto(f"{app_url}/transcript")
    _settled(page)
    waiting = page.get_by_text("No transcript can be read yet: 1 transcript is waiting for ethics review.")
    expect(waiting).to_be_visible()
    page.get_by_role("link", name="Go to the Anonymisation page").click()
    _settled(page)
    expect(page.get_by_role("heading", name="Anonymisation")).to_be_visible()
    page.locator(".st-key-anonymise_scan button").click()
    _settled(page)
    expect(page.get_by_text("Scanned 1 transcript: 0 candidates to decide")).to_be_visible(timeout=60_000)
    # A rerun keeps the previous (disabled) button on screen until it finishes: click the live one.
    page.locator(".st-key-signoff_button button:enabled").click()
    _settled(page)
    signed = page.get_by_text("Signed off Case Worker 5 (libreoffice_bold_labels.docx) as browser-tester")
    expect(signed).to_be_visible()

    page.goto(f"{app_url}/transcript")
    _settled(page)
    expect(page.get_by_role("heading", name="Case Worker 5")).to_be_visible()
    messages = page.locator("[data-testid='stChatMessage']")
    expect(messages).to_have_count(4)
    expect(messages.nth(1)).to_contain_text("Case Worker 5")
    expect(messages.nth(1)).to_contain_text("d1.t2")
    expect(messages.nth(1)).to_contain_text("The indicative budget for my first lady came out at £182.50 a week")
    expect(messages.nth(0)).to_contain_text("Right, we’re recording.")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "transcript_page.png"), full_page=True)


def test_a_bad_upload_shows_one_plain_error(page: Page, app_url: str) -> None:
    page.goto(app_url)
    _settled(page)
    page.locator(".st-key-upload_files input[type='file']").set_input_files(
        {"name": "cw4.docx", "mimeType": "application/octet-stream", "buffer": b"\x89PNG\r\n\x1a\n" + bytes(64)}
    )
    _settled(page)
    page.locator(".st-key-import_button button").click()
    _settled(page)
    alert = page.locator("[data-testid='stAlertContentError']")
    expect(alert).to_have_text("cw4.docx: is not a Word document (it looks like a PNG image, not a transcript)")
    expect(page.locator("text=Traceback")).to_have_count(0)


def test_review_cw03_sign_it_off_and_read_it_without_the_originals(page: Page, sample_url: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{sample_url}/anonymise")
    _settled(page)
    expect(page.get_by_role("heading", name="Anonymisation")).to_be_visible()
    page.locator(".st-key-anonymise_document").get_by_role("combobox").click()
    page.get_by_role("option").filter(has_text=re.compile(r"^Case Worker 3 · cw03\.docx$")).click()
    _settled(page)
    card = page.locator(".st-key-candidate_card")
    expect(card).to_contain_text("Candidate 1 of 3 to decide")
    expect(card).to_contain_text("lives on her own in a little terrace at 14 Meadow Lane. She's got good days")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "anonymise_page.png"), full_page=True)

    # Keyboard speed: A accepts, X rejects (the focus must be out of the transcript chooser first).
    page.keyboard.press("Escape")
    page.get_by_role("heading", name="Anonymisation").click()
    page.keyboard.press("a")
    _settled(page)
    expect(card).to_contain_text("Candidate 1 of 2 to decide")
    expect(card).to_contain_text("And something else slips. Reviews slip.")
    page.keyboard.press("x")
    _settled(page)
    expect(card).to_contain_text("Her daughter, Denise, rang me")
    expect(page.locator(".st-key-candidate_placeholder input")).to_have_value("{family member 1}")
    page.locator(".st-key-candidate_accept").get_by_role("button", name="Accept").click()
    _settled(page)
    expect(page.get_by_text("Every candidate in cw03.docx is decided (2 accepted, 1 rejected)")).to_be_visible()
    # A rerun keeps the previous (disabled) button on screen until it finishes: click the live one.
    page.locator(".st-key-signoff_button button:enabled").click()
    _settled(page)
    expect(page.get_by_text("Signed off Case Worker 3 (cw03.docx) as browser-tester")).to_be_visible()

    page.get_by_role("tab", name="Ethics report").click()
    with page.expect_download() as download:
        page.locator(".st-key-report_md button").click()
    report = Path(download.value.path()).read_text(encoding="utf-8")
    assert "| 3 | Case Worker 3 | cw03.docx | signed off | 3 | 2 | 1 | 0 |" in report
    assert "Denise" not in report and "Meadow Lane" not in report

    page.goto(f"{sample_url}/transcript?participant=3")
    _settled(page)
    expect(page.get_by_role("heading", name="Case Worker 3")).to_be_visible()
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("Her daughter, {family member 1}, rang me")
    expect(main).to_contain_text("lives on her own in a little terrace at {address}.")
    expect(page.locator("body")).not_to_contain_text("Denise")
    expect(page.locator("body")).not_to_contain_text("Meadow Lane")
    page.screenshot(path=str(SCREENSHOTS / "transcript_cw03.png"), full_page=True)
