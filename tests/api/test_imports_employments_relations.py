"""Imports of employment history and control relations (issue 23 part 1): a good file lands and reads back through
the API; a file with one refused row changes nothing and names that row; only administrators import."""

import io
import random

import pytest

from registry.identifiers import make_uscc
from services.affiliation_imports import MAX_ROWS
from tests.import_files import csv_bytes
from tests.support import assert_problem, graph_size, unique_id_card

EMPLOYMENTS = "/api/v1/imports/employments"
RELATIONS = "/api/v1/imports/relations"
NOBODY = "00000000-0000-4000-8000-000000000000"
REFUSED = (
    "MATCH (b:ImportBatch {id: $id}) RETURN b.status AS status, b.kind AS kind, b.rows_written AS written"
)
AUDIT_LENGTH = "MATCH (e:AuditEntry) RETURN count(e) AS entries"


def upload(client, headers, path: str, data: bytes, name: str = "upload.csv", **form):
    body = {"file": (io.BytesIO(data), name), **form}
    return client.post(path, data=body, headers=headers, content_type="multipart/form-data")


def fresh_uscc() -> str:
    return make_uscc(f"91420100{random.randrange(10**9):09d}")


def audit_length(graph) -> int:
    records, _, _ = graph.driver.execute_query(AUDIT_LENGTH)
    return records[0]["entries"]


@pytest.fixture()
def organization(client, admin):
    def create(name: str, uscc: str | None = None) -> str:
        body = {"name": name, "kind": "consultancy"} | ({"uscc": uscc} if uscc else {})
        response = client.post("/api/v1/organizations", json=body, headers=admin)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    return create


@pytest.fixture()
def unchanged(client, admin, graph):
    """Asserts that a refused import wrote nothing but its own record, `refused`, and no audit entry."""

    def check(before: tuple[int, int], entries: int, body: dict) -> None:
        assert body["written"] is False and body["rows_written"] == 0
        nodes, rels = graph_size(graph)
        assert (nodes, rels) == (before[0] + 1, before[1])  # the ImportBatch that records the refusal
        records, _, _ = graph.driver.execute_query(REFUSED, id=body["import_id"])
        assert (records[0]["status"], records[0]["written"]) == ("refused", 0)
        assert audit_length(graph) == entries

    return check


def test_an_employment_file_lands_and_reads_back_as_history(
    client, admin, graph, organization, new_practitioner
):
    uscc = fresh_uscc()
    firm, body_ = organization("导入原咨询公司"), organization("导入核查机构", uscc)
    id_card = unique_id_card()
    first, second = new_practitioner(name="任职甲"), new_practitioner(name="任职乙", id_card=id_card)
    rows = [
        [first["id"], "", "", firm, "", "2015-03-01", "2018-12-31"],
        [first["id"], "", "任职甲", "", uscc, "2019/1/1", ""],
        ["", id_card, "任职乙", firm, "", "2020年6月1日", ""],
    ]
    headers = ["人员编号", "身份证号", "姓名", "单位编号", "单位统一社会信用代码", "起始日期", "终止日期"]
    entries = audit_length(graph)
    response = upload(client, admin, EMPLOYMENTS, csv_bytes(headers, rows))
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert (report["kind"], report["written"], report["rows_written"], report["errors"]) == (
        "employments", True, 3, []
    )  # fmt: skip
    assert "certificates_created" not in report  # the report carries what this kind writes

    history = client.get(f"/api/v1/practitioners/{first['id']}/employments", headers=admin).get_json()[
        "items"
    ]
    assert [(e["organization"]["id"], e["since"], e["until"], e["current"]) for e in history] == [
        (body_, "2019-01-01", None, True),
        (firm, "2015-03-01", "2018-12-31", False),
    ]
    history = client.get(f"/api/v1/practitioners/{second['id']}/employments", headers=admin).get_json()[
        "items"
    ]
    assert [(e["organization"]["id"], e["since"]) for e in history] == [(firm, "2020-06-01")]
    # The API's entry for each row, and one for the import.
    assert audit_length(graph) == entries + 4
    trail = client.get("/api/v1/audit", query_string={"entity_id": first["id"]}, headers=admin).get_json()
    assert [e["action"] for e in trail["items"]].count("employment") == 2
    assert client.get("/api/v1/audit/verify", headers=admin).get_json()["verified"] is True  # 4 links, one tx
    [listed] = [i for i in client.get("/api/v1/imports", headers=admin).get_json()["items"]
                if i["id"] == report["import_id"]]  # fmt: skip
    assert (listed["kind"], listed["status"], listed["rows_written"]) == ("employments", "completed", 3)


