"""The signed seal of a draw's record and the chain of its events (registry/draw_seal.py, registry/draw_verify.py)."""

from dataclasses import asdict, replace
from datetime import UTC, date, datetime, timedelta, timezone

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from adapters.signing import Signer
from registry.draw_log import DrawEvent, open_draw, record_response
from registry.draw_seal import (
    canonical,
    chain,
    check_events,
    excluded_rows,
    head_message,
    part_digests,
    record_parts,
    seal_digest,
    seal_message,
    stored_seal,
)
from registry.draw_verify import verify
from registry.draws import Exclusion
from tests.unit.test_draws import DRAW_ID, NOW, SECRET, pool, record_of

REGISTRY = Signer(Ed25519PrivateKey.generate())
FORGER = Signer(Ed25519PrivateKey.generate())
CREATED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def rows(events: tuple[DrawEvent, ...] | list[DrawEvent]) -> list[dict]:
    """Events as the graph stores them: their properties, None left out."""
    return [{k: v for k, v in asdict(e).items() if v is not None} for e in events]


def draw_properties(opening, candidates) -> dict:
    return {
        "id": DRAW_ID, "purpose": "review_panel", "title": "评审", "organization_id": "org-client",
        "work_type": "verification", "min_level": 2, "industry": None, "region": "420000", "specialty": None,
        "size": 3, "reserves": 1, "manual_ids": [], "manual_reasons": [], "window_years": 3, "draw_cap": 6,
        "response_hours": 48, "created_at": CREATED, "panel_date": date(2026, 3, 10),
        "reference_date": date(2026, 3, 10), "candidate_hash": opening.candidate_hash,
        "candidate_count": len(candidates), "matched_count": len(candidates),
        "candidates": [f"{c.id}|{','.join(c.employers)}" for c in candidates], "secret": SECRET,
        "seed_commitment": opening.seed_commitment, "seed": opening.seed,
    }  # fmt: skip


def history():
    """An exclusion at sealing, then a decline (a reserve called) and a no-response with a skip (a replacement)."""
    candidates = pool(9, {"p00": "org-a", "p03": "org-a"})
    manual = Exclusion("p-coauthor", "manual", "co-author of the report")
    opening = open_draw(DRAW_ID, SECRET, candidates, [manual], 3, 1, NOW, 48)
    log, state = opening.log, opening.log.state
    record_response(log, opening.order, state.panel[0].practitioner_id, "declined", NOW, 48)
    blocked_id = next(c.id for c in opening.order if c.id not in state.seats)
    record_response(
        log, opening.order, state.panel[1].practitioner_id, "no_response", NOW, 48,
        blocked=lambda pid: [Exclusion(pid, "unavailable", "booked")] if pid == blocked_id else [],
    )  # fmt: skip
    return candidates, opening


def signed_record(signer: Signer = REGISTRY):
    """A busy draw as stored after this change: seal, chained events and head, signed by `signer`."""
    candidates, opening = history()
    events = rows(opening.log.events)
    exclusions = excluded_rows(events)
    draw = draw_properties(opening, candidates)
    digests = part_digests(record_parts(draw, exclusions))
    anchor = seal_digest(DRAW_ID, digests)
    hashes = chain(anchor, events)
    events = [{**event, "hash": hashed} for event, hashed in zip(events, hashes, strict=True)]
    draw |= {
        "seal_parts": canonical(digests),
        "seal_signature": signer.sign(seal_message(DRAW_ID, digests)),
        "seal_key_id": signer.key_id,
        "event_count": len(events),
        "event_hash": hashes[-1],
        "event_signature": signer.sign(head_message(DRAW_ID, anchor, len(events), hashes[-1])),
    }
    record = record_of(opening, candidates, reserves=1)
    return replace(record, draw=draw, exclusions=tuple(exclusions), event_rows=tuple(events))


def test_a_signed_record_verifies_with_the_registrys_key():
    result = verify(signed_record(), REGISTRY.verifies)
    assert result.verified, result.mismatched
    assert result.signature == "valid"
    assert {c.name for c in result.checks} >= {"signature", "criteria", "dates", "exclusions", "events"}


def test_a_record_signed_with_another_key_fails_only_its_signature():
    result = verify(signed_record(FORGER), REGISTRY.verifies)
    assert result.signature == "invalid"
    assert result.mismatched == ["signature"]


