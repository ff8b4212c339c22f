"""Expert panel draws, looked back on: a draw checked against its sealed record, and statistics over draws."""

from __future__ import annotations

from datetime import date
from typing import Any

from graph import draw_records as records
from graph import draws as repo
from registry.draw_stats import acceptance_rate, gini, top_share
from registry.draw_verify import SealedRecord
from registry.draw_verify import verify as verify_record
from registry.draws import exclusions_by_rule
from services import draw_stats_memo
from services.context import Context
from services.draws import get


def verify(ctx: Context, draw_id: str) -> dict[str, Any]:
    """Recompute the draw from its stored record, hold it to its signed seal, and say which part no longer matches."""
    view = get(ctx, draw_id)
    sealed_at_creation = ctx.graph.read(repo.seal_at_creation, draw_id)
    record = SealedRecord(
        draw_id=view["id"],
        size=view["size"],
        reserves=view["reserves"],
        secret=view["secret"],
        seed_commitment=view["seed_commitment"],
        candidate_hash=view["candidate_hash"],
        seed=view["seed"],
        candidate_count=view["candidate_count"],
        candidates=records.sealed_candidates(view["candidates"]),
        events=tuple(records.event_from(e) for e in view["events"]),
        seats=tuple(records.seat_from(s) for s in view["seats"]),
        draw=view,
        exclusions=tuple(view.get("excluded") or ()),
        event_rows=tuple(view["events"]),
        sealed_at_creation=sealed_at_creation,
    )
    result = verify_record(record, ctx.settings.signer.verifies)
    return {
        "verified": result.verified,
        "id": view["id"],
        "checks": [c.to_dict() for c in result.checks],
        "mismatched": result.mismatched,
        "event_seq": result.event_seq,
        "signature": result.signature,
        "key_id": view.get("seal_key_id"),
        "secret": view["secret"],
        "seed_commitment": view["seed_commitment"],
        "candidate_hash": view["candidate_hash"],
        "candidate_count": view["candidate_count"],
        "seed": view["seed"],
        **_candidates_part(view),
    }


_SEAL_METHOD = (
    "seal = Ed25519 signature over the SHA-256 of each part (criteria, dates, candidates, seeding, "
    "exclusions); each event hashed with the one before (the first with the seal), the head signed"
)


def _candidates_part(view: dict[str, Any]) -> dict[str, Any]:
    """What a verifier needs to redo the candidate steps: every line (before merkle-v2) or the proven reach."""
    if view.get("candidate_reach"):
        order = records.sealed_order_of(view)
        return {
            "candidate_format": view.get("candidate_format"),
            "candidates": [records.candidate_line(c) for c in order],
            "candidate_reach": view["candidate_reach"],
            "method": (
                "merkle-v2: candidate ids sorted, cut into chunks of 16 ('id' lines); Merkle tree of the chunks' "
                "SHA-256; candidate_hash = SHA-256('merkle-v2|count|16|root'); seed = SHA-256(secret ‖ id ‖ "
                "candidate_hash); the k-th try (k = 0, 1, …) picks position int(SHA-256(seed ‖ ':' ‖ k), 16) mod "
                "count, a position drawn before is passed over; candidate_reach holds the positions reached, "
                "each with its chunk and Merkle path; panel = first size, reserves = next reserves, one expert "
                "per employer; " + _SEAL_METHOD
            ),
        }
    return {
        "candidate_format": "lines-v1",
        "candidates": view["candidates"],
        "candidate_reach": None,
        "method": (
            "candidate_hash = SHA-256 of the candidate lines 'id|employers' each ending in a newline; "
            "seed = SHA-256(secret ‖ id ‖ candidate_hash); order key = SHA-256(seed ‖ practitioner id), "
            "ascending; panel = first size, reserves = next reserves, one expert per employer; "
            + _SEAL_METHOD
        ),
    }


def statistics(
    ctx: Context, period_from: date | None = None, period_to: date | None = None
) -> dict[str, Any]:
    """Draws per month and purpose, how evenly seats spread over the expert pool, answers, exclusions by rule."""
    raw = ctx.graph.read(draw_stats_memo.statistics, period_from, period_to, ctx.today)
    by_purpose: dict[str, int] = {}
    for row in raw["draws"]:
        by_purpose[row["purpose"]] = by_purpose.get(row["purpose"], 0) + row["draws"]
    answers = {status: 0 for status in ("invited", "accepted", "declined", "no_response")}
    for row in raw["seats"]:
        if row["role"] == "panel" and row["status"] in answers:
            answers[row["status"]] += row["seats"]
    per_expert = raw["per_expert"]
    by_rule = exclusions_by_rule([])
    by_rule.update({rule: n for rule, n in raw["exclusions"].items() if rule in by_rule})
    return {
        "period": {"from": period_from, "to": period_to},
        "draws": sum(by_purpose.values()),
        "short_draws": sum(row["short"] for row in raw["draws"]),
        "by_month": [
            {"month": r["month"], "purpose": r["purpose"], "draws": r["draws"]} for r in raw["draws"]
        ],
        "by_purpose": by_purpose,
        "spread": {
            "expert_pool_size": raw["pool_size"],
            "experts_drawn": len(per_expert),
            "seats_drawn": sum(per_expert),
            "max_seats_per_expert": max(per_expert, default=0),
            "top_10_percent_share": top_share(per_expert, raw["pool_size"]),
            "gini": gini(per_expert, raw["pool_size"]),
        },
        "invitations": {
            **{("pending" if k == "invited" else k): v for k, v in answers.items()},
            "acceptance_rate": acceptance_rate(
                answers["accepted"], answers["declined"], answers["no_response"]
            ),
        },
        "exclusions_by_rule": by_rule,
    }
