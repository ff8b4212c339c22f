"""Loading a synthetic registry (`seed.synthetic`): organizations, then people, certificates and engagements."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from graph import bulk
from graph.driver import Graph
from graph.practitioners import practitioner_row
from registry.identifiers import id_card_hash, id_card_tail
from seed.synthetic import Batch, SyntheticRegistry
from services.batches import BatchWriter


def load_synthetic(
    graph: Graph,
    registry: SyntheticRegistry,
    *,
    id_card_key: bytes,
    today: date,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write the registry batch by batch; returns how many organizations, people, certificates and engagements
    were written (people and certificates already stored are not written again)."""
    counts = {"organizations": 0, "practitioners": 0, "certificates": 0, "engagements": 0}
    organizations = registry.organizations
    for start in range(0, len(organizations), batch_size):
        chunk = organizations[start : start + batch_size]
        counts["organizations"] += graph.write(bulk.upsert_organizations, chunk)

    def tally(result: bulk.BatchResult) -> None:
        counts["practitioners"] += result.people_created
        counts["certificates"] += result.certificates_created

    # Generating the next batch overlaps writing this one.
    with BatchWriter[bulk.BatchResult](graph, tally) as writer:
        for batch in registry.batches(batch_size):
            _load_batch(writer, batch, id_card_key, today)
            counts["engagements"] += len(batch.engagements)
            if progress:
                progress(len(batch.practitioners))
    return counts


def has_practitioners(graph: Graph) -> bool:
    """Whether the registry holds any practitioner yet (`generate --if-empty`)."""
    return graph.read(bulk.has_practitioners)


def _load_batch(writer: BatchWriter[bulk.BatchResult], batch: Batch, id_card_key: bytes, today: date) -> None:
    hashes = {p["id"]: id_card_hash(p["id_card"], id_card_key) for p in batch.practitioners}
    people = [
        practitioner_row(
            p["id"], {**p, "id_card_hash": hashes[p["id"]], "id_card_tail": id_card_tail(p["id_card"])}
        )
        for p in batch.practitioners
    ]
    certificates = [
        bulk.certificate_row(
            holder_hash=hashes[c["practitioner_id"]], number=c["number"], work_type=c["work_type"],
            level=c["level"], issued_on=c["issued_on"], expires_on=c.get("expires_on"),
            status=c.get("status", "valid"), status_reason=c.get("status_reason"),
        )
        for c in batch.certificates
    ]  # fmt: skip
    writer.submit(bulk.write_synthetic_batch, people, certificates, batch.engagements, today)
