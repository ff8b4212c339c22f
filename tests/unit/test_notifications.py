"""The notification rules: messages, channels, thresholds and back-off (registry/notifications.py)."""

from __future__ import annotations

from datetime import date

from registry.notifications import (
    INVITATION_KINDS,
    KIND_BY_CODE,
    KINDS,
    certificate_data,
    channels_for,
    draw_message_data,
    exam_data,
    expiry_threshold,
    gives_up,
    next_attempt_in,
    placeholders,
    preference_problems,
    render,
)

SEAT = {"purpose": "review_panel", "role": "panel", "panel_date": date(2027, 3, 1), "deadline": None,
        "title": "某市碳达峰方案评审", "organization_name": "某市生态环境局"}  # fmt: skip
LINKS = {"accept_url": "https://r.example/n/accept/t", "decline_url": "https://r.example/n/decline/t"}


def test_every_draw_message_is_filled_by_what_the_invitation_shows():
    data = draw_message_data(SEAT, concealed=False) | LINKS
    for kind in ("draw_invitation", "draw_replacement", "draw_reminder", "draw_confirmed"):
        spec = KIND_BY_CODE[kind]
        assert placeholders(spec.title) | placeholders(spec.body) <= set(data)
        title, body = render(kind, data)
        assert "专家评审组" in title + body


def test_a_concealed_draw_names_neither_its_project_nor_its_organization():
    _, body = render("draw_invitation", draw_message_data(SEAT, concealed=True) | LINKS)
    assert "某市碳达峰方案评审" not in body and "某市生态环境局" not in body
    _, shown = render("draw_invitation", draw_message_data(SEAT, concealed=False) | LINKS)
    assert "某市碳达峰方案评审" in shown and "某市生态环境局" in shown


def test_certificate_and_exam_messages_are_filled_by_their_data_builders():
    cert = certificate_data({"number": "C-1", "work_type": "verification", "level": 2,
                             "expires_on": date(2027, 1, 1)}, 30)  # fmt: skip
    assert render("certificate_expiring", cert) == (
        "证书将于 30 天后到期", "您的碳排放核查员二级证书（编号 C-1）将于 2027-01-01 到期，请及时办理延续。")  # fmt: skip
    facts = {"work_type": "monitoring", "level": 4, "starts_at": None, "day": date(2027, 1, 30)}
    assert "碳排放监测员四级" in render("exam_registered", exam_data(facts))[1]
    assert "合格" in render("exam_result", exam_data(facts, score="72", outcome_name="合格"))[1]


def test_the_90_and_30_day_thresholds():
    today = date(2026, 12, 7)
    assert expiry_threshold(today, date(2027, 3, 7)) == 90
    assert expiry_threshold(today, date(2027, 1, 6)) == 30
    assert expiry_threshold(today, date(2027, 3, 8)) is None
    assert expiry_threshold(today, date(2026, 12, 6)) is None


def test_an_invitation_falls_back_to_in_app_but_another_kind_can_be_off():
    assert channels_for("draw_invitation", ["sms"], ["in_app", "email"]) == ("in_app",)
    assert channels_for("draw_invitation", None, ["in_app", "email", "sms"]) == ("in_app", "email", "sms")
    assert channels_for("certificate_expiring", [], ["in_app", "email"]) == ()
    assert channels_for("certificate_expiring", None, ["in_app"]) == ("in_app",)


def test_a_mandatory_kind_cannot_be_switched_off_and_unknown_names_are_refused():
    assert set(preference_problems({"draw_invitation": [], "draw_replacement": []})) == {
        "draw_invitation", "draw_replacement"}  # fmt: skip
    assert preference_problems({"draw_invitation": ["sms"], "exam_result": []}) == {}
    assert set(preference_problems({"nope": ["sms"], "exam_result": ["fax"]})) == {"nope", "exam_result"}
    assert {k.code for k in KINDS if k.mandatory} == {"draw_invitation", "draw_replacement"}
    assert {k.code for k in KINDS if k.mandatory} <= INVITATION_KINDS


def test_back_off_doubles_up_to_its_cap_and_gives_up_after_the_last_attempt():
    assert [next_attempt_in(n, 60) for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert next_attempt_in(30, 60, cap=3600) == 3600
    assert not gives_up(4, 5) and gives_up(5, 5)
