"""GET /activities answered from a per-process catalogue of the activities' static fields (docs/activities.md).

Each request is one read transaction: the catalogue's revision (graph/activity_catalogue.py: one node and a
count-store read); when it moved, the activities changed since (marked by the bump) read again and merged in; the
filters, the order (latest start first, then id) and the total computed over numpy arrays; then one statement for
the page's ≤ per_page views, whose sign-up counts and places left are live. Open for sign-up also needs live counts:
only of the open, not yet ended activities the other filters kept. So a request's cost does not grow with the
number of activities in Neo4j, and the answer is the one graph/activities.py `search` (the Cypher reference the
tests hold this to) gives.
"""

from __future__ import annotations

import math
import threading
import weakref
from dataclasses import dataclass
from datetime import date
from typing import Any

import neo4j
import numpy as np

from graph import activity_catalogue as repo
from graph.driver import Graph

OPEN = "open"


@dataclass
class Catalogue:
    """Every activity's static fields as arrays in listing order (starts_on descending, nulls first, then id)."""

    key: tuple[Any, ...]
    ids: list[str]
    status: np.ndarray  # code in `statuses`
    statuses: dict[str, int]
    kind: np.ndarray
    kinds: dict[str, int]
    region: np.ndarray
    regions: dict[str, int]  # every region code an activity names
    parents: dict[str, list[str]]  # Region node code → the regions it is part of
    organizer: np.ndarray  # the first organizer's code in `organizers`, -1 without one
    organizers: dict[str, int]
    more_organizers: dict[int, set[str]]  # row → all its organizer ids, where there are several
    starts: np.ndarray  # date ordinals, NaN where missing (every comparison with NaN is false, as with null)
    ends: np.ndarray
    capacity: list[Any]
    rows: dict[str, dict[str, Any]]  # id → the row read (repo.catalogue), what an update starts from
    counted: tuple[Any, dict[str, int]] = ((), {})  # (sign-ups, today): how many signed up for each open row

    @classmethod
    def read(cls, tx: neo4j.ManagedTransaction, key: tuple[Any, ...]) -> Catalogue:
        """The catalogue as the transaction sees it, read whole."""
        return cls.of_rows(key, {row["id"]: row for row in repo.catalogue(tx)}, repo.regions(tx))

    @classmethod
    def updated(cls, tx: neo4j.ManagedTransaction, key: tuple[Any, ...], kept: Catalogue | None) -> Catalogue:
        """The catalogue at `key`: the kept one with the activities changed since its revision read again (a few
        rows, by the range index), or read whole when there is none, the counter's epoch changed (a graph wiped or
        replaced) or the rows do not add up to the number of activities (some written without a bump)."""
        revision, epoch, activities = key
        if kept is None or kept.key[1] != epoch or revision < kept.key[0]:
            return cls.read(tx, key)
        rows = kept.rows | {row["id"]: row for row in repo.changed_since(tx, kept.key[0])}
        if len(rows) != activities:
            return cls.read(tx, key)
        return cls.of_rows(key, rows, kept.parents)

    @classmethod
    def of_rows(
        cls, key: tuple[Any, ...], by_id: dict[str, dict[str, Any]], parents: dict[str, list[str]]
    ) -> Catalogue:
        """The arrays of these rows in listing order."""
        rows = list(by_id.values())
        rows.sort(key=lambda r: (r["starts_on"] is not None, -_ordinal(r["starts_on"]), r["id"]))
        codes: dict[str, dict[Any, int]] = {"status": {}, "kind": {}, "region": {}, "organizer": {}}

        def coded(field: str, values: list[Any]) -> np.ndarray:
            table = codes[field]
            return np.array([-1 if v is None else table.setdefault(v, len(table)) for v in values], np.int32)

        organizers = [r["organizers"] for r in rows]
        return cls(
            key=key, ids=[r["id"] for r in rows],
            status=coded("status", [r["status"] for r in rows]), statuses=codes["status"],
            kind=coded("kind", [r["kind"] for r in rows]), kinds=codes["kind"],
            region=coded("region", [r["region"] for r in rows]), regions=codes["region"],
            parents=parents,
            organizer=coded("organizer", [o[0] if o else None for o in organizers]), organizers=codes["organizer"],
            more_organizers={at: set(o) for at, o in enumerate(organizers) if len(o) > 1},
            starts=np.array([_ordinal(r["starts_on"]) for r in rows], np.float64),
            ends=np.array([_ordinal(r["ends_on"]) for r in rows], np.float64),
            capacity=[r["capacity"] for r in rows], rows=by_id,
        )  # fmt: skip

    def _code_in(self, values: np.ndarray, table: dict[str, int], wanted: Any) -> np.ndarray:
        codes = [table[w] for w in wanted if w in table]
        return np.isin(values, codes) if codes else np.zeros(len(values), dtype=bool)

    def _organized_by(self, organizer_id: str) -> np.ndarray:
        mask = self._code_in(self.organizer, self.organizers, [organizer_id])
        for at, ids in self.more_organizers.items():
            mask[at] = organizer_id in ids
        return mask

    def matching(self, filters: dict[str, Any], scope: dict[str, Any]) -> np.ndarray:
        """Rows (in listing order) that pass every filter but open_for_sign_up (graph/activities.py LIST_MATCH)."""
        statuses = [filters["status"]] if filters.get("status") else list(scope["statuses"])
        if filters.get("open_for_sign_up"):
            statuses = [status for status in statuses if status == OPEN]
        mask = self._code_in(self.status, self.statuses, statuses)
        if not scope["all"]:
            seen = self._code_in(self.status, self.statuses, scope["public"])
            if scope["own"] is not None:
                seen |= self._organized_by(scope["own"])
            mask &= seen
        if filters.get("kind") is not None:
            mask &= self._code_in(self.kind, self.kinds, [filters["kind"]])
        if filters.get("from") is not None:
            mask &= self.ends >= _ordinal(filters["from"])
        if filters.get("to") is not None:
            mask &= self.starts <= _ordinal(filters["to"])
        if filters.get("organizer_id") is not None:
            mask &= self._organized_by(filters["organizer_id"])
        if (region := filters.get("region")) is not None:
            within = [code for code, parents in self.parents.items() if code == region or region in parents]
            mask &= self._code_in(self.region, self.regions, within)
        return np.flatnonzero(mask)

    def _taken(self, tx: neo4j.ManagedTransaction, joins: int, today: date) -> dict[str, int]:
        """Activity id → sign-ups, for every open activity not ended by `today`; counted again after a sign-up."""
        if self.counted[0] == (joins, today):
            return self.counted[1]
        rows = np.flatnonzero(self._open_not_ended(np.arange(len(self.ids)), today))
        taken = repo.taken(tx, [self.ids[at] for at in rows.tolist()])
        self.counted = ((joins, today), taken)  # one assignment: a thread reads the old pair or the new
        return taken

    def _open_not_ended(self, rows: np.ndarray, today: date) -> np.ndarray:
        # NaN (no end) is not ended: whether it is open for sign-up then depends on the count, as in Cypher.
        return (self.status[rows] == self.statuses.get(OPEN, -2)) & ~(self.ends[rows] < today.toordinal())

    def open_for_sign_up(
        self, tx: neo4j.ManagedTransaction, rows: np.ndarray, wanted: bool, today: date, joins: int
    ) -> np.ndarray:
        """The rows whose `open and not ended and places left` is `wanted` (null matching neither, as in Cypher);
        the open rows not ended yet by their sign-ups, counted once per number of sign-ups in the graph."""
        candidates = self._open_not_ended(rows, today)
        counted = rows[candidates]
        taken = self._taken(tx, joins, today)
        keep = np.full(len(rows), not wanted)  # closed, cancelled, ended: not open for sign-up
        keep[np.flatnonzero(candidates)] = [
            _and3(
                None if math.isnan(self.ends[at]) else True, _less(taken.get(self.ids[at]), self.capacity[at])
            )
            is wanted
            for at in counted.tolist()
        ]
        return rows[keep]


