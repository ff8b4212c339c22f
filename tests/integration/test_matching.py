"""Matching through the service layer over the fixed registry: hard filters, conflicts, the score table."""

from dataclasses import replace

from registry.matching import MatchRequest
from services.matching import match
from tests.fixed_graph import keys_by_id


def ranked_keys(ids, result) -> list[str]:
    return [keys_by_id(ids)[view["id"]] for _, view in result.ranked]


def test_the_cement_verifier_request_excludes_the_employee_and_the_recent_verifier(context, ids):
    request = MatchRequest(work_type="verification", industry="building_materials", region="420000", min_level=2,
                           conflict_org_id=ids["cement"])  # fmt: skip
    result = match(context, request)
    assert ranked_keys(ids, result) == ["A"]
    assert result.total == 1
    excluded = {entry["id"]: entry for entry in result.excluded}
    assert set(excluded) == {ids["B"], ids["H"]}
    assert [c["kind"] for c in excluded[ids["B"]]["conflicts"]] == ["employment"]
    assert [c["kind"] for c in excluded[ids["H"]]["conflicts"]] == ["engagement"]
    assert excluded[ids["H"]]["conflicts"][0]["title"] == "水泥公司2024年度碳核查"


def test_an_engagement_outside_the_window_is_allowed_and_scores_follow_the_documented_table(context, ids):
    request = MatchRequest(work_type="verification", industry="building_materials", region="420000", min_level=3,
                           conflict_org_id=ids["cement"])  # fmt: skip
    result = match(context, request)
    assert ranked_keys(ids, result) == ["A", "C"]
    (a, _), (c, _) = result.ranked
    # A: level 2 (30) + 1 cement-industry verification (6) + 1 in Hubei (3) + based in Hubei (10)
    #    + last verification ended 150 days ago (10) + 1 verification specialty (3) + CCAA verifier (4)
    assert a.breakdown == {"level": 30, "industry_engagements": 6, "region_engagements": 3,
                           "based_in_region": 10, "recency": 10, "specialties": 3, "qualifications": 4}  # fmt: skip
    assert a.score == 66
    # C: level 3 (20) + the 5-year-old cement verification (6) + in Hubei (3); too old for recency points
    assert c.breakdown == {"level": 20, "industry_engagements": 6, "region_engagements": 3}
    assert c.score == 29
    assert any("持有二级碳排放核查员证书" in reason for reason in a.reasons)
    assert any("1 completed verification engagements in 建材" in reason for reason in a.reasons)


def test_without_a_conflict_organization_everyone_qualified_is_ranked(context, ids):
    result = match(context, MatchRequest(work_type="verification", limit=100))
    assert set(ranked_keys(ids, result)) == set("ABCHJ")
    scores = [scored.score for scored, _ in result.ranked]
    assert scores == sorted(scores, reverse=True)


def test_suspended_expired_and_revoked_certificates_never_qualify(context, ids):
    result = match(context, MatchRequest(work_type="verification", region="420100", limit=100))
    assert not set(ranked_keys(ids, result)) & {"D", "E"}
    assert match(context, MatchRequest(work_type="trading")).ranked == []


def test_the_same_request_gives_the_same_order(context, ids):
    request = MatchRequest(work_type="verification", industry="steel", limit=100)
    assert ranked_keys(ids, match(context, request)) == ranked_keys(ids, match(context, request))
    assert ranked_keys(ids, match(context, request))[0] == "A"  # three steel verifications


def test_the_conflict_window_is_configurable(context, ids):
    request = MatchRequest(work_type="verification", min_level=2, conflict_org_id=ids["cement"], limit=100)
    three_years = match(
        replace(context, settings=replace(context.settings, conflict_window_years=3)), request
    )
    one_year = match(replace(context, settings=replace(context.settings, conflict_window_years=1)), request)
    assert ids["H"] in {e["id"] for e in three_years.excluded}
    assert ids["H"] in {
        s.candidate.id for s, _ in one_year.ranked
    }  # the 2-year-old engagement no longer counts
    assert ids["B"] in {e["id"] for e in one_year.excluded}  # current employment always does
