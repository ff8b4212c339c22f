"""Events write their notifications in their own transaction: draws (invitation, replacement, confirmation),
signed links (accept, decline, reuse, tampering, expiry) and certificate expiry notices.

The pool: three level-2 aviation experts in 西藏 (540000), a region and work type no other suite draws from.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from graph import invitations as invitation_repo
from registry.errors import Conflict
from services import (
    certificates,
    draws,
    notification_answers,
    notification_events,
    notification_links,
    notifications,
    practitioners,
)
from tests.support import unique_id_card

REGION = "540000"


def _person(context, name: str, **fields) -> str:
    return practitioners.register(
        context,
        {"name": name, "id_card": unique_id_card(), "region": REGION, "education": "master", **fields},
    )["id"]


@pytest.fixture(scope="module")
def pool(context) -> list[str]:
    ids = []
    for index in range(3):
        person = _person(context, f"通知专家{index}", email=f"expert{index}@example.cn")
        certificates.issue(context, {
            "number": f"NE-{uuid.uuid4().hex[:10].upper()}", "practitioner_id": person, "work_type": "aviation",
            "level": 2, "issued_on": date(2023, 1, 1)})  # fmt: skip
        ids.append(person)
    return ids


def _draw(context, year_offset: int, **fields) -> dict:
    return draws.create(context, {
        "purpose": "policy_advice", "title": "某机场碳排放核查报告评审", "work_type": "aviation", "min_level": 2,
        "region": REGION, "size": 1, "reserves": 1, "exclusions": [],
        "panel_date": date(date.today().year + year_offset, 3, 1), **fields})  # fmt: skip


def _invited(view: dict) -> str:
    return next(
        s["practitioner"]["id"] for s in view["seats"] if s["role"] == "panel" and s["status"] == "invited"
    )


def _token(body: str, action: str) -> str:
    marker = f"/n/{action}/"
    return body.split(marker, 1)[1].split()[0]


def test_a_concealed_draw_invites_without_its_project_and_names_it_once_accepted(context, pool):
    view = _draw(context, 20, conceal_project=True)
    expert = _invited(view)
    invitation = next(n for n in notifications.of_practitioner(context, expert, 1, 100).items
                  if n["kind"] == "draw_invitation")  # fmt: skip
    assert "某机场" not in invitation["body"] and "政策咨询" in invitation["body"]
    assert (
        context.graph.read(invitation_repo.find, expert, view["id"])["title"] is None
    )  # /me/invitations too
    signed = _token(invitation["body"], "accept")
    notification_answers.answer(context, signed, "accepted")
    confirmed = [n for n in notifications.of_practitioner(context, expert, 1, 100).items
                 if n["kind"] == "draw_confirmed"]  # fmt: skip
    assert len(confirmed) == 1 and "某机场碳排放核查报告评审" in confirmed[0]["body"]
    events = len(draws.get(context, view["id"])["events"])
    with pytest.raises(Conflict):
        notification_answers.answer(context, signed, "accepted")  # the link used twice changes nothing
    assert len(draws.get(context, view["id"])["events"]) == events


def test_a_decline_through_the_link_calls_the_reserve_with_a_replacement_notice(context, pool):
    view = _draw(context, 21)
    expert = _invited(view)
    invitation = [n for n in notifications.of_practitioner(context, expert, 1, 100).items
                  if n["kind"] == "draw_invitation" and "某机场" in n["body"]][-1]  # fmt: skip
    after = notification_answers.answer(
        context, _token(invitation["body"], "decline"), "declined", "身体原因"
    )
    assert after["status"] == "declined"
    reserve = _invited(draws.get(context, view["id"]))
    called = [n for n in notifications.of_practitioner(context, reserve, 1, 100).items
              if n["kind"] == "draw_replacement"]  # fmt: skip
    assert called and "/n/accept/" in called[0]["body"]


def test_an_edited_link_is_refused_and_an_expired_one_too(context, pool):
    view = _draw(context, 22)
    expert = _invited(view)
    good = notification_links.token(context, view["id"], expert, datetime.now(UTC) + timedelta(hours=1))
    with pytest.raises(notification_links.LinkInvalid):
        notification_links.read(context, good[:-2] + ("AA" if not good.endswith("AA") else "BB"))
    other = notification_links.token(
        context, view["id"], str(uuid.uuid4()), datetime.now(UTC) + timedelta(hours=1)
    )
    forged = other.split(".")[0] + "." + good.split(".")[1]  # someone else's payload with this signature
    with pytest.raises(notification_links.LinkInvalid):
        notification_links.read(context, forged)
    expired = notification_links.token(context, view["id"], expert, datetime.now(UTC) - timedelta(seconds=1))
    events = len(draws.get(context, view["id"])["events"])
    with pytest.raises(notification_links.LinkExpired):
        notification_answers.answer(context, expired, "accepted")
    assert len(draws.get(context, view["id"])["events"]) == events


def test_expiry_notices_come_once_per_certificate_and_threshold(context):
    person = _person(context, "到期提醒", email="expiry@example.cn")
    today = date.today()
    for days in (20, 60, 200):
        certificates.issue(context, {
            "number": f"EX-{days}-{uuid.uuid4().hex[:8].upper()}", "practitioner_id": person,
            "work_type": "monitoring", "level": 3, "issued_on": date(2022, 1, 1),
            "expires_on": today + timedelta(days=days)})  # fmt: skip
    notification_events.queue_expiry_notices(context)
    notification_events.queue_expiry_notices(context)
    items = notifications.of_practitioner(context, person, 1, 100).items
    assert sorted(n["title"] for n in items if n["kind"] == "certificate_expiring") == [
        "证书将于 20 天后到期", "证书将于 60 天后到期"]  # fmt: skip