def test_a_relation_file_lands_and_reads_back_as_a_group(client, admin, graph, organization):
    plant_uscc = fresh_uscc()
    holding, group, plant = (
        organization("导入控股集团"),
        organization("导入二级集团"),
        organization("导入电厂", plant_uscc),
    )
    headers = ["child_id", "child_uscc", "parent_id", "kind", "share", "since", "until"]
    rows = [
        [group, "", holding, "子公司", "100", "2015-01-01", ""],
        ["", plant_uscc, group, "controlling_shareholder", "51%", "2018-03-01", ""],
    ]
    response = upload(client, admin, RELATIONS, csv_bytes(headers, rows), "groups.csv")
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["written"], response.get_json()["rows_written"]) == (True, 2)
    view = client.get(f"/api/v1/organizations/{plant}/group", headers=admin).get_json()
    assert {m["id"]: m["distance"] for m in view["members"]} == {group: 1, holding: 2}
    relations = {
        (r["child"]["id"], r["parent"]["id"]): (r["kind"], r["share"], r["since"]) for r in view["relations"]
    }
    assert relations == {
        (group, holding): ("subsidiary", 100.0, "2015-01-01"),
        (plant, group): ("controlling_shareholder", 51.0, "2018-03-01"),
    }
    trail = client.get("/api/v1/audit", query_string={"entity_id": plant}, headers=admin).get_json()
    assert "control_relation" in [e["action"] for e in trail["items"]]


def test_an_employment_file_with_one_refused_row_changes_nothing(
    client, admin, graph, organization, new_practitioner, unchanged
):
    firm = organization("导入拒绝测试公司")
    person = new_practitioner(name="任职丙")
    headers = ["practitioner_id", "organization_id", "since", "until"]
    rows = [
        [person["id"], firm, "2010-01-01", "2012-12-31"],
        [person["id"], NOBODY, "2013-01-01", "2014-12-31"],  # an organization not stored
        [person["id"], firm, "2016-05-01", "2015-01-01"],  # ends before it starts
    ]
    before, entries = graph_size(graph), audit_length(graph)
    response = upload(client, admin, EMPLOYMENTS, csv_bytes(headers, rows))
    assert response.status_code == 200
    report = response.get_json()
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(3, "organization_id"), (4, "until")]
    assert "no organization" in report["errors"][0]["reason"]
    assert (report["rows_valid"], report["rows_invalid"]) == (1, 2)
    unchanged(before, entries, report)
    assert (
        client.get(f"/api/v1/practitioners/{person['id']}/employments", headers=admin).get_json()["items"]
        == []
    )


def test_an_employment_that_overlaps_an_earlier_row_of_the_file_is_refused(
    client, admin, graph, organization, new_practitioner, unchanged
):
    firm = organization("导入重叠测试公司")
    person = new_practitioner(name="任职丁")
    rows = [
        [person["id"], firm, "2010-01-01", "2014-12-31"],
        [person["id"], firm, "2014-06-01", "2016-12-31"],
    ]
    before, entries = graph_size(graph), audit_length(graph)
    report = upload(
        client, admin, EMPLOYMENTS, csv_bytes(["人员编号", "单位编号", "起始日期", "终止日期"], rows)
    ).get_json()
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(3, "since")]
    assert "Overlaps" in report["errors"][0]["reason"]
    unchanged(before, entries, report)


