"""Writing batches (imports, synthetic data): one batch's people and certificates with their derived pools in one
transaction (`write_batch`), on one background thread while the caller prepares the next one (`BatchWriter`).

A batch is all-or-nothing and pools never disagree with certificates. People are created the one way practitioners
are created (`graph.practitioners.create_practitioners`, matched on their ID-card hash) and certificates are matched
on their number (graph/bulk.py); ones already stored are left as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

import neo4j

from graph import bulk as repo
from graph.driver import Graph
from graph.practitioners import create_practitioners
from services.pools import rederive

T = TypeVar("T")


class BatchWriter(Generic[T]):
    """Runs each batch's transaction function with `graph.write` (so the driver retries it) on one thread.

    At most one batch is in flight and batches commit in order, so each sees what the earlier ones stored;
    `on_result` receives each batch's result on the caller's thread.
    """

    def __init__(self, graph: Graph, on_result: Callable[[T], None]) -> None:
        self.graph = graph
        self.on_result = on_result
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-writer")
        self.in_flight: Future[T] | None = None

    def submit(self, work: Callable[..., T], *args: Any) -> None:
        """Wait for the previous batch, then start writing this one."""
        self.wait()
        self.in_flight = self.executor.submit(self.graph.write, work, *args)

    def wait(self) -> None:
        """Wait for the batch in flight (re-raising its error) and hand over its result."""
        if self.in_flight is not None:
            future, self.in_flight = self.in_flight, None
            self.on_result(future.result())

    def __enter__(self) -> BatchWriter[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self.wait()
        finally:
            self.executor.shutdown(wait=True)


@dataclass
class BatchResult:
    """What one batch created, and the practitioners whose certificates changed."""

    people_created: int = 0
    certificates_created: int = 0
    holders: tuple[str, ...] = ()  # whose new certificates this batch wrote
    created: tuple[str, ...] = ()  # the practitioners it created


def write_batch(
    tx: neo4j.ManagedTransaction,
    people: list[dict[str, Any]],
    certificates: list[dict[str, Any]],
    *,
    today: date,
    reason: str,
    import_batch: str | None = None,
    derive: bool = True,
) -> BatchResult:
    """Create the new people (`practitioner_row`s) and certificates of one batch and re-derive pools and search
    keys of everyone touched (`derive=False` leaves that to a caller that writes more first)."""
    created_people = create_practitioners(tx, people, today)
    created_certificates, holders = 0, []
    if certificates:
        created_certificates, holders = repo.create_certificates(
            tx, certificates, reason=reason, import_batch=import_batch
        )
    if derive:
        rederive(tx, [person["id"] for person in people] + list(holders), today)
    return BatchResult(
        len(created_people), created_certificates, tuple(holders), tuple(sorted(created_people))
    )


def write_synthetic_batch(
    tx: neo4j.ManagedTransaction,
    people: list[dict[str, Any]],
    certificates: list[dict[str, Any]],
    engagements: list[dict[str, Any]],
    today: date,
) -> BatchResult:
    """One batch of a synthetic registry: people, certificates and engagements, then pools and search keys."""
    result = write_batch(tx, people, certificates, today=today, reason="synthetic registry", derive=False)
    repo.create_engagements(tx, engagements)
    # After the engagements: a person's industry keys include the industries of their engagements.
    rederive(tx, [person["id"] for person in people], today)
    return result
