"""Who may see which part of a practitioner's record: per-field visibility chosen by the person.

Modelled on ORCID's visibility settings (everyone / trusted parties / only me, with a default per field), adapted to
the registry's roles (DESIGN.md §1 and §7, issue 13):

| level | who sees the field |
|---|---|
| `public` | everyone, including callers without a key (for a practitioner who consents to the showcase) |
| `clients` | client, government and admin keys |
| `private` | admin keys only |

The person themself always sees their whole record. What the authority certifies (name, certificates, pools) has no
setting: the registry exists to show it, and `/verify` publishes a certificate with a masked holder anyway.
`present` is the one rule every read path calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from registry.masking import mask_name

PUBLIC, CLIENTS, PRIVATE = "public", "clients", "private"
VISIBILITY_LEVELS: tuple[str, ...] = (PUBLIC, CLIENTS, PRIVATE)

# Roles, as interface.auth names them; "public" is a caller without a key.
ADMIN_ROLE, PRACTITIONER_ROLE, PUBLIC_ROLE = "admin", "practitioner", "public"
CLIENT_ROLES: frozenset[str] = frozenset({"client", "government", "admin"})

# The levels each kind of viewer may read. A practitioner key looking at someone else is a member of the public:
# it is bound to one person and is no client of the registry.
_READS: dict[str, frozenset[str]] = {
    PUBLIC_ROLE: frozenset({PUBLIC}),
    "client": frozenset({PUBLIC, CLIENTS}),
    "government": frozenset({PUBLIC, CLIENTS}),
    ADMIN_ROLE: frozenset(VISIBILITY_LEVELS),
}

# Field → default level. Defaults keep what the registry showed before people could choose (issue 13): the profile
# of a consenting practitioner is public, contact details are for administrators only (DESIGN.md §5).
VISIBILITY_DEFAULTS: dict[str, str] = {
    "bio": PUBLIC,
    "specialties": PUBLIC,
    "industries": PUBLIC,
    "qualifications": PUBLIC,
    "employer": PUBLIC,
    "gender": PUBLIC,
    "education": PUBLIC,
    "work_start_year": PUBLIC,
    "phone": PRIVATE,
    "email": PRIVATE,
    # Public-welfare record (issue 25): public by default, as the platform exists to show service given.
    "public_welfare": PUBLIC,
}
VISIBILITY_FIELDS: tuple[str, ...] = tuple(VISIBILITY_DEFAULTS)
# Search reads the fields a person hides from each audience from lists stored by their own edits
# (services/profiles.py); a default that hid a searchable field (bio, specialties, industries, qualifications)
# would need those lists written for everyone who never edited their settings.

# Fields of a view that are shown or hidden together with a governed field.
_FOLLOWERS: dict[str, tuple[str, ...]] = {
    "education": ("enrolled",),
    "work_start_year": ("experience_years",),
}

# Shown to admin and the person only, whatever the settings: the authority's personal data about them.
ALWAYS_PRIVATE: tuple[str, ...] = ("id_card_tail", "visibility", "deletion_requested_at")


def validate_visibility(settings: Any) -> dict[str, list[str]]:
    """Field errors for a `visibility` object sent by a person; an empty dict means it is fine."""
    if not isinstance(settings, Mapping):
        return {"visibility": ["Must be an object mapping a field to public, clients or private."]}
    errors: dict[str, list[str]] = {}
    for name, level in settings.items():
        if name not in VISIBILITY_DEFAULTS:
            errors.setdefault(f"visibility.{name}", []).append(
                f"No visibility setting for {name!r}; fields with a setting: {', '.join(VISIBILITY_FIELDS)}."
            )
        elif level not in VISIBILITY_LEVELS:
            errors.setdefault(f"visibility.{name}", []).append(
                f"Must be one of {', '.join(VISIBILITY_LEVELS)}, not {level!r}."
            )
    return errors


def effective(settings: Mapping[str, str] | None) -> dict[str, str]:
    """Every governed field's level: the person's choice where they made one, the default elsewhere."""
    chosen = settings or {}
    return {name: chosen.get(name, default) for name, default in VISIBILITY_DEFAULTS.items()}


def readable_levels(role: str, is_self: bool = False) -> frozenset[str]:
    """The visibility levels a viewer may read; the person themself reads every level of their own record."""
    if is_self:
        return frozenset(VISIBILITY_LEVELS)
    return _READS.get(role, _READS[PUBLIC_ROLE])


def hidden_fields(settings: Mapping[str, str] | None, role: str, is_self: bool = False) -> frozenset[str]:
    """The governed fields (and the fields that follow them) this viewer may not see."""
    levels = readable_levels(role, is_self)
    hidden = {name for name, level in effective(settings).items() if level not in levels}
    return frozenset(hidden | {follower for name in hidden for follower in _FOLLOWERS.get(name, ())})


# An audience (a visibility level below private) and a role that belongs to it.
_AUDIENCE_ROLE: dict[str, str] = {PUBLIC: PUBLIC_ROLE, CLIENTS: "client"}


def hidden_from(settings: Mapping[str, str] | None, audience: str) -> list[str]:
    """Governed fields hidden from an audience (`public` or `clients`), sorted: stored for search to read."""
    hidden = hidden_fields(settings, _AUDIENCE_ROLE[audience])
    return sorted(name for name in hidden if name in VISIBILITY_DEFAULTS)


def audience_of(role: str) -> str | None:
    """The audience whose hidden fields a viewer of others' records may not see: None for an admin (sees
    everything), `clients` for client and government keys, `public` for everyone else."""
    levels = readable_levels(role)
    if PRIVATE in levels:
        return None
    return CLIENTS if CLIENTS in levels else PUBLIC


def sees_everything(role: str, is_self: bool) -> bool:
    """Whether this viewer sees the record unfiltered (admin, or the person themself)."""
    return is_self or role == ADMIN_ROLE


def present(view: Mapping[str, Any], role: str, is_self: bool = False) -> dict[str, Any]:
    """What this viewer may be shown of a stored practitioner view (the single rule for every read path).

    `view` is the stored view with `visibility` (the person's settings) in it. Fields the viewer may not read are
    left out, not blanked, so nothing says they exist. The public sees a masked name unless the person consents
    to the showcase (`public_profile`); the authority's personal data (ID card tail, the settings themselves)
    is for admin and the person only.
    """
    settings = view.get("visibility")
    hidden = hidden_fields(settings, role, is_self)
    shown = {key: value for key, value in view.items() if key not in hidden}
    if "public_welfare" in hidden and isinstance(shown.get("credit"), Mapping):
        # The credit summary's 公益服务 repeats the record: hidden with it.
        shown["credit"] = {k: v for k, v in shown["credit"].items() if k != "public_welfare"}
    if sees_everything(role, is_self):
        shown["visibility"] = effective(settings)
        return shown
    for name in ALWAYS_PRIVATE:
        shown.pop(name, None)
    if readable_levels(role) == _READS[PUBLIC_ROLE] and not view.get("public_profile") and shown.get("name"):
        shown["name"] = mask_name(shown["name"])
    return shown


def present_many(
    views: Iterable[Mapping[str, Any]], role: str, self_id: str | None = None
) -> list[dict[str, Any]]:
    """`present` for a list of views; `self_id` is the viewer's own practitioner id, if any."""
    return [present(view, role, is_self=self_id is not None and view.get("id") == self_id) for view in views]


# Facts a match candidate was scored on, by the field that governs their visibility (registry/matching.py).
_CANDIDATE_FACTS: dict[str, dict[str, Any]] = {
    "specialties": {"specialties": ()},
    "qualifications": {"qualifications": ()},
    "industries": {"declared_industry": False},
}


def visible_facts(settings: Mapping[str, str] | None, role: str, is_self: bool = False) -> dict[str, Any]:
    """Candidate facts to blank before scoring a match for this viewer: a hidden field earns no points and no
    reason, so neither the score nor its explanation reveals it (pass to `dataclasses.replace`)."""
    blanked: dict[str, Any] = {}
    for name in hidden_fields(settings, role, is_self):
        blanked |= _CANDIDATE_FACTS.get(name, {})
    return blanked


def conflict_as_seen(
    conflict: Mapping[str, Any],
    person: Mapping[str, Any],
    settings: Mapping[str, Mapping[str, str] | None],
    role: str,
) -> dict[str, Any]:
    """A conflict that excluded `person` as this viewer may see it. Its path goes through `path_as_seen`; when a
    step is hidden (a private employer, another person), the conflict says only that it exists — its kind, rule
    and path — without the organization's name or the dates it rests on. A declaration names only the
    organization: which relationship and when is for admins. `settings`: visibility choices by person id."""
    if role == "admin":
        return dict(conflict)
    if conflict["kind"] == "declaration":
        return {
            "kind": "declaration",
            "rule": conflict.get("rule"),
            "organization": conflict.get("organization"),
        }
    path = path_as_seen(conflict.get("path") or [], person["id"], settings, role)
    if any(step["from"].get("hidden") or step["to"].get("hidden") for step in path):
        return {"kind": conflict["kind"], "rule": conflict.get("rule"), "path": path}
    return {**conflict, "path": path}


# Stored form: a Neo4j property cannot hold a map, so choices are kept as "field=level" strings.
def encode(settings: Mapping[str, str]) -> list[str]:
    """The person's choices as stored on the Practitioner node (sorted, defaults included as chosen)."""
    return sorted(f"{name}={level}" for name, level in settings.items())


def decode(stored: Iterable[str] | None) -> dict[str, str]:
    """The person's choices from their stored form; entries for unknown fields or levels are ignored."""
    settings: dict[str, str] = {}
    for entry in stored or ():
        name, _, level = entry.partition("=")
        if name in VISIBILITY_DEFAULTS and level in VISIBILITY_LEVELS:
            settings[name] = level
    return settings


def path_as_seen(
    path: Iterable[Mapping[str, Any]],
    subject_id: str,
    settings: Mapping[str, Mapping[str, str] | None],
    role: str,
) -> list[dict[str, Any]]:
    """A conflict's path (registry/conflicts.py) as this viewer may see it: another person on it is
    `{type, hidden: true}` for everyone but an admin, and so is an employer the employee hides from the viewer's
    role (with the employment's dates), so a path never reveals what field visibility hides. `settings`: each
    practitioner's visibility choices, by id."""
    if role == "admin":
        return [dict(step) for step in path]
    shown: list[dict[str, Any]] = []
    for step in path:
        step = dict(step)
        source, target = step["from"], step["to"]
        person = source.get("type") == "Practitioner"
        if person and source.get("id") != subject_id:
            step["from"] = {"type": "Practitioner", "hidden": True}
        if target.get("type") == "Practitioner" and target.get("id") != subject_id:
            step["to"] = {"type": "Practitioner", "hidden": True}
        employer_hidden = (
            step.get("rel") == "EMPLOYED_BY"
            and person
            and (
                source.get("id") != subject_id
                or "employer" in hidden_fields(settings.get(source.get("id", "")), role)
            )
        )
        if employer_hidden:
            step["to"] = {"type": target.get("type"), "hidden": True}
            step["since"] = step["until"] = None
        shown.append(step)
    return shown
