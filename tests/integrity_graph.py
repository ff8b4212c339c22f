"""A small registry with every anomaly of the integrity queue planted, and a near miss beside each (issue 23 §4).

Built through the API, as an administrator would enter it; every call makes new people and organizations, so
each module that builds it has its own subjects to look for.

Planted (found)                                   Near miss (not found)
- signer on a completed verification, no visit    - a signer with a visit
- two provinces on one day                        - two provinces on consecutive days; a province and its city
- 7 engagements at once (threshold 6)             - exactly 6 at once
- a verifier and a provider 3 years on a client   - 2 years on another client (one short)
- a circle: 1 provider, 3 clients, 3 verifiers    - the same circle shape whose members work widely outside
"""

from __future__ import annotations

import itertools
from typing import Any

from tests.support import unique_id_card

__all__ = ["Builder", "build", "unique_id_card"]

_numbers = itertools.count(1)


class Builder:
    def __init__(self, client: Any, admin: dict[str, str]) -> None:
        self.client, self.admin = client, admin
        self.ids: dict[str, str] = {}

    def organization(self, name: str, kind: str = "verification_body") -> str:
        body = {"name": f"{name}{next(_numbers)}", "kind": kind}
        response = self.client.post("/api/v1/organizations", json=body, headers=self.admin)
        assert response.status_code == 201, response.get_json()
        self.ids[name] = response.get_json()["id"]
        return self.ids[name]

    def person(self, name: str) -> str:
        body = {
            "name": "核查员",
            "id_card": unique_id_card(),
            "education": "bachelor",
            "work_start_year": 2012,
        }
        response = self.client.post("/api/v1/practitioners", json=body, headers=self.admin)
        assert response.status_code == 201, response.get_json()
        self.ids[name] = response.get_json()["id"]
        return self.ids[name]

    def engagement(
        self,
        client: str,
        team: list[tuple[str, list[str]]],
        start_on: str,
        end_on: str,
        *,
        provider: str | None = None,
        kind: str = "verification",
        visits: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
        region: str = "110000",
    ) -> str:
        body = {
            "title": f"核查{next(_numbers)}", "kind": kind, "client_id": self.ids[client], "region": region,
            "start_on": start_on, "end_on": end_on, "status": "completed",
            "team": [{"practitioner_id": self.ids[p], "roles": roles} for p, roles in team],
            "site_visits": [{"practitioner_id": self.ids[p], "date": d, "region": r} for p, d, r in visits],
        }  # fmt: skip
        if provider:
            body["provider_id"] = self.ids[provider]
        response = self.client.post("/api/v1/engagements", json=body, headers=self.admin)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]


def build(client: Any, admin: dict[str, str]) -> dict[str, str]:
    """Plant every anomaly and its near misses; the ids by name (people, organizations, some engagements)."""
    b = Builder(client, admin)
    ids = b.ids
    member = ["member"]

    # signed_not_on_site: S1 signed, only a colleague went; S2 signed and went.
    for name in ("S1", "M1", "S2"):
        b.person(name)
    for name in ("SC1", "SC2"):
        b.organization(name, "enterprise")
    b.organization("SP1")
    b.organization("SP2")
    ids["E_unsigned"] = b.engagement(
        "SC1", [("S1", ["lead", "signer"]), ("M1", member)], "2025-03-01", "2025-04-30",
        provider="SP1", visits=[("M1", "2025-03-10", "110000")],
    )  # fmt: skip
    ids["E_signed"] = b.engagement(
        "SC2", [("S2", ["signer"])], "2025-03-01", "2025-04-30", provider="SP2",
        visits=[("S2", "2025-03-12", "310000")],
    )  # fmt: skip

    # two_places: T1 in Beijing and Shanghai on 10 May; T2 on 10 and 11 May; T3 in Jiangsu and Nanjing on 12 May.
    for name in ("T1", "T2", "T3"):
        b.person(name)
    b.organization("TC", "enterprise")
    for person, second_day, first_region, second_region in (
        ("T1", "2025-05-10", "110000", "310000"),
        ("T2", "2025-05-11", "110000", "310000"),
        ("T3", "2025-05-10", "320000", "320100"),
    ):
        for day, region in (("2025-05-10", first_region), (second_day, second_region)):
            b.engagement(
                "TC", [(person, member)], "2025-05-01", "2025-05-31", kind="consulting",
                visits=[(person, day, region)], region=region,
            )  # fmt: skip

    # overload: O1 on 7 engagements running on 15 June, O2 on exactly 6 (the threshold).
    b.person("O1")
    b.person("O2")
    b.organization("OC", "enterprise")
    for person, count in (("O1", 7), ("O2", 6)):
        for n in range(count):
            b.engagement(
                "OC", [(person, member)], f"2025-06-{1 + n:02d}", f"2025-06-{15 + n:02d}", kind="consulting"
            )

    # familiar_pair: F1 with provider FP on FC in 2022, 2023, 2024; F2 with FP2 on FC2 in 2023, 2024 only.
    b.person("F1")
    b.person("F2")
    for name in ("FC", "FC2"):
        b.organization(name, "enterprise")
    b.organization("FP")
    b.organization("FP2")
    for year in (2022, 2023, 2024):
        ids[f"E_F1_{year}"] = b.engagement(
            "FC", [("F1", member)], f"{year}-04-01", f"{year}-05-31", provider="FP"
        )
    for year in (2023, 2024):
        b.engagement("FC2", [("F2", member)], f"{year}-04-01", f"{year}-05-31", provider="FP2")

    # closed_circle: CP with CC1..CC3 and CV1..CV3, only with each other, 2023 and 2024.
    _circle(b, "C", outside=False)
    # near miss: the same shape, but the provider and the verifiers also work widely outside it.
    _circle(b, "N", outside=True)
    return ids


def _circle(b: Builder, prefix: str, *, outside: bool) -> None:
    provider = b.organization(f"{prefix}P") and f"{prefix}P"
    clients = [f"{prefix}C{n}" for n in (1, 2, 3)]
    verifiers = [f"{prefix}V{n}" for n in (1, 2, 3)]
    for name in clients:
        b.organization(name, "enterprise")
    for name in verifiers:
        b.person(name)
    for year in (2023, 2024):
        for n, client in enumerate(clients):
            team = [(verifiers[n], ["lead"]), (verifiers[(n + 1) % 3], ["member"])]
            b.engagement(client, team, f"{year}-0{3 + n}-01", f"{year}-0{3 + n}-20", provider=provider)
    if not outside:
        return
    others = [b.organization(f"{prefix}X{n}", "enterprise") and f"{prefix}X{n}" for n in range(6)]
    other_provider = b.organization(f"{prefix}XP") and f"{prefix}XP"
    for n, client in enumerate(others):
        b.engagement(client, [(verifiers[n % 3], ["member"])], "2025-02-01", "2025-02-20", provider=provider)
        b.engagement(
            client,
            [(verifiers[(n + 1) % 3], ["member"])],
            "2025-09-01",
            "2025-09-20",
            provider=other_provider,
        )
