"""`/stats/activities` through the API: who may read it, small cells hidden from government and shown to admin,
CSV and XLSX with Chinese headers, bad parameters, the open data's activity rows and the 看板 chart."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import date, timedelta

import openpyxl
import pytest

from tests.activity_fixtures import add_activity, join
from tests.support import unique_id_card

API = "/api/v1"
STATS = f"{API}/stats/activities"
TODAY = date.today()
REGION = "650000"  # 新疆: few other tests place anyone there


@pytest.fixture(scope="module")
def xinjiang(app, keys, graph):
    """Two people of 新疆 who attended one carbon-inclusion activity there this year (a cell under the minimum),
    and one who attended a cancelled one."""
    client = app.test_client()
    admin = {"X-API-Key": keys["admin"]}
    token = uuid.uuid4().hex[:8]
    organizer = client.post(
        f"{API}/organizations", json={"name": f"新疆生态环境厅{token}", "kind": "government"}, headers=admin
    ).get_json()["id"]
    people = []
    for n in range(3):
        body = {"name": f"公益统计{n}{token}", "id_card": unique_id_card(), "region": "650100"}
        people.append(client.post(f"{API}/practitioners", json=body, headers=admin).get_json()["id"])
    held = add_activity(
        graph, organizer, starts_on=TODAY.replace(day=1), kind="carbon_inclusion", region=REGION
    )
    cancelled = add_activity(
        graph,
        organizer,
        starts_on=TODAY.replace(day=1),
        kind="carbon_inclusion",
        region=REGION,
        status="cancelled",
    )
    join(graph, people[0], held, "attended", 4.0)
    join(graph, people[1], held, "attended", 3.0)
    join(graph, people[2], held, "absent")
    join(graph, people[2], cancelled, "attended", 4.0)
    return {"people": people}


def get(client, headers, **params):
    return client.get(STATS, query_string=params, headers=headers)


def cell(answer: dict) -> dict:
    return next(
        row for row in answer["rows"] if row["province"] == REGION and row["kind"] == "carbon_inclusion"
    )


@pytest.mark.parametrize(
    ("role", "status"), [("public", 401), ("client", 403), ("government", 200), ("admin", 200)]
)
def test_government_and_admin_read_the_activity_statistics(client, as_role, xinjiang, role, status):
    assert get(client, as_role(role), region=REGION).status_code == status


def test_a_practitioner_key_may_not_read_them(client, as_role, xinjiang, keys):
    admin = as_role("admin")
    key = client.post(f"{API}/practitioners/{xinjiang['people'][0]}/keys", json={}, headers=admin).get_json()[
        "key"
    ]
    assert get(client, {"X-API-Key": key}).status_code == 403


def test_only_attended_participation_in_a_held_activity_counts(client, as_role, xinjiang):
    answer = get(client, as_role("admin"), region=REGION, kind="carbon_inclusion").get_json()
    row = cell(answer)
    assert (row["activities"], row["participants"], row["participations"], row["hours"]) == (1, 2, 2, 7.0)
    assert row["province_name"] == "新疆维吾尔自治区"
    assert answer["suppression"]["minimum"] is None


def test_a_small_cell_is_hidden_from_government_with_its_hours(client, as_role, xinjiang):
    answer = get(client, as_role("government"), region=REGION, kind="carbon_inclusion").get_json()
    row = cell(answer)
    assert row["participants"] is None and row["hours"] is None and row["participations"] is None
    assert row["activities"] == 1
    assert answer["suppression"]["minimum"] == 5 and answer["suppression"]["cells"] >= 1


def test_the_answer_has_the_shape_of_the_other_statistics(client, as_role, xinjiang):
    answer = get(client, as_role("government"), table="months").get_json()
    assert answer["statistic"] == "activities" and answer["table"] == "months"
    assert answer["tables"] == ["provinces", "months", "pools"]
    assert answer["filters"] == {"year": TODAY.year, "region": None, "kind": None}
    assert answer["columns"] == ["month", "kind", "activities", "participants", "participations", "hours"]
    assert f"{TODAY.year}-{TODAY.month:02d}" in {row["month"] for row in answer["rows"]}


def test_the_pools_table_gives_each_pools_share(client, as_role, xinjiang):
    answer = get(client, as_role("admin"), table="pools").get_json()
    assert [row["pool"] for row in answer["rows"]] == ["talent", "expert"]
    for row in answer["rows"]:
        assert row["share"] is None or 0 <= row["share"] <= 1


def test_csv_and_xlsx_with_chinese_headers(client, as_role, xinjiang):
    government = as_role("government")
    answer = get(client, government, region=REGION).get_json()
    response = get(client, government, region=REGION, format="csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert lines[0] == answer["columns"] and len(lines) == len(answer["rows"]) + 1
    chinese = get(client, government, region=REGION, format="csv", lang="zh").get_data().decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(chinese)))[:4] == ["省份代码", "省份", "活动类型", "活动数"]
    xlsx = get(client, government, table="pools", format="xlsx", lang="zh").get_data()
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == ["库", "在库人数", "参与人数", "参与比例"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"table": "nope"}, "table"),
        ({"kind": "party"}, "kind"),
        ({"year": "2019"}, "year"),
        ({"year": str(TODAY.year + 2)}, "year"),
        ({"format": "pdf"}, "format"),
        ({"region": "999999"}, "region"),
        ({"as_of": (TODAY + timedelta(days=1)).isoformat()}, "as_of"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(client, as_role, params, field):
    response = get(client, as_role("government"), **params)
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json().get("errors", {}), response.get_json()


def test_the_open_data_carries_the_years_activities_by_province_without_names(client, xinjiang):
    text = client.get(f"{API}/open-data/{TODAY.isoformat()}.csv").get_data(as_text=True)
    rows = [line.split(",") for line in text.splitlines() if not line.startswith("#")]
    header = rows[0]
    assert header == ["date", "measure", "province", "work_type", "level", "pool", "value"]
    activity_rows = [dict(zip(header, row, strict=True)) for row in rows[1:] if row[1].startswith("activit")]
    xinjiang_rows = {r["measure"]: r["value"] for r in activity_rows if r["province"] == REGION}
    assert int(xinjiang_rows["activities"]) >= 1
    assert (
        xinjiang_rows["activity_participants"] in ("", "0")
        or int(xinjiang_rows["activity_participants"]) >= 5
    )
    assert {"activities_total", "activity_participants_total", "activity_hours_total"} <= {
        r["measure"] for r in activity_rows
    }
    assert "公益统计" not in text


def test_the_dashboard_draws_the_activity_chart_for_government_only(app, keys, xinjiang):
    def visitor(key: str | None):
        browser = app.test_client()
        if key:
            form = browser.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
            assert browser.post("/login", data={"key": key, "csrf_token": token}).status_code == 302
        return browser

    government = visitor(keys["government"])
    page = government.get("/dashboards").get_data(as_text=True)
    assert "公益活动" in page and "stat-activities-csv" in page
    download = government.get("/dashboards/statistics/activities/months.csv")
    assert download.status_code == 200
    assert download.get_data().decode("utf-8-sig").startswith("月份,活动类型,活动数")
    assert "stat-activities-csv" not in visitor(keys["client"]).get("/dashboards").get_data(as_text=True)
    assert visitor(None).get("/dashboards/statistics/activities/months.csv").status_code == 401
