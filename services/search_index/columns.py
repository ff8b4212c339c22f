"""Growable numpy columns, code tables, and the per-row entry lists (certificates, pools, industries …).

Every practitioner is a row number; row 0 is reserved and never active, so an entry whose row is 0 is dead
(its person changed and the entry was replaced) and drops out of every mask without a separate check.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from registry.taxonomy import LEVELS, POOLS, WORK_TYPES

WORK_TYPE_INDEX = {w.code: i for i, w in enumerate(WORK_TYPES)}
WORK_TYPE_CODES = [w.code for w in WORK_TYPES]
LEVEL_RANKS = sorted(level.rank for level in LEVELS)  # 1 (highest) … 4
POOL_INDEX = {p.code: i for i, p in enumerate(POOLS)}
POOL_CODES = [p.code for p in POOLS]
NO_YEAR = 9999  # coalesce(p.work_start_year, 9999)
NO_LEVEL = 9  # best_level of someone without a matching valid certificate
NO_EVALUATION = -1.0  # graph/search.py's EVALUATION_MEAN for nobody evaluated

# The fields a person may hide that search or matching read (graph/search.py `visibility_clauses`,
# registry/visibility.py `_CANDIDATE_FACTS`): one bit each per audience in a row's `hidden` byte.
HIDDEN_FIELDS = ("specialties", "qualifications", "industries", "bio")
AUDIENCES = ("public", "clients")


def hidden_bit(audience: str, field: str) -> int:
    """The bit of `field` hidden from `audience` in a row's `hidden` byte (low nibble public, high clients)."""
    return 1 << (4 * AUDIENCES.index(audience) + HIDDEN_FIELDS.index(field))


def hidden_byte(hidden_public: Iterable[str] | None, hidden_clients: Iterable[str] | None) -> int:
    """A row's `hidden` byte from the lists stored on the node (services/profiles.py `stored_visibility`)."""
    byte = 0
    for audience, fields in zip(AUDIENCES, (hidden_public, hidden_clients), strict=True):
        for field in fields or ():
            if field in HIDDEN_FIELDS:
                byte |= hidden_bit(audience, field)
    return byte


def cert_bit(work_type: str, level: int) -> int:
    """The bit of (work type, level) in a row's certificate mask."""
    return WORK_TYPE_INDEX[work_type] * 4 + (level - 1)


def bits(work_types: Iterable[str], levels: Iterable[int]) -> int:
    mask = 0
    levels = list(levels)
    for work_type in work_types:
        for level in levels:
            mask |= 1 << cert_bit(work_type, level)
    return mask


ALL_CERT_BITS = bits(WORK_TYPE_CODES, LEVEL_RANKS)


class Codes:
    """A code table: code ↔ small integer, index 0 meaning "none"; unknown codes are added as they appear."""

    def __init__(self, codes: Iterable[str] = ()):
        self.codes: list[str | None] = [None]
        self.index: dict[str, int] = {}
        for code in codes:
            self.add(code)

    def add(self, code: str | None) -> int:
        if code is None:
            return 0
        found = self.index.get(code)
        if found is None:
            found = self.index[code] = len(self.codes)
            self.codes.append(code)
        return found

    def get(self, code: str | None) -> int:
        """The index of `code`, or -1 when it is unknown (so it matches nothing)."""
        if code is None:
            return 0
        return self.index.get(code, -1)

    def __len__(self) -> int:
        return len(self.codes)


def room(size: int) -> int:
    """The capacity a column of `size` items keeps after a build or a load: a few changes need no bigger arrays."""
    return size + size // 100 + 64


def grow(array: np.ndarray, size: int, fill: Any = 0) -> np.ndarray:
    """`array` with room for at least `size` items, new items set to `fill`. Capacity grows by an eighth (not
    doubling), so a registration after the compact cold build of a million people costs ~12 %, not 100 %."""
    if size <= len(array):
        return array
    bigger = np.full(max(size, len(array) + len(array) // 8 + 1024), fill, dtype=array.dtype)
    bigger[: len(array)] = array
    return bigger


class Entries:
    """Rows of (row, columns…) held in parallel numpy arrays; `kill` detaches the entries of some rows."""

    def __init__(self, **dtypes: Any):
        self.size = 0
        self.row = np.zeros(1024, dtype=np.int32)
        self.columns = {name: np.zeros(1024, dtype=dtype) for name, dtype in dtypes.items()}
        self.dead = 0

    def __getattr__(self, name: str) -> np.ndarray:
        columns = self.__dict__.get("columns", {})
        if name in columns:
            return columns[name][: self.size]
        raise AttributeError(name)

    @property
    def rows(self) -> np.ndarray:
        return self.row[: self.size]

    def extend(self, rows: list[int], **values: list[Any]) -> None:
        count = len(rows)
        if not count:
            return
        end = self.size + count
        self.row = grow(self.row, end)
        self.row[self.size : end] = rows
        for name, column in self.columns.items():
            column = self.columns[name] = grow(column, end)
            column[self.size : end] = values[name]
        self.size = end

    def reserve(self, count: int) -> None:
        """Room for `count` more entries without growing."""
        end = self.size + count
        self.row = grow(self.row, end)
        self.columns = {name: grow(column, end) for name, column in self.columns.items()}

    def kill(self, row_mask: np.ndarray) -> None:
        """Detach every entry whose row is set in the boolean `row_mask` (it then points at row 0)."""
        rows = self.rows
        hit = row_mask[rows] & (rows != 0)
        self.dead += int(np.count_nonzero(hit))
        rows[hit] = 0

    def trim(self) -> None:
        """Release the capacity beyond the entries held (plus a little room for changes)."""
        kept = room(self.size)
        if len(self.row) <= kept + kept // 10:
            return  # reserved from an estimate close to what came: copying would only double the peak
        self.row = self.row[:kept].copy()
        self.columns = {name: column[:kept].copy() for name, column in self.columns.items()}

    def nbytes(self) -> int:
        return self.row.nbytes + sum(column.nbytes for column in self.columns.values())
