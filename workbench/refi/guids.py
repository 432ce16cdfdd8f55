"""Stable GUIDs for REFI-QDA exchange, kept in project.db's ``guids`` table (migration 5).

Every exported entity has a (kind, local id) key: ("document", "12"), ("code", "ras.context.training"),
("coder", "Alex Morgan")... The first export mints an upper-case uuid4 for each key and stores it; later exports, and
an import that met the entity in another tool's file, find it there, so a GUID never changes from one export to the
next. All the GUIDs one export needs are minted in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from workbench.store import Store

if TYPE_CHECKING:
    from workbench.project import Project

# The kinds of key, and what their local id is.
DOCUMENT = "document"  # documents.id
CODE = "code"  # codes.id
CODING = "coding"  # codings.id: the Coding element
SELECTION = "selection"  # codings.id: the PlainTextSelection holding that one coding
MEMO = "memo"  # memos.id: a Note
PARTICIPANT = "participant"  # participants.id: a Case
CODER = "coder"  # the coder's or memo author's name: a User
VARIABLE = "variable"  # "role" or a participant attribute's name
CODEBOOK = "codebook"  # codebooks.id: a Set of its codes

Key = tuple[str, str]


def new_guid() -> str:
    """A new GUID as we write them: an upper-case uuid4 without braces."""
    return str(uuid.uuid4()).upper()


def canonical_guid(guid: str) -> str:
    """A GUID as we write it, whatever case or braces another tool gave it."""
    return guid.strip().strip("{}").upper()


def guids_for(store: Store, keys: Iterable[Key], *, actor: str) -> dict[Key, str]:
    """The GUID of every key: the stored one, or one minted now (all in one transaction, with its audit row)."""
    wanted = list(dict.fromkeys((kind, str(local_id)) for kind, local_id in keys))
    if not wanted:
        return {}
    known = _stored(store, {kind for kind, _ in wanted})
    missing = [key for key in wanted if key not in known]
    if missing:
        kinds = sorted({kind for kind, _ in missing})
        with store.transaction(actor, "assign guids", {"count": len(missing), "kinds": kinds}):
            # Read again under the write lock: another process may have minted some of them meanwhile.
            known = _stored(store, set(kinds)) | known
            for key in missing:
                if key not in known:
                    known[key] = new_guid()
                    store.db.execute("INSERT INTO guids (kind, local_id, guid) VALUES (?, ?, ?)", [*key, known[key]])
    return {key: canonical_guid(known[key]) for key in wanted}


def project_guids(project: Project, keys: Iterable[Key]) -> dict[Key, str]:
    """``guids_for`` on a project's own database, minted in the name of the project's actor."""
    # Project keeps its Store private: the GUID table is the one thing exchange reads and writes there directly.
    return guids_for(project._store, keys, actor=project.actor)


def guid_for(store: Store, kind: str, local_id: str | int, *, actor: str = "workbench") -> str:
    """The GUID of one entity, minted and stored if it has none yet (prefer ``guids_for`` for many)."""
    key = (kind, str(local_id))
    return guids_for(store, [key], actor=actor)[key]


def _stored(store: Store, kinds: set[str]) -> dict[Key, str]:
    rows = store.query(
        f"SELECT kind, local_id, guid FROM guids WHERE kind IN ({', '.join('?' for _ in kinds)})", sorted(kinds)
    )
    return {(row["kind"], row["local_id"]): row["guid"] for row in rows}
