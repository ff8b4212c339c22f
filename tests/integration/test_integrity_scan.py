"""The integrity scan on a real graph (issue 23 §4): every planted anomaly is found, no near miss is, a re-scan
writes nothing new and never reopens a decided finding, and an interrupted scan resumes where it stopped."""

from __future__ import annotations

import pytest

from registry import integrity as rules
from services import integrity
from tests import integrity_graph


class Interrupted(Exception):
    pass


@pytest.fixture(scope="module")
def world(app, as_role, context):
    ids = integrity_graph.build(app.test_client(), as_role("admin"))
    first = integrity.scan(context)
    return {"ids": ids, "first": first}


def _findings(context, **filters) -> list[dict]:
    return integrity.list(context, filters, 1, 100).items


def _about(context, kind: str, person: str) -> list[dict]:
    return _findings(context, kind=kind, person=person)


def test_a_signer_with_no_site_visit_is_found_and_a_signer_who_went_is_not(context, world):
    ids = world["ids"]
    [finding] = _about(context, rules.SIGNED_NOT_ON_SITE, ids["S1"])
    assert finding["evidence"]["engagement_id"] == ids["E_unsigned"]
    assert finding["evidence"]["team_visited"] is True and finding["score"] == 0.7
    assert {o["id"] for o in finding["organizations"]} == {ids["SC1"], ids["SP1"]}
    assert _about(context, rules.SIGNED_NOT_ON_SITE, ids["S2"]) == []
    assert _about(context, rules.SIGNED_NOT_ON_SITE, ids["M1"]) == []  # went, and did not sign


def test_two_provinces_on_one_day_are_found_but_not_on_consecutive_days_nor_a_province_and_its_city(
    context, world
):
    ids = world["ids"]
    [finding] = _about(context, rules.TWO_PLACES, ids["T1"])
    assert finding["evidence"]["date"] == "2025-05-10"
    assert finding["evidence"]["provinces"] == ["110000", "310000"]
    assert {r["code"] for r in finding["regions"]} >= {"110000", "310000"}
    assert _about(context, rules.TWO_PLACES, ids["T2"]) == []
    assert _about(context, rules.TWO_PLACES, ids["T3"]) == []


def test_more_engagements_at_once_than_the_threshold_is_overload_and_exactly_the_threshold_is_not(
    context, world
):
    ids = world["ids"]
    [finding] = _about(context, rules.OVERLOAD, ids["O1"])
    assert finding["evidence"]["peak"] == rules.THRESHOLDS.overload_max_concurrent + 1
    assert finding["evidence"]["date"] == "2025-06-07"  # the first day all seven run
    assert len(finding["evidence"]["engagement_ids"]) == 7
    assert _about(context, rules.OVERLOAD, ids["O2"]) == []


def test_a_pair_at_the_rotation_threshold_is_familiar_and_one_year_short_is_not(context, world):
    ids = world["ids"]
    [person] = _about(context, rules.FAMILIAR_PAIR, ids["F1"])
    assert person["evidence"]["consecutive_years"] == 3 and person["evidence"]["client_id"] == ids["FC"]
    by_provider = [
        f for f in _findings(context, kind=rules.FAMILIAR_PAIR, organization=ids["FP"])
        if f["evidence"]["verifier"]["type"] == "organization"
    ]  # fmt: skip
    assert [f["evidence"]["verifier"]["id"] for f in by_provider] == [ids["FP"]]
    assert _about(context, rules.FAMILIAR_PAIR, ids["F2"]) == []
    assert _findings(context, kind=rules.FAMILIAR_PAIR, organization=ids["FC2"]) == []


def test_a_closed_circle_is_found_and_the_same_shape_working_widely_outside_is_not(context, world):
    ids = world["ids"]
    [circle] = _findings(context, kind=rules.CLOSED_CIRCLE, organization=ids["CP"])
    evidence = circle["evidence"]
    assert evidence["provider_ids"] == [ids["CP"]]
    assert sorted(evidence["client_ids"]) == sorted(ids[f"CC{n}"] for n in (1, 2, 3))
    assert sorted(evidence["verifier_ids"]) == sorted(ids[f"CV{n}"] for n in (1, 2, 3))
    assert len(evidence["engagement_ids"]) == 6
    assert evidence["exclusivity"] == 1.0 and evidence["cohesion"] >= rules.THRESHOLDS.circle_min_cohesion
    assert _findings(context, kind=rules.CLOSED_CIRCLE, organization=ids["NP"]) == []
    assert _findings(context, kind=rules.CLOSED_CIRCLE, person=ids["NV1"]) == []


def test_the_region_filter_takes_in_a_provinces_cities(context, world):
    ids = world["ids"]
    in_beijing = {f["id"] for f in _findings(context, region="110000", person=ids["T1"])}
    assert len(in_beijing) == 1
    assert _findings(context, region="440000", person=ids["T1"]) == []


def test_a_re_scan_creates_nothing_and_leaves_a_decided_finding_as_it_was(context, world):
    ids = world["ids"]
    [finding] = _about(context, rules.OVERLOAD, ids["O1"])
    integrity.decide(
        context, finding["id"], {"status": "dismissed", "reason": "a programme of short desk reviews"}
    )
    before = {f["id"]: (f["status"], f["evidence"]) for f in _findings(context, person=ids["O1"])}

    again = integrity.scan(context)

    assert again["resumed"] is False
    assert all(counts["created"] == 0 for counts in again["counts"].values()), again["counts"]
    assert all(counts["refreshed"] == 0 for counts in again["counts"].values()), again["counts"]
    assert again["counts"][rules.OVERLOAD]["decided"] >= 1
    after = {f["id"]: (f["status"], f["evidence"]) for f in _findings(context, person=ids["O1"])}
    assert after == before and after[finding["id"]][0] == "dismissed"
    for kind in rules.KIND_CODES:
        keys = [f["id"] for f in _findings(context, kind=kind, person=ids.get("S1"))]
        assert len(keys) == len(set(keys))


def test_an_interrupted_scan_resumes_with_the_kinds_it_had_not_finished(context, graph, world):
    seen = []

    def stop_after_two(step: int) -> None:
        seen.append(step)
        if len(seen) == 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        integrity.scan(context, progress=stop_after_two)
    [done] = graph.read(
        lambda tx: [
            r["done"]
            for r in tx.run("MATCH (s:IntegrityScan) WHERE s.finished_at IS NULL RETURN s.done AS done")
        ]
    )
    assert done == list(rules.KIND_CODES[:2])

    resumed = integrity.scan(context)

    assert resumed["resumed"] is True
    assert set(resumed["counts"]) == set(rules.KIND_CODES)
    unfinished = graph.read(
        lambda tx: tx.run(
            "MATCH (s:IntegrityScan) WHERE s.finished_at IS NULL RETURN count(s) AS n"
        ).single()["n"]
    )
    assert unfinished == 0
    entries = graph.read(
        lambda tx: [r["a"] for r in tx.run(
            "MATCH (e:AuditEntry {entity: 'integrity_scan', entity_id: $id}) RETURN e.action AS a", id=resumed["scan_id"]
        )]
    )  # fmt: skip
    assert sorted(entries) == sorted(["kind_done"] * len(rules.KIND_CODES) + ["finish"])