def test_a_cycle_two_rows_of_a_relation_file_make_is_refused(client, admin, graph, organization, unchanged):
    first, second = organization("导入循环甲"), organization("导入循环乙")
    headers = ["child_id", "parent_id", "kind", "since"]
    rows = [[first, second, "subsidiary", "2018-01-01"], [second, first, "group_member", "2019-01-01"]]
    before, entries = graph_size(graph), audit_length(graph)
    report = upload(client, admin, RELATIONS, csv_bytes(headers, rows)).get_json()
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(3, "parent_id")]
    assert "cycle of control" in report["errors"][0]["reason"]
    unchanged(before, entries, report)
    assert client.get(f"/api/v1/organizations/{first}/group", headers=admin).get_json()["relations"] == []


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["{child}", "", NOBODY, "subsidiary", "", "2018-01-01", ""], "parent_id"),
        (["{child}", "", "{parent}", "subsidiary", "", "2018-01-01", "2017-01-01"], "until"),
        (["", "{unknown_uscc}", "{parent}", "subsidiary", "", "2018-01-01", ""], "child_uscc"),
        (["{child}", "", "{parent}", "parent_company", "", "2018-01-01", ""], "kind"),
        (["{child}", "", "{parent}", "subsidiary", "120", "2018-01-01", ""], "share"),
    ],
    ids=["unknown-parent", "until-before-since", "unknown-uscc", "unknown-kind", "share-over-100"],
)
def test_a_relation_file_with_one_refused_row_changes_nothing(
    client, admin, graph, organization, unchanged, row, column
):
    names = {
        "child": organization("导入拒绝子"),
        "parent": organization("导入拒绝母"),
        "unknown_uscc": fresh_uscc(),
    }
    good = [organization("导入好子"), "", names["parent"], "subsidiary", "60", "2017-01-01", ""]
    headers = ["child_id", "child_uscc", "parent_id", "kind", "share", "since", "until"]
    before, entries = graph_size(graph), audit_length(graph)
    rows = [good, [cell.format(**names) for cell in row]]
    report = upload(client, admin, RELATIONS, csv_bytes(headers, rows)).get_json()
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(3, column)]
    unchanged(before, entries, report)


def test_a_dry_run_checks_a_good_file_and_writes_nothing(client, admin, graph, organization):
    child, parent = organization("试运行子"), organization("试运行母")
    data = csv_bytes(
        ["child_id", "parent_id", "kind", "since"], [[child, parent, "subsidiary", "2018-01-01"]]
    )
    before = graph_size(graph)
    report = upload(client, admin, RELATIONS, data, dry_run="true").get_json()
    assert (report["dry_run"], report["written"], report["rows_valid"], report["errors"]) == (
        True,
        False,
        1,
        [],
    )
    assert graph_size(graph) == before
    assert_problem(upload(client, admin, RELATIONS, data, dry_run="maybe"), 400)
    assert graph_size(graph) == before


def test_a_file_without_a_required_column_is_a_400_naming_it(client, admin, graph):
    before = graph_size(graph)
    data = csv_bytes(["人员编号", "单位编号"], [[NOBODY, NOBODY]])
    body = assert_problem(upload(client, admin, EMPLOYMENTS, data), 400)
    assert "起始日期 (since)" in body["detail"]
    data = csv_bytes(["kind", "since"], [["subsidiary", "2018-01-01"]])
    body = assert_problem(upload(client, admin, RELATIONS, data), 400)
    assert "child_id" in body["detail"] and "parent_uscc" in body["detail"]
    assert graph_size(graph) == before


@pytest.mark.parametrize("role", ["government", "client", "public"])
def test_only_administrators_import_employments_and_relations(client, as_role, graph, role):
    before = graph_size(graph)
    data = csv_bytes(
        ["child_id", "parent_id", "kind", "since"], [[NOBODY, NOBODY, "subsidiary", "2018-01-01"]]
    )
    for path in (EMPLOYMENTS, RELATIONS):
        assert upload(client, as_role(role), path, data).status_code in (401, 403)
    assert graph_size(graph) == before


def test_a_file_longer_than_one_transaction_may_hold_is_a_400_before_anything_is_written(
    client, admin, graph
):
    rows = [[NOBODY, NOBODY, "2018-01-01"]] * (MAX_ROWS + 1)
    before = graph_size(graph)
    body = assert_problem(
        upload(client, admin, EMPLOYMENTS, csv_bytes(["人员编号", "单位编号", "起始日期"], rows)), 400
    )
    assert f"more than {MAX_ROWS:,} rows" in body["detail"]
    assert graph_size(graph) == before
