"""Security in Debian's Chromium: text from transcripts, file names, speaker labels, codebooks and memos that carries
HTML, script or Markdown shows as the characters it is on every page, never as markup that runs or formats; and the
app's own launcher serves on 127.0.0.1 only."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import FilePayload, Page, expect

from tests.conftest import REPO, sign_off_everything, write
from tests.test_browser import SCREENSHOTS, _free_port, _serve, _settled, browser_type_launch_args
from workbench import launch
from workbench.coding import Span
from workbench.errors import WorkbenchError
from workbench.project import Project, Source

pytestmark = pytest.mark.browser
__all__ = ["browser_type_launch_args"]  # the fixture that launches Debian's Chromium, shared with test_browser.py

# Document 1 (Case Worker 7), signed off and coded: hostile speech, speaker labels and file name.
SPEECH = (
    '<script>window.__pwned=1</script> Tell me <b>more</b> [a link](javascript:alert(1)) '
    '<img src=x onerror="window.__pwned=2">'
)  # fmt: skip
ANSWER = 'I said {service user} <iframe src="https://example.invalid"></iframe> **bold** $x$ :red[red]'
LATER = "The paperwork was <u>endless</u> and # not a heading."
INTERVIEWER = "Interviewer (<i>Jo</i> `iv`)"
SPEAKER = "CW7 (<b>Sam</b> ~~gone~~ $k$)"
INTERVIEW = f"{INTERVIEWER}: {SPEECH}\n{SPEAKER}: {ANSWER}\nInterviewer: And the paperwork?\n{SPEAKER}: {LATER}\n"
FILE = 'cw07 <img src=x onerror="window.__pwned=3"> **f**.txt'  # a file name cannot hold the "/" of a closing tag
# Document 2 (Case Worker 8): scanned and still in review, so that its candidates are on the Anonymisation page.
IN_REVIEW = "My <b>manager</b> Denise Walsh rang **me** <script>window.__pwned=4</script> about the paperwork."
REVIEW_FILE = 'cw08 <b>review<b> **x** <img src=x onerror="window.__pwned=9">.txt'
# Uploaded through the Project page: document 3 (Case Worker 9, its name at odds with its labels, never scanned), a file
# that is not a Word document, and a copy of document 1. Chromium sends a '"' in an uploaded file's name as %22.
UPLOAD = "Interviewer: Anything else?\nCW9: Only <em>this</em> __under__ <script>window.__pwned=10</script>\n"
UPLOAD_FILE = "cw10 <img src=x onerror=window.__pwned=11> **g**.txt"
BAD_FILE = "cw11 <i>bad<i> **h** [l](javascript:alert(5)).docx"
COPY_FILE = "cw07 copy <b>c<b> ~~s~~ `t`.txt"  # document 1's text again: skipped
CODEBOOK_NAME = "Book <b>one</b> **two** <script>window.__pwned=5</script>"
THEME = "Theme <i>it</i> ~~struck~~"
THEME_DEFINITION = 'A theme <img src=x onerror="window.__pwned=6"> [link](javascript:alert(2))'
CODE = "<script>window.__pwned=7</script> Code **bold**"
CODE_DEFINITION = "Said <b>aloud</b> [click](javascript:alert(3)) $y$ :red[red]"
CODEBOOK = f"""\
id: hostile
name: {CODEBOOK_NAME!r}
themes:
  - id: h.theme
    name: {THEME!r}
    definition: {THEME_DEFINITION!r}
    colour: "#4C78A8"
    codes:
      - id: h.code
        name: {CODE!r}
        definition: {CODE_DEFINITION!r}
        keywords: [paperwork]
