"""The Neo4j driver's lifecycle: one driver per process, managed transactions for every use case."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import neo4j

T = TypeVar("T")

# Once the driver has found the graph unreachable (ServiceUnavailable, after its own retries: 6–7.8 s), calls fail
# at once for this long; then one caller probes (verify_connectivity, no retries) while the others still fail.
UNREACHABLE_SECONDS = 2.0


class Graph:
    """A driver bound to one database; repositories receive it and run their Cypher through it."""

    def __init__(self, uri: str, user: str, password: str, database: str = "neo4j", **driver_options: Any):
        self.database = database
        self.driver = neo4j.GraphDatabase.driver(
            uri,
            auth=(user, password),
            user_agent="carbon-manager-registry/0.1",
            connection_acquisition_timeout=10.0,
            connection_timeout=5.0,
            # An API request should fail fast when the graph is down rather than retry for the default 30 s.
            max_transaction_retry_time=5.0,
            # Schema-less warnings ("property does not exist yet") are noise in a fresh graph.
            notifications_min_severity="OFF",
            **driver_options,
        )
        # time.monotonic() until which the graph counts as unreachable (0: it is not), and how long that lasts
        self.unreachable_until = 0.0
        self.unreachable_seconds = UNREACHABLE_SECONDS
        self._probing = threading.Lock()

    @contextlib.contextmanager
    def _session(self, **options: Any) -> Iterator[neo4j.Session]:
        """A session on the database; ServiceUnavailable at once while the graph is known to be unreachable."""
        self._fail_fast()
        try:
            with self.driver.session(database=self.database, **options) as session:
                yield session
        except neo4j.exceptions.ServiceUnavailable:
            self.unreachable_until = time.monotonic() + self.unreachable_seconds
            raise

    def _fail_fast(self) -> None:
        if not self.unreachable_until:
            return
        if time.monotonic() < self.unreachable_until or not self._probing.acquire(blocking=False):
            raise neo4j.exceptions.ServiceUnavailable("Neo4j was unreachable moments ago; not tried yet")
        try:
            self.driver.verify_connectivity()
        except neo4j.exceptions.ServiceUnavailable:
            self.unreachable_until = time.monotonic() + self.unreachable_seconds
            raise
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError):
            pass  # it answers (a wrong password, say): the call itself reports what is wrong
        finally:
            self._probing.release()
        self.unreachable_until = 0.0

    def read(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `work(tx, ...)` in a managed read transaction (retried on transient errors)."""
        with self._session(default_access_mode=neo4j.READ_ACCESS) as session:
            return session.execute_read(work, *args, **kwargs)

    def write(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `work(tx, ...)` in a managed write transaction (retried on transient errors)."""
        with self._session() as session:
            return session.execute_write(work, *args, **kwargs)

    def read_leader(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run read-only `work(tx, ...)` on the leader, which has every committed write, from any process (retried).

        A cluster routes only write transactions to the leader (`execute_read` goes to a reader whatever the
        session's mode; bookmarks would cover this process's own writes only), so this is `execute_write` of a
        function that writes nothing; on a single server it is an ordinary transaction.
        """
        with self._session() as session:
            return session.execute_write(work, *args, **kwargs)

    def server_info(self) -> dict[str, str]:
        """The server's version and edition, from dbms.components()."""
        # An auto-commit query: a readiness probe must answer at once, not retry.
        with self._session(default_access_mode=neo4j.READ_ACCESS) as session:
            record = session.run(
                "CALL dbms.components() YIELD versions, edition RETURN versions[0] AS version, edition"
            ).single(strict=True)
        return {"version": record["version"], "edition": record["edition"]}

    def close(self) -> None:
        """Close the driver's connection pool."""
        self.driver.close()


def graph_from_settings(settings: Any) -> Graph:
    """A Graph for the service's Settings."""
    return Graph(
        settings.neo4j_uri,
        settings.neo4j_user,
        settings.neo4j_password,
        settings.neo4j_database,
        max_connection_pool_size=settings.max_connection_pool_size,
    )
