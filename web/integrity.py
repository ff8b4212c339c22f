"""诚信风险: the supervisors' anomaly queue (issue 23 §4) — findings by kind, status and region, one finding with its
evidence drawn as a graph, and the decision form — through services.integrity, as GET/POST /integrity/findings."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from marshmallow import ValidationError

from interface.context import ctx
from interface.schemas.integrity import FindingArgs, FindingDecisionSchema
from registry import reference as places
from registry.errors import RegistryError
from registry.integrity import KIND_CODES, KINDS, STATUSES, TRANSITIONS
from services import integrity
from web import labels
from web.pages import field_errors
from web.portal import portal, principal

SUPERVISORS = ("admin", "government")  # as api/integrity.py
PER_PAGE = 20
CATEGORIES = {"Practitioner": "人员", "Organization": "单位", "Engagement": "项目", "Circle": "圈子"}
_ORDER = list(CATEGORIES)


def supervisors_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Administrators and government users: others are sent to log in, or refused when logged in otherwise."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if principal().role == "public":
            return redirect(url_for("portal.login"))
        if principal().role not in SUPERVISORS:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


@portal.route("/integrity")
@supervisors_only
def integrity_queue() -> Any:
    """The queue, highest score first, filtered by kind, status and region; paged."""
    wanted = {k: request.args.get(k, "").strip() for k in ("kind", "status", "region", "page")}
    errors: dict[str, list[str]] = {}
    try:
        args = FindingArgs().load({k: v for k, v in wanted.items() if v} | {"per_page": PER_PAGE})
        filters = {k: args.get(k) for k in ("kind", "status", "region")}
        found = integrity.list(ctx(), filters, args["page"], PER_PAGE)
    except ValidationError as error:
        errors, found, args = field_errors(error), None, {"page": 1}
    except RegistryError as error:
        if error.status != 400:
            raise
        messages = getattr(error, "errors", None) or {"_": [error.detail]}
        errors, found, args = (
            {k: [labels.message(m) for m in v] for k, v in messages.items()},
            None,
            {"page": 1},
        )
    total = found.total if found else 0
    return render_template(
        "integrity/queue.html", items=found.items if found else [], total=total, page=args["page"],
        pages=max(1, -(-total // PER_PAGE)), form=wanted, errors=errors, kinds=KIND_CODES, statuses=STATUSES,
        provinces=places.PROVINCES,
    ), 400 if errors else 200  # fmt: skip


@portal.route("/integrity/findings/<uuid:finding_id>")
@supervisors_only
def integrity_finding(finding_id: Any) -> Any:
    """One finding: its facts, its evidence as a graph, its decisions and the form for the next one."""
    return _finding_page(str(finding_id), message=request.args.get("done"))


@portal.route("/integrity/findings/<uuid:finding_id>/decision", methods=["POST"])
@supervisors_only
def integrity_decide(finding_id: Any) -> Any:
    """Move a finding on with a reason, through the service the API's POST …/decision uses."""
    form = {k: request.form.get(k, "").strip() for k in ("status", "reason", "practitioner_id")}
    raw: dict[str, Any] = {k: v for k, v in form.items() if v}
    raw["open_misconduct"] = request.form.get("open_misconduct") == "on"
    try:
        data = FindingDecisionSchema().load(raw)
        decided = integrity.decide(ctx(), str(finding_id), data)
    except ValidationError as error:
        return _finding_page(str(finding_id), 400, form=form, errors=field_errors(error))
    except RegistryError as error:
        if error.status == 404:
            raise
        messages = getattr(error, "errors", None) or {"_": [error.detail]}
        errors = {k: [labels.message(m) for m in v] for k, v in messages.items()}
        return _finding_page(str(finding_id), error.status, form=form, errors=errors)
    done = f"已处理：{labels.FINDING_STATUS[decided['status']]}"
    return redirect(url_for("portal.integrity_finding", finding_id=finding_id, done=done))


def _finding_page(finding_id: str, status: int = 200, **extra: Any) -> Any:
    finding = integrity.get(ctx(), finding_id)
    drawing = evidence_graph(finding)
    return render_template(
        "integrity/finding.html", finding=finding, drawing=json.dumps(drawing, ensure_ascii=False, default=str),
        edges=drawing["edges"], nodes=drawing["nodes"], next_statuses=sorted(TRANSITIONS[finding["status"]],
        key=STATUSES.index), kind=KINDS[finding["kind"]], region_names=_REGION_NAMES,
        **{"message": None, "form": {}, "errors": {}, **extra},
    ), status  # fmt: skip


_REGION_NAMES = dict(places.PROVINCES) | dict(places.CITIES)


# --- The evidence as a graph ------------------------------------------------------------------------------------


