"""The portal's 诚信风险 pages (issue 23 §4) and the organization page (group and independence): who may see them,
the queue's filters in Chinese, a finding's evidence graph, the decision form landing through the same service as
POST /integrity/findings/{id}/decision (status, reasons, audit chain, misconduct record), and its refusals."""

from __future__ import annotations

import html
import json
import re
import uuid

import pytest

from services import integrity
from tests import integrity_graph
from tests.support import graph_size

NOBODY = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def ids(app, as_role, context):
    planted = integrity_graph.build(app.test_client(), as_role("admin"))
    integrity.scan(context)
    return planted


def visitor(app, key: str | None = None):
    """A browser on the portal: anonymous, or logged in with `key`."""
    browser = app.test_client()
    if key is not None:
        form = browser.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        assert browser.post("/login", data={"key": key, "csrf_token": token}).status_code == 302
    return browser


def token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def finding_of(context, kind: str, person: str) -> dict:
    [found] = integrity.list(context, {"kind": kind, "person": person}, 1, 5).items
    return found


def drawing(page: str) -> dict:
    found = re.search(r'id="finding-graph"[^>]*data-graph="([^"]*)"', page)
    assert found, "no evidence graph on the page"
    return json.loads(html.unescape(found.group(1)))


def text(page: str, test_id: str) -> str:
    found = re.search(rf'data-testid="{test_id}"[^>]*>(.*?)</(?:table|dd|p|ol|ul)>', page, re.S)
    assert found, test_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(found.group(1))))


