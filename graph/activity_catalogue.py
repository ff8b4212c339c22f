"""Cypher for the activity catalogue GET /activities filters and sorts in memory (services/activity_catalogue.py):
the catalogue's revision, its static fields, the live sign-up counts of the activities that may take sign-ups, and
the views of one page's activities. After a write a process reads only the activities it changed (CHANGED).

The revision is one `(:Revision {id: 'activities'})` node (the uniqueness constraint on Revision.id makes the
MERGE safe): creating an activity and changing its status bump it in the same transaction (graph/activities.py
BUMP_CATALOGUE).
Its key also holds the number of activities (a count-store read), so activities written by the bulk loader or
straight into the graph are seen too; a registry without the node yet is revision 0. The number of sign-ups (a
count-store read too) keeps the sign-up counts of the activities open for sign-up until someone signs up.
"""

from __future__ import annotations

from typing import Any

import neo4j

from graph.activities import ACTIVITY_VIEW
from graph.cypher import cypher
from graph.records import native

REVISION = """
OPTIONAL MATCH (r:Revision {id: 'activities'})
RETURN coalesce(r.value, 0) AS revision, r.epoch AS epoch, COUNT { (:Activity) } AS activities,
       COUNT { ()-[:JOINED]->() } AS joins
"""

# Every activity's fields a listing filters and sorts on: none of them changes with a sign-up.
FIELDS = """
RETURN a.id AS id, a.status AS status, a.kind AS kind, a.region AS region, a.starts_on AS starts_on,
       a.ends_on AS ends_on, a.capacity AS capacity,
       COLLECT { MATCH (a)-[:ORGANIZED_BY]->(o:Organization) RETURN o.id } AS organizers
"""
CATALOGUE = cypher("MATCH (a:Activity)", FIELDS)
# The activities marked by a bump after `$revision` (graph/activities.py BUMP_CATALOGUE), by the range index.
CHANGED = cypher("MATCH (a:Activity) WHERE a.catalogue_revision > $revision", FIELDS)

# Region → the regions it is part of (graph/reference.py WITHIN_REGION looks one PART_OF step up).
REGIONS = """
MATCH (r:Region)
RETURN r.code AS code, COLLECT { MATCH (r)-[:PART_OF]->(p:Region) RETURN p.code } AS parents
"""

TAKEN = """
UNWIND $ids AS id
MATCH (a:Activity {id: id})
RETURN id, COUNT { MATCH (:Practitioner)-[:JOINED]->(a) } AS taken
"""

VIEWS = cypher(
    """
UNWIND range(0, size($ids) - 1) AS at
MATCH (a:Activity {id: $ids[at]})
WITH at, a ORDER BY at
RETURN""",
    ACTIVITY_VIEW,
    "AS activity",
)


def revision(tx: neo4j.ManagedTransaction) -> tuple[tuple[Any, ...], int]:
    """The catalogue's key now (revision, epoch, number of activities) and the number of sign-ups (JOINED rows,
    never deleted: the number moves with every sign-up)."""
    revision, epoch, activities, joins = tx.run(REVISION).single(strict=True).values()
    return (revision, epoch, activities), joins


def catalogue(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
    """Every activity's id, status, kind, region, starts_on, ends_on, capacity and organizer ids."""
    return [native(record.data()) for record in tx.run(CATALOGUE)]


def changed_since(tx: neo4j.ManagedTransaction, revision: int) -> list[dict[str, Any]]:
    """The catalogue's rows of the activities changed after `revision`."""
    return [native(record.data()) for record in tx.run(CHANGED, revision=revision)]


def regions(tx: neo4j.ManagedTransaction) -> dict[str, list[str]]:
    """Region code → the codes of the regions it is part of."""
    return {record["code"]: record["parents"] for record in tx.run(REGIONS)}


def taken(tx: neo4j.ManagedTransaction, ids: list[str]) -> dict[str, int]:
    """Activity id → how many signed up for it (any participation status), for the listed ids."""
    return {record["id"]: record["taken"] for record in tx.run(TAKEN, ids=ids)}


def views(tx: neo4j.ManagedTransaction, ids: list[str]) -> list[dict[str, Any]]:
    """The activities' views (graph.activities.ACTIVITY_VIEW), in the order of `ids`."""
    return [native(record["activity"]) for record in tx.run(VIEWS, ids=ids)] if ids else []
