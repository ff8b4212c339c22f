"""Public pages: 首页, 证书查询 (with a QR code, or an uploaded e-certificate PDF), 人才库 / 专家库 search with
facets, showcase profiles, a participation certificate's page."""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import urlencode

import segno
from flask import Response, abort, render_template, request, url_for
from marshmallow import ValidationError

from interface import presenters
from interface.auth import CLIENT_PLUS
from interface.context import ctx
from interface.schemas.certificate import VerifyArgs
from interface.schemas.practitioner import SearchArgs
from registry import reference as places
from registry.errors import NotFound, ValidationFailed
from registry.masking import mask_name
from services import activity_certificates, certificates, credit, documents, practitioners, profiles, search
from web import labels
from web.portal import portal, principal

PER_PAGE = 12
REGION_NAMES = dict(places.PROVINCES) | dict(places.CITIES)
INDUSTRY_NAMES = {code: name for code, name, _ in places.INDUSTRIES}
SANCTION_KINDS = labels.SANCTION_KINDS
POOL_SHORT_NAMES = {"talent": "人才库", "expert": "专家库"}
POOL_PAGES = {"talent": ("talent", "全国碳排放管理员人才库"), "expert": ("experts", "国家级碳排放专家库")}


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """marshmallow's messages per field, in Chinese."""
    messages = error.messages if isinstance(error.messages, dict) else {"_": error.messages}
    return {field: [labels.message(m) for m in (msgs if isinstance(msgs, list) else [str(msgs)])]
            for field, msgs in messages.items()}  # fmt: skip


@portal.route("/")
def home() -> str:
    """首页: what the registry is, the pools' sizes, a search box."""
    pools = {pool["code"]: pool["members"] for pool in search.pool_sizes(ctx())}
    return render_template("home.html", pools=pools)


@portal.route("/verify", methods=["GET", "POST"])
def verify() -> Any:
    """证书查询: number + name → the certificate's public facts with the holder masked.

    The form is posted, so a holder's name never appears in a URL (or in a proxy's log); `?number=` from a
    certificate's QR code only fills in the number.
    """
    if request.method == "GET":
        form = {"number": request.args.get("number", "")[:40], "name": ""}
        return render_template("verify.html", form=form, errors={}, result=None, missing=False)
    form = {"number": request.form.get("number", ""), "name": request.form.get("name", "")}
    try:
        args = VerifyArgs().load({k: v for k, v in form.items() if v})
    except ValidationError as error:
        return render_template(
            "verify.html", form=form, errors=field_errors(error), result=None, missing=False
        ), 400
    try:
        result = certificates.verify(ctx(), args["number"], args["name"])
    except NotFound:
        return render_template("verify.html", form=form, errors={}, result=None, missing=True), 404
    result = result | {
        "holder": mask_name(result["holder"]),
        "reason_zh": labels.VERIFY_REASONS.get(result["reason"]),
    }
    return render_template("verify.html", form=form, errors={}, result=result, missing=False)


# What an uploaded document's check says, in Chinese (registry/documents.py DOCUMENT_REASONS, then the register's).
DOCUMENT_REASONS = {
    "unsigned": "文件没有电子签名",
    "signature_broken": "文件在签名后被修改，签名已失效",
    "not_issued_by_registry": "文件不是本平台签发的",
    "not_a_registry_document": "文件未载明证书编号",
    "unknown_number": "登记册中没有该编号的证书",
    "participation_not_counted": "该参与记录已不再计入",
} | labels.VERIFY_REASONS


@portal.route("/verify/document", methods=["POST"])
def verify_document() -> Any:
    """证书查询 by an uploaded e-certificate PDF: its signature, its issuer, and the register today."""
    form = {"number": "", "name": ""}
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        errors = {"file": ["请选择要查验的 PDF 文件。"]}
        return render_template("verify.html", form=form, errors=errors, result=None, missing=False), 400
    try:
        check = documents.verify_document(ctx(), upload.read())
    except ValidationFailed:
        errors = {"file": ["无法读取该文件：请上传本平台签发的 PDF 电子证书。"]}
        return render_template("verify.html", form=form, errors=errors, result=None, missing=False), 400
    check = check | {"reason_zh": DOCUMENT_REASONS.get(check["reason"] or "")}
    return render_template("verify.html", form=form, errors={}, result=None, missing=False, document=check)


