"""Team mode: the accounts of the people who may use a project's app when it is served beyond one machine.

The accounts live in ``team.db`` in the project folder (SQLite, mode 0600), apart from project.db so that a copy of
the anonymised material never carries password hashes, and apart from the key store so that the key store stays
the identifiable material only. Each member has a name (their audit-log name), one or more roles and a password,
kept as a salted scrypt hash. What each role may open is decided here, in ``ROLE_PAGES``, and nowhere else: the app's
navigation and its page guard both ask ``Member.may``. See docs/team.md.

Team mode governs the app only. Whoever can read the project folder on the server (the CLI's users) can read
everything in it; the folder's own permissions protect it there.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import os
import re
import secrets
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from workbench.errors import WorkbenchError
from workbench.project import PROJECT_FILE
from workbench.store import AUDIT_TABLE, Migration, Store, utc_now

log = logging.getLogger(__name__)

TEAM_FILE = "team.db"

CODER, REVIEWER, WRITER, ADMIN = "coder", "reviewer", "writer", "admin"
ROLES = (CODER, REVIEWER, WRITER, ADMIN)
ROLE_DESCRIPTIONS = {
    CODER: "codes signed-off transcripts, keeps the codebook, compares coders",
    REVIEWER: "ethics reviewer: sees the key store's originals, decides candidates, signs transcripts off",
    WRITER: "pulls quotes, explores and analyses, writes the reports",
    ADMIN: "manages the project (import, settings, export) and the team; never sees originals unless also a reviewer",
}

# The app's pages by url path, in menu order. A person may hold several roles: they may open every page any of their
# roles may open. Only the reviewer role reaches "anonymise", the one page that shows the key store's originals.
PAGES = ("project", "team", "anonymise", "transcript", "codebook", "coding", "quotes", "explore", "analysis",
         "reliability", "reports")  # fmt: skip
ROLE_PAGES: dict[str, frozenset[str]] = {
    CODER: frozenset({"transcript", "codebook", "coding", "quotes", "explore", "analysis", "reliability"}),
    REVIEWER: frozenset({"anonymise", "transcript", "explore"}),
    WRITER: frozenset({"transcript", "quotes", "explore", "analysis", "reports"}),
    ADMIN: frozenset({"project", "team", "codebook"}),
}
# What a role may do beyond opening pages.
ORIGINALS = "see originals"  # the key store's identifiable originals: candidates in context, the key
MANAGE_TEAM = "manage team"  # add and remove members, change roles, reset passwords
MANAGE_PROJECT = "manage project"  # import transcripts and participants, settings, exports
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    CODER: frozenset(),
    REVIEWER: frozenset({ORIGINALS}),
    WRITER: frozenset(),
    ADMIN: frozenset({MANAGE_TEAM, MANAGE_PROJECT}),
}

MIN_PASSWORD = 8
MAX_PASSWORD = 1024
MAX_NAME = 60
# scrypt at n=2**14, r=8 uses 16 MiB and about 50 ms a hash: slow for a guesser, quick enough for a sign-in.
SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_LENGTH = 2**14, 8, 1, 32
# After FREE_FAILURES wrong passwords in a row for a name, each further try waits BASE_DELAY seconds, doubling with
# every failure up to MAX_DELAY; a successful sign-in clears the count.
FREE_FAILURES, BASE_DELAY, MAX_DELAY = 3, 5.0, 300.0
FORGET_AFTER = 24 * 3600.0
WRONG = "the name or the password is wrong; check both and try again"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class TeamError(WorkbenchError):
    """A team account cannot be added, changed or removed as asked."""


class SignInFailed(TeamError):
    """A sign-in was refused: a wrong name or password, or too many failures in a row."""


@dataclass(frozen=True)
class Member:
    """A team member: the name the audit log records, their roles and when the account was made and last changed."""

    name: str
    roles: tuple[str, ...]
    created_at: str
    changed_at: str

    def may(self, page: str) -> bool:
        """Return whether any of the member's roles may open the app page at url path ``page``."""
        return any(page in ROLE_PAGES[role] for role in self.roles)

    def can(self, capability: str) -> bool:
        """Return whether any of the member's roles has ``capability`` (ORIGINALS, MANAGE_TEAM, MANAGE_PROJECT)."""
        return any(capability in ROLE_CAPABILITIES[role] for role in self.roles)

    @property
    def pages(self) -> list[str]:
        """Return the url paths of the pages the member may open, in menu order."""
        return [page for page in PAGES if self.may(page)]

    @property
    def role_label(self) -> str:
        return ", ".join(self.roles)


