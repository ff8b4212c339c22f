"""Index snapshots on local disk: the processes of one host build the index once and share it.

The first process to start takes a file lock, builds the index from Neo4j and saves its arrays (one `.npz`
per Neo4j database, written atomically); the others wait on the lock and load the file, then apply the
changes stamped since (the usual refresh). A snapshot is used only while the graph's revision epoch is the one
it was taken at, so a wiped or replaced graph is rebuilt from scratch. Deleting the folder is always safe.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from services.search_index.columns import Codes, Entries, room
from services.search_index.store import ENTRY_LISTS, ROW_COLUMNS, Store

ROWS = (*ROW_COLUMNS, "id_order", "name_order", "parent", "combos")
ENTRIES = ENTRY_LISTS
# What the file holds changes with the index's columns: a file of another format is rebuilt, never misread.
FORMAT = (
    "3:"
    + ",".join(ROWS)
    + ";"
    + ",".join(f"{name}({'/'.join(vars(Store())[name].columns)})" for name in ENTRIES)
)
CODES = ("regions", "industries", "specialties", "qualifications")


def path_for(folder: str | Path, uri: str, database: str) -> Path:
    """The snapshot file of one Neo4j database."""
    digest = hashlib.sha256(f"{uri}|{database}".encode()).hexdigest()[:16]
    return Path(folder) / f"{database}-{digest}.npz"


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold the snapshot's lock file (one builder per host at a time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def save(path: Path, store: Store, reference: dict[str, Any]) -> None:
    arrays: dict[str, np.ndarray] = {f"row.{name}": getattr(store, name) for name in ROWS}
    for name in ENTRIES:
        entries: Entries = getattr(store, name)
        arrays[f"{name}.row"] = entries.rows
        for column, values in entries.columns.items():
            arrays[f"{name}.{column}"] = values[: entries.size]
    meta = {
        "format": FORMAT, "size": store.size, "day": store.day, "revision": store.revision, "epoch": store.epoch,
        "codes": {name: getattr(store, name).codes for name in CODES}, "region_names": store.region_names,
        "reference": reference,
    }  # fmt: skip
    arrays["meta"] = np.array(json.dumps(meta, ensure_ascii=False))
    partial = path.with_suffix(f".{os.getpid()}.tmp.npz")
    np.savez(partial, **arrays)  # pyright: ignore[reportArgumentType]  # numpy's stub types **kwds as allow_pickle
    os.replace(partial, path)


def _with_room(values: np.ndarray) -> np.ndarray:
    """A copy of a saved entry column with the room a build leaves (`columns.room`): the first changes after a load
    then need no bigger arrays (growing by an eighth took 6.6 MB more at a million people)."""
    copy = np.zeros(room(len(values)), dtype=values.dtype)
    copy[: len(values)] = values
    return copy


def load(path: Path) -> tuple[Store, dict[str, Any]] | None:
    """The saved store and reference data, or None when there is no usable file."""
    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    with data:
        meta = json.loads(str(data["meta"]))
        if meta.get("format") != FORMAT:
            return None
        store = Store()
        for name in CODES:
            table = Codes()
            for code in meta["codes"][name][1:]:
                table.add(code)
            setattr(store, name, table)
        store.region_names = meta["region_names"]
        for name in ROWS:
            setattr(store, name, data[f"row.{name}"].copy())
        for name in ENTRIES:
            entries: Entries = getattr(store, name)
            entries.size = len(data[f"{name}.row"])
            entries.row = _with_room(data[f"{name}.row"])
            entries.columns = {column: _with_room(data[f"{name}.{column}"]) for column in entries.columns}
        store.size, store.day = meta["size"], meta["day"]
        store.revision, store.epoch = meta["revision"], meta["epoch"]
        store.index_combos()
    return store, meta["reference"]
