"""The views of the people a page shows, kept between requests and dropped the moment a write changes them.

A search or /match answer shows up to 20 people; reading their views from Neo4j was the largest part of an
answer (at 100 000 people: 4.0 of 8.8 ms, plus the Neo4j CPU behind it). The same people come back page after
page (the first page of a popular search, the top of a shortlist), so each process keeps their views, as of the
day they were read for, under the same consistency rule as the index itself:

- Every write that changes what a page view shows stamps the person with a new registry revision
  (graph/revision.py); when the index applies the changes since its revision, it tells this cache
  (`forget`), which drops the people and remembers the revision each was changed at.
- A view read in the graph after the index saw revision R reflects every change stamped up to R (revisions
  become visible in order), so it is kept with R. It is served only while R is at least the revision its
  person last changed at: a view read before a concurrent change was applied can never be served after it.
- A view is kept for the day it was read for (certificate status, pool membership are as of that day).

The views are shared by the requests of the process: callers present copies and never change them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

# Measured ~7.5 KB a view (Python objects): 500 views ≈ 4 MB per process (SEARCH_PAGE_VIEWS sets another size).
SIZE = 500
# People changed since the cache last started over; past this, it starts over (a bulk import changed many).
CHANGES_KEPT = 50_000

Views = dict[str, dict[str, Any]]


class PageViews:
    """A bounded, least-recently-used cache of practitioner views, checked against each person's last change."""

    def __init__(self, size: int = SIZE):
        self.size = size
        self.lock = threading.Lock()
        self.entries: OrderedDict[str, tuple[int, date, dict[str, Any]]] = OrderedDict()
        self.changed_at: dict[str, int] = {}
        self.floor = 0  # no view read before this revision is served (set when the cache starts over)
        self.generation = 0  # one per build of the index: a read begun before a rebuild is not kept after it
        self.hits = self.misses = 0

    def get(
        self, ids: Iterable[str], today: date, revision: int, read: Callable[[list[str]], Views]
    ) -> Views:
        """The views of `ids` as of `today` by id: kept ones while their person is unchanged, the rest by
        `read` (in the caller's transaction, which has seen `revision`), then kept with `revision`."""
        found: Views = {}
        missing: list[str] = []
        with self.lock:
            generation = self.generation
            for person in ids:
                entry = self.entries.get(person)
                if entry is not None and entry[1] == today and entry[0] >= self._changed(person):
                    self.entries.move_to_end(person)
                    found[person] = entry[2]
                else:
                    missing.append(person)
            self.hits += len(found)
            self.misses += len(missing)
        if not missing:
            return found
        fresh = read(missing)
        with self.lock:
            for person, view in fresh.items():
                if generation == self.generation and revision >= self._changed(person):
                    self.entries[person] = (revision, today, view)
                    self.entries.move_to_end(person)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return found | fresh

    def forget(self, changes: Iterable[tuple[str, int]]) -> None:
        """These people changed at these revisions: their kept views are no longer served."""
        with self.lock:
            for person, revision in changes:
                self.entries.pop(person, None)
                self.changed_at[person] = max(revision, self.changed_at.get(person, 0))
            if len(self.changed_at) > CHANGES_KEPT:
                self._start_over(max(self.changed_at.values()))

    def clear(self, revision: int) -> None:
        """Start over at `revision`, the revision of a new build of the index (of a wiped or replaced graph, its
        counter may have started again): nothing read before is kept or served."""
        with self.lock:
            self.generation += 1
            self.entries.clear()
            self.changed_at.clear()
            self.floor = revision

    def status(self) -> dict[str, int]:
        with self.lock:
            return {"kept": len(self.entries), "hits": self.hits, "misses": self.misses}

    def _changed(self, person: str) -> int:
        return max(self.floor, self.changed_at.get(person, 0))

    def _start_over(self, revision: int) -> None:
        self.entries.clear()
        self.changed_at.clear()
        self.floor = max(self.floor, revision)
