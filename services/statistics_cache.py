"""The statistics snapshot of a process: the facts of one revision of the graph and the answers computed on them,
kept up to date by reading only what changed, and stored on disk so that a restarted server answers at once.

Why a file: reading every fact from the graph takes minutes at a million people (92 s for the first
`/stats/supply` after a start), while loading the facts this process last held takes seconds; what changed since
they were read is then read as after any write (`graph.statistics.read_changes`). The file is written after each
full read and at most every `save_seconds` after a refresh, signed with an HMAC under the registry's secret key
(a file someone else wrote is never unpickled), and used only while the graph's revision epoch is the one it was
read from (a wiped or replaced graph is read again). Until the revision has been checked against the graph, the
answers of a loaded snapshot say `fresh: false`, as answers do while a refresh is under way.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import logging
import os
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from graph import statistics as repo
from graph.driver import Graph
from registry import statistics as stats

ROOT = Path(__file__).resolve().parent.parent
LOG = logging.getLogger("registry.statistics")
# What a file holds changes with the facts' records: a file of another format is read again, never misread.
FILE_FORMAT = b"cmr-statistics-snapshot/1"


@dataclass(frozen=True)
class StatisticsSettings:
    """Rules an operator may change: the privacy threshold and what coverage counts."""

    minimum_cell: int = stats.DEFAULT_MINIMUM_CELL
    verifier_max_level: int = stats.DEFAULT_VERIFIER_MAX_LEVEL
    coverage_target: float = stats.DEFAULT_COVERAGE_TARGET
    cache_size: int = 512
    # "background": after a write, answer from the previous snapshot (`snapshot.fresh` false) while a thread
    # reads the new one; "sync": the request that sees the change waits for the new snapshot.
    refresh: str = "background"
    # With background refresh, the revision is read at most this often per process: a warm answer then
    # needs no round trip to the graph. Answers lag a write by up to this plus the snapshot read.
    check_seconds: float = 1.0
    # Where a server keeps its snapshot between starts ("" for nowhere), and how often a refreshed one is saved.
    snapshots: str = str(ROOT / "var" / "statistics")
    save_seconds: float = 900.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> StatisticsSettings:
        return cls(
            minimum_cell=int(env.get("STATS_MINIMUM_CELL", stats.DEFAULT_MINIMUM_CELL)),
            verifier_max_level=int(env.get("STATS_VERIFIER_MAX_LEVEL", stats.DEFAULT_VERIFIER_MAX_LEVEL)),
            coverage_target=float(env.get("STATS_COVERAGE_TARGET", stats.DEFAULT_COVERAGE_TARGET)),
            cache_size=int(env.get("STATS_CACHE_SIZE", 512)),
            refresh=env.get("STATS_REFRESH", "background"),
            check_seconds=float(env.get("STATS_CHECK_SECONDS", 1.0)),
            snapshots=env.get("STATS_SNAPSHOTS", str(ROOT / "var" / "statistics")),
            save_seconds=float(env.get("STATS_SNAPSHOT_SAVE_SECONDS", 900)),
        )


class Snapshot:
    """The facts of one revision and the answers computed on them (least recently used out first)."""

    def __init__(
        self,
        key: tuple[Any, ...],
        store: stats.FactStore,
        capacity: int,
        facts: stats.Facts | None = None,
        answers: Mapping[tuple[Any, ...], Any] | None = None,
    ) -> None:
        self.key = key
        self.store = store
        day = key[-1] if isinstance(key[-1], date) else date.today()
        self.facts = facts if facts is not None else store.facts(day)
        self.read_at = datetime.now(UTC)
        self.capacity = capacity
        self._answers: OrderedDict[tuple[Any, ...], Any] = OrderedDict(answers or {})
        self._lock = threading.Lock()

    def remember(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """The value kept for `key`, computed the first time."""
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        value = compute()
        with self._lock:
            self._answers[key] = value
            while len(self._answers) > self.capacity:
                self._answers.popitem(last=False)
        return value

    def answers(self) -> dict[tuple[Any, ...], Any]:
        """The answers kept now."""
        with self._lock:
            return dict(self._answers)


@dataclass(frozen=True)
class SnapshotFile:
    """Where this server keeps its snapshot between starts, and the key its contents are signed with."""

    path: Path
    key: bytes

    @classmethod
    def of(cls, folder: str, uri: str, database: str, secret: bytes) -> SnapshotFile:
        digest = hashlib.sha256(f"{uri}|{database}".encode()).hexdigest()[:16]
        signing = hmac.new(secret, b"carbon-registry statistics snapshot v1", hashlib.sha256).digest()
        return cls(Path(folder) / f"{database}-{digest}.pickle", signing)

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the file's lock: one process of the host reads the graph, the others then load what it saved."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def save(self, snapshot: Snapshot, epoch: str | None) -> None:
        """Write the snapshot (facts and answers) atomically, signed."""
        body = pickle.dumps(
            {"epoch": epoch, "key": snapshot.key, "store": snapshot.store, "facts": snapshot.facts,
             "answers": snapshot.answers()},
            protocol=pickle.HIGHEST_PROTOCOL,
        )  # fmt: skip
        mac = hmac.new(self.key, FILE_FORMAT + body, hashlib.sha256).digest()
        partial = self.path.with_suffix(f".{os.getpid()}.partial")
        with open(partial, "wb") as out:
            out.write(FILE_FORMAT + b"\n" + mac + body)
        os.replace(partial, self.path)

    def load(self, epoch: str | None, today: date, capacity: int) -> Snapshot | None:
        """The saved snapshot if it is this graph's (same epoch) and ours (signature); None otherwise.

        A snapshot of another day keeps its facts (they do not depend on the day) but not its answers."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        header, _, rest = data.partition(b"\n")
        mac, body = rest[:32], rest[32:]
        if header != FILE_FORMAT or not hmac.compare_digest(
            mac, hmac.new(self.key, FILE_FORMAT + body, hashlib.sha256).digest()
        ):
            LOG.warning("statistics snapshot %s is not ours or of another format: ignored", self.path)
            return None
        saved = pickle.loads(body)  # signed with our key above: written by this registry
        if epoch is None or saved["epoch"] != epoch:
            return None
        if saved["key"][-1] == today:
            return Snapshot(saved["key"], saved["store"], capacity, saved["facts"], saved["answers"])
        return Snapshot((*saved["key"][:-1], today), saved["store"], capacity)