"""
MEMO = "Follow up <script>window.__pwned=8</script> <b>soon</b> **now** [m](javascript:alert(4))"
CODE_MEMO = "So far <iframe src='https://example.invalid'></iframe> <i>mixed</i> ~~views~~"

# What no page may hold: the file's script run, its elements built, or its tags and links turned into markup.
_INJECTED = """() => ({
    pwned: typeof window.__pwned,
    scripts: [...document.querySelectorAll("script")].filter(s => s.textContent.includes("__pwned")).length,
    iframes: document.querySelectorAll("iframe[src*='example.invalid']").length,
    images: document.querySelectorAll("img[src='x'], img[onerror]").length,
    links: document.querySelectorAll("a[href^='javascript:' i]").length,
    tags: document.querySelectorAll(
        ":is([data-testid='stMain'], [data-testid='stSidebar'], [role='dialog']) :is(b, i, u, em, del)"
    ).length,
})"""
_NOTHING = {"pwned": "undefined", "scripts": 0, "iframes": 0, "images": 0, "links": 0, "tags": 0}


def build_hostile_study(folder: Path) -> Path:
    """A project whose transcripts, file names, speaker labels, codebook and memos all carry HTML, script and
    Markdown: document 1 signed off and coded by two coders (with a memo and a suggestion), document 2 in review."""
    with Project.init(folder, actor="builder") as project:
        project.import_files([Source(Path(FILE), INTERVIEW.encode())])
        project.codebooks.load(write(folder.parent, "hostile.yaml", CODEBOOK))
    sign_off_everything(folder)
    with Project.open(folder, actor="builder") as project:
        alice = project.coding.as_coder("alice")
        coded = alice.apply(Span(1, "d1.t2.s1"), "h.code")
        alice.add_memo("coding", coded.id, MEMO, kind="future consideration")
        alice.add_memo("code", "h.code", CODE_MEMO)
        assert project.suggestions.as_coder("alice").run([1]).added == 1  # "paperwork" in d1.t4.s1
        project.coding.as_coder("bob").apply(Span(1, "d1.t4.s1"), "h.code")  # the coders disagree on both
        project.import_files([Source(Path(REVIEW_FILE), f"Interviewer: Who rang?\nCW8: {IN_REVIEW}\n".encode())])
        assert project.review.scan()[2] > 0
    return folder


@pytest.fixture
def hostile_url(tmp_path: Path) -> Iterator[str]:
    with _serve(build_hostile_study(tmp_path / "study")) as url:
        yield url


def _visit(page: Page, url: str) -> None:
    page.goto(url)
    _settled(page)


def _safe(page: Page, dialogs: list[str], where: str) -> None:
    """Nothing from the files ran or became an element on the page as it is now."""
    page.wait_for_timeout(300)  # an onerror handler would have fired by now
    assert dialogs == [], f"{where}: a dialog opened: {dialogs}"
    assert page.evaluate(_INJECTED) == _NOTHING, f"{where}: markup from the files is on the page"
    expect(page.locator("text=Traceback")).to_have_count(0)


def _choose(page: Page, key: str, option: str) -> None:
    page.locator(f".st-key-{key}").get_by_role("combobox").click()
    page.get_by_role("option").filter(has_text=option).click()
    _settled(page)


def test_hostile_text_shows_as_text_on_every_page(page: Page, hostile_url: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    main = page.locator("[data-testid='stMain']")

    # Project: a hostile file uploaded through the page is named literally in the import's message.
    _visit(page, hostile_url)
    uploads: list[FilePayload] = [
        {"name": UPLOAD_FILE, "mimeType": "text/plain", "buffer": UPLOAD.encode()},
        {"name": BAD_FILE, "mimeType": "application/octet-stream", "buffer": b"\x89PNG\r\n\x1a\n" + bytes(64)},
        {"name": COPY_FILE, "mimeType": "text/plain", "buffer": INTERVIEW.encode()},
    ]
    page.locator(".st-key-upload_files input[type='file']").set_input_files(uploads)
    _settled(page)
    page.locator(".st-key-import_button button").click()
    _settled(page)
    expect(page.locator("[data-testid='stAlertContentSuccess']")).to_have_text(
        f"Imported 1 of 3 files: {UPLOAD_FILE} (Case Worker 9, 2 turns)", timeout=60_000
    )
    expect(page.locator("[data-testid='stAlertContentInfo']")).to_have_text(
        f"{COPY_FILE}: already in the project as document 1 ({FILE}); skipped"
    )
    expect(page.locator("[data-testid='stAlertContentWarning']")).to_have_text(
        f"{UPLOAD_FILE}: the transcript names participant 9 but the file name suggests 10"
    )
    expect(page.locator("[data-testid='stAlertContentError']")).to_have_text(
        f"{BAD_FILE}: is not a Word document (it looks like a PNG image, not a transcript)"
    )
    _safe(page, dialogs, "Project")

    # Anonymisation: the candidate card and the list show the words around a name as they are written.
    _visit(page, f"{hostile_url}/anonymise")
    card = page.locator(".st-key-candidate_card")
    expect(card).to_contain_text(IN_REVIEW)
    expect(page.locator(".st-key-pending_list")).to_contain_text("My <b>manager</b> Denise Walsh rang **me**")
    expect(main).to_contain_text(f"still in review: {REVIEW_FILE} (")
    expect(main).to_contain_text(f"{UPLOAD_FILE} (0)")
    expect(main).to_contain_text(f"signing off {REVIEW_FILE}.")
    _safe(page, dialogs, "Anonymisation (a candidate)")
    page.get_by_text("Decide all 2 pending candidates at once").click()
    page.locator(".st-key-reject_all_confirm").get_by_text("Yes, reject all 2").click()
    _settled(page)
    page.locator(".st-key-reject_all button").click()
    _settled(page)
    expect(main).to_contain_text(f"Rejected all 2 pending candidates in {REVIEW_FILE}")
    expect(main).to_contain_text(f"Every candidate in {REVIEW_FILE} is decided (0 accepted, 2 rejected)")
    _safe(page, dialogs, "Anonymisation (every candidate decided)")
    _choose(page, "anonymise_document", "Case Worker 9")
    expect(main).to_contain_text(f"{UPLOAD_FILE} has not been scanned yet")
    page.get_by_text("Preview: the transcript as coders will read it").click()
    expect(page.locator(".st-key-preview_text")).to_contain_text("Only <em>this</em> __under__ <script>")
    _safe(page, dialogs, "Anonymisation (not scanned)")
    _choose(page, "anonymise_document", "Case Worker 7")
    expect(main).to_contain_text(f"{FILE} is signed off by Test Reviewer")
    _safe(page, dialogs, "Anonymisation (signed off)")

    # Transcript: speaker labels, speech and the file name.
    _visit(page, f"{hostile_url}/transcript")
    expect(main).to_contain_text(f"File: {FILE} · document 1")
    for text in (INTERVIEWER, SPEAKER, f"d1.t1.s1 {SPEECH}", f"d1.t2.s1 {ANSWER}", LATER):
        expect(main).to_contain_text(text)
    _safe(page, dialogs, "Transcript")

    # Codebook: the codebook's name, the tree, a code's definition and the memo on it.
    _visit(page, f"{hostile_url}/codebook")
    expect(main.get_by_role("heading", name=CODEBOOK_NAME, exact=True)).to_be_visible()
    expect(main.locator(".wb-tree")).to_contain_text(f"{THEME} h.theme")
    expect(main.locator(".wb-tree")).to_contain_text(f"{CODE} h.code")
    expect(main).to_contain_text(THEME_DEFINITION)
    _choose(page, "codebook_code", "[h.code]")
    expect(main).to_contain_text(CODE_DEFINITION)
    page.get_by_role("tab", name="Memos").click()
    page.locator(".st-key-code_memos button").click()
    _settled(page)
    dialog = page.get_by_role("dialog", name="Memo")
    expect(dialog).to_contain_text(f"On {CODE}, as browser-tester")
    expect(dialog).to_contain_text(CODE_MEMO)
    _safe(page, dialogs, "Codebook")

    # Coding: the turns, the chips of both coders and the suggestion.
    _visit(page, f"{hostile_url}/coding")
    expect(page.locator(".st-key-turn_d1-t1")).to_contain_text(f"{INTERVIEWER} · interviewer · d1.t1")
    expect(page.locator(".st-key-turn_d1-t1")).to_contain_text(SPEECH)
    expect(page.locator(".st-key-turn_d1-t2")).to_contain_text(SPEAKER)
    expect(page.locator(".st-key-turn_d1-t2")).to_contain_text(ANSWER)
    expect(page.locator(".st-key-turn_d1-t2 .wb-chip")).to_have_text(f"{CODE} · alice · turn · ✎1")
    expect(page.locator(".st-key-turn_d1-t4")).to_contain_text(LATER)
    expect(page.locator(".st-key-suggestion_1")).to_contain_text(f"Suggested: {CODE} · “paperwork”")
    _safe(page, dialogs, "Coding")

    # Quotes: the quotes, their code and, shown, the turns around them.
    _visit(page, f"{hostile_url}/quotes")
    first = page.locator(".st-key-quote_1")
    expect(first.locator("[data-testid='stCode'] code")).to_have_text(f"“{ANSWER}” (Case Worker 7)")
    expect(first).to_contain_text(f"{THEME} > {CODE} · coded by alice")
    first.get_by_text("Show context").click()
    _settled(page)
    for text in (INTERVIEWER, SPEECH, SPEAKER, ANSWER, "And the paperwork?"):
        expect(first).to_contain_text(text)
    _safe(page, dialogs, "Quotes")

    # Explore: a word of the hostile sentence, in the keyword-in-context table and as whole sentences.
    _visit(page, f"{hostile_url}/explore")
    page.locator(".st-key-explore_query input").fill("said")
    page.locator(".st-key-explore_query input").press("Enter")
    _settled(page)
    expect(main).to_contain_text("1 sentence from 1 case worker")
    expect(main.locator("[data-testid='stDataFrame']")).to_be_visible()
    _safe(page, dialogs, "Explore (keyword in context)")
    page.locator(".st-key-explore_kwic").get_by_text("Keyword in context").click()
    _settled(page)
    expect(main).to_contain_text(f"{ANSWER} (Case Worker 7) · d1.t2.s1")
    _safe(page, dialogs, "Explore (sentences)")

    # Analysis: the code's name in the charts.
    _visit(page, f"{hostile_url}/analysis")
    expect(main.locator("[data-testid='stVegaLiteChart']").first).to_contain_text(CODE)
    _safe(page, dialogs, "Analysis")

    # Reliability: the sentences the coders disagree on, with the code.
    _visit(page, f"{hostile_url}/reliability")
    expect(page.locator(".st-key-disagreement_0")).to_contain_text(f"Case Worker 7 · d1.t2.s1 · {CODE} (h.code)")
    expect(page.locator(".st-key-disagreement_0")).to_contain_text(f"“{ANSWER}”")
    expect(page.locator(".st-key-disagreement_1")).to_contain_text(f"“{LATER}”")
    _safe(page, dialogs, "Reliability")

    # Reports: the findings draft's preview (theme, code, definitions, quotes and the memo).
    _visit(page, f"{hostile_url}/reports")
    page.locator(".st-key-report_preview button").click()
    _settled(page)
    preview = page.locator(".st-key-report_preview_box")
    expect(preview.get_by_role("heading", name=THEME, exact=True)).to_be_visible()
    expect(preview.get_by_role("heading", name=CODE, exact=True)).to_be_visible()
    for text in (THEME_DEFINITION, f"“{ANSWER}” (Case Worker 7)", f"“{LATER}” (Case Worker 7)", MEMO):
        expect(preview).to_contain_text(text)
    _safe(page, dialogs, "Reports")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "security_reports.png"), full_page=True)


def test_the_launcher_serves_on_loopback_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`workbench app` and `make run` start Streamlit bound to 127.0.0.1 (checked without starting a server)."""
    started: list[list[str]] = []

    class _Exited:
        """A server that records its command line and has already stopped, so the launcher gives up at once."""

        def __init__(self, command: list[str], **options: object) -> None:
            started.append(command)

        def poll(self) -> int:
            return 1

    monkeypatch.setattr(launch, "subprocess", SimpleNamespace(Popen=_Exited))
    with pytest.raises(WorkbenchError, match="did not start"):
        launch.serve_app(tmp_path, _free_port())
    [command] = started
    assert command[command.index("--server.address") + 1] == "127.0.0.1" == launch.HOST
    assert [part for part in command if "server.address" in part] == ["--server.address"]
    assert "0.0.0.0" not in " ".join(command)
    # `streamlit run` from the repository root (the launcher's cwd) reads this file too.
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
