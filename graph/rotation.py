"""Rotation of verifiers (issue 23 part 3): the years each provider and each team member verified a client.

Verification engagements only (`kind` 'verification', not cancelled: registry/rotation.py), each counting for the
calendar year of its `start_on`. Pairs are (provider organization, client) through `(e)-[:PERFORMED_BY]->(o)`, and
(practitioner, client) for every member of the team through `(p)-[:WORKED_ON]->(e)`, whatever their roles.
Deleted people's pairs stay: the evidence is kept (registry/self_service.py); presenters hide their identity.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, LiteralString

import neo4j

from graph.cypher import cypher
from graph.records import native
from registry.rotation import CANCELLED, VERIFICATION_KIND, consecutive_years, run_years

# An engagement that counts: the kind's range index finds the verifications (graph/schema.py).
COUNTED: LiteralString = "e.kind = $kind AND coalesce(e.status, '') <> $cancelled AND e.start_on IS NOT NULL"

CLIENT = "MATCH (o:Organization {id: $id}) RETURN o {.id, .name, .kind} AS organization"

# One client's verifications, each with its provider and team; a client has tens of them, not thousands.
CLIENT_VERIFICATIONS = cypher(
    "MATCH (:Organization {id: $client_id})<-[:FOR_CLIENT]-(e:Engagement)",
    "WHERE", COUNTED,
    "RETURN e.id AS id, e.start_on.year AS year,",
    "       COLLECT { MATCH (e)-[:PERFORMED_BY]->(v:Organization) RETURN v {.id, .name} }[0] AS provider,",
    "       COLLECT { MATCH (p:Practitioner)-[:WORKED_ON]->(e) RETURN p {.id, .name, .status} ORDER BY p.id } AS team",
    "ORDER BY e.start_on, e.id",
)  # fmt: skip

# Each person's employer on the day (the employment in force then, the latest begun if two overlap) and their
# visibility choices, which decide whether a viewer may be told who that employer is.
EMPLOYERS_ON = """
UNWIND $ids AS id
MATCH (p:Practitioner {id: id})
RETURN p.id AS id, p.name AS name, p.visibility AS visibility,
       COLLECT { MATCH (p)-[w:EMPLOYED_BY]->(o:Organization)
                 WHERE coalesce(w.since, $on) <= $on AND (w.until IS NULL OR w.until >= $on)
                 RETURN o {.id, .name} ORDER BY w.since DESC, o.id }[0] AS employer
"""


def _pairs(verifier: LiteralString, match: LiteralString) -> LiteralString:
    """Every (verifier, client) pair of the whole graph with at least `$min_years` distinct years, its years and
    engagements: grouped in the database, so only the candidates for a long run travel."""
    return cypher(
        "MATCH (e:Engagement)",
        "WHERE", COUNTED,
        "MATCH (e)-[:FOR_CLIENT]->(c:Organization)",
        match,
        "WITH v, c, collect(DISTINCT e.start_on.year) AS years, collect(e) AS engagements",
        "WHERE size(years) >= $min_years",
        "RETURN", verifier, "AS type, v.id AS id, v.name AS name, c.id AS client_id, c.name AS client_name, years,",
        "       [x IN engagements | {id: x.id, year: x.start_on.year, start_on: x.start_on}] AS engagements",
    )  # fmt: skip


PROVIDER_PAIRS = _pairs("'organization'", "MATCH (e)-[:PERFORMED_BY]->(v:Organization)")
PRACTITIONER_PAIRS = _pairs("'practitioner'", "MATCH (v:Practitioner)-[:WORKED_ON]->(e)")


def client(tx: neo4j.ManagedTransaction, organization_id: str) -> dict[str, Any] | None:
    """The organization `{id, name, kind}`, or None when unknown."""
    record = tx.run(CLIENT, id=organization_id).single()
    return native(record["organization"]) if record else None


def client_verifications(tx: neo4j.ManagedTransaction, client_id: str) -> list[dict[str, Any]]:
    """The client's counted verifications, oldest first: `{id, year, provider, team}`."""
    return [
        native(record.data())
        for record in tx.run(
            CLIENT_VERIFICATIONS, client_id=client_id, kind=VERIFICATION_KIND, cancelled=CANCELLED
        )
    ]