@portal.route("/certificates/<number>.pdf")
def certificate_pdf(number: str) -> Response:
    """The signed e-certificate for the visitor, as `GET /api/v1/certificates/{number}.pdf` gives it to their key."""
    visitor = principal()
    verify_url = url_for("portal.verify", number=number, _external=True)
    try:
        pdf = documents.certificate_document(ctx(), number, visitor.role, visitor.practitioner_id, verify_url)
    except NotFound:
        abort(404)
    headers = {
        "Content-Disposition": f'inline; filename="certificate-{number}.pdf"',
        "Cache-Control": "private, no-store",
    }
    return Response(pdf, mimetype="application/pdf", headers=headers)


@portal.route("/activity-certificates/<code>")
def activity_certificate(code: str) -> Any:
    """公益活动参与证明的查验页: whose (the name only), which activity, the hours."""
    try:
        found = activity_certificates.lookup(ctx(), code)
    except NotFound:
        return render_template("activity_certificate.html", code=code[:40], found=None), 404
    return render_template("activity_certificate.html", code=found["code"], found=found)


@portal.route("/verify/qr.svg")
def verify_qr() -> Response:
    """A QR code of the verification page for a certificate number (the name is never put in a URL)."""
    number = request.args.get("number", "")
    if not (1 <= len(number) <= 40) or not number.replace("-", "").isalnum():
        abort(404)
    target = url_for("portal.verify", number=number, _external=True)
    buffer = io.BytesIO()
    segno.make(target, error="m").save(buffer, kind="svg", scale=4, title=f"证书 {number} 查验二维码")
    return Response(
        buffer.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )


def _search(pool: str | None, title: str) -> Any:
    raw = {k: v for k, v in request.args.items() if v != "" and k != "pool"}
    raw.setdefault("per_page", str(PER_PAGE))
    try:
        args = SearchArgs(exclude=("pool",) if pool else ()).load(raw)
    except ValidationError as error:
        return render_template("search.html", title=title, errors=field_errors(error), result=None, pool=pool,
                               args=raw, facet_links={}, pages=[]), 400  # fmt: skip
    try:
        result = search.search(
            ctx(),
            args,
            public_only=presenters.public_only(),
            pool=pool,
            audience=presenters.search_audience(),
        )
    except ValidationFailed as error:  # codes unknown to the reference data, a query with nothing to find
        return render_template("search.html", title=title, errors=error.errors, result=None, pool=pool,
                               args=raw, facet_links={}, pages=[]), 400  # fmt: skip
    items = presenters.practitioners(result.items, result.scores)
    return render_template(
        "search.html", title=title, errors={}, pool=pool, args=raw, items=items, result=result,
        facet_links=_facet_links(raw, result.facets or {}), pages=_pages(raw, args, result.total),
        sorts=labels.SORTS, facet_titles=labels.FACET_TITLES, showcase_note=_showcase_note(pool),
    )  # fmt: skip


def _showcase_note(pool: str | None) -> str | None:
    """For visitors who see only consenting people: say so, with the size of the whole pool (as 首页 shows it)."""
    if not presenters.public_only():
        return None
    sizes = {p["code"]: p["members"] for p in search.pool_sizes(ctx())}
    whole = "，".join(f"{name}共 {sizes[code]} 人" for code, name in POOL_SHORT_NAMES.items()
                     if code in sizes and pool in (None, code))  # fmt: skip
    return f"仅显示同意公开展示的人员；{whole}" if whole else "仅显示同意公开展示的人员"


def _link(raw: dict[str, str], **changes: str | None) -> str:
    """This page's query string with `changes`; a new filter starts again at page 1."""
    query = {k: v for k, v in {**raw, **changes}.items() if v not in (None, "") and k != "page"}
    if changes.get("page"):
        query["page"] = str(changes["page"])
    if query.get("per_page") == str(PER_PAGE):
        del query["per_page"]
    return "?" + urlencode(query)


