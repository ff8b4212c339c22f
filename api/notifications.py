"""Notifications: a practitioner's own (/me/notifications, mark read, channels per kind) and, for administrators,
the deliveries that kept failing (/notifications/failed)."""

from __future__ import annotations

from typing import Any

from flask_restx import Namespace, Resource

from api.decorators import accepts, paginated, returns
from api.me import PRACTITIONER, me
from api.me import ns as me_ns
from interface.auth import ADMIN, require
from interface.context import ctx
from interface.schemas.common import PageArgs
from interface.schemas.notification import (
    FailedDeliverySchema,
    NotificationArgs,
    NotificationSchema,
    PreferencesInputSchema,
    PreferencesSchema,
)
from services import notifications
from services.context import Page

ns = Namespace("notifications", description="The notification outbox: deliveries that kept failing (admin)")

_NOTIFICATION = NotificationSchema()
_PREFERENCES = PreferencesSchema()


@me_ns.route("/notifications")
class MyNotifications(Resource):
    @require(PRACTITIONER)
    @paginated(me_ns, NotificationArgs(), _NOTIFICATION)
    def get(self, args: dict[str, Any]) -> Page:
        """Your notifications, newest first, each with its deliveries (`?unread=true`: unread only)."""
        return notifications.of_practitioner(ctx(), me(), args["page"], args["per_page"], args.get("unread"))


@me_ns.route("/notifications/<string:notification_id>/read")
@me_ns.param("notification_id", "the notification's id")
class MyNotificationRead(Resource):
    @require(PRACTITIONER)
    @returns(me_ns, _NOTIFICATION)
    def post(self, notification_id: str) -> dict[str, Any]:
        """Mark one of your notifications read (again: no change); 404 when it is not yours."""
        return notifications.mark_read(ctx(), me(), notification_id[:64])


@me_ns.route("/notification-channels")
class MyNotificationChannels(Resource):
    @require(PRACTITIONER)
    @returns(me_ns, _PREFERENCES)
    def get(self) -> dict[str, Any]:
        """Where each kind of notification goes for you (your choice, else the default)."""
        return notifications.preferences(ctx(), me())

    @require(PRACTITIONER)
    @returns(me_ns, _PREFERENCES)
    @accepts(me_ns, PreferencesInputSchema())
    def put(self, data: dict[str, Any]) -> dict[str, Any]:
        """Choose channels per kind; an empty list switches a kind off — a draw invitation can only move."""
        return notifications.set_preferences(ctx(), me(), data["channels"])


@ns.route("/failed")
class FailedDeliveries(Resource):
    @require(ADMIN)
    @paginated(ns, PageArgs(), FailedDeliverySchema())
    def get(self, args: dict[str, Any]) -> Page:
        """Deliveries that kept failing: kind, channel, the recipient's id, each attempt's time and error."""
        page = notifications.failed(ctx(), args["page"], args["per_page"])
        page.extra["by_status"] = notifications.delivery_counts(ctx())
        return page
