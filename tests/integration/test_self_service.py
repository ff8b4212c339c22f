"""Self-service use cases through the services on the real graph: concurrency, the shared conflict predicate,
the generic export, visibility in matching, and the deletion request."""

import threading
from dataclasses import replace
from datetime import date, timedelta

import pytest

from graph.declarations import DECLARED_CONFLICT, declaration_lookback
from registry.audit import Actor
from registry.errors import Conflict
from registry.matching import MatchRequest
from services import (
    availability,
    certificates,
    declarations,
    matching,
    organizations,
    personal_data,
    practitioners,
    profiles,
)
from tests.support import unique_id_card


@pytest.fixture()
def person(context):
    return practitioners.register(
        context, {"name": "自助测试员", "id_card": unique_id_card(), "specialties": ["aviation_emissions"],
                  "qualifications": ["iso14064_lead_auditor"], "industries": ["aviation"], "bio": "民航"},
    )  # fmt: skip


@pytest.fixture()
def organization(context):
    return organizations.create(context, {"name": "自助测试公司", "kind": "enterprise"})


def test_two_overlapping_periods_declared_at_once_store_exactly_one(context, person):
    start = context.today + timedelta(days=40)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def declare(offset: int) -> None:
        barrier.wait()
        try:
            availability.declare(
                context,
                person["id"],
                {"from_": start + timedelta(days=offset), "to": start + timedelta(days=offset + 5)},
            )
            outcomes.append("stored")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=declare, args=(offset,)) for offset in (0, 1, 2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "stored"]
    assert len(availability.of_practitioner(context, person["id"])) == 1


def _conflicts(context, practitioner_id: str, organization_id: str, day: date) -> bool:
    records, _, _ = context.graph.driver.execute_query(
        "MATCH (p:Practitioner {id: $id}) RETURN " + DECLARED_CONFLICT + " AS conflicted",
        id=practitioner_id, conflict_org_id=organization_id, today=day, lookback=declaration_lookback(3),
    )  # fmt: skip
    return records[0]["conflicted"]


def test_the_shared_conflict_predicate_follows_each_relationships_window(context, person, organization):
    org = organization["id"]
    declarations.declare(
        context, person["id"],
        {"organization_id": org, "relationship": "employment", "from_": date(2015, 1, 1), "to": date(2023, 6, 30)},
        entered_by="admin",
    )  # fmt: skip
    assert _conflicts(context, person["id"], org, date(2026, 6, 30))
    assert not _conflicts(context, person["id"], org, date(2026, 7, 1))
    other = practitioners.register(context, {"name": "亲属测试员", "id_card": unique_id_card()})
    declarations.declare(
        context, other["id"],
        {"organization_id": org, "relationship": "relative", "from_": date(2010, 1, 1), "to": date(2024, 1, 1)},
        entered_by="practitioner",
    )  # fmt: skip
    assert _conflicts(context, other["id"], org, date(2024, 1, 1))
    assert not _conflicts(context, other["id"], org, date(2024, 1, 2))


def test_the_export_includes_links_it_was_never_told_about(context, person):
    context.graph.driver.execute_query(
        "MATCH (p:Practitioner {id: $id}) CREATE (p)-[:MENTORED {since: date('2024-01-01')}]->(:Mentee {name: '学员'})",
        id=person["id"],
    )
    exported = personal_data.export(context, person["id"])
    assert exported["links"]["MENTORED"][0]["node"] == {"name": "学员"}
    assert exported["links"]["MENTORED"][0]["link"]["since"] == date(2024, 1, 1)


def test_matching_for_a_client_does_not_score_what_the_person_hides_from_clients(context, person):
    certificates.issue(
        context, {"number": f"SS-{person['id'][:8]}", "practitioner_id": person["id"], "work_type": "aviation",
                  "level": 1, "issued_on": date(2024, 1, 1)},
    )  # fmt: skip
    request = MatchRequest(work_type="aviation", industry="aviation", min_level=1, limit=100)
    as_client = replace(context, actor=Actor(kind="key", role="client", prefix="cmr_test", label="test"))

    def breakdown(ctx) -> dict[str, int]:
        result = matching.match(ctx, request)
        return next(scored.breakdown for scored, view in result.ranked if view["id"] == person["id"])

    assert {"specialties", "qualifications", "declared_industry"} <= set(breakdown(as_client))
    hidden = {"specialties": "private", "qualifications": "private", "industries": "private"}
    profiles.update_own(context, person["id"], {"visibility": hidden})
    assert set(breakdown(as_client)) == {"level"}
    assert {"specialties", "qualifications", "declared_industry"} <= set(breakdown(context))  # admin


def test_a_deletion_request_is_made_once(context, person, organization):
    declarations.declare(
        context, person["id"],
        {"organization_id": organization["id"], "relationship": "adviser", "from_": date(2022, 1, 1)},
        entered_by="practitioner",
    )  # fmt: skip
    summary = personal_data.request_deletion(context, person["id"])
    assert summary["removed"]["DECLARED"] == 1 and summary["removed"]["HAS_QUALIFICATION"] == 1
    assert declarations.of_practitioner(context, person["id"]) == []
    records, _, _ = context.graph.driver.execute_query("MATCH (d:Declaration)-[:CONCERNS]->(o:Organization {id: $id}) "
                                                       "RETURN count(d) AS n", id=organization["id"])  # fmt: skip
    assert records[0]["n"] == 0  # the declaration node went with the link
    with pytest.raises(Conflict):
        personal_data.request_deletion(context, person["id"])
    with pytest.raises(Conflict):
        profiles.update_own(context, person["id"], {"bio": "回来了"})
