"""Who fits a public-welfare activity, and the score and reasons of its suggestions (registry/activity_fit.py)."""

from __future__ import annotations

from datetime import date

from registry.activity_fit import Fit, Needs, available, best_certificate, qualifies, rank, score

DAYS = {"starts_on": date(2026, 12, 10), "ends_on": date(2026, 12, 12)}


def _cert(number: str, work_type: str = "verification", level: int = 3, status: str = "valid", expires=None):
    return {"number": number, "work_type": work_type, "level": level, "status": status, "expires_on": expires}


def _fit(person: str, level: int = 3, **facts) -> Fit:
    return Fit(
        id=person,
        best_level=level,
        certificate_number=f"N-{person}",
        certificate_work_type="verification",
        certificate_expires_on=date(2029, 1, 1),
        **facts,
    )


def test_no_needs_means_any_valid_certificate_at_any_level_qualifies():
    needs = Needs(**DAYS)
    assert qualifies(_cert("A", "trading", 4), needs)
    assert not qualifies(_cert("B", status="suspended"), needs)


def test_a_needed_work_type_and_minimum_level_rule_out_other_certificates():
    needs = Needs(**DAYS, work_type="verification", min_level=2)
    assert qualifies(_cert("A", "verification", 1), needs)
    assert qualifies(_cert("B", "verification", 2), needs)
    assert not qualifies(_cert("C", "verification", 3), needs)
    assert not qualifies(_cert("D", "accounting", 1), needs)


def test_the_named_certificate_is_the_best_level_then_the_longest_valid():
    needs = Needs(**DAYS)
    held = [
        _cert("Z", level=3, expires=date(2030, 1, 1)),
        _cert("Y", level=2, expires=date(2027, 1, 1)),
        _cert("X", level=2, expires=None),
        _cert("W", level=1, status="revoked"),
    ]
    assert best_certificate(held, needs)["number"] == "X"
    assert best_certificate([_cert("V", status="expired")], needs) is None


def test_unavailability_counts_when_it_overlaps_any_day_of_the_activity_inclusive():
    needs = Needs(**DAYS)
    assert not available([(date(2026, 12, 12), date(2026, 12, 20))], needs)  # shares the last day
    assert not available([(date(2026, 12, 1), date(2026, 12, 10))], needs)  # shares the first day
    assert available([(date(2026, 12, 1), date(2026, 12, 9)), (date(2026, 12, 13), date(2027, 1, 1))], needs)


def test_the_score_is_level_points_plus_engagements_in_the_industry_and_region_each_capped():
    needs = Needs(**DAYS, region="420000", industry="steel")
    fit = _fit(
        "p", level=2, region_name="湖北省", industry_name="钢铁", industry_engagements=7, region_engagements=2
    )
    scored = score(fit, needs)
    assert scored.breakdown == {"level": 30, "industry_engagements": 30, "region_engagements": 6}
    assert scored.score == 66


def test_engagements_earn_nothing_when_the_activity_does_not_ask_for_industry_or_region():
    scored = score(_fit("p", level=4, industry_engagements=3, region_engagements=3), Needs(**DAYS))
    assert scored.breakdown == {"level": 10}


def test_every_need_met_is_a_reason_that_names_the_fact():
    needs = Needs(**DAYS, region="420000", specialty="carbon_verification", industry="steel")
    fit = _fit(
        "p", region_name="湖北省", specialty_name="碳核查", industry_name="钢铁", declared_industry=True
    )
    reasons = score(fit, needs).reasons
    assert reasons[0] == "持有三级碳排放核查员证书 N-p (valid until 2029-01-01)"
    assert "based in 湖北省" in reasons
    assert "specialty: 碳核查" in reasons
    assert "declares experience in 钢铁" in reasons
    assert reasons[-1] == "no declared unavailability on 2026-12-10 to 2026-12-12"


def test_a_one_day_activity_names_its_single_day():
    needs = Needs(starts_on=date(2026, 6, 15), ends_on=date(2026, 6, 15))
    assert score(_fit("p"), needs).reasons[-1] == "no declared unavailability on 2026-06-15"


def test_ranking_is_by_score_then_better_level_then_id():
    needs = Needs(**DAYS, region="420000")
    fits = [
        _fit("b", level=3, region_name="湖北省", region_engagements=4),  # 20 + 12 = 32
        _fit("a", level=2, region_name="湖北省", region_engagements=0),  # 30
        _fit("c", level=1, region_name="湖北省"),  # 40
        _fit("d", level=2, region_name="湖北省", region_engagements=1),  # 33
        _fit("e", level=3, region_name="湖北省", region_engagements=4),  # 32, after b by id
    ]
    assert [s.fit.id for s in rank(fits, needs)] == ["c", "d", "b", "e", "a"]