def _facet_label(dimension: str, value: str) -> str:
    return {
        "work_type": labels.work_type, "level": labels.level, "pool": labels.pool,
        "region": lambda v: REGION_NAMES.get(v, v), "industry": lambda v: INDUSTRY_NAMES.get(v, v),
    }[dimension](value)  # fmt: skip


def _facet_links(raw: dict[str, str], facets: dict[str, dict[str, int]]) -> dict[str, list[dict[str, Any]]]:
    """Per dimension: each value with its count and the link that adds (or, when chosen, removes) it."""
    links: dict[str, list[dict[str, Any]]] = {}
    for dimension, counts in facets.items():
        chosen = raw.get(dimension)
        entries = []
        for value, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            selected = chosen == value
            entries.append({
                "label": _facet_label(dimension, value), "count": count, "selected": selected,
                "href": _link(raw, **{dimension: None if selected else value}),
            })  # fmt: skip
        links[dimension] = entries
    return links


def _pages(raw: dict[str, str], args: dict[str, Any], total: int) -> list[dict[str, Any]]:
    last = max(1, -(-total // args["per_page"]))
    shown = sorted({1, last, *range(max(1, args["page"] - 2), min(last, args["page"] + 2) + 1)})
    return [{"number": n, "href": _link(raw, page=str(n)), "current": n == args["page"]} for n in shown]


@portal.route("/search")
def search_all() -> Any:
    """Search everyone the visitor may see."""
    return _search(None, "人才检索")


@portal.route("/talent")
def talent() -> Any:
    """人才库: the national talent pool (valid level 3–4 certificates)."""
    return _search("talent", POOL_PAGES["talent"][1])


@portal.route("/experts")
def experts() -> Any:
    """专家库: the national expert pool (valid level 2–1 certificates)."""
    return _search("expert", POOL_PAGES["expert"][1])


@portal.route("/practitioners/<uuid:practitioner_id>")
def profile(practitioner_id: Any) -> str:
    """A practitioner's showcase: the public sees consenting people only; client+ see everyone active."""
    context = ctx()
    view = practitioners.get(context, str(practitioner_id), include_deleted=principal().role == "admin")
    if principal().role not in CLIENT_PLUS and not view.get("public_profile"):
        abort(404)
    # Credit and 公益服务 as GET /practitioners/{id} gives them; the presenter shows 公益服务 as the person's
    # `public_welfare` visibility allows.
    if principal().role in CLIENT_PLUS and view["status"] != "deleted":
        summary, welfare = credit.summary_and_public_welfare(context, view["id"])
        view = view | {"credit": summary, "public_welfare": welfare}
    else:
        view = view | {"public_welfare": profiles.public_welfare_of(context, view["id"])}
    shown = presenters.practitioner(view)
    graph = (
        presenters.neighbourhood(practitioners.neighbourhood(context, str(practitioner_id)))
        if view["status"] != "deleted"
        else None
    )
    if graph and principal().role not in CLIENT_PLUS:
        graph = None  # the neighbourhood names clients and colleagues: client+ only, as in the API
    drawing = json.dumps(_drawing(graph), ensure_ascii=False, default=str) if graph else None
    return render_template("profile.html", person=shown, credit=shown.get("credit"), graph=graph, drawing=drawing,
                           welfare=shown.get("public_welfare"), region_names=REGION_NAMES,
                           sanction_kinds=SANCTION_KINDS)  # fmt: skip


def _drawing(graph: dict[str, Any]) -> dict[str, Any]:
    """The neighbourhood as ECharts graph data."""
    categories = {"Practitioner": "人员", "Certificate": "证书", "Pool": "人才库/专家库", "Organization": "单位",
                  "Engagement": "项目", "Industry": "行业"}  # fmt: skip
    order = list(categories)
    nodes = [{"id": n["id"], "name": n["caption"], "category": order.index(n["label"]) if n["label"] in order else 0,
              "symbolSize": 18 if n["label"] == "Practitioner" else 12} for n in graph["nodes"]]  # fmt: skip
    links = [{"source": e["source"], "target": e["target"], "value": e["type"]} for e in graph["edges"]]
    return {"nodes": nodes, "links": links, "categories": [{"name": name} for name in categories.values()]}
