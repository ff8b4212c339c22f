"""The documented match score: each factor, its caps, and the deterministic order."""

from datetime import date, timedelta

from registry.matching import Candidate, MatchRequest, rank, score

TODAY = date(2026, 11, 25)
REQUEST = MatchRequest(work_type="verification", industry="building_materials", region="420000", min_level=2)


def candidate(**facts) -> Candidate:
    base = {"id": "p-1", "best_level": 2, "certificate_number": "C-1", "certificate_expires_on": date(2029, 1, 1),
            "industry_name": "建材", "region_name": "湖北省"}  # fmt: skip
    return Candidate(**(base | facts))


def test_the_level_alone_gives_its_points_and_a_reason_naming_the_certificate():
    for level, points in {1: 40, 2: 30, 3: 20, 4: 10}.items():
        scored = score(candidate(best_level=level), REQUEST, TODAY)
        assert scored.score == points
        assert scored.breakdown == {"level": points}
    reason = score(candidate(), REQUEST, TODAY).reasons[0]
    assert "二级碳排放核查员" in reason and "C-1" in reason and "2029-01-01" in reason


def test_industry_engagements_earn_six_points_each_up_to_thirty():
    assert score(candidate(industry_engagements=2), REQUEST, TODAY).breakdown["industry_engagements"] == 12
    assert score(candidate(industry_engagements=9), REQUEST, TODAY).breakdown["industry_engagements"] == 30


def test_industry_points_need_an_industry_in_the_request():
    plain = MatchRequest(work_type="verification")
    assert "industry_engagements" not in score(candidate(industry_engagements=3), plain, TODAY).breakdown


def test_region_engagements_cap_at_fifteen_and_living_there_adds_ten():
    scored = score(candidate(region_engagements=7, based_in_region=True), REQUEST, TODAY)
    assert scored.breakdown["region_engagements"] == 15
    assert scored.breakdown["based_in_region"] == 10
    assert "based in 湖北省" in scored.reasons


def test_recency_gives_ten_within_a_year_five_within_three_and_nothing_after():
    def recency(days: int) -> int:
        last = TODAY - timedelta(days=days)
        return score(candidate(last_engagement_on=last), REQUEST, TODAY).breakdown.get("recency", 0)

    assert (recency(100), recency(800), recency(1500)) == (10, 5, 0)


def test_specialties_and_qualifications_are_capped():
    scored = score(
        candidate(specialties=("a", "b", "c", "d"), qualifications=("q1", "q2", "q3", "q4")), REQUEST, TODAY
    )
    assert scored.breakdown["specialties"] == 9
    assert scored.breakdown["qualifications"] == 12


def test_the_score_is_the_sum_of_the_breakdown():
    scored = score(
        candidate(
            industry_engagements=1,
            region_engagements=1,
            based_in_region=True,
            declared_industry=True,
            last_engagement_on=TODAY,
            specialties=("x",),
            qualifications=("y",),
        ),
        REQUEST,
        TODAY,
    )
    assert scored.score == sum(scored.breakdown.values()) == 30 + 6 + 3 + 10 + 5 + 10 + 3 + 4


def test_ranking_breaks_ties_by_level_then_id():
    tied_low_id = candidate(id="a", best_level=2, industry_engagements=0)
    tied_high_id = candidate(id="b", best_level=2)
    better_level_same_score = candidate(id="c", best_level=1)  # 40 points
    more_work = candidate(id="d", best_level=3, industry_engagements=4)  # 20 + 24 = 44 points
    order = [
        s.candidate.id
        for s in rank([tied_high_id, more_work, tied_low_id, better_level_same_score], REQUEST, TODAY)
    ]
    assert order == ["d", "c", "a", "b"]


def test_the_certificate_matched_on_is_the_best_valid_one_no_expiry_first():
    from datetime import date

    from registry.matching import MatchRequest, best_certificate

    def cert(number, level, expires_on, status="valid", work_type="verification"):
        return {"number": number, "work_type": work_type, "level": level, "status": status,
                "expires_on": expires_on}  # fmt: skip

    request = MatchRequest(work_type="verification", min_level=2)
    held = [
        cert("A", 2, date(2030, 1, 1)), cert("B", 2, None), cert("C", 2, date(2031, 1, 1)),
        cert("D", 1, date(2027, 1, 1), status="expired"), cert("E", 3, None), cert("F", 1, None, work_type="trading"),
    ]  # fmt: skip
    assert (
        best_certificate(held, request)["number"] == "B"
    )  # open-ended beats any date, as Cypher's DESC sorts it
    assert best_certificate(held[:1] + held[2:], request)["number"] == "C"  # then the one valid longest
    assert best_certificate(held[3:], request) is None  # expired, below min_level, another work type
