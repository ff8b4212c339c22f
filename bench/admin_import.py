"""Bench-only bulk load: a synthetic registry written as CSV and loaded with `neo4j-admin database import full`.

The transactional writer (services/batches.py) takes ~80 s per 100 000 people on this machine, too slow for a
1 000 000-person bench. The offline importer writes the store files directly: this module generates the same
synthetic registry, derives what `services.pools.rederive` would store (search keys, pool memberships with their
`valid_until`, region keys, industry keys, the revision mark) with the same registry functions, writes one
CSV per node label and relationship type, imports them into the stopped bench instance, starts it and builds
the schema. Left out, as the bench never reads them: certificate events and the Level links of certificates.
The market around the people (issue 23: providers, roles, site visits, employment histories, groups of
companies) is written as the transactional writer writes it (graph/bulk.py).
Never used outside the bench: it replaces the instance's whole database.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench import volume_csv
from graph import local_server
from graph.reference import DEFAULT_ISSUER_ID, reference_parameters
from registry.certificates import CertificateFacts
from registry.identifiers import id_card_hash, id_card_tail
from registry.pools import certificate_keys, memberships, pool_keys
from registry.taxonomy import DEFAULT_ISSUER_NAME
from seed.synthetic import generate

BENCH_INSTANCE = os.environ.get("BENCH_INSTANCE", "bench")

NODES: dict[str, list[str]] = {
    "Practitioner": ["id:ID(Practitioner)", "name", "gender", "education", "enrolled:boolean",
                     "work_start_year:int", "phone", "email", "public_profile:boolean", "bio", "id_card_hash",
                     "id_card_tail", "status", "cert_keys:string[]", "pool_keys:string[]", "industry_keys:string[]",
                     "region_key", "search_revision:int"],
    "Certificate": ["number:ID(Certificate)", "work_type", "level:int", "status", "status_reason",
                    "issued_on:date", "expires_on:date"],
    "Organization": ["id:ID(Organization)", "name", "kind", "uscc"],
    "Engagement": ["id:ID(Engagement)", "title", "kind", "start_on:date", "end_on:date", "status"],
    "Region": ["code:ID(Region)", "name_zh", "level"],
    "Industry": ["code:ID(Industry)", "name_zh", "name_en"],
    "WorkType": ["code:ID(WorkType)", "name_zh", "name_en"],
    "Pool": ["code:ID(Pool)", "name_zh", "name_en"],
    "Specialty": ["code:ID(Specialty)", "name_zh", "category"],
    "Qualification": ["code:ID(Qualification)", "name_zh", "issuer"],
    "Revision": ["id:ID(Revision)", "value:int", "epoch"],
    "SiteVisit": ["id:ID(SiteVisit)", "date:date"],
}  # fmt: skip

# file name → (relationship type, header)
RELATIONSHIPS: dict[str, tuple[str, list[str]]] = {
    "holds": ("HOLDS", [":START_ID(Practitioner)", ":END_ID(Certificate)"]),
    "of_work_type": ("OF_WORK_TYPE", [":START_ID(Certificate)", ":END_ID(WorkType)"]),
    "issued_by": ("ISSUED_BY", [":START_ID(Certificate)", ":END_ID(Organization)"]),
    "based_in": ("BASED_IN", [":START_ID(Practitioner)", ":END_ID(Region)"]),
    "employed_by": ("EMPLOYED_BY", [":START_ID(Practitioner)", ":END_ID(Organization)", "id", "since:date",
                                    "until:date", "recorded_at:datetime"]),
    "has_specialty": ("HAS_SPECIALTY", [":START_ID(Practitioner)", ":END_ID(Specialty)"]),
    "has_qualification": ("HAS_QUALIFICATION", [":START_ID(Practitioner)", ":END_ID(Qualification)", "since:date"]),
    "experienced_in": ("EXPERIENCED_IN", [":START_ID(Practitioner)", ":END_ID(Industry)"]),
    "member_of": ("MEMBER_OF", [":START_ID(Practitioner)", ":END_ID(Pool)", "via", "valid_until:date",
                                "since:datetime"]),
    "worked_on": ("WORKED_ON", [":START_ID(Practitioner)", ":END_ID(Engagement)", "role", "roles:string[]"]),
    "performed_by": ("PERFORMED_BY", [":START_ID(Engagement)", ":END_ID(Organization)"]),
    "visited": ("VISITED", [":START_ID(Practitioner)", ":END_ID(SiteVisit)"]),
    "of_engagement": ("OF_ENGAGEMENT", [":START_ID(SiteVisit)", ":END_ID(Engagement)"]),
    "visit_region": ("IN_REGION", [":START_ID(SiteVisit)", ":END_ID(Region)"]),
    "controlled_by": ("CONTROLLED_BY", [":START_ID(Organization)", ":END_ID(Organization)", "kind", "share:float",
                                        "since:date", "until:date", "recorded_at:datetime"]),
    "for_client": ("FOR_CLIENT", [":START_ID(Engagement)", ":END_ID(Organization)"]),
    "engagement_industry": ("IN_INDUSTRY", [":START_ID(Engagement)", ":END_ID(Industry)"]),
    "engagement_region": ("IN_REGION", [":START_ID(Engagement)", ":END_ID(Region)"]),
    "organization_industry": ("IN_INDUSTRY", [":START_ID(Organization)", ":END_ID(Industry)"]),
    "located_in": ("LOCATED_IN", [":START_ID(Organization)", ":END_ID(Region)"]),
    "part_of": ("PART_OF", [":START_ID(Region)", ":END_ID(Region)"]),
}  # fmt: skip


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return value.isoformat() if isinstance(value, date | datetime) else str(value)


def write_csv(registry: Any, folder: Path, id_card_key: bytes, today: date) -> dict[str, int]:
    """Write the registry's CSV files into `folder`; the counts of what was written."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = {"practitioners": 0, "certificates": 0, "engagements": 0, "organizations": 0}
    now = datetime.now(UTC).isoformat()
    with ExitStack() as stack:
        writers = {}
        for name, header in [*NODES.items(), *((f, h) for f, (_, h) in RELATIONSHIPS.items())]:
            handle = stack.enter_context((folder / f"{name}.csv").open("w", newline="", encoding="utf-8"))
            writers[name] = csv.writer(handle)
            writers[name].writerow(header)

        def row(name: str, *values: Any) -> None:
            writers[name].writerow([_cell(v) for v in values])

        ref = reference_parameters()
        province = {r["code"]: r["code"] for r in ref["regions"]} | {
            c["code"]: c["province"] for c in ref["cities"]
        }
        for r in ref["regions"]:
            row("Region", r["code"], r["name_zh"], r["level"])
        for c in ref["cities"]:
            row("part_of", c["code"], c["province"])
        for kind, fields in (("Industry", ("code", "name_zh", "name_en")), ("WorkType", ("code", "name_zh", "name_en")),
                             ("Pool", ("code", "name_zh", "name_en")), ("Specialty", ("code", "name_zh", "category")),
                             ("Qualification", ("code", "name_zh", "issuer"))):  # fmt: skip
            for item in ref[{"Industry": "industries", "WorkType": "work_types", "Pool": "pools",
                             "Specialty": "specialties", "Qualification": "qualifications"}[kind]]:  # fmt: skip
                row(kind, *(item[f] for f in fields))
        row("Revision", "registry", 1, str(uuid.uuid4()))
        row("Organization", DEFAULT_ISSUER_ID, DEFAULT_ISSUER_NAME, "issuer", None)
        for o in registry.organizations:
            counts["organizations"] += 1
            row("Organization", o["id"], o["name"], o["kind"], o.get("uscc"))
            if o.get("region"):
                row("located_in", o["id"], o["region"])
            if o.get("industry"):
                row("organization_industry", o["id"], o["industry"])
        for r in registry.relations:
            row("controlled_by", r["child_id"], r["parent_id"], r["kind"], r["share"], r["since"], r["until"],
                now)  # fmt: skip
        for batch in registry.batches(5000):
            _write_batch(batch, row, counts, province, id_card_key, today, now)
    return counts