def pairs_of(verifications: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One client's verifiers with their years and engagements: providers first, then people, each by id.
    `verifier` is `{type, id, name}` (and `status` for a person)."""
    verifiers: dict[tuple[str, str], dict[str, Any]] = {}
    years: dict[tuple[str, str], set[int]] = defaultdict(set)
    engagements: dict[tuple[str, str], list[str]] = defaultdict(list)

    def add(key: tuple[str, str], verifier: dict[str, Any], engagement: dict[str, Any]) -> None:
        verifiers.setdefault(key, verifier)
        years[key].add(engagement["year"])
        engagements[key].append(engagement["id"])

    for engagement in verifications:
        provider = engagement.get("provider")
        if provider:
            add(("organization", provider["id"]), {"type": "organization", **provider}, engagement)
        for person in engagement.get("team") or []:
            add(("practitioner", person["id"]), {"type": "practitioner", **person}, engagement)
    order = sorted(verifiers, key=lambda key: (key[0] != "organization", key[1]))
    return [
        {"verifier": verifiers[key], "years": sorted(years[key]), "engagement_ids": engagements[key]}
        for key in order
    ]


def client_table(tx: neo4j.ManagedTransaction, client_id: str) -> list[dict[str, Any]]:
    """Who verified the client: each provider and each team member with the years and engagements they have."""
    return pairs_of(client_verifications(tx, client_id))


def warnings_for(
    tx: neo4j.ManagedTransaction, client_id: str, practitioner_ids: list[str], on: date
) -> dict[str, dict[str, Any]]:
    """For each known person: their own years with the client, and the employer they had on `on` with that
    provider's years with the client (years up to `on`'s year). `{id: {practitioner, visibility, years,
    employer, employer_years}}`; the rule is applied by the caller (services/independence.py)."""
    through = on.year
    own: dict[str, set[int]] = defaultdict(set)
    by_provider: dict[str, set[int]] = defaultdict(set)
    for engagement in client_verifications(tx, client_id):
        if engagement["year"] > through:
            continue
        if engagement.get("provider"):
            by_provider[engagement["provider"]["id"]].add(engagement["year"])
        for person in engagement.get("team") or []:
            own[person["id"]].add(engagement["year"])
    facts: dict[str, dict[str, Any]] = {}
    for record in tx.run(EMPLOYERS_ON, ids=list(practitioner_ids), on=on):
        employer = native(record["employer"])
        facts[record["id"]] = {
            "practitioner": {"id": record["id"], "name": record["name"]},
            "visibility": record["visibility"],
            "years": sorted(own.get(record["id"], ())),
            "employer": employer,
            "employer_years": sorted(by_provider.get(employer["id"], ())) if employer else [],
        }
    return facts


def familiar_pairs(tx: neo4j.ManagedTransaction, min_years: int) -> list[dict[str, Any]]:
    """Every (provider, client) and (practitioner, client) pair of the graph whose run of consecutive years
    ending at its latest year reaches `min_years`: `{verifier: {type, id, name}, client: {id, name}, years,
    consecutive_years, engagement_ids}`, where `years` are all the pair's years and `engagement_ids` those of the
    run, oldest first."""
    found: list[dict[str, Any]] = []
    for statement in (PROVIDER_PAIRS, PRACTITIONER_PAIRS):
        for record in tx.run(statement, min_years=min_years, kind=VERIFICATION_KIND, cancelled=CANCELLED):
            years = list(record["years"])
            run = consecutive_years(years)
            if run < min_years:
                continue
            in_run = set(run_years(years))
            engagements = sorted(
                (x for x in record["engagements"] if x["year"] in in_run),
                key=lambda x: (x["start_on"], x["id"]),
            )
            found.append({
                "verifier": {"type": record["type"], "id": record["id"], "name": record["name"]},
                "client": {"id": record["client_id"], "name": record["client_name"]},
                "years": sorted(years),
                "consecutive_years": run,
                "engagement_ids": [x["id"] for x in engagements],
            })  # fmt: skip
    return found