@pytest.mark.parametrize("role", ["admin", "government"])
def test_supervisors_see_the_queue_in_chinese_and_a_finding_with_its_evidence_graph(
    app, keys, context, ids, role
):
    browser = visitor(app, keys[role])
    home = browser.get("/").get_data(as_text=True)
    assert 'href="/integrity"' in home and "诚信风险" in home  # the navigation links it for this role

    queue = browser.get("/integrity", query_string={"kind": "familiar_pair"})
    assert queue.status_code == 200
    listed = text(queue.get_data(as_text=True), "findings")
    assert "熟面孔" in listed and "familiar_pair" not in listed and "待处理" in listed
    assert "签字人未到现场" not in listed  # the kind filter holds

    finding = finding_of(context, "familiar_pair", ids["F1"])
    page = browser.get(f"/integrity/findings/{finding['id']}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    graph = drawing(body)
    engagements = {ids[f"E_F1_{year}"] for year in (2022, 2023, 2024)}
    node_ids = {n["id"] for n in graph["nodes"]}
    assert {ids["F1"], ids["FC"]} | engagements <= node_ids
    links = {(link["source"], link["value"], link["target"]) for link in graph["links"]}
    for engagement in engagements:
        assert (ids["F1"], "核查", engagement) in links and (engagement, "委托方", ids["FC"]) in links
    assert "连续 3 年核查同一委托方" in text(body, "finding-fact")
    assert "echarts.min.js" in body and 'data-testid="decision-form"' in body


def test_the_graph_of_a_two_places_finding_ties_the_person_to_each_visit_by_province(app, keys, context, ids):
    finding = finding_of(context, "two_places", ids["T1"])
    body = visitor(app, keys["government"]).get(f"/integrity/findings/{finding['id']}").get_data(as_text=True)
    relations = {link["value"] for link in drawing(body)["links"] if link["source"] == ids["T1"]}
    assert relations == {"现场：北京市", "现场：上海市"}
    assert "北京市、上海市" in text(body, "finding-fact")


@pytest.mark.parametrize(("role", "status"), [("client", 403), ("public", 302)])
def test_clients_and_the_public_are_refused_and_decide_nothing(app, keys, context, ids, role, status):
    finding = finding_of(context, "overload", ids["O1"])
    browser = visitor(app, keys.get(role))
    assert browser.get("/integrity").status_code == status
    assert browser.get(f"/integrity/findings/{finding['id']}").status_code == status
    form = browser.get("/login" if role == "public" else "/").get_data(as_text=True)
    posted = browser.post(
        f"/integrity/findings/{finding['id']}/decision",
        data={"csrf_token": token(form), "status": "dismissed", "reason": "not mine to decide"},
    )
    assert posted.status_code == status
    assert integrity.get(context, finding["id"])["status"] == "open"
    assert "诚信风险" not in browser.get("/").get_data(as_text=True)  # nor linked from the navigation


def test_a_decision_posted_from_the_form_lands_with_its_reason_in_the_audit_chain(
    app, client, admin, keys, context, ids
):
    finding = finding_of(context, "signed_not_on_site", ids["S1"])
    browser = visitor(app, keys["government"])
    url = f"/integrity/findings/{finding['id']}"
    form = browser.get(url).get_data(as_text=True)
    posted = browser.post(
        f"{url}/decision",
        data={"csrf_token": token(form), "status": "reviewing", "reason": "调取现场签到记录"},
    )
    assert posted.status_code == 302 and url in posted.headers["Location"]
    page = browser.get(posted.headers["Location"]).get_data(as_text=True)
    assert "已处理：核实中" in page and text(page, "finding-status").strip() == "核实中"

    assert (
        'name="open_misconduct"' not in page
    )  # misconduct records are an administrator's step, as in the API
    confirm = {"status": "confirmed", "reason": "签字人确未到现场", "open_misconduct": "on"}
    refused = browser.post(f"{url}/decision", data={"csrf_token": token(page), **confirm})
    assert refused.status_code == 403 and "只有管理员可以记入不良记录" in refused.get_data(as_text=True)
    assert integrity.get(context, finding["id"])["status"] == "reviewing"

    as_admin = visitor(app, keys["admin"])
    form = as_admin.get(url).get_data(as_text=True)
    assert 'name="open_misconduct"' in form
    confirmed = as_admin.post(f"{url}/decision", data={"csrf_token": token(form), **confirm})
    assert confirmed.status_code == 302
    stored = integrity.get(context, finding["id"])
    assert stored["status"] == "confirmed" and len(stored["misconduct_record_ids"]) == 1
    assert [(d["from"], d["status"], d["reason"]) for d in stored["decisions"]] == [
        ("open", "reviewing", "调取现场签到记录"),
        ("reviewing", "confirmed", "签字人确未到现场"),
    ]
    entries = client.get(
        "/api/v1/audit", query_string={"entity": "finding", "entity_id": finding["id"]}, headers=admin
    ).get_json()["items"]
    assert {e["changes"]["reason"] for e in entries} == {"调取现场签到记录", "签字人确未到现场"}

    final = browser.get(url).get_data(as_text=True)
    assert 'data-testid="decision-form"' not in final and "该线索已确认，不再处理。" in final
    again = browser.post(
        f"{url}/decision", data={"csrf_token": token(final), "status": "dismissed", "reason": "再看"}
    )
    assert again.status_code == 409
    assert "该线索已确认或已排除，不能再改。" in again.get_data(as_text=True)
    assert integrity.get(context, finding["id"])["status"] == "confirmed"


def test_a_decision_without_a_reason_or_with_a_record_it_may_not_open_is_refused_in_chinese(
    app, graph, keys, context, ids
):
    finding = finding_of(context, "overload", ids["O1"])
    browser = visitor(app, keys["admin"])
    url = f"/integrity/findings/{finding['id']}"
    form = token(browser.get(url).get_data(as_text=True))
    before = graph_size(graph)
    no_reason = browser.post(
        f"{url}/decision", data={"csrf_token": form, "status": "dismissed", "reason": " "}
    )
    assert no_reason.status_code == 400
    assert re.search(r'id="d-reason-error">此项必填。<', no_reason.get_data(as_text=True))
    record = browser.post(
        f"{url}/decision",
        data={"csrf_token": form, "status": "reviewing", "reason": "先核实", "open_misconduct": "on"},
    )
    assert record.status_code == 400
    assert "只有确认的线索才能同时记入不良记录。" in record.get_data(as_text=True)
    no_token = browser.post(f"{url}/decision", data={"status": "dismissed", "reason": "无令牌"})
    assert no_token.status_code == 400
    assert graph_size(graph) == before and integrity.get(context, finding["id"])["status"] == "open"
    assert browser.get(f"/integrity/findings/{NOBODY}").status_code == 404


def test_the_queue_filters_by_status_and_region_and_says_a_bad_filter_in_chinese(app, keys, context, ids):
    browser = visitor(app, keys["admin"])
    shanghai = text(
        browser.get("/integrity", query_string={"region": "310000"}).get_data(as_text=True), "findings"
    )
    assert "同日两地现场" in shanghai and "同时承担项目过多" not in shanghai
    bad = browser.get("/integrity", query_string={"region": "999999"})
    assert bad.status_code == 400 and "没有这个地区，请从列表中选择。" in bad.get_data(as_text=True)
    closed = browser.get("/integrity", query_string={"status": "closed"})
    assert closed.status_code == 400 and "请从列表中选择。" in closed.get_data(as_text=True)


# --- The organization page -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bound_client(app, ids) -> str:
    """A client key bound to FC, the client F1 and FP verified three years running."""
    result = app.test_cli_runner().invoke(
        args=["registry", "create-key", "--role", "client", "--label", "FC", "--organization", ids["FC"]]
    )
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def group(app, as_role, ids) -> dict[str, str]:
    """FC is a subsidiary of a group (70 %), whose other plant is FC2."""
    client, admin = app.test_client(), as_role("admin")
    made = client.post(
        "/api/v1/organizations", json={"name": "示范能源集团", "kind": "enterprise"}, headers=admin
    )
    head = made.get_json()["id"]
    for child, share in ((ids["FC"], 70), (ids["FC2"], 100)):
        body = {"parent_id": head, "kind": "subsidiary", "share": share, "since": "2020-01-01"}
        response = client.post(f"/api/v1/organizations/{child}/relations", json=body, headers=admin)
        assert response.status_code == 201, response.get_json()
    return {"head": head}


@pytest.mark.parametrize("role", ["admin", "government", "bound"])
def test_an_organization_page_shows_its_group_and_who_verified_it(app, keys, ids, group, bound_client, role):
    browser = visitor(app, bound_client if role == "bound" else keys[role])
    page = browser.get(f"/organizations/{ids['FC']}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    members = text(body, "group-members")
    assert "示范能源集团" in members and "企业" in members
    relations = text(body, "group-relations")
    assert "子公司" in relations and "70%" in relations and "subsidiary" not in relations
    rows = re.findall(r'data-testid="independence-row"( class="warn")?>(.*?)</tr>', body, re.S)
    flat = [(warn, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))) for warn, row in rows]
    warned = [row for warn, row in flat if warn]
    assert len(warned) == 2 and all("2022、2023、2024" in row and "建议轮换" in row for row in warned)
    assert any("核查机构" in row for row in warned) and any("核查员" in row for row in warned)
    if role == "bound":
        assert f'href="/organizations/{ids["FC"]}">本单位<' in body


