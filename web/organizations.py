"""单位: an organization's group of companies (控股、隶属) and its independence table — who verified it, year by year,
for how many consecutive years, with the rotation warning (issue 23 §3–4), as GET /organizations/{id}/group and
/independence give them; for administrators, government users, and a client session bound to that organization."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, url_for

from interface.context import ctx
from services import groups, independence
from web.portal import portal, principal

READERS = ("admin", "government")  # and a client bound to the organization, as the API's independence answer


@portal.route("/organizations/<uuid:organization_id>")
def organization(organization_id: Any) -> Any:
    """The organization with its group and its independence table."""
    visitor, wanted = principal(), str(organization_id)
    if visitor.role == "public":
        return redirect(url_for("portal.login"))
    if visitor.role not in READERS and not (visitor.role == "client" and visitor.organization_id == wanted):
        abort(403)
    context = ctx()
    table = independence.table(context, wanted, visitor.role)  # 404 for an unknown organization
    group = groups.group(context, wanted, None)
    names = {m["id"]: m.get("name") for m in group.get("members") or []}
    names[wanted] = group["organization"].get("name")
    return render_template("organization.html", organization=group["organization"], group=group, names=names,
                           table=table)  # fmt: skip