def _ordinal(value: date | None) -> float:
    return math.nan if value is None else float(value.toordinal())


def _less(left: Any, right: Any) -> bool | None:
    return None if left is None or right is None else left < right


def _and3(*values: bool | None) -> bool | None:
    """Cypher's AND over true, false and null."""
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


_KEPT: weakref.WeakKeyDictionary[Graph, Catalogue] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def catalogue(graph: Graph, tx: neo4j.ManagedTransaction) -> tuple[Catalogue, int]:
    """The graph's catalogue as of the transaction's revision, brought up to it only when the revision moved (the
    activities changed since, or whole); and the number of sign-ups in the graph."""
    # The revision is read before the activities: a write committed in between leaves the catalogue newer than
    # its key, and the next request reads it again, never the other way round.
    key, joins = repo.revision(tx)
    kept = _KEPT.get(graph)
    if kept is not None and kept.key == key:
        return kept, joins
    with _LOCK:  # one thread reads it; the others wait and take it
        kept = _KEPT.get(graph)
        if kept is None or kept.key != key:
            kept = _KEPT[graph] = Catalogue.updated(tx, key, kept)
    return kept, joins


def search(
    graph: Graph, filters: dict[str, Any], scope: dict[str, Any], today: date, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of activities (latest start first) and the total, as graph.activities.search answers them."""

    def work(tx: neo4j.ManagedTransaction) -> tuple[list[dict[str, Any]], int]:
        kept, joins = catalogue(graph, tx)
        rows = kept.matching(filters, scope)
        if filters.get("open_for_sign_up") is not None:
            rows = kept.open_for_sign_up(tx, rows, bool(filters["open_for_sign_up"]), today, joins)
        chosen = rows[(page - 1) * per_page : page * per_page]
        return repo.views(tx, [kept.ids[at] for at in chosen.tolist()]), len(rows)

    return graph.read_leader(work)  # the revision check must see every committed write
