"""Loading a synthetic registry (`seed.synthetic`): organizations, then people, certificates and engagements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import neo4j

from graph import bulk, key_emitters
from graph.practitioners import practitioner_row
from registry.identifiers import id_card_hash, id_card_tail
from seed.synthetic import Batch, SyntheticRegistry
from services import audit
from services.batches import BatchResult, BatchWriter, write_synthetic_batch
from services.context import Context


def load_synthetic(
    ctx: Context,
    registry: SyntheticRegistry,
    *,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write the registry batch by batch; returns how many organizations, people, certificates and engagements
    were written (people and certificates already stored are not written again)."""
    counts = {"organizations": 0, "key_emitters": 0, "practitioners": 0, "certificates": 0, "engagements": 0}
    organizations = registry.organizations
    for start in range(0, len(organizations), batch_size):
        chunk = organizations[start : start + batch_size]
        counts["organizations"] += ctx.graph.write(bulk.upsert_organizations, chunk)
    # Groups of companies, once every organization is stored.
    relations = registry.relations
    for start in range(0, len(relations), batch_size):
        ctx.graph.write(bulk.create_control_relations, relations[start : start + batch_size])
    # Key emitting units (重点排放单位) of the national ETS lists up to this year, for the demand statistics.
    units = registry.key_emitters()
    for start in range(0, len(units), batch_size):
        counts["key_emitters"] += ctx.graph.write(
            key_emitters.upsert_synthetic, units[start : start + batch_size]
        )

    def tally(result: BatchResult) -> None:
        counts["practitioners"] += result.people_created
        counts["certificates"] += result.certificates_created

    # Generating the next batch overlaps writing this one.
    with BatchWriter[BatchResult](ctx.graph, tally) as writer:
        for batch in registry.batches(batch_size):
            _load_batch(ctx, writer, batch)
            counts["engagements"] += len(batch.engagements)
            if progress:
                progress(len(batch.practitioners))
    return counts


def has_practitioners(ctx: Context) -> bool:
    """Whether the registry holds any practitioner yet (`generate --if-empty`)."""
    return ctx.graph.read(bulk.has_practitioners)


def _load_batch(ctx: Context, writer: BatchWriter[BatchResult], batch: Batch) -> None:
    key = ctx.settings.id_card_key
    hashes = {p["id"]: id_card_hash(p["id_card"], key) for p in batch.practitioners}
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
    employments = [
        {"practitioner_id": p["id"], **row} for p in batch.practitioners for row in p.get("employments", ())
    ]
    writer.submit(_write_batch, ctx, people, certificates, batch.engagements, employments)


def _write_batch(
    tx: neo4j.ManagedTransaction,
    ctx: Context,
    people: list[dict[str, Any]],
    certificates: list[dict[str, Any]],
    engagements: list[dict[str, Any]],
    employments: list[dict[str, Any]],
) -> BatchResult:
    result = write_synthetic_batch(tx, people, certificates, engagements, ctx.today)
    bulk.create_employments(tx, employments)
    if result.people_created or result.certificates_created:
        # One entry per batch, about no one in particular: the data is invented.
        details = {k: v for k, v in asdict(result).items() if isinstance(v, int)}
        audit.record(tx, ctx, "synthetic", None, "load_batch", details=details)
    return result