def _write_batch(batch, row, counts, province, id_card_key, today, now) -> None:
    held: dict[str, list[CertificateFacts]] = {}
    for c in batch.certificates:
        counts["certificates"] += 1
        row("Certificate", c["number"], c["work_type"], c["level"], c.get("status", "valid"),
            c.get("status_reason"), c["issued_on"], c.get("expires_on"))  # fmt: skip
        row("holds", c["practitioner_id"], c["number"])
        row("of_work_type", c["number"], c["work_type"])
        row("issued_by", c["number"], DEFAULT_ISSUER_ID)
        held.setdefault(c["practitioner_id"], []).append(
            CertificateFacts(
                c["number"],
                c["work_type"],
                c["level"],
                c.get("status", "valid"),
                c["issued_on"],
                c.get("expires_on"),
            )
        )
    worked: dict[str, set[str]] = {}
    for e in batch.engagements:
        counts["engagements"] += 1
        row("Engagement", e["id"], e["title"], e["kind"], e["start_on"], e.get("end_on"), e["status"])
        row("for_client", e["id"], e["client_id"])
        if e.get("provider_id"):
            row("performed_by", e["id"], e["provider_id"])
        for v in e.get("site_visits") or ():
            row("SiteVisit", v["id"], v["date"])
            row("visited", v["practitioner_id"], v["id"])
            row("of_engagement", v["id"], e["id"])
            row("visit_region", v["id"], v["region"])
        if e.get("industry"):
            row("engagement_industry", e["id"], e["industry"])
        if e.get("region"):
            row("engagement_region", e["id"], e["region"])
        for member in e["team"]:
            roles = member.get("roles") or [member["role"]]
            row("worked_on", member["practitioner_id"], e["id"], member["role"], roles)
            if e.get("industry"):
                worked.setdefault(member["practitioner_id"], set()).add(e["industry"])
    for p in batch.practitioners:
        counts["practitioners"] += 1
        certificates = held.get(p["id"], [])
        current = memberships(certificates, today)
        industries = sorted(set(p.get("industries") or ()) | worked.get(p["id"], set()))
        row("Practitioner", p["id"], p["name"], p.get("gender"), p.get("education"), p.get("enrolled"),
            p.get("work_start_year"), p.get("phone"), p.get("email"), p.get("public_profile"), p.get("bio"),
            id_card_hash(p["id_card"], id_card_key), id_card_tail(p["id_card"]), "active",
            certificate_keys(certificates, today), pool_keys(current), industries,
            province.get(p.get("region")), 1)  # fmt: skip
        if p.get("region"):
            row("based_in", p["id"], p["region"])
        for job in p.get("employments") or ():
            row("employed_by", p["id"], job["organization_id"], job["id"], job["since"], job["until"], now)
        for code in p.get("specialties") or ():
            row("has_specialty", p["id"], code)
        for code in p.get("qualifications") or ():
            row("has_qualification", p["id"], code, today)
        for code in p.get("industries") or ():
            row("experienced_in", p["id"], code)
        for m in current.values():
            row("member_of", p["id"], m.pool, m.via, m.valid_until, now)