class SnapshotCache:
    """The snapshot of the graph's current revision, per process; thread-safe.

    Every answer first reads the revision key (graph/statistics.revision: a few index seeks). When it moved,
    the snapshot is read again: in the background (the old snapshot answers meanwhile, marked not fresh) or,
    with refresh "sync" or when there is no usable snapshot yet, by the request itself. Only what changed is
    read again, also on a new day (the facts do not depend on the day, the answers do).
    """

    def __init__(self, settings: StatisticsSettings | None = None) -> None:
        self.settings = settings or StatisticsSettings()
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()  # one snapshot read at a time
        self._snapshot: Snapshot | None = None
        self._refreshing = False
        self._checked: tuple[float, tuple[Any, ...]] | None = None  # when the revision was last read, and it
        self._file: SnapshotFile | None = None
        self._saved = 0.0  # time.monotonic() of the last save

    def warm(self, snapshot: Snapshot, today: date) -> None:
        """Compute the usual answers on a new snapshot before it is swapped in (services/statistics.py)."""

    def snapshot(self, graph: Graph, today: date) -> tuple[Snapshot, bool]:
        """The snapshot to answer from and whether it is of the current revision (as last checked).

        With background refresh and a snapshot, a request never waits for the graph: when the last check is
        older than `check_seconds` (or the snapshot is of another day), a thread reads the revision and, if it
        moved, the changes; meanwhile a snapshot not known to be current answers with fresh false.
        """
        with self._lock:
            checked, current = self._checked, self._snapshot
            if self.settings.refresh == "background" and current is not None:
                stale_day = current.key[-1] != today
                due = checked is None or time.monotonic() - checked[0] >= self.settings.check_seconds
                if (due or stale_day) and not self._refreshing:
                    self._refreshing = True
                    threading.Thread(target=self._refresh, args=(graph, today), daemon=True).start()
                return current, not stale_day and checked is not None and current.key == checked[1]
        key = (graph.read(repo.revision), today)
        with self._lock:
            self._checked = (time.monotonic(), key)
            current = self._snapshot
            if current is not None and current.key == key:
                return current, True
        return self._load(graph, today), True

    def _load(self, graph: Graph, today: date, *, warm_up: bool = False, locked: bool = False) -> Snapshot:
        with self._load_lock:
            key = (graph.read(repo.revision), today)
            with self._lock:
                if self._snapshot is not None and self._snapshot.key == key:
                    return self._snapshot
            # The key is read before the facts: a write in between makes the next check read them again.
            previous = self._snapshot
            if previous is not None and previous.key[0][-1] != key[0][-1]:
                previous = None  # another epoch: the graph was replaced, people may be gone (read it whole)
            # Only what changed, or everything: the first read of a process without a saved snapshot.
            store = (
                graph.read(repo.read_changes, previous.store)
                if previous is not None
                else graph.read(repo.read_store)
            )
            snapshot = Snapshot(key, store, self.settings.cache_size)
            if warm_up:  # a background refresh: the usual answers are ready before the snapshot is swapped in
                self.warm(snapshot, today)
            with self._lock:
                self._snapshot = snapshot
                self._checked = (time.monotonic(), key)
            if self._file is not None and (
                previous is None or time.monotonic() - self._saved >= self.settings.save_seconds
            ):
                self._save(snapshot, locked=locked)
            return snapshot

    def _save(self, snapshot: Snapshot, *, locked: bool) -> None:
        """Save the snapshot to the file, under its lock unless this process holds it already (start)."""
        assert self._file is not None
        try:
            epoch = snapshot.key[0][-1]  # graph.statistics.revision ends with the epoch
            if locked:
                self._file.save(snapshot, epoch)
            else:
                with self._file.exclusive():
                    self._file.save(snapshot, epoch)
            self._saved = time.monotonic()
        except Exception:  # a full disk must not stop the answers
            LOG.exception("statistics snapshot could not be saved to %s", self._file.path)

    def _refresh(self, graph: Graph, today: date) -> None:
        """Read the revision; if it moved, read what changed and swap the new snapshot in (one at a time)."""
        try:
            key = (graph.read(repo.revision), today)
            with self._lock:
                current = self._snapshot
            if current is None or current.key != key:
                self._load(graph, today, warm_up=True)
            with self._lock:
                self._checked = (time.monotonic(), key)
        except Exception:  # the next request tries again; a failed refresh must not end the worker
            LOG.exception("statistics snapshot refresh failed")
        finally:
            with self._lock:
                self._refreshing = False

    def start(self, graph: Graph, today: date, file: SnapshotFile | None) -> None:
        """A server process's start: the saved snapshot (one process of the host reads the graph when there is
        none, the others wait for its file), then what changed since, before the first request."""
        self._file = file
        loaded = None
        if file is not None:
            epoch = graph.read(repo.revision)[-1] or graph.write(repo.ensure_epoch)
            with file.exclusive():
                loaded = file.load(epoch, today, self.settings.cache_size)
                if loaded is None:
                    self._load(graph, today, warm_up=True, locked=True)  # saves the file for the others
                    return
            # Today's usual answers the file does not hold (saved on another day, or without the administrators'
            # answers): computed now, so that no first request computes them.
            self.warm(loaded, today)
            with self._lock:
                self._snapshot, self._checked, self._refreshing = loaded, None, True
            self._refresh(graph, today)  # answers meanwhile say fresh: false
            return
        self._load(graph, today, warm_up=True)

    def clear(self) -> None:
        with self._lock:
            self._snapshot = None

    @property
    def current(self) -> Snapshot | None:
        """The snapshot answers come from now; None before the first is read."""
        return self._snapshot
