"""/stats, /open-data and /key-emitters/lists over HTTP: roles, edge cases, suppression, formats, imports.

Other suites share the graph, so these tests measure changes (before / after) in a region or compare an answer
with its own parts rather than expect absolute numbers.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date, timedelta

import openpyxl
import pytest

from adapters.spreadsheets import safe_text
from registry.identifiers import make_uscc
from services.statistics import cache_for

TODAY = date.today()
STATS = "/api/v1/stats"


@pytest.fixture(autouse=True)
def exact_statistics(app):
    """Answers wait for the snapshot of the latest write (the default answers from the previous one)."""
    cache = cache_for(app.extensions["graph"])
    cache.settings = replace(cache.settings, refresh="sync")


@pytest.fixture()
def government(as_role):
    return as_role("government")


def get(client, headers, path, **params):
    response = client.get(path, query_string=params, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def stat(client, headers, statistic, **params):
    return get(client, headers, f"{STATS}/{statistic}", **params).get_json()


def holders(client, admin, **params) -> int:
    return stat(client, admin, "supply", **params)["totals"]["holders"]


def pools(client, admin, **params) -> dict:
    return stat(client, admin, "supply", table="pools", **params)["totals"]


# --- the edge cases --------------------------------------------------------------------------------------


def test_a_city_counts_in_its_province_and_a_province_person_not_in_the_city(
    client, admin, new_practitioner, issue
):
    city, province = holders(client, admin, region="420100"), holders(client, admin, region="420000")
    in_city = new_practitioner(region="420100")
    issue(in_city["id"], "verification", 3)
    assert holders(client, admin, region="420100") == city + 1
    assert holders(client, admin, region="420000") == province + 1
    in_province = new_practitioner(region="420000")
    issue(in_province["id"], "verification", 3)
    assert holders(client, admin, region="420100") == city + 1
    assert holders(client, admin, region="420000") == province + 2
    rows = stat(client, admin, "supply", region="420000")["rows"]
    assert {row["province"] for row in rows} == {"420000"}
    assert rows[0]["province_name"] == "湖北省"


def test_a_certificate_expiring_today_is_valid_today_and_expiring_within_zero_days(
    client, admin, new_practitioner, issue
):
    region = "130200"
    before = stat(client, admin, "expiring", region=region, within=0)["totals"]
    supply_before = holders(client, admin, region=region)
    person = new_practitioner(region=region)
    issue(person["id"], "monitoring", 4, issued_on="2022-01-01", expires_on=TODAY.isoformat())
    after = stat(client, admin, "expiring", region=region, within=0)["totals"]
    assert after["certificates"] == before["certificates"] + 1
    assert after["talent_leavers"] == before["talent_leavers"] + 1
    assert holders(client, admin, region=region) == supply_before + 1


def test_a_person_in_both_pools_counts_once_in_each_pool_and_once_among_holders(
    client, admin, new_practitioner, issue
):
    region = "320500"
    before_pools, before_holders = pools(client, admin, region=region), holders(client, admin, region=region)
    person = new_practitioner(region=region)
    issue(person["id"], "monitoring", 4)
    issue(person["id"], "verification", 2)
    after = pools(client, admin, region=region)
    assert after["talent_members"] == before_pools["talent_members"] + 1
    assert after["expert_members"] == before_pools["expert_members"] + 1
    assert holders(client, admin, region=region) == before_holders + 1


def test_a_suspended_person_leaves_supply_and_pools(client, admin, new_practitioner, issue):
    region = "440300"
    person = new_practitioner(region=region)
    issue(person["id"], "consulting", 2)
    before_holders, before_pools = holders(client, admin, region=region), pools(client, admin, region=region)
    response = client.patch(
        f"/api/v1/practitioners/{person['id']}", json={"status": "suspended"}, headers=admin
    )
    assert response.status_code == 200, response.get_json()
    assert holders(client, admin, region=region) == before_holders - 1
    assert pools(client, admin, region=region)["expert_members"] == before_pools["expert_members"] - 1


def test_a_suspended_certificate_counts_in_trends_and_leaves_supply(client, admin, new_practitioner, issue):
    region = "650200"
    person = new_practitioner(region=region)
    certificate = issue(person["id"], "trading", 3)
    before = stat(client, admin, "trends", region=region, interval="year")["totals"]
    supply_before = holders(client, admin, region=region)
    response = client.post(
        f"/api/v1/certificates/{certificate['number']}/suspend", json={"reason": "测试"}, headers=admin
    )
    assert response.status_code == 200
    after = stat(client, admin, "trends", region=region, interval="year")["totals"]
    assert after["suspended"] == before["suspended"] + 1
    assert after["talent_leaves"] == before["talent_leaves"] + 1
    assert holders(client, admin, region=region) == supply_before - 1


# --- demand and key emitters -----------------------------------------------------------------------------


def test_an_organization_registered_as_key_emitter_raises_demand(client, admin):
    before = stat(client, admin, "demand", table="key_emitters", region="420000")["totals"]["key_emitters"]
    body = {"name": "湖北测试热电有限公司", "kind": "enterprise", "region": "420100", "industry": "power",
            "key_emitter": True}  # fmt: skip
    response = client.post("/api/v1/organizations", json=body, headers=admin)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["key_emitter"] is True and created["listed_years"] == [TODAY.year]
    demand = stat(client, admin, "demand", table="key_emitters", region="420000")
    assert demand["totals"]["key_emitters"] == before + 1
    coverage = stat(client, admin, "demand", region="420000")
    assert coverage["totals"]["key_emitters"] == before + 1
    # listed last year only: out of this year's count
    patch = client.patch(
        f"/api/v1/organizations/{created['id']}", json={"listed_years": [TODAY.year - 1]}, headers=admin
    )
    assert patch.status_code == 200 and patch.get_json()["listed_years"] == [TODAY.year - 1]
    assert (
        stat(client, admin, "demand", table="key_emitters", region="420000")["totals"]["key_emitters"]
        == before
    )


def test_key_emitter_false_with_years_is_refused(client, admin):
    body = {"name": "矛盾公司", "kind": "enterprise", "key_emitter": False, "listed_years": [2025]}
    response = client.post("/api/v1/organizations", json=body, headers=admin)
    assert response.status_code == 400
    assert "listed_years" in response.get_json()["errors"]


def _list_csv(rows: list[tuple[str, str, str, str]], year: int | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["2027年度全国碳排放权交易市场重点排放单位名录"])  # a title line above the header
    writer.writerow(["序号", "省份", "单位名称", "统一社会信用代码", "行业"] + (["纳入年度"] if year else []))
    for number, (province, name, uscc, sector) in enumerate(rows, start=1):
        writer.writerow([number, province, name, uscc, sector] + ([year] if year else []))
    return buffer.getvalue().encode("utf-8-sig")


def _upload(client, admin, data: bytes, name: str = "list.csv", **params):
    return client.post(
        "/api/v1/key-emitters/lists",
        query_string=params,
        data={"file": (io.BytesIO(data), name)},
        headers=admin,
        content_type="multipart/form-data",
    )


def test_a_ministry_list_is_imported_merged_by_uscc_and_replaces_its_year(client, admin):
    year = TODAY.year + 1  # a year nobody else lists
    codes = [make_uscc(f"91420100MC{n:07d}") for n in range(3)]
    rows = [("湖北省", "湖北甲热电有限公司", codes[0], "发电"), ("湖北", "湖北乙钢铁有限公司", codes[1], "钢铁"),
            ("河北省", "河北丙水泥有限公司", codes[2], "水泥熟料生产")]  # fmt: skip
    response = _upload(client, admin, _list_csv(rows), year=year)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"year": year, "rows": 3, "units": 3, "created": 3, "delisted": 0}
    demand = stat(client, admin, "demand", table="key_emitters", as_of=TODAY.isoformat(), region="420000")
    assert demand["rows"] is not None
    again = _upload(client, admin, _list_csv(rows[:2], year))
    assert again.status_code == 200
    assert again.get_json() == {"year": year, "rows": 2, "units": 2, "created": 0, "delisted": 1}
    found = client.get("/api/v1/organizations", query_string={"q": "河北丙水泥"}, headers=admin).get_json()
    assert found["items"][0]["listed_years"] == []
    assert found["items"][0]["key_emitter"] is False


def test_a_list_with_a_bad_row_is_not_imported_at_all(client, admin):
    code = make_uscc("91420100MD0000001")
    rows = [("湖北省", "湖北丁热电有限公司", code, "发电"), ("火星", "坏单位", "123", "纺织")]
    response = _upload(client, admin, _list_csv(rows), year=TODAY.year + 1)
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert list(errors) == ["row 4"] and len(errors["row 4"]) == 3
    found = client.get("/api/v1/organizations", query_string={"q": "湖北丁热电"}, headers=admin).get_json()
    assert found["total"] == 0


def test_a_list_needs_a_file_with_the_known_headers(client, admin):
    assert _upload(client, admin, b"a,b\n1,2\n").status_code == 400
    assert _upload(client, admin, b"x", name="list.txt").status_code == 400


# --- roles, suppression, formats --------------------------------------------------------------------------


def test_roles(client, as_role):
    assert client.get(f"{STATS}/supply").status_code == 401
    client_key = as_role("client")
    assert client.get(f"{STATS}/supply", headers=client_key).status_code == 200
    for statistic in ("trends", "demand", "expiring", "engagements"):
        assert client.get(f"{STATS}/{statistic}", headers=client_key).status_code == 403
        assert client.get(f"{STATS}/{statistic}", headers=as_role("government")).status_code == 200


def test_small_cells_are_hidden_from_government_and_shown_to_admin(client, admin, government):
    for statistic, table in (("supply", "holders"), ("expiring", None), ("trends", None)):
        params = {"table": table} if table else {}
        shown = stat(client, admin, statistic, **params)
        hidden = stat(client, government, statistic, **params)
        assert (shown["suppression"]["minimum"], shown["suppression"]["cells"]) == (None, 0)
        assert hidden["suppression"]["minimum"] == 5
        measures = hidden["suppression"]["measures"]
        assert measures
        for row, full in zip(hidden["rows"], shown["rows"], strict=True):
            for measure in measures:
                if full[measure] is not None and 0 < full[measure] < 5:
                    assert row[measure] is None
                if row[measure] is not None:
                    assert row[measure] == full[measure]
        blanks = sum(1 for row in hidden["rows"] for m in measures if row[m] is None)
        assert blanks == hidden["suppression"]["cells"]


def test_json_shape(client, government):
    answer = stat(client, government, "trends", interval="quarter", **{"from": "2025-01-01"})
    assert list(answer)[:7] == ["statistic", "table", "tables", "as_of", "filters", "columns", "rows"]
    assert answer["filters"] == {"region": None, "work_type": None, "level": None, "interval": "quarter",
                                 "from": "2025-01-01", "to": TODAY.isoformat()}  # fmt: skip
    assert answer["rows"][0]["period"] == "2025-Q1"
    assert set(answer["totals"]) == set(answer["columns"]) - {"period", "work_type"}
    busiest = stat(client, government, "engagements", table="busiest")
    assert all(set(row) == {"rank", "engagements"} for row in busiest["rows"])


def test_csv_and_xlsx_with_english_and_chinese_headers(client, government):
    answer = stat(client, government, "supply")
    response = get(client, government, f"{STATS}/supply", format="csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert lines[0] == answer["columns"]
    assert len(lines) == len(answer["rows"]) + 1
    chinese = get(client, government, f"{STATS}/supply", format="csv", lang="zh").get_data()
    assert chinese.startswith("\ufeff".encode())
    header = next(csv.reader(io.StringIO(chinese.decode("utf-8-sig"))))
    assert header == ["省份代码", "省份", "工种", "等级", "有效持证人数"]
    xlsx = get(client, government, f"{STATS}/demand", format="xlsx", lang="zh").get_data()
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    first = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert first[:3] == ["排名", "省份代码", "省份"]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("trends", {"interval": "week"}, "interval"),
        ("trends", {"from": "2026-05-01", "to": "2026-01-01"}, "from"),
        ("trends", {"from": "1900-01-01"}, "from"),
        ("supply", {"as_of": (TODAY + timedelta(days=1)).isoformat()}, "as_of"),
        ("supply", {"region": "999999"}, "region"),
        ("supply", {"region": "42"}, "region"),
        ("supply", {"table": "nope"}, "table"),
        ("supply", {"format": "pdf"}, "format"),
        ("supply", {"level": "5"}, "level"),
        ("expiring", {"within": "-1"}, "within"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(client, government, path, params, field):
    response = client.get(f"{STATS}/{path}", query_string=params, headers=government)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert field in response.get_json()["errors"]


def test_a_past_as_of_answers_for_that_day(client, government):
    answer = stat(client, government, "supply", as_of="2022-06-30")
    assert answer["as_of"] == "2022-06-30"


# --- open data -------------------------------------------------------------------------------------------


def test_open_data_is_public_with_a_licence_line_and_a_stable_header(client, admin):
    response = client.get(f"/api/v1/open-data/{TODAY.isoformat()}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].startswith("# ") and "CC BY 4.0" in lines[0] and "cmr-open-data/2" in lines[0]
    assert lines[1].startswith("# audit-checkpoint ")
    assert lines[2] == "date,measure,province,work_type,level,pool,value"
    rows = list(csv.DictReader(lines[2:]))
    # The year's public-welfare activities by province follow (issue 25): their totals always, rows when any.
    activity_totals = {"activities_total", "activity_participants_total", "activity_hours_total"}
    measures = {row["measure"] for row in rows}
    assert activity_totals <= measures
    assert measures - activity_totals - {"activities", "activity_participants", "activity_hours"} == {
        "holders",
        "pool_members",
        "holders_total",
        "pool_members_total",
    }
    total = next(row for row in rows if row["measure"] == "holders_total")
    everyone = holders(client, admin)
    assert total["value"] == ("" if 0 < everyone < 5 else str(everyone))  # a small total is hidden too
    for row in rows:
        assert (
            row["value"] == ""
            or row["measure"].startswith(
                ("activities", "activity_hours")
            )  # activities and hours count no people
            or int(row["value"]) == 0
            or int(row["value"]) >= 5
            or row["measure"].endswith("total")
        )


@pytest.mark.parametrize("day", [(TODAY + timedelta(days=1)).isoformat(), "2020-01-01", "yesterday"])
def test_open_data_for_a_day_without_data_is_404(client, day):
    assert client.get(f"/api/v1/open-data/{day}.csv").status_code == 404


def test_exported_text_cannot_become_a_formula():
    assert safe_text("=HYPERLINK()") == "'=HYPERLINK()"


def test_the_command_line_writes_a_list_and_imports_it(app, client, admin, tmp_path):
    runner = app.test_cli_runner()
    this_year = stat(client, admin, "demand", table="key_emitters")["totals"]["key_emitters"]
    year = TODAY.year + 1
    path = tmp_path / "名录.xlsx"
    written = runner.invoke(
        args=["registry", "write-key-emitter-list", str(path), "--year", str(year), "--seed", "5"]
    )
    assert written.exit_code == 0, written.output
    count = int(written.output.split()[1])
    assert 2100 <= count <= 3800
    imported = runner.invoke(args=["registry", "import-key-emitters", str(path)])
    assert imported.exit_code == 0, imported.output
    summary = json.loads(imported.output.strip().splitlines()[-1])
    assert (summary["year"], summary["units"]) == (year, count)
    demand = stat(client, admin, "demand", table="key_emitters")
    assert demand["totals"]["key_emitters"] == this_year  # next year's list leaves this year's alone
    next_year = stat(client, admin, "demand", table="key_emitters", as_of=TODAY.isoformat())
    assert next_year["totals"]["key_emitters"] == this_year
    again = runner.invoke(args=["registry", "import-key-emitters", str(path)])
    assert json.loads(again.output.strip().splitlines()[-1])["created"] == 0
