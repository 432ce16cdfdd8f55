"""Team mode in AppTest: sign-in first, each role's pages only (by menu and by URL), originals for reviewers only,
the signed-in member in the audit log, and the admins' Team page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO
from workbench.project import Project
from workbench.team import ADMIN, CODER, PAGES, REVIEWER, WRITER, Team, pages_for
from workbench.ui import navigation

APP = str(REPO / "streamlit_app.py")
PASSWORD = "correct horse"
MEMBERS = {"Ada": [ADMIN], "Cora": [CODER], "Rhea": [REVIEWER], "Wes": [WRITER]}
FILES = {"project": "project_page.py", "team": "team_page.py", "anonymise": "anonymise_page.py",
         "transcript": "transcript_page.py", "codebook": "codebook_page.py", "coding": "coding_page.py",
         "quotes": "quotes_page.py", "explore": "explore_page.py", "analysis": "analysis_page.py",
         "reliability": "reliability_page.py", "reports": "reports_page.py"}  # fmt: skip
# The identifiers left in three sample transcripts that no reviewer has signed off yet (transcripts_sample/README.md).
PLANTED = ["Denise", "14 Meadow Lane", "07700 900461", "Brightwater Homecare", "999 000 0018", "Okafor", "AB1 2CD"]


@pytest.fixture
def study(sample_copy: Path) -> Path:
    """The sample study (cw03, cw09 and cw13 still hold identifiers, unreviewed) with a team of four."""
    with Team.open(sample_copy, actor="setup") as team:
        for name, roles in MEMBERS.items():
            team.add(name, roles, PASSWORD)
    return sample_copy


@pytest.fixture
def app(study: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("WORKBENCH_TEAM", "1")
    monkeypatch.setenv("WORKBENCH_PROJECT", str(study))
    monkeypatch.setenv("WORKBENCH_USER", "not-the-member")
    yield AppTest.from_file(APP, default_timeout=90)


def _shown(at: AppTest) -> str:
    """Everything the page sends to the browser (text, tables, options, inputs), to prove what is never shown."""
    return "\n".join(str(node.proto) for node in [*at.main, *at.sidebar] if node.proto is not None)


def _sign_in(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    at.run()
    at.text_input(key="team_name").input(name)
    at.text_input(key="team_password").input(password)
    at.button(key="team_sign_in").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _go(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"workbench/ui/{FILES[page]}").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _offered() -> list[str]:
    return [path for path, page in navigation._PAGES.items() if page.visibility == "visible"]


def test_nothing_of_the_project_shows_before_sign_in(app: AppTest, study: Path) -> None:
    app.run()
    assert [title.value for title in app.title] == ["Sign in"]
    assert _offered() == []  # no menu
    for page in ("anonymise", "transcript", "team"):  # nor by URL
        _go(app, page)
        assert [title.value for title in app.title] == ["Sign in"]
        shown = _shown(app)
        assert study.name not in shown and "Case Worker" not in shown
        assert not [word for word in PLANTED if word in shown]


def test_a_wrong_password_is_refused_with_one_plain_message(app: AppTest) -> None:
    _sign_in(app, "Cora", "not the password")
    assert [error.value for error in app.error] == ["The name or the password is wrong; check both and try again."]
    assert [title.value for title in app.title] == ["Sign in"]
    _sign_in(app, "Nobody", PASSWORD)
    assert [error.value for error in app.error] == ["The name or the password is wrong; check both and try again."]


def test_a_coder_gets_the_coder_pages_and_never_the_originals(app: AppTest) -> None:
    _sign_in(app, "Cora")
    assert app.session_state["_team_current_page"] == "transcript"  # the coder's first page
    assert _offered() == pages_for([CODER])
    assert "Signed in as **Cora**" in app.sidebar.markdown[0].value
    assert not [box for box in app.text_input if box.key == "actor"]  # no free-text name for the audit log
    for page in PAGES:
        _go(app, page)
        shown = _shown(app)
        assert not [word for word in PLANTED if word in shown], page
        refusals = [error.value for error in app.error if "ask a team admin" in error.value]
        assert bool(refusals) == (page not in pages_for([CODER])), page
    _go(app, "anonymise")
    assert [error.value for error in app.error] == [
        "The Anonymisation page is open to reviewers only, and you are signed in as coder; ask a team admin if you "
        "need it."
    ]
    assert not [key for key in ("anonymise_document", "anonymise_scan") if key in app.session_state]


def test_a_reviewer_sees_the_originals_on_the_anonymisation_page(app: AppTest) -> None:
    _sign_in(app, "Rhea")
    assert [title.value for title in app.title] == ["Anonymisation"]
    assert _offered() == ["anonymise", "transcript", "explore"]
    assert [word for word in PLANTED if word in _shown(app)]
    signoff = [box for box in app.text_input if box.key == "signoff_reviewer"]
    assert all(box.value == "Rhea" and box.disabled for box in signoff)  # signs off in their own name only
    _go(app, "coding")
    assert "open to coders only" in app.error[0].value


def test_the_audit_log_records_the_signed_in_member(app: AppTest, study: Path) -> None:
    _sign_in(app, "Ada")
    assert [title.value for title in app.title] == [f"Project: {study.name}"]
    app.text_input(key="citation_label").input("Worker {n}").run()
    app.button(key="citation_save").click().run()
    with Project.open(study, actor="reader") as project:
        entry = next(entry for entry in project.audit_log() if entry.action != "migrate")
    assert (entry.actor, entry.action) == ("Ada", "set citation label")


def test_signing_out_forgets_the_session(app: AppTest) -> None:
    _sign_in(app, "Wes")
    assert _offered() == pages_for([WRITER])
    _go(app, "quotes")
    app.button(key="team_sign_out").click().run()
    assert [title.value for title in app.title] == ["Sign in"]
    assert "team_member" not in app.session_state
    _go(app, "quotes")
    assert [title.value for title in app.title] == ["Sign in"]


def test_a_removed_member_is_signed_out_and_a_new_role_applies_at_once(app: AppTest, study: Path) -> None:
    _sign_in(app, "Cora")
    with Team.open(study, actor="Ada") as team:
        team.set_roles("Cora", [REVIEWER])
    _go(app, "anonymise")
    assert [title.value for title in app.title] == ["Anonymisation"] and not app.error
    with Team.open(study, actor="Ada") as team:
        team.remove("Cora")
    _go(app, "transcript")
    assert [title.value for title in app.title] == ["Sign in"]


def test_an_admin_manages_the_team_on_the_team_page(app: AppTest, study: Path) -> None:
    _sign_in(app, "Ada")
    _go(app, "team")
    assert [title.value for title in app.title] == ["Team"]
    app.text_input(key="team_add_name").input("Nia")
    app.multiselect(key="team_add_roles").set_value([CODER, WRITER])
    app.text_input(key="team_add_password").input("a long password")
    app.text_input(key="team_add_repeat").input("a long password")
    app.button(key="team_add").click().run()
    assert [message.value for message in app.success] == ["Added Nia as coder, writer."]
    app.selectbox(key="team_edit_member").select("Ada").run()
    app.multiselect(key="team_edit_roles").set_value([CODER]).run()
    app.button(key="team_save_roles").click().run()
    assert [error.value for error in app.error] == ["Ada is the team's last admin; make someone else an admin first"]
    app.selectbox(key="team_edit_member").select("Cora").run()
    app.checkbox(key="team_remove_sure").check().run()
    app.button(key="team_remove").click().run()
    with Team.open(study, actor="reader") as team:
        assert [(m.name, m.roles) for m in team.members()] == [
            ("Ada", (ADMIN,)), ("Nia", (CODER, WRITER)), ("Rhea", (REVIEWER,)), ("Wes", (WRITER,))
        ]  # fmt: skip
        assert [row["actor"] for row in team.audit()[:2]] == ["Ada", "Ada"]


def test_single_user_mode_has_no_sign_in_and_no_team_page(sample_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKBENCH_TEAM", raising=False)
    monkeypatch.setenv("WORKBENCH_PROJECT", str(sample_copy))
    monkeypatch.setenv("WORKBENCH_USER", "solo")
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert [title.value for title in at.title] == [f"Project: {sample_copy.name}"]
    assert at.text_input(key="actor").value == "solo"
    assert "team" not in navigation._PAGES and _offered()[0] == "project"


def test_a_coder_codes_in_their_own_name_and_is_never_linked_to_a_page_they_may_not_open(app: AppTest) -> None:
    _go(_sign_in(app, "Cora"), "coding")
    [coder] = [box for box in app.text_input if box.label == "Coder"]
    assert coder.value == "Cora" and coder.disabled
    assert not [box for box in app.selectbox if box.label == "Coder"]  # no choosing another coder's name
    shown = _shown(app)
    assert "for ethics review and cannot be coded yet" in shown  # told that three transcripts wait...
    assert "Review them on the Anonymisation page" not in shown  # ...but not linked to a page that refuses them