def test_a_draw_sealed_before_signing_verifies_as_before_with_signature_absent():
    record = signed_record()
    unsigned = {k: v for k, v in record.draw.items() if not k.startswith(("seal_", "event_"))}
    result = verify(replace(record, draw=unsigned, event_rows=()), REGISTRY.verifies)
    assert result.verified and result.signature == "absent"


def test_a_seal_removed_from_a_draw_whose_creation_recorded_one_fails_its_signature():
    record = signed_record()
    unsigned = {k: v for k, v in record.draw.items() if not k.startswith(("seal_", "event_"))}
    removed = replace(record, draw=unsigned, sealed_at_creation="ab" * 32)
    result = verify(removed, REGISTRY.verifies)
    assert result.signature == "invalid" and result.mismatched == ["signature"]


def test_each_part_of_the_record_is_named_when_it_changes():
    record = signed_record()
    for field, value, part in (
        ("panel_date", date(2026, 3, 11), "dates"),
        ("created_at", CREATED - timedelta(days=1), "dates"),
        ("window_years", 1, "criteria"),
        ("organization_id", "org-other", "criteria"),
        ("matched_count", 99, "candidates"),
    ):
        result = verify(replace(record, draw={**record.draw, field: value}), REGISTRY.verifies)
        assert result.mismatched == [part], field


def test_an_exclusion_deleted_or_its_evidence_edited_fails_the_exclusions_part():
    record = signed_record()
    sealing = [x for x in record.exclusions if x["stage"] == "sealing"]
    edited = [{**x, "detail": "nothing"} if x is sealing[0] else x for x in record.exclusions]
    assert verify(replace(record, exclusions=tuple(edited)), REGISTRY.verifies).mismatched == ["exclusions"]
    fewer = tuple(x for x in record.exclusions if x is not sealing[0])
    assert verify(replace(record, exclusions=fewer), REGISTRY.verifies).mismatched == ["exclusions"]


def test_a_refill_skip_without_its_excluded_row_fails_the_exclusions_part():
    record = signed_record()
    fewer = tuple(x for x in record.exclusions if x["stage"] != "refill")
    assert len(fewer) < len(record.exclusions)
    assert verify(replace(record, exclusions=fewer), REGISTRY.verifies).mismatched == ["exclusions"]


def test_an_edited_event_is_named_by_its_seq():
    record = signed_record()
    events = [dict(e) for e in record.event_rows]
    invited = next(e for e in events if e["kind"] == "invited")
    invited["deadline"] += timedelta(hours=1)
    result = verify(replace(record, event_rows=tuple(events)), REGISTRY.verifies)
    assert "events" in result.mismatched and result.event_seq == invited["seq"]


def test_deleting_the_last_event_is_caught_by_the_signed_head():
    record = signed_record()
    result = verify(replace(record, event_rows=record.event_rows[:-1]), REGISTRY.verifies)
    assert "events" in result.mismatched and result.event_seq == len(record.event_rows)


def test_deleting_a_middle_event_names_the_missing_seq():
    record = signed_record()
    excluded = next(e for e in record.event_rows[3:] if e["kind"] in ("excluded", "selected"))
    kept = tuple(e for e in record.event_rows if e is not excluded)
    result = verify(replace(record, event_rows=kept), REGISTRY.verifies)
    assert "events" in result.mismatched and result.event_seq == excluded["seq"]


def test_a_chain_rewritten_and_rehashed_no_longer_reaches_the_signed_head():
    record = signed_record()
    seal = stored_seal(record.draw)
    assert seal is not None
    anchor = seal_digest(DRAW_ID, seal.digests)
    events = [dict(e) for e in record.event_rows]
    events[4]["detail"] = "rewritten"
    rehashed = [{**e, "hash": h} for e, h in zip(events, chain(anchor, events), strict=True)]
    found = check_events(anchor, rehashed, seal.head_count, seal.head_hash)
    assert not found.ok and "signed head" in found.detail


def test_a_datetime_hashes_the_same_whatever_zone_object_carries_it():
    beijing = CREATED.astimezone(timezone(timedelta(hours=8)))
    assert canonical({"at": CREATED}) == canonical({"at": beijing})
