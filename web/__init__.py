"""The Chinese web portal (门户): server-rendered pages over the same services as the API, installed by
`install(app)`; `web/portal.py` holds the request plumbing (sessions, CSRF, error pages) every page uses."""

from __future__ import annotations

from flask import Flask

from web.portal import error_page, portal


def install(app: Flask) -> None:
    """Register the portal on the app, with its template filters and its error pages."""
    from web import (  # noqa: F401 — their routes join the blueprint
        account,
        activities,
        activity_organizer,
        admin,
        admin_draws,
        admin_queues,
        dashboards,
        imports,
        integrity,
        labels,
        me,
        notification_links,
        organizations,
        pages,
    )

    app.register_blueprint(portal)
    for name, function in labels.FILTERS.items():
        app.jinja_env.filters[name] = function
    app.register_error_handler(Exception, error_page)


__all__ = ["error_page", "install"]
