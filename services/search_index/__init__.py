"""The in-process search index: a read model of the registry that answers search, facets, pools and /match
from memory, kept consistent with Neo4j (the only source of truth) by the registry revision.

Consistency rule: every write that changes what the index holds stamps the revision (graph/revision.py).
Before answering, `SearchIndex.refresh` reads the graph's revision (one cheap read); if it moved, it loads
only the people marked after the index's own revision and replaces their rows. So a search right after a
write, in this process or any other, sees it. Certificate and pool validity is evaluated against the
query's `today`, never by a write.

Full text stays in Neo4j: the `cjk` index gives the candidate ids and scores (cached per query string until
the revision moves), the index filters, sorts, pages and counts facets over them. The views of the people a
page shows are read from the graph and kept between requests under the same rule (page_views.py).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from queue import Full, Queue
from typing import Any

import neo4j
import numpy as np

from graph import search_index as repo
from graph import views
from graph.driver import Graph
from graph.revision import current
from graph.search import SearchFilters, lucene_query
from registry.conflicts import DEFAULT_CONFLICT_RULES, ConflictRules
from registry.errors import ValidationFailed
from registry.evaluations import DEFAULT_FACTOR, EvaluationFactor
from registry.matching import MatchRequest, Scored, best_certificate, score
from services import conflicts
from services.search_index import allocator, matching, snapshot
from services.search_index.page_views import SIZE as PAGE_VIEWS
from services.search_index.page_views import PageViews
from services.search_index.query import Hits
from services.search_index.query import search as search_rows
from services.search_index.store import Store

log = logging.getLogger(__name__)

# Id ranges read in parallel during the cold build: at 100 000 people on 2 cores, 1 range took 3.1 s, 2 took 2.1 s,
# 3 took 1.9 s and 4 took 1.9 s (pages of 2 000; 5 000-person pages were slower in parallel).
PARTS = 3
PAGE = 2_000  # people per page
FULLTEXT_CACHE = 32  # query strings whose candidates are kept until the revision moves


def _read_in_parallel(graph: Graph, parts: int = PARTS, size: int = PAGE) -> Iterator[list[list[Any]]]:
    """Every active person's row, in pages read by `parts` threads over disjoint id ranges, so Neo4j works on
    the next pages while this thread stores the last (ids are UUIDs: hex digits split them evenly)."""
    bounds: list[str | None] = ["", *(format(16 * i // parts, "x") for i in range(1, parts)), None]
    queue: Queue = Queue(maxsize=2 * parts)
    done, stop = object(), threading.Event()  # `stop`: the consumer gave up; producers end at their next page

    def put(item: Any) -> None:
        while not stop.is_set():
            with contextlib.suppress(Full):
                queue.put(item, timeout=0.5)
                return

    def produce(after: str, before: str | None) -> None:
        try:
            for page in repo.pages(graph, after, before, size):
                if stop.is_set():
                    return
                put(page)
            put(done)
        except BaseException as error:  # handed to the consumer, which re-raises it
            put(error)

    for after, before in itertools.pairwise(bounds):
        threading.Thread(target=produce, args=(after, before), name="search-index-load", daemon=True).start()
    running = parts
    try:
        while running:
            item = queue.get()
            if item is done:
                running -= 1
            elif isinstance(item, BaseException):
                raise item
            else:
                yield item
    finally:
        stop.set()


class SearchIndex:
    """One process's index over one graph. Thread-safe: changes and queries take the same lock."""

    def __init__(self, graph: Graph, snapshots: Path | None = None, page_views: int = PAGE_VIEWS):
        self.graph = graph
        self.snapshots = snapshots  # this database's snapshot file, shared by the processes of the host
        self.store: Store | None = None
        self.reference: matching.Reference | None = None
        self.state = "cold"  # cold → building → warm (or failed)
        self.error: str | None = None
        self.build_seconds: float | None = None
        self.source = "graph"  # where the last build came from: the graph, or this host's snapshot
        self.lock = threading.RLock()
        self.build_lock = threading.Lock()
        self.settled = threading.Event()  # set once a build has finished, warm or failed
        self.fulltext: OrderedDict[str, tuple[int, np.ndarray, np.ndarray]] = OrderedDict()
        self.page_views = PageViews(page_views)

    # --- building and keeping up ------------------------------------------------------------------------

    def build(self, today: date | None = None) -> None:
        """Load everyone active from the graph (the cold build); a no-op when another thread already did."""
        with self.build_lock:
            if self.state == "warm" and self.store is not None:
                return
            if self.state != "stale":
                self.state = "building"
            started = time.perf_counter()
            try:
                store, reference = self._snapshot_or_load(today or date.today())
            except Exception as error:
                self.state, self.error = "failed", f"{type(error).__name__}: {error}"
                self.settled.set()
                raise
            with self.lock:
                self.store, self.reference = store, reference
                self.fulltext.clear()
                self.page_views.clear(store.revision)
            allocator.give_back()  # after the snapshot is saved and an old store is dropped
            self.build_seconds = time.perf_counter() - started
            self.state, self.error = "warm", None
            self.settled.set()
            log.info("search index warm: %d rows in %.1f s", store.size - 1, self.build_seconds)

    def _snapshot_or_load(self, today: date) -> tuple[Store, matching.Reference]:
        if self.snapshots is None:
            return self._load(today)
        with snapshot.exclusive(self.snapshots):
            revision, epoch = self.graph.read_leader(current)
            saved = snapshot.load(self.snapshots) if epoch is not None else None
            if saved and saved[0].epoch == epoch and saved[0].revision <= revision:
                store, ref = saved
                self.source = "snapshot"
                ref["specialties"] = {code: tuple(value) for code, value in ref["specialties"].items()}
                return store, matching.Reference(**ref)
            store, reference = self._load(today)
            snapshot.save(self.snapshots, store, vars(reference))
            return store, reference

    def _load(self, today: date) -> tuple[Store, matching.Reference]:
        def read_reference(tx: Any) -> tuple[tuple[int, str | None], dict[str, Any], dict[str, int]]:
            return current(tx), repo.reference(tx), repo.sizes(tx)

        (revision, epoch), ref, sizes = self.graph.read_leader(read_reference)
        store = Store([tuple(r) for r in ref["regions"]])
        store.reserve(**sizes)
        reference = matching.Reference(
            industry_names={c: n for c, n in ref["industries"]},
            region_names={c: n for c, _, n in ref["regions"]},
            specialties={c: (n, cat) for c, n, cat in ref["specialties"]},
            qualification_names={c: n for c, n in ref["qualifications"]},
        )
        for page in _read_in_parallel(self.graph):
            store.append(page)
        store.finish(today)
        # Changes made during the load carry marks above `revision`: the next refresh applies them again.
        store.revision, store.epoch = revision, epoch
        return store, reference

    def warm(self) -> None:
        """Build the index now if it is not warm (before a caller opens the transaction it will answer in)."""
        if self.state != "warm":
            self.build()

    def refresh(self, tx: neo4j.ManagedTransaction | None = None) -> int:
        """Apply the changes stamped since this index's revision (building it first when cold); the revision.

        `tx` is the caller's transaction, which must run on the leader (`Graph.read_leader`: in a cluster no
        follower's lag may hide a write); the same transaction then reads the page's views, one round trip
        fewer than a transaction of its own. Without `tx`, one is opened here.
        """
        self.warm()
        if tx is None:
            return self.graph.read_leader(self.refresh)
        graph_revision, epoch = current(tx)
        if epoch != self.store.epoch or graph_revision < self.store.revision:
            # The graph was wiped or replaced (a new counter): changes since our revision mean nothing there.
            self.state = "stale"
            self.build()
            return self.refresh(tx)
        with self.lock:
            store = self.store
            if graph_revision <= store.revision:
                return store.revision
            rows = repo.changed_since(tx, store.revision)
            store.apply(rows)
            marks = [(r[0], r[repo.COLUMN["mark"]] or graph_revision) for r in rows]
            self.page_views.forget(marks)
            store.revision = max([graph_revision] + [mark for _, mark in marks])
            return store.revision

    def wait(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the first build (or a rebuild) to finish; whether the index is warm."""
        self.settled.wait(timeout)
        if self.state == "stale" and self.build_lock.acquire(timeout=timeout):
            self.build_lock.release()
        return self.state == "warm"

    def status(self) -> dict[str, Any]:
        """What /ready reports: warm or not, the revision, how many practitioners, build time and memory."""
        store = self.store
        return {
            "state": self.state,
            "revision": store.revision if store else None,
            "practitioners": int(np.count_nonzero(store.active[: store.size])) if store else 0,
            "build_seconds": round(self.build_seconds, 2) if self.build_seconds is not None else None,
            "built_from": self.source,
            "memory_mb": round(store.memory_bytes() / 2**20, 1) if store else None,
            "page_views": self.page_views.status(),
            **({"error": self.error} if self.error else {}),
        }

    # --- answering --------------------------------------------------------------------------------------

    def _candidates(
        self, tx: neo4j.ManagedTransaction, text: str, revision: int
    ) -> tuple[np.ndarray, np.ndarray]:
        lucene = lucene_query(text)
        if not lucene:
            raise ValidationFailed(
                {"q": ["Give at least one letter, digit or Chinese character to search for."]}
            )
        cached = self.fulltext.get(lucene)
        if cached and cached[0] == revision:
            self.fulltext.move_to_end(lucene)
            return cached[1], cached[2]
        ids, scores = repo.fulltext_candidates(tx, lucene)
        rows = self.store.rows_of(ids)
        found = rows > 0
        result = (rows[found], np.asarray(scores, dtype=np.float64)[found])
        self.fulltext[lucene] = (revision, *result)
        while len(self.fulltext) > FULLTEXT_CACHE:
            self.fulltext.popitem(last=False)
        return result

    def search(
        self, filters: SearchFilters, *, today: date, page: int = 1, per_page: int = 20,
        sort: str = "level", with_facets: bool = True, tx: neo4j.ManagedTransaction | None = None,
    ) -> Hits:  # fmt: skip
        """The page of ids, total, facets and scores that graph.search.search would give (in `tx`, see refresh)."""
        if tx is None:
            paging = {"today": today, "page": page, "per_page": per_page, "sort": sort}
            return self.graph.read_leader(
                lambda tx: self.search(filters, **paging, with_facets=with_facets, tx=tx)
            )
        revision = self.refresh(tx)
        assert self.store is not None  # refresh() leaves the index warm
        with self.lock:
            fulltext = self._candidates(tx, filters.q, revision) if filters.q else None
            return search_rows(
                self.store, filters, today=today, page=page, per_page=per_page, sort=sort,
                with_facets=with_facets, fulltext=fulltext,
            )  # fmt: skip

    def views(self, tx: neo4j.ManagedTransaction, ids: list[str], today: date) -> dict[str, dict[str, Any]]:
        """The views of `ids` as of `today` by id, after a refresh in `tx`: kept ones while their person is
        unchanged, the others read in `tx` (services/search_index/page_views.py). Shared: present copies."""
        revision = self.store.revision  # seen by `tx` or before it: views read from here on reflect it
        return self.page_views.get(
            ids, today, revision, lambda missing: views.practitioners(tx, missing, today)
        )

    def pool_sizes(self, today: date) -> dict[str, int]:
        """Current members per pool code."""
        from services.search_index.columns import POOL_INDEX

        self.refresh()
        with self.lock:
            store = self.store
            store.at(today)
            active = store.active[: store.size]
            bits = store.pool_bits[: store.size]
            return {
                code: int(np.count_nonzero(active & ((bits & (1 << i)) != 0)))
                for code, i in POOL_INDEX.items()
            }

    def match(
        self, request: MatchRequest, today: date, rules: ConflictRules = DEFAULT_CONFLICT_RULES, *,
        audience: str | None = None,
        factor: EvaluationFactor = DEFAULT_FACTOR,
        tx: neo4j.ManagedTransaction | None = None,
    ) -> Matched:  # fmt: skip
        """The top `limit` scored as `audience` may see them, best first, with their views; the candidates left
        after the conflict check (services/conflicts.for_match under `rules`); who was excluded. `tx`: the
        transaction to read in (see refresh)."""
        if tx is None:
            options = {"audience": audience, "factor": factor}
            return self.graph.read_leader(lambda tx: self.match(request, today, rules, **options, tx=tx))
        self.refresh(tx)
        assert self.store is not None and self.reference is not None  # refresh() leaves the index warm
        conflicted: dict[str, dict[str, Any]] = {}
        if request.conflict_org_id:
            conflicted = conflicts.for_match(tx, request.conflict_org_id, today, rules, request.work_type)
        with self.lock:
            found = matching.shortlist(
                self.store, self.reference, request, today, set(conflicted), audience, factor
            )
            ids = self.store.id_of(found.rows)
            excluded_ids = self.store.id_of(found.excluded_rows)
        # The shortlisted people's views (the answer shows them) give each one's best certificate, as of today.
        shown = self.views(tx, ids, today)
        best = {i: b for i in ids if i in shown if (b := best_certificate(shown[i]["certificates"], request))}
        # A certificate changed since the shortlist was read drops its holder; the next call sees the change.
        rows = [row for row, i in zip(found.rows.tolist(), ids, strict=True) if best.get(i)]
        with self.lock:
            by_row = {row: best[i] for row, i in zip(rows, self.store.id_of(rows), strict=True)}
            facts = matching.candidates(self.store, self.reference, request, rows, by_row, audience)
        ranked = [score(candidate, request, today, factor) for candidate in facts]
        excluded = sorted((conflicted[i] for i in excluded_ids), key=lambda entry: entry["id"])
        return Matched(ranked, found.total, excluded, shown)


@dataclass
class Matched:
    ranked: list[Scored]  # the top `limit`, best first
    total: int  # candidates left after the conflict check
    excluded: list[dict[str, Any]]  # who the conflict check removed, and why
    views: dict[str, dict[str, Any]]  # the ranked people's views as of the day asked about


# One index per Graph (i.e. per process and database); services find it through the Graph they are given.
_INDEXES: weakref.WeakKeyDictionary[Graph, SearchIndex] = weakref.WeakKeyDictionary()
MODES = ("eager", "lazy", "off")


def install(
    graph: Graph, mode: str = "eager", snapshots: Path | None = None, page_views: int = PAGE_VIEWS
) -> SearchIndex | None:
    """Give this graph a search index: `eager` starts building it now on a background thread, `lazy` at the
    first search, `off` none (search and matching then run their Cypher); it keeps up to `page_views` views."""
    if mode not in MODES:
        raise ValueError(f"SEARCH_INDEX must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "off":
        _INDEXES.pop(graph, None)
        return None
    allocator.tune()  # the index's temporaries are given back when freed (services/search_index/allocator.py)
    index = _INDEXES[graph] = SearchIndex(graph, snapshots, page_views)
    if mode == "eager":

        def build() -> None:
            try:
                index.build()
            except Exception:  # recorded in index.state/error; /ready reports it and the next search retries
                log.exception("search index build failed")

        threading.Thread(target=build, name="search-index-build", daemon=True).start()
    return index


def of(graph: Graph) -> SearchIndex | None:
    """The search index of this graph, or None when it has none (SEARCH_INDEX=off, or outside the API)."""
    return _INDEXES.get(graph)
