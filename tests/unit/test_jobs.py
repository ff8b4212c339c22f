"""The scheduled jobs' rules: slots, when a job is due, and when a lease may be taken."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from registry.jobs import (
    JOB_NAMES,
    LEASE,
    RETRY_AFTER,
    Lease,
    claimable,
    daily,
    due,
    every,
    held,
    hourly,
    next_run,
    parse,
    slot_start,
)

CST = timezone(timedelta(hours=8))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


def test_a_daily_job_s_slot_starts_at_its_time_today_once_that_has_passed():
    assert slot_start(daily("00:15"), at("2026-12-07T09:00")) == at("2026-12-07T00:15")
    assert slot_start(daily("00:15"), at("2026-12-07T00:15")) == at("2026-12-07T00:15")


def test_before_its_time_a_daily_job_is_still_in_yesterday_s_slot():
    assert slot_start(daily("02:30"), at("2026-12-07T02:29:59")) == at("2026-12-06T02:30")


def test_an_hourly_job_s_slot_starts_at_its_minute_past_the_hour():
    assert slot_start(hourly(10), at("2026-12-07T09:10")) == at("2026-12-07T09:10")
    assert slot_start(hourly(10), at("2026-12-07T09:09")) == at("2026-12-07T08:10")
    assert slot_start(hourly(10), at("2026-12-07T00:05")) == at("2026-12-06T23:10")


def test_an_every_n_minutes_job_s_slots_count_from_midnight():
    assert slot_start(every(15), at("2026-12-07T09:44:59")) == at("2026-12-07T09:30")
    assert slot_start(every(15), at("2026-12-07T00:00")) == at("2026-12-07T00:00")
    assert slot_start(every(1), at("2026-12-07T23:59:30")) == at("2026-12-07T23:59")


def test_the_next_run_is_the_next_slot():
    assert next_run(daily("00:15"), at("2026-12-07T09:00")) == at("2026-12-08T00:15")
    assert next_run(hourly(10), at("2026-12-07T09:09")) == at("2026-12-07T09:10")
    assert next_run(every(15), at("2026-12-07T23:50")) == at("2026-12-08T00:00")


def test_a_schedule_reads_as_it_is_written_and_parses_back():
    for schedule in (daily("02:30"), hourly(5), every(15), every(1)):
        assert parse(str(schedule)) == schedule
    assert str(daily("00:05")) == "daily at 00:05"
    assert str(every(1)) == "every minute"


@pytest.mark.parametrize(
    "text", ["daily 25:00", "every 7 minutes", "hourly at :61", "weekly", "every 0 minutes"]
)
def test_a_schedule_that_does_not_divide_time_well_is_refused(text):
    with pytest.raises(ValueError):
        parse(text)


def test_a_job_that_never_ran_is_due():
    assert due(daily("00:15"), Lease(), at("2026-12-07T09:00"))


def test_a_job_done_in_this_slot_is_not_due_again_until_the_next():
    lease = Lease(done_slot=at("2026-12-07T00:15"))
    assert not due(daily("00:15"), lease, at("2026-12-07T23:59"))
    assert due(daily("00:15"), lease, at("2026-12-08T00:15"))


def test_a_failed_run_is_retried_in_the_same_slot_only_after_the_back_off():
    failed = at("2026-12-07T00:15")
    lease = Lease(done_slot=at("2026-12-06T00:15"), failed_at=failed)
    assert not due(daily("00:15"), lease, failed + RETRY_AFTER - timedelta(seconds=1))
    assert due(daily("00:15"), lease, failed + RETRY_AFTER)


def test_a_requested_run_is_due_whatever_the_slot_until_a_run_starts_after_the_request():
    done = Lease(done_slot=at("2026-12-07T00:15"), started_at=at("2026-12-07T00:15"))
    asked = Lease(**{**done.__dict__, "requested_at": at("2026-12-07T10:00")})
    assert not due(daily("00:15"), done, at("2026-12-07T10:01"))
    assert due(daily("00:15"), asked, at("2026-12-07T10:01"))
    started = Lease(**{**asked.__dict__, "started_at": at("2026-12-07T10:01")})
    assert not due(daily("00:15"), started, at("2026-12-07T10:02"))


def test_a_lease_is_held_until_it_expires_and_never_against_its_own_holder():
    lease = Lease(owner="a", expires_at=at("2026-12-07T10:00") + LEASE)
    assert held(lease, at("2026-12-07T10:00"))
    assert not held(lease, at("2026-12-07T10:00"), by="a")
    assert not held(lease, at("2026-12-07T10:00") + LEASE)


def test_a_crashed_holder_s_expired_lease_can_be_taken_by_another():
    lease = Lease(owner="crashed", expires_at=at("2026-12-07T10:05"))
    assert not claimable(every(15), lease, at("2026-12-07T10:04"), "b")
    assert claimable(every(15), lease, at("2026-12-07T10:05"), "b")


def test_the_contract_s_jobs_are_all_there():
    assert {"expire_certificates", "end_sanctions", "lapse_invitations"} <= set(JOB_NAMES)
    assert {"send_reminders", "sign_audit_checkpoint", "integrity_scan", "deliver_notifications"} <= set(
        JOB_NAMES
    )
