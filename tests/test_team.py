"""Team accounts: password hashing, sign-in and its slow-down, roles and pages, the CLI, `app --team`, backups."""

from __future__ import annotations

import json
import sqlite3
import stat
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner, Result

from tests.conftest import run_cli
from workbench import launch
from workbench.backup import MANIFEST, backup_project, restore_project
from workbench.cli import cli
from workbench.errors import WorkbenchError
from workbench.project import Project
from workbench.team import (
    ADMIN,
    CODER,
    MANAGE_TEAM,
    ORIGINALS,
    PAGES,
    REVIEWER,
    ROLE_PAGES,
    ROLES,
    TEAM_FILE,
    WRITER,
    WRONG,
    SignInFailed,
    Team,
    TeamError,
    check_password,
    hash_password,
    pages_for,
)

PASSWORD = "correct horse"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A new project with no team yet."""
    path = tmp_path / "study"
    Project.init(path, actor="tester").close()
    return path


@pytest.fixture
def team(folder: Path) -> Team:
    """The project's team: Ada (admin), Cora (coder), Rhea (reviewer)."""
    opened = Team.open(folder, actor="tester")
    opened.add("Ada", [ADMIN], PASSWORD)
    opened.add("Cora", [CODER], PASSWORD)
    opened.add("Rhea", [REVIEWER], PASSWORD)
    yield opened
    opened.close()


