"""Accept and decline links in invitation messages, signed with the service's secret (itsdangerous).

A link names the draw, the person and the invitation's deadline, signed with a key derived from
REGISTRY_SECRET_KEY (var/secret_key in a checkout): an edited link fails its signature, a link past the deadline
is refused, and a link used again finds the invitation answered; none of them changes anything. No login is
needed: the link is the person's proof, and it only answers their own invitation (services/notification_answers.py).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from itsdangerous import BadSignature, URLSafeSerializer

from registry.errors import RegistryError
from services.context import Context

SALT = "draw-invitation-link v1"


class LinkInvalid(RegistryError):
    """The link was edited or is not one of ours."""

    status = 400
    title = "The link is not valid"
    slug = "link-invalid"


class LinkExpired(RegistryError):
    """The invitation's deadline has passed."""

    status = 410
    title = "The link has expired"
    slug = "link-expired"


@dataclass(frozen=True)
class Invitation:
    draw_id: str
    practitioner_id: str
    deadline: datetime


def _serializer(ctx: Context) -> URLSafeSerializer:
    key = hmac.new(ctx.settings.secret_key, b"carbon-registry invitation-link v1", hashlib.sha256).digest()
    return URLSafeSerializer(key, salt=SALT)


def token(ctx: Context, draw_id: str, practitioner_id: str, deadline: datetime) -> str:
    """The signed token of one invitation, valid until its deadline."""
    return str(_serializer(ctx).dumps([draw_id, practitioner_id, int(deadline.timestamp())]))


def links(ctx: Context, draw_id: str, practitioner_id: str, deadline: datetime) -> dict[str, str]:
    """The accept and decline addresses of one invitation (PUBLIC_URL + /n/accept|decline/<token>)."""
    signed = token(ctx, draw_id, practitioner_id, deadline)
    base = ctx.settings.public_url
    return {"accept_url": f"{base}/n/accept/{signed}", "decline_url": f"{base}/n/decline/{signed}"}


def read(ctx: Context, signed: str, now: datetime | None = None) -> Invitation:
    """The invitation a token names; LinkInvalid when edited, LinkExpired past the deadline."""
    try:
        draw_id, practitioner_id, deadline = _serializer(ctx).loads(signed)
        when = datetime.fromtimestamp(int(deadline), UTC)
    except (BadSignature, ValueError, TypeError) as error:
        raise LinkInvalid("This link is not valid: it may have been altered or cut short.") from error
    if (now or datetime.now(UTC)) >= when:
        raise LinkExpired("The deadline to answer this invitation has passed.", deadline=when.isoformat())
    return Invitation(str(draw_id), str(practitioner_id), when)
