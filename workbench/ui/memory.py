"""Keep the server's garbage collector off the heap that lives as long as the server.

A full collection walks every container the process holds. Once Streamlit, pandas, Altair and spaCy are imported
that is some 250,000 objects, and walking them took 80-130 ms on a 2-core VM: a stall that fell into a random rerun
about once a second (docs/benchmarks.md, the scale section). Those objects are never garbage, so once a page has run
and imported what it needs they are moved out of the collector's sight (`gc.freeze`). What is made later, such as
each run's widgets and the results kept while the database is unchanged, is collected as before.
"""

from __future__ import annotations

import gc
import threading

_settled: set[str] = set()
_lock = threading.Lock()


def settle(page: str) -> None:
    """After the first run of `page` in this process: collect once, then freeze what survived."""
    with _lock:
        if page in _settled:
            return
        _settled.add(page)
        gc.collect()
        gc.freeze()