class _Drawing:
    """Nodes and links for ECharts, each node once; a node the finding does not show stays hidden (no id, no name)."""

    def __init__(self, finding: dict[str, Any]) -> None:
        self.known: dict[str, tuple[str, str]] = {}
        for person in finding.get("practitioners") or []:
            self.known[person["id"]] = ("Practitioner", person.get("name") or "人员")
        for organization in finding.get("organizations") or []:
            self.known[organization["id"]] = ("Organization", organization.get("name") or "单位")
        for engagement in finding.get("engagements") or []:
            self.known[engagement["id"]] = ("Engagement", engagement.get("title") or "项目")
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: list[dict[str, Any]] = []
        self.hidden = 0

    def node(self, node_id: str | None, label: str = "Practitioner", name: str | None = None) -> str:
        if node_id in self.known:
            label, name = self.known[node_id]  # type: ignore[index]
        elif name is None or node_id is None:
            self.hidden += 1
            node_id, name = f"hidden-{self.hidden}", f"（不公开的{CATEGORIES.get(label, '对象')}）"
        if node_id not in self.nodes:
            self.nodes[node_id] = {"id": node_id, "name": name, "category": _ORDER.index(label),
                                   "symbolSize": 22 if label in ("Practitioner", "Circle") else 16}  # fmt: skip
        return node_id

    def edge(self, source: str, relation: str, target: str) -> None:
        self.edges.append({"source": source, "target": target, "value": relation,
                           "from": self.nodes[source]["name"], "to": self.nodes[target]["name"]})  # fmt: skip

    def path(self, steps: list[dict[str, Any]]) -> None:
        for step in steps:
            ends = []
            for end in (step.get("from") or {}, step.get("to") or {}):
                label = str(end.get("type") or "").capitalize()
                label = label if label in CATEGORIES else "Organization"
                shown = None if end.get("hidden") else end.get("id")
                ends.append(self.node(shown, label, None if end.get("hidden") else end.get("name")))
            rel = str(step.get("rel") or "")
            self.edge(ends[0], labels.RELATIONS.get(rel, rel), ends[1])


def evidence_graph(finding: dict[str, Any]) -> dict[str, Any]:
    """The finding's evidence as ECharts graph data: its people, organizations and engagements, tied as the
    evidence of its kind ties them (and along evidence paths, where a finding carries them)."""
    d, evidence, kind = _Drawing(finding), finding.get("evidence") or {}, finding["kind"]
    person = evidence.get("practitioner_id")
    if kind == "signed_not_on_site":
        engagement = d.node(evidence.get("engagement_id"), "Engagement")
        d.edge(d.node(person), "签字（未到现场）", engagement)
        for organization in finding.get("organizations") or []:
            d.edge(engagement, "委托方或承担机构", d.node(organization["id"], "Organization"))
    elif kind == "two_places":
        for visit in evidence.get("visits") or []:
            where = _REGION_NAMES.get(visit.get("province"), visit.get("province") or "")
            d.edge(d.node(person), f"现场：{where}", d.node(visit.get("engagement_id"), "Engagement"))
    elif kind == "overload":
        for engagement in evidence.get("engagement_ids") or []:
            d.edge(d.node(person), "同时参与", d.node(engagement, "Engagement"))
    elif kind == "familiar_pair":
        verifier = evidence.get("verifier") or {}
        source = d.node(
            verifier.get("id"), "Practitioner" if verifier.get("type") == "practitioner" else "Organization"
        )
        client = d.node(evidence.get("client_id"), "Organization")
        for engagement in evidence.get("engagement_ids") or []:
            node = d.node(engagement, "Engagement")
            d.edge(source, "核查", node)
            d.edge(node, labels.RELATIONS["FOR_CLIENT"], client)
    elif kind == "closed_circle":
        circle = d.node("circle", "Circle", "封闭圈子")
        for key, relation, label in (("verifier_ids", "圈内核查员", "Practitioner"),
                                     ("provider_ids", "圈内承担机构", "Organization"),
                                     ("client_ids", "圈内委托方", "Organization"),
                                     ("engagement_ids", "圈内项目", "Engagement")):  # fmt: skip
            for member in evidence.get(key) or []:
                d.edge(d.node(member, label), relation, circle)
    for path in evidence.get("paths") or []:
        d.path(path.get("path", path) if isinstance(path, dict) else path)
    for node_id in d.known:  # everything the finding concerns is on the drawing, tied or not
        d.node(node_id)
    links = [{"source": e["source"], "target": e["target"], "value": e["value"]} for e in d.edges]
    return {"nodes": list(d.nodes.values()), "links": links, "edges": d.edges, "directed": True,
            "categories": [{"name": name} for name in CATEGORIES.values()]}  # fmt: skip