def _cli(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--user", "tester", *args], input=stdin, catch_exceptions=False)


def _dump(folder: Path) -> list[str]:
    connection = sqlite3.connect(folder / TEAM_FILE)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


# --- hashing ----------------------------------------------------------------------------------------------------


def test_a_password_hash_is_salted_scrypt_and_checks_only_the_right_password() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("scrypt$16384$8$1$") and first != second  # a new salt each time
    assert PASSWORD not in first
    assert check_password(PASSWORD, first) and check_password(PASSWORD, second)
    assert not check_password("correct horse ", first)
    assert not check_password("", first)


@pytest.mark.parametrize("stored", ["", "plain", "md5$1$2$3$00$00", "scrypt$x$8$1$00$00", "scrypt$16384$8$1$zz$00"])
def test_a_malformed_hash_never_matches(stored: str) -> None:
    assert not check_password(PASSWORD, stored)


def test_the_team_file_is_apart_from_the_project_and_for_its_owner_only(folder: Path, team: Team) -> None:
    path = folder / TEAM_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    tables = {row[0] for row in sqlite3.connect(folder / "project.db").execute("SELECT name FROM sqlite_master")}
    assert "members" not in tables
    stored = [row[0] for row in sqlite3.connect(path).execute("SELECT password FROM members")]
    assert len(stored) == 3 and all(value.startswith("scrypt$") for value in stored)


# --- signing in ---------------------------------------------------------------------------------------------------


def test_sign_in_returns_the_member_with_their_roles(team: Team) -> None:
    member = team.sign_in("  cora ", PASSWORD)  # names are matched without regard to case or spacing
    assert (member.name, member.roles) == ("Cora", (CODER,))
    actions = [(row["actor"], row["action"]) for row in team.audit()]
    assert actions[0] == ("Cora", "sign in")


@pytest.mark.parametrize(("name", "password"), [("Cora", "wrong password"), ("Nobody", PASSWORD), ("Cora", "")])
def test_a_wrong_name_or_password_fails_with_one_plain_message(team: Team, name: str, password: str) -> None:
    with pytest.raises(SignInFailed) as failure:
        team.sign_in(name, password)
    assert str(failure.value) in (WRONG, "enter your name and your password")


def test_repeated_failures_slow_down_the_next_sign_in(team: Team) -> None:
    now = [1000.0]
    team.clock = lambda: now[0]
    for _ in range(3):
        with pytest.raises(SignInFailed, match="wrong"):
            team.sign_in("Cora", "guess-guess")
    # The fourth try waits, even with the right password: a guesser gets nothing out of trying faster.
    with pytest.raises(SignInFailed) as failure:
        team.sign_in("Cora", PASSWORD)
    assert str(failure.value) == (
        "too many wrong passwords for Cora: wait 5 seconds and try again, or ask an admin to reset your password"
    )
    now[0] += 5
    with pytest.raises(SignInFailed, match="wrong"):
        team.sign_in("Cora", "guess-guess")
    assert team.wait_before_sign_in("Cora") == 10  # doubled
    now[0] += 10
    assert team.sign_in("Cora", PASSWORD).name == "Cora"
    assert team.wait_before_sign_in("Cora") == 0  # a sign-in clears the count
    # Unknown names are slowed down alike, so that the slow-down does not tell who is a member.
    for _ in range(3):
        with pytest.raises(SignInFailed):
            team.sign_in("Mallory", "guess-guess")
    assert team.wait_before_sign_in("Mallory") == 5


def test_overlong_tries_fail_alike_and_old_failures_are_forgotten(team: Team) -> None:
    for name, password in (("x" * 61, PASSWORD), ("Cora", "p" * 1025)):
        with pytest.raises(SignInFailed, match="the name or the password is wrong"):
            team.sign_in(name, password)
    now = [1000.0]
    team.clock = lambda: now[0]
    for guess in ("Eve", "Mallory"):
        with pytest.raises(SignInFailed):
            team.sign_in(guess, "guess-guess")
    now[0] += 25 * 3600
    with pytest.raises(SignInFailed):
        team.sign_in("Trent", "guess-guess")
    assert sqlite3.connect(team.folder / TEAM_FILE).execute("SELECT name FROM sign_in_failures").fetchall() == [
        ("Trent",)
    ]


def test_a_password_reset_clears_the_slow_down(team: Team) -> None:
    for _ in range(4):
        with pytest.raises(SignInFailed):
            team.sign_in("Cora", "guess-guess")
    team.set_password("Cora", "a new password")
    assert team.sign_in("Cora", "a new password").name == "Cora"


# --- roles and pages --------------------------------------------------------------------------------------------


def test_only_reviewers_see_originals_and_open_the_anonymisation_page() -> None:
    assert set(ROLE_PAGES) == set(ROLES)
    assert all(pages <= set(PAGES) for pages in ROLE_PAGES.values())
    assert [role for role in ROLES if "anonymise" in ROLE_PAGES[role]] == [REVIEWER]
    assert pages_for([CODER]) == ["transcript", "codebook", "coding", "quotes", "explore", "analysis", "reliability"]
    assert pages_for([WRITER]) == ["transcript", "quotes", "explore", "analysis", "reports"]
    assert pages_for([REVIEWER]) == ["anonymise", "transcript", "explore"]
    assert pages_for([ADMIN]) == ["project", "team", "codebook"]


def test_a_member_with_several_roles_may_do_what_any_of_them_may(team: Team) -> None:
    admin = team.require("Ada")
    assert admin.can(MANAGE_TEAM) and not admin.can(ORIGINALS) and not admin.may("anonymise")
    both = team.set_roles("Ada", [ADMIN, REVIEWER])
    assert both.roles == (REVIEWER, ADMIN) and both.can(ORIGINALS) and both.may("anonymise") and both.may("team")
    assert both.pages == ["project", "team", "anonymise", "transcript", "codebook", "explore"]


def test_the_first_member_must_be_an_admin_and_the_last_admin_stays(folder: Path) -> None:
    with Team.open(folder, actor="tester") as team:
        with pytest.raises(TeamError, match="the first member of a team must be an admin"):
            team.add("Cora", [CODER], PASSWORD)
        assert not (folder / TEAM_FILE).exists()  # nothing written
        team.add("Ada", ["admin"], PASSWORD)
        with pytest.raises(TeamError, match="last admin"):
            team.remove("ada")
        with pytest.raises(TeamError, match="last admin"):
            team.set_roles("Ada", [CODER])
        team.add("Bea", ["admin,coder"], PASSWORD)
        team.remove("Ada")
        assert [(m.name, m.roles) for m in team.members()] == [("Bea", (CODER, ADMIN))]


def test_every_team_change_is_in_the_team_audit_log(team: Team) -> None:
    team.set_roles("Cora", [CODER, WRITER])
    team.set_password("Cora", "another password")
    team.remove("Rhea")
    actions = [(row["actor"], row["action"], json.loads(row["payload"]).get("name")) for row in team.audit()][:3]
    assert actions == [
        ("tester", "remove member", "Rhea"),
        ("tester", "change password", "Cora"),
        ("tester", "change roles", "Cora"),
    ]


# --- the CLI ------------------------------------------------------------------------------------------------------


def test_team_commands_add_list_change_and_remove(folder: Path) -> None:
    added = _cli("team", "add", str(folder), "Ada", "--role", "admin", "--role", "reviewer", "--password-stdin",
                 stdin=f"{PASSWORD}\n")  # fmt: skip
    assert (added.exit_code, added.stdout) == (0, f"Added Ada to the team of {folder} as reviewer, admin\n")
    prompted = _cli("team", "add", str(folder), "Cora", "--role", "coder", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert prompted.exit_code == 0, prompted.stderr
    assert PASSWORD not in prompted.stdout  # the prompt hides what is typed
    assert _cli("team", "role", str(folder), "cora", "coder", "writer").stdout == "Cora is now coder, writer\n"
    changed = _cli("team", "password", str(folder), "Cora", "--password-stdin", stdin="a new password\n")
    assert changed.stdout == "Changed the password of Cora\n"
    listed = _cli("team", "list", str(folder)).stdout.splitlines()
    assert [line.split()[:3] for line in listed] == [["Ada", "reviewer,", "admin"], ["Cora", "coder,", "writer"]]
    assert _cli("team", "remove", str(folder), "Cora").stdout == f"Removed Cora from the team of {folder}\n"
    with Team.open(folder, actor="tester") as team:
        assert team.sign_in("Ada", PASSWORD).roles == (REVIEWER, ADMIN)
        assert team.member("Cora") is None


def test_team_list_without_a_team_says_how_to_start_one(folder: Path) -> None:
    result = _cli("team", "list", str(folder))
    assert result.stdout == (
        f"{folder} has no team yet; add an admin with `workbench team add {folder} NAME --role admin`\n"
    )


@pytest.mark.parametrize(
    ("args", "stdin", "error"),
    [
        (["add", "Bob", "--role", "scribe", "--password-stdin"], f"{PASSWORD}\n",
         "'scribe' is not a role; the roles are coder, reviewer, writer, admin"),
        (["add", "ada", "--role", "coder", "--password-stdin"], f"{PASSWORD}\n",
         "Ada is already a member of the team; change their roles instead"),
        (["add", "Bob", "--role", "coder", "--password-stdin"], "\n",
         "the password is empty; give one of at least 8 characters"),
        (["add", "Bob", "--role", "coder", "--password-stdin"], "short\n",
         "the password is 5 characters long; give one of at least 8"),
        (["add", " ", "--role", "coder", "--password-stdin"], f"{PASSWORD}\n",
         "a member needs a name (the name the audit log records)"),
        (["remove", "Ada"], None, "Ada is the team's last admin; make someone else an admin first"),
        (["remove", "Bob"], None, "Bob is not a member of the team (members: Ada)"),
        (["role", "Ada", "coder"], None, "Ada is the team's last admin; make someone else an admin first"),
        (["role", "Ada", "owner"], None, "'owner' is not a role; the roles are coder, reviewer, writer, admin"),
        (["password", "Ada", "--password-stdin"], "\n", "the password is empty; give one of at least 8 characters"),
        (["password", "Bob", "--password-stdin"], f"{PASSWORD}\n", "Bob is not a member of the team (members: Ada)"),
    ],
)  # fmt: skip
def test_bad_team_input_is_one_error_line_and_changes_nothing(
    folder: Path, args: list[str], stdin: str | None, error: str
) -> None:
    assert _cli("team", "add", str(folder), "Ada", "--role", "admin", "--password-stdin", stdin=f"{PASSWORD}\n")
    before = _dump(folder)
    result = _cli("team", args[0], str(folder), *args[1:], stdin=stdin)
    assert (result.exit_code, result.stderr) == (1, f"Error: {error}\n")
    assert _dump(folder) == before


def test_the_password_prompt_asks_again_when_the_two_differ(folder: Path) -> None:
    _cli("team", "add", str(folder), "Ada", "--role", "admin", "--password-stdin", stdin=f"{PASSWORD}\n")
    typed = f"one password\nanother one\n{PASSWORD}\n{PASSWORD}\n"
    result = _cli("team", "add", str(folder), "Bob", "--role", "coder", stdin=typed)
    assert result.exit_code == 0 and "Error: The two entered values do not match." in result.stderr + result.stdout
    with Team.open(folder, actor="tester") as team:
        assert team.sign_in("Bob", PASSWORD).roles == (CODER,)


def test_team_commands_refuse_a_folder_that_is_not_a_project(tmp_path: Path) -> None:
    result = _cli("team", "list", str(tmp_path))
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {tmp_path} is not a workbench project (it has no project.db); give the project's folder\n"
    )  # fmt: skip


# --- serving --------------------------------------------------------------------------------------------------------


def test_the_app_refuses_another_address_without_team_mode(folder: Path) -> None:
    result = run_cli("app", str(folder), "--host", "0.0.0.0")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: the app serves on 0.0.0.0 only in team mode, where everyone signs in: add --team (and an admin with "
        "`workbench team add DIR NAME --role admin`), or leave out --host to serve on 127.0.0.1\n"
    )


def test_team_mode_needs_a_project_with_an_admin(folder: Path) -> None:
    assert run_cli("app", "--team").stderr == (
        "Error: team mode serves one project: give its folder, as in `workbench app DIR --team`\n"
    )
    result = run_cli("app", str(folder), "--team", "--host", "0.0.0.0")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {folder} has no team admin yet, so nobody could manage who signs in; add one with "
        f"`workbench team add {folder} NAME --role admin`\n"
    )