def _arguments(folder: Path) -> Iterator[str]:
    for label in NODES:
        yield f"--nodes={label}={folder / f'{label}.csv'}"
    for name, (kind, _) in RELATIONSHIPS.items():
        yield f"--relationships={kind}={folder / f'{name}.csv'}"


def import_registry(
    size: int, id_card_key: bytes, today: date, seed: int = 42, *, volumes: bool = False
) -> dict[str, Any]:
    """Wipe the bench instance and load a synthetic registry of `size` people into it; timings and counts. With
    `volumes`, also what the registry holds besides its people and the audit chain (bench/volume_csv.py)."""
    inst = local_server.instance(BENCH_INSTANCE)
    local_server.wipe(inst)
    folder = inst.home / "import" / "csv"
    started = time.perf_counter()
    registry = generate(size, seed=seed, today=today)
    counts = write_csv(registry, folder, id_card_key, today)
    if volumes:
        counts |= volume_csv.write_volumes(registry, folder, _cell)
    written = time.perf_counter()
    lib = local_server.resolve_jars()
    conf = local_server._write_config(inst)
    env = {**os.environ, "NEO4J_HOME": str(inst.home), "NEO4J_CONF": str(conf)}
    command = [local_server._java(), "-Xmx2g", "-cp", f"{lib}/*", local_server.ADMIN_CLASS, "database", "import",
               "full", "neo4j", "--overwrite-destination", "--array-delimiter=;", "--threads=2",
               "--report-file", str(inst.home / "logs" / "import.report"), *_arguments(folder),
               *(volume_csv.arguments(folder) if volumes else ())]  # fmt: skip
    subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    imported = time.perf_counter()
    shutil.rmtree(folder, ignore_errors=True)
    conflict = next(o["id"] for o in registry.organizations if o["kind"] == "enterprise")
    return {"seconds": imported - started, "generate_and_csv_seconds": written - started,
            "import_seconds": imported - written, "counts": counts, "conflict_org_id": conflict,
            "truth": registry.truth}  # fmt: skip


def start_with_schema(graph_factory: Any, await_seconds: int = 1800) -> Any:
    """Start the imported bench instance, create the schema (index population can take minutes at 1M) and
    the reference data's remaining nodes and properties; returns a connected Graph."""
    from graph.reference import load_reference_data
    from graph.schema import schema_statements

    local_server.start(local_server.instance(BENCH_INSTANCE))
    graph = graph_factory()
    with graph.driver.session(database=graph.database) as session:
        for statement in schema_statements():
            session.run(statement).consume()
        session.run(f"CALL db.awaitIndexes({await_seconds})").consume()
    graph.write(load_reference_data)
    return graph