@pytest.mark.parametrize(("who", "status"), [("client", 403), ("bound_elsewhere", 403), ("public", 302)])
def test_others_may_not_read_an_organization_page(app, keys, ids, bound_client, who, status):
    key = {"client": keys["client"], "bound_elsewhere": bound_client, "public": None}[who]
    target = ids["FC2"] if who == "bound_elsewhere" else ids["FC"]
    assert visitor(app, key).get(f"/organizations/{target}").status_code == status


def test_an_unknown_organization_is_404(app, keys):
    assert visitor(app, keys["admin"]).get(f"/organizations/{NOBODY}").status_code == 404


# --- The draw page: an indirect conflict's path in Chinese -----------------------------------------------------


def test_the_draw_page_lists_an_indirect_conflict_with_its_path_as_a_chinese_chain(
    app, client, admin, keys, new_practitioner, issue
):
    def organization(name: str) -> str:
        made = client.post("/api/v1/organizations", json={"name": name, "kind": "enterprise"}, headers=admin)
        assert made.status_code == 201, made.get_json()
        return made.get_json()["id"]

    tag = uuid.uuid4().hex[:4]
    names = {"head": f"示范电力集团{tag}", "plant": f"示范一厂{tag}", "sister": f"示范二厂{tag}"}
    head, plant, sister = (organization(names[k]) for k in ("head", "plant", "sister"))
    for child in (plant, sister):
        body = {"parent_id": head, "kind": "subsidiary", "share": 100, "since": "2018-01-01"}
        assert (
            client.post(f"/api/v1/organizations/{child}/relations", json=body, headers=admin).status_code
            == 201
        )
    person = new_practitioner(name="李集团")
    issue(person["id"], "verification", 2)
    employed = client.post(
        f"/api/v1/practitioners/{person['id']}/employments",
        json={"organization_id": sister, "since": "2021-01-01"},
        headers=admin,
    )
    assert employed.status_code in (200, 201), employed.get_json()
    body = {
        "purpose": "verification_review", "title": "示范一厂核查报告复核", "organization_id": plant,
        "work_type": "verification", "size": 1, "reserves": 1, "panel_date": "2099-01-15",
    }  # fmt: skip
    created = client.post("/api/v1/draws", json=body, headers=admin)
    assert created.status_code == 201, created.get_json()

    page = visitor(app, keys["admin"]).get(f"/admin/draws/{created.get_json()['id']}").get_data(as_text=True)
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if "李集团" in r)
    said = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(row)))
    assert "集团内劳动关系" in said
    assert f"李集团 —任职于→ {names['sister']} —隶属于→ {names['head']} —控股→ {names['plant']}" in said
    assert "《公司法》（2023）第二百六十五条" in said
    assert "EMPLOYED_BY" not in said and "art." not in said