@pytest.mark.parametrize(("team", "host", "address", "mode"), [(False, "127.0.0.1", "127.0.0.1", None),
                                                             (True, "0.0.0.0", "0.0.0.0", "1")])  # fmt: skip
def test_the_launcher_passes_team_mode_to_the_app_and_only_then_another_address(
    monkeypatch: pytest.MonkeyPatch, folder: Path, team: bool, host: str, address: str, mode: str | None
) -> None:
    started: list[tuple[list[str], dict[str, str]]] = []

    class _Exited:
        """A server that records how it was started and has already stopped, so the launcher gives up at once."""

        def __init__(self, command: list[str], *, env: dict[str, str], **options: object) -> None:
            started.append((command, env))

        def poll(self) -> int:
            return 1

    monkeypatch.setenv("WORKBENCH_TEAM", "1")  # inherited from the shell: single-user mode must not pick it up
    monkeypatch.setattr(launch, "subprocess", SimpleNamespace(Popen=_Exited))
    with pytest.raises(WorkbenchError, match="did not start"):
        launch.serve_app(folder, 0, team=team, host=host)
    [(command, environment)] = started
    assert command[command.index("--server.address") + 1] == address
    assert environment.get("WORKBENCH_TEAM") == mode
    assert environment["WORKBENCH_PROJECT"] == str(folder)