def pages_for(roles: Iterable[str]) -> list[str]:
    """Return the url paths of the pages the given roles may open together, in menu order."""
    allowed = set().union(*(ROLE_PAGES[role] for role in roles))
    return [page for page in PAGES if page in allowed]


def _v1_members(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE members (
            name TEXT PRIMARY KEY COLLATE NOCASE,
            password TEXT NOT NULL,
            created_at TEXT NOT NULL,
            changed_at TEXT NOT NULL
        );
        CREATE TABLE member_roles (
            name TEXT NOT NULL REFERENCES members(name) ON DELETE CASCADE ON UPDATE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('coder', 'reviewer', 'writer', 'admin')),
            PRIMARY KEY (name, role)
        );
        CREATE TABLE sign_in_failures (
            name TEXT PRIMARY KEY COLLATE NOCASE,
            failures INTEGER NOT NULL,
            last_at REAL NOT NULL
        );
        """
        + AUDIT_TABLE
    )


MIGRATIONS: tuple[Migration, ...] = (_v1_members,)


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """Return a storable scrypt hash of ``password``: ``scrypt$n$r$p$salt$hash``, with a new random salt."""
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_LENGTH)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    """Return whether ``password`` matches a hash made by ``hash_password`` (compared in constant time)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        expected = bytes.fromhex(digest)
        if scheme != "scrypt":
            return False
        actual = _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p), len(expected))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    data = unicodedata.normalize("NFC", password).encode("utf-8")
    return hashlib.scrypt(data, salt=salt, n=n, r=r, p=p, dklen=length, maxmem=64 * 1024 * 1024)


@functools.cache
def _dummy_hash() -> str:
    """Return a hash to check unknown names against, so that a wrong name takes as long as a wrong password."""
    return hash_password(secrets.token_hex(16))


def has_team(folder: str | Path) -> bool:
    """Return whether the project in ``folder`` has a team file."""
    return (Path(folder) / TEAM_FILE).is_file()


