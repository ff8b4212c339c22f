from dataclasses import replace
from datetime import date

import pytest

from registry.certificates import CertificateFacts, next_status
from registry.pools import certificate_keys, memberships, pool_for_level, pool_grants, pool_keys, pools_for

TODAY = date(2025, 6, 1)


def certificate(
    number: str,
    level: int,
    status: str = "valid",
    issued_on: date = date(2024, 1, 10),
    expires_on: date | None = date(2028, 1, 1),
    work_type: str = "accounting",
) -> CertificateFacts:
    return CertificateFacts(number, work_type, level, status, issued_on, expires_on)


@pytest.mark.parametrize(("level", "pool"), [(4, "talent"), (3, "talent"), (2, "expert"), (1, "expert")])
def test_each_level_belongs_to_one_pool(level, pool):
    assert pool_for_level(level) == pool


@pytest.mark.parametrize("level", [0, 5, -1])
def test_unknown_level_has_no_pool(level):
    with pytest.raises(ValueError, match="unknown level"):
        pool_for_level(level)


def test_no_certificates_means_no_pool():
    assert pools_for([], TODAY) == set()


def test_a_level_4_and_a_level_2_certificate_put_the_holder_in_both_pools():
    assert pools_for([certificate("A", 4), certificate("B", 2)], TODAY) == {"talent", "expert"}


def test_revoking_the_only_level_2_certificate_leaves_the_expert_pool():
    level_4, level_2 = certificate("A", 4), certificate("B", 2)
    revoked = replace(level_2, status=next_status(level_2, "revoke", TODAY))
    assert pools_for([level_4, revoked], TODAY) == {"talent"}


def test_suspending_the_only_level_3_certificate_leaves_the_talent_pool():
    level_3 = certificate("A", 3)
    suspended = replace(level_3, status=next_status(level_3, "suspend", TODAY))
    assert pools_for([suspended], TODAY) == set()


def test_an_expired_certificate_gives_no_pool():
    assert pools_for([certificate("A", 2, expires_on=date(2025, 5, 31))], TODAY) == set()
    assert pools_for([certificate("A", 2, status="expired")], TODAY) == set()


def test_a_certificate_gives_its_pool_on_its_expiry_date():
    assert pools_for([certificate("A", 2, expires_on=TODAY)], TODAY) == {"expert"}


def test_the_highest_level_grants_the_pool():
    level_4, level_3 = certificate("A", 4, issued_on=date(2020, 1, 1)), certificate("B", 3)
    assert pool_grants([level_4, level_3], TODAY) == {"talent": level_3}


def test_level_1_outranks_level_2_for_the_expert_pool():
    level_2, level_1 = certificate("A", 2, issued_on=date(2020, 1, 1)), certificate("B", 1)
    assert pool_grants([level_2, level_1], TODAY)["expert"] is level_1


def test_at_the_same_level_the_earliest_issued_certificate_grants_the_pool():
    later, earlier = (
        certificate("A", 4, issued_on=date(2024, 5, 1)),
        certificate("Z", 4, issued_on=date(2023, 5, 1)),
    )
    assert pool_grants([later, earlier], TODAY)["talent"] is earlier


def test_at_the_same_level_and_date_the_smallest_number_grants_the_pool():
    b, a = certificate("B", 4), certificate("A", 4)
    assert pool_grants([b, a], TODAY)["talent"] is a
    assert pool_grants([a, b], TODAY)["talent"] is a


def test_an_invalid_higher_certificate_does_not_grant_over_a_valid_lower_one():
    revoked_level_3, valid_level_4 = certificate("A", 3, status="revoked"), certificate("B", 4)
    assert pool_grants([revoked_level_3, valid_level_4], TODAY) == {"talent": valid_level_4}


def test_pools_accept_any_iterable():
    assert pools_for(iter([certificate("A", 1)]), TODAY) == {"expert"}


def test_a_membership_lasts_until_the_last_granting_certificate_expires():
    today = date(2025, 6, 1)
    early = CertificateFacts("A-1", "monitoring", 4, "valid", date(2023, 1, 1), date(2026, 1, 1))
    late = CertificateFacts("A-2", "accounting", 3, "valid", date(2024, 1, 1), date(2028, 1, 1))
    result = memberships([early, late], today)
    assert result["talent"].via == "A-2"  # level 3 outranks level 4
    assert result["talent"].valid_until == date(2028, 1, 1)


def test_a_membership_with_an_open_ended_certificate_has_no_end():
    today = date(2025, 6, 1)
    dated = CertificateFacts("B-1", "verification", 2, "valid", date(2023, 1, 1), date(2026, 1, 1))
    open_ended = CertificateFacts("B-2", "consulting", 2, "valid", date(2024, 1, 1), None)
    assert memberships([dated, open_ended], today)["expert"].valid_until is None


def test_a_suspended_certificate_gives_no_membership_and_no_end_date():
    today = date(2025, 6, 1)
    suspended = CertificateFacts("C-1", "verification", 2, "suspended", date(2023, 1, 1), None)
    assert memberships([suspended], today) == {}


def test_certificate_keys_name_work_type_level_and_last_valid_day_of_valid_certificates_only():
    today = date(2025, 6, 1)
    certificates = [
        CertificateFacts("K-1", "verification", 2, "valid", date(2023, 1, 1), date(2027, 1, 1)),
        CertificateFacts("K-2", "monitoring", 4, "valid", date(2023, 1, 1), None),
        CertificateFacts("K-3", "trading", 3, "suspended", date(2023, 1, 1), None),
        CertificateFacts("K-4", "consulting", 3, "valid", date(2019, 1, 1), date(2023, 1, 1)),
    ]
    assert certificate_keys(certificates, today) == ["monitoring|4|9999-12-31", "verification|2|2027-01-01"]


def test_pool_keys_carry_the_membership_end():
    today = date(2025, 6, 1)
    certificates = [CertificateFacts("K-5", "verification", 2, "valid", date(2023, 1, 1), date(2027, 1, 1))]
    assert pool_keys(memberships(certificates, today)) == ["expert|2027-01-01"]
