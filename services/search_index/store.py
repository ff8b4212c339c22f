"""The index's data: one row per practitioner in numpy columns, entry lists, and the day-derived masks.

Rows are appended and never reused; a person who stops being active keeps their row with `active` false and
no entries. Sorting by id or name uses precomputed ranks (`id_rank`, `name_rank`) kept up to date on changes,
so a sort is one integer key per match. Certificates and pools keep their last valid day; `cert_bits` and
`pool_bits` (what is valid on `day`) are derived for the day a query asks about and re-derived when the
calendar moves, so an expiry takes effect at midnight without any write.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np

from graph.search_index import COLUMN as C
from services.search_index import ids as ids_codec
from services.search_index.columns import (
    NO_EVALUATION,
    NO_YEAR,
    POOL_INDEX,
    WORK_TYPE_INDEX,
    Codes,
    Entries,
    cert_bit,
    grow,
    hidden_byte,
    room,
)

OPEN_ENDED = date.max.toordinal()
BULK = 500  # more changed rows than this: recompute ranks and day masks wholesale
MEMO_SIZE = 256  # derived results kept per version (facet counts per filter set, per-work-type arrays)
# The per-row columns (besides the orders) and the entry lists; snapshot.py saves exactly these.
ROW_COLUMNS = ("ids", "names", "no_name", "active", "public", "hidden", "evaluation_mean", "year", "region",
               "region_key", "id_rank", "name_rank", "cert_bits", "pool_bits", "combo", "contact")  # fmt: skip
ENTRY_LISTS = ("certs", "pools", "industry_keys", "declared", "specialty", "qualification", "engaged",
               "evaluations", "engagements")  # fmt: skip


def _day(iso: str) -> int:
    return OPEN_ENDED if iso == "9999-12-31" else date.fromisoformat(iso).toordinal()


class Store:
    def __init__(self, regions: Sequence[tuple[str, str | None, str]] = ()):
        self.regions = Codes()
        parents: list[str | None] = []
        for code, parent, _ in regions:
            self.regions.add(code)
            parents.append(parent)
        self.region_names = {code: name for code, _, name in regions}
        self.parent = np.zeros(len(self.regions), dtype=np.int16)
        for (code, _, _), parent in zip(regions, parents, strict=True):
            self.parent[self.regions.get(code)] = self.regions.add(parent) if parent else 0
        self.industries, self.specialties, self.qualifications = Codes(), Codes(), Codes()
        self.size = 1  # row 0 is reserved (dead entries point at it)
        self.ids = np.zeros(1024, dtype=f"S{ids_codec.WIDTH}")  # services/search_index/ids.py
        self.names = np.zeros(1024, dtype="S12")
        self.no_name = np.zeros(1024, dtype=bool)
        self.active = np.zeros(1024, dtype=bool)
        self.public = np.zeros(1024, dtype=bool)
        self.contact = np.zeros(1024, dtype=bool)  # may be suggested for activities (contact_for_activities)
        self.hidden = np.zeros(
            1024, dtype=np.uint8
        )  # the fields hidden from each audience (columns.hidden_bit)
        self.evaluation_mean = np.full(1024, NO_EVALUATION, dtype=np.float64)  # over every work type
        self.year = np.full(1024, NO_YEAR, dtype=np.int16)
        self.region = np.zeros(1024, dtype=np.int16)  # BASED_IN
        self.region_key = np.zeros(1024, dtype=np.int16)  # the province it rolls up to
        self.id_rank = np.zeros(1024, dtype=np.int32)
        self.name_rank = np.zeros(1024, dtype=np.int32)
        self.id_order = np.zeros(1, dtype=np.int32)  # every row sorted by id (row 0 first)
        self.name_order = np.zeros(0, dtype=np.int32)  # rows 1.. sorted by (no name, name, id)
        self.certs = Entries(bit=np.int8, until=np.int32)
        self.pools = Entries(pool=np.int8, until=np.int32)
        self.industry_keys = Entries(code=np.int16)
        self.declared = Entries(code=np.int16)
        self.specialty = Entries(code=np.int16)
        self.qualification = Entries(code=np.int16, confirmed=bool)
        self.engaged = Entries(
            code=np.int16
        )  # industries of engagements, for those who hide their industries
        self.evaluations = Entries(kind=np.int8, mean=np.float64, count=np.int32)  # per work type
        self.engagements = Entries(
            kind=np.int8, industry=np.int16, region=np.int16, start=np.int32, end=np.int32
        )
        self.day = 0
        self.cert_bits = np.zeros(1024, dtype=np.int32)
        # The distinct `cert_bits` values (a few hundred even at a million people) and each row's index into
        # them: facets and best levels are worked out once per distinct value, then counted or looked up per row.
        self.combos = np.zeros(1, dtype=np.int32)
        self.combo = np.zeros(1024, dtype=np.int32)
        self._combo_index: dict[int, int] = {0: 0}
        self.version = 0  # goes up with every change of rows or of the day; `memo` forgets on a new one
        self._memo: dict[Any, Any] = {}
        self._memo_version = -1
        self.pool_bits = np.zeros(1024, dtype=np.int8)
        self.revision = 0
        self.epoch: str | None = None

    # --- lookups -----------------------------------------------------------------------------------------

    def rows_of(self, ids: Sequence[str]) -> np.ndarray:
        """Row numbers of these ids (0 for an id the index does not hold)."""
        if not len(ids):
            return np.zeros(0, dtype=np.int64)
        wanted = ids_codec.encode(ids, strict=False)
        held = self.ids[: self.size]
        where = np.searchsorted(held, wanted, sorter=self.id_order)
        rows = self.id_order[np.minimum(where, len(self.id_order) - 1)]
        return np.where(held[rows] == wanted, rows, 0)

    def id_of(self, rows: Sequence[int] | np.ndarray) -> list[str]:
        return ids_codec.decode(self.ids[np.asarray(rows, dtype=np.int64)])

    def within(self, region_index: np.ndarray, wanted: int) -> np.ndarray:
        """Whether each region is `wanted` or one of its cities (graph.reference.WITHIN_REGION)."""
        inside = np.zeros(max(len(self.parent), len(self.regions)), dtype=bool)  # per region code
        inside[: len(self.parent)] = (self.parent == wanted) & (wanted > 0)
        if 0 <= wanted < len(inside):
            inside[wanted] = True
        return inside[region_index]

    # --- changes ----------------------------------------------------------------------------------------

    def _capacity(self, size: int) -> None:
        for name, fill in (
            ("ids", b""), ("names", b""), ("no_name", False), ("active", False), ("public", False), ("hidden", 0),
            ("evaluation_mean", NO_EVALUATION),
            ("year", NO_YEAR), ("region", 0), ("region_key", 0), ("id_rank", 0), ("name_rank", 0),
            ("cert_bits", 0), ("pool_bits", 0), ("combo", 0), ("contact", False),
        ):  # fmt: skip
            setattr(self, name, grow(getattr(self, name), size, fill))

    def reserve(self, practitioners: int, **entries: int) -> None:
        """Room for this many practitioners and entries (an estimate; the cold build trims the rest)."""
        self._capacity(self.size + practitioners)
        for name, count in entries.items():
            getattr(self, name).reserve(count)

    def append(self, rows: list[list[Any]]) -> None:
        """Add practitioners not held yet (the cold build); `finish` ranks them afterwards."""
        # A page of the cold build whose people are all inactive (deleted, suspended) holds no rows.
        if not rows:
            return
        found = np.arange(self.size, self.size + len(rows))
        self._capacity(self.size + len(rows))
        self.size += len(rows)
        self.ids[found] = ids_codec.encode([r[0] for r in rows])
        self._write_rows(found, rows)

    def finish(self, today: date) -> None:
        """Rank ids and names, derive the day's masks, and give back the room the cold build over-allocated."""
        self._rank_ids(np.arange(1, self.size))
        self._rank_names(np.arange(1, self.size))
        kept = room(self.size)
        for name in ROW_COLUMNS:
            if (
                len(getattr(self, name)) > kept + kept // 10
            ):  # reserved from an estimate: copy only a real excess
                setattr(self, name, getattr(self, name)[:kept].copy())
        for entries in self._all_entries():
            entries.trim()
        self._derive_day(today.toordinal(), None)

    def apply(self, rows: list[list[Any]]) -> int:
        """Insert or replace these practitioners (rows from graph/search_index.py); the number applied."""
        if not rows:
            return 0
        found = self.rows_of([r[0] for r in rows])
        new = [i for i, row in enumerate(found) if row == 0]
        if new:
            self._capacity(self.size + len(new))
            found[new] = np.arange(self.size, self.size + len(new))
            self.size += len(new)
            self.ids[found[new]] = ids_codec.encode([rows[i][0] for i in new])
        changed = np.zeros(self.size, dtype=bool)
        changed[found] = True
        for entries in self._all_entries():
            entries.kill(changed)
        self._write_rows(found, rows)
        if new:
            self._rank_ids(found[new])
        self._rank_names(found)
        self._derive_day(self.day, found if len(found) <= BULK else None)
        return len(rows)

    def _all_entries(self) -> tuple[Entries, ...]:
        return tuple(getattr(self, name) for name in ENTRY_LISTS)

    def _write_rows(self, found: np.ndarray, rows: list[list[Any]]) -> None:
        names = [(r[C["name"]] or "").encode() for r in rows]
        width = max(len(name) for name in names)
        if width > self.names.dtype.itemsize:
            self.names = self.names.astype(f"S{width}")
        self.names[found] = names
        self.no_name[found] = [r[C["name"]] is None for r in rows]
        self.active[found] = [r[C["status"]] == "active" for r in rows]
        self.public[found] = [r[C["public"]] is True for r in rows]
        self.contact[found] = [r[C["contact"]] is not False for r in rows]  # absent: on by default
        self.hidden[found] = [hidden_byte(r[C["hidden_public"]], r[C["hidden_clients"]]) for r in rows]
        self.evaluation_mean[found] = [
            NO_EVALUATION if r[C["evaluation_mean"]] is None else r[C["evaluation_mean"]] for r in rows
        ]
        self.year[found] = [NO_YEAR if r[C["year"]] is None else r[C["year"]] for r in rows]
        regions = self.regions
        self.region[found] = [regions.add(r[C["region"]]) for r in rows]
        self.region_key[found] = [regions.add(r[C["region_key"]]) for r in rows]
        if len(regions) > len(self.parent):
            self.parent = grow(self.parent, len(regions))
        certs: dict[str, list[int]] = {"row": [], "bit": [], "until": []}
        pools: dict[str, list[int]] = {"row": [], "pool": [], "until": []}
        qualifications: dict[str, list[Any]] = {"row": [], "code": [], "confirmed": []}
        evaluations: dict[str, list[Any]] = {"row": [], "kind": [], "mean": [], "count": []}
        lists: dict[str, tuple[list[int], list[int]]] = {
            "industry_keys": ([], []), "declared": ([], []), "specialty": ([], []), "engaged": ([], []),
        }  # fmt: skip
        tables = {"industry_keys": self.industries, "declared": self.industries, "specialty": self.specialties,
                  "engaged": self.industries}  # fmt: skip
        columns = {"industry_keys": C["industry_keys"], "declared": C["declared"], "specialty": C["specialties"],
                   "engaged": C["engaged_industries"]}  # fmt: skip
        eng: dict[str, list[int]] = {k: [] for k in ("row", "kind", "industry", "region", "start", "end")}
        for row, r in zip(found.tolist(), rows, strict=True):
            if r[C["status"]] != "active":
                continue  # only active people are found; their other facts are not needed
            for key in r[C["cert_keys"]] or ():
                work_type, level, until = key.split("|")
                certs["row"].append(row)
                certs["bit"].append(cert_bit(work_type, int(level)))
                certs["until"].append(_day(until))
            for key in r[C["pool_keys"]] or ():
                pool, until = key.split("|")
                pools["row"].append(row)
                pools["pool"].append(POOL_INDEX[pool])
                pools["until"].append(_day(until))
            for name, column in columns.items():
                table = tables[name]
                for code in r[column] or ():
                    lists[name][0].append(row)
                    lists[name][1].append(table.add(code))
            for code, confirmed in r[C["qualifications"]] or ():
                qualifications["row"].append(row)
                qualifications["code"].append(self.qualifications.add(code))
                qualifications["confirmed"].append(confirmed)
            for key in r[C["evaluation_keys"]] or ():
                work_type, mean, count = key.split("|")
                if work_type in WORK_TYPE_INDEX:
                    evaluations["row"].append(row)
                    evaluations["kind"].append(WORK_TYPE_INDEX[work_type])
                    evaluations["mean"].append(float(mean))
                    evaluations["count"].append(int(count))
            for kind, industry, region, start, end in r[C["engagements"]] or ():
                if kind not in WORK_TYPE_INDEX:
                    continue
                eng["row"].append(row)
                eng["kind"].append(WORK_TYPE_INDEX[kind])
                eng["industry"].append(self.industries.add(industry))
                eng["region"].append(regions.add(region))
                eng["start"].append(date.fromisoformat(start).toordinal() if start else 0)
                eng["end"].append(date.fromisoformat(end).toordinal() if end else 0)
        for entries, values in ((self.certs, certs), (self.pools, pools), (self.qualification, qualifications),
                                (self.evaluations, evaluations), (self.engagements, eng)):  # fmt: skip
            entries.extend(values.pop("row"), **values)
        for name, (entry_rows, codes) in lists.items():
            getattr(self, name).extend(entry_rows, code=codes)

    def _rank_ids(self, new_rows: np.ndarray) -> None:
        # id_order holds every row, row 0 (id b"") first, so searchsorted can use it as a sorter.
        held = self.ids[: self.size]
        if len(new_rows) > BULK or len(self.id_order) + len(new_rows) != self.size:
            self.id_order = np.argsort(held, kind="stable").astype(np.int32)
        else:
            for row in new_rows.tolist():
                key, order = bytes(held[row]), self.id_order
                low, high = 0, len(order)
                while low < high:
                    mid = (low + high) // 2
                    if bytes(held[order[mid]]) < key:
                        low = mid + 1
                    else:
                        high = mid
                self.id_order = np.insert(order, low, row)
        self.id_rank[self.id_order] = np.arange(self.size)

    def _name_key(self, row: int) -> tuple[bool, bytes, int]:
        return bool(self.no_name[row]), bytes(self.names[row]), int(self.id_rank[row])

    def _rank_names(self, changed: np.ndarray) -> None:
        n = self.size
        if len(changed) > BULK or not len(self.name_order):
            order = np.lexsort((self.id_rank[1:n], self.names[1:n], self.no_name[1:n])) + 1
            self.name_order = order.astype(np.int32)
        else:
            keep = ~np.isin(self.name_order, changed)
            order = self.name_order[keep]
            for row in changed.tolist():
                key = self._name_key(row)
                low, high = 0, len(order)
                while low < high:
                    mid = (low + high) // 2
                    if self._name_key(int(order[mid])) < key:
                        low = mid + 1
                    else:
                        high = mid
                order = np.insert(order, low, row)
            self.name_order = order
        self.name_rank[self.name_order] = np.arange(1, len(self.name_order) + 1)

    # --- the day ------------------------------------------------------------------------------------------

    def at(self, today: date) -> None:
        """Make `cert_bits` and `pool_bits` say what is valid on `today`."""
        day = today.toordinal()
        if day != self.day:
            self._derive_day(day, None)

    def memo(self, key: Any, compute: Any) -> Any:
        """`compute()`, kept until the rows or the day change (derived arrays several queries share)."""
        if self._memo_version != self.version or len(self._memo) >= MEMO_SIZE:
            self._memo, self._memo_version = {}, self.version
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def _derive_day(self, day: int, rows: np.ndarray | None) -> None:
        self._derive_bits(day, rows)
        self._derive_combos(rows)
        self.version += 1

    def _derive_combos(self, rows: np.ndarray | None) -> None:
        if rows is None:
            values, inverse = np.unique(self.cert_bits[: self.size], return_inverse=True)
            self.combos = values.astype(np.int32)
            self.combo[: self.size] = inverse
            self.index_combos()
            return
        for row, value in zip(rows.tolist(), self.cert_bits[rows].tolist(), strict=True):
            found = self._combo_index.get(value)
            if found is None:
                found = self._combo_index[value] = len(self.combos)
                self.combos = np.append(self.combos, np.int32(value))
            self.combo[row] = found

    def index_combos(self) -> None:
        """Rebuild the lookup from a `cert_bits` value to its index in `combos` (after a load)."""
        self._combo_index = {value: i for i, value in enumerate(self.combos.tolist())}

    def _derive_bits(self, day: int, rows: np.ndarray | None) -> None:
        self.day = day
        if rows is None:
            self.cert_bits[:] = 0
            self.pool_bits[:] = 0
            certs, pools = self.certs, self.pools
            valid = (certs.until >= day) & (certs.rows != 0)
            for bit in range(24):
                self.cert_bits[certs.rows[valid & (certs.bit == bit)]] |= np.int32(1 << bit)
            valid = (pools.until >= day) & (pools.rows != 0)
            for pool in range(len(POOL_INDEX)):
                self.pool_bits[pools.rows[valid & (pools.pool == pool)]] |= np.int8(1 << pool)
            return
        self.cert_bits[rows] = 0
        self.pool_bits[rows] = 0
        wanted = np.zeros(self.size, dtype=bool)
        wanted[rows] = True
        certs = self.certs
        for i in np.flatnonzero(wanted[certs.rows] & (certs.until >= day)).tolist():
            self.cert_bits[certs.rows[i]] |= np.int32(1 << int(certs.bit[i]))
        pools = self.pools
        for i in np.flatnonzero(wanted[pools.rows] & (pools.until >= day)).tolist():
            self.pool_bits[pools.rows[i]] |= np.int8(1 << int(pools.pool[i]))

    def memory_bytes(self) -> int:
        arrays = [getattr(self, name) for name in ROW_COLUMNS] + [self.id_order, self.name_order, self.combos]
        return sum(a.nbytes for a in arrays) + sum(e.nbytes() for e in self._all_entries())