class Team:
    """A project's team accounts. Open it with ``Team.open``; every change is one transaction with its audit row."""

    def __init__(self, folder: Path, store: Store | None, actor: str) -> None:
        self.folder = folder
        self._store = store
        self.actor = actor
        self.clock: Callable[[], float] = time.time  # replaced in tests

    @classmethod
    def open(cls, folder: str | Path, *, actor: str) -> Team:
        """Return the team of the project in ``folder`` (empty when it has no team file yet, which the first
        ``add`` creates)."""
        folder = Path(folder)
        if not (folder / PROJECT_FILE).is_file():
            raise TeamError(
                f"{folder} is not a workbench project (it has no {PROJECT_FILE}); give the project's folder"
            )
        team = cls(folder, None, actor)
        if has_team(folder):
            team._open_store()
        return team

    def _open_store(self) -> Store:
        if self._store is None:
            path = self.folder / TEAM_FILE
            if not path.exists():
                # Created for its owner only: it holds password hashes (SQLite gives -wal and -shm the same mode).
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            os.chmod(path, 0o600)
            self._store = Store(path, MIGRATIONS)
            self._store.migrate(self.actor)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Team:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading ------------------------------------------------------------------------------------------------

    def members(self) -> list[Member]:
        """Return every member, by name."""
        if self._store is None:
            return []
        roles: dict[str, list[str]] = {}
        for row in self._store.query("SELECT name, role FROM member_roles"):
            roles.setdefault(row["name"].casefold(), []).append(row["role"])
        return [
            Member(row["name"], _ordered(roles.get(row["name"].casefold(), [])), row["created_at"], row["changed_at"])
            for row in self._store.query("SELECT name, created_at, changed_at FROM members ORDER BY name")
        ]

    def member(self, name: str) -> Member | None:
        """Return the member called ``name`` (names are compared without regard to case), or None."""
        wanted = " ".join(name.split()).casefold()
        return next((member for member in self.members() if member.name.casefold() == wanted), None)

    def admins(self) -> list[Member]:
        return [member for member in self.members() if ADMIN in member.roles]

    # --- changing -----------------------------------------------------------------------------------------------

    def check_new(self, name: str, roles: Iterable[str]) -> tuple[str, tuple[str, ...]]:
        """Return the cleaned name and roles of a member to add; raise TeamError if they cannot be added."""
        name, roles = _check_name(name), _check_roles(roles)
        existing = self.member(name)
        if existing is not None:
            raise TeamError(f"{existing.name} is already a member of the team; change their roles instead")
        if not self.members() and ADMIN not in roles:
            raise TeamError("the first member of a team must be an admin; add them with the admin role")
        return name, roles

    def add(self, name: str, roles: Iterable[str], password: str) -> Member:
        """Add a member with ``roles`` and ``password``; the first member of a team must be an admin."""
        name, roles = self.check_new(name, roles)
        password = _check_password(password)
        hashed = hash_password(password)
        store = self._open_store()
        with self._transaction("add member", {"name": name, "roles": list(roles)}) as now:
            store.db.execute(
                "INSERT INTO members (name, password, created_at, changed_at) VALUES (?, ?, ?, ?)",
                [name, hashed, now, now],
            )
            store.db.conn.executemany("INSERT INTO member_roles (name, role) VALUES (?, ?)", [(name, r) for r in roles])
        log.info("added %s to the team of %s as %s", name, self.folder, ", ".join(roles))
        return self.require(name)

    def remove(self, name: str) -> None:
        """Remove a member; the team's last admin cannot be removed."""
        member = self.require(name)
        if ADMIN in member.roles and len(self.admins()) == 1:
            raise TeamError(f"{member.name} is the team's last admin; make someone else an admin first")
        with self._transaction("remove member", {"name": member.name}):
            self._write("DELETE FROM members WHERE name = ?", [member.name])

    def set_roles(self, name: str, roles: Iterable[str]) -> Member:
        """Give a member exactly ``roles``; the team's last admin keeps the admin role."""
        member, roles = self.require(name), _check_roles(roles)
        if ADMIN in member.roles and ADMIN not in roles and len(self.admins()) == 1:
            raise TeamError(f"{member.name} is the team's last admin; make someone else an admin first")
        with self._transaction("change roles", {"name": member.name, "roles": list(roles)}) as now:
            assert self._store is not None
            self._store.db.execute("DELETE FROM member_roles WHERE name = ?", [member.name])
            self._store.db.conn.executemany(
                "INSERT INTO member_roles (name, role) VALUES (?, ?)", [(member.name, r) for r in roles]
            )
            self._store.db.execute("UPDATE members SET changed_at = ? WHERE name = ?", [now, member.name])
        return self.require(member.name)

    def set_password(self, name: str, password: str) -> None:
        """Give a member a new password (and clear their failed sign-ins)."""
        member, password = self.require(name), _check_password(password)
        hashed = hash_password(password)
        with self._transaction("change password", {"name": member.name}) as now:
            self._write("UPDATE members SET password = ?, changed_at = ? WHERE name = ?", [hashed, now, member.name])
            self._write("DELETE FROM sign_in_failures WHERE name = ?", [member.name])

    # --- signing in ---------------------------------------------------------------------------------------------

    def sign_in(self, name: str, password: str) -> Member:
        """Return the member whose name and password these are; raise SignInFailed with a plain message otherwise.

        Wrong names and wrong passwords fail alike and take alike long. After FREE_FAILURES failures in a row for a
        name, each further try must wait (BASE_DELAY seconds, doubling, up to MAX_DELAY) and is refused unchecked
        until then. Every sign-in and every failure is written to the team's audit log.
        """
        name = " ".join(name.split())
        if not name or not password:
            raise SignInFailed("enter your name and your password")
        store = self._store
        if store is None or len(name) > MAX_NAME or len(password) > MAX_PASSWORD:
            check_password(password[:MAX_PASSWORD], _dummy_hash())  # as long as any other failure
            raise SignInFailed(WRONG)
        wait = self.wait_before_sign_in(name)
        if wait > 0:
            raise SignInFailed(
                f"too many wrong passwords for {name}: wait {_seconds(wait)} and try again, or ask an admin to reset "
                "your password"
            )
        rows = store.query("SELECT name, password FROM members WHERE name = ?", [name])
        stored = rows[0]["password"] if rows else _dummy_hash()
        if not (check_password(password, stored) and rows):
            with store.transaction(name, "sign-in failed", {"name": name}):
                # Names nobody has tried for a day are forgotten, so that guessed names do not pile up.
                store.db.execute("DELETE FROM sign_in_failures WHERE last_at < ?", [self.clock() - FORGET_AFTER])
                store.db.execute(
                    "INSERT INTO sign_in_failures (name, failures, last_at) VALUES (?, 1, ?) ON CONFLICT(name) DO "
                    "UPDATE SET failures = failures + 1, last_at = excluded.last_at",
                    [name, self.clock()],
                )
            raise SignInFailed(WRONG)
        member = self.require(rows[0]["name"])
        with store.transaction(member.name, "sign in", {"name": member.name}):
            store.db.execute("DELETE FROM sign_in_failures WHERE name = ?", [member.name])
        return member

    def wait_before_sign_in(self, name: str) -> float:
        """Return how many seconds must pass before ``name`` may try to sign in again (0 when they may now)."""
        if self._store is None:
            return 0.0
        rows = self._store.query("SELECT failures, last_at FROM sign_in_failures WHERE name = ?", [name.strip()])
        if not rows or rows[0]["failures"] < FREE_FAILURES:
            return 0.0
        delay = min(BASE_DELAY * 2 ** (rows[0]["failures"] - FREE_FAILURES), MAX_DELAY)
        return max(0.0, rows[0]["last_at"] + delay - self.clock())

    def audit(self, limit: int = 200) -> list[dict[str, Any]]:
        """Return the team's audit log, newest first: who added, changed or removed whom, sign-ins and failures."""
        if self._store is None:
            return []
        return self._store.query("SELECT at, actor, action, payload FROM audit ORDER BY id DESC LIMIT ?", [limit])

    # --- helpers ------------------------------------------------------------------------------------------------

    def require(self, name: str) -> Member:
        """Return the member called ``name``; raise TeamError naming the members when there is none."""
        member = self.member(name)
        if member is None:
            names = ", ".join(m.name for m in self.members()) or "none yet"
            raise TeamError(f"{' '.join(name.split()) or '(no name)'} is not a member of the team (members: {names})")
        return member

    @contextmanager
    def _transaction(self, action: str, payload: dict[str, Any]) -> Iterator[str]:
        store = self._open_store()
        with store.transaction(self.actor, action, payload):
            yield utc_now()

    def _write(self, sql: str, params: list[Any]) -> None:
        assert self._store is not None
        self._store.db.execute(sql, params)