# --- backups ------------------------------------------------------------------------------------------------------


def test_a_backup_keeps_the_team_and_restores_it_for_its_owner_only(folder: Path, team: Team, tmp_path: Path) -> None:
    team.close()
    archive = tmp_path / "backup.zip"
    made = _cli("backup", str(folder), str(archive))
    assert made.stdout == (
        f"Backed up {folder} to {archive}: project.db, the key store, the team accounts and 0 codebook files\n"
    )
    with zipfile.ZipFile(archive) as zipped:
        manifest = json.loads(zipped.read(MANIFEST))
        assert TEAM_FILE in zipped.namelist()
    assert manifest["format_version"] == 2 and manifest["schemas"][TEAM_FILE] == 1 and TEAM_FILE in manifest["files"]
    restored = tmp_path / "restored"
    assert restore_project(archive, restored, actor="tester").has_team
    assert stat.S_IMODE((restored / TEAM_FILE).stat().st_mode) == 0o600
    with Team.open(restored, actor="tester") as again:
        assert again.sign_in("Rhea", PASSWORD).roles == (REVIEWER,)
        assert [m.name for m in again.members()] == ["Ada", "Cora", "Rhea"]


def test_a_backup_without_a_team_stays_format_1(folder: Path, tmp_path: Path) -> None:
    manifest = backup_project(folder, tmp_path / "plain.zip", actor="tester")
    assert manifest.as_json()["format_version"] == 1 and not manifest.has_team
    restore_project(tmp_path / "plain.zip", tmp_path / "restored", actor="tester")
    assert not (tmp_path / "restored" / TEAM_FILE).exists()


def test_a_damaged_team_file_in_a_backup_is_refused(folder: Path, team: Team, tmp_path: Path) -> None:
    team.close()
    archive = tmp_path / "backup.zip"
    backup_project(folder, archive, actor="tester")
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data.replace(b"Cora", b"Eve!") if item.filename == TEAM_FILE else data)
    result = _cli("restore", str(tampered), str(tmp_path / "restored"))
    assert result.stderr == (
        "Error: tampered.zip is damaged (team.db does not match its checksum); restore from another backup\n"
    )
    assert not (tmp_path / "restored").exists()
