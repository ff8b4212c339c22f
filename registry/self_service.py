"""What a practitioner may change in their own record, what stays the authority's, and what a deletion request
removes (issue 13; PIPL arts. 15 and 47 for withdrawing consent and deletion, art. 45 for a copy of one's data).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from registry.dates import add_months
from registry.visibility import VISIBILITY_FIELDS

# The person curates these (PATCH /me); `visibility` holds their per-field settings.
SELF_EDITABLE_FIELDS: tuple[str, ...] = (
    "bio", "specialties", "industries", "qualifications", "phone", "email", "public_profile", "visibility",
    "contact_for_activities",
)  # fmt: skip

# The authority's record (issue 13: "name, ID card, certificates, pools, evaluations or records"), and what an
# administrator enters for it; a practitioner's key may read these but never write them.
AUTHORITY_FIELDS: tuple[str, ...] = (
    "name", "id_card", "certificates", "pools", "evaluations", "records", "status", "gender", "education",
    "enrolled", "work_start_year", "region", "employer_id",
)  # fmt: skip

QUALIFICATION_DECLARED, QUALIFICATION_CONFIRMED = "declared", "confirmed"
QUALIFICATION_STATUSES: tuple[str, ...] = (QUALIFICATION_DECLARED, QUALIFICATION_CONFIRMED)


def patch_problems(fields: Iterable[str]) -> dict[str, list[str]]:
    """Field errors for the names in a self-service edit: the authority's fields and unknown names are refused."""
    errors: dict[str, list[str]] = {}
    for name in fields:
        if name in SELF_EDITABLE_FIELDS:
            continue
        if name in AUTHORITY_FIELDS:
            errors[name] = [f"{name} is kept by the registry's administrators; ask them to change it."]
        else:
            errors[name] = [f"Unknown field; you may change {', '.join(SELF_EDITABLE_FIELDS)}."]
    return errors


@dataclass(frozen=True)
class QualificationChanges:
    """How a person's list of claimed qualifications changes their record."""

    declare: tuple[str, ...]  # new claims, stored as declared until an admin confirms them
    withdraw: tuple[str, ...]  # declared claims the person no longer makes
    refused: tuple[str, ...]  # confirmed qualifications missing from the list: only an admin removes those


def qualification_changes(current: Mapping[str, str], claimed: Iterable[str]) -> QualificationChanges:
    """Compare the stored qualifications (code → declared/confirmed) with the codes a person now claims."""
    wanted = list(dict.fromkeys(claimed))
    declare = tuple(code for code in wanted if code not in current)
    withdraw = tuple(
        sorted(
            code
            for code, status in current.items()
            if code not in wanted and status != QUALIFICATION_CONFIRMED
        )
    )
    refused = tuple(
        sorted(
            code
            for code, status in current.items()
            if code not in wanted and status == QUALIFICATION_CONFIRMED
        )
    )
    return QualificationChanges(declare, withdraw, refused)


def qualification_problems(changes: QualificationChanges) -> dict[str, list[str]]:
    """Field errors for qualification changes a person may not make."""
    if not changes.refused:
        return {}
    return {
        "qualifications": [
            f"{', '.join(changes.refused)}: confirmed by the registry; only an administrator removes a confirmed "
            "qualification (you may hide it with visibility instead)."
        ]
    }


# --- Deletion request (PIPL art. 47): what goes and what stays, each with the reason. ---


@dataclass(frozen=True)
class Retention:
    what: str
    why: str


# Verification records are kept at least five years (碳排放权交易管理暂行条例, 国务院令第775号, 2024): the facts a
# conflict or a finding rests on (employments, team memberships, site visits) outlive a deletion request that long.
EVIDENCE_RETENTION_YEARS = 5


def evidence_kept_until(requested_on: date) -> date:
    """The day until which a deleted person's evidence (employments, teams, site visits) is kept: five years."""
    return add_months(requested_on, 12 * EVIDENCE_RETENTION_YEARS)


# Stays: the certification record and the authority's decisions, which verification and other people rely on.
KEPT: tuple[Retention, ...] = (
    Retention(
        "name", "certificate verification (证书查询) matches a certificate number with the holder's name"
    ),
    Retention(
        "id_card_hash, id_card_tail", "identifies the holder of the certificates; stops a second registration"
    ),
    Retention("certificates and their status history", "the certificates are public credentials (证书查询)"),
    Retention("pool membership history", "derived from the certificates; the record of who served when"),
    Retention(
        "engagements, evaluations, misconduct records, sanctions", "the authority's and clients' records"
    ),
    Retention("draws and invitations", "a sealed draw is never edited (issue 11)"),
    Retention(
        "employment history (every employer with its dates), engagement teams with their roles, site visits "
        "with their days and regions",
        "other people's conflict checks and integrity findings rest on them, and verification records are kept "
        f"at least {EVIDENCE_RETENTION_YEARS} years (碳排放权交易管理暂行条例, State Council order 775, 2024); "
        "they stay attached to the anonymised record until evidence_kept_until",
    ),
    Retention("audit trail", "tamper-evident; personal fields are logged only as 'changed'"),
)

# Set to null: the person's own profile and contact data.
ANONYMISED_PROPERTIES: tuple[str, ...] = (
    "bio", "phone", "email", "gender", "education", "enrolled", "work_start_year",
)  # fmt: skip

# Removed: what the person declared or the profile around them, none of it a certification record. Employment
# (EMPLOYED_BY) was removed here until issue 23: it is evidence now and stays (KEPT).
REMOVED_RELATIONSHIPS: tuple[str, ...] = (
    "HAS_SPECIALTY", "EXPERIENCED_IN", "HAS_QUALIFICATION", "BASED_IN", "DECLARED", "UNAVAILABLE",
)  # fmt: skip

# Kept as evidence with the anonymised record (see KEPT): never in REMOVED_RELATIONSHIPS.
EVIDENCE_RELATIONSHIPS: tuple[str, ...] = ("EMPLOYED_BY", "WORKED_ON", "VISITED")

# Consent withdrawn: off the showcase, every field private, out of the pools (status deleted).
WITHDRAWN_CONSENT: dict[str, Any] = {
    "public_profile": False,
    "visibility": dict.fromkeys(VISIBILITY_FIELDS, "private"),
}


@dataclass(frozen=True)
class DeletionPlan:
    properties: dict[str, Any]  # to set on the Practitioner node
    removed_relationships: tuple[str, ...]
    kept: tuple[Retention, ...]


def deletion_plan() -> DeletionPlan:
    """What a deletion request does to a practitioner's record."""
    properties: dict[str, Any] = dict.fromkeys(ANONYMISED_PROPERTIES)
    properties |= WITHDRAWN_CONSENT | {"status": "deleted"}
    return DeletionPlan(properties, REMOVED_RELATIONSHIPS, KEPT)