def _ordered(roles: Iterable[str]) -> tuple[str, ...]:
    chosen = set(roles)
    return tuple(role for role in ROLES if role in chosen)


def _check_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise TeamError("a member needs a name (the name the audit log records)")
    if len(cleaned) > MAX_NAME:
        raise TeamError(f"the name is {len(cleaned)} characters long; give at most {MAX_NAME}")
    if _CONTROL.search(cleaned):
        raise TeamError("the name holds a control character; type it as plain text")
    return unicodedata.normalize("NFC", cleaned)


def _check_roles(roles: Iterable[str]) -> tuple[str, ...]:
    given = [part.strip().lower() for role in roles for part in role.split(",") if part.strip()]
    if not given:
        raise TeamError(f"give at least one role: {', '.join(ROLES)}")
    unknown = [role for role in given if role not in ROLES]
    if unknown:
        raise TeamError(f"{unknown[0]!r} is not a role; the roles are {', '.join(ROLES)}")
    return _ordered(given)


def _check_password(password: str) -> str:
    if not password.strip():
        raise TeamError("the password is empty; give one of at least 8 characters")
    if len(password) < MIN_PASSWORD:
        raise TeamError(f"the password is {len(password)} characters long; give one of at least {MIN_PASSWORD}")
    if len(password) > MAX_PASSWORD:
        raise TeamError(f"the password is {len(password)} characters long; give one of at most {MAX_PASSWORD}")
    return password


def _seconds(wait: float) -> str:
    whole = max(1, round(wait + 0.49))
    return f"{whole} second{'s' if whole != 1 else ''}"
