"""Sanctions as a rule input of the pools: out of the expert pool while active, back the day after."""

from datetime import date

from registry.certificates import CertificateFacts
from registry.misconduct import Sanction
from registry.pools import exclusions, memberships

TODAY = date(2025, 6, 1)
LEVEL_2 = CertificateFacts("L2", "verification", 2, "valid", date(2024, 1, 1))
LEVEL_4 = CertificateFacts("L4", "monitoring", 4, "valid", date(2024, 1, 1))


def sanction(kind: str, start: date, until: date | None, lifted_on: date | None = None) -> Sanction:
    return Sanction(id=f"{kind}:r1", kind=kind, from_=start, until=until, reason="test", lifted_on=lifted_on)


def test_an_active_expert_suspension_keeps_a_level_2_holder_out_of_the_expert_pool_only():
    suspension = sanction("expert_suspension", date(2025, 3, 1), date(2026, 2, 28))
    assert set(memberships([LEVEL_2, LEVEL_4], TODAY, [suspension])) == {"talent"}
    assert exclusions([suspension], TODAY)["expert"].returns_on == date(2026, 3, 1)


def test_the_holder_is_back_in_the_expert_pool_the_day_after_the_suspension():
    suspension = sanction("expert_suspension", date(2025, 3, 1), date(2026, 2, 28))
    assert set(memberships([LEVEL_2, LEVEL_4], date(2026, 3, 1), [suspension])) == {"talent", "expert"}


def test_a_lifted_suspension_no_longer_excludes():
    lifted = sanction("expert_suspension", date(2025, 3, 1), date(2026, 2, 28), lifted_on=date(2025, 5, 1))
    assert set(memberships([LEVEL_2], TODAY, [lifted])) == {"expert"}


def test_a_bar_keeps_the_holder_out_of_the_expert_pool_with_no_return_date():
    bar = sanction("bar", date(2025, 3, 1), None)
    assert memberships([LEVEL_2], TODAY, [bar]) == {}
    assert exclusions([bar], TODAY)["expert"].returns_on is None


def test_without_sanctions_nothing_changes():
    assert set(memberships([LEVEL_2, LEVEL_4], TODAY)) == {"talent", "expert"}
    assert exclusions([], TODAY) == {}
