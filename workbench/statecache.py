"""Results of whole-project reads kept while project.db stays as it was: a cache for this process, keyed by the
database's state, so that a page's reruns (a widget changed, the next page of results) do not redo a heavy query.

Reads of the documents, participants and settings alone (the lists of transcripts and participants, full-text
search) are keyed by the catalogue's state instead (migration 9), which a saved coding does not change.

Results that are sums or lists over transcripts are also kept per transcript (``per_document``), keyed by the
transcript's version (migration 9: drawn anew by every write to the transcript or its codings), so that after a
coder saves a coding only that transcript's part is read again.

The state is the database file (its path and inode) and its newest audit row. Every write to project.db goes
through ``Store.transaction``, which commits it together with its audit row (invariant 3 of ARCHITECTURE.md), so
any change, by any process, makes a new key and a result is never served for a state it was not read in. (The file's
size and times would not do: the last connection to close checkpoints the write-ahead log, and the pages open and
close the project on every run.) A miss only costs the query. Nothing is cached inside a transaction (its writes may
still roll back), and a write that bypasses the core (sqlite3 by hand) is not seen until the next audited one.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

import pandas as pd

from workbench.store import Store

T = TypeVar("T")

# How much is kept, in the callers' own units (rows, mostly): a study's tables and lists of quotes. A quote takes
# about 0.9 KB (measured at 1,000 transcripts: every theme's quotes, 300,000, took 256 MB), so the lists kept stay
# under some 400 MB: every theme's quotes of such a study and the lists a Quotes page reads besides. Asking in turn
# for more than that builds the least recently used again.
MAX_WEIGHT = 450_000
MAX_ENTRIES = 64

_lock = threading.Lock()
_entries: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
_weight = 0


def state(store: Store, *, catalogue: bool = False) -> Hashable | None:
    """The database's state now, or None when it cannot be told (then nothing is cached). ``catalogue``: the state
    of the documents, participants and settings only (migration 9's catalogue_version), which codings leave alone."""
    if store.db.conn.in_transaction:
        return None
    identity = _identity(store)
    if identity is None:
        return None
    if catalogue:
        return (identity, "catalogue", store.db.execute("SELECT version FROM catalogue_version").fetchone())
    last = store.db.execute("SELECT id, at, action, payload FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return (identity, tuple(last) if last else None)


def cached(
    store: Store,
    key: Hashable,
    compute: Callable[[], T],
    *,
    weight: Callable[[T], int] = lambda _: 1,
    catalogue: bool = False,
) -> T:
    """Return ``compute()``, or what it returned before for the same ``key`` on the database in the same state (or,
    with ``catalogue``, for a ``compute`` that reads only the documents, participants and settings, in the same state
    of those).

    A pandas table comes back as a copy (callers may change it); lists come back as new lists of the same items.
    """
    global _weight
    now = state(store, catalogue=catalogue)
    if now is None:
        return compute()
    full_key = (now, key)
    with _lock:
        found = _entries.get(full_key)
        if found is not None:
            _entries.move_to_end(full_key)
            return _fresh(found[1])
    value = compute()
    heft = max(1, weight(value))
    if heft > MAX_WEIGHT // 2:
        return value
    with _lock:
        if full_key not in _entries:
            _entries[full_key] = (heft, value)
            _weight += heft
        _evict()
    return _fresh(value)


def per_document(
    store: Store, key: Hashable, compute: Callable[[list[int]], Mapping[int, T]], *, weight: Callable[[T], int]
) -> dict[int, T]:
    """``compute(ids)`` for every transcript, as {document id: its part}, computing only the parts of transcripts
    that changed (or were never computed) since the last call with this ``key`` on this database.

    ``compute`` is given the ids of the transcripts to do and may leave out any without a part (no codings, say).
    """
    global _weight
    versions = dict(store.db.execute("SELECT document_id, version FROM document_versions").fetchall())
    identity = _identity(store)
    if identity is None or store.db.conn.in_transaction:
        return dict(compute(list(versions)))
    full_key = ("per document", identity, key)
    with _lock:
        kept: dict[int, tuple[int, T | None]] = dict(_entries.get(full_key, (0, {}))[1])
    stale = [document for document, version in versions.items() if kept.get(document, (None,))[0] != version]
    if stale:
        made = compute(stale)
        for document in stale:
            kept[document] = (versions[document], made.get(document))
    for document in set(kept) - set(versions):
        del kept[document]
    parts = {document: part for document, (_, part) in kept.items() if part is not None}
    heft = max(1, sum(weight(part) for part in parts.values()))
    with _lock:
        previous = _entries.pop(full_key, None)
        _weight -= previous[0] if previous else 0
        if heft <= MAX_WEIGHT // 2:
            _entries[full_key] = (heft, kept)
            _weight += heft
        _evict()
    return parts


def clear() -> None:
    """Forget everything (tests use it to measure a cold read)."""
    global _weight
    with _lock:
        _entries.clear()
        _weight = 0


def _identity(store: Store) -> Hashable | None:
    try:
        database = os.stat(store.path)
    except OSError:
        return None
    return (os.path.realpath(store.path), database.st_dev, database.st_ino)


def _evict() -> None:
    """Drop the least recently used entries while there are too many (the caller holds the lock)."""
    global _weight
    while _entries and (_weight > MAX_WEIGHT or len(_entries) > MAX_ENTRIES):
        _, (dropped, _) = _entries.popitem(last=False)
        _weight -= dropped


def _fresh(value: T) -> T:
    if isinstance(value, pd.DataFrame):
        return value.copy()
    if isinstance(value, list):
        return list(value)  # type: ignore[return-value]
    return value
