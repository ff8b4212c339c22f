"""Writing batches on one background thread while the caller prepares the next one (imports, synthetic data)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from graph.driver import Graph

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
