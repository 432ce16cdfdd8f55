"""The server moves what lives as long as it (its imports) out of the garbage collector's walks after a page's first
run, so a full collection no longer stalls a rerun by some 100 ms (docs/benchmarks.md, the scale section)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from workbench.ui import memory


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


@pytest.fixture
def fresh_settling(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    gc.unfreeze()
    monkeypatch.setattr(memory, "_settled", set())
    yield
    gc.unfreeze()


def test_a_pages_first_run_freezes_what_is_alive_and_its_reruns_leave_it(fresh_settling: None) -> None:
    memory.settle("coding")
    frozen = gc.get_freeze_count()
    assert frozen > 1000  # the modules, classes and functions of this process
    made_since = [_Node() for _ in range(10)]
    memory.settle("coding")  # a rerun: nothing more is frozen
    assert gc.get_freeze_count() == frozen
    memory.settle("quotes")  # another page's first run takes in what it made
    assert gc.get_freeze_count() >= frozen + len(made_since)


def test_garbage_is_collected_before_the_freeze_not_kept_for_ever(fresh_settling: None) -> None:
    garbage = _Node()
    gone = weakref.ref(garbage)
    del garbage
    assert gone() is not None  # a cycle outlives its last name until a collection
    memory.settle("project")
    assert gone() is None
